import Testing

@testable import RunAsCore

@Suite("Entra ID pages: $Config and where scripts go")
struct EntraIDPageTests {
  private static let signInPage = """
    <!DOCTYPE html><html><head><title>Sign in to your account</title>
    <script type="text/javascript">//<![CDATA[
    $Config={"pgid":"ConvergedSignIn","hpgid":1104,"hpgact":1800,"sCtx":"rQQIARAA","sFT":"AQAB+/=","sFTName":"flowToken",\
    "canary":"c1","apiCanary":"a1","urlPost":"/tenant/login","urlGetCredentialType":\
    "https://login.microsoftonline.com/common/GetCredentialType?mkt=en-US\\u0026x=1","sErrorCode":50126,\
    "sErrTxt":"Your account or password is incorrect.","sInlineScript":"function(){return 1};","oEmpty":{}};
    //]]></script></head><body></body></html>
    """

  @Test func theConfigIsReadAsJSONPastTheScriptsInsideIt() throws {
    let page = try #require(EntraIDPage(html: Self.signInPage))
    #expect(page.pageID == "ConvergedSignIn")
    #expect(page.isSignInForm)
    #expect(page.context == "rQQIARAA")
    #expect(page.flowToken == "AQAB+/=")
    #expect(page.flowTokenName == "flowToken")
    #expect(page.canary == "c1" && page.apiCanary == "a1")
    #expect(page.postURL == "/tenant/login")
    #expect(page.credentialTypeURL == "https://login.microsoftonline.com/common/GetCredentialType?mkt=en-US&x=1")
    // A number where Microsoft has also written strings.
    #expect(page.errorCode == "50126")
    #expect(page.telemetry.pageID == "1104" && page.telemetry.action == "1800")
    #expect(page.errorText == "Your account or password is incorrect.")
  }

  @Test(arguments: [
    "<html><body>no config here</body></html>",
    "<script>$Config=</script>",
    "<script>$Config={\"pgid\":\"ConvergedSignIn\",</script>",
    "<script>$Config=[1,2];</script>",
    "<script>var x = \"$Config\";</script>",
  ])
  func aPageWithoutAWholeConfigObjectHasNone(_ html: String) {
    #expect(EntraIDPage(html: html) == nil)
  }

  @Test func theFirstConfigThatParsesWins() throws {
    let html = "<script>$Config = {broken};</script><script>$Config = {\"pgid\":\"KmsiInterrupt\"};</script>"
    let page = try #require(EntraIDPage(html: html))
    #expect(page.isStaySignedIn)
    #expect(page.errorCode == nil)
  }

  @Test func staySignedInIsKnownByItsFormAsWellAsItsPageID() {
    #expect(EntraIDPage(config: .object(["urlPost": .string("/kmsi")])).isStaySignedIn)
    #expect(
      EntraIDPage(config: .object(["urlPost": .string("https://login.microsoftonline.com/kmsi?x=1")])).isStaySignedIn)
    #expect(!EntraIDPage(config: .object(["urlPost": .string("/common/login")])).isStaySignedIn)
  }

  @Test func theMFAPageListsTheUsersMethodsAndPollingSettings() throws {
    let page = EntraIDPage(
      config: try JSONValue.parse(
        """
        {"pgid":"ConvergedTFA","arrUserProofs":[
          {"authMethodId":"PhoneAppNotification","data":"PhoneAppNotification","display":"+X XXXXXXXX12",
           "isDefault":true,"isLocationAware":false},
          {"authMethodId":"OneWaySMS","display":"+X XXXXXXXX12","isDefault":false},
          {"display":"no method id"}],
         "oPerAuthPollingInterval":{"PhoneAppNotification":1.5},"iMaxPollAttempts":20,
         "urlBeginAuth":"/common/SAS/BeginAuth","urlEndAuth":"/common/SAS/EndAuth"}
        """))
    #expect(
      page.proofs == [
        .init(authMethodID: "PhoneAppNotification", display: "+X XXXXXXXX12", isDefault: true),
        .init(authMethodID: "OneWaySMS", display: "+X XXXXXXXX12", isDefault: false),
      ])
    #expect(page.pollInterval(for: "PhoneAppNotification") == 1.5)
    #expect(page.pollInterval(for: "OneWaySMS") == nil)
    #expect(page.maximumPollAttempts == 20)
    #expect(!page.isSignInForm)
  }

  @Test func aFederatedUserIsSeenInTheCredentialTypeResult() throws {
    let page = EntraIDPage(
      config: try JSONValue.parse(
        #"{"oGetCredTypeResult":{"Credentials":{"PrefCredential":1,"FederationRedirectUrl":"https://adfs.example.com/x"}}}"#
      ))
    #expect(page.federationRedirectURL == "https://adfs.example.com/x")
  }

  @Test(
    arguments: [
      (
        "<script>window.location = 'https://login.microsoftonline.com/t/saml2?SAMLRequest=fZ%2B&RelayState=';</script>",
        "https://login.microsoftonline.com/t/saml2?SAMLRequest=fZ%2B&RelayState="
      ),
      (
        #"<script>window.location.href="\/t\/saml2?SAMLRequest=abc\u0026RelayState=x";</script>"#,
        "https://myapps.microsoft.com/t/saml2?SAMLRequest=abc&RelayState=x"
      ),
      ("<script>window.location = 'https://myapps.microsoft.com/home';</script>", nil),
      ("<script>window.location = 'https://login.microsoftonline.com/t/saml2?SAMLRequest=x</script>", nil),
      ("<p>window.location</p>", nil),
    ] as [(String, String?)])
  func myAppsScriptThatSendsTheBrowserToEntrasSAMLEndpointIsFollowed(_ html: String, target: String?) {
    #expect(EntraIDPage.samlRequestLocation(in: html, pageURL: "https://myapps.microsoft.com/signin/AWS/x") == target)
  }

  @Test func theHandBackFormIsTheHiddenFormOrOneCarryingAnIDToken() {
    #expect(EntraIDPage.isHandBack(HTMLForm(action: "https://myapps.microsoft.com/", name: "hiddenform")))
    #expect(
      EntraIDPage.isHandBack(
        HTMLForm(action: "https://x.example/", fields: [.init(name: "id_token", value: "e30", type: "hidden")])))
    #expect(!EntraIDPage.isHandBack(HTMLForm(action: "https://x.example/", name: "f1")))
  }
}
