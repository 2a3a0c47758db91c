import Testing

@testable import RunAsCore

/// Pages shaped like the ones identity providers serve, for the form reader.
enum IdPPages {
  static let keycloakPageURL = "https://sso.example.com/realms/demo/protocol/saml/clients/aws"

  /// Keycloak's login page (base theme `login.ftl`), trimmed but with its real structure.
  static let keycloakLogin = """
    <!DOCTYPE html>
    <html class="login-pf">
    <head>
        <meta charset="utf-8">
        <title>Sign in to demo</title>
        <link href="/resources/abc/login/keycloak/css/login.css" rel="stylesheet" />
        <script type="module">
            import { startSessionPolling } from "/resources/abc/login/keycloak/js/authChecker.js";
            startSessionPolling("/realms/demo/login-actions/restart?client_id=urn%3Aamazon%3Awebservices&tab_id=t1");
            if (a < b && c > d) { document.write('<form action="/fake"><input name="fake"></form>'); }
        </script>
    </head>
    <body class="">
    <div class="login-pf-page">
      <!-- <form action="/commented-out"><input name="nope"></form> -->
      <div id="kc-form-wrapper">
        <form id="kc-form-login" onsubmit="login.disabled = true; return true;" action="https://sso.example.com/realms/demo/login-actions/authenticate?session_code=Xy-9_a&amp;execution=0e1c6a5e-2a6d-4c1f-9f5c-5b3a2f1e0d9c&amp;client_id=urn%3Aamazon%3Awebservices&amp;tab_id=t1&amp;client_data=eyJydSI6Imh0dHBzOi8vc2lnbmluLmF3cy5hbWF6b24uY29tL3NhbWwifQ" method="post">
          <div class="form-group">
            <label for="username" class="pf-c-form__label pf-c-form__label-text">Username or email</label>
            <input tabindex="2" id="username" class="pf-c-form-control" name="username" value="" type="text" autofocus autocomplete="username" aria-invalid=""/>
          </div>
          <div class="form-group">
            <label for="password">Password</label>
            <input tabindex="3" id=password class=pf-c-form-control name=password type=password autocomplete="current-password">
          </div>
          <div class="checkbox"><label><input tabindex="5" id="rememberMe" name="rememberMe" type="checkbox"> Remember me</label></div>
          <div id="kc-form-buttons" class="form-group">
            <input type="hidden" id="id-hidden-input" name="credentialId"/>
            <input tabindex="7" class="pf-c-button pf-m-primary pf-m-block btn-lg" name="login" id="kc-login" type="submit" value="Sign In"/>
          </div>
        </form>
      </div>
    </div>
    </body>
    </html>
    """

  /// Keycloak's OTP page (`login-otp.ftl`) with two authenticators to choose from.
  static let keycloakOTP = """
    <html><head><title>Sign in to demo</title></head><body>
    <form id="kc-otp-login-form" class="form-horizontal" action="/realms/demo/login-actions/authenticate?session_code=s2&amp;execution=ab12&amp;client_id=urn%3Aamazon%3Awebservices&amp;tab_id=t1" method="post">
      <div class="pf-c-tile">
        <input class="pf-c-tile__input" id="kc-otp-credential-1" type="radio" name="selectedCredentialId" value="cred-1" checked="checked">
        <label for="kc-otp-credential-1">Phone</label>
        <input class="pf-c-tile__input" id="kc-otp-credential-2" type="radio" name="selectedCredentialId" value="cred-2">
        <label for="kc-otp-credential-2">Tablet</label>
      </div>
      <label for="otp" class="control-label">One-time code</label>
      <input id="otp" name="otp" autocomplete="off" type="text" class="form-control" autofocus aria-invalid=""/>
      <span id="input-error-otp-code" class="pf-c-form__helper-text" aria-live="polite">Invalid authenticator code.</span>
      <input class="pf-c-button pf-m-primary" name="login" id="kc-login" type="submit" value="Sign In" />
    </form>
    </body></html>
    """

  /// The SAML POST page (`saml-post-form.ftl`); the assertion is HTML-escaped as Keycloak does.
  static let samlPost = """
    <HTML>
      <HEAD><TITLE>Authentication Redirect</TITLE></HEAD>
      <BODY Onload="document.forms[0].submit()">
        <FORM NAME="saml-post-binding" METHOD="POST" ACTION="https://signin.aws.amazon.com/saml">
          <INPUT TYPE="HIDDEN" NAME="SAMLResponse" VALUE="PHNhbWxwOlJlc3BvbnNlIC8&#x2b;PC9zYW1scDpSZXNwb25zZT4&#x3d;"/>
          <INPUT TYPE=HIDDEN NAME='RelayState' VALUE='https&#x3a;&#x2f;&#x2f;console.aws.amazon.com&#47;'/>
          <NOSCRIPT>
            <P>JavaScript is disabled. We strongly recommend to enable it. Click the button below to continue.</P>
            <INPUT TYPE="SUBMIT" VALUE="CONTINUE" />
          </NOSCRIPT>
        </FORM>
      </BODY>
    </HTML>
    """
}

