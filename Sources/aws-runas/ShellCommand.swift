import ArgumentParser
import RunAsCore

/// `aws-runas shell [profile] target` (also `ssm shell`, `ssm sh`): an interactive shell on an
/// instance through SSM Session Manager (spec §8).
struct ShellCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "shell",
    abstract: "Start an SSM shell session to the given target.",
    usage: usage,
    discussion: """
      The target is an EC2 instance ID, a tag:value pair (Name:web), the instance's private or \
      public IPv4 address, an EC2 DNS name, or a DNS name with a TXT record holding the instance ID. \
      The session runs in AWS's session-manager-plugin, which must be on PATH.
      """,
    aliases: ["sh"])

  static let usage = "aws-runas shell [profile] target"

  @Flag(name: [.customShort("P"), .long], help: "Use session-manager-plugin (always the case in this version).")
  var plugin = false

  @Argument(help: "The profile (default: AWS_PROFILE), then the target.")
  var arguments: [String] = []

  func run(global: CommandLineFlags) async throws -> Int32 {
    try await SessionCommandRunner.run(global: global, arguments: arguments, usage: Self.usage) { text in
      try (SessionTarget(parsing: text), .shell)
    }
  }
}
