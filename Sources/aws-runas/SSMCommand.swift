import ArgumentParser
import RunAsCore

/// `aws-runas ssm shell|sh|forward|fwd|ssh …`: the 3.x spelling of the session commands.
enum SSMCommand {
  static let usage = "aws-runas ssm shell|forward|ssh [options] [profile] target"

  static func run(_ words: [String], global: CommandLineFlags) async throws -> Int32 {
    guard let name = words.first else {
      throw CommandFailure("ssm needs a subcommand: shell, forward or ssh (usage: \(usage))")
    }
    let rest = Array(words.dropFirst())
    switch name {
    case "shell", "sh":
      return try await SubcommandParsing.parse(ShellCommand.self, rest)?.run(global: global) ?? 0
    case "forward", "fwd":
      return try await SubcommandParsing.parse(ForwardCommand.self, rest)?.run(global: global) ?? 0
    case "ssh":
      return try await SubcommandParsing.parse(SSHCommand.self, rest)?.run(global: global) ?? 0
    case "-h", "--help", "help":
      writeToStandardOutput(
        """
        USAGE: \(usage)

        SUBCOMMANDS:
          shell, sh      \(ShellCommand.configuration.abstract)
          forward, fwd   \(ForwardCommand.configuration.abstract)
          ssh            \(SSHCommand.configuration.abstract)

        """)
      return 0
    default:
      throw CommandFailure(
        "unknown ssm subcommand \"\(TerminalText.excerpt(name, limit: 60))\"; use shell, forward or ssh")
    }
  }
}
