import Foundation
import RunAsCore
import Testing

@testable import RunAsTUI

/// Pane values are wrapped, never cut: whatever the width, every character of an ARN is on screen.
@Suite("Pane text")
struct PaneTextTests {
  static let longARN =
    "arn:aws:sts::210987654321:assumed-role/ops-administrators-with-a-long-role-name/alice.example@corp.example.com"

  /// The selected profile's whoami pane after GetCallerIdentity answered `arn`.
  static func whoamiScreen(columns: Int, rows: Int = 40, arn: String = longARN) -> ScreenBuffer {
    var state = Fixtures.state(rows: rows, columns: columns)
    _ = Fixtures.press([.character("w")], &state)
    _ = Reducer.reduce(
      &state,
      .whoamiFinished(
        profile: "audit",
        result: .success(CallerIdentity(account: "210987654321", arn: arn, userID: "AROAEXAMPLE:alice"))))
    return Renderer.render(state)
  }

  /// The pane's text from the `Arn` label on, continuation lines joined without their indent.
  static func arnText(in screen: ScreenBuffer) -> String {
    let lines = screen.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    guard let start = lines.firstIndex(where: { $0.contains("Arn      ") }) else { return "" }
    let column = lines[start].range(of: "Arn      ")!.upperBound
    let offset = lines[start].distance(from: lines[start].startIndex, to: column)
    var text = ""
    for line in lines[start...] {
      let characters = Array(line)
      guard characters.count > offset else { break }
      let value = String(characters[offset...]).trimmingCharacters(in: .whitespaces)
      if line != lines[start] && (line.contains("UserId") || value.isEmpty) { break }
      text += value
    }
    return text
  }

  @Test(arguments: [80, 100, 140, 160, 220])
  func whoamiShowsTheWholeARN(columns: Int) {
    let screen = Self.whoamiScreen(columns: columns)
    #expect(Self.arnText(in: screen) == Self.longARN, "\(screen.text)")
    #expect(screen.text.contains("UserId   AROAEXAMPLE:alice"))
  }

  @Test func longWordsBreakAfterASeparatorNearTheEndOfTheLine() {
    let lines = Renderer.wrap("arn:aws:iam::123456789012:role/path/to/a-role-name", width: 20)
    #expect(lines.joined() == "arn:aws:iam::123456789012:role/path/to/a-role-name")
    #expect(lines.allSatisfy { $0.count <= 20 })
    #expect(lines.first == "arn:aws:iam::")
  }

  @Test func settingsTooLongForTheirLineWrapWithTheirOrigin() {
    let lines = Renderer.indented("  ← " + String(repeating: "x", count: 50), width: 30)
    #expect(lines.count == 2)
    #expect(lines.allSatisfy { $0.text.count <= 30 })
    #expect(lines[0].text.hasPrefix("  ← x"))
    #expect(lines[1].text.hasPrefix("    x"))
  }

  @Test func expiryIsShownToTheSecondInTheChosenZone() {
    var state = Fixtures.state(rows: 24, columns: 160)
    state.localTime = .fixed(offsetSeconds: 3600, name: "CET")
    let expiry = Fixtures.now - 30  // the selected profile's (audit)
    let screen = Renderer.render(state).text
    #expect(screen.contains("until " + LocalTime.fixed(offsetSeconds: 3600, name: "CET").format(expiry)))
    #expect(!screen.contains("T22:"), "no RFC 3339 on screen")
  }
}
