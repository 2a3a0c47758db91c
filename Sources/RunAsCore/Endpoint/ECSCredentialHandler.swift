/// The ECS container credential routes of `serve ecs` (spec §5.3): `GET <path>` answers with the
/// active profile's credentials, `GET <path>/<profile>` with that profile's, resolved afresh,
/// without changing the active one.
///
/// With a token (`AWS_CONTAINER_AUTHORIZATION_TOKEN` in the server's environment) every request
/// must send it in `Authorization`, as every AWS SDK does when the variable is set for it too.
public struct ECSCredentialHandler: EndpointHandler {
  /// The credentials path, e.g. `/credentials`.
  public let path: String
  /// The token requests must carry, if any.
  public let token: String?
  /// The active profile and its credentials.
  public let switchboard: CredentialSwitchboard

  /// Creates the handler.
  ///
  /// - Parameters:
  ///   - path: The credentials path; a trailing `/` is ignored, an empty path means `/credentials`.
  ///   - token: The authorization token requests must send, or `nil`.
  ///   - switchboard: The active profile.
  public init(path: String = "/credentials", token: String?, switchboard: CredentialSwitchboard) {
    var path = path
    while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
    self.path = path.isEmpty || path == "/" ? "/credentials" : path
    self.token = token.flatMap { $0.isEmpty ? nil : $0 }
    self.switchboard = switchboard
  }

  /// Whether `requestPath` is one of this handler's routes.
  public func handles(_ requestPath: String) -> Bool {
    requestPath == path || requestPath.hasPrefix(path + "/")
  }

  public func respond(to request: EndpointRequest) async -> EndpointResponse {
    guard handles(request.path) else { return .text("not found", status: 404) }
    guard request.method == "GET" || request.method == "HEAD" else {
      return EndpointErrorResponse.methodNotAllowed(allow: "GET, HEAD")
    }
    guard EndpointErrorResponse.isAuthorized(request, token: token) else {
      return EndpointErrorResponse.unauthorized
    }
    let rest = request.path.dropFirst(path.count).drop { $0 == "/" }
    do {
      if rest.isEmpty {
        let (_, credentials) = try await switchboard.credentials()
        return .json(CredentialOutput.containerEndpointJSON(credentials))
      }
      guard let name = PercentDecoding.decode(String(rest)), !name.isEmpty, !name.contains("/") else {
        return .text("bad profile name in path", status: 400)
      }
      let credentials = try await switchboard.credentials(forProfile: name)
      return .json(CredentialOutput.containerEndpointJSON(credentials))
    } catch {
      return EndpointErrorResponse.response(for: error)
    }
  }
}

/// `%XX` decoding of URL path segments and form values.
enum PercentDecoding {
  /// `text` with `%XX` sequences decoded (and `+` as space when `plusIsSpace`); `nil` when a
  /// sequence is malformed or the result is not UTF-8.
  static func decode(_ text: String, plusIsSpace: Bool = false) -> String? {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(text.utf8.count)
    var iterator = text.utf8.makeIterator()
    while let byte = iterator.next() {
      switch byte {
      case UInt8(ascii: "%"):
        guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
          return nil
        }
        bytes.append(high << 4 | low)
      case UInt8(ascii: "+") where plusIsSpace:
        bytes.append(UInt8(ascii: " "))
      default:
        bytes.append(byte)
      }
    }
    return String(validating: bytes, as: UTF8.self)
  }

  private static func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
  }
}
