#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// OneLogin through its API (identity-providers.md §2, spec §6.3).
///
/// - The URL carries the API credentials as the Go tool takes them: `token=` is the base64 of
///   `client_id:client_secret` (an API credential with the "Authentication Only" scope), exchanged
///   for an access token with `POST /auth/oauth2/v2/token` (client credentials) on the API host:
///   `https://api.{region}.onelogin.com` for a `*.onelogin.com` URL (`region=`, default `us`), else
///   the URL's own origin. The subdomain is the first label of the URL's host.
/// - SAML: `saml_auth_url` is the app's launch link (`https://{sub}.onelogin.com/trust/saml2/launch/{app id}`),
///   the app id from `app_id=` or else the link's last path segment. `POST /api/2/saml_assertion`
///   with the username and password answers the SAMLResponse, or asks for MFA.
/// - MFA: the devices of the answer, verified at its `callback_url` (path on the API host):
///   OneLogin Protect push (polled every 1.25 s behind a cancellable notice, `do_not_notify` after
///   the first call) or a code (Protect, Google Authenticator, YubiKey; SMS and Email send theirs
///   first); a rejected code is asked again, at most three times. Which device: `mfa_type` `push`
///   or `code` narrows them (a code given with `-o` counts as `code`), `none` refuses MFA, and the
///   user picks among what is left, push first; without a terminal the first.
/// - OIDC: `web_identity_auth_url` is `https://{sub}.onelogin.com/oidc/2` (the issuer), endpoints
///   `…/auth`, `…/token`, `…/certs`. Without a OneLogin browser session the client signs in with
///   `POST /api/1/login/auth` (MFA as above, at `/api/1/login/verify_factor`) and turns the session
///   token into the session cookies with `POST /session_via_api_token`, then asks again.
struct OneLoginClient: IdentityProviderClient {
  /// How aws-runas knows OneLogin: its hosts, the `*_onelogin.com` cookies its pages set, or the
  /// path of an app launch link or of the OIDC issuer.
  static let kind = IdentityProviderKind(
    name: "onelogin",
    hostDomains: ["onelogin.com"],
    recognises: { probe in probe.cookieNames.contains { $0.lowercased().contains("_onelogin.com") } },
    recognisesPath: { path in
      let segments = path.split(separator: "/")
      let launch = segments.count == 4 && segments[..<3].elementsEqual(["trust", "saml2", "launch"])
      return launch || segments.starts(with: ["oidc", "2"])
    },
    openIDEndpoints: { url in
      var issuer = OpenIDEndpoints.issuer(from: url)
      if URLReference.Components(issuer).path.isEmpty { issuer += "/oidc/2" }
      return OpenIDEndpoints(
        authorization: issuer + "/auth", token: issuer + "/token", keySet: issuer + "/certs", issuer: issuer)
    },
    makeClient: { OneLoginClient(context: $0) })

  /// How often a waiting push is polled (aws-runas: 1.25 s).
  static let pushPollInterval: Duration = .milliseconds(1250)

  /// The session, credentials and prompts.
  let context: IdentityProviderContext

  func samlResponse() async throws -> String {
    let account = try Account(url: context.url)
    guard let appID = account.appID else {
      throw IdentityProviderError(
        message: "\(URLReference.redacted(context.url)) names no OneLogin app",
        hint: "add app_id=<the app's id> to saml_auth_url, or use the app's …/trust/saml2/launch/<app id> link")
    }
    let (api, reply) = try await postCredentials(to: "/api/2/saml_assertion", ["app_id": .string(appID)], account)
    if let assertion = reply.result { return assertion }
    guard let challenge = reply.challenge else {
      throw api.unexpected(reply, "without a SAML assertion or an MFA request")
    }
    let verification = Verification(
      api: api, appID: appID, defaultPath: "/api/2/saml_assertion/verify_factor", challenge: challenge)
    return try await verify(verification)
  }

