import Logging

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The instance metadata address, 169.254.169.254/22, added to the loopback interface with `ip`
/// while `serve ec2` runs as root on the real metadata address.
public struct MetadataAddressAlias: Sendable {
  /// The address and prefix added.
  public static let addressWithPrefix = "169.254.169.254/22"
  /// Where `ip` is looked for, in order.
  static let ipCandidates = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]

  private let environment: [String: String]
  private let logger: Logger

  /// Adds the address to `lo` (already being there is fine).
  ///
  /// - Parameter environment: The environment `ip` runs with.
  /// - Throws: ``CredentialServerError`` when `ip` is missing or fails.
  public static func add(environment: [String: String], logger: Logger) async throws -> MetadataAddressAlias {
    let status = await runIP(["address", "add", addressWithPrefix, "dev", "lo"], environment: environment)
    // 2 = the address is already there, which is fine.
    guard status == 0 || status == 2 else {
      throw CredentialServerError(
        message: "cannot add 169.254.169.254 to the loopback interface (ip exited with \(status))")
    }
    return MetadataAddressAlias(environment: environment, logger: logger)
  }

  /// Removes the address again; a failure is logged as a warning.
  public func remove() async {
    if await Self.runIP(["address", "del", Self.addressWithPrefix, "dev", "lo"], environment: environment) != 0 {
      logger.warning("could not remove 169.254.169.254 from the loopback interface")
    }
  }

  /// Runs `ip` with `arguments` and returns its exit status (127 when it cannot be run).
  static func runIP(_ arguments: [String], environment: [String: String]) async -> Int32 {
    guard let ip = ipCandidates.first(where: { access($0, X_OK) == 0 }) else { return 127 }
    var pid: pid_t = 0
    let argv = ([ip] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      argv.forEach { free($0) }
      envp.forEach { free($0) }
    }
    guard ChildProcess.spawn(&pid, ip, attributes: nil, argv, envp) == 0 else { return 127 }
    return await ChildProcess.waitForTermination(of: pid).exitCode
  }
}
