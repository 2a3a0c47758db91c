import Crypto

/// One OpenID Connect authorization-code request (identity-providers.md §6.3): the PKCE verifier
/// and its S256 challenge, `state` and `nonce`, the authorization URL, and the reading of the
/// redirect that answers it.
package struct OpenIDAuthorizationRequest: Sendable {
  /// The PKCE `code_verifier`: 32 random bytes, base64url (43 characters).
  package let codeVerifier: String
  /// `state`, compared byte for byte with the redirect's.
  package let state: String
  /// `nonce`, compared with the id_token's.
  package let nonce: String

  /// A request with fresh random values.
  package init() {
    self.init(codeVerifier: Self.randomToken(), state: Self.randomToken(), nonce: Self.randomToken())
  }

  /// A request with the given values (tests).
  package init(codeVerifier: String, state: String, nonce: String) {
    self.codeVerifier = codeVerifier
    self.state = state
    self.nonce = nonce
  }

  /// `code_challenge`: base64url(SHA-256(verifier)).
  package var codeChallenge: String {
    Base64URL.encode(SHA256.hash(data: Array(codeVerifier.utf8)))
  }

  /// The authorization URL for `endpoint`.
  package func url(endpoint: String, clientID: String, redirectURI: String) -> String {
    let query = HTMLForm.urlEncoded([
      ("response_type", "code"), ("client_id", clientID), ("redirect_uri", redirectURI), ("scope", "openid"),
      ("state", state), ("nonce", nonce), ("code_challenge", codeChallenge), ("code_challenge_method", "S256"),
    ])
    return endpoint + (endpoint.contains("?") ? "&" : "?") + query
  }

  /// The authorization code the redirect `location` carries.
  ///
  /// - Throws: ``IdentityProviderError`` for an `error` answer, a `state` that is not this
  ///   request's, or no code.
  package func code(fromRedirect location: String) throws(IdentityProviderError) -> String {
    let parameters = Self.queryParameters(of: location)
    if let error = parameters["error"] {
      let detail = parameters["error_description"].map { ": \(TerminalText.excerpt($0, limit: 120))" } ?? ""
      throw IdentityProviderError(
        message: "the identity provider refused the authorization (\(TerminalText.excerpt(error, limit: 40))\(detail))")
    }
    guard parameters["state"] == state else {
      throw IdentityProviderError(
        message: "oauth state token mismatch: the identity provider's redirect does not answer this request")
    }
    guard let code = parameters["code"], !code.isEmpty else {
      throw IdentityProviderError(message: "the identity provider's redirect carries no authorization code")
    }
    return code
  }

  /// The decoded parameters of a URL's query (and of its fragment, for providers that answer there).
  static func queryParameters(of url: String) -> [String: String] {
    let parts = URLReference.Components(url)
    var parameters: [String: String] = [:]
    for text in [parts.fragment, parts.query].compactMap({ $0 }) {
      for pair in text.split(separator: "&") {
        let halves = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard let name = PercentDecoding.decode(String(halves[0]), plusIsSpace: true) else { continue }
        let value = halves.count > 1 ? PercentDecoding.decode(String(halves[1]), plusIsSpace: true) : ""
        parameters[name] = value ?? ""
      }
    }
    return parameters
  }

  private static func randomToken() -> String {
    var generator = SystemRandomNumberGenerator()
    return Base64URL.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
  }
}