  func authorizationRedirect(from authorizationURL: String, to redirectURI: String) async throws -> String {
    let redirects = RedirectPolicy.follow(until: redirectURI)
    let first = try await context.session.get(authorizationURL, redirects: redirects)
    if let redirect = first.stoppedRedirect { return redirect }
    try await startBrowserSession()
    let second = try await context.session.get(authorizationURL, redirects: redirects)
    guard let redirect = second.stoppedRedirect else {
      let what = second.title.map { " with the page \"\(TerminalText.excerpt($0, limit: 60))\"" } ?? ""
      throw IdentityProviderError(
        message: "OneLogin at \(URLReference.redacted(second.url)) answered HTTP \(second.status)\(what) and did not "
          + "redirect to \(redirectURI) after signing in",
        hint: "check web_identity_client_id and web_identity_redirect_uri")
    }
    return redirect
  }

  // MARK: - Signing in

  /// Signs in with the login API (v1, still OneLogin's only session API), answers MFA, and turns
  /// the session token into the browser session's cookies.
  private func startBrowserSession() async throws {
    let (api, reply) = try await postCredentials(to: "/api/1/login/auth", [:], try Account(url: context.url))
    var sessionToken = reply.result
    if sessionToken == nil, let challenge = reply.challenge {
      let verification = Verification(
        api: api, appID: nil, defaultPath: "/api/1/login/verify_factor", challenge: challenge)
      sessionToken = try await verify(verification)
    }
    guard let sessionToken else { throw api.unexpected(reply, "without a session token or an MFA request") }
    let address = URLReference.origin(context.url) + "/session_via_api_token"
    let answer = try await context.session.post(address, form: [("session_token", sessionToken)], redirects: .none)
    guard answer.status < 400 else {
      throw IdentityProviderError(
        message: "OneLogin at \(URLReference.redacted(address)) answered HTTP \(answer.status) "
          + "instead of starting a session from the login API's session token")
    }
  }

  /// Gets an access token, then POSTs the username, password and subdomain (and `fields`) to `path`.
  private func postCredentials(
    to path: String, _ fields: [String: JSONValue], _ account: Account
  ) async throws -> (API, API.Reply) {
    let api = try await API.connect(account, context: context)
    var body = fields
    body["username_or_email"] = .string(try await context.credentials.resolvedUsername())
    body["password"] = .string(try await context.credentials.resolvedPassword())
    body["subdomain"] = .string(account.subdomain)
    return (api, try await api.post(path, body, failure: signInFailure))
  }

  /// The error for a refused username and password (or a locked account) in `reply`, else `nil`.
  private func signInFailure(_ reply: API.Reply) -> IdentityProviderError? {
    guard reply.status == 401 || reply.status == 403 else { return nil }
    let detail = reply.message.map { ": " + TerminalText.excerpt($0, limit: 120) } ?? ""
    if reply.message?.lowercased().contains("lock") == true {
      return IdentityProviderError(
        message: "OneLogin at \(place) says the account is locked\(detail)",
        hint: "unlock it in OneLogin or ask an administrator")
    }
    return IdentityProviderError(
      message: "OneLogin at \(place) rejected the username or password\(detail)",
      hint: "check saml_username / web_identity_username and the password")
  }

  // MARK: - MFA

  /// Chooses a device of the challenge and verifies it; returns what the verification ends in (the
  /// SAMLResponse, or the login API's session token).
  private func verify(_ verification: Verification) async throws -> String {
    let option = try await chooseOption(verification.challenge.devices)
    switch option.method {
    case .push: return try await push(option, verification)
    case .code: return try await code(option, verification, sendFirst: false)
    case .sentCode: return try await code(option, verification, sendFirst: true)
    }
  }

