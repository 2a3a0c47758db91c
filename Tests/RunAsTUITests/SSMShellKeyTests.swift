import Foundation
import RunAsCore
import Testing

@testable import RunAsTUI

/// `x`: an SSM shell on an instance, with the target asked in a modal and the credentials fetched
/// (with any MFA prompt) before the screen is left.
@Suite("SSM shell key")
struct SSMShellKeyTests {
  /// The state with `dev` selected.
  static func devSelected() -> AppState {
    var state = Fixtures.state()
    _ = Fixtures.press([.down, .down, .down], &state)
    return state
  }

  @Test func xAsksForTheTargetOfTheSelectedProfile() throws {
    var state = Self.devSelected()
    #expect(state.selectedRow?.name == "dev")
    let effects = Fixtures.press([.character("x")], &state)
    #expect(effects.isEmpty)
    let prompt = try #require(state.prompts.first)
    #expect(prompt.purpose == .ssmShellTarget(profile: "dev"))
    #expect(prompt.kind == .text(isSecret: false))
    #expect(prompt.profileName == "dev")
    #expect(prompt.question.hasPrefix("SSM shell target"))
  }

  @Test func theTypedTargetFetchesCredentialsForTheSession() {
    var state = Self.devSelected()
    _ = Fixtures.press([.character("x")], &state)
    #expect(Fixtures.type(" Name:web ", &state).isEmpty)
    let effects = Fixtures.press([.enter], &state)
    #expect(effects == [.fetchCredentialsForSSMShell(profile: "dev", target: "Name:web")])
    #expect(state.prompts.isEmpty)
    #expect(state.fetching == ["dev"])
  }

  @Test func readyCredentialsLaunchTheShellAndItsEndIsReported() {
    var state = Self.devSelected()
    let expiry = Fixtures.now + 3600
    let launch = Reducer.reduce(
      &state, .ssmShellCredentialsFetched(profile: "dev", target: "i-0123456789abcdef0", result: .success(expiry)))
    #expect(launch == [.launchSSMShell(profile: "dev", target: "i-0123456789abcdef0")])
    #expect(state.expirations["dev"] == expiry)
    let after = Reducer.reduce(
      &state, .ssmShellExited(profile: "dev", target: "i-0123456789abcdef0", result: .success(0)))
    #expect(after == [.reloadCaches])
    #expect(state.flash?.text == "SSM shell on i-0123456789abcdef0 for dev ended with status 0")
    #expect(state.flash?.isError == false)
  }

  @Test func escapeCancelsTheTargetPromptWithoutTellingTheEngine() {
    var state = Self.devSelected()
    _ = Fixtures.press([.character("x")], &state)
    _ = Fixtures.type("i-1", &state)
    #expect(Fixtures.press([.escape], &state).isEmpty)
    #expect(state.prompts.isEmpty)
    #expect(state.fetching.isEmpty)
  }

  @Test func anEmptyTargetIsAnErrorInTheFlashLine() {
    var state = Self.devSelected()
    _ = Fixtures.press([.character("x")], &state)
    #expect(Fixtures.press([.enter], &state).isEmpty)
    #expect(state.flash?.text == "no SSM target given")
    #expect(state.flash?.isError == true)
  }

  @Test func failuresBeforeTheSessionAreShownInTheFlashLine() {
    var state = Self.devSelected()
    state.fetching.insert("dev")
    let effects = Reducer.reduce(
      &state,
      .ssmShellCredentialsFetched(
        profile: "dev", target: "Name:web",
        result: .failure(Failure("session-manager-plugin was not found on PATH"))))
    #expect(effects.isEmpty)
    #expect(state.fetching.isEmpty)
    #expect(state.flash?.text == "dev: session-manager-plugin was not found on PATH")
    #expect(state.flash?.isError == true)
  }

  @Test func aProfileWithAnErrorCannotOpenASession() {
    var state = Fixtures.state()
    _ = Fixtures.press([.down], &state)
    #expect(state.selectedRow?.name == "broken")
    #expect(Fixtures.press([.character("x")], &state).isEmpty)
    #expect(state.prompts.isEmpty)
    #expect(state.flash?.isError == true)
  }
}