@Suite("HTML forms")
struct HTMLFormTests {
  @Test func readsKeycloaksLoginForm() throws {
    let forms = HTMLForm.forms(in: IdPPages.keycloakLogin, pageURL: IdPPages.keycloakPageURL)
    #expect(forms.count == 1)
    let form = try #require(forms.first)
    #expect(form.id == "kc-form-login")
    #expect(form.method == "POST")
    #expect(
      form.action
        == "https://sso.example.com/realms/demo/login-actions/authenticate?session_code=Xy-9_a&execution=0e1c6a5e-2a6d-4c1f-9f5c-5b3a2f1e0d9c&client_id=urn%3Aamazon%3Awebservices&tab_id=t1&client_data=eyJydSI6Imh0dHBzOi8vc2lnbmluLmF3cy5hbWF6b24uY29tL3NhbWwifQ"
    )
    #expect(form.fields.map(\.name) == ["username", "password", "rememberMe", "credentialId", "login"])
    #expect(form.fields.map(\.type) == ["text", "password", "checkbox", "hidden", "submit"])
    #expect(form.field(named: "password")?.id == "password")
    #expect(form.value(of: "credentialId") == "")
  }

  @Test func fillsAndSubmitsWhatABrowserWould() throws {
    var form = try #require(HTMLForm.forms(in: IdPPages.keycloakLogin, pageURL: IdPPages.keycloakPageURL).first)
    form.fill("username", with: "alice")
    form.fill("password", with: "p@ss w&rd=1+2")
    let pairs = form.formData()
    #expect(pairs.map(\.name) == ["username", "password", "credentialId"])
    #expect(
      HTMLForm.urlEncoded(pairs) == "username=alice&password=p%40ss%20w%26rd%3D1%2B2&credentialId=")
    #expect(form.formData(submitter: "login").last.map { "\($0.name)=\($0.value)" } == "login=Sign In")
    form.fill("rememberMe", with: "on")
    #expect(form.formData().contains { $0.name == "rememberMe" && $0.value == "on" })
  }

  @Test func readsKeycloaksOTPFormWithItsAuthenticatorChoice() throws {
    let page = "https://sso.example.com/realms/demo/login-actions/authenticate?session_code=s1"
    var form = try #require(HTMLForm.forms(in: IdPPages.keycloakOTP, pageURL: page).first)
    #expect(
      form.action.hasPrefix(
        "https://sso.example.com/realms/demo/login-actions/authenticate?session_code=s2&execution=ab12"))
    #expect(form.fields.contains { $0.name.hasSuffix("otp") })
    form.fill("otp", with: "123456")
    #expect(form.formData().map { "\($0.name)=\($0.value)" } == ["selectedCredentialId=cred-1", "otp=123456"])
    form.fill("selectedCredentialId", with: "cred-2")
    #expect(form.formData().map { "\($0.name)=\($0.value)" } == ["selectedCredentialId=cred-2", "otp=123456"])
  }

  @Test func findsTheSAMLResponseByNameAndUnescapesIt() throws {
    #expect(
      HTMLForm.inputValue(named: "SAMLResponse", in: IdPPages.samlPost)
        == "PHNhbWxwOlJlc3BvbnNlIC8+PC9zYW1scDpSZXNwb25zZT4=")
    let form = try #require(HTMLForm.forms(in: IdPPages.samlPost, pageURL: "https://sso.example.com/x").first)
    #expect(form.name == "saml-post-binding")
    #expect(form.action == "https://signin.aws.amazon.com/saml")
    #expect(form.value(of: "RelayState") == "https://console.aws.amazon.com/")
    #expect(form.formData().map(\.name) == ["SAMLResponse", "RelayState"])
    #expect(HTMLForm.inputValue(named: "SAMLResponse", in: IdPPages.keycloakLogin) == nil)
  }

  @Test func readsTitles() {
    #expect(HTMLForm.title(in: IdPPages.keycloakLogin) == "Sign in to demo")
    #expect(HTMLForm.title(in: IdPPages.samlPost) == "Authentication Redirect")
    #expect(HTMLForm.title(in: "<title>\n  Update   password &amp; more\n</title>") == "Update password & more")
    #expect(HTMLForm.title(in: "<p>no title</p>") == nil)
  }

  @Test func ignoresFormsInsideScriptsAndComments() {
    let forms = HTMLForm.forms(in: IdPPages.keycloakLogin, pageURL: IdPPages.keycloakPageURL)
    #expect(!forms.contains { $0.action.contains("fake") || $0.action.contains("commented-out") })
  }

  @Test func actionDefaultsToThePageAndMethodToGet() throws {
    let page = "https://idp.example.com/login?step=2#top"
    let form = try #require(HTMLForm.forms(in: "<form><input name=q value=1></form>", pageURL: page).first)
    #expect(form.action == "https://idp.example.com/login?step=2")
    #expect(form.method == "GET")
    let dialog = try #require(HTMLForm.forms(in: "<form method=DiAlOg action=next></form>", pageURL: page).first)
    #expect(dialog.method == "GET")
    #expect(dialog.action == "https://idp.example.com/next")
  }

  @Test func baseHrefChangesWhereActionsPoint() throws {
    let html = #"<head><base href="https://other.example.com/app/"></head><form action="go"></form>"#
    let form = try #require(HTMLForm.forms(in: html, pageURL: "https://idp.example.com/x").first)
    #expect(form.action == "https://other.example.com/app/go")
  }

  @Test func toleratesRealWorldMarkup() throws {
    let html = """
      <FORM Action='/post?a=1&amp;b=2&copy=3&lang=en' METHOD=Post id = "f1" >
        <input type="HIDDEN" name="ctx" value="a&quot;b&#39;c&lt;&gt;&#x2F;&#47;&nbsp;&eacute;&unknown;&amp">
        <input name=bare value=x/y>
        <input name="dup" value="first" value="second">
        <input name="nv">
        <input name="off" value="1" disabled>
        <input name="file" type="file">
        <input name="strange" type="weird" value="t">
        <textarea name="note">
      line one &amp; two</textarea>
        <select name="factor"><option value="push">Push<option value="sms" selected>SMS</option></select>
        <select name="lang"><option>  English  (US) </option><option>Deutsch</option></select>
        <select name="multi" multiple><option selected>a<option>b<option selected>c</select>
        <button name="go" value="yes">Go</button>
        <button type="button" name="noop">No-op</button>
        <form action="/nested-is-ignored"><input name="inner" value="kept"></form>
        <input name="after" value="outside: the inner end tag closed the outer form">
      """
    let forms = HTMLForm.forms(in: html, pageURL: "https://idp.example.com/page")
    #expect(forms.count == 1)
    let form = try #require(forms.first)
    #expect(form.action == "https://idp.example.com/post?a=1&b=2&copy=3&lang=en")
    #expect(form.method == "POST")
    #expect(form.id == "f1")
    #expect(form.value(of: "ctx") == "a\"b'c<>//\u{A0}é&unknown;&")
    #expect(form.value(of: "bare") == "x/y")
    #expect(form.value(of: "dup") == "first")
    #expect(form.value(of: "note") == "line one & two")
    #expect(form.field(named: "strange")?.type == "text")
    let data = form.formData(submitter: "go").map { "\($0.name)=\($0.value)" }
    #expect(
      data == [
        "ctx=a\"b'c<>//\u{A0}é&unknown;&", "bare=x/y", "dup=first", "nv=", "strange=t", "note=line one & two",
        "factor=sms", "lang=English (US)", "multi=a", "multi=c", "go=yes", "inner=kept",
      ])
  }

  @Test func anUnterminatedPageKeepsWhatWasComplete() throws {
    let forms = HTMLForm.forms(
      in: #"<form action="/x"><input name="a" value="1"><input name="b" value="unterminated"#, pageURL: "https://idp/")
    #expect(forms.first?.fields.map(\.name) == ["a"])
    #expect(HTMLForm.forms(in: "<form action='/x'", pageURL: "https://idp/").isEmpty)
    #expect(HTMLForm.forms(in: "", pageURL: "https://idp/").isEmpty)
    #expect(HTMLForm.forms(in: "a < b and <3 <> </ >", pageURL: "https://idp/").isEmpty)
  }

  @Test func fillingAMissingFieldAddsAHiddenOne() {
    var form = HTMLForm(action: "https://idp/x")
    form.fill("otp", with: "123456")
    #expect(form.fields == [HTMLForm.Field(name: "otp", value: "123456", type: "hidden")])
  }

  @Test func characterReferences() {
    #expect(HTMLEntities.decode("&#x2b;&#X2B;&#43;&#043", inAttribute: false) == "++++")
    #expect(HTMLEntities.decode("&#0;&#xD800;&#x110000;", inAttribute: false) == "\u{FFFD}\u{FFFD}\u{FFFD}")
    #expect(HTMLEntities.decode("&notit; &amp;&AMP;&hellip;", inAttribute: false) == "¬it; &&…")
    #expect(HTMLEntities.decode("a=1&copy=2&amp=3", inAttribute: true) == "a=1&copy=2&amp=3")
    #expect(HTMLEntities.decode("a=1&copy=2", inAttribute: false) == "a=1©=2")
    #expect(HTMLEntities.decode("& &; &#; &#x;", inAttribute: false) == "& &; &#; &#x;")
  }
}
