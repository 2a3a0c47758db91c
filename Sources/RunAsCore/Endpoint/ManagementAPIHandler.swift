/// The management API of both serve modes (spec §5.4), usable with `curl`:
///
/// | route | method | answer |
/// |---|---|---|
/// | `/profile` | GET | the active profile as JSON; 404 before one is selected |
/// | `/profile` | POST | body = a profile name (≤ 256 bytes; as a JSON string with `application/json`): re-reads the configuration, gets the profile's credentials, makes it active, answers as GET |
/// | `/list-roles` | GET | JSON array of the profiles with a `role_arn` |
/// | `/list-profiles` | GET | JSON array of the profiles without one (source profiles) |
/// | `/refresh` | POST | discards the active profile's cached credentials; body `success` |
///
/// With a token every request must send it in `Authorization`, like the credential routes.
/// Without one, `POST`s must carry a `Content-Type` that an HTML form cannot send (such as
/// `application/json`): a browser asks the server before sending any other type cross-site, which
/// this server never allows, so a web page the user visits cannot switch profiles or refresh.
public struct ManagementAPIHandler: EndpointHandler {
  /// The routes this handler answers.
  public static let routes: Set<String> = ["/", "/profile", "/list-roles", "/list-profiles", "/refresh"]
  /// The longest profile name `POST /profile` accepts, in bytes.
  public static let maximumProfileNameSize = 256

  /// The active profile.
  public let switchboard: CredentialSwitchboard
  /// The token requests must carry, if any.
  public let token: String?

  /// Creates the handler.
  public init(switchboard: CredentialSwitchboard, token: String?) {
    self.switchboard = switchboard
    self.token = token.flatMap { $0.isEmpty ? nil : $0 }
  }

  /// Whether `path` is one of this handler's routes.
  public func handles(_ path: String) -> Bool {
    Self.routes.contains(path)
  }

  public func respond(to request: EndpointRequest) async -> EndpointResponse {
    guard handles(request.path) else { return .text("not found", status: 404) }
    guard EndpointErrorResponse.isAuthorized(request, token: token) else {
      return EndpointErrorResponse.unauthorized
    }
    if request.method == "POST", token == nil, Self.mayComeFromWebPage(request) {
      return .text(
        "management calls need a Content-Type a web form cannot send, e.g. -H 'Content-Type: application/json'",
        status: 415)
    }
    switch (request.path, request.method) {
    case ("/", "GET"), ("/", "HEAD"):
      return .text(
        "aws-runas credential server: GET|POST /profile, GET /list-roles, GET /list-profiles, POST /refresh",
        status: 200)
    case ("/profile", "GET"), ("/profile", "HEAD"):
      guard let active = await switchboard.activeProfile else {
        return EndpointErrorResponse.response(for: NoActiveProfile())
      }
      return .json(Self.document(name: active.name, profile: active.profile))
    case ("/profile", "POST"):
      return await select(request)
    case ("/list-roles", "GET"), ("/list-roles", "HEAD"), ("/list-profiles", "GET"), ("/list-profiles", "HEAD"):
      do {
        let lists = try await switchboard.profileLists()
        return .json(Self.array(request.path == "/list-roles" ? lists.roles : lists.others))
      } catch {
        return .text("cannot read the configuration: \(error)", status: 500)
      }
    case ("/refresh", "POST"):
      do {
        try await switchboard.refresh()
        return .text("success", status: 200)
      } catch {
        return EndpointErrorResponse.response(for: error)
      }
    case ("/profile", _):
      return EndpointErrorResponse.methodNotAllowed(allow: "GET, HEAD, POST")
    case ("/refresh", _):
      return EndpointErrorResponse.methodNotAllowed(allow: "POST")
    default:
      return EndpointErrorResponse.methodNotAllowed(allow: "GET, HEAD")
    }
  }

