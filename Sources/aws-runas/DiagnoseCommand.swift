import ArgumentParser
import Logging
import RunAsCore

#if canImport(Glibc)
  import Glibc
#endif

/// `aws-runas diagnose [profile]` (also `-D`): checks the configuration and prints what was resolved
/// and where each value came from.
struct DiagnoseCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "diagnose",
    abstract: "Run diagnostics on a profile's configuration and print the resolved settings.",
    aliases: ["diag"])

  @Argument(help: "The profile to check (default: the [default] section).")
  var profile: String?

  init() {}

  init(profile: String?) {
    self.profile = profile
  }

  func run(global: CommandLineFlags) async throws -> Int32 {
    let context = try CommandContext(flags: global)
    let engine = try context.makeEngine()
    let report = await engine.diagnose(
      profileName: context.profileName(profile), overrides: context.options.overrides)
    for finding in report.findings {
      let message = StandardErrorLogHandler.terminalSafe(finding.message, level: .info)
      writeToStandardError("\(StandardErrorLogHandler.timestamp()) \(finding.severity.rawValue) \(message)\n")
    }
    guard let resolved = report.profile else { return 1 }
    // Values come from files and the environment: quoted as excerpts, never raw.
    var output = ""
    for (key, value) in report.configurationDump { output += "\(key): \(TerminalText.excerpt(value))\n" }
    output += "\n# where each setting came from\n"
    for entry in resolved.settings.described {
      output += "\(entry.key) = \(TerminalText.excerpt(entry.value))    (\(TerminalText.excerpt("\(entry.origin)")))\n"
    }
    if let keys = resolved.chain.first?.staticCredentials {
      // Where the keys are, never what they are.
      output += "aws_access_key_id = (not shown)    (\(TerminalText.excerpt("\(keys.origin)")))\n"
    }
    writeToStandardOutput(output)
    return 0
  }
}
