import ArgumentParser
import RunAsCore

/// `aws-runas password [profile]` (aliases `passwd`, `pw`): stores the password of the profile's
/// identity provider, obfuscated, in the credentials file under the provider's URL (spec §6.6).
/// The password comes from `-P` or the environment, else it is typed twice without echo.
struct PasswordCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "password",
    abstract: "Set or update the stored password for a profile's SAML or OIDC identity provider.")

  @Argument(help: "The profile (default: AWS_PROFILE, else [default]).")
  var profile: String?

  init() {}

  func run(global: CommandLineFlags) async throws -> Int32 {
    let context = try CommandContext(flags: global)
    let engine = try context.makeEngine()
    let resolved = try engine.resolve(context.profileName(profile) ?? "", overrides: context.options.overrides)
    let target = try IdentityProviderPassword.Target(of: resolved.settings)
    let password: String
    if let supplied = IdentityProviderPassword.supplied(
      kind: target.kind, flag: global.password, environment: context.environment)
    {
      password = supplied.value
    } else {
      password = try await IdentityProviderPassword.askForNewPassword(prompter: TTYPrompter())
    }
    let path = try await IdentityProviderPassword.store(
      password, for: target, credentialsPath: engine.files.credentialsPath)
    context.logger.info("stored the \(target.kind.credentialsFileKey) for \(target.url) in \(path)")
    return 0
  }
}
