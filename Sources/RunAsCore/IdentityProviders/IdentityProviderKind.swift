/// One identity provider aws-runas can sign in with: its name, how it is recognised and how its
/// client is made. ``IdentityProviderRegistry/known`` lists them.
package struct IdentityProviderKind: Sendable {
  /// The name `saml_provider` / `web_identity_provider` / `-R` use, lower case (`keycloak`).
  package let name: String
  /// Host names (lower case) that are this provider without asking it: a host equal to one, or
  /// ending in `.` and one (`okta.com` matches `example.okta.com`).
  package let hostDomains: [String]
  /// Whether an answer of the provider's URL (the probe of spec §6.1: its headers and the names
  /// of the cookies it set) comes from this provider.
  package let recognises: @Sendable (IdentityProviderProbe) -> Bool
  /// Whether a URL whose answer said nothing (an OIDC issuer URL sets no cookie) has this
  /// provider's path shape: the last resort of detection.
  package let recognisesPath: @Sendable (_ path: String) -> Bool
  /// The provider's OpenID Connect endpoints for a `web_identity_auth_url`; `nil` for a provider
  /// whose endpoints come from the issuer's discovery document (``OpenIDDiscovery``).
  package let openIDEndpoints: (@Sendable (_ url: String) -> OpenIDEndpoints)?
  /// Makes the client.
  package let makeClient: @Sendable (IdentityProviderContext) -> any IdentityProviderClient

  /// Creates a kind.
  package init(
    name: String, hostDomains: [String] = [], recognises: @escaping @Sendable (IdentityProviderProbe) -> Bool,
    recognisesPath: @escaping @Sendable (_ path: String) -> Bool = { _ in false },
    openIDEndpoints: (@Sendable (_ url: String) -> OpenIDEndpoints)?,
    makeClient: @escaping @Sendable (IdentityProviderContext) -> any IdentityProviderClient
  ) {
    self.name = name
    self.hostDomains = hostDomains
    self.recognises = recognises
    self.recognisesPath = recognisesPath
    self.openIDEndpoints = openIDEndpoints
    self.makeClient = makeClient
  }
}

/// What detection learns from one request to a provider's URL: every header field of the answer
/// and of the redirects before it, and the names of the cookies they set.
package struct IdentityProviderProbe: Sendable {
  /// The header fields, redirects' first.
  package var headers: [(name: String, value: String)]
  /// The names of the cookies set.
  package var cookieNames: [String]

  /// Creates a probe.
  package init(headers: [(name: String, value: String)], cookieNames: [String]) {
    self.headers = headers
    self.cookieNames = cookieNames
  }

  /// The probe of a response and the redirects that led to it.
  package init(_ response: IdentityProviderResponse) {
    let headers = response.redirects.flatMap(\.headers) + response.headers
    self.headers = headers
    self.cookieNames = headers.compactMap { field in
      HTTPFieldName.equal(field.name, "Set-Cookie") ? SetCookie(header: field.value)?.name : nil
    }
  }

  /// Whether a header field named `name` is present.
  package func hasHeader(_ name: String) -> Bool {
    headers.contains { HTTPFieldName.equal($0.name, name) }
  }

  /// The values of the header fields named `name`.
  package func values(of name: String) -> [String] {
    headers.filter { HTTPFieldName.equal($0.name, name) }.map(\.value)
  }
}

/// Where a provider's OpenID Connect endpoints are, and the issuer its id_tokens name.
package struct OpenIDEndpoints: Sendable, Equatable {
  /// The authorization endpoint.
  package var authorization: String
  /// The token endpoint.
  package var token: String
  /// The JSON Web Key Set the id_tokens are signed with.
  package var keySet: String
  /// The `iss` of the provider's id_tokens.
  package var issuer: String

  /// Creates the endpoints.
  package init(authorization: String, token: String, keySet: String, issuer: String) {
    self.authorization = authorization
    self.token = token
    self.keySet = keySet
    self.issuer = issuer
  }

  /// `url` as an issuer URL: without its query, fragment and trailing slashes (a
  /// `web_identity_auth_url` may carry a query, e.g. OneLogin's `token=`).
  package static func issuer(from url: String) -> String {
    var issuer = URLReference.withoutFragment(url)
    if let query = issuer.firstIndex(of: "?") { issuer = String(issuer[..<query]) }
    while issuer.hasSuffix("/") { issuer.removeLast() }
    return issuer
  }
}
