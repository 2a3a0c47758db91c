import Logging

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

extension ChildProcess {
  /// Runs a command behind a private credential endpoint, the way `aws-runas <profile> <command>`
  /// and the TUI's shell do.
  ///
  /// A ``ContainerCredentialHandler`` locked with a new random token serves `source` on an
  /// ephemeral port of 127.0.0.1 while the command runs; the command finds it through
  /// `AWS_CONTAINER_CREDENTIALS_FULL_URI` and `AWS_CONTAINER_AUTHORIZATION_TOKEN` (see
  /// ``ChildEnvironment/make(parent:delivery:region:profileName:expiration:)`` for the rest of its
  /// environment). Signals are handled as ``run(_:environment:)`` does. The endpoint stops when
  /// the command ends, whether it could be started or not.
  ///
  /// - Parameters:
  ///   - arguments: The command and its arguments.
  ///   - source: The credentials served, refreshed ahead of expiry.
  ///   - parentEnvironment: The environment the child's is made from.
  ///   - region: The profile's region, if any.
  ///   - profileName: The name `AWSRUNAS_PROFILE` shows, if any.
  ///   - expiration: When the first credentials expire (`AWSRUNAS_EXPIRATION`).
  ///   - logger: Where the endpoint logs.
  /// - Returns: How the command ended.
  /// - Throws: What starting the endpoint throws, or ``LaunchError`` when the command cannot start.
  public static func runBehindCredentialEndpoint(
    _ arguments: [String], source: RefreshingCredentials, parentEnvironment: [String: String], region: String?,
    profileName: String?, expiration: Date?, logger: Logger
  ) async throws -> Termination {
    let token = RandomToken.make()
    let server = try await LoopbackHTTPServer.start(
      host: "127.0.0.1", port: 0, handler: ContainerCredentialHandler(token: token, source: source), logger: logger)
    let url = "http://127.0.0.1:\(server.port)/credentials"
    logger.debug("ECS credential endpoint set to \(url)")
    let environment = ChildEnvironment.make(
      parent: parentEnvironment, delivery: .endpoint(url: url, token: token), region: region,
      profileName: profileName, expiration: expiration)
    let termination: Termination
    do {
      termination = try await run(arguments, environment: environment)
    } catch {
      await server.stop()
      throw error
    }
    await server.stop()
    return termination
  }
}
