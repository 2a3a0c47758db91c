import Foundation
import Synchronization
import TestSupport
import Testing

@testable import RunAsCore

/// A Keycloak-like identity provider on a real loopback socket: a login page that sets the auth
/// session cookies, a form POST that sets the identity cookies on a 302, a SAML POST page that
/// needs them, an OIDC authorization endpoint, and a few misbehaving routes.
final class KeycloakLikeProvider: EndpointHandler {
  static let samlClient = "/realms/demo/protocol/saml/clients/aws"
  static let password = "p@ss w&rd=1+2"
  static let loginQuery = "session_code=Xy-9_a&execution=e1&client_id=urn%3Aamazon%3Awebservices&tab_id=t1"

  /// Every request, as `METHOD /path`.
  let log = Mutex<[String]>([])

  static let loginPage = """
    <!DOCTYPE html><html><head><title>Sign in to demo</title></head><body>
    <form id="kc-form-login" action="/realms/demo/login-actions/authenticate?session_code=Xy-9_a&amp;execution=e1&amp;client_id=urn%3Aamazon%3Awebservices&amp;tab_id=t1" method="post">
      <input id="username" name="username" value="" type="text" autofocus>
      <input id=password name=password type=password>
      <input type="hidden" id="id-hidden-input" name="credentialId"/>
      <input name="login" id="kc-login" type="submit" value="Sign In"/>
    </form>
    <span id="input-error">%ERROR%</span>
    </body></html>
    """

  func respond(to request: EndpointRequest) async -> EndpointResponse {
    log.withLock { $0.append("\(request.method) \(request.path)") }
    let cookies = Self.cookies(request.header("Cookie"))
    let signedIn = cookies["KEYCLOAK_IDENTITY"] == "identity-jwt"
    switch (request.method, request.path) {
    case ("GET", Self.samlClient):
      if signedIn { return Self.html(IdPPages.samlPost) }
      return Self.html(
        Self.loginPage.replacing("%ERROR%", with: ""),
        cookies: [
          "AUTH_SESSION_ID=abc.node0; Path=/realms/demo/; HttpOnly",
          "KC_RESTART=restart-jwt; Path=/realms/demo/; HttpOnly",
        ])
    case ("POST", "/realms/demo/login-actions/authenticate"):
      guard cookies["AUTH_SESSION_ID"] == "abc.node0", request.query == Self.loginQuery,
        request.header("Content-Type") == "application/x-www-form-urlencoded"
      else {
        return Self.html("<title>Cookie not found</title>Cookie not found. Please make sure cookies are enabled.")
      }
      let form = Self.formFields(request.body)
      guard form["username"] == "alice", form["password"] == Self.password, form["credentialId"] == "" else {
        return Self.html(Self.loginPage.replacing("%ERROR%", with: "Invalid username or password."))
      }
      return EndpointResponse(
        status: 302,
        headers: [
          ("Location", "/realms/demo/login-actions/saml-result?tab_id=t1"),
          ("Set-Cookie", "KEYCLOAK_IDENTITY=identity-jwt; Version=1; Path=/realms/demo/; HttpOnly"),
          ("Set-Cookie", "KEYCLOAK_SESSION=demo/alice/s1; Version=1; Max-Age=36000; Path=/realms/demo/"),
          (
            "Set-Cookie", "KC_RESTART=; Version=1; Expires=Thu, 01-Jan-1970 00:00:10 GMT; Max-Age=0; Path=/realms/demo/"
          ),
        ])
    case ("GET", "/realms/demo/login-actions/saml-result"):
      return signedIn ? Self.html(IdPPages.samlPost) : Self.html("<title>Error</title>not signed in")
    case ("GET", "/realms/demo/protocol/openid-connect/auth"):
      let query = Self.formFields(Array(request.query.utf8))
      guard signedIn, let redirectURI = query["redirect_uri"], let state = query["state"] else {
        return Self.html(Self.loginPage.replacing("%ERROR%", with: ""))
      }
      return EndpointResponse(status: 302, headers: [("Location", "\(redirectURI)?state=\(state)&code=code-1")])
    case ("GET", "/loop/a"):
      return EndpointResponse(status: 302, headers: [("Location", "/loop/b")])
    case ("GET", "/loop/b"):
      return EndpointResponse(status: 302, headers: [("Location", "/loop/a")])
    case ("GET", "/slow"):
      // Cancelled when the server stops.
      try? await Task.sleep(for: .seconds(60))
      return Self.html("too late")
    default:
      return .text("not found", status: 404)
    }
  }

