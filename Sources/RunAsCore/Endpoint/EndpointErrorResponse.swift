/// Turns the errors behind a credential request into HTTP answers: a status that says whose
/// fault it is and one short line of text.
enum EndpointErrorResponse {
  /// The header the web UI of the Go tool reads to know what to ask for.
  static let authenticationTypeHeader = "X-AwsRunas-Authentication-Type"

  /// The response for `error`.
  static func response(for error: any Error) -> EndpointResponse {
    switch error {
    case let error as NoActiveProfile:
      return .text(error.description, status: 404)
    case let error as ProfileError:
      return .text(error.description, status: 404)
    case let error as PromptUnavailable:
      var response = EndpointResponse.text(error.description, status: 401)
      response.headers.append((authenticationTypeHeader, "MFA"))
      return response
    case let error as AWSServiceError:
      return .text("AWS refused: \(error)", status: 502)
    case let error as HTTPTransportError:
      return .text("cannot reach AWS: \(error)", status: 502)
    case let error as AWSTransportError:
      return .text("cannot reach AWS: \(error)", status: 502)
    default:
      return .text("cannot get credentials: \(error)", status: 500)
    }
  }

  /// 405 with the `Allow` header.
  static func methodNotAllowed(allow: String) -> EndpointResponse {
    var response = EndpointResponse.text("method not allowed", status: 405)
    response.headers.append(("Allow", allow))
    return response
  }

  /// Whether `request` carries `token` in `Authorization` (always true without a token).
  static func isAuthorized(_ request: EndpointRequest, token: String?) -> Bool {
    guard let token else { return true }
    guard let sent = request.header("Authorization") else { return false }
    return constantTimeEquals(sent, token)
  }

  /// 401 for a missing or wrong authorization token.
  static let unauthorized = EndpointResponse.text("missing or wrong authorization token", status: 401)
}
