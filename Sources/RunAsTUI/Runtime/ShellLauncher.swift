import RunAsCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs `$SHELL` under a profile's role with the semantics of `aws-runas <profile> <command>`: a
/// private token-locked credential endpoint on 127.0.0.1 that refreshes by itself, region,
/// `AWSRUNAS_PROFILE` and `AWSRUNAS_EXPIRATION` set, static keys and `AWS_PROFILE` removed.
enum ShellLauncher {
  /// Runs the shell and returns its exit status.
  static func run(profileName: String, engine: RunAsEngine) async throws -> Int32 {
    let profile = try engine.resolve(profileName)
    let quiet = try engine.provider(for: profile, mfa: MFACodeSource(presetCode: nil, prompter: NoPrompter()))
    // The TUI fetched them just before (a cache hit); the quiet chain never prompts here.
    let credentials = try await quiet.credentials(validFor: RunAsEngine.refreshMargin)
    let source = try engine.refreshingCredentials(
      for: profile, mfa: MFACodeSource(presetCode: nil, prompter: TTYPrompter(startsOnNewLine: true)),
      initial: credentials)
    let shell = engine.environment["SHELL"].flatMap { $0.isEmpty ? nil : $0 } ?? "/bin/sh"
    var banner = ""
    if let outer = engine.environment["AWSRUNAS_PROFILE"], !outer.isEmpty {
      banner += "aws-runas-tui: warning: already inside an aws-runas shell for \(outer); this one is \(profileName)\n"
    }
    let until = credentials.expiration.map { " until " + LocalTime.system.format($0) } ?? ""
    banner += "aws-runas-tui: \(shell) as \(profileName)\(until); exit returns to the list\n"
    // Names come from the config file: escaped so they cannot drive the terminal.
    banner = banner.split(separator: "\n").map { TerminalText.sanitized(String($0)) + "\n" }.joined()
    _ = banner.withCString { write(STDERR_FILENO, $0, strlen($0)) }
    let termination = try await ChildProcess.runBehindCredentialEndpoint(
      [shell], source: source, parentEnvironment: engine.environment, region: profile.settings.region?.value,
      profileName: profile.displayName, expiration: credentials.expiration, logger: engine.logger)
    return termination.exitCode
  }
}
