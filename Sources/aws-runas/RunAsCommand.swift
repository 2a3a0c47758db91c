import ArgumentParser
import Logging
import RunAsCore

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
#if canImport(Glibc)
  import Glibc
#endif

/// `aws-runas [flags] [profile] [command …]`: fetch credentials for a profile, print them, or run a
/// command with them.
struct RunAsCommand: ParsableCommand {
  /// What `--version` prints.
  static let versionLine = "aws-runas version \(RunAsCore.version)\n"

  static let configuration = CommandConfiguration(
    commandName: "aws-runas",
    abstract: "Create an environment for interacting with the AWS API using an assumed role.",
    discussion: """
      Commands: diagnose [profile], list mfa|roles [profile], serve ec2|ecs [profile], password <profile>,
      ssm shell|forward|ssh <profile> <target>, ecr login <profile>, shell, forward, help.
      Without a command, prints the profile's credentials as shell variables (-O json for
      credential_process), or runs the given program with them.
      """)

  @OptionGroup var options: GlobalOptions

  @Argument(
    parsing: .captureForPassthrough, help: "A profile name or role ARN, then an optional command and its arguments.")
  var arguments: [String] = []

  static let shortOptionsWithValues: Set<Character> = [
    "d", "a", "o", "M", "t", "X", "J", "S", "I", "W", "T", "C", "U", "P", "R", "O",
  ]
  static let longOptionsWithValues: Set<String> = [
    "duration", "role-duration", "otp", "mfa-serial", "mfa-type", "external-id", "jump-role", "saml-url",
    "saml-entityid", "web-url", "web-redirect", "web-client", "username", "saml-user", "password",
    "saml-password", "provider", "saml-provider", "output",
  ]

  /// How many following arguments a flag word consumes as its value (0 or 1).
  static func valuesConsumed(by argument: String) -> Int {
    if argument.hasPrefix("--") {
      let name = argument.dropFirst(2)
      if name.contains("=") { return 0 }
      return longOptionsWithValues.contains(String(name)) ? 1 : 0
    }
    guard let last = argument.last, argument.count >= 2 else { return 0 }
    if argument.contains("=") { return 0 }
    return shortOptionsWithValues.contains(last) ? 1 : 0
  }

  func run() throws {}

  /// Runs the default action with `flags` and the positional `arguments`; returns the exit status.
  static func run(flags options: CommandLineFlags, arguments: [String]) async throws -> Int32 {
    // Everything after the profile belongs to the command, so ArgumentParser hands unknown
    // options over as arguments; one in the profile's place is a mistake, not a profile.
    if let first = arguments.first, first.hasPrefix("-"), first.count > 1 {
      throw CommandFailure("unknown option \(first) (see aws-runas --help)")
    }
    let context = try CommandContext(flags: options)
    let (environment, effective, logger) = (context.environment, context.options, context.logger)
    if options.version {
      writeToStandardOutput(Self.versionLine)
      return 0
    }
    if options.listMFA || options.listRoles {
      return try await ListCommand(kind: options.listMFA ? .mfa : .roles, profile: arguments.first)
        .run(global: options)
    }
    if options.update {
      return try await UpdateCommand.run(environment: environment)
    }
    if options.ec2 {
      return try await ServeCommand(mode: .ec2, profile: arguments.first).run(global: options)
    }
    if options.diagnose {
      return try await DiagnoseCommand(profile: arguments.first).run(global: options)
    }
    return try await ExecAction(
      arguments: arguments, options: effective, environment: environment, logger: logger
    ).run()
  }
}

/// Builds the process logger: INFO by default, DEBUG with `-v`.
func makeLogger(verbosity: Int) -> Logger {
  let level: Logger.Level = verbosity > 0 ? .debug : .info
  return Logger(label: "aws-runas") { _ in StandardErrorLogHandler(logLevel: level) }
}

/// The process environment as a dictionary.
enum ProcessEnvironment {
  static func current() -> [String: String] {
    var result: [String: String] = [:]
    var pointer = environ
    while let entry = pointer.pointee {
      let text = String(cString: entry)
      if let equals = text.firstIndex(of: "=") {
        result[String(text[..<equals])] = String(text[text.index(after: equals)...])
      }
      pointer += 1
    }
    return result
  }
}
