import Testing

@testable import RunAsCore

@Suite("Entra ID detection and URLs")
struct EntraIDDetectionTests {
  /// Every documented URL shape (identity-providers.md §5, behaviour spec §6.1), and near misses.
  @Test(
    arguments: [
      ("https://myapps.microsoft.com/signin/AWS/9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d?tenantId=6f1c2d3e", "azuread"),
      ("https://myapplications.microsoft.com/signin/AWS/9a8b7c6d?tenantId=6f1c2d3e", "azuread"),
      ("https://launcher.myapps.microsoft.com/api/signin/9a8b7c6d?tenantId=6f1c2d3e", "azuread"),
      ("https://MYAPPS.MICROSOFT.COM/signin/AWS/9a8b7c6d?tenantId=6f1c2d3e", "azuread"),
      ("https://login.microsoftonline.com/6f1c2d3e/oauth2/v2.0/authorize", "azuread"),
      ("https://login.microsoftonline.com/6f1c2d3e/v2.0", "azuread"),
      ("https://login.microsoftonline.com/contoso.onmicrosoft.com/saml2?SAMLRequest=x", "azuread"),
      ("https://login.microsoftonline.com/common/oauth2/authorize?client_id=x", "azuread"),
      ("https://login.microsoftonline.us/6f1c2d3e/v2.0", "azuread"),
      ("https://sts.windows.net/6f1c2d3e/", "azuread"),
      ("https://microsoft.com/signin/AWS/9a8b7c6d", "azuread"),
      ("https://notmicrosoft.com/signin/AWS/9a8b7c6d", nil),
      ("https://myapps.microsoft.com.evil.example/signin/AWS/9a8b7c6d", nil),
      ("https://login.microsoftonline.com.evil.example/6f1c2d3e/v2.0", nil),
      ("https://blob.core.windows.net/container", nil),
      ("http://127.0.0.1:8080/signin/AWS/9a8b7c6d?tenantId=6f1c2d3e", nil),
    ] as [(String, String?)])
  func entraIsRecognisedByItsHostsAlone(_ url: String, provider: String?) {
    #expect(IdentityProviderRegistry.provider(forHostOf: url)?.name == provider)
  }

  @Test(arguments: ["azuread", "AzureAD", " AZUREAD "])
  func anExplicitAzureADIsFoundInAnyCase(_ name: String) throws {
    #expect(try IdentityProviderRegistry.provider(named: name).name == "azuread")
  }

  @Test func anAnswerWithMicrosoftsRequestIdHeaderIsEntra() {
    let response = IdentityProviderResponse(
      url: "http://127.0.0.1:1/tenant/v2.0", status: 404, headers: [("X-MS-Request-Id", "0b3c…")], body: [],
      redirects: [], stoppedRedirect: nil)
    #expect(IdentityProviderRegistry.provider(recognising: IdentityProviderProbe(response))?.name == "azuread")
  }

  @Test func theHeaderOfARedirectOnTheWayCounts() {
    let hop = IdentityProviderResponse.RedirectHop(
      method: "GET", url: "http://127.0.0.1:1/signin/AWS/x", status: 302, location: "http://127.0.0.1:2/page",
      headers: [("x-ms-request-id", "1")])
    let response = IdentityProviderResponse(
      url: "http://127.0.0.1:2/page", status: 200, headers: [], body: [], redirects: [hop], stoppedRedirect: nil)
    #expect(IdentityProviderRegistry.provider(recognising: IdentityProviderProbe(response))?.name == "azuread")
  }

  @Test(arguments: ["ESTSAUTH", "ESTSAUTHPERSISTENT", "esctx", "x-ms-gateway-slice", "stsservicecookie"])
  func entrasCookiesNameItWithoutARequest(_ cookie: String) {
    let url = "http://127.0.0.1:1/signin/AWS/x?tenantId=t"
    #expect(IdentityProviderRegistry.provider(withoutAsking: url, cookieNames: ["buid", cookie])?.name == "azuread")
  }

  @Test(arguments: [
    ("/signin/AWS/9a8b7c6d", true), ("/api/signin/9a8b7c6d", true), ("/6f1c2d3e/oauth2/v2.0/authorize", true),
    ("/6f1c2d3e/v2.0", true), ("/common/saml2", true), ("/6f1c2d3e/discovery/v2.0/keys", true),
    ("/oauth2/default", false), ("/realms/demo", false), ("/signin", false), ("/6f1c2d3e/oauth2", false),
    ("/home/amazon_aws/0oa/272", false),
  ])
  func entrasPathsAreRecognisedLast(_ path: String, matches: Bool) {
    #expect(EntraIDClient.kind.recognisesPath(path) == matches)
  }

  @Test(arguments: [
    ("https://login.microsoftonline.com/6f1c2d3e/v2.0", "https://login.microsoftonline.com/6f1c2d3e"),
    ("https://login.microsoftonline.com/6f1c2d3e/v2.0/", "https://login.microsoftonline.com/6f1c2d3e"),
    (
      "https://login.microsoftonline.com/6f1c2d3e/oauth2/v2.0/authorize?client_id=x",
      "https://login.microsoftonline.com/6f1c2d3e"
    ),
    ("https://myapps.microsoft.com/signin/AWS/9a8b?tenantId=6f1c2d3e", "https://login.microsoftonline.com/6f1c2d3e"),
    (
      "https://launcher.myapps.microsoft.com/api/signin/9a8b?tenantId=6f1c2d3e#x",
      "https://login.microsoftonline.com/6f1c2d3e"
    ),
    ("https://login.microsoftonline.us/6f1c2d3e/v2.0", "https://login.microsoftonline.us/6f1c2d3e"),
    ("http://127.0.0.1:8080/6f1c2d3e/v2.0", "http://127.0.0.1:8080/6f1c2d3e"),
    ("https://login.microsoftonline.com", "https://login.microsoftonline.com/common"),
  ])
  func oidcEndpointsAreTheTenantsV2Ones(_ url: String, base: String) throws {
    let entraEndpoints = try #require(EntraIDClient.kind.openIDEndpoints)
    let endpoints = entraEndpoints(url)
    #expect(endpoints.issuer == base + "/v2.0")
    #expect(endpoints.authorization == base + "/oauth2/v2.0/authorize")
    #expect(endpoints.token == base + "/oauth2/v2.0/token")
    #expect(endpoints.keySet == base + "/discovery/v2.0/keys")
  }
}
