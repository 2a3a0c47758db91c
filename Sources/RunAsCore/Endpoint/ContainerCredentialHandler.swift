/// The ECS-style credential endpoint a wrapped command's SDK calls
/// (`AWS_CONTAINER_CREDENTIALS_FULL_URI`), locked with a per-run token
/// (`AWS_CONTAINER_AUTHORIZATION_TOKEN`).
public struct ContainerCredentialHandler: EndpointHandler {
  /// The path credentials are served on, e.g. `/credentials`.
  public let path: String
  /// The token every request must send in `Authorization`; `nil` serves without one.
  public let token: String?
  /// Where the credentials come from.
  public let source: RefreshingCredentials

  /// Creates the handler.
  public init(path: String = "/credentials", token: String?, source: RefreshingCredentials) {
    self.path = path
    self.token = token
    self.source = source
  }

  public func respond(to request: EndpointRequest) async -> EndpointResponse {
    guard request.path == path || request.path == path + "/" else {
      return .text("not found", status: 404)
    }
    guard request.method == "GET" || request.method == "HEAD" else {
      return EndpointErrorResponse.methodNotAllowed(allow: "GET")
    }
    guard EndpointErrorResponse.isAuthorized(request, token: token) else {
      return EndpointErrorResponse.unauthorized
    }
    do {
      let credentials = try await source.credentials()
      return .json(CredentialOutput.containerEndpointJSON(credentials))
    } catch {
      return EndpointErrorResponse.response(for: error)
    }
  }
}