  private func select(_ request: EndpointRequest) async -> EndpointResponse {
    guard request.body.count <= Self.maximumProfileNameSize else {
      return .text("profile name longer than \(Self.maximumProfileNameSize) bytes", status: 413)
    }
    guard var text = String(validating: request.body, as: UTF8.self) else {
      return .text("profile name is not UTF-8", status: 400)
    }
    if Self.mediaType(request) == "application/json", text.first == "\"" {
      guard let decoded = FlatJSONObject.parseString(request.body) else {
        return .text("the body is not a JSON string", status: 400)
      }
      text = decoded
    }
    let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !name.isEmpty else { return .text("send a profile name as the request body", status: 400) }
    guard !name.contains(where: { $0.isNewline || $0 == "[" || $0 == "]" }) else {
      return .text("invalid profile name", status: 400)
    }
    do {
      let profile = try await switchboard.activate(name)
      return .json(Self.document(name: name, profile: profile))
    } catch {
      return EndpointErrorResponse.response(for: error)
    }
  }

  /// Media types a web page can send cross-site without asking the server first (HTML forms and
  /// "simple" `fetch` requests).
  static let formMediaTypes: Set<String> = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"]

  /// The request's media type, lower-cased, without parameters; empty when there is none.
  static func mediaType(_ request: EndpointRequest) -> String {
    guard let value = request.header("Content-Type") else { return "" }
    let type = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    return type.trimmingCharacters(in: .whitespaces).lowercased()
  }

  /// Whether a web page could have sent `request` without the server's consent: no media type
  /// (a `fetch` with a bare body) or a form's.
  static func mayComeFromWebPage(_ request: EndpointRequest) -> Bool {
    let type = mediaType(request)
    return type.isEmpty || formMediaTypes.contains(type)
  }

  /// The `/profile` document: the Go tool's keys (`role_arn`, `external_id`, `auth_url`,
  /// `username`, `jump_role`, `client_id`, `redirect_uri`, `source_profile` when set) plus `name`.
  public static func document(name: String, profile: ResolvedProfile) -> String {
    let settings = profile.settings
    var json = JSONObjectWriter()
    json.add("name", name)
    json.add("role_arn", settings.roleArn?.value ?? "")
    json.add("external_id", settings.externalId?.value ?? "")
    json.add("auth_url", settings.samlAuthURL?.value ?? settings.webIdentityAuthURL?.value ?? "")
    json.add("username", settings.samlUsername?.value ?? settings.webIdentityUsername?.value ?? "")
    json.add("jump_role", settings.jumpRoleArn?.value ?? "")
    json.add("client_id", settings.webIdentityClientID?.value ?? "")
    json.add("redirect_uri", settings.webIdentityRedirectURI?.value ?? "")
    json.addIfPresent("source_profile", settings.sourceProfile?.value)
    return json.result
  }

  /// A JSON array of strings.
  static func array(_ items: [String]) -> String {
    var text = "["
    for (index, item) in items.enumerated() {
      if index > 0 { text += "," }
      JSONObjectWriter.appendQuoted(item, to: &text)
    }
    return text + "]"
  }
}

/// The handler of a serve mode: the credential routes of the mode, then the management API;
/// anything else is 404.
public struct CredentialServerRouter: EndpointHandler {
  /// The mode's credential routes.
  public enum Credentials: Sendable {
    /// `serve ecs`.
    case ecs(ECSCredentialHandler)
    /// `serve ec2`.
    case ec2(InstanceMetadataHandler)
  }

  /// The credential routes.
  public let credentials: Credentials
  /// The management API.
  public let management: ManagementAPIHandler

  /// Creates the router.
  public init(credentials: Credentials, management: ManagementAPIHandler) {
    self.credentials = credentials
    self.management = management
  }

  public func respond(to request: EndpointRequest) async -> EndpointResponse {
    switch credentials {
    case .ecs(let handler) where handler.handles(request.path):
      return await handler.respond(to: request)
    case .ec2(let handler) where handler.handles(request.path):
      return await handler.respond(to: request)
    default:
      if management.handles(request.path) { return await management.respond(to: request) }
      return .text("not found", status: 404)
    }
  }
}
