#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The cookies of a sign-in, stored and sent back by the rules of RFC 6265 (§5.3 storage, §5.4 the
/// `Cookie` header): domain and path matching, host-only cookies, `Secure`, expiry.
///
/// A plain value with the time passed in, so the rules are testable without a clock or a network.
/// There is no public-suffix list: a `Domain` attribute without a dot (`com`, `localhost`) can only
/// name the host itself, which keeps one identity provider from setting cookies for a whole
/// top-level domain; a multi-label public suffix (`co.uk`) is not recognised.
public struct CookieJar: Sendable {
  /// One stored cookie.
  public struct Cookie: Sendable, Equatable {
    /// The name.
    public var name: String
    /// The value.
    public var value: String
    /// The canonical domain (lower-case, no leading dot): the host itself for a host-only cookie.
    public var domain: String
    /// Whether it is sent to `domain` only, not to its subdomains (no `Domain` attribute).
    public var isHostOnly: Bool
    /// The path it is sent for.
    public var path: String
    /// Whether it is sent over `https` only.
    public var isSecure: Bool
    /// Whether the server marked it `HttpOnly`.
    public var isHTTPOnly: Bool
    /// When it expires; `nil` for a session cookie.
    public var expires: Date?
    /// When it was first stored (kept when a server replaces its value).
    public var created: Date
    /// Breaks ties between cookies created in the same instant, keeping the order of arrival.
    var sequence: Int
  }

  /// The cookies held, in order of arrival; expired ones drop out when the jar next changes.
  public private(set) var cookies: [Cookie] = []
  private var nextSequence = 0

  /// An empty jar.
  public init() {}

  /// Stores a cookie a response from `url` set, or deletes the one it replaces when it has
  /// already expired.
  ///
  /// - Parameters:
  ///   - cookie: The parsed `Set-Cookie` header.
  ///   - url: The URL of the request the response answered.
  ///   - now: When the response arrived.
  /// - Returns: Whether the jar took the cookie (stored it or applied its deletion); `false` when
  ///   RFC 6265 says to ignore it (a domain that does not match the host, a URL that is not
  ///   `http(s)`).
  @discardableResult
  package mutating func store(_ cookie: SetCookie, from url: String, now: Date) -> Bool {
    guard let request = HTTPURLParts(url) else { return false }
    let host = Self.canonicalHost(request.host)
    var domain = cookie.domain.lowercased()
    if domain.hasPrefix(".") { domain.removeFirst() }
    if domain.hasSuffix(".") { domain.removeLast() }
    var isHostOnly = domain.isEmpty
    if !domain.isEmpty {
      if !domain.contains(".") {
        // Without a public-suffix list, a single label is treated as one (RFC 6265 §5.3 step 5).
        guard domain == host else { return false }
        isHostOnly = true
      } else if domain == host {
        // A Domain naming the host itself still covers its subdomains.
      } else if Self.isIPAddress(host) || !host.hasSuffix("." + domain) {
        return false
      }
    }
    if isHostOnly { domain = host }
    let path = cookie.path.hasPrefix("/") ? cookie.path : Self.defaultPath(request.path)
    let expires = cookie.expiry(receivedAt: now)

    cookies.removeAll { $0.expires.map { $0 <= now } ?? false }
    var created = now
    var sequence = nextSequence
    if let index = cookies.firstIndex(where: { $0.name == cookie.name && $0.domain == domain && $0.path == path }) {
      created = cookies[index].created
      sequence = cookies[index].sequence
      cookies.remove(at: index)
    } else {
      nextSequence += 1
    }
    if let expires, expires <= now { return true }
    cookies.append(
      Cookie(
        name: cookie.name, value: cookie.value, domain: domain, isHostOnly: isHostOnly, path: path,
        isSecure: cookie.secure, isHTTPOnly: cookie.httpOnly, expires: expires, created: created,
        sequence: sequence))
    return true
  }

  /// The cookies to send with a request to `url`, in the order of the `Cookie` header: longer
  /// paths first, then older cookies first (RFC 6265 §5.4).
  ///
  /// - Parameters:
  ///   - url: The request's URL.
  ///   - now: The current time; expired cookies are left out.
  /// - Returns: The matching cookies.
  package func cookies(for url: String, now: Date) -> [Cookie] {
    guard let request = HTTPURLParts(url) else { return [] }
    let host = Self.canonicalHost(request.host)
    return
      cookies
      .filter { cookie in
        let domainMatches =
          cookie.isHostOnly
          ? host == cookie.domain
          : host == cookie.domain || (!Self.isIPAddress(host) && host.hasSuffix("." + cookie.domain))
        return domainMatches && Self.pathMatches(request.path, cookie.path)
          && (!cookie.isSecure || request.scheme == "https")
          && (cookie.expires.map { $0 > now } ?? true)
      }
      .sorted { lhs, rhs in
        lhs.path.count != rhs.path.count ? lhs.path.count > rhs.path.count : lhs.sequence < rhs.sequence
      }
  }

  /// The `Cookie` header for a request to `url`, or `nil` when no cookie applies.
  ///
  /// - Parameters:
  ///   - url: The request's URL.
  ///   - now: The current time.
  /// - Returns: `name=value` pairs joined by `; `.
  package func cookieHeader(for url: String, now: Date) -> String? {
    let matching = cookies(for: url, now: now)
    guard !matching.isEmpty else { return nil }
    return matching.map { $0.name + "=" + $0.value }.joined(separator: "; ")
  }

  // MARK: - RFC 6265 helpers

  /// The host as cookies see it: no IPv6 brackets, no trailing dot, lower-case.
  static func canonicalHost(_ host: String) -> String {
    var result = host.lowercased()
    if result.hasPrefix("["), result.hasSuffix("]") { result = String(result.dropFirst().dropLast()) }
    if result.hasSuffix(".") { result.removeLast() }
    return result
  }

  /// Whether a canonical host is an IP address (domain matching must then be exact).
  static func isIPAddress(_ host: String) -> Bool {
    if host.contains(":") { return true }
    let labels = host.split(separator: ".", omittingEmptySubsequences: false)
    return labels.count == 4 && labels.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isNumber) }
  }

  /// RFC 6265 §5.1.4: the directory of the request path.
  static func defaultPath(_ requestPath: String) -> String {
    guard requestPath.hasPrefix("/"), let slash = requestPath.lastIndex(of: "/"), slash != requestPath.startIndex
    else { return "/" }
    return String(requestPath[..<slash])
  }

  /// RFC 6265 §5.1.4: whether a request path is inside a cookie path.
  static func pathMatches(_ requestPath: String, _ cookiePath: String) -> Bool {
    if requestPath == cookiePath { return true }
    guard requestPath.hasPrefix(cookiePath) else { return false }
    return cookiePath.hasSuffix("/") || requestPath.dropFirst(cookiePath.count).hasPrefix("/")
  }
}
