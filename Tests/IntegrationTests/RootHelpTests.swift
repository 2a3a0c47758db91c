import Testing

@testable import aws_runas

/// The help rendered without ArgumentParser must be ArgumentParser's, character for character.
@Suite("Root help")
struct RootHelpTests {
  // Past 140 columns no line of the help wraps any more.
  @Test(arguments: Array(40...140) + [200])
  func rendersWhatArgumentParserRenders(columns: Int) {
    #expect(RootHelp.rendered(columns: columns) == RunAsCommand.helpMessage(columns: columns))
  }

  @Test func narrowTerminalsAreLeftToArgumentParser() {
    #expect(RootHelp.rendered(columns: 39) == nil)
  }

  @Test(arguments: ["--help", "-h", "help"])
  func binaryPrintsTheHelpAtTheWidthOfColumns(_ word: String) async throws {
    let scenario = try await Scenario { _ in Scenario.roleProfileConfig() }
    for columns in [60, 100] {
      let result = try await scenario.runAs([word], environment: ["COLUMNS": String(columns)])
      #expect(result.exitCode == 0, "\(result.output())")
      #expect(result.stdout == RunAsCommand.helpMessage(columns: columns) + "\n")
    }
  }
}
