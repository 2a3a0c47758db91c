import ArgumentParser
import Dispatch
import Logging
import RunAsCore

#if canImport(Glibc)
  import Glibc
#endif

/// `aws-runas serve ecs|ec2 [profile]` (also `--ec2`): a long-running credential server whose
/// active profile can be switched through the management API (spec §5.2–5.4).
struct ServeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve credentials as an ECS credential endpoint or an EC2 metadata service.",
    aliases: ["srv"])

  /// The two kinds of server.
  enum Mode: String, ExpressibleByArgument, CaseIterable {
    case ecs, ec2
  }

  @Argument(help: "ecs (container credential endpoint) or ec2 (instance metadata service).")
  var mode: Mode

  @Argument(help: "The profile to serve first (otherwise POST one to /profile).")
  var profile: String?

  @Option(
    name: [.customShort("p"), .long], parsing: .unconditional,
    help: "Port on 127.0.0.1 (ecs: default 12319; ec2: default the real IMDS address, 0 = any free port).")
  var port: Int?

  @Flag(name: [.customShort("H"), .long], help: "Ask for MFA codes on the terminal (always the case here).")
  var headless = false

  init() {}

  init(mode: Mode, profile: String?) {
    self.mode = mode
    self.profile = profile
  }

  /// Where the server listens and the URL clients use.
  struct Address: Equatable {
    var host: String
    var port: Int
    var path: String

    var url: String {
      let shownHost = host.contains(":") ? "[\(host)]" : host
      return "http://\(shownHost):\(port)\(path)"
    }
  }

  /// The real instance metadata address.
  static let metadataAddress = Address(host: "169.254.169.254", port: 80, path: "/")

  /// The ECS server's address: `AWS_CONTAINER_CREDENTIALS_FULL_URI` when set, else
  /// `127.0.0.1:<port or 12319>/credentials`.
  static func ecsAddress(port: Int?, environment: [String: String]) throws -> Address {
    if let uri = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"], !uri.isEmpty {
      guard var address = parseURL(uri) else {
        throw CommandFailure("AWS_CONTAINER_CREDENTIALS_FULL_URI is not an http://host:port/path URL: \(uri)")
      }
      if address.path.isEmpty || address.path == "/" { address.path = "/credentials" }
      return address
    }
    let port = port ?? 12319
    guard (0...65535).contains(port) else { throw CommandFailure("port \(port) is out of range 0-65535") }
    return Address(host: "127.0.0.1", port: port, path: "/credentials")
  }

  /// The EC2 server's address: `AWS_EC2_METADATA_SERVICE_ENDPOINT` when set, else
  /// `127.0.0.1:<port>` for a port ≥ 0, else the real metadata address.
  static func ec2Address(port: Int?, environment: [String: String]) throws -> Address {
    if let uri = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"], !uri.isEmpty {
      guard var address = parseURL(uri) else {
        throw CommandFailure("AWS_EC2_METADATA_SERVICE_ENDPOINT is not an http://host:port/ URL: \(uri)")
      }
      address.path = "/"
      return address
    }
    guard let port, port >= 0 else { return metadataAddress }
    guard port <= 65535 else { throw CommandFailure("port \(port) is out of range 0-65535") }
    return Address(host: "127.0.0.1", port: port, path: "/")
  }

  /// `http://host[:port][/path]` split up; `nil` for anything else.
  static func parseURL(_ text: String) -> Address? {
    guard text.hasPrefix("http://") else { return nil }
    let rest = text.dropFirst("http://".count)
    let authority = rest.prefix { $0 != "/" }
    let path = String(rest.dropFirst(authority.count))
    var host = Substring(authority)
    var port = 80
    if authority.hasPrefix("[") {
      guard let close = authority.firstIndex(of: "]") else { return nil }
      host = authority[authority.index(after: authority.startIndex)..<close]
      let after = authority[authority.index(after: close)...]
      if after.hasPrefix(":") {
        guard let value = Int(after.dropFirst()) else { return nil }
        port = value
      }
    } else if let colon = authority.lastIndex(of: ":") {
      host = authority[..<colon]
      guard let value = Int(authority[authority.index(after: colon)...]) else { return nil }
      port = value
    }
    guard !host.isEmpty, (0...65535).contains(port) else { return nil }
    return Address(host: String(host), port: port, path: path)
  }

  /// The authorization token the server demands: `AWS_CONTAINER_AUTHORIZATION_TOKEN`, else the
  /// contents of `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`, else none.
  static func authorizationToken(environment: [String: String]) throws -> String? {
    if let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"], !token.isEmpty { return token }
    guard let file = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"], !file.isEmpty else { return nil }
    guard let text = try POSIXFile.readText(file) else {
      throw CommandFailure("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE names a missing file: \(file)")
    }
    let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
    return token.isEmpty ? nil : token
  }

  func run(global: CommandLineFlags) async throws -> Int32 {
    let context = try CommandContext(flags: global)
    let (environment, effective, logger) = (context.environment, context.options, context.logger)
    // Fail on a broken configuration now rather than on the first request.
    _ = try context.makeEngine()
    let token = try Self.authorizationToken(environment: environment)
    let switchboard = CredentialSwitchboard(
      overrides: effective.overrides, sessionOnly: effective.sessionOnly, presetMFACode: effective.mfaCode,
      prompter: TTYPrompter(),
      makeEngine: { try RunAsEngine(environment: environment, logger: logger) })
    let management = ManagementAPIHandler(switchboard: switchboard, token: token)

    var address: Address
    let credentials: CredentialServerRouter.Credentials
    switch mode {
    case .ecs:
      address = try Self.ecsAddress(port: port, environment: environment)
      credentials = .ecs(ECSCredentialHandler(path: address.path, token: token, switchboard: switchboard))
    case .ec2:
      address = try Self.ec2Address(port: port, environment: environment)
      credentials = .ec2(InstanceMetadataHandler(switchboard: switchboard))
    }
    let profileName = profile ?? environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
    if let profileName {
      try await switchboard.activate(profileName)
    }

    let handler = RequestLoggingHandler(
      inner: CredentialServerRouter(credentials: credentials, management: management), logger: logger)
    var metadataAlias: MetadataAddressAlias?
    if address == Self.metadataAddress {
      if geteuid() == 0 {
        metadataAlias = try MetadataAddressAlias.add(logger: logger)
      } else {
        logger.warning(
          "binding \(Self.metadataAddress.host):80 needs root; serving on a loopback port instead")
        address = Address(host: "127.0.0.1", port: 0, path: "/")
      }
    }
    let server: LoopbackHTTPServer
    do {
      server = try await LoopbackHTTPServer.start(
        host: address.host, port: address.port, handler: handler, logger: logger)
    } catch {
      metadataAlias?.remove()
      throw CommandFailure("cannot listen on \(address.host):\(address.port): \(error)")
    }
    address.port = server.port
    switch mode {
    case .ecs:
      logger.info("ECS credential endpoint set to \(address.url)")
      logger.info(
        "set AWS_CONTAINER_CREDENTIALS_FULL_URI=\(address.url) (and AWS_SHARED_CREDENTIALS_FILE=/dev/null) for your program"
      )
    case .ec2:
      logger.info("EC2 metadata endpoint set to \(address.url)")
      if address != Self.metadataAddress {
        logger.info("set AWS_EC2_METADATA_SERVICE_ENDPOINT=\(address.url) for your program")
      }
    }
    var base = address
    base.path = ""
    if let profileName {
      logger.info("Using initial profile '\(profileName)'")
    } else {
      logger.info(
        "POST a profile name to \(base.url)/profile to begin (e.g. curl -H 'Content-Type: application/json' -d '\"my-profile\"' \(base.url)/profile)"
      )
    }
    await waitForTerminationSignal()
    logger.info("shutting down")
    await server.stop()
    metadataAlias?.remove()
    return 0
  }
}