  /// The device and method to verify: see the type's documentation.
  private func chooseOption(_ devices: [Device]) async throws -> Option {
    var mfaType = context.mfaType.lowercased()
    guard mfaType != "none" else {
      throw IdentityProviderError(
        message: "OneLogin at \(place) asks for MFA, but mfa_type is none", hint: "set mfa_type to auto, code or push")
    }
    guard !devices.isEmpty else {
      throw IdentityProviderError(
        message: "OneLogin at \(place) asks for MFA, but the user has no MFA device enrolled",
        hint: "enroll OneLogin Protect or an authenticator app by signing in to OneLogin in a browser")
    }
    // Push first, otherwise in OneLogin's order.
    let preferred = devices.enumerated()
      .compactMap { index, device in device.methods.first.map { (index, Option(device: device, method: $0)) } }
      .sorted { ($0.1.method, $0.0) < ($1.1.method, $1.0) }.map(\.1)
    guard !preferred.isEmpty else {
      let types = devices.map(\.type).joined(separator: ", ")
      throw IdentityProviderError(
        message: "OneLogin at \(place) asks for MFA with \(TerminalText.excerpt(types, limit: 120)), "
          + "none of which aws-runas can answer",
        hint: "enroll OneLogin Protect or an authenticator app for this user")
    }
    if mfaType.isEmpty || mfaType == "auto", context.presetMFACode?.isEmpty == false { mfaType = "code" }
    let wanted: [Option] =
      switch mfaType {
      case "push": preferred.filter { $0.method == .push }
      case "code":
        devices.compactMap { device in
          device.methods.first { $0 != .push }.map { Option(device: device, method: $0) }
        }
      default: preferred
      }
    let candidates = wanted.isEmpty ? preferred : wanted
    guard candidates.count > 1 else { return candidates[0] }
    do {
      return candidates[try await context.prompter.choose("OneLogin MFA device: ", from: candidates.map(\.label))]
    } catch is PromptUnavailable {
      return candidates[0]
    }
  }

  /// Verifies a code device: asks for the code (after OneLogin sent it, for SMS and Email) and asks
  /// again when OneLogin rejects it, at most three codes.
  private func code(_ option: Option, _ verification: Verification, sendFirst: Bool) async throws -> String {
    if sendFirst {
      let sent = try await verification.post(option.device, doNotNotify: false)
      if let result = sent.result { return result }
      try verification.api.check(sent)
    }
    for attempt in 0..<3 {
      let code: String
      do {
        let prefix = attempt == 0 ? option.device.name : "OneLogin rejected the code, try again. \(option.device.name)"
        code = try await context.mfaCode(prefix, attempt: attempt)
      } catch is PromptUnavailable where attempt > 0 {
        break
      }
      let reply = try await verification.post(option.device, doNotNotify: true, code: code)
      if reply.isCodeRejected {
        context.logger.debug("OneLogin rejected an MFA code", metadata: ["status": "\(reply.status)"])
        continue
      }
      try verification.api.check(reply)
      guard let result = reply.result else { throw verification.api.unexpected(reply, "after an MFA code") }
      return result
    }
    throw IdentityProviderError(
      message: "OneLogin at \(place) rejected the MFA code of the device \"\(option.device.name)\"",
      hint: "give the current code with -o CODE")
  }

  /// Sends a push (or a voice call) and polls it, behind a cancellable notice, until it is no
  /// longer pending.
  private func push(_ option: Option, _ verification: Verification) async throws -> String {
    let sent = try await verification.post(option.device, doNotNotify: false)
    if let result = sent.result { return result }
    try checkPush(sent, verification.api)
    let notice =
      option.device.isVoice
      ? "Waiting for MFA: answer the OneLogin Voice call and approve on your device"
      : "Waiting for Push MFA: approve the \(option.device.name) push on your device"
    return try await context.prompter.showing(notice) {
      while true {
        try await Task.sleep(for: Self.pushPollInterval)
        let reply = try await verification.post(option.device, doNotNotify: true)
        if let result = reply.result { return result }
        try checkPush(reply, verification.api)
      }
    }
  }

  /// Throws unless `reply` says the push is still pending: rejected, expired or anything else.
  private func checkPush(_ reply: API.Reply, _ api: API) throws {
    let message = reply.message?.lowercased() ?? ""
    guard !(200..<300).contains(reply.status) else {
      guard reply.isPending else { throw api.unexpected(reply, "while waiting for the push") }
      return
    }
    let detail = reply.message.map { " (\(TerminalText.excerpt($0, limit: 100)))" } ?? ""
    if ["denied", "reject", "declined", "failed authentication"].contains(where: message.contains) {
      throw IdentityProviderError(message: "OneLogin at \(place): the push was rejected on the device\(detail)")
    }
    if ["expired", "timed out", "timeout"].contains(where: message.contains) {
      throw IdentityProviderError(
        message: "OneLogin at \(place): the push timed out before it was approved\(detail)",
        hint: "run again and approve it sooner")
    }
    try api.check(reply)
  }

