/// Go's `time.ParseDuration` and `time.Duration.String`, on Swift's `Duration`.
///
/// aws-runas users write durations the Go way (`12h`, `1h30m`, `90m`) in the config file, in
/// environment variables and on the command line, and the Go tool printed them the Go way
/// (`1h0m0s`). Both directions are reproduced byte for byte, including Go's range limit of
/// ±2562047h47m16.854775807s (a signed 64-bit count of nanoseconds).
public enum GoDuration {
  /// Parses a Go duration string: an optional sign, then one or more decimal numbers (with an
  /// optional fraction), each followed by a unit (`ns`, `us`, `µs`, `μs`, `ms`, `s`, `m`, `h`).
  ///
  /// `"0"` alone is valid. Days (`7d`), bare numbers (`10`), empty strings and units without a
  /// number (`h`) are rejected, exactly as Go rejects them.
  ///
  /// - Throws: ``DurationParseError`` naming the text and the problem.
  public static func parse(_ text: String) throws(DurationParseError) -> Duration {
    var contiguous = text
    let parsed: Result<Int64, DurationParseError> = contiguous.withUTF8 { bytes in
      parseNanoseconds(bytes, original: text)
    }
    return .nanoseconds(try parsed.get())
  }

  /// Formats a duration the way Go's `Duration.String` does: `0s`, `1.5s`, `100ms`, `15m0s`,
  /// `1h0m0s`, `12h0m0s`, `-2m3.5s`.
  ///
  /// Sub-nanosecond precision is truncated; durations beyond Go's range are clamped to it.
  public static func format(_ duration: Duration) -> String {
    let nanoseconds = clampedNanoseconds(duration)
    var magnitude = nanoseconds.magnitude
    // Built backwards, as Go does, into a small byte buffer.
    var reversed: [UInt8] = []
    reversed.reserveCapacity(32)

    func appendReversed(_ unit: String) {
      reversed.append(contentsOf: unit.utf8.reversed())
    }
    func appendFraction(precision: Int) {
      var printing = false
      for _ in 0..<precision {
        let digit = UInt8(magnitude % 10)
        printing = printing || digit != 0
        if printing { reversed.append(UInt8(ascii: "0") + digit) }
        magnitude /= 10
      }
      if printing { reversed.append(UInt8(ascii: ".")) }
    }
    func appendInteger(_ value: UInt64) {
      var value = value
      repeat {
        reversed.append(UInt8(ascii: "0") + UInt8(value % 10))
        value /= 10
      } while value > 0
    }

    if magnitude < nanosecondsPerSecond {
      if magnitude == 0 { return "0s" }
      let precision: Int
      if magnitude < 1_000 {
        precision = 0
        appendReversed("ns")
      } else if magnitude < 1_000_000 {
        precision = 3
        appendReversed("µs")
      } else {
        precision = 6
        appendReversed("ms")
      }
      appendFraction(precision: precision)
      appendInteger(magnitude)
    } else {
      reversed.append(UInt8(ascii: "s"))
      appendFraction(precision: 9)
      appendInteger(magnitude % 60)
      var minutes = magnitude / 60
      if minutes > 0 {
        reversed.append(UInt8(ascii: "m"))
        appendInteger(minutes % 60)
        minutes /= 60
        if minutes > 0 {
          reversed.append(UInt8(ascii: "h"))
          appendInteger(minutes)
        }
      }
    }
    if nanoseconds < 0 { reversed.append(UInt8(ascii: "-")) }
    return String(decoding: reversed.reversed(), as: UTF8.self)
  }

  private static let nanosecondsPerSecond: UInt64 = 1_000_000_000
  private static let limit: UInt64 = 1 << 63

  private static func clampedNanoseconds(_ duration: Duration) -> Int64 {
    let (seconds, attoseconds) = duration.components
    let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
    if overflow { return seconds < 0 ? .min : .max }
    let (total, overflowAgain) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
    if overflowAgain { return seconds < 0 ? .min : .max }
    return total
  }

  private static func unitNanoseconds(_ unit: UnsafeBufferPointer<UInt8>.SubSequence) -> UInt64? {
    switch unit.count {
    case 1:
      switch unit.first {
      case UInt8(ascii: "s"): return 1_000_000_000
      case UInt8(ascii: "m"): return 60_000_000_000
      case UInt8(ascii: "h"): return 3_600_000_000_000
      default: return nil
      }
    case 2:
      guard unit.last == UInt8(ascii: "s") else { return nil }
      switch unit.first {
      case UInt8(ascii: "n"): return 1
      case UInt8(ascii: "u"): return 1_000
      case UInt8(ascii: "m"): return 1_000_000
      default: return nil
      }
    case 3:
      // µ (U+00B5 micro sign) and μ (U+03BC Greek mu), both accepted by Go.
      let bytes = Array(unit)
      guard bytes[2] == UInt8(ascii: "s") else { return nil }
      if (bytes[0] == 0xC2 && bytes[1] == 0xB5) || (bytes[0] == 0xCE && bytes[1] == 0xBC) {
        return 1_000
      }
      return nil
    default:
      return nil
    }
  }

