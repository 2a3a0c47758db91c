import Foundation
import RunAsCore
import Testing

@testable import RunAsTUI

@Suite("Renderer")
struct RendererTests {
  @Test func listAt80x24() throws {
    try assertSnapshot(Renderer.render(Fixtures.state()), named: "list-80x24")
  }

  @Test func listAt160x48() throws {
    try assertSnapshot(Renderer.render(Fixtures.state(rows: 48, columns: 160)), named: "list-160x48")
  }

  @Test func filterAt80x24() throws {
    var state = Fixtures.state()
    _ = Fixtures.press([.character("/")], &state)
    _ = Fixtures.type("de", &state)
    let screen = Renderer.render(state)
    try assertSnapshot(screen, named: "filter-80x24")
    #expect(screen.cursor?.row == 22)
    #expect(screen.cursor?.column == 3)
  }

  @Test func detailsShowWhereEachSettingComesFrom() throws {
    var state = Fixtures.state(rows: 48, columns: 160)
    _ = Fixtures.press([.character("j"), .character("j"), .character("j"), .character("j")], &state)
    let screen = Renderer.render(state)
    try assertSnapshot(screen, named: "details-160x48")
    #expect(screen.text.contains("mfa_serial = arn:aws:iam::111111111111:mfa/alice"))
    #expect(screen.text.contains("/fixture/.aws/config [profile prod] line 12"))
  }

  @Test func whoamiAt80x24() throws {
    var state = Fixtures.state()
    _ = Fixtures.press([.character("w")], &state)
    _ = Reducer.reduce(
      &state,
      .whoamiFinished(
        profile: "audit",
        result: .success(
          CallerIdentity(
            account: "333333333333", arn: "arn:aws:sts::333333333333:assumed-role/auditor/alice",
            userID: "AROAEXAMPLE:alice"))))
    try assertSnapshot(Renderer.render(state), named: "whoami-80x24")
  }

  @Test func diagnoseAt160x48() throws {
    var state = Fixtures.state(rows: 48, columns: 160)
    _ = Fixtures.press([.character("d")], &state)
    _ = Reducer.reduce(
      &state,
      .diagnoseFinished(
        profile: "audit",
        .init(
          findings: [
            ("INFO", "region is configured in profile or environment variable"),
            ("WARN", "clock drift is 3m10s, AWS calls fail beyond 5 minutes"),
          ], configuration: [("PROFILE", "audit"), ("REGION", "eu-west-1")], clockDrift: .milliseconds(190_000))))
    let screen = Renderer.render(state)
    try assertSnapshot(screen, named: "diagnose-160x48")
    #expect(screen.line(0).contains("clock drift +190.0s"))
  }

  @Test func helpOverlayAt80x24() throws {
    var state = Fixtures.state()
    _ = Fixtures.press([.character("?")], &state)
    try assertSnapshot(Renderer.render(state), named: "help-80x24")
  }

  @Test func mfaModalAt80x24() throws {
    var state = Fixtures.state()
    _ = Reducer.reduce(
      &state, .promptRequested(.init(id: 1, question: "MFA token code: ", isSecret: false, profileName: "prod")))
    _ = Fixtures.type("123", &state)
    let screen = Renderer.render(state)
    try assertSnapshot(screen, named: "mfa-80x24")
    #expect(screen.text.contains("MFA token code: 123"))
  }

  @Test func secretPromptsAreMasked() {
    var state = Fixtures.state()
    _ = Reducer.reduce(&state, .promptRequested(.init(id: 1, question: "Password: ", isSecret: true, profileName: nil)))
    _ = Fixtures.type("hunter2", &state)
    let text = Renderer.render(state).text
    #expect(!text.contains("hunter2"))
    #expect(text.contains("Password: •••••••"))
  }

  @Test func countdownsAreColouredByState() throws {
    let state = Fixtures.state()
    let screen = Renderer.render(state)
    func style(of word: String) throws -> CellStyle {
      let row = try #require((0..<screen.rows).first { screen.line($0).contains(word) })
      let column = try #require(screen.line(row).range(of: word)).lowerBound.utf16Offset(in: screen.line(row))
      return screen[row, column].style
    }
    #expect(try style(of: "valid 42m07s") == .good)
    #expect(try style(of: "expiring 4m10s") == .warning)
    #expect(try style(of: "no credentials") == .dim)
  }

  @Test func everyLineFitsTheScreen() {
    for (rows, columns) in [(24, 80), (48, 160), (10, 40), (5, 20), (30, 119), (30, 120)] {
      let screen = Renderer.render(Fixtures.state(rows: rows, columns: columns))
      #expect(screen.rows == rows)
      for row in 0..<rows { #expect(screen.line(row).count <= columns) }
    }
  }

  @Test func aTinyTerminalSaysSo() {
    #expect(Renderer.render(Fixtures.state(rows: 5, columns: 30)).text.hasPrefix("terminal too small"))
  }
}

@Suite("Terminal keys")
struct KeyDecodingTests {
  @Test func controlCharactersBecomeKeys() {
    #expect(NcursesTerminal.decode(result: 0, value: 13) == .enter)
    #expect(NcursesTerminal.decode(result: 0, value: 27) == .escape)
    #expect(NcursesTerminal.decode(result: 0, value: 127) == .backspace)
    #expect(NcursesTerminal.decode(result: 0, value: 3) == .control("c"))
    #expect(NcursesTerminal.decode(result: 0, value: 18) == .control("r"))
    #expect(NcursesTerminal.decode(result: 0, value: 0x00E9) == .character("é"))
  }
}
