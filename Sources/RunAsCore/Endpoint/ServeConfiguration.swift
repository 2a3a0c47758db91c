/// The two kinds of `serve` server.
public enum ServeMode: String, Sendable, CaseIterable {
  /// An ECS container credential endpoint (`AWS_CONTAINER_CREDENTIALS_FULL_URI`).
  case ecs
  /// An EC2 instance metadata service (IMDSv1 and v2).
  case ec2
}

/// Where a credential server listens, and so the URL its clients use.
public struct ServeAddress: Equatable, Sendable {
  /// The host name or IP address (IPv6 without brackets).
  public var host: String
  /// The TCP port; 0 until the server listens on an ephemeral one.
  public var port: Int
  /// The path credentials are served on: `/credentials`, `/` for IMDS, or empty.
  public var path: String

  /// Creates an address.
  public init(host: String, port: Int, path: String) {
    self.host = host
    self.port = port
    self.path = path
  }

  /// The real instance metadata address, `169.254.169.254:80`.
  public static let instanceMetadata = ServeAddress(host: "169.254.169.254", port: 80, path: "/")

  /// `http://host:port/path`, with an IPv6 host in brackets.
  public var url: String {
    let shownHost = host.contains(":") ? "[\(host)]" : host
    return "http://\(shownHost):\(port)\(path)"
  }

  /// `http://host:port`, the base of the management API's URLs.
  public var baseURL: String {
    ServeAddress(host: host, port: port, path: "").url
  }

  /// `http://host[:port][/path]` split up (port 80 when none is given); `nil` for anything else.
  public static func parse(_ text: String) -> ServeAddress? {
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
    return ServeAddress(host: String(host), port: port, path: path)
  }
}

/// What `serve ecs|ec2` serves and where, from its `-p` flag and the environment (spec §5.2–5.3).
public struct ServeConfiguration: Equatable, Sendable {
  /// The ECS port when neither `-p` nor `AWS_CONTAINER_CREDENTIALS_FULL_URI` gives one.
  public static let defaultECSPort = 12319

  /// The kind of server.
  public let mode: ServeMode
  /// Where it listens.
  public let address: ServeAddress
  /// The token every request must send in `Authorization`, if any.
  public let token: String?

  /// Reads the configuration of a `mode` server.
  ///
  /// - Parameters:
  ///   - port: The `-p` flag, if given.
  ///   - environment: The process environment (`AWS_CONTAINER_CREDENTIALS_FULL_URI`,
  ///     `AWS_EC2_METADATA_SERVICE_ENDPOINT`, `AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]`).
  /// - Throws: ``CredentialServerError`` for a malformed URL, a port out of range or a missing
  ///   token file.
  public init(mode: ServeMode, port: Int?, environment: [String: String]) throws {
    self.mode = mode
    self.token = try Self.authorizationToken(environment: environment)
    switch mode {
    case .ecs: self.address = try Self.ecsAddress(port: port, environment: environment)
    case .ec2: self.address = try Self.ec2Address(port: port, environment: environment)
    }
  }

  /// The ECS server's address: `AWS_CONTAINER_CREDENTIALS_FULL_URI` when set (path `/credentials`
  /// when it has none), else `127.0.0.1:<port or 12319>/credentials`.
  static func ecsAddress(port: Int?, environment: [String: String]) throws -> ServeAddress {
    if let uri = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"], !uri.isEmpty {
      guard var address = ServeAddress.parse(uri) else {
        throw CredentialServerError(
          message: "AWS_CONTAINER_CREDENTIALS_FULL_URI is not an http://host:port/path URL: \(uri)")
      }
      if address.path.isEmpty || address.path == "/" { address.path = "/credentials" }
      return address
    }
    let port = port ?? defaultECSPort
    guard (0...65535).contains(port) else {
      throw CredentialServerError(message: "port \(port) is out of range 0-65535")
    }
    return ServeAddress(host: "127.0.0.1", port: port, path: "/credentials")
  }

  /// The EC2 server's address: `AWS_EC2_METADATA_SERVICE_ENDPOINT` when set, else
  /// `127.0.0.1:<port>` for a port ≥ 0, else the real metadata address.
  static func ec2Address(port: Int?, environment: [String: String]) throws -> ServeAddress {
    if let uri = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"], !uri.isEmpty {
      guard var address = ServeAddress.parse(uri) else {
        throw CredentialServerError(
          message: "AWS_EC2_METADATA_SERVICE_ENDPOINT is not an http://host:port/ URL: \(uri)")
      }
      address.path = "/"
      return address
    }
    guard let port, port >= 0 else { return .instanceMetadata }
    guard port <= 65535 else { throw CredentialServerError(message: "port \(port) is out of range 0-65535") }
    return ServeAddress(host: "127.0.0.1", port: port, path: "/")
  }

  /// The authorization token the server demands: `AWS_CONTAINER_AUTHORIZATION_TOKEN`, else the
  /// contents of `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (trimmed), else none.
  static func authorizationToken(environment: [String: String]) throws -> String? {
    if let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"], !token.isEmpty { return token }
    guard let file = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"], !file.isEmpty else { return nil }
    guard let text = try POSIXFile.readText(file) else {
      throw CredentialServerError(message: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE names a missing file: \(file)")
    }
    let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
    return token.isEmpty ? nil : token
  }
}

/// A `serve` server cannot start: a malformed URL or port, a missing token file, an address it
/// cannot listen on.
public struct CredentialServerError: UserFacingError, Sendable, Equatable {
  /// What went wrong.
  public let message: String

  /// Creates the error.
  public init(message: String) {
    self.message = message
  }
}
