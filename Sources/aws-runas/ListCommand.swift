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
      engine: engine, mfa: MFACodeSource(presetCode: effective.mfaCode, prompter: TTYPrompter()))
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
