import Foundation
import RunAsCore
import Testing

@testable import RunAsTUI

@Suite("Details pane: a SAML or OIDC profile's identity provider sign-in")
struct SignInPaneTests {
  static let url = "https://idp.example.com/saml"

  func detailText(_ state: AppState, profile: String) throws -> [String] {
    let row = try #require(state.rows.first { $0.name == profile })
    // Wrapped lines joined again, so a check does not depend on where a line breaks.
    let text = Renderer.detailLines(row, state: state, width: 76).map(\.text).joined(separator: " ")
    return [text.split(separator: " ").joined(separator: " ")]
  }

  @Test func aSAMLRowKnowsItsProviderURL() throws {
    let row = try #require(Fixtures.rows().first { $0.name == "sso-dev" })
    #expect(row.identityProviderURL == Self.url)
    #expect(row.identityProviderName == nil)
    let role = try #require(Fixtures.rows().first { $0.name == "dev" })
    #expect(role.identityProviderURL == nil)
  }

  @Test func notSignedInSaysThatRSignsIn() throws {
    var state = Fixtures.state()
    _ = Reducer.reduce(
      &state, .signInStatusLoaded([Self.url: IdentityProviderSignInStatus(cookieCount: 0, expires: nil)]))
    let lines = try detailText(state, profile: "sso-dev")
    #expect(lines.contains { $0.contains("IdP (detected at sign-in): not signed in (r signs in)") })
  }

  @Test func signedInShowsUntilWhenTheCookiesExpire() throws {
    var state = Fixtures.state()
    let expiry = Fixtures.now + 3600
    _ = Reducer.reduce(
      &state, .signInStatusLoaded([Self.url: IdentityProviderSignInStatus(cookieCount: 2, expires: expiry)]))
    let lines = try detailText(state, profile: "sso-dev")
    #expect(lines.contains { $0.contains("signed in until \(state.localTime.format(expiry))") })
  }

  @Test func sessionCookiesLastForTheProvidersSession() throws {
    var state = Fixtures.state()
    _ = Reducer.reduce(
      &state, .signInStatusLoaded([Self.url: IdentityProviderSignInStatus(cookieCount: 1, expires: nil)]))
    let lines = try detailText(state, profile: "sso-dev")
    #expect(lines.contains { $0.contains("signed in for the IdP's session") })
  }

  @Test func anUnreadableCookieFileIsShownAsAProblem() throws {
    var state = Fixtures.state()
    _ = Reducer.reduce(
      &state,
      .signInStatusLoaded([
        Self.url: IdentityProviderSignInStatus(
          cookieCount: 0, expires: nil, problem: "/x/.aws_runas.cookies is not a cookie file")
      ]))
    let lines = try detailText(state, profile: "sso-dev")
    #expect(lines.contains { $0.contains("cookies unreadable: /x/.aws_runas.cookies is not a cookie file") })
  }

  @Test func anIAMRowHasNoSignInLine() throws {
    let state = Fixtures.state()
    let lines = try detailText(state, profile: "dev")
    #expect(!lines.contains { $0.contains("IdP") })
  }
}
