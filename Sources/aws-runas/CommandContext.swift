import Logging
import RunAsCore

/// What every command starts from: the process environment, the flags with their environment
/// variables applied, and a logger at the requested verbosity.
struct CommandContext {
  let environment: [String: String]
  let options: EffectiveOptions
  let logger: Logger

  init(flags: CommandLineFlags) throws {
    environment = ProcessEnvironment.current()
    options = try EffectiveOptions(flags, environment: environment)
    logger = makeLogger(verbosity: options.verbosity)
  }

  /// The engine over the configuration files this environment names.
  func makeEngine() throws -> RunAsEngine {
    var engine = try RunAsEngine(environment: environment, logger: logger)
    engine.identityProviderPassword = options.identityProviderPassword
    return engine
  }

  /// The profile a subcommand works on: its argument, else `AWS_PROFILE`, else `AWS_DEFAULT_PROFILE`.
  func profileName(_ argument: String?) -> String? {
    argument ?? environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
      ?? environment["AWS_DEFAULT_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
  }
}
