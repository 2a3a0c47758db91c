#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Parsing and formatting of the timestamp forms AWS uses, without `DateFormatter`.
///
/// Everything here is UTC and locale-free, built on days-from-civil arithmetic (proleptic Gregorian
/// calendar), so it is fast and gives the same answer on every machine.
public enum Timestamp {
  /// Parses an ISO 8601 / RFC 3339 date-time such as `2024-05-01T12:34:56Z`.
  ///
  /// Accepts fractional seconds of any length (`…56.123456789Z`, `.` or `,` as separator), `Z` or a
  /// `+hh:mm` / `-hh:mm` / `+hhmm` offset, and `T`, `t` or a space between date and time. A zone is
  /// required; ranges are checked (month 1–12, day within the month, hour 0–23, minute and second
  /// 0–59).
  ///
  /// - Parameter string: The text to parse; surrounding whitespace is not allowed.
  /// - Returns: The moment, or `nil` when `string` is not such a timestamp.
  public static func parseISO8601(_ string: String) -> Date? {
    var scanner = TimestampScanner(Array(string.utf8))
    guard let year = scanner.digits(4), scanner.take(UInt8(ascii: "-")),
      let month = scanner.digits(2), scanner.take(UInt8(ascii: "-")),
      let day = scanner.digits(2)
    else { return nil }
    guard let separator = scanner.next(),
      separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t")
        || separator == UInt8(ascii: " ")
    else { return nil }
    guard let hour = scanner.digits(2), scanner.take(UInt8(ascii: ":")),
      let minute = scanner.digits(2), scanner.take(UInt8(ascii: ":")),
      let second = scanner.digits(2)
    else { return nil }

    var fraction = 0.0
    if scanner.take(UInt8(ascii: ".")) || scanner.take(UInt8(ascii: ",")) {
      var numerator = 0
      var scale = 1
      var count = 0
      while let byte = scanner.peek(), let digit = TimestampScanner.digitValue(byte) {
        scanner.advance()
        count += 1
        // Nanoseconds are the most a Date can meaningfully hold; later digits are validated only.
        if count <= 9 {
          numerator = numerator * 10 + digit
          scale *= 10
        }
      }
      guard count > 0 else { return nil }
      fraction = Double(numerator) / Double(scale)
    }

    var offsetSeconds = 0
    guard let zone = scanner.next() else { return nil }
    switch zone {
    case UInt8(ascii: "Z"), UInt8(ascii: "z"):
      break
    case UInt8(ascii: "+"), UInt8(ascii: "-"):
      guard let offsetHours = scanner.digits(2) else { return nil }
      _ = scanner.take(UInt8(ascii: ":"))
      guard let offsetMinutes = scanner.digits(2), offsetHours <= 23, offsetMinutes <= 59 else {
        return nil
      }
      offsetSeconds = (offsetHours * 60 + offsetMinutes) * 60
      if zone == UInt8(ascii: "-") { offsetSeconds = -offsetSeconds }
    default:
      return nil
    }
    guard scanner.isAtEnd else { return nil }

    guard
      let seconds = epochSeconds(
        year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    else { return nil }
    return Date(timeIntervalSince1970: Double(seconds - offsetSeconds) + fraction)
  }

  /// Formats a moment as RFC 3339 in UTC, the way Go's `time.RFC3339Nano` does.
  ///
  /// Whole seconds have no fraction (`2024-05-01T12:34:56Z`); otherwise the fraction is given to the
  /// microsecond (the precision a `Date` holds reliably) with trailing zeros removed
  /// (`2024-05-01T12:34:56.5Z`).
  ///
  /// - Parameter date: The moment to format.
  /// - Returns: The timestamp text.
  public static func formatRFC3339(_ date: Date) -> String {
    let (seconds, micros) = splitMicroseconds(date)
    let civil = civil(fromEpochSeconds: seconds)
    var text = pad(civil.year, 4) + "-" + pad(civil.month, 2) + "-" + pad(civil.day, 2) + "T"
    text += pad(civil.hour, 2) + ":" + pad(civil.minute, 2) + ":" + pad(civil.second, 2)
    if micros > 0 {
      var digits = pad(micros, 6)
      while digits.last == "0" { digits.removeLast() }
      text += "." + digits
    }
    return text + "Z"
  }

  /// Parses an HTTP date, as in the `Date` response header.
  ///
  /// The preferred IMF-fixdate form (`Wed, 21 Oct 2015 07:28:00 GMT`) is accepted, and so are the
  /// obsolete RFC 850 (`Wednesday, 21-Oct-15 07:28:00 GMT`) and asctime
  /// (`Wed Oct 21 07:28:00 2015`) forms that RFC 9110 asks recipients to accept.
  ///
  /// - Parameter string: The header value.
  /// - Returns: The moment, or `nil` when `string` is not an HTTP date.
  public static func parseHTTPDate(_ string: String) -> Date? {
    var tokens: [[UInt8]] = []
    var current: [UInt8] = []
    for byte in string.utf8 {
      if byte == UInt8(ascii: " ") || byte == UInt8(ascii: ",") || byte == UInt8(ascii: "-")
        || byte == UInt8(ascii: "\t")
      {
        if !current.isEmpty { tokens.append(current) }
        current.removeAll(keepingCapacity: true)
      } else {
        current.append(byte)
      }
    }
    if !current.isEmpty { tokens.append(current) }

    var day: Int?
    var month: Int?
    var year: Int?
    var time: (hour: Int, minute: Int, second: Int)?
    var sawZone = false
    for (index, token) in tokens.enumerated() {
      if token.contains(UInt8(ascii: ":")) {
        guard time == nil, let parsed = parseClock(token) else { return nil }
        time = parsed
      } else if let number = parseNumber(token) {
        if day == nil, token.count <= 2 {
          day = number
        } else if year == nil, token.count == 2 || token.count == 4 {
          year = token.count == 4 ? number : (number < 70 ? 2000 + number : 1900 + number)
        } else {
          return nil
        }
      } else if let monthNumber = monthNumber(token) {
        guard month == nil else { return nil }
        month = monthNumber
      } else if isZone(token) {
        guard !sawZone, index == tokens.count - 1 else { return nil }
        sawZone = true
      } else if index == 0, token.allSatisfy(isLetter) {
        continue  // day name; not cross-checked, as most parsers do
      } else {
        return nil
      }
    }
    guard let day, let month, let year, let time else { return nil }
    guard
      let seconds = epochSeconds(
        year: year, month: month, day: day,
        hour: time.hour, minute: time.minute, second: time.second)
    else { return nil }
    return Date(timeIntervalSince1970: Double(seconds))
  }

  /// Formats a moment as the SigV4 `X-Amz-Date` value, e.g. `20150830T123600Z` (seconds truncated).
  ///
  /// - Parameter date: The moment to format.
  /// - Returns: The basic-format UTC timestamp.
  public static func amzDate(_ date: Date) -> String {
    let civil = civil(fromEpochSeconds: splitMicroseconds(date).seconds)
    return pad(civil.year, 4) + pad(civil.month, 2) + pad(civil.day, 2) + "T"
      + pad(civil.hour, 2) + pad(civil.minute, 2) + pad(civil.second, 2) + "Z"
  }

  /// Formats the UTC day of a moment as used in a SigV4 credential scope, e.g. `20150830`.
  ///
  /// - Parameter date: The moment to format.
  /// - Returns: The `yyyyMMdd` date stamp.
  public static func dateStamp(_ date: Date) -> String {
    let civil = civil(fromEpochSeconds: splitMicroseconds(date).seconds)
    return pad(civil.year, 4) + pad(civil.month, 2) + pad(civil.day, 2)
  }

  // MARK: - Internals shared within the module

  /// A `Duration` in seconds as a `TimeInterval`.
  static func timeInterval(of duration: Duration) -> TimeInterval {
    let parts = duration.components
    return TimeInterval(parts.seconds) + TimeInterval(parts.attoseconds) / 1e18
  }

  // MARK: - Civil calendar arithmetic

  /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
  static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let shiftedMonth = month > 2 ? month - 3 : month + 9
    let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  /// The proleptic Gregorian date of a day count since 1970-01-01 (`civil_from_days`).
  static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let shiftedMonth = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
    let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }

