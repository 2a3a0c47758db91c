import Testing

@testable import RunAsCore

@Suite("OneLogin detection and URLs")
struct OneLoginDetectionTests {
  /// base64 of `client:secret`.
  static let token = "Y2xpZW50OnNlY3JldA=="

  /// Every URL shape the Go tool's documentation and OneLogin's give: the app launch link (with
  /// `app_id=` or without), the OIDC issuer, the regional API hosts; and look-alikes that are not.
  @Test(
    arguments: [
      ("https://corp.onelogin.com/trust/saml2/launch/424242?token=\(token)", "onelogin"),
      ("https://corp.onelogin.com/trust/saml2/launch/424242?token=\(token)&app_id=424242", "onelogin"),
      ("https://CORP.ONELOGIN.COM/trust/saml2/launch/424242", "onelogin"),
      ("https://corp.onelogin.com/oidc/2?token=\(token)", "onelogin"),
      ("https://corp.onelogin.com/oidc/2/", "onelogin"),
      ("https://corp.onelogin.com", "onelogin"),
      ("https://api.us.onelogin.com/api/2/saml_assertion", "onelogin"),
      ("https://api.eu.onelogin.com/auth/oauth2/v2/token", "onelogin"),
      ("https://onelogin.com/trust/saml2/launch/1", "onelogin"),
      ("https://notonelogin.com/trust/saml2/launch/1", nil),
      ("https://corp.onelogin.com.evil.example/trust/saml2/launch/1", nil),
      ("http://127.0.0.1:8080/trust/saml2/launch/424242", nil),
    ] as [(String, String?)])
  func oneLoginIsRecognisedByItsHostsAlone(_ url: String, provider: String?) {
    #expect(IdentityProviderRegistry.provider(forHostOf: url)?.name == provider)
  }

  /// On a host of its own (a test emulator, a proxy), the path shapes still say OneLogin, without
  /// a request; other providers' shapes do not.
  @Test(
    arguments: [
      ("http://127.0.0.1:8080/trust/saml2/launch/424242?token=\(token)", "onelogin"),
      ("https://sso.example.com/trust/saml2/launch/424242", "onelogin"),
      ("https://sso.example.com/oidc/2", "onelogin"),
      ("https://sso.example.com/oidc/2?token=\(token)", "onelogin"),
      ("https://sso.example.com/trust/saml2/launch", nil),
      ("https://sso.example.com/trust/saml2/http-post/sso/424242", nil),
      ("https://sso.example.com/oidc/1", nil),
      ("https://sso.example.com/realms/corp", "keycloak"),
    ] as [(String, String?)])
  func oneLoginsPathShapesNeedNoRequest(_ url: String, provider: String?) {
    #expect(IdentityProviderRegistry.provider(withoutAsking: url, cookieNames: [])?.name == provider)
  }

  @Test(arguments: ["onelogin", "ONELOGIN", " OneLogin "])
  func anExplicitOneLoginIsFoundInAnyCase(_ name: String) throws {
    #expect(try IdentityProviderRegistry.provider(named: name).name == "onelogin")
  }

  /// Spec §6.1: a cookie whose name contains `_onelogin.com`, set on the answer or on a redirect
  /// before it.
  @Test(arguments: ["sub_session_onelogin.com", "SUB_SESSION_ONELOGIN.COM", "ol_session_onelogin.com_user"])
  func anAnswerSettingAOneLoginCookieIsOneLogin(_ cookie: String) {
    let hop = IdentityProviderResponse.RedirectHop(
      method: "HEAD", url: "http://127.0.0.1:1/x", status: 302, location: "http://127.0.0.1:1/login",
      headers: [("Set-Cookie", "\(cookie)=abc; Path=/; HttpOnly")])
    let response = IdentityProviderResponse(
      url: "http://127.0.0.1:1/login", status: 200, headers: [], body: [], redirects: [hop], stoppedRedirect: nil)
    #expect(IdentityProviderRegistry.provider(recognising: IdentityProviderProbe(response))?.name == "onelogin")
  }

