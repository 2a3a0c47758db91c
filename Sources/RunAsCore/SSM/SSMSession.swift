import Logging

/// What kind of SSM session to open (spec §8.2).
public enum SSMSessionKind: Sendable, Equatable {
  /// An interactive shell (the account's default session document).
  case shell
  /// `localPort` (0: the plugin picks one) forwarded to `remotePort` on the instance, or on
  /// `remoteHost` as the instance reaches it.
  case portForwarding(remotePort: Int, localPort: Int, remoteHost: String?)
  /// SSH to `port` on the instance, for an OpenSSH `ProxyCommand`; with `instanceConnect`, the
  /// user's public key is first pushed for `user` with EC2 Instance Connect.
  case ssh(user: String, port: Int, instanceConnect: Bool)
}

/// The services one session uses, for one profile's credentials and region.
public protocol SSMSessionServices: Sendable {
  /// SSM in the profile's region.
  func sessionManager() throws -> any SessionManagerService
  /// Finds the instance a target names.
  func targetResolver() throws -> SessionTargetResolver
  /// EC2 Instance Connect in the profile's region.
  func instanceConnect() throws -> any InstanceConnectService
}

/// EC2 Instance Connect's one call; ``EC2InstanceConnectClient`` over HTTP.
public protocol InstanceConnectService: Sendable {
  /// SendSSHPublicKey: lets `osUser` log in to `instanceID` with `publicKey` for 60 seconds.
  func sendSSHPublicKey(instanceID: String, osUser: String, publicKey: String, availabilityZone: String?) async throws
}

/// `shell`, `forward` and `ssm ssh` from a target to the end of the session: resolve the target,
/// push an Instance Connect key when asked, then StartSession → plugin → TerminateSession.
public struct SSMSession: Sendable {
  /// The profile's AWS services.
  public var services: any SSMSessionServices
  /// The plugin that carries the session.
  public var plugin: SessionManagerPlugin
  /// The plugin's environment (see ``pluginEnvironment(parent:credentials:region:profileName:)``).
  public var pluginEnvironment: [String: String]
  /// The user's environment (for `ssh -G` with `--ec2ic`).
  public var environment: [String: String]
  /// Receives debug lines.
  public var logger: Logger

  /// Creates a session runner.
  public init(
    services: any SSMSessionServices, plugin: SessionManagerPlugin, pluginEnvironment: [String: String],
    environment: [String: String], logger: Logger
  ) {
    self.services = services
    self.plugin = plugin
    self.pluginEnvironment = pluginEnvironment
    self.environment = environment
    self.logger = logger
  }

  /// The plugin's environment: the user's, without profile selection or other keys, with the
  /// session's credentials and region as variables. The plugin calls SSM itself (to resume or
  /// end the session) with the SDK's default chain, which reads them; a profile name would not
  /// do, since the plugin cannot assume roles the way aws-runas does.
  public static func pluginEnvironment(
    parent: [String: String], credentials: AWSCredentials, region: String?, profileName: String?
  ) -> [String: String] {
    ChildEnvironment.make(
      parent: parent, delivery: .environmentVariables(credentials), region: region, profileName: profileName,
      expiration: credentials.expiration)
  }

  /// Runs a session of `kind` on `target` to its end.
  ///
  /// - Parameters:
  ///   - kind: What kind of session.
  ///   - target: The instance, as the user named it.
  /// - Returns: How the plugin ended.
  /// - Throws: ``SessionTargetResolutionError``, ``SSHIdentityKeyError``, AWS errors,
  ///   ``SessionManagerPluginError``.
  public func run(_ kind: SSMSessionKind, target: SessionTarget) async throws -> SessionPluginProcess.Outcome {
    let ssm = try services.sessionManager()
    let resolved = try await services.targetResolver().resolve(target)
    logger.debug("target \(target) is instance \(resolved.instanceID)")
    let request: StartSessionRequest
    switch kind {
    case .shell:
      request = .shell(target: resolved.instanceID)
    case .portForwarding(let remotePort, let localPort, let remoteHost):
      request = .portForwarding(
        target: resolved.instanceID, remotePort: remotePort, localPort: localPort, remoteHost: remoteHost)
    case .ssh(let user, let port, let instanceConnect):
      if instanceConnect {
        let key = try await SSHIdentityKeys.firstUsablePublicKey(
          user: user, host: target.text, port: port, environment: environment)
        logger.debug("sending the public key of \(key.identityFile) for \(user) with EC2 Instance Connect")
        try await services.instanceConnect().sendSSHPublicKey(
          instanceID: resolved.instanceID, osUser: user, publicKey: key.openSSHText,
          availabilityZone: resolved.instance?.availabilityZone)
      }
      request = .ssh(target: resolved.instanceID, port: port)
    }
    return try await SSMSessionLauncher(
      plugin: plugin, ssm: ssm, pluginEnvironment: pluginEnvironment, logger: logger
    ).run(request)
  }
}

extension SessionTarget {
  /// The target as the user wrote it (`Name:web`, `10.0.0.5`, …), for `ssh -G`.
  public var text: String {
    switch self {
    case .instanceID(let id): return id
    case .tag(let key, let value): return "\(key):\(value)"
    case .ipv4Address(let address): return address
    case .hostName(let name): return name
    }
  }
}