  /// Where messages say the sign-in happened: the URL's origin, without path or query.
  private var place: String { URLReference.origin(context.url) }
}

extension OneLoginClient {
  /// What the URL says about the OneLogin account: the API credentials, the app, the subdomain and
  /// the API host.
  struct Account: Equatable {
    /// The API credential's client id.
    var clientID: String
    /// The API credential's client secret.
    var clientSecret: String
    /// `app_id=`, else the last path segment of a `/trust/saml2/launch/{app id}` link.
    var appID: String?
    /// The first label of the URL's host.
    var subdomain: String
    /// `https://api.{region}.onelogin.com` for a OneLogin host, else the URL's origin.
    var apiBase: String

    /// Reads `url`.
    ///
    /// - Throws: ``IdentityProviderError`` when `token=` is missing or not base64 of `id:secret`.
    init(url: String) throws(IdentityProviderError) {
      let place = URLReference.redacted(url)
      guard let parts = HTTPURLParts(url) else {
        throw IdentityProviderError(message: "\(place) is not an http(s) URL")
      }
      let parameters = OpenIDAuthorizationRequest.queryParameters(of: URLReference.withoutFragment(url))
      let hint =
        "add token=<base64 of client_id:client_secret> of a OneLogin API credential to the URL "
        + "(echo -n 'client_id:client_secret' | base64 -w0)"
      guard let token = parameters["token"], !token.isEmpty else {
        throw IdentityProviderError(
          message: "\(place) has no token= parameter with OneLogin's API credentials", hint: hint)
      }
      guard let credentials = Self.decodedCredentials(token) else {
        throw IdentityProviderError(
          message: "the token= parameter of \(place) is not the base64 of client_id:client_secret", hint: hint)
      }
      (clientID, clientSecret) = credentials
      let segments = parts.path.split(separator: "/")
      if let id = parameters["app_id"], !id.isEmpty {
        appID = id
      } else if segments.count == 4, segments[..<3].elementsEqual(["trust", "saml2", "launch"]) {
        appID = PercentDecoding.decode(String(segments[3]))
      }
      let host = parts.host.lowercased()
      subdomain = String(host.split(separator: ".").first ?? Substring(host))
      if host == "onelogin.com" || host.hasSuffix(".onelogin.com") {
        let region = parameters["region"].flatMap { $0.isEmpty ? nil : $0.lowercased() } ?? "us"
        guard region.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
          throw IdentityProviderError(
            message: "the region= parameter of \(place) is not a OneLogin region", hint: "use us or eu")
        }
        apiBase = "\(parts.scheme)://api.\(region).onelogin.com"
      } else {
        apiBase = URLReference.origin(url)
      }
    }