  @Test func aCookieNamedOnlyOneloginIsNotEnough() {
    let probe = IdentityProviderProbe(headers: [], cookieNames: ["onelogin", "session"])
    #expect(IdentityProviderRegistry.provider(recognising: probe) == nil)
  }

  @Test(arguments: [
    ("https://corp.onelogin.com/oidc/2?token=\(token)", "https://corp.onelogin.com/oidc/2"),
    ("https://corp.onelogin.com/oidc/2/", "https://corp.onelogin.com/oidc/2"),
    ("https://corp.onelogin.com", "https://corp.onelogin.com/oidc/2"),
    ("http://127.0.0.1:8080/oidc/2?token=\(token)#x", "http://127.0.0.1:8080/oidc/2"),
  ])
  func oidcEndpointsHangOffTheIssuerWithoutTheCredentials(_ url: String, issuer: String) throws {
    let oneLoginEndpoints = try #require(OneLoginClient.kind.openIDEndpoints)
    let endpoints = oneLoginEndpoints(url)
    #expect(endpoints.issuer == issuer)
    #expect(endpoints.authorization == issuer + "/auth")
    #expect(endpoints.token == issuer + "/token")
    #expect(endpoints.keySet == issuer + "/certs")
  }

  @Test(
    arguments: [
      // The app id from app_id=, else from the launch link; the API on the region's host.
      (
        "https://corp.onelogin.com/trust/saml2/launch/111?token=\(token)&app_id=222", "222", "corp",
        "https://api.us.onelogin.com"
      ),
      ("https://corp.onelogin.com/trust/saml2/launch/111?token=\(token)", "111", "corp", "https://api.us.onelogin.com"),
      (
        "https://corp.onelogin.com/trust/saml2/launch/111?token=\(token)&region=EU", "111", "corp",
        "https://api.eu.onelogin.com"
      ),
      // Elsewhere (the Go tool's tests, an emulator) the API is the URL's own host.
      ("http://127.0.0.1:9000/oidc/2?token=\(token)", nil, "127", "http://127.0.0.1:9000"),
    ] as [(String, String?, String, String)])
  func theURLNamesTheAppTheSubdomainAndTheAPIHost(_ url: String, app: String?, subdomain: String, api: String) throws {
    let account = try OneLoginClient.Account(url: url)
    #expect(account.clientID == "client")
    #expect(account.clientSecret == "secret")
    #expect(account.appID == app)
    #expect(account.subdomain == subdomain)
    #expect(account.apiBase == api)
  }

  /// The Go tool's own tests write the token in URL-safe base64; a `+` written raw in the query
  /// reads as a space and still counts.
  @Test(arguments: [
    ("Y2xpZW50OnNlY3JldA", "client", "secret"), ("Y2E+PzpzYT4/", "ca>?", "sa>?"), ("Y2E-PzpzYT4_", "ca>?", "sa>?"),
    ("Y2E PzpzYT4/", "ca>?", "sa>?"),
  ])
  func theTokenIsBase64InEitherAlphabet(_ token: String, id: String, secret: String) throws {
    let pair = try #require(OneLoginClient.Account.decodedCredentials(token))
    #expect(pair.0 == id && pair.1 == secret)
  }

  @Test(arguments: [
    ("https://corp.onelogin.com/trust/saml2/launch/1", "has no token= parameter"),
    ("https://corp.onelogin.com/trust/saml2/launch/1?token=", "has no token= parameter"),
    ("https://corp.onelogin.com/trust/saml2/launch/1?token=bm9jb2xvbg", "is not the base64 of client_id:client_secret"),
    ("https://corp.onelogin.com/trust/saml2/launch/1?token=!!!", "is not the base64 of client_id:client_secret"),
    ("https://corp.onelogin.com/x?token=\(token)&region=us/../x", "is not a OneLogin region"),
  ])
  func aURLWithoutUsableCredentialsIsOneClearErrorWithoutTheQuery(_ url: String, message: String) {
    #expect {
      _ = try OneLoginClient.Account(url: url)
    } throws: { error in
      let text = (error as? IdentityProviderError)?.message ?? ""
      return text.contains(message) && !text.contains("bm9jb2xvbg") && !text.contains(Self.token)
    }
  }
}