  private static func isLeapYear(_ year: Int) -> Bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
  }

  private static func daysInMonth(year: Int, month: Int) -> Int {
    switch month {
    case 2: return isLeapYear(year) ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  private static func epochSeconds(
    year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
  ) -> Int? {
    guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month),
      (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second)
    else { return nil }
    let days = daysFromCivil(year: year, month: month, day: day)
    return days * 86_400 + hour * 3600 + minute * 60 + second
  }

  private static func splitMicroseconds(_ date: Date) -> (seconds: Int, micros: Int) {
    let interval = date.timeIntervalSince1970
    guard interval.isFinite, abs(interval) < 1e15 else { return (0, 0) }
    var whole = interval.rounded(.down)
    var micros = Int(((interval - whole) * 1_000_000).rounded())
    if micros >= 1_000_000 {
      whole += 1
      micros -= 1_000_000
    }
    return (Int(whole), micros)
  }

  static func civil(fromEpochSeconds seconds: Int) -> (
    year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
  ) {
    var days = seconds / 86_400
    var secondOfDay = seconds % 86_400
    if secondOfDay < 0 {
      secondOfDay += 86_400
      days -= 1
    }
    let date = civilFromDays(days)
    return (
      date.year, date.month, date.day, secondOfDay / 3600, secondOfDay % 3600 / 60,
      secondOfDay % 60
    )
  }

  static func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(abs(value))
    let sign = value < 0 ? "-" : ""
    guard digits.count < width else { return sign + digits }
    return sign + String(repeating: "0", count: width - digits.count) + digits
  }

  // MARK: - HTTP date tokens

  private static let monthNames: [[UInt8]] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
  ].map { Array($0.utf8) }

  private static func monthNumber(_ token: [UInt8]) -> Int? {
    guard token.count == 3 else { return nil }
    let lower = token.map { $0 | 0x20 }
    guard let index = monthNames.firstIndex(of: lower) else { return nil }
    return index + 1
  }

  private static func isLetter(_ byte: UInt8) -> Bool {
    (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
      || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
  }

  private static func isZone(_ token: [UInt8]) -> Bool {
    let text = String(decoding: token, as: UTF8.self).uppercased()
    return text == "GMT" || text == "UTC" || text == "UT" || text == "Z" || text == "+0000"
  }

  private static func parseNumber(_ token: [UInt8]) -> Int? {
    guard !token.isEmpty, token.count <= 4 else { return nil }
    var value = 0
    for byte in token {
      guard let digit = TimestampScanner.digitValue(byte) else { return nil }
      value = value * 10 + digit
    }
    return value
  }

  private static func parseClock(_ token: [UInt8]) -> (hour: Int, minute: Int, second: Int)? {
    var scanner = TimestampScanner(token)
    guard let hour = scanner.digits(2), scanner.take(UInt8(ascii: ":")),
      let minute = scanner.digits(2), scanner.take(UInt8(ascii: ":")),
      let second = scanner.digits(2), scanner.isAtEnd
    else { return nil }
    return (hour, minute, second)
  }
}

/// A cursor over ASCII bytes for the small fixed-format parsers above.
private struct TimestampScanner {
  private let bytes: [UInt8]
  private var index = 0

  init(_ bytes: [UInt8]) { self.bytes = bytes }

  var isAtEnd: Bool { index == bytes.count }

  func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

  mutating func advance() { index += 1 }

  mutating func next() -> UInt8? {
    guard let byte = peek() else { return nil }
    index += 1
    return byte
  }

  mutating func take(_ expected: UInt8) -> Bool {
    guard peek() == expected else { return false }
    index += 1
    return true
  }

  /// Exactly `count` decimal digits as a number.
  mutating func digits(_ count: Int) -> Int? {
    guard bytes.count - index >= count else { return nil }
    var value = 0
    for offset in 0..<count {
      guard let digit = Self.digitValue(bytes[index + offset]) else { return nil }
      value = value * 10 + digit
    }
    index += count
    return value
  }

  static func digitValue(_ byte: UInt8) -> Int? {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
  }
}
