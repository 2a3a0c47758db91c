import ArgumentParser
import RunAsCore

/// `aws-runas serve ecs|ec2 [profile]` (also `--ec2`): a long-running credential server whose
/// active profile can be switched through the management API (spec §5.2–5.4).
struct ServeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve credentials as an ECS credential endpoint or an EC2 metadata service.",
    aliases: ["srv"])

  /// The two kinds of server.
  enum Mode: String, ExpressibleByArgument, CaseIterable {
    case ecs, ec2

    /// The engine's name for it.
    var serveMode: ServeMode {
      switch self {
      case .ecs: .ecs
      case .ec2: .ec2
      }
    }
  }

  @Argument(help: "ecs (container credential endpoint) or ec2 (instance metadata service).")
  var mode: Mode

  @Argument(help: "The profile to serve first (otherwise POST one to /profile).")
  var profile: String?

  @Option(
    name: [.customShort("p"), .long], parsing: .unconditional,
    help: "Port on 127.0.0.1 (ecs: default 12319; ec2: default the real IMDS address, 0 = any free port).")
  var port: Int?

  @Flag(name: [.customShort("H"), .long], help: "Ask for MFA codes on the terminal (always the case here).")
  var headless = false

  init() {}

  init(mode: Mode, profile: String?) {
    self.mode = mode
    self.profile = profile
  }

  func run(global: CommandLineFlags) async throws -> Int32 {
    let context = try CommandContext(flags: global)
    let (environment, effective, logger) = (context.environment, context.options, context.logger)
    // Fail on a broken configuration now rather than on the first request.
    _ = try context.makeEngine()
    let configuration = try ServeConfiguration(mode: mode.serveMode, port: port, environment: environment)
    let switchboard = CredentialSwitchboard(
      overrides: effective.overrides, sessionOnly: effective.sessionOnly, presetMFACode: effective.mfaCode,
      prompter: TTYPrompter(),
      makeEngine: {
        var engine = try RunAsEngine(environment: environment, logger: logger)
        engine.identityProviderPassword = effective.identityProviderPassword
        return engine
      })
    let profileName = profile ?? environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
    if let profileName {
      try await switchboard.activate(profileName)
    }
    let server = try await CredentialServer.start(
      configuration, switchboard: switchboard, environment: environment, logger: logger)
    let url = server.address.url
    switch mode {
    case .ecs:
      logger.info("ECS credential endpoint set to \(url)")
      logger.info(
        "set AWS_CONTAINER_CREDENTIALS_FULL_URI=\(url) (and AWS_SHARED_CREDENTIALS_FILE=/dev/null) for your program")
    case .ec2:
      logger.info("EC2 metadata endpoint set to \(url)")
      if server.address != .instanceMetadata {
        logger.info("set AWS_EC2_METADATA_SERVICE_ENDPOINT=\(url) for your program")
      }
    }
    if let profileName {
      logger.info("Using initial profile '\(profileName)'")
    } else {
      let base = server.address.baseURL
      logger.info(
        "POST a profile name to \(base)/profile to begin (e.g. curl -H 'Content-Type: application/json' -d '\"my-profile\"' \(base)/profile)"
      )
    }
    await waitForTerminationSignal()
    logger.info("shutting down")
    await server.stop()
    return 0
  }
}
