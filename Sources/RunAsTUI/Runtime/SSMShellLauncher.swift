import RunAsCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs an SSM shell (`x`) on a target with a profile's credentials, as `aws-runas shell profile
/// target` does: the target resolved through EC2, StartSession, the session in
/// `session-manager-plugin`, TerminateSession when it ends.
enum SSMShellLauncher {
  /// Runs the session and returns the plugin's exit status.
  static func run(profileName: String, target targetText: String, engine: RunAsEngine) async throws -> Int32 {
    let target = try SessionTarget(parsing: targetText)
    let plugin = try await SessionManagerPlugin.locate(environment: engine.environment)
    let profile = try engine.resolve(profileName)
    // The TUI fetched them just before (a cache hit); the quiet chain never prompts here.
    let provider = try engine.provider(for: profile, mfa: MFACodeSource(presetCode: nil, prompter: NoPrompter()))
    let credentials = try await provider.credentials(validFor: RunAsEngine.refreshMargin)
    // Names come from the config file and the user: escaped so they cannot drive the terminal.
    let banner = TerminalText.sanitized(
      "aws-runas-tui: SSM shell on \(targetText) as \(profileName); exit returns to the list")
    _ = (banner + "\n").withCString { write(STDERR_FILENO, $0, strlen($0)) }
    let region = profile.settings.region?.value
    let session = SSMSession(
      services: ProfileServiceClients(
        profile: profile, credentials: credentials, environment: engine.environment, logger: engine.logger),
      plugin: plugin,
      pluginEnvironment: SSMSession.pluginEnvironment(
        parent: engine.environment, credentials: credentials, region: region, profileName: profile.displayName),
      environment: engine.environment, logger: engine.logger)
    return try await session.run(.shell, target: target).exitStatus
  }
}
