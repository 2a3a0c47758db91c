import Synchronization

/// A long-lived, token-protected credential endpoint whose active profile can be switched while
/// it runs: the TUI's switchboard (spec §12.3), replacing the original tool's `serve` web page.
///
/// `GET <path>` answers with the active profile's credentials in the container-endpoint format
/// (so `AWS_CONTAINER_CREDENTIALS_FULL_URI` clients pick up a switch on their next refresh);
/// `GET <path>/profile` names the active profile. With no active profile, credential requests get
/// 503 and a message saying how to choose one.
public struct SwitchboardHandler: EndpointHandler {
  /// What is currently served.
  public struct Active: Sendable {
    /// The profile's name, as shown to the user.
    public let profileName: String
    /// Where its credentials come from.
    public let source: RefreshingCredentials

    /// Creates the active entry.
    public init(profileName: String, source: RefreshingCredentials) {
      self.profileName = profileName
      self.source = source
    }
  }

  /// The path credentials are served on, e.g. `/credentials`.
  public let path: String
  /// The token every request must send in `Authorization`.
  public let token: String
  private let state: SwitchboardState

  /// Creates a switchboard serving nothing until ``activate(_:)`` is called.
  public init(path: String = "/credentials", token: String) {
    self.path = path
    self.token = token
    self.state = SwitchboardState()
  }

  /// Makes `active` the profile served from now on (`nil` serves nothing).
  public func activate(_ active: Active?) {
    state.active.withLock { $0 = active }
  }

  /// The name of the profile being served, if any.
  public var activeProfileName: String? {
    state.active.withLock { $0?.profileName }
  }

  public func respond(to request: EndpointRequest) async -> EndpointResponse {
    let isProfileRoute = request.path == path + "/profile"
    guard request.path == path || request.path == path + "/" || isProfileRoute else {
      return .text("not found", status: 404)
    }
    guard request.method == "GET" || request.method == "HEAD" else {
      var response = EndpointResponse.text("method not allowed", status: 405)
      response.headers.append(("Allow", "GET"))
      return response
    }
    guard let sent = request.header("Authorization"), constantTimeEquals(sent, token) else {
      return .text("missing or wrong authorization token", status: 401)
    }
    let active = state.active.withLock { $0 }
    if isProfileRoute {
      var writer = JSONObjectWriter()
      writer.addIfPresent("Profile", active?.profileName)
      return .json(writer.result)
    }
    guard let active else {
      return .text("no active profile: select one in aws-runas-tui and press a", status: 503)
    }
    do {
      let credentials = try await active.source.credentials()
      return .json(CredentialOutput.containerEndpointJSON(credentials))
    } catch {
      return EndpointErrorResponse.response(for: error)
    }
  }
}

/// The switchboard's mutable part, shared by every copy of the handler.
private final class SwitchboardState: Sendable {
  let active = Mutex<SwitchboardHandler.Active?>(nil)
}
