import Foundation
import TestSupport
import Testing

@testable import RunAsCore

@Suite("Identity provider sign-in status (the TUI's details pane)")
struct IdentityProviderSignInStatusTests {
  let temporary: TemporaryDirectory
  init() throws { temporary = try TemporaryDirectory(prefix: "signin-status") }

  let now = Date(timeIntervalSince1970: 1_700_000_000)

  func cookieFile(_ text: String?) throws -> CookieJarFile {
    let file = CookieJarFile(directory: temporary.path)
    if let text { try text.write(toFile: file.path, atomically: false, encoding: .utf8) }
    return file
  }

  @Test func noCookieFileMeansNotSignedIn() throws {
    let status = IdentityProviderSignInStatus.read(
      url: "https://keycloak.example.com/realms/demo/protocol/saml/clients/aws", cookieFile: try cookieFile(nil),
      now: now)
    #expect(!status.isSignedIn)
    #expect(status.problem == nil)
  }

  @Test func aSessionCookieMeansSignedInForAsLongAsTheProvidersSession() throws {
    let file = try cookieFile(CookieJarFileTests.goWritten)
    let status = IdentityProviderSignInStatus.read(
      url: "https://keycloak.example.com/realms/demo/protocol/saml/clients/aws", cookieFile: file, now: now)
    // AUTH_SESSION_ID (a session cookie) and KEYCLOAK_SESSION (until 2031) apply to that path.
    #expect(status.cookieCount == 2)
    #expect(status.isSignedIn)
    #expect(status.expires == nil)
  }

  @Test func onlyExpiringCookiesGiveTheLastExpiry() throws {
    let file = try cookieFile(CookieJarFileTests.goWritten)
    let status = IdentityProviderSignInStatus.read(url: "https://login.example.org/app", cookieFile: file, now: now)
    #expect(status.cookieCount == 1)
    #expect(status.expires == ISO8601DateFormatter().date(from: "2031-06-01T10:00:00Z"))
  }

  @Test func cookiesOfOtherPathsOrExpiredOnesDoNotCount() throws {
    let file = try cookieFile(CookieJarFileTests.goWritten)
    #expect(
      !IdentityProviderSignInStatus.read(url: "https://keycloak.example.com/other", cookieFile: file, now: now)
        .isSignedIn)
    let later = ISO8601DateFormatter().date(from: "2032-01-01T00:00:00Z")!
    let status = IdentityProviderSignInStatus.read(url: "https://login.example.org/app", cookieFile: file, now: later)
    #expect(!status.isSignedIn)
  }

  @Test func anUnreadableCookieFileIsAProblemNotASession() throws {
    let file = try cookieFile("not json at all")
    let status = IdentityProviderSignInStatus.read(url: "https://login.example.org/app", cookieFile: file, now: now)
    #expect(!status.isSignedIn)
    #expect(status.problem?.contains("is not a cookie file") == true)
  }
}

@Suite("Identity provider detection without a request")
struct IdentityProviderDetectionWithoutRequestTests {
  @Test func aKeycloakRealmPathIsKeycloak() {
    #expect(
      IdentityProviderRegistry.provider(
        withoutAsking: "http://127.0.0.1:8080/realms/demo/protocol/saml/clients/aws", cookieNames: [])?.name
        == "keycloak")
  }

  @Test func anUnknownURLWithoutCookiesIsUnknown() {
    #expect(IdentityProviderRegistry.provider(withoutAsking: "https://sso.example.com/start", cookieNames: []) == nil)
  }

  @Test func keycloaksCookiesTellItApartWhateverThePath() {
    #expect(
      IdentityProviderRegistry.provider(
        withoutAsking: "https://sso.example.com/start", cookieNames: ["KEYCLOAK_IDENTITY", "AUTH_SESSION_ID"])?.name
        == "keycloak")
  }
}
