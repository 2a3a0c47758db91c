import ArgumentParser
import RunAsCore

/// `aws-runas forward [-p port] [--host host] [profile] target:port` (also `ssm forward`,
/// `ssm fwd`): forwards a local port to a port on an instance, or on a host the instance reaches,
/// through SSM Session Manager (spec §8).
struct ForwardCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "forward",
    abstract: "Start an SSM port forwarding session to the given target.",
    usage: usage,
    discussion: """
      target:port names the instance (as for shell) and, after the last colon, the remote port. \
      With --host, the instance forwards to that host (AWS-StartPortForwardingSessionToRemoteHost). \
      The session runs in AWS's session-manager-plugin, which must be on PATH.
      """,
    aliases: ["fwd"])

  static let usage = "aws-runas forward [-p local-port] [--host remote-host] [profile] target:port"

  @Option(
    name: [.customShort("p"), .long], parsing: .unconditional,
    help: "The local port to listen on (default 0: the plugin picks a free one).")
  var port: Int = 0

  @Option(name: .long, help: "Forward to this host, as the instance reaches it, instead of the instance itself.")
  var host: String?

  @Flag(name: [.customShort("P"), .long], help: "Use session-manager-plugin (always the case in this version).")
  var plugin = false

  @Argument(help: "The profile (default: AWS_PROFILE), then target:port.")
  var arguments: [String] = []

  func run(global: CommandLineFlags) async throws -> Int32 {
    guard (0...65535).contains(port) else {
      throw CommandFailure("local port \(port) is out of range 0-65535")
    }
    let remoteHost = host.map { SessionTarget.trimmed($0) }
    if let remoteHost, remoteHost.isEmpty || remoteHost.contains(where: { $0.isWhitespace || $0 == "/" }) {
      throw CommandFailure(
        "--host needs a host name or IP address, not \"\(TerminalText.excerpt(host ?? "", limit: 100))\"")
    }
    return try await SessionCommandRunner.run(global: global, arguments: arguments, usage: Self.usage) { text in
      let spec = try ForwardTargetSpec(parsing: text)
      return (spec.target, .portForwarding(remotePort: spec.remotePort, localPort: port, remoteHost: remoteHost))
    }
  }
}
