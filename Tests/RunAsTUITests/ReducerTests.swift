import Foundation
import RunAsCore
import Testing

@testable import RunAsTUI

@Suite("Reducer")
struct ReducerTests {
  @Test func profilesLoadSortedByNameWithTheFirstSelected() {
    let state = Fixtures.state()
    #expect(state.rows.map(\.name) == ["audit", "broken", "default", "dev", "prod", "sso-dev", "staging"])
    #expect(state.selectedRow?.name == "audit")
  }

  @Test func rowsDescribeKindAccountRoleRegionAndMFA() throws {
    let state = Fixtures.state()
    let prod = try #require(state.rows.first { $0.name == "prod" })
    #expect(prod.kind == "role")
    #expect(prod.accountAndRole == "210987654321/admin")
    #expect(prod.region == "eu-west-1")
    #expect(prod.needsMFA)
    #expect(prod.cacheFile == "/fixture/.aws/.aws_assume_role_prod")
    let user = try #require(state.rows.first { $0.name == "default" })
    #expect(user.kind == "IAM user")
    #expect(user.cacheFile == "/fixture/.aws/.aws_session_token_default")
    #expect(state.rows.first { $0.name == "sso-dev" }?.kind == "SAML")
    #expect(state.rows.first { $0.name == "broken" }?.error?.contains("missing") == true)
  }

  @Test func jAndKAndArrowsMoveTheSelectionWithinBounds() {
    var state = Fixtures.state()
    _ = Fixtures.press([.character("k")], &state)
    #expect(state.selection == 0)
    _ = Fixtures.press([.character("j"), .down, .down], &state)
    #expect(state.selectedRow?.name == "dev")
    _ = Fixtures.press([.up], &state)
    #expect(state.selectedRow?.name == "default")
    _ = Fixtures.press([.character("G")], &state)
    #expect(state.selectedRow?.name == "staging")
    _ = Fixtures.press([.down], &state)
    #expect(state.selectedRow?.name == "staging")
    _ = Fixtures.press([.character("g")], &state)
    #expect(state.selectedRow?.name == "audit")
  }

  @Test func pagingScrollsTheListToKeepTheSelectionVisible() {
    var state = AppState(now: Fixtures.now)
    state.screenRows = 24
    let rows = (0..<100).map { ProfileRow(name: String(format: "p%03d", $0), kind: "role") }
    _ = Reducer.reduce(&state, .profilesLoaded(rows, configPath: "x"))
    let capacity = Layout(rows: 24, columns: 80).listCapacity
    _ = Fixtures.press([.pageDown], &state)
    #expect(state.selection == capacity)
    #expect(state.scrollTop == 1)
    _ = Fixtures.press([.end], &state)
    #expect(state.scrollTop == 100 - capacity)
    _ = Fixtures.press([.pageUp], &state)
    #expect(state.selection == 99 - capacity)
  }

  @Test func filterNarrowsAsYouTypeAndMatchesNameAccountAndRole() {
    var state = Fixtures.state()
    _ = Fixtures.press([.character("/")], &state)
    #expect(state.mode == .filtering)
    _ = Fixtures.type("de", &state)
    #expect(state.visible.map { state.rows[$0].name } == ["default", "dev", "sso-dev", "staging"])
    _ = Fixtures.type("v", &state)
    #expect(state.visible.map { state.rows[$0].name } == ["dev", "sso-dev"])
    _ = Fixtures.press([.backspace, .backspace, .backspace], &state)
    _ = Fixtures.type("2109", &state)
    #expect(state.visible.map { state.rows[$0].name } == ["prod"])
    _ = Fixtures.press([.escape], &state)
    _ = Fixtures.press([.character("/")], &state)
    _ = Fixtures.type("AUDITOR", &state)
    #expect(state.visible.map { state.rows[$0].name } == ["audit"])
  }

  @Test func enterKeepsTheFilterAndEscClearsIt() {
    var state = Fixtures.state()
    _ = Fixtures.press([.character("/")], &state)
    _ = Fixtures.type("prod", &state)
    _ = Fixtures.press([.enter], &state)
    #expect(state.mode == .list)
    #expect(state.filter == "prod")
    #expect(state.visible.count == 1)
    _ = Fixtures.press([.character("/")], &state)
    _ = Fixtures.press([.escape], &state)
    #expect(state.filter.isEmpty)
    #expect(state.visible.count == state.rows.count)
    #expect(state.selectedRow?.name == "prod", "the selection survives clearing the filter")
  }

