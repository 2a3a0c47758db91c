import ArgumentParser
import Logging
import RunAsCore

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// What `shell`, `forward`, `ssm ssh` and `ecr login` do before their own work (spec §8.1):
/// resolve the profile, `-r` clears its cache, fetch credentials (prompting for MFA if needed),
/// `-c` writes them, `-e` and `-w` report on them.
struct ProfileCredentials {
  let context: CommandContext
  let engine: RunAsEngine
  let profile: ResolvedProfile
  let credentials: AWSCredentials
  /// The name `AWSRUNAS_PROFILE` shows; `nil` for a role ARN or the default profile.
  let displayName: String?

  var region: String? { profile.settings.region?.value }

  static func obtain(context: CommandContext, profileName: String) async throws -> ProfileCredentials {
    let options = context.options
    let engine = try context.makeEngine()
    let profile = try engine.resolve(profileName, overrides: options.overrides)
    let provider = try engine.provider(
      for: profile, sessionOnly: options.sessionOnly,
      mfa: MFACodeSource(presetCode: options.mfaCode, prompter: TTYPrompter()))
    if options.refresh { try provider.clearCache() }
    let credentials = try await provider.credentials(validFor: RunAsEngine.refreshMargin)
    context.logger.debug("credentials ready for \(profile.displayName), key id \(credentials.accessKeyID)")
    if options.writeCredentials, !profileName.isEmpty {
      let section = CredentialsFileWriter.sectionName(for: profileName)
      do {
        try await CredentialsFileWriter(path: engine.files.credentialsPath).write(credentials, section: section)
        context.logger.info("Credentials written to AWS credentials file under profile: \(section)")
      } catch {
        context.logger.warning("could not write the credentials file: \(error)")
      }
    }
    if options.showExpiration {
      writeToStandardError(CredentialOutput.expirationLine(credentials, now: Date()) + "\n")
    }
    if options.whoami {
      let identity = try await engine.stsService(for: profile).getCallerIdentity(credentials: credentials)
      context.logger.info("{UserId:\(identity.userID) Arn:\(identity.arn) Account:\(identity.account)}")
    }
    let displayName = profile.isRoleARNProfile ? nil : (profile.name.isEmpty ? nil : profile.name)
    return ProfileCredentials(
      context: context, engine: engine, profile: profile, credentials: credentials, displayName: displayName)
  }

  /// The profile's AWS clients with these credentials.
  func clients() -> ProfileServiceClients {
    ProfileServiceClients(
      profile: profile, credentials: credentials, environment: context.environment, logger: context.logger)
  }
}

/// The profile and target of `shell`, `forward` and `ssm ssh`: `profile target`, or `target` alone
/// with the profile from `AWS_PROFILE` (or `AWS_DEFAULT_PROFILE`).
enum SessionArguments {
  static func split(_ arguments: [String], context: CommandContext, usage: String) throws -> (
    profile: String, target: String
  ) {
    switch arguments.count {
    case 2:
      return (arguments[0], arguments[1])
    case 1:
      guard let profile = context.profileName(nil) else {
        throw CommandFailure("missing target (usage: \(usage)); with one argument the profile comes from AWS_PROFILE")
      }
      return (profile, arguments[0])
    case 0:
      throw CommandFailure("missing profile and target (usage: \(usage))")
    default:
      throw CommandFailure(
        "too many arguments: \(arguments.dropFirst(2).map { TerminalText.excerpt($0, limit: 60) }.joined(separator: " ")) "
          + "(usage: \(usage))")
    }
  }
}

/// Runs one SSM session for the session commands: the plugin is checked first (before any
/// prompt or AWS call), then credentials, then the session.
enum SessionCommandRunner {
  static func run(
    global: CommandLineFlags, arguments: [String], usage: String,
    makeSession: (_ targetText: String) throws -> (SessionTarget, SSMSessionKind)
  ) async throws -> Int32 {
    let context = try CommandContext(flags: global)
    let (profileName, targetText) = try SessionArguments.split(arguments, context: context, usage: usage)
    let (target, kind) = try makeSession(targetText)
    let plugin = try await SessionManagerPlugin.locate(environment: context.environment)
    let prepared = try await ProfileCredentials.obtain(context: context, profileName: profileName)
    let session = SSMSession(
      services: prepared.clients(), plugin: plugin,
      pluginEnvironment: SSMSession.pluginEnvironment(
        parent: context.environment, credentials: prepared.credentials, region: prepared.region,
        profileName: prepared.displayName),
      environment: context.environment, logger: context.logger)
    do {
      return try await session.run(kind, target: target).exitStatus
    } catch let failure as SessionManagerPluginError {
      guard case .failed(let status, _) = failure else { throw failure }
      // The plugin's own status, after one line saying what failed.
      _ = AWSRunAs.report(failure)
      return status
    }
  }
}

/// Parses a subcommand's own arguments; `--help` prints that subcommand's help (not the root's)
/// and gives `nil`.
enum SubcommandParsing {
  static func parse<Command: ParsableCommand>(_ type: Command.Type, _ arguments: [String]) throws -> Command? {
    do {
      return try Command.parse(arguments)
    } catch {
      guard Command.exitCode(for: error) == .success else { throw error }
      writeToStandardOutput(Command.fullMessage(for: error) + "\n")
      return nil
    }
  }
}
