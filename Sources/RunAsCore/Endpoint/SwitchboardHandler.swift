/// The TUI's switchboard endpoint (spec §12.3, replacing the original tool's `serve` web page): a
/// long-lived, token-protected credential endpoint serving the active profile of a
/// ``CredentialSwitchboard``.
///
/// `GET <path>` answers with the active profile's credentials in the container-endpoint format
/// (so `AWS_CONTAINER_CREDENTIALS_FULL_URI` clients pick up a switch on their next refresh);
/// `GET <path>/profile` names the active profile. With no active profile, credential requests get
/// 503 and a message saying how to choose one.
public struct SwitchboardHandler: EndpointHandler {
  /// The path credentials are served on, e.g. `/credentials`.
  public let path: String
  /// The token every request must send in `Authorization`.
  public let token: String
  /// The active profile and its credentials.
  public let switchboard: CredentialSwitchboard

  /// Creates the handler.
  public init(path: String = "/credentials", token: String, switchboard: CredentialSwitchboard) {
    self.path = path
    self.token = token
    self.switchboard = switchboard
  }

  public func respond(to request: EndpointRequest) async -> EndpointResponse {
    let isProfileRoute = request.path == path + "/profile"
    guard request.path == path || request.path == path + "/" || isProfileRoute else {
      return .text("not found", status: 404)
    }
    guard request.method == "GET" || request.method == "HEAD" else {
      return EndpointErrorResponse.methodNotAllowed(allow: "GET")
    }
    guard EndpointErrorResponse.isAuthorized(request, token: token) else {
      return EndpointErrorResponse.unauthorized
    }
    if isProfileRoute {
      var writer = JSONObjectWriter()
      writer.addIfPresent("Profile", await switchboard.activeProfile?.name)
      return .json(writer.result)
    }
    do {
      let (_, credentials) = try await switchboard.credentials()
      return .json(CredentialOutput.containerEndpointJSON(credentials))
    } catch is NoActiveProfile {
      return .text("no active profile: select one in aws-runas-tui and press a", status: 503)
    } catch {
      return EndpointErrorResponse.response(for: error)
    }
  }
}
