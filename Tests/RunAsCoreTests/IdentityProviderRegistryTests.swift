import Testing

@testable import RunAsCore

@Suite("Identity provider registry")
struct IdentityProviderRegistryTests {
  @Test(arguments: ["keycloak", "KeyCloak", " keycloak "])
  func anExplicitNameIsFoundInAnyCase(_ name: String) throws {
    #expect(try IdentityProviderRegistry.provider(named: name).name == "keycloak")
  }

  @Test func anUnknownNameIsAnErrorNamingTheKnownOnes() {
    let error = #expect(throws: IdentityProviderError.self) { try IdentityProviderRegistry.provider(named: "okta2") }
    #expect(error?.message == "unknown identity provider \"okta2\"")
    #expect(error?.hint == "known providers: keycloak, okta, onelogin, azuread, forgerock, browser")
  }

  @Test(arguments: ["KC_RESTART", "KEYCLOAK_IDENTITY"])
  func keycloakIsRecognisedByTheCookiesItSets(_ cookie: String) {
    let response = IdentityProviderResponse(
      url: "https://idp.example.com/x", status: 200, headers: [("Set-Cookie", "\(cookie)=v; Path=/realms/demo/")],
      body: [], redirects: [], stoppedRedirect: nil)
    #expect(IdentityProviderProbe(response).cookieNames == [cookie])
    #expect(IdentityProviderRegistry.provider(recognising: IdentityProviderProbe(response))?.name == "keycloak")
  }

  @Test func aProbeWithoutASignatureRecognisesNothing() {
    #expect(IdentityProviderRegistry.provider(recognising: .init(headers: [], cookieNames: ["JSESSIONID"])) == nil)
  }

  @Test(arguments: [
    ("/realms/demo", true), ("/auth/realms/demo/protocol/saml/clients/aws", true), ("/oauth2/realms/x", false),
    ("/realms", false),
  ])
  func keycloakPathsAreRecognisedLast(_ path: String, matches: Bool) {
    #expect(KeycloakClient.kind.recognisesPath(path) == matches)
  }

  @Test func keycloakEndpointsHangOffTheIssuer() throws {
    let keycloakEndpoints = try #require(KeycloakClient.kind.openIDEndpoints)
    let endpoints = keycloakEndpoints("https://sso.example.com/auth/realms/corp/")
    #expect(endpoints.issuer == "https://sso.example.com/auth/realms/corp")
    #expect(endpoints.authorization == "https://sso.example.com/auth/realms/corp/protocol/openid-connect/auth")
    #expect(endpoints.token == "https://sso.example.com/auth/realms/corp/protocol/openid-connect/token")
    #expect(endpoints.keySet == "https://sso.example.com/auth/realms/corp/protocol/openid-connect/certs")
  }
}
