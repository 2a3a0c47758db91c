#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// An OpenID Connect sign-in (spec §6.2): the provider's client follows the authorization URL to
/// the redirect URI, the code is exchanged with the PKCE verifier, and the id_token is checked
/// against the provider's JWKS, issuer, client ID, expiry and the nonce sent.
package struct OpenIDConnectSignIn: Sendable {
  /// The provider's endpoints.
  package var endpoints: OpenIDEndpoints
  /// `web_identity_client_id`.
  package var clientID: String
  /// `web_identity_redirect_uri`.
  package var redirectURI: String
  /// The provider's client, for the authorization step.
  package var client: any IdentityProviderClient
  /// The HTTP session (token and key set requests).
  package var session: IdentityProviderSession
  /// The clock.
  package var now: @Sendable () -> Date

  /// Creates the sign-in.
  package init(
    endpoints: OpenIDEndpoints, clientID: String, redirectURI: String, client: any IdentityProviderClient,
    session: IdentityProviderSession, now: @escaping @Sendable () -> Date
  ) {
    self.endpoints = endpoints
    self.clientID = clientID
    self.redirectURI = redirectURI
    self.client = client
    self.session = session
    self.now = now
  }

  /// Signs in and returns the checked id_token.
  ///
  /// - Throws: ``IdentityProviderError``, ``IdentityProviderRequestError``, what the prompts throw.
  package func idToken() async throws -> JSONWebToken {
    let request = OpenIDAuthorizationRequest()
    let location = try await client.authorizationRedirect(
      from: request.url(endpoint: endpoints.authorization, clientID: clientID, redirectURI: redirectURI),
      to: redirectURI)
    let code = try request.code(fromRedirect: location)
    let tokenURL = URLReference.redacted(endpoints.token)
    let answer = try await session.post(
      endpoints.token,
      form: [
        ("client_id", clientID), ("code", code), ("code_verifier", request.codeVerifier),
        ("grant_type", "authorization_code"), ("redirect_uri", redirectURI),
      ], headers: [("Accept", "application/json")], redirects: .none)
    let document = try? JSONValue.parse(answer.body)
    guard answer.status == 200 else {
      let error = document?["error"]?.stringValue.map { TerminalText.excerpt($0, limit: 40) } ?? "HTTP \(answer.status)"
      let detail = document?["error_description"]?.stringValue.map { ": \(TerminalText.excerpt($0, limit: 120))" }
      throw IdentityProviderError(
        message: "the token endpoint \(tokenURL) refused the authorization code (\(error)\(detail ?? ""))")
    }
    guard let raw = document?["id_token"]?.stringValue, !raw.isEmpty else {
      throw IdentityProviderError(message: "the token endpoint \(tokenURL) returned no id_token")
    }
    let token = try JSONWebToken(raw)
    let keysAnswer = try await session.get(endpoints.keySet, headers: [("Accept", "application/json")])
    guard keysAnswer.status == 200 else {
      throw IdentityProviderError(
        message:
          "cannot read the provider's keys at \(URLReference.redacted(endpoints.keySet)): HTTP \(keysAnswer.status)")
    }
    let keys = try JSONWebKeySet(json: keysAnswer.body, source: URLReference.redacted(endpoints.keySet))
    try token.verify(keys: keys, issuer: endpoints.issuer, clientID: clientID, nonce: request.nonce, now: now())
    return token
  }
}
