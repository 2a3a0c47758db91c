import ArgumentParser
import RunAsCore

/// `aws-runas ssm ssh [--ec2ic] [profile] [user@]target[:port]`: SSH over SSM Session Manager, for
/// OpenSSH's `ProxyCommand aws-runas ssm ssh [--ec2ic] profile %r@%h:%p` (spec §8).
struct SSHCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ssh",
    abstract: "Start an SSH over SSM session, for an OpenSSH ProxyCommand.",
    usage: usage,
    discussion: """
      In ~/.ssh/config:  ProxyCommand aws-runas ssm ssh [--ec2ic] profile %r@%h:%p
      The user defaults to ec2-user and the port to 22. With --ec2ic, the public key of the first \
      identity file ssh uses for the host is pushed with EC2 Instance Connect first, so the instance \
      accepts it for the next 60 seconds.
      """)

  static let usage = "aws-runas ssm ssh [--ec2ic] [profile] [user@]target[:port]"

  @Flag(name: .customLong("ec2ic"), help: "Push your SSH public key with EC2 Instance Connect first.")
  var instanceConnect = false

  @Flag(name: [.customShort("P"), .long], help: "Use session-manager-plugin (always the case in this version).")
  var plugin = false

  @Argument(help: "The profile (default: AWS_PROFILE), then [user@]target[:port].")
  var arguments: [String] = []

  func run(global: CommandLineFlags) async throws -> Int32 {
    let instanceConnect = self.instanceConnect
    return try await SessionCommandRunner.run(global: global, arguments: arguments, usage: Self.usage) { text in
      let spec = try SSHTargetSpec(parsing: text)
      return (spec.target, .ssh(user: spec.user, port: spec.port, instanceConnect: instanceConnect))
    }
  }
}