/// Logs each request: management calls at INFO, credential requests at DEBUG (at thousands of
/// requests per second an INFO line each would cost more than serving them).
struct RequestLoggingHandler: EndpointHandler {
  let inner: any EndpointHandler
  let logger: Logger

  func respond(to request: EndpointRequest) async -> EndpointResponse {
    let response = await inner.respond(to: request)
    let routine = request.method == "GET" || request.method == "HEAD" || request.method == "PUT"
    let line: Logger.Message = "\(request.method) \(request.path) \(response.status) \(response.body.count)"
    if routine && response.status < 400 { logger.debug(line) } else { logger.info(line) }
    return response
  }
}

/// 169.254.169.254/22 added to the loopback interface while `serve ec2` runs as root.
struct MetadataAddressAlias {
  let logger: Logger

  static func add(logger: Logger) throws -> MetadataAddressAlias {
    let status = runIP(["address", "add", "169.254.169.254/22", "dev", "lo"])
    // 2 = the address is already there, which is fine.
    guard status == 0 || status == 2 else {
      throw CommandFailure("cannot add 169.254.169.254 to the loopback interface (ip exited with \(status))")
    }
    return MetadataAddressAlias(logger: logger)
  }

  func remove() {
    if Self.runIP(["address", "del", "169.254.169.254/22", "dev", "lo"]) != 0 {
      logger.warning("could not remove 169.254.169.254 from the loopback interface")
    }
  }

  private static func runIP(_ arguments: [String]) -> Int32 {
    let candidates = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]
    guard let ip = candidates.first(where: { access($0, X_OK) == 0 }) else { return 127 }
    var pid: pid_t = 0
    let argv = ([ip] + arguments).map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var environment: [UnsafeMutablePointer<CChar>?] = []
    var entry = environ
    while let pointer = entry.pointee {
      environment.append(pointer)
      entry += 1
    }
    guard ChildProcess.spawn(&pid, ip, attributes: nil, argv, environment + [nil]) == 0 else { return 127 }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return (status >> 8) & 0xff
  }
}

/// Waits for SIGINT, SIGTERM or SIGQUIT.
func waitForTerminationSignal() async {
  let signals = [SIGINT, SIGTERM, SIGQUIT]
  for number in signals { signal(number, SIG_IGN) }
  let fired = SignalLatch()
  await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
    let sources = signals.map { number in
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler {
        if fired.fire() { continuation.resume() }
      }
      source.resume()
      return source
    }
    fired.keep(sources)
  }
}

/// Makes sure a continuation is resumed once, and keeps the signal sources alive.
private final class SignalLatch: @unchecked Sendable {
  // @unchecked: every access holds `lock`.
  private let lock = DispatchSemaphore(value: 1)
  private var done = false
  private var sources: [any DispatchSourceSignal] = []

  func fire() -> Bool {
    lock.wait()
    defer { lock.signal() }
    if done { return false }
    done = true
    return true
  }

  func keep(_ sources: [any DispatchSourceSignal]) {
    lock.wait()
    self.sources = sources
    lock.signal()
  }
}
