/// URLs as identity-provider pages and `Location` headers write them, resolved the way a browser
/// resolves them (RFC 3986 §5 with the WHATWG clean-ups for `http(s)`).
///
/// Pages give relative form actions (`login-actions/authenticate?…`), redirects give absolute paths
/// or whole URLs, and some targets are not `http(s)` at all (`app:/callback`), so this works on the
/// generic URI syntax and only applies the web's leniencies (backslashes as slashes, stray
/// whitespace, raw spaces and non-ASCII characters) where browsers do.
enum URLReference {
  /// The five parts of a URI reference (RFC 3986 appendix B); `nil` parts were absent.
  struct Components: Equatable {
    var scheme: String?
    var authority: String?
    var path: String
    var query: String?
    var fragment: String?

    /// Splits any URI reference; this never fails, as in the RFC's regular expression.
    init(_ text: String) {
      var rest = Substring(text)
      if let colon = rest.firstIndex(of: ":"),
        let first = rest.first, first.isASCII, first.isLetter,
        rest[..<colon].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) })
      {
        scheme = rest[..<colon].lowercased()
        rest = rest[rest.index(after: colon)...]
      }
      if let hash = rest.firstIndex(of: "#") {
        fragment = String(rest[rest.index(after: hash)...])
        rest = rest[..<hash]
      }
      if let question = rest.firstIndex(of: "?") {
        query = String(rest[rest.index(after: question)...])
        rest = rest[..<question]
      }
      if rest.hasPrefix("//") {
        let afterSlashes = rest.dropFirst(2)
        let end = afterSlashes.firstIndex(of: "/") ?? afterSlashes.endIndex
        authority = String(afterSlashes[..<end])
        rest = afterSlashes[end...]
      }
      path = String(rest)
    }

    init(scheme: String?, authority: String?, path: String, query: String?, fragment: String?) {
      self.scheme = scheme
      self.authority = authority
      self.path = path
      self.query = query
      self.fragment = fragment
    }

    /// The reference put back together (RFC 3986 §5.3).
    var text: String {
      var result = ""
      if let scheme { result += scheme + ":" }
      if let authority { result += "//" + authority }
      result += path
      if let query { result += "?" + query }
      if let fragment { result += "#" + fragment }
      return result
    }
  }

  /// `reference` resolved against the absolute URL `base`, or `nil` when `base` is not absolute.
  ///
  /// An empty reference is the base itself (an HTML form without `action` posts to its page).
  /// The result keeps a fragment the reference has; it is not sent over HTTP.
  static func resolve(_ reference: String, against base: String) -> String? {
    let baseParts = Components(cleaned(base))
    guard let baseScheme = baseParts.scheme else { return nil }
    var reference = cleaned(reference)
    let referenceScheme = Components(reference).scheme
    if isSpecial(referenceScheme ?? baseScheme) { reference = slashesNormalised(reference) }
    var parts = Components(reference)
    // A reference naming the base's own web scheme without `//` is relative (WHATWG URL), so
    // `https:/next` on an https page stays on the same host.
    if let scheme = parts.scheme, scheme == baseScheme, isSpecial(scheme), parts.authority == nil {
      parts.scheme = nil
    }

    var target: Components
    if let scheme = parts.scheme {
      target = parts
      target.scheme = scheme
      target.path = removingDotSegments(parts.path)
    } else if parts.authority != nil {
      target = parts
      target.scheme = baseScheme
      target.path = removingDotSegments(parts.path)
    } else if parts.path.isEmpty {
      target = baseParts
      if let query = parts.query { target.query = query }
      target.fragment = parts.fragment
    } else {
      target = baseParts
      target.query = parts.query
      target.fragment = parts.fragment
      if parts.path.hasPrefix("/") {
        target.path = removingDotSegments(parts.path)
      } else {
        target.path = removingDotSegments(merged(base: baseParts, path: parts.path))
      }
    }
    if isSpecial(target.scheme), target.path.isEmpty { target.path = "/" }
    target.path = percentEncoded(target.path, excluding: pathExcluded)
    target.query = target.query.map { percentEncoded($0, excluding: queryExcluded) }
    return target.text
  }

  /// `url` without its fragment: what goes on the wire.
  static func withoutFragment(_ url: String) -> String {
    guard let hash = url.firstIndex(of: "#") else { return url }
    return String(url[..<hash])
  }

  /// `url` as it may appear in messages and logs: scheme, host and path, with a query (which may
  /// carry codes, tokens or SAML messages) shown as `?…` and the fragment dropped.
  static func redacted(_ url: String) -> String {
    var parts = Components(url)
    if let query = parts.query, !query.isEmpty { parts.query = "…" } else { parts.query = nil }
    parts.fragment = nil
    // User information in the authority could be a password.
    if let authority = parts.authority, let at = authority.lastIndex(of: "@") {
      parts.authority = String(authority[authority.index(after: at)...])
    }
    return parts.text
  }

  /// Query parameters whose values are secrets (OneLogin's `token=` is `client_id:client_secret`).
  static let secretParameterNames: Set<String> = [
    "token", "client_secret", "secret", "password", "api_key", "apikey", "access_token", "id_token",
  ]

  /// `url` as written, but the values of its secret query parameters (``secretParameterNames``)
  /// shown as `…`: for showing a configured URL whose other parameters (`app_id=`) matter.
  static func maskingSecrets(_ url: String) -> String {
    var parts = Components(url)
    guard let query = parts.query, !query.isEmpty else { return url }
    parts.query = query.split(separator: "&", omittingEmptySubsequences: false).map { pair in
      guard let equals = pair.firstIndex(of: "="),
        secretParameterNames.contains(pair[..<equals].lowercased())
      else { return String(pair) }
      return pair[...equals] + "…"
    }.joined(separator: "&")
    return parts.text
  }

  /// The origin (scheme, host and port as written) of an absolute URL, lower-cased.
  static func origin(_ url: String) -> String {
    let parts = Components(url)
    return (parts.scheme ?? "") + "://" + (parts.authority ?? "").lowercased()
  }

  /// RFC 3986 §5.2.4.
  static func removingDotSegments(_ path: String) -> String {
    guard path.contains(".") else { return path }
    var output: [Substring] = []
    let segments = path.split(separator: "/", omittingEmptySubsequences: false)
    let absolute = path.hasPrefix("/")
    for (index, segment) in segments.enumerated() {
      if absolute && index == 0 { continue }
      let isLast = index == segments.count - 1
      switch segment {
      case ".":
        if isLast { output.append("") }
      case "..":
        if !output.isEmpty { output.removeLast() }
        if isLast { output.append("") }
      default:
        output.append(segment)
      }
    }
    return (absolute ? "/" : "") + output.joined(separator: "/")
  }

  // MARK: - Details

  private static func isSpecial(_ scheme: String?) -> Bool {
    scheme == "http" || scheme == "https"
  }

  /// RFC 3986 §5.2.3.
  private static func merged(base: Components, path: String) -> String {
    if base.authority != nil, base.path.isEmpty { return "/" + path }
    guard let slash = base.path.lastIndex(of: "/") else { return path }
    return base.path[...slash] + path
  }

  /// Leading and trailing spaces and controls removed, tabs and newlines inside dropped.
  private static func cleaned(_ text: String) -> String {
    let isControlOrSpace: (Unicode.Scalar) -> Bool = { $0.value <= 0x20 }
    var scalars = Substring(text).unicodeScalars
    while let first = scalars.first, isControlOrSpace(first) { scalars.removeFirst() }
    while let last = scalars.last, isControlOrSpace(last) { scalars.removeLast() }
    return String(String.UnicodeScalarView(scalars.filter { $0 != "\t" && $0 != "\n" && $0 != "\r" }))
  }

  /// Backslashes before the query become slashes, as browsers read `http(s)` URLs.
  private static func slashesNormalised(_ text: String) -> String {
    guard text.contains("\\") else { return text }
    let end = text.firstIndex { $0 == "?" || $0 == "#" } ?? text.endIndex
    return String(text[..<end].replacing("\\", with: "/") + text[end...])
  }

  /// The WHATWG path and special-query percent-encode sets, beyond controls, space and non-ASCII.
  private static let pathExcluded: Set<UInt8> = Set(Array("\"#<>?`{}".utf8))
  private static let queryExcluded: Set<UInt8> = Set(Array("\"#<>'".utf8))

  /// Percent-encodes the bytes a browser would: spaces, controls, non-ASCII and the few ASCII
  /// characters of `excluded` (existing `%XX` escapes stay).
  private static func percentEncoded(_ text: String, excluding excluded: Set<UInt8>) -> String {
    let mustEncode = { (byte: UInt8) in byte <= 0x20 || byte >= 0x7F || excluded.contains(byte) }
    guard text.utf8.contains(where: mustEncode) else { return text }
    var output: [UInt8] = []
    for byte in text.utf8 {
      if mustEncode(byte) {
        output.append(UInt8(ascii: "%"))
        output.append(hexDigits[Int(byte >> 4)])
        output.append(hexDigits[Int(byte & 0x0F)])
      } else {
        output.append(byte)
      }
    }
    return String(decoding: output, as: UTF8.self)
  }

  private static let hexDigits = Array("0123456789ABCDEF".utf8)
}
