import Testing

@testable import RunAsCore

@Suite("URL references (form actions, Location headers)")
struct URLReferenceTests {
  @Test(
    "RFC 3986 §5.4.1 normal examples",
    arguments: [
      ("g", "http://a/b/c/g"), ("./g", "http://a/b/c/g"), ("g/", "http://a/b/c/g/"), ("/g", "http://a/g"),
      ("//g", "http://g/"), ("?y", "http://a/b/c/d;p?y"), ("g?y", "http://a/b/c/g?y"), ("#s", "http://a/b/c/d;p?q#s"),
      ("g#s", "http://a/b/c/g#s"), (";x", "http://a/b/c/;x"), ("", "http://a/b/c/d;p?q"), (".", "http://a/b/c/"),
      ("./", "http://a/b/c/"), ("..", "http://a/b/"), ("../g", "http://a/b/g"), ("../..", "http://a/"),
      ("../../g", "http://a/g"), ("../../../g", "http://a/g"), ("/./g", "http://a/g"), ("g/../h", "http://a/b/c/h"),
    ])
  func rfcExamples(reference: String, expected: String) {
    #expect(URLReference.resolve(reference, against: "http://a/b/c/d;p?q") == expected)
  }

  @Test func keycloakActionWithEntitiesAlreadyDecodedResolvesAgainstThePage() {
    let page = "https://sso.example.com/realms/demo/protocol/saml/clients/aws"
    #expect(
      URLReference.resolve("/realms/demo/login-actions/authenticate?session_code=x&execution=y", against: page)
        == "https://sso.example.com/realms/demo/login-actions/authenticate?session_code=x&execution=y")
    #expect(
      URLReference.resolve("login", against: page) == "https://sso.example.com/realms/demo/protocol/saml/clients/login")
  }

  @Test func absoluteReferencesOfOtherSchemesAreKeptAsTheyAre() {
    #expect(
      URLReference.resolve("app:/callback?code=c&state=s", against: "https://idp/x") == "app:/callback?code=c&state=s")
    #expect(
      URLReference.resolve("http://localhost:8080/cb?code=1", against: "https://idp/x")
        == "http://localhost:8080/cb?code=1")
  }

  @Test func browserLeniencies() {
    let base = "https://idp.example.com/a/b"
    #expect(URLReference.resolve("  /next\n  ", against: base) == "https://idp.example.com/next")
    #expect(URLReference.resolve("\\login\\step", against: base) == "https://idp.example.com/login/step")
    #expect(URLReference.resolve("https:/same-host", against: base) == "https://idp.example.com/same-host")
    #expect(URLReference.resolve("/a b/ü?q=a b", against: base) == "https://idp.example.com/a%20b/%C3%BC?q=a%20b")
    #expect(URLReference.resolve("/already%20encoded", against: base) == "https://idp.example.com/already%20encoded")
    #expect(URLReference.resolve("https://other.example.com", against: base) == "https://other.example.com/")
  }

  @Test func aRelativeBaseResolvesNothing() {
    #expect(URLReference.resolve("g", against: "/relative/page") == nil)
  }

  @Test func redactionKeepsTheRouteAndHidesQueriesFragmentsAndUserInfo() {
    #expect(
      URLReference.redacted("https://idp/cb?code=secret&state=s#frag") == "https://idp/cb?…")
    #expect(URLReference.redacted("https://user:pw@idp/login") == "https://idp/login")
    #expect(URLReference.redacted("app:/callback?code=secret") == "app:/callback?…")
    #expect(URLReference.redacted("https://idp/plain") == "https://idp/plain")
  }

  @Test func stoppingAtARedirectURIMatchesItsQueriesButNotLongerPaths() {
    let local = RedirectPolicy.follow(until: "http://localhost:8080/callback")
    #expect(local.stopsAt("http://localhost:8080/callback?code=1&state=2"))
    #expect(local.stopsAt("HTTP://LOCALHOST:8080/callback"))
    #expect(local.stopsAt("http://localhost:8080/callback/more"))
    #expect(!local.stopsAt("http://localhost:8080/callbackother"))
    #expect(!local.stopsAt("http://localhost:9090/callback"))
    let app = RedirectPolicy.follow(until: "app:/callback")
    #expect(app.stopsAt("app:/callback?code=1"))
    #expect(!RedirectPolicy.follow.stopsAt("app:/callback"))
  }
}