  private static func isDigit(_ byte: UInt8) -> Bool {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
  }

  // A direct port of Go's time.ParseDuration, including its overflow rules.
  private static func parseNanoseconds(
    _ bytes: UnsafeBufferPointer<UInt8>, original: String
  ) -> Result<Int64, DurationParseError> {
    func failure(_ problem: String, hint: Bool = true) -> Result<Int64, DurationParseError> {
      .failure(DurationParseError(text: original, problem: problem, showsUnitHint: hint))
    }
    var index = 0
    let end = bytes.count
    var negative = false
    if index < end, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
      negative = bytes[index] == UInt8(ascii: "-")
      index += 1
    }
    if end - index == 1, bytes[index] == UInt8(ascii: "0") { return .success(0) }
    if index == end { return failure(end == 0 ? "empty value" : "no number after the sign") }

    var total: UInt64 = 0
    while index < end {
      guard bytes[index] == UInt8(ascii: ".") || isDigit(bytes[index]) else {
        return failure("expected a number at \"\(text(bytes, from: index, to: end))\"")
      }
      // Integer part.
      var whole: UInt64 = 0
      let wholeStart = index
      while index < end, isDigit(bytes[index]) {
        if whole > limit / 10 { return failure(rangeProblem, hint: false) }
        whole = whole * 10 + UInt64(bytes[index] - UInt8(ascii: "0"))
        if whole > limit { return failure(rangeProblem, hint: false) }
        index += 1
      }
      let hasWhole = index != wholeStart
      // Fraction part.
      var fraction: UInt64 = 0
      var scale: Double = 1
      var hasFraction = false
      if index < end, bytes[index] == UInt8(ascii: ".") {
        index += 1
        let fractionStart = index
        var overflow = false
        while index < end, isDigit(bytes[index]) {
          defer { index += 1 }
          if overflow { continue }
          if fraction > (limit - 1) / 10 {
            overflow = true
            continue
          }
          let next = fraction * 10 + UInt64(bytes[index] - UInt8(ascii: "0"))
          if next > limit {
            overflow = true
            continue
          }
          fraction = next
          scale *= 10
        }
        hasFraction = index != fractionStart
      }
      if !hasWhole && !hasFraction {
        return failure("expected a number at \"\(text(bytes, from: wholeStart, to: end))\"")
      }
      // Unit.
      let unitStart = index
      while index < end, bytes[index] != UInt8(ascii: "."), !isDigit(bytes[index]) { index += 1 }
      if unitStart == index {
        return failure("missing unit after \"\(text(bytes, from: wholeStart, to: index))\"")
      }
      let unitBytes = bytes[unitStart..<index]
      guard let unit = unitNanoseconds(unitBytes) else {
        return failure("unknown unit \"\(text(bytes, from: unitStart, to: index))\"")
      }
      if whole > limit / unit { return failure(rangeProblem, hint: false) }
      whole *= unit
      if fraction > 0 {
        whole += UInt64(Double(fraction) * (Double(unit) / scale))
        if whole > limit { return failure(rangeProblem, hint: false) }
      }
      total += whole
      if total > limit { return failure(rangeProblem, hint: false) }
    }
    if negative { return .success(Int64(bitPattern: 0 &- total)) }
    if total > limit - 1 { return failure(rangeProblem, hint: false) }
    return .success(Int64(total))
  }

  private static let rangeProblem = "out of range (at most 2562047h47m16.854775807s)"

  private static func text(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int)
    -> String
  {
    String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
  }
}

/// A duration that is not valid Go duration syntax.
///
/// The description is one line naming the text and the problem, with a reminder of the syntax,
/// e.g. `invalid duration "7d": unknown unit "d" (use h, m or s, e.g. 1h30m)`.
public struct DurationParseError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The text that failed to parse, exactly as given.
  public let text: String
  /// What is wrong with it, e.g. `unknown unit "d"`.
  public let problem: String
  /// Whether the description ends with a reminder of the unit syntax.
  public let showsUnitHint: Bool

  /// Creates an error for `text`, which has `problem`.
  public init(text: String, problem: String, showsUnitHint: Bool = true) {
    self.text = text
    self.problem = problem
    self.showsUnitHint = showsUnitHint
  }

  /// `invalid duration "<text>": <problem>`, plus the syntax reminder when it helps.
  public var description: String {
    let hint = showsUnitHint ? " (use h, m or s, e.g. 1h30m)" : ""
    return "invalid duration \"\(TerminalText.excerpt(text, limit: 64))\": \(problem)\(hint)"
  }
}
