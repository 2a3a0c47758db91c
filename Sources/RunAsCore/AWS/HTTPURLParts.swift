/// The parts of an absolute `http` / `https` URL that signing and endpoint checks need.
struct HTTPURLParts: Equatable {
  /// `http` or `https`, lower-cased.
  var scheme: String
  /// The host as written, IPv6 literals keeping their brackets, lower-cased.
  var host: String
  /// The explicit port, if any.
  var port: Int?
  /// The path as written (already percent-encoded), `/` when empty.
  var path: String
  /// The raw query without `?`, if any.
  var query: String?

  /// The `Host` header value: the host, plus the port unless it is the scheme's default.
  var hostHeader: String {
    guard let port, port != (scheme == "https" ? 443 : 80) else { return host }
    return "\(host):\(port)"
  }

  /// Splits an absolute URL; `nil` when it is not `http(s)://host[:port][/path][?query]`.
  init?(_ url: String) {
    guard let schemeEnd = url.range(of: "://") else { return nil }
    let scheme = url[..<schemeEnd.lowerBound].lowercased()
    guard scheme == "http" || scheme == "https" else { return nil }
    let rest = url[schemeEnd.upperBound...]
    let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
    let authority = rest[..<authorityEnd]
    guard !authority.isEmpty, !authority.contains("@") else { return nil }

    var host = Substring(authority)
    var port: Int?
    if authority.hasPrefix("[") {
      guard let close = authority.firstIndex(of: "]") else { return nil }
      host = authority[...close]
      let after = authority[authority.index(after: close)...]
      if !after.isEmpty {
        guard after.hasPrefix(":") else { return nil }
        port = Int(after.dropFirst())
        guard port != nil else { return nil }
      }
    } else if let colon = authority.lastIndex(of: ":") {
      host = authority[..<colon]
      port = Int(authority[authority.index(after: colon)...])
      guard port != nil else { return nil }
    }
    if let port, !(1...65_535).contains(port) { return nil }
    if host.hasPrefix("[") {
      guard host.count > 2, host.dropFirst().dropLast().allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." })
      else { return nil }
    } else {
      guard !host.isEmpty,
        host.allSatisfy({
          $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_")
        })
      else { return nil }
    }

    var remainder = rest[authorityEnd...]
    if let hash = remainder.firstIndex(of: "#") { remainder = remainder[..<hash] }
    var path = remainder
    var query: Substring?
    if let question = remainder.firstIndex(of: "?") {
      path = remainder[..<question]
      query = remainder[remainder.index(after: question)...]
    }
    self.scheme = scheme
    self.host = host.lowercased()
    self.port = port
    self.path = path.isEmpty ? "/" : String(path)
    self.query = query.map(String.init)
  }
}
