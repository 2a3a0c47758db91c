import Logging

/// `ecr login` (spec §8.4): for each registry, ECR GetAuthorizationToken in the registry's region,
/// then `docker login --username AWS --password-stdin <registry>` with the password on standard
/// input only: never in argv (visible in `ps`) nor in the environment (visible in
/// `/proc/<pid>/environ` and inherited by every child).
public struct ECRLogin: Sendable {
  /// The Docker command's path.
  public var dockerPath: String
  /// Docker's environment: the user's, unchanged.
  public var environment: [String: String]
  /// The ECR client for a region.
  public var authorizationService: @Sendable (_ region: String) throws -> any ECRAuthorizationService
  /// Receives a debug line per step.
  public var logger: Logger

  /// Creates a login.
  public init(
    dockerPath: String, environment: [String: String],
    authorizationService: @escaping @Sendable (_ region: String) throws -> any ECRAuthorizationService,
    logger: Logger
  ) {
    self.dockerPath = dockerPath
    self.environment = environment
    self.authorizationService = authorizationService
    self.logger = logger
  }

  /// `docker` on `environment`'s `PATH`.
  ///
  /// - Throws: ``ECRLoginError`` when it is not there.
  public static func locateDocker(environment: [String: String]) throws(ECRLoginError) -> String {
    guard let path = ChildProcess.findExecutable("docker", path: environment["PATH"]) else {
      throw ECRLoginError(
        message: "docker was not found on PATH; ecr login runs docker login",
        hint: "install Docker, or put its docker command on PATH")
    }
    return path
  }

  /// Logs Docker in to `registry`.
  ///
  /// - Throws: What ECR throws; ``ECRLoginError`` for an unreadable token or a failed `docker login`.
  public func login(to registry: ECRRegistry) async throws {
    let service = try authorizationService(registry.region)
    let authorizations = try await service.getAuthorizationToken(registryIDs: [registry.accountID])
    let matching = authorizations.first { Self.host(of: $0.proxyEndpoint) == registry.host } ?? authorizations.first
    guard let authorization = matching else {
      throw ECRLoginError(message: "ECR GetAuthorizationToken returned no token for \(registry.host)")
    }
    let (username, password) = try authorization.credentials()
    logger.debug("docker login --username \(username) --password-stdin \(registry.host)")
    let result = try await CapturedProcess.run(
      [dockerPath, "login", "--username", username, "--password-stdin", registry.host],
      environment: environment, standardInput: Array(password.utf8), standardOutput: .inherit,
      standardError: .inherit, timeLimit: nil)
    guard result.exitStatus == 0 else {
      throw ECRLoginError(message: "docker login to \(registry.host) failed with exit status \(result.exitStatus)")
    }
  }

  /// `host` of `https://host/…`.
  static func host(of endpoint: String?) -> String? {
    guard var text = endpoint else { return nil }
    for prefix in ["https://", "http://"] where text.hasPrefix(prefix) { text = String(text.dropFirst(prefix.count)) }
    return text.split(separator: "/", omittingEmptySubsequences: false).first.map { $0.lowercased() }
  }
}