    /// `client_id:client_secret` from standard or URL-safe base64, padded or not (a `+` that the
    /// query turned into a space counts as `+`).
    static func decodedCredentials(_ token: String) -> (String, String)? {
      var text = String(
        token.map { character -> Character in
          switch character {
          case " ", "-": "+"
          case "_": "/"
          default: character
          }
        })
      while text.count % 4 != 0 { text += "=" }
      guard let data = Data(base64Encoded: text), let pair = String(validating: Array(data), as: UTF8.self),
        let colon = pair.firstIndex(of: ":")
      else { return nil }
      let id = String(pair[..<colon])
      let secret = String(pair[pair.index(after: colon)...])
      guard !id.isEmpty, !secret.isEmpty else { return nil }
      return (id, secret)
    }
  }

  /// An enrolled MFA device of an MFA request (`devices[]`).
  struct Device: Sendable {
    /// `device_id` as OneLogin sent it (a number, in some answers a string): sent back as it is.
    var id: JSONValue
    /// `device_type`: `OneLogin Protect`, `Google Authenticator`, `OneLogin SMS`, …
    var type: String

    /// The name prompts show.
    var name: String { TerminalText.excerpt(type, limit: 60) }

    var isVoice: Bool { type.lowercased().contains("voice") }

    /// How the device can be verified, the preferred way first; empty when aws-runas cannot.
    var methods: [Method] {
      let type = type.lowercased()
      if type == "onelogin protect" || type == "onelogin" { return [.push, .code] }
      if isVoice { return [.push] }
      if type.contains("sms") || type.contains("email") { return [.sentCode] }
      if ["google authenticator", "yubico yubikey", "authenticator", "rsa securid", "onelogin otp"].contains(type) {
        return [.code]
      }
      return []
    }
  }

  /// How a device is verified; push sorts first.
  enum Method: Comparable {
    /// A push (OneLogin Protect) or a call (OneLogin Voice), polled.
    case push
    /// A code the user reads off the device.
    case code
    /// A code OneLogin sends (SMS, Email) when asked first.
    case sentCode
  }

  /// A device and the way to verify it, as the device choice offers them.
  struct Option {
    var device: Device
    var method: Method

    /// What the choice shows.
    var label: String {
      switch method {
      case .push: device.isVoice ? "\(device.name) call" : "\(device.name) push"
      case .code: "\(device.name) code"
      case .sentCode: "\(device.name) code (sent when chosen)"
      }
    }
  }

  /// The MFA request of a sign-in (`state_token`, `devices`, `callback_url`).
  struct Challenge {
    var stateToken: String
    var devices: [Device]
    /// The path of `callback_url`, which is called on the API host.
    var callbackPath: String?
  }

  /// One MFA request being answered: where and with what verify_factor is called.
  struct Verification {
    var api: API
    /// The SAML app (`app_id` of the SAML API); `nil` for the login API.
    var appID: String?
    /// verify_factor's path when the request names no `callback_url`.
    var defaultPath: String
    var challenge: Challenge

    /// POSTs to verify_factor for `device`; every answer is returned (the caller decides).
    func post(_ device: Device, doNotNotify: Bool, code: String? = nil) async throws -> API.Reply {
      var body: [String: JSONValue] = [
        "device_id": device.id, "state_token": .string(challenge.stateToken), "do_not_notify": .bool(doNotNotify),
      ]
      if let appID { body["app_id"] = .string(appID) }
      if let code { body["otp_token"] = .string(code) }
      return try await api.send(challenge.callbackPath ?? defaultPath, body)
    }
  }

  /// The OneLogin API with an access token.
  struct API {
    /// `https://api.{region}.onelogin.com`, or the URL's origin.
    var base: String
    var accessToken: String
    var session: IdentityProviderSession
    /// The profile's URL, for hints.
    var url: String

    /// Gets an access token for the URL's API credentials (`POST /auth/oauth2/v2/token`).
    static func connect(_ account: Account, context: IdentityProviderContext) async throws -> API {
      var api = API(base: account.apiBase, accessToken: "", session: context.session, url: context.url)
      let basic = Data("\(account.clientID):\(account.clientSecret)".utf8).base64EncodedString()
      let reply = try await api.send(
        "/auth/oauth2/v2/token", ["grant_type": "client_credentials"], authorization: "Basic \(basic)")
      if reply.status == 400 || reply.status == 401 || reply.status == 403 {
        let detail = reply.message.map { ": " + TerminalText.excerpt($0, limit: 120) } ?? ""
        throw IdentityProviderError(
          message: "OneLogin at \(URLReference.redacted(api.base + "/auth/oauth2/v2/token")) refused the API "
            + "credentials of the URL's token= parameter (HTTP \(reply.status)\(detail))",
          hint: "token= must be the base64 of the client id and secret of a OneLogin API credential "
            + "with the Authentication Only scope")
      }
      try api.check(reply)
      guard let token = reply.document["access_token"]?.stringValue, !token.isEmpty else {
        throw api.unexpected(reply, "without an access token")
      }
      api.accessToken = token
      return api
    }

    /// POSTs `body` to `path` and returns a 2xx answer; `failure` may name an error answer first.
    func post(
      _ path: String, _ body: [String: JSONValue], failure: (Reply) -> IdentityProviderError? = { _ in nil }
    ) async throws -> Reply {
      let reply = try await send(path, body)
      if let error = failure(reply) { throw error }
      try check(reply)
      return reply
    }

    /// POSTs `body` as JSON to `path` on the API host and reads the JSON answer, whatever its status.
    ///
    /// - Throws: ``IdentityProviderError`` when the answer is not JSON (a page the client does not
    ///   know), ``IdentityProviderRequestError`` when there is no answer.
    func send(_ path: String, _ body: [String: JSONValue], authorization: String? = nil) async throws -> Reply {
      let address = base + path
      let request = HTTPRequestData(
        method: "POST", url: address,
        headers: [
          ("Accept", "application/json"), ("Content-Type", "application/json"),
          ("Authorization", authorization ?? "Bearer \(accessToken)"),
        ],
        body: Array(JSONValue.object(body).serialized.utf8))
      let response = try await session.send(request, redirects: .none)
      guard let document = try? JSONValue.parse(response.body), document.objectValue != nil else {
        let what = response.title.map { " with the page \"\(TerminalText.excerpt($0, limit: 60))\"" } ?? ""
        throw IdentityProviderError(
          message: "OneLogin at \(URLReference.redacted(address)) answered HTTP \(response.status)\(what) "
            + "instead of its API's JSON",
          hint: "check that \(URLReference.redacted(url)) is a OneLogin URL")
      }
      return Reply(url: address, status: response.status, document: document)
    }

    /// Throws for an answer outside 2xx, naming the status and OneLogin's message.
    func check(_ reply: Reply) throws(IdentityProviderError) {
      guard !(200..<300).contains(reply.status) else { return }
      let detail = reply.message.map { ": " + TerminalText.excerpt($0, limit: 120) } ?? ""
      throw IdentityProviderError(
        message: "OneLogin at \(URLReference.redacted(reply.url)) answered HTTP \(reply.status)\(detail)",
        hint: reply.status == 404 ? "check app_id= in \(URLReference.redacted(url))" : nil)
    }

    /// The error for a 2xx answer that holds none of what was expected.
    func unexpected(_ reply: Reply, _ what: String) -> IdentityProviderError {
      let detail = reply.message.map { ": " + TerminalText.excerpt($0, limit: 120) } ?? ""
      return IdentityProviderError(
        message: "OneLogin at \(URLReference.redacted(reply.url)) answered HTTP \(reply.status) \(what)\(detail)")
    }

    /// An API answer, in either of OneLogin's shapes: v2 (`{data, message, state_token, devices, …}`
    /// or `{statusCode, name, message}`) and v1 (`{status: {error, code, type, message}, data: […]}`).
    struct Reply {
      var url: String
      var status: Int
      var document: JSONValue

      /// v1's `data[0]`, else the v2 object itself: where MFA requests and session tokens are.
      private var payload: JSONValue {
        document["data"]?[0] ?? document
      }

      /// `message`, or v1's `status.message`.
      var message: String? {
        document["message"]?.stringValue ?? document["status"]?["message"]?.stringValue
      }

      /// The SAMLResponse (v2 `data`) or the login API's `session_token`.
      var result: String? {
        guard (200..<300).contains(status) else { return nil }
        let value = document["data"]?.stringValue ?? payload["session_token"]?.stringValue
        return value?.isEmpty == false ? value : nil
      }

      /// The MFA request, when the answer is one.
      var challenge: Challenge? {
        guard (200..<300).contains(status), let stateToken = payload["state_token"]?.stringValue else { return nil }
        let devices = (payload["devices"]?.arrayValue ?? []).compactMap { device -> Device? in
          guard let id = device["device_id"], let type = device["device_type"]?.stringValue else { return nil }
          return Device(id: id, type: type)
        }
        let callback = payload["callback_url"]?.stringValue.map { URLReference.Components($0).path }
        return Challenge(
          stateToken: stateToken, devices: devices, callbackPath: callback?.isEmpty == false ? callback : nil)
      }

      /// Whether the answer says a push or a sent code is still waiting.
      var isPending: Bool {
        document["status"]?["type"]?.stringValue?.lowercased() == "pending"
          || message?.lowercased().contains("pending") == true
      }

      /// 401 "Failed authentication with this factor": the code was wrong, the request still usable.
      var isCodeRejected: Bool {
        status == 401 && message?.lowercased().contains("failed authentication with this factor") == true
      }
    }
  }
}
