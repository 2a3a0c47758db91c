/// What an ``IdentityProviderSession`` request ended with: the last response, the redirects that
/// led to it, and, when a redirect was stopped, where it pointed.
public struct IdentityProviderResponse: Sendable {
  /// The URL of the request this response answered (the last hop's URL after redirects).
  public var url: String
  /// The status code.
  public var status: Int
  /// The header fields.
  public var headers: [(name: String, value: String)]
  /// The body.
  public var body: [UInt8]
  /// The redirects followed to get here, in order; empty when the first response was the last.
  public var redirects: [RedirectHop]
  /// The resolved `Location` of a redirect the request's ``RedirectPolicy`` stopped at, which was
  /// not fetched (the OIDC redirect URI with `code` and `state`); this response is that redirect.
  public var stoppedRedirect: String?

  /// One redirect that was followed.
  public struct RedirectHop: Sendable {
    /// The method of the request that was redirected.
    public var method: String
    /// The URL of the request that was redirected.
    public var url: String
    /// The redirect's status code (301, 302, 303, 307 or 308).
    public var status: Int
    /// Where it pointed, resolved against ``url``.
    public var location: String
    /// The redirect response's header fields (provider detection reads them).
    public var headers: [(name: String, value: String)]
  }

  /// The value of the first header field named `name` (case-insensitive).
  public func header(_ name: String) -> String? {
    headers.first { HTTPFieldName.equal($0.name, name) }?.value
  }

  /// The body as text (UTF-8, invalid bytes replaced).
  public var text: String {
    String(decoding: body, as: UTF8.self)
  }

  /// The `Location` header resolved against ``url``, when present.
  public var location: String? {
    guard let value = header("Location"), !value.isEmpty else { return nil }
    return URLReference.resolve(value, against: url)
  }

  /// Whether the status is a redirect this session can follow (301, 302, 303, 307, 308).
  public var isRedirect: Bool {
    [301, 302, 303, 307, 308].contains(status)
  }

  /// The forms of the page, actions resolved against ``url``.
  public var forms: [HTMLForm] {
    HTMLForm.forms(in: text, pageURL: url)
  }

  /// The value of the page's first `<input>` named `name`, e.g. `SAMLResponse`.
  public func inputValue(named name: String) -> String? {
    HTMLForm.inputValue(named: name, in: text)
  }

  /// The page's title, for messages about pages a client did not expect.
  public var title: String? {
    HTMLForm.title(in: text)
  }
}

/// Which redirects an ``IdentityProviderSession`` request follows.
public struct RedirectPolicy: Sendable {
  /// Whether redirects are followed at all.
  public var follows: Bool
  /// A resolved `Location` for which following stops: the redirect is returned, and its target is
  /// not fetched.
  public var stopsAt: @Sendable (String) -> Bool

  /// Creates a policy.
  ///
  /// - Parameters:
  ///   - follows: Whether redirects are followed.
  ///   - stopsAt: Where following stops; nowhere by default.
  public init(follows: Bool, stopsAt: @escaping @Sendable (String) -> Bool = { _ in false }) {
    self.follows = follows
    self.stopsAt = stopsAt
  }

  /// Follow every redirect, up to the session's limit.
  public static let follow = RedirectPolicy(follows: true)

  /// Follow none: a redirect is returned as it is (Keycloak's client works this way).
  public static let none = RedirectPolicy(follows: false)

  /// Follow redirects until one points at `redirectURI` (the OIDC redirect URI, which is usually
  /// not reachable: `app:/callback`, `http://localhost:…`): that one is returned unfetched.
  ///
  /// A location matches when it is `redirectURI` itself or continues it with `?`, `#` or `/`
  /// (ignoring case in the scheme and host).
  ///
  /// - Parameter redirectURI: The redirect URI registered with the provider.
  public static func follow(until redirectURI: String) -> RedirectPolicy {
    let prefix = Self.normalised(redirectURI)
    return RedirectPolicy(follows: true) { location in
      let candidate = Self.normalised(location)
      guard candidate.hasPrefix(prefix) else { return false }
      guard !prefix.hasSuffix("/"), let next = candidate.dropFirst(prefix.count).first else { return true }
      return next == "?" || next == "#" || next == "/"
    }
  }

  /// Scheme and authority lower-cased, the rest as written.
  private static func normalised(_ url: String) -> String {
    var parts = URLReference.Components(url)
    parts.authority = parts.authority?.lowercased()
    return parts.text
  }
}
