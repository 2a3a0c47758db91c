import Testing

@testable import RunAsCore

@Suite("ForgeRock detection and URLs")
struct ForgeRockDetectionTests {
  /// Every documented shape of a ForgeRock URL, on a host that says nothing: the provider is told
  /// by the path alone, and the URL says where the deployment, the realm and the endpoints are.
  struct Shape: Sendable, CustomTestStringConvertible {
    var url: String
    var base: String
    var realm: [String]
    var samlURL: String
    var issuer: String
    var authenticateQuery = ""

    var testDescription: String { url }
  }

  static let idp = "https://idp.example.com"
  static let alphaSAML = "\(idp)/am/idpssoinit?metaAlias=/alpha/saml-idp&spEntityID=urn:amazon:webservices"
  static let alphaIssuer = "\(idp)/am/oauth2/realms/root/realms/alpha"

  static let shapes: [Shape] = [
    // aws-runas's documented forms: {base}/json/realms/{realm} (SAML), {base}/oauth2/realms/{realm} (OIDC).
    Shape(
      url: "\(idp)/openam/json/realms/alpha", base: "\(idp)/openam", realm: ["alpha"],
      samlURL: "\(idp)/openam/idpssoinit?metaAlias=/alpha/saml-idp&spEntityID=urn:amazon:webservices",
      issuer: "\(idp)/openam/oauth2/realms/root/realms/alpha"),
    Shape(
      url: "\(idp)/openam/oauth2/realms/alpha", base: "\(idp)/openam", realm: ["alpha"],
      samlURL: "\(idp)/openam/idpssoinit?metaAlias=/alpha/saml-idp&spEntityID=urn:amazon:webservices",
      issuer: "\(idp)/openam/oauth2/realms/alpha"),
    // AM's full realm paths, from the top realm.
    Shape(
      url: "\(idp)/am/json/realms/root/realms/alpha", base: "\(idp)/am", realm: ["alpha"], samlURL: alphaSAML,
      issuer: alphaIssuer),
    Shape(
      url: "\(idp)/am/json/realms/root/realms/alpha/authenticate?authIndexType=service&authIndexValue=Login",
      base: "\(idp)/am", realm: ["alpha"], samlURL: alphaSAML, issuer: alphaIssuer,
      authenticateQuery: "?authIndexType=service&authIndexValue=Login"),
    Shape(
      url: "\(idp)/am/json/realms/root/realms/alpha/realms/emea/", base: "\(idp)/am", realm: ["alpha", "emea"],
      samlURL: "\(idp)/am/idpssoinit?metaAlias=/alpha/emea/saml-idp&spEntityID=urn:amazon:webservices",
      issuer: "\(idp)/am/oauth2/realms/root/realms/alpha/realms/emea"),
    Shape(
      url: "\(idp)/am/json/realms/root", base: "\(idp)/am", realm: [],
      samlURL: "\(idp)/am/idpssoinit?metaAlias=/saml-idp&spEntityID=urn:amazon:webservices", issuer: "\(idp)/am/oauth2"),
    Shape(url: alphaIssuer + "/", base: "\(idp)/am", realm: ["alpha"], samlURL: alphaSAML, issuer: alphaIssuer),
    Shape(
      url: "\(idp)/am/oauth2", base: "\(idp)/am", realm: [],
      samlURL: "\(idp)/am/idpssoinit?metaAlias=/saml-idp&spEntityID=urn:amazon:webservices", issuer: "\(idp)/am/oauth2"),
    // IdP-initiated SAML URLs are used as they are; the realm comes from the metaAlias.
    Shape(url: alphaSAML + "#x", base: "\(idp)/am", realm: ["alpha"], samlURL: alphaSAML, issuer: alphaIssuer),
    Shape(
      url: "\(idp)/am/saml2/jsp/idpSSOInit.jsp?metaAlias=/alpha/aws&spEntityID=urn:amazon:webservices",
      base: "\(idp)/am", realm: ["alpha"],
      samlURL: "\(idp)/am/saml2/jsp/idpSSOInit.jsp?metaAlias=/alpha/aws&spEntityID=urn:amazon:webservices",
      issuer: alphaIssuer),
    Shape(
      url: "\(idp)/openam/SSOPOST/metaAlias/alpha/aws-idp", base: "\(idp)/openam", realm: ["alpha"],
      samlURL: "\(idp)/openam/idpssoinit?metaAlias=/alpha/aws-idp&spEntityID=urn:amazon:webservices",
      issuer: "\(idp)/openam/oauth2/realms/root/realms/alpha"),
    Shape(
      url: "\(idp)/am/WSFederationServlet/metaAlias/alpha/wsfed", base: "\(idp)/am", realm: ["alpha"],
      samlURL: "\(idp)/am/idpssoinit?metaAlias=/alpha/wsfed&spEntityID=urn:amazon:webservices", issuer: alphaIssuer),
    // The login UI's address, as a browser shows it.
    Shape(
      url: "\(idp)/am/XUI/?realm=/alpha#login/", base: "\(idp)/am", realm: ["alpha"], samlURL: alphaSAML,
      issuer: alphaIssuer),
  ]