  @Test func typingInTheFilterDoesNotTriggerListKeys() {
    var state = Fixtures.state()
    _ = Fixtures.press([.character("/")], &state)
    let effects = Fixtures.type("qrwd", &state)
    #expect(effects.isEmpty)
    #expect(!state.wantsQuit)
    #expect(state.filter == "qrwd")
  }

  @Test func enterFetchesCredentialsThenLaunchesAShell() {
    var state = Fixtures.state()
    _ = Fixtures.press([.character("j"), .character("j"), .character("j")], &state)
    #expect(Fixtures.press([.enter], &state) == [.fetchCredentials(profile: "dev", force: false, launch: true)])
    #expect(state.fetching.contains("dev"))
    let effects = Reducer.reduce(
      &state, .credentialsFetched(profile: "dev", result: .success(Fixtures.now + 3600), launch: true))
    #expect(effects == [.launchShell(profile: "dev")])
    #expect(!state.fetching.contains("dev"))
    #expect(state.expirations["dev"] == Fixtures.now + 3600)
  }

  @Test func rFetchesAndCapitalRForcesARefresh() {
    var state = Fixtures.state()
    #expect(
      Fixtures.press([.character("r")], &state) == [.fetchCredentials(profile: "audit", force: false, launch: false)])
    #expect(
      Fixtures.press([.character("R")], &state) == [.fetchCredentials(profile: "audit", force: true, launch: false)])
  }

  @Test func whoamiDiagnoseAndDetailsSwitchThePane() {
    var state = Fixtures.state()
    #expect(Fixtures.press([.character("w")], &state) == [.whoami(profile: "audit")])
    #expect(state.pane == .whoami)
    #expect(Fixtures.press([.character("d")], &state) == [.diagnose(profile: "audit")])
    #expect(state.pane == .diagnose)
    #expect(Fixtures.press([.character("i")], &state).isEmpty)
    #expect(state.pane == .details)
  }

  @Test func actionsOnAnUnresolvableProfileFlashTheErrorInstead() {
    var state = Fixtures.state()
    _ = Fixtures.press([.character("j")], &state)
    #expect(state.selectedRow?.name == "broken")
    #expect(Fixtures.press([.enter], &state).isEmpty)
    #expect(state.flash?.isError == true)
    #expect(state.flash?.text.contains("missing") == true)
  }

  @Test func aActivatesTheSelectedProfileOnTheSwitchboard() {
    var state = Fixtures.state()
    #expect(Fixtures.press([.character("a")], &state) == [.activate(profile: "audit")])
    _ = Reducer.reduce(&state, .switchboardActivated(profile: "audit"))
    #expect(state.activeProfile == "audit")
  }

  @Test func sCyclesNameExpiryKind() {
    var state = Fixtures.state()
    _ = Fixtures.press([.character("s")], &state)
    #expect(state.sort == .expiry)
    #expect(state.rows.map(\.name).prefix(4) == ["audit", "prod", "dev", "staging"])
    _ = Fixtures.press([.character("s")], &state)
    #expect(state.sort == .kind)
    #expect(state.rows.first?.kind == "IAM user")
    _ = Fixtures.press([.character("s")], &state)
    #expect(state.sort == .name)
  }

  @Test func promptsAreModalAndEscCancels() {
    var state = Fixtures.state()
    _ = Reducer.reduce(
      &state, .promptRequested(.init(id: 7, question: "MFA token code: ", isSecret: false, profileName: "prod")))
    #expect(Fixtures.type("12q456", &state).isEmpty)
    #expect(!state.wantsQuit, "q is typed into the modal")
    _ = Fixtures.press([.backspace], &state)
    #expect(Fixtures.press([.enter], &state) == [.answerPrompt(id: 7, answer: "12q45")])
    #expect(state.prompts.isEmpty)
    _ = Reducer.reduce(
      &state, .promptRequested(.init(id: 8, question: "MFA token code: ", isSecret: false, profileName: "prod")))
    #expect(Fixtures.press([.escape], &state) == [.cancelPrompt(id: 8)])
  }

  @Test func helpOverlayOpensAndCloses() {
    var state = Fixtures.state()
    _ = Fixtures.press([.character("?")], &state)
    #expect(state.mode == .help)
    #expect(Fixtures.press([.character("j")], &state).isEmpty)
    #expect(state.selection == 0)
    _ = Fixtures.press([.escape], &state)
    #expect(state.mode == .list)
  }

  @Test func qAndControlCQuit() {
    var state = Fixtures.state()
    #expect(Fixtures.press([.character("q")], &state) == [.quit])
    #expect(state.wantsQuit)
    var other = Fixtures.state()
    #expect(Fixtures.press([.control("c")], &other) == [.quit])
  }

  @Test func controlRReloadsTheConfiguration() {
    var state = Fixtures.state()
    #expect(Fixtures.press([.control("r")], &state) == [.reloadConfiguration])
  }

  @Test func resizeKeepsSelectionAndFilter() {
    var state = Fixtures.state(rows: 48, columns: 160)
    _ = Fixtures.press([.character("/")], &state)
    _ = Fixtures.type("s", &state)
    _ = Fixtures.press([.enter, .down], &state)
    let selected = state.selectedRow?.name
    _ = Reducer.reduce(&state, .resize(rows: 24, columns: 80))
    #expect(state.filter == "s")
    #expect(state.selectedRow?.name == selected)
    #expect(state.screenColumns == 80)
  }

  @Test func reloadKeepsTheSelectedProfile() {
    var state = Fixtures.state()
    _ = Fixtures.press([.character("G")], &state)
    _ = Reducer.reduce(&state, .profilesLoaded(Fixtures.rows().reversed(), configPath: "~/.aws/config"))
    #expect(state.selectedRow?.name == "staging")
  }

  @Test func ticksAdvanceTheClockAndExpireTheFlash() {
    var state = Fixtures.state()
    _ = Reducer.reduce(&state, .failed(Failure("boom")))
    #expect(state.flash != nil)
    _ = Reducer.reduce(&state, .tick(Fixtures.now + 10))
    #expect(state.flash == nil)
    #expect(state.now == Fixtures.now + 10)
  }

  @Test func shellExitRereadsCaches() {
    var state = Fixtures.state()
    #expect(Reducer.reduce(&state, .shellExited(profile: "dev", result: .success(0))) == [.reloadCaches])
  }
}

