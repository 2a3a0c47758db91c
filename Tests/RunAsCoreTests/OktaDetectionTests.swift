import Testing

@testable import RunAsCore

@Suite("Okta detection and URLs")
struct OktaDetectionTests {
  @Test(
    arguments: [
      ("https://example.okta.com/home/amazon_aws/0oa1abc/272", "okta"),
      ("https://EXAMPLE.OKTA.COM/app/amazon_aws/exk1abc/sso/saml", "okta"),
      ("https://dev-123.oktapreview.com/home/amazon_aws/0oa1abc/272", "okta"),
      ("https://corp.okta-emea.com/oauth2/default", "okta"),
      ("https://okta.com/home/amazon_aws/0oa1abc/272", "okta"),
      ("https://notokta.com/home/amazon_aws/0oa1abc/272", nil),
      ("https://example.okta.com.evil.example/home/amazon_aws/0oa1abc/272", nil),
      ("http://127.0.0.1:8080/home/amazon_aws/0oa1abc/272", nil),
    ] as [(String, String?)])
  func oktaIsRecognisedByItsHostsAlone(_ url: String, provider: String?) {
    #expect(IdentityProviderRegistry.provider(forHostOf: url)?.name == provider)
  }

  @Test(arguments: ["okta", "OKTA", " Okta "])
  func anExplicitOktaIsFoundInAnyCase(_ name: String) throws {
    #expect(try IdentityProviderRegistry.provider(named: name).name == "okta")
  }

  @Test func anAnswerWithOktasRequestIdHeaderIsOkta() {
    let response = IdentityProviderResponse(
      url: "http://127.0.0.1:1/home/amazon_aws/x/272", status: 302,
      headers: [("x-okta-request-id", "XyZ"), ("Location", "/login/login.htm")], body: [], redirects: [],
      stoppedRedirect: nil)
    #expect(IdentityProviderRegistry.provider(recognising: IdentityProviderProbe(response))?.name == "okta")
  }

  @Test(arguments: [
    (
      "https://example.okta.com/oauth2/default", "https://example.okta.com/oauth2/default",
      "https://example.okta.com/oauth2/default/v1/"
    ),
    ("https://example.okta.com/", "https://example.okta.com", "https://example.okta.com/oauth2/v1/"),
  ])
  func oidcEndpointsHangOffTheAuthorizationServer(_ url: String, issuer: String, base: String) throws {
    let oktaEndpoints = try #require(OktaClient.kind.openIDEndpoints)
    let endpoints = oktaEndpoints(url)
    #expect(endpoints.issuer == issuer)
    #expect(endpoints.authorization == base + "authorize")
    #expect(endpoints.token == base + "token")
    #expect(endpoints.keySet == base + "keys")
  }

  @Test(arguments: [
    ("https://o.okta.com/home/amazon_aws/0oa/272", "https://o.okta.com/home/amazon_aws/0oa/272?sessionToken=a%2Bb"),
    (
      "https://o.okta.com/home/amazon_aws/0oa/272?fromHome=true#x",
      "https://o.okta.com/home/amazon_aws/0oa/272?fromHome=true&sessionToken=a%2Bb"
    ),
  ])
  func theSessionTokenJoinsTheQuery(_ url: String, expected: String) {
    #expect(OktaClient.adding(sessionToken: "a+b", to: url) == expected)
  }
}
