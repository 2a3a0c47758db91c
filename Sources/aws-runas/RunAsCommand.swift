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
  static let abstract = "Create an environment for interacting with the AWS API using an assumed role."
  static let discussion = """
    Commands: diagnose [profile], list mfa|roles [profile], serve ec2|ecs [profile], password <profile>,
    ssm shell|forward|ssh <profile> <target>, ecr login <profile>, sso login|logout|list [profile],
    console [profile], shell, forward, help.
    Without a command, prints the profile's credentials as shell variables (-O json for
    credential_process), or runs the given program with them.
    """
  static let argumentsHelp = "A profile name or role ARN, then an optional command and its arguments."

  static let configuration = CommandConfiguration(
    commandName: "aws-runas", abstract: abstract, discussion: discussion)

  @OptionGroup var options: GlobalOptions

  @Argument(parsing: .captureForPassthrough, help: ArgumentHelp(argumentsHelp))
  var arguments: [String] = []

  /// How many following arguments a flag word consumes as its value (0 or 1).
  static func valuesConsumed(by argument: String) -> Int {
    if argument.hasPrefix("--") {
      let name = argument.dropFirst(2)
      if name.contains("=") { return 0 }
      return OptionSpec.all.contains { $0.takesValue && $0.longs.contains { $0 == name } } ? 1 : 0
    }
    guard let last = argument.last, argument.count >= 2 else { return 0 }
    if argument.contains("=") { return 0 }
    return OptionSpec.all.contains { $0.takesValue && $0.short == last } ? 1 : 0
  }

  /// The help for `aws-runas --help`, `help` and a call with nothing to do: rendered from
  /// ``OptionSpec`` when the width allows, which costs a few thousandth of what ArgumentParser's
  /// reflection does; otherwise ArgumentParser's.
  static func helpText() -> String {
    RootHelp.rendered(columns: RootHelp.terminalColumns()) ?? helpMessage()
  }

  func run() throws {}

  /// `aws-runas --version` and credentials served from the cache, for the argument shapes
  /// ``FastPathParser`` reads, without ArgumentParser and without the concurrency runtime: what
  /// `credential_process` and shell prompts run on every call. `nil` when ``run(flags:arguments:)``
  /// is needed; that path repeats the work and reports any error.
  static func runFromCache(_ arguments: [String]) -> Int32? {
    guard let fast = FastPathParser.parse(arguments) else { return nil }
    let flags = fast.flags
    if flags.version {
      printVersion()
      return 0
    }
    guard !flags.listMFA, !flags.listRoles, !flags.update, !flags.ec2, !flags.diagnose,
      let context = try? CommandContext(flags: flags)
    else { return nil }
    return ExecAction(
      arguments: fast.arguments, options: context.options, environment: context.environment, logger: context.logger
    ).runFromCache()
  }

  static func printVersion() {
    writeToStandardOutput("aws-runas version \(RunAsCore.version)\n")
  }

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
      printVersion()
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
    var count = 0
    while environ[count] != nil { count += 1 }
    // Sized up front: growing a dictionary on the cached-credential path costs a runtime lookup
    // of `String: Hashable`, a scan of every conformance in the binary.
    var result = [String: String](minimumCapacity: count)
    for index in 0..<count {
      guard let entry = environ[index], let equals = strchr(entry, Int32(UInt8(ascii: "="))) else { continue }
      let name = UnsafeRawBufferPointer(start: entry, count: equals - entry)
      result[String(decoding: name, as: UTF8.self)] = String(cString: equals + 1)
    }
    return result
  }
}