  @Test(arguments: shapes)
  func everyDocumentedURLShapeIsForgeRockAndNamesItsDeployment(_ shape: Shape) {
    #expect(IdentityProviderRegistry.provider(withoutAsking: shape.url, cookieNames: [])?.name == "forgerock")
    let deployment = ForgeRockClient.Deployment(url: shape.url)
    #expect(deployment.base == shape.base)
    #expect(deployment.realm == shape.realm)
    #expect(deployment.samlURL == shape.samlURL)
    #expect(deployment.issuer == shape.issuer)
    let realmPath = shape.realm.map { "/realms/\($0)" }.joined()
    #expect(
      deployment.authenticateURL == "\(shape.base)/json/realms/root\(realmPath)/authenticate\(shape.authenticateQuery)")
  }

  @Test(
    arguments: [
      ("https://openam-corp.forgeblocks.com/am/json/realms/root/realms/alpha", "forgerock"),
      ("https://OPENAM-CORP.FORGEBLOCKS.COM/am/oauth2/realms/root/realms/bravo", "forgerock"),
      ("https://corp.id.forgerock.io/am/json/realms/root/realms/alpha", "forgerock"),
      ("https://forgeblocks.com/", "forgerock"),
      ("https://notforgeblocks.com/sso/login", nil),
      ("https://corp.forgeblocks.com.evil.example/sso/login", nil),
      ("http://127.0.0.1:8080/am/json/realms/root/realms/alpha", nil),
    ] as [(String, String?)])
  func identityCloudIsRecognisedByItsHostsAlone(_ url: String, provider: String?) {
    #expect(IdentityProviderRegistry.provider(forHostOf: url)?.name == provider)
  }

  @Test(
    arguments: [
      ([("Access-Control-Allow-Headers", "X-OpenAM-Username, X-OpenAM-Password, Content-Type")], [], true),
      ([("access-control-allow-headers", "accept-api-version, x-openam-password")], [], true),
      ([("Access-Control-Allow-Headers", "MFA-FR-Token")], [], true),
      ([("X-ForgeRock-TransactionId", "7a5e-1")], [], true),
      ([], ["amlbcookie"], true),
      ([], ["iPlanetDirectoryPro"], true),
      ([("Access-Control-Allow-Headers", "Content-Type, Authorization")], ["JSESSIONID"], false),
    ] as [([(String, String)], [String], Bool)])
  func amIsRecognisedByItsHeadersAndCookies(_ headers: [(String, String)], cookies: [String], recognised: Bool) {
    let probe = IdentityProviderProbe(headers: headers.map { (name: $0.0, value: $0.1) }, cookieNames: cookies)
    #expect((IdentityProviderRegistry.provider(recognising: probe)?.name == "forgerock") == recognised)
  }

  @Test func aProbeOfAnAnswerSettingAMsCookieIsForgeRock() {
    let response = IdentityProviderResponse(
      url: "https://idp.example.com/sso", status: 200,
      headers: [("Set-Cookie", "amlbcookie=01; Path=/; HttpOnly")], body: [], redirects: [], stoppedRedirect: nil)
    #expect(IdentityProviderRegistry.provider(recognising: IdentityProviderProbe(response))?.name == "forgerock")
  }

  @Test(
    arguments: [
      ("https://sso.example.com/realms/demo", "keycloak"),
      ("https://sso.example.com/auth/realms/demo/protocol/saml/clients/aws", "keycloak"),
      ("https://idp.example.com/saml/login", nil),
      ("https://idp.example.com/amazon/json", nil),
    ] as [(String, String?)])
  func otherPathsAreNotForgeRocks(_ url: String, provider: String?) {
    #expect(IdentityProviderRegistry.provider(withoutAsking: url, cookieNames: [])?.name == provider)
  }

  @Test func oidcEndpointsHangOffTheIssuer() throws {
    let forgeRockEndpoints = try #require(ForgeRockClient.kind.openIDEndpoints)
    let endpoints = forgeRockEndpoints(Self.alphaIssuer)
    #expect(endpoints.issuer == Self.alphaIssuer)
    #expect(endpoints.authorization == Self.alphaIssuer + "/authorize")
    #expect(endpoints.token == Self.alphaIssuer + "/access_token")
    #expect(endpoints.keySet == Self.alphaIssuer + "/connect/jwk_uri")
  }

  @Test(arguments: [
    ("https://idp.example.com/am/XUI/?realm=%2Falpha&goto=x", true),
    ("https://idp.example.com/am/UI/Login?realm=alpha", true),
    ("https://other.example.com/am/XUI/", false),
    ("app:/callback?code=1", false),
  ])
  func aRedirectToTheLoginUIMeansSignIn(_ location: String, isLogin: Bool) {
    #expect(ForgeRockClient.Deployment(url: Self.alphaIssuer).isLoginPage(location) == isLogin)
  }

  @Test(arguments: [
    ("Enter verification code", true), ("One Time Password", true), ("User Name", false), ("Password", false),
  ])
  func aNameOrPasswordPromptAskingForACodeGetsTheCode(_ prompt: String, isCode: Bool) {
    #expect(ForgeRockClient.asksForCode(prompt) == isCode)
  }

  @Test(
    arguments: [
      ("ForgeRock Authenticator (Push)", ForgeRockClient.Factor.push),
      ("ForgeRock Authenticator (OATH)", .code), ("Authenticator app code", .code), ("Use Recovery Code", nil),
      ("Email me a link", nil),
    ] as [(String, ForgeRockClient.Factor?)])
  func choicesNameTheirFactor(_ choice: String, factor: ForgeRockClient.Factor?) {
    #expect(ForgeRockClient.Factor(choice: choice) == factor)
  }

  @Test(arguments: [
    ("\"8000\"", 8000), ("250", 250), ("\"50\"", 200), ("600000", 10000), ("\"soon\"", 1250),
  ])
  func aPushStepIsPostedBackAfterItsWaitTimeBounded(_ waitTime: String, milliseconds: Int) throws {
    let step = try JSONValue.parse(
      #"{"callbacks": [{"type": "PollingWaitCallback", "output": [{"name": "waitTime", "value": \#(waitTime)}]}]}"#)
    #expect(ForgeRockClient.pollDelay(of: step) == .milliseconds(milliseconds))
  }
}
