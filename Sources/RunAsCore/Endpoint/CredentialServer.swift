import Logging

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A running `serve ecs|ec2` server: the mode's credential routes and the management API over one
/// ``CredentialSwitchboard``, every request logged, on the configured address.
public struct CredentialServer: Sendable {
  /// Where it listens, with the port it actually got.
  public let address: ServeAddress
  private let server: LoopbackHTTPServer
  private let metadataAlias: MetadataAddressAlias?

  /// Starts serving `switchboard` as `configuration` says.
  ///
  /// On the real metadata address, root adds 169.254.169.254 to the loopback interface for the
  /// server's lifetime; anyone else is served on an ephemeral loopback port instead, with a warning.
  ///
  /// - Parameters:
  ///   - environment: The environment `ip` runs with.
  ///   - mayAddMetadataAddress: Whether the metadata address may be added (by default: running
  ///     as root).
  /// - Throws: ``CredentialServerError`` when the address cannot be added or listened on.
  public static func start(
    _ configuration: ServeConfiguration, switchboard: CredentialSwitchboard, environment: [String: String],
    logger: Logger, mayAddMetadataAddress: Bool = geteuid() == 0
  ) async throws -> CredentialServer {
    let credentials: CredentialServerRouter.Credentials
    switch configuration.mode {
    case .ecs:
      credentials = .ecs(
        ECSCredentialHandler(path: configuration.address.path, token: configuration.token, switchboard: switchboard))
    case .ec2:
      credentials = .ec2(InstanceMetadataHandler(switchboard: switchboard))
    }
    let management = ManagementAPIHandler(switchboard: switchboard, token: configuration.token)
    let handler = RequestLoggingHandler(
      inner: CredentialServerRouter(credentials: credentials, management: management), logger: logger)

    var address = configuration.address
    var metadataAlias: MetadataAddressAlias?
    if address == .instanceMetadata {
      if mayAddMetadataAddress {
        metadataAlias = try await MetadataAddressAlias.add(environment: environment, logger: logger)
      } else {
        logger.warning(
          "binding \(ServeAddress.instanceMetadata.host):80 needs root; serving on a loopback port instead")
        address = ServeAddress(host: "127.0.0.1", port: 0, path: "/")
      }
    }
    let server: LoopbackHTTPServer
    do {
      server = try await LoopbackHTTPServer.start(
        host: address.host, port: address.port, handler: handler, logger: logger)
    } catch {
      await metadataAlias?.remove()
      throw CredentialServerError(message: "cannot listen on \(address.host):\(address.port): \(error)")
    }
    address.port = server.port
    return CredentialServer(address: address, server: server, metadataAlias: metadataAlias)
  }

  /// Stops serving, and removes the metadata address if it was added.
  public func stop() async {
    await server.stop()
    await metadataAlias?.remove()
  }
}