  static func html(_ text: String, cookies: [String] = []) -> EndpointResponse {
    EndpointResponse(
      status: 200, headers: [("Content-Type", "text/html; charset=utf-8")] + cookies.map { ("Set-Cookie", $0) },
      body: Array(text.utf8))
  }

  static func cookies(_ header: String?) -> [String: String] {
    var result: [String: String] = [:]
    for pair in (header ?? "").split(separator: ";") {
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      guard parts.count == 2 else { continue }
      result[parts[0].trimmingCharacters(in: .whitespaces)] = String(parts[1])
    }
    return result
  }

  static func formFields(_ body: [UInt8]) -> [String: String] {
    var result: [String: String] = [:]
    for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      guard let name = PercentDecoding.decode(String(parts[0]), plusIsSpace: true) else { continue }
      result[name] = parts.count > 1 ? PercentDecoding.decode(String(parts[1]), plusIsSpace: true) : ""
    }
    return result
  }
}

@Suite("Identity provider session over loopback sockets")
struct IdentityProviderSessionLoopbackTests {
  /// This test's files, removed when it ends.
  let temporary: TemporaryDirectory
  var directory: String { temporary.path }

  init() throws { temporary = try TemporaryDirectory(prefix: "idp") }

  var cookieFile: CookieJarFile { CookieJarFile(directory: directory) }

  /// Runs `body` against a fresh provider and stops the server however `body` ends.
  func withProvider(
    _ body: (_ provider: KeycloakLikeProvider, _ base: String) async throws -> Void
  ) async throws {
    let provider = KeycloakLikeProvider()
    let server = try await LoopbackHTTPServer.start(handler: provider)
    do {
      try await body(provider, "http://127.0.0.1:\(server.port)")
    } catch {
      await server.stop()
      throw error
    }
    await server.stop()
  }

  func newSession() throws -> IdentityProviderSession {
    // Generous limits keep these tests independent of how busy the machine is; the time-limit test
    // sets its own.
    try IdentityProviderSession(
      transport: AsyncHTTPClientTransport(totalTimeout: .seconds(600)), cookieFile: cookieFile,
      timeout: .seconds(600))
  }

  /// Signs in as a client would: fetch the login page, fill the form, post it, land on the SAML page.
  func signIn(_ session: IdentityProviderSession, base: String, password: String = KeycloakLikeProvider.password)
    async throws -> IdentityProviderResponse
  {
    let login = try await session.get(base + KeycloakLikeProvider.samlClient)
    #expect(login.title == "Sign in to demo")
    var form = try #require(login.forms.first { $0.id == "kc-form-login" })
    form.fill("username", with: "alice")
    form.fill("password", with: password)
    return try await session.submit(form)
  }

