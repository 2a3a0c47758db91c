/// OpenID Connect discovery (OpenID Connect Discovery 1.0 §4): the endpoints of an issuer, read
/// from `{issuer}/.well-known/openid-configuration`, for providers whose URLs aws-runas does not
/// know in advance (the browser provider signs in with any IdP).
package enum OpenIDDiscovery {
  /// The endpoints `issuer` publishes.
  ///
  /// - Throws: ``IdentityProviderError`` when the document is missing, not JSON, lacks an
  ///   endpoint or names another issuer; ``IdentityProviderRequestError`` when it cannot be read.
  package static func endpoints(issuer url: String, session: IdentityProviderSession) async throws -> OpenIDEndpoints {
    let issuer = OpenIDEndpoints.issuer(from: url)
    let address = issuer + "/.well-known/openid-configuration"
    let place = URLReference.redacted(address)
    let answer = try await session.get(address, headers: [("Accept", "application/json")])
    guard answer.status == 200 else {
      throw IdentityProviderError(
        message: "cannot read the OpenID configuration at \(place): HTTP \(answer.status)",
        hint: "web_identity_auth_url must be the provider's issuer URL")
    }
    let document = try? JSONValue.parse(answer.body)
    func endpoint(_ name: String) throws(IdentityProviderError) -> String {
      guard let value = document?[name]?.stringValue, !value.isEmpty else {
        throw IdentityProviderError(message: "the OpenID configuration at \(place) has no \(name)")
      }
      return value
    }
    let published = try endpoint("issuer")
    guard published == issuer || published == url else {
      throw IdentityProviderError(
        message:
          "the OpenID configuration at \(place) is for issuer \(TerminalText.excerpt(published, limit: 120)), not \(URLReference.redacted(issuer))"
      )
    }
    return OpenIDEndpoints(
      authorization: try endpoint("authorization_endpoint"), token: try endpoint("token_endpoint"),
      keySet: try endpoint("jwks_uri"), issuer: published)
  }
}