@Suite("Credential status")
struct CredentialStatusTests {
  @Test func wordsReadWithoutColour() {
    let now = Fixtures.now
    #expect(CredentialStatus(expiration: nil, now: now).text == "no credentials")
    #expect(CredentialStatus(expiration: now + 42 * 60 + 7, now: now).text == "valid 42m07s")
    #expect(CredentialStatus(expiration: now + 3 * 3600 + 5, now: now).text == "valid 3h00m05s")
    #expect(CredentialStatus(expiration: now + 4 * 60 + 10, now: now).text == "expiring 4m10s")
    #expect(CredentialStatus(expiration: now + 9, now: now).text == "expiring 9s")
    #expect(CredentialStatus(expiration: now, now: now).text == "expired")
    #expect(CredentialStatus(expiration: now - 100, now: now).text == "expired")
  }

  @Test func countdownChangesEverySecond() {
    let expiration = Fixtures.now + 600 + 30
    #expect(
      CredentialStatus(expiration: expiration, now: Fixtures.now).text
        != CredentialStatus(expiration: expiration, now: Fixtures.now + 1).text)
  }
}

@Suite("Filter selection")
struct FilterSelectionTests {
  @Test func whenTheSelectedProfileIsFilteredOutTheFirstMatchIsSelected() {
    var state = Fixtures.state()
    _ = Fixtures.press([.character("G")], &state)
    _ = Fixtures.press([.character("/")], &state)
    _ = Fixtures.type("dev", &state)
    #expect(state.visible.map { state.rows[$0].name } == ["dev", "sso-dev"])
    #expect(state.selectedRow?.name == "dev")
  }
}
