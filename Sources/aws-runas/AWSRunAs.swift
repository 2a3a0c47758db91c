import ArgumentParser
import Dispatch
import RunAsCore

#if canImport(Glibc)
  import Glibc
#endif

/// The aws-runas command line: parses arguments, then hands over to the engine.
@main
enum AWSRunAs {
  /// Words that name subcommands, so they cannot be profile names in the first position.
  /// (An array: building a `Set` costs more at start-up than the few comparisons it would save.)
  static let subcommandWords: [String] = [
    "diagnose", "diag", "list", "ls", "serve", "srv", "ssm", "ecr", "password", "passwd", "pw",
    "update", "shell", "forward", "help", "h", "sso", "console",
  ]

  /// Synchronous: `credential_process` and shell prompts run `aws-runas` on every call, and a
  /// cache hit or `--version` finishes before anything starts the concurrency runtime (an async
  /// `main` creates a task and the main queue first).
  static func main() {
    let arguments = Array(CommandLine.arguments.dropFirst())
    if asksForHelp(arguments) {
      writeToStandardOutput(RunAsCommand.helpText() + "\n")
      exit(0)
    }
    if arguments.last == CompletionCommand.flag {
      exit(CompletionCommand.run(environment: ProcessEnvironment.current()))
    }
    if let cached = RunAsCommand.runFromCache(arguments) { exit(cached) }
    // What an async `main` does: the rest runs as a main-actor task on the main queue.
    Task { @MainActor in exit(await run(arguments)) }
    dispatchMain()
  }

  /// Everything but the cached-credential path; returns the exit status.
  static func run(_ arguments: [String]) async -> Int32 {
    do {
      if let fast = FastPathParser.parse(arguments) {
        return try await RunAsCommand.run(flags: fast.flags, arguments: fast.arguments)
      }
      let split = splitAtSubcommand(arguments)
      let root = try RunAsCommand.parse(split.global)
      if let subcommand = split.subcommand {
        return try await runSubcommand(subcommand, global: root.options.flags)
      }
      return try await RunAsCommand.run(flags: root.options.flags, arguments: root.arguments)
    } catch {
      return report(error)
    }
  }

  /// Splits the arguments at the first positional word when it names a subcommand: global flags
  /// before it, the subcommand and its own arguments after.
  static func splitAtSubcommand(_ arguments: [String]) -> (global: [String], subcommand: [String]?) {
    var index = 0
    while index < arguments.count {
      let argument = arguments[index]
      if argument == "--" { break }
      if argument.hasPrefix("-") && argument.count > 1 {
        index += 1 + RunAsCommand.valuesConsumed(by: argument)
        continue
      }
      if subcommandWords.contains(argument) {
        return (Array(arguments[..<index]), Array(arguments[index...]))
      }
      break
    }
    return (arguments, nil)
  }

  static func runSubcommand(_ words: [String], global: CommandLineFlags) async throws -> Int32 {
    let name = words[0]
    let rest = Array(words.dropFirst())
    switch name {
    case "diagnose", "diag":
      let command = try DiagnoseCommand.parse(rest)
      return try await command.run(global: global)
    case "list", "ls":
      return try await ListCommand.parse(rest).run(global: global)
    case "serve", "srv":
      return try await ServeCommand.parse(rest).run(global: global)
    case "update":
      return try await UpdateCommand.run(environment: ProcessEnvironment.current())
    case "shell":
      return try await SubcommandParsing.parse(ShellCommand.self, rest)?.run(global: global) ?? 0
    case "forward":
      return try await SubcommandParsing.parse(ForwardCommand.self, rest)?.run(global: global) ?? 0
    case "ssm":
      return try await SSMCommand.run(rest, global: global)
    case "ecr":
      return try await SubcommandParsing.parse(ECRCommand.self, rest)?.run(global: global) ?? 0
    case "sso":
      return try await SSOCommand.parse(rest).run(global: global)
    case "console":
      return try await ConsoleCommand.parse(rest).run(global: global)
    case "password", "passwd", "pw":
      return try await PasswordCommand.parse(rest).run(global: global)
    case "help", "h":
      print(RunAsCommand.helpText())
      return 0
    default:
      throw CommandFailure("the `\(name)` command is not available in this version of aws-runas yet")
    }
  }

  /// Whether the flags before the first positional argument ask for help (`-h`, `--help`).
  ///
  /// The default action passes everything after the profile to the command, so ArgumentParser
  /// would otherwise take `--help` for a profile name.
  static func asksForHelp(_ arguments: [String]) -> Bool {
    var index = 0
    while index < arguments.count {
      let argument = arguments[index]
      if argument == "-h" || argument == "--help" { return true }
      guard argument.hasPrefix("-"), argument.count > 1, argument != "--" else { return false }
      index += 1 + RunAsCommand.valuesConsumed(by: argument)
    }
    return false
  }

  /// Prints an error the way the Go tool does and returns the exit code for it: one line, exit 1
  /// (0 and the full text for a help request).
  static func report(_ error: any Error) -> Int32 {
    if let exit = error as? ExitCode { return exit.rawValue }
    guard String(reflecting: type(of: error)).hasPrefix("ArgumentParser.") else {
      writeToStandardError(
        "\(StandardErrorLogHandler.timestamp()) ERROR \(StandardErrorLogHandler.terminalSafe("\(error)", level: .error))\n"
      )
      return 1
    }
    let code = RunAsCommand.exitCode(for: error).rawValue
    if code == 0 {
      writeToStandardOutput(RunAsCommand.fullMessage(for: error) + "\n")
      return 0
    }
    let message = RunAsCommand.message(for: error)
    if message.isEmpty { return 1 }
    let shown = StandardErrorLogHandler.terminalSafe(message, level: .error)
    writeToStandardError("\(StandardErrorLogHandler.timestamp()) ERROR \(shown) (see aws-runas --help)\n")
    return 1
  }
}

/// An error the command line reports as one line and exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
