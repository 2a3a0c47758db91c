import ArgumentParser
import RunAsCore

/// `aws-runas list roles|mfa [profile]` (also `-l`, `-m`): the roles the profile's IAM user may
/// assume, or its MFA devices (spec §4.5, §4.6).
struct ListCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list",
    abstract: "List the roles you may assume or your MFA devices.",
    aliases: ["ls"])

  /// What to list.
  enum Kind: String, ExpressibleByArgument, CaseIterable {
    case roles, mfa
  }

  @Argument(help: "roles or mfa.")
  var kind: Kind

  @Argument(help: "The profile whose IAM user to ask about (default: AWS_PROFILE, else [default]).")
  var profile: String?

  init() {}

  init(kind: Kind, profile: String?) {
    self.kind = kind
    self.profile = profile
  }

  func run(global: CommandLineFlags) async throws -> Int32 {
    let context = try CommandContext(flags: global)
    let effective = context.options
    let engine = try context.makeEngine()
    let name = context.profileName(profile) ?? ""
    let resolved = try engine.resolve(name, overrides: effective.overrides)
    let listing = IdentityListing(
      engine: engine, mfa: MFACodeSource(presetCode: effective.mfaCode, prompter: TerminalPrompter()))
    switch kind {
    case .roles:
      let (userName, roles) = try await listing.assumableRoles(for: resolved)
      // Names and ARNs come from IAM's answers: printed with control characters escaped.
      var text = "Available role ARNs for \(TerminalText.sanitized(userName))\n"
      for role in roles { text += "  \(TerminalText.sanitized(role))\n" }
      writeToStandardOutput(text)
    case .mfa:
      let devices = try await listing.mfaDevices(for: resolved)
      writeToStandardOutput(devices.map { TerminalText.sanitized($0) + "\n" }.joined())
    }
    return 0
  }
}

/// `aws-runas update` (also `-u`): says whether a newer release exists (spec §7.4, §12.2).
enum UpdateCommand {
  static func run(environment: [String: String]) async throws -> Int32 {
    switch try await UpdateCheck(environment: environment).run() {
    case .upToDate(let version):
      writeToStandardOutput("aws-runas is up to date (\(version))\n")
    case .newVersion(let version, let url):
      // Both come from the release server's redirect.
      writeToStandardOutput(
        "New version of aws-runas available: \(TerminalText.excerpt(version, limit: 100))\n"
          + "Download available at: \(TerminalText.excerpt(url, limit: 500))\n")
    }
    return 0
  }
}

/// Profile names for shell completion (`--generate-bash-completion`, as the Go tool's CLI
/// library spells it): every profile of the config and credentials files, sorted, one a line.
enum CompletionCommand {
  static let flag = "--generate-bash-completion"

  static func run(environment: [String: String]) -> Int32 {
    guard let files = try? AWSConfigFiles.load(environment: environment) else { return 0 }
    let names = ProfileResolver(files: files, environment: environment).profileNames
    writeToStandardOutput(names.map { $0 + "\n" }.joined())
    return 0
  }
}
