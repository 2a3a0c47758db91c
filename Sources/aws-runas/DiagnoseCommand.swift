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
      let line = "\(StandardErrorLogHandler.timestamp()) \(finding.severity.rawValue) \(finding.message)\n"
      writeToStandardError(line)
    }
    guard let resolved = report.profile else { return 1 }
    for (key, value) in report.configurationDump { print("\(key): \(value)") }
    print("")
    print("# where each setting came from")
    for entry in resolved.settings.described {
      print("\(entry.key) = \(entry.value)    (\(entry.origin))")
    }
    if let keys = resolved.chain.first?.staticCredentials {
      print("aws_access_key_id = \(keys.accessKeyID)    (\(keys.origin))")
    }
    return 0
  }
}