  @Test func signsInThroughTheLoginFormARedirectAndTheSAMLPage() async throws {
    try await withProvider { provider, base in
      let session = try newSession()
      let result = try await signIn(session, base: base)
      #expect(result.status == 200)
      #expect(result.url == base + "/realms/demo/login-actions/saml-result?tab_id=t1")
      #expect(result.redirects.map(\.status) == [302])
      #expect(result.inputValue(named: "SAMLResponse") == "PHNhbWxwOlJlc3BvbnNlIC8+PC9zYW1scDpSZXNwb25zZT4=")
      #expect(
        provider.log.withLock { $0 } == [
          "GET \(KeycloakLikeProvider.samlClient)", "POST /realms/demo/login-actions/authenticate",
          "GET /realms/demo/login-actions/saml-result",
        ])
      let names = session.cookies(for: base + "/realms/demo/").map(\.name)
      #expect(Set(names) == ["AUTH_SESSION_ID", "KEYCLOAK_IDENTITY", "KEYCLOAK_SESSION"])
    }
  }

  @Test func theSignInIsSavedInTheGoFormatAndReusedByTheNextSession() async throws {
    try await withProvider { provider, base in
      _ = try await signIn(try newSession(), base: base)
      let records = try cookieFile.load()
      #expect(Array(records.keys) == ["http://127.0.0.1"])
      #expect(
        Set(records["http://127.0.0.1"]?.map(\.name) ?? []) == [
          "AUTH_SESSION_ID", "KEYCLOAK_IDENTITY", "KEYCLOAK_SESSION",
        ])
      #expect(POSIXFile.permissions(cookieFile.path) == 0o600)
      let text = try String(contentsOfFile: cookieFile.path, encoding: .utf8)
      #expect(!text.contains("KC_RESTART"))

      provider.log.withLock { $0.removeAll() }
      let again = try await newSession().get(base + KeycloakLikeProvider.samlClient)
      #expect(again.inputValue(named: "SAMLResponse") != nil)
      #expect(provider.log.withLock { $0 } == ["GET \(KeycloakLikeProvider.samlClient)"])
    }
  }

  @Test func aCookieFileTheGoToolWroteSignsIn() async throws {
    try
      (#"{"http://127.0.0.1":[{"Name":"KEYCLOAK_IDENTITY","Value":"identity-jwt","Path":"/realms/demo/","Domain":"","Expires":"0001-01-01T00:00:00Z","RawExpires":"","MaxAge":0,"Secure":false,"HttpOnly":true,"SameSite":0,"Raw":"KEYCLOAK_IDENTITY=identity-jwt; Version=1; Path=/realms/demo/; HttpOnly","Unparsed":["Version=1"]}]}"#
      + "\n").write(toFile: cookieFile.path, atomically: false, encoding: .utf8)
    try await withProvider { _, base in
      let page = try await newSession().get(base + KeycloakLikeProvider.samlClient)
      #expect(page.inputValue(named: "SAMLResponse") != nil)
    }
  }

  @Test func aWrongPasswordShowsTheLoginPageAgain() async throws {
    try await withProvider { _, base in
      let session = try newSession()
      let result = try await signIn(session, base: base, password: "wrong")
      #expect(result.redirects.isEmpty)
      #expect(result.text.contains("Invalid username or password."))
      #expect(result.forms.first?.id == "kc-form-login")
      #expect(!session.cookies(for: base + "/realms/demo/").contains { $0.name == "KEYCLOAK_IDENTITY" })
    }
  }

  @Test func theOIDCRedirectURIIsReturnedNotFetched() async throws {
    try await withProvider { provider, base in
      let session = try newSession()
      _ = try await signIn(session, base: base)
      let redirectURI = base + "/callback"
      let response = try await session.get(
        base + "/realms/demo/protocol/openid-connect/auth?response_type=code&client_id=cli&scope=openid&state=st4te"
          + "&redirect_uri=" + SigV4Signer.uriEncode(redirectURI),
        redirects: .follow(until: redirectURI))
      #expect(response.status == 302)
      #expect(response.stoppedRedirect == redirectURI + "?state=st4te&code=code-1")
      #expect(!provider.log.withLock { $0 }.contains { $0.hasSuffix("/callback") })
    }
  }

  @Test func aRedirectLoopEndsWithAnErrorNamingIt() async throws {
    try await withProvider { _, base in
      await #expect {
        _ = try await newSession().get(base + "/loop/a")
      } throws: { error in
        let error = try #require(error as? IdentityProviderRequestError)
        return error.code == .tooManyRedirects
          && error.message == "redirect loop: \(base)/loop/a → \(base)/loop/b → \(base)/loop/a"
      }
    }
  }

  @Test func aSlowProviderRunsIntoTheCallsTimeLimit() async throws {
    try await withProvider { _, base in
      await #expect {
        _ = try await newSession().get(base + "/slow", timeout: .milliseconds(300))
      } throws: { error in
        (error as? IdentityProviderRequestError)?.code == .timedOut
      }
    }
  }
}
