#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// A cookie as a server set it: one parsed `Set-Cookie` header, with the fields of Go's `http.Cookie`.
///
/// It is also the record of the cookie file shared with the Go aws-runas (``CookieJarFile``), so
/// the attributes stay as the server wrote them: `domain` as given (maybe with a leading dot),
/// `path` empty when absent, both `expires` and `maxAge` when both were sent. ``CookieJar`` applies
/// RFC 6265's storage rules when it takes one in.
package struct SetCookie: Sendable, Equatable {
  /// The cookie's name.
  package var name: String
  /// The cookie's value, without surrounding double quotes.
  package var value: String
  /// The `Path` attribute, empty when absent.
  package var path: String
  /// The `Domain` attribute as sent, empty when absent (a host-only cookie).
  package var domain: String
  /// The `Expires` attribute, `nil` when absent or unreadable.
  package var expires: Date?
  /// The `Expires` attribute's text, empty when absent.
  package var rawExpires: String
  /// The `Max-Age` attribute as Go keeps it: 0 when absent, -1 for "delete now" (`Max-Age` ≤ 0),
  /// otherwise the seconds.
  package var maxAge: Int
  /// Whether the `Secure` attribute was set: sent over `https` only.
  package var secure: Bool
  /// Whether the `HttpOnly` attribute was set.
  package var httpOnly: Bool
  /// The `SameSite` attribute.
  package var sameSite: SameSite
  /// The whole header value, as received.
  package var raw: String
  /// Attributes that were not understood, as written (e.g. `Partitioned`, `Priority=High`).
  package var unparsed: [String]

  /// The `SameSite` attribute, numbered as Go's `http.SameSite` (the cookie file stores the number).
  package enum SameSite: Int, Sendable, Equatable {
    /// No `SameSite` attribute.
    case unset = 0
    /// A `SameSite` attribute with a value other than the three below.
    case defaultMode = 1
    /// `SameSite=Lax`.
    case lax = 2
    /// `SameSite=Strict`.
    case strict = 3
    /// `SameSite=None`.
    case none = 4
  }

  /// Creates a cookie record from its parts.
  ///
  /// - Parameters:
  ///   - name: The name.
  ///   - value: The value.
  ///   - path: The `Path` attribute, empty for none.
  ///   - domain: The `Domain` attribute, empty for none.
  ///   - expires: The `Expires` attribute.
  ///   - rawExpires: The `Expires` attribute's text.
  ///   - maxAge: The `Max-Age` attribute in Go's convention (0 none, -1 delete, else seconds).
  ///   - secure: The `Secure` flag.
  ///   - httpOnly: The `HttpOnly` flag.
  ///   - sameSite: The `SameSite` attribute.
  ///   - raw: The header value it came from.
  ///   - unparsed: Attributes not understood.
  package init(
    name: String, value: String, path: String = "", domain: String = "", expires: Date? = nil,
    rawExpires: String = "", maxAge: Int = 0, secure: Bool = false, httpOnly: Bool = false,
    sameSite: SameSite = .unset, raw: String = "", unparsed: [String] = []
  ) {
    self.name = name
    self.value = value
    self.path = path
    self.domain = domain
    self.expires = expires
    self.rawExpires = rawExpires
    self.maxAge = maxAge
    self.secure = secure
    self.httpOnly = httpOnly
    self.sameSite = sameSite
    self.raw = raw
    self.unparsed = unparsed
  }

  /// Parses one `Set-Cookie` header value by RFC 6265 §5.2.
  ///
  /// The cookie is ignored (`nil`) when it has no `=`, an empty name, or control characters, as
  /// RFC 6265bis asks. Attribute names are case-insensitive and the last of a kind wins; an
  /// unreadable `Expires` or `Max-Age` is ignored, as the RFC asks.
  ///
  /// - Parameter header: The header value, e.g. `sid=abc; Path=/; Secure; HttpOnly`.
  package init?(header: String) {
    let parts = header.split(separator: ";", omittingEmptySubsequences: false)
    guard let pair = parts.first, let equals = pair.firstIndex(of: "=") else { return nil }
    let name = Self.trimmed(pair[..<equals])
    var value = Self.trimmed(pair[pair.index(after: equals)...])
    guard !name.isEmpty, !Self.hasControlCharacters(name), !Self.hasControlCharacters(value) else { return nil }
    if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
      value = value.dropFirst().dropLast()
    }
    self.init(name: String(name), value: String(value), raw: header)

    for part in parts.dropFirst() {
      let text = Self.trimmed(part)
      if text.isEmpty { continue }
      let attribute: Substring
      let argument: Substring
      if let equals = text.firstIndex(of: "=") {
        attribute = Self.trimmed(text[..<equals])
        argument = Self.trimmed(text[text.index(after: equals)...])
      } else {
        attribute = text
        argument = ""
      }
      switch attribute.lowercased() {
      case "secure":
        secure = true
      case "httponly":
        httpOnly = true
      case "domain":
        domain = String(argument)
      case "path":
        path = String(argument)
      case "max-age":
        guard let seconds = Self.maxAgeSeconds(argument) else { unparsed.append(String(text)); continue }
        maxAge = seconds <= 0 ? -1 : seconds
      case "expires":
        rawExpires = String(argument)
        expires = Timestamp.parseHTTPDate(String(argument))
      case "samesite":
        switch argument.lowercased() {
        case "lax": sameSite = .lax
        case "strict": sameSite = .strict
        case "none": sameSite = .none
        default: sameSite = .defaultMode
        }
      default:
        unparsed.append(String(text))
      }
    }
  }

  /// The moment the cookie stops being valid, given when it was received: `Max-Age` wins over
  /// `Expires` (RFC 6265 §5.3 step 3); `nil` for a session cookie.
  ///
  /// - Parameter received: When the response carrying the cookie arrived.
  /// - Returns: The expiry; in the past for a cookie that deletes one.
  package func expiry(receivedAt received: Date) -> Date? {
    if maxAge < 0 { return .distantPast }
    if maxAge > 0 { return received.addingTimeInterval(TimeInterval(maxAge)) }
    return expires
  }

  // MARK: - Details

  /// `Max-Age` by RFC 6265 §5.2.2: an optional `-` and digits only; huge values are capped.
  private static func maxAgeSeconds(_ text: Substring) -> Int? {
    let digits = text.hasPrefix("-") ? text.dropFirst() : text
    guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
    if text.hasPrefix("-") { return -1 }
    // Past ten digits the number only says "a very long time"; cap it so it cannot overflow.
    return digits.count > 10 ? 9_999_999_999 : Int(digits)
  }

  private static func trimmed(_ text: Substring) -> Substring {
    var result = text
    while let first = result.first, first == " " || first == "\t" { result.removeFirst() }
    while let last = result.last, last == " " || last == "\t" { result.removeLast() }
    return result
  }

  private static func hasControlCharacters(_ text: Substring) -> Bool {
    text.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }
  }
}
