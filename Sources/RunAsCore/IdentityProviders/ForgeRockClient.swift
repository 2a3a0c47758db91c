#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// ForgeRock AM / PingAM (and ForgeRock Identity Cloud) through AM's REST authentication
/// (identity-providers.md §4, spec §6.3).
///
/// - URLs (``Deployment``): `{base}/json/realms/root/realms/{realm}` for SAML,
///   `{base}/oauth2/realms/root/realms/{realm}` (the issuer) for OIDC, where `{base}` is the
///   deployment (`https://host/am`, `/openam`); an IdP-initiated URL (`{base}/idpssoinit?metaAlias=…`)
///   is used as it is. `authIndexType` / `authIndexValue` in the URL's query choose the journey.
/// - Sign-in: `POST {base}/json/realms/root/realms/{realm}/authenticate`, each step's callbacks
///   filled and the step posted back until AM answers a `tokenId` (its session cookie,
///   `iPlanetDirectoryPro` or a tenant's own name, then authorizes `idpssoinit` and `authorize`):
///   `NameCallback` gets the username, `PasswordCallback` the password, and either gets an MFA
///   code when its prompt asks for a code or the step after the password asks again (AM's OATH
///   module and tree nodes). A `ChoiceCallback` among factors is decided by `mfa_type` (push, then
///   code, under `auto`; a code given with `-o` counts as `code`) or by the user, push first;
///   without a terminal the first. A `PollingWaitCallback` (push) is posted back after its
///   `waitTime` behind a cancellable notice until AM decides. A callback aws-runas cannot answer,
///   and a device registration step, are errors.
/// - A 401 ends the journey: after a code, AM restarts it, so the journey runs again with a new
///   code (at most three codes); after the password or a push, it is the error.
/// - SAML: `GET {base}/idpssoinit?metaAlias=/{realm}/saml-idp&spEntityID=urn:amazon:webservices`
///   (the alias aws-runas assumes); with AM's session the auto-post page, else a redirect to the
///   login UI, which is not followed: the client signs in and asks again.
/// - OIDC: `{issuer}/authorize`, `/access_token`, `/connect/jwk_uri`; the authorization request is
///   repeated after signing in.
struct ForgeRockClient: IdentityProviderClient {
  /// How aws-runas knows ForgeRock: Identity Cloud's hosts, else AM's signature in an answer
  /// (`Access-Control-Allow-Headers` naming `X-OpenAM-…`, `X-ForgeRock-TransactionId`, the
  /// `amlbcookie` and `iPlanetDirectoryPro` cookies), else the path shapes of AM's URLs.
  static let kind = IdentityProviderKind(
    name: "forgerock",
    hostDomains: ["forgeblocks.com", "forgerock.io"],
    recognises: { probe in
      let allowed = probe.values(of: "Access-Control-Allow-Headers").map { $0.lowercased() }
      return allowed.contains { $0.contains("x-openam-") || $0.contains("mfa-fr-token") }
        || probe.hasHeader("X-ForgeRock-TransactionId")
        || probe.cookieNames.contains { $0 == "amlbcookie" || $0 == "iPlanetDirectoryPro" }
    },
    recognisesPath: Deployment.hasPathShape,
    openIDEndpoints: { Deployment(url: $0).openIDEndpoints },
    makeClient: { ForgeRockClient(context: $0) })

  /// How long a push step waits when AM names no `waitTime` (aws-runas: 1.25 s), and the bounds
  /// put on one it names.
  static let pushPollInterval: Duration = .milliseconds(1250)
  static let pushPollBounds: ClosedRange<Duration> = .milliseconds(200) ... .seconds(10)
  /// The most steps one journey may take (push polls aside) before the client gives up on it.
  static let maximumSteps = 20

  /// The session, credentials and prompts.
  let context: IdentityProviderContext

  func samlResponse() async throws -> String {
    let deployment = Deployment(url: context.url)
    let redirects = RedirectPolicy(follows: true, stopsAt: deployment.isLoginPage)
    let page = try await context.session.get(deployment.samlURL, redirects: redirects)
    if let value = page.inputValue(named: "SAMLResponse"), !value.isEmpty { return value }
    guard page.status < 400 else {
      throw IdentityProviderError(
        message:
          "ForgeRock at \(URLReference.redacted(page.url)) answered HTTP \(page.status) with \(Self.describe(page))",
        hint: "check the realm and metaAlias in saml_auth_url")
    }
    try await signIn(deployment)
    let signedIn = try await context.session.get(deployment.samlURL, redirects: redirects)
    guard let value = signedIn.inputValue(named: "SAMLResponse"), !value.isEmpty else {
      throw IdentityProviderError(
        message: "ForgeRock at \(URLReference.redacted(signedIn.url)) answered \(Self.describe(signedIn)) "
          + "and no SAML response after signing in",
        hint: "check the realm in saml_auth_url, and that its hosted IdP (alias saml-idp) trusts "
          + "urn:amazon:webservices")
    }
    return value
  }

  func authorizationRedirect(from authorizationURL: String, to redirectURI: String) async throws -> String {
    let deployment = Deployment(url: context.url)
    let toRedirectURI = RedirectPolicy.follow(until: redirectURI)
    let redirects = RedirectPolicy(follows: true) { toRedirectURI.stopsAt($0) || deployment.isLoginPage($0) }
    let first = try await context.session.get(authorizationURL, redirects: redirects)
    if let location = first.stoppedRedirect, toRedirectURI.stopsAt(location) { return location }
    try await signIn(deployment)
    let second = try await context.session.get(authorizationURL, redirects: redirects)
    guard let location = second.stoppedRedirect, toRedirectURI.stopsAt(location) else {
      throw IdentityProviderError(
        message: "ForgeRock at \(URLReference.redacted(second.url)) answered \(Self.describe(second)) "
          + "and did not redirect to \(redirectURI) after signing in",
        hint: "check web_identity_client_id and web_identity_redirect_uri, and that the client has implied consent")
    }
    return location
  }

  // MARK: - The authentication journey

  /// What outlives one run of the journey: the username and password (asked once), the factor
  /// the user chose, and how many codes were sent.
  private struct Progress {
    var username: String?
    var password: String?
    var factor: Factor?
    var codesSent = 0
  }

  /// What one run of the journey sent in its last step, which says what a 401 refused.
  private enum Sent {
    case nothing, password, code, push, other
  }

  /// One answer of `authenticate`.
  private enum Answer: Sendable {
    /// Another step: the whole object, to be filled and posted back.
    case step(JSONValue)
    /// Signed in; the session cookie came with it.
    case signedIn
    /// The journey ended (401): AM's message.
    case failed(String)
  }

  /// Runs the journey until AM answers a `tokenId`: again after a rejected code, at most three
  /// codes in all.
  private func signIn(_ deployment: Deployment) async throws {
    var progress = Progress()
    while true {
      do {
        try await runJourney(deployment.authenticateURL, progress: &progress)
        return
      } catch let rejected as CodeRejected {
        guard progress.codesSent < 3 else { throw rejected.error(place: place) }
        context.logger.debug("ForgeRock rejected an MFA code", metadata: ["codes": "\(progress.codesSent)"])
      } catch is PromptUnavailable where progress.codesSent > 0 {
        throw CodeRejected().error(place: place)
      }
    }
  }

  /// One run of the journey, from an empty `POST` to the `tokenId`.
  private func runJourney(_ url: String, progress: inout Progress) async throws {
    var answer = try await post(url, body: nil)
    var sent = Sent.nothing
    var sentUsername = false
    var sentPassword = false
    for _ in 0..<Self.maximumSteps {
      switch answer {
      case .signedIn:
        return
      case .failed(let message):
        throw try failure(message, after: sent)
      case .step(let step):
        let callbacks = step["callbacks"]?.arrayValue ?? []
        if callbacks.contains(where: { $0["type"]?.stringValue == "PollingWaitCallback" }) {
          guard context.mfaType.lowercased() != "none" else { throw mfaNotWanted("a push approval") }
          sent = .push
          answer = try await waitForPush(step, url: url)
          continue
        }
        var filled: [JSONValue] = []
        sent = .other
        for callback in callbacks {
          let type = callback["type"]?.stringValue ?? ""
          let prompt = Self.output("prompt", of: callback)?.stringValue ?? ""
          switch type {
          case "NameCallback" where !sentUsername && !Self.asksForCode(prompt):
            if progress.username == nil { progress.username = try await context.credentials.resolvedUsername() }
            filled.append(Self.filling(callback, with: .string(progress.username ?? "")))
            sentUsername = true
          case "PasswordCallback" where !sentPassword && !Self.asksForCode(prompt):
            if progress.password == nil { progress.password = try await context.credentials.resolvedPassword() }
            filled.append(Self.filling(callback, with: .string(progress.password ?? "")))
            sentPassword = true
            sent = .password
          case "NameCallback", "PasswordCallback":
            filled.append(Self.filling(callback, with: .string(try await code(progress: &progress))))
            if sent != .password { sent = .code }
          case "ChoiceCallback":
            filled.append(
              Self.filling(callback, with: .number(Double(try await choose(callback, progress: &progress)))))
          case "HiddenValueCallback" where Self.registersDevice(callback):
            throw IdentityProviderError(
              message: "ForgeRock at \(place) asks to register an MFA device before signing in",
              hint: "register one with the ForgeRock Authenticator app by signing in once in a browser")
          case "ConfirmationCallback", "HiddenValueCallback", "TextOutputCallback", "MetadataCallback",
            "SuspendedTextOutputCallback":
            // AM fills in the default; nothing for the user to say.
            filled.append(callback)
          default:
            let what = prompt.isEmpty ? "" : " (\"\(TerminalText.excerpt(prompt, limit: 60))\")"
            throw IdentityProviderError(
              message: "ForgeRock at \(place) asks for a \(TerminalText.excerpt(type, limit: 40))\(what), "
                + "which aws-runas cannot answer",
              hint: "use a journey that asks for a username, a password, an OATH code or a push "
                + "(authIndexValue in the URL's query)")
          }
        }
        var object = step.objectValue ?? [:]
        object["callbacks"] = .array(filled)
        answer = try await post(url, body: .object(object))
      }
    }
    throw IdentityProviderError(
      message: "ForgeRock at \(place) asked for more than \(Self.maximumSteps) steps without signing in",
      hint: "sign in once in a browser to see what the journey asks")
  }

  /// The MFA code for a code callback: `-o` the first time, else asked.
  private func code(progress: inout Progress) async throws -> String {
    guard context.mfaType.lowercased() != "none" else { throw mfaNotWanted("an MFA code") }
    let attempt = progress.codesSent
    let code = try await context.mfaCode(
      attempt == 0 ? nil : "ForgeRock rejected the code, try again.", attempt: attempt)
    progress.codesSent += 1
    return code
  }

  /// The index to answer a `ChoiceCallback` with: see the type's documentation.
  private func choose(_ callback: JSONValue, progress: inout Progress) async throws -> Int {
    let choices = (Self.output("choices", of: callback)?.arrayValue ?? []).map { $0.stringValue ?? "" }
    let defaultChoice = Self.output("defaultChoice", of: callback)?.intValue ?? 0
    let prompt = Self.output("prompt", of: callback)?.stringValue ?? "Choose one"
    let factors = choices.indices.compactMap { index in Factor(choice: choices[index]).map { (index, $0) } }
    guard !factors.isEmpty else {
      // Not a factor choice: the user decides, else AM's default.
      do {
        return try await context.prompter.choose(TerminalText.excerpt(prompt, limit: 80) + ": ", from: choices)
      } catch is PromptUnavailable {
        return choices.indices.contains(defaultChoice) ? defaultChoice : 0
      }
    }
    if let chosen = progress.factor, let index = factors.first(where: { $0.1 == chosen })?.0 { return index }
    var mfaType = context.mfaType.lowercased()
    guard mfaType != "none" else { throw mfaNotWanted("an MFA factor") }
    if mfaType.isEmpty || mfaType == "auto", context.presetMFACode?.isEmpty == false { mfaType = "code" }
    let ordered = factors.sorted { $0.1.rawValue < $1.1.rawValue }
    let wanted = ordered.filter { mfaType == "push" ? $0.1 == .push : mfaType == "code" ? $0.1 == .code : true }
    let candidates = wanted.isEmpty ? ordered : wanted
    var picked = candidates[0]
    if candidates.count > 1 {
      do {
        let names = candidates.map { choices[$0.0] }
        picked = candidates[try await context.prompter.choose("ForgeRock MFA factor: ", from: names)]
      } catch is PromptUnavailable {
        // Nobody to ask: the first, push when there is one.
      }
    }
    progress.factor = picked.1
    return picked.0
  }

  /// Posts the push step back, unchanged, every `waitTime` behind a cancellable notice until AM
  /// answers something other than another wait.
  private func waitForPush(_ step: JSONValue, url: String) async throws -> Answer {
    try await context.prompter.showing(
      "Waiting for Push MFA: approve the ForgeRock Authenticator push on your device"
    ) {
      var current = step
      while true {
        try await Task.sleep(for: Self.pollDelay(of: current))
        let answer = try await post(url, body: current)
        guard case .step(let next) = answer,
          next["callbacks"]?.arrayValue?.contains(where: { $0["type"]?.stringValue == "PollingWaitCallback" }) == true
        else { return answer }
        current = next
      }
    }
  }

  /// POSTs to `authenticate`: an empty body starts the journey, a step continues it.
  ///
  /// - Throws: ``IdentityProviderError`` for an answer that is neither a step, a `tokenId` nor
  ///   AM's error body (an HTML page, another service), or an error other than 401.
  private func post(_ url: String, body: JSONValue?) async throws -> Answer {
    let request = HTTPRequestData(
      method: "POST", url: url,
      headers: [
        ("Accept", "application/json"), ("Content-Type", "application/json"),
        ("Accept-API-Version", "resource=2.0, protocol=1.0"),
      ],
      body: body.map { Array($0.serialized.utf8) } ?? [])
    let response = try await context.session.send(request, redirects: .none)
    let document = try? JSONValue.parse(response.body)
    if response.status == 200, let document {
      if let token = document["tokenId"]?.stringValue, !token.isEmpty { return .signedIn }
      if document["authId"]?.stringValue != nil, document["callbacks"]?.arrayValue != nil { return .step(document) }
    }
    let message = document?["message"]?.stringValue
    if response.status == 401, let message { return .failed(message) }
    if let message, document?["code"]?.intValue == response.status {
      throw IdentityProviderError(
        message: "ForgeRock at \(URLReference.redacted(url)) answered HTTP \(response.status): "
          + TerminalText.excerpt(message, limit: 120),
        hint: response.status == 404
          ? "check the realm in the URL (…/json/realms/root/realms/<realm>)"
          : "check authIndexType / authIndexValue in the URL's query")
    }
    throw IdentityProviderError(
      message: "ForgeRock at \(URLReference.redacted(url)) answered HTTP \(response.status) with "
        + "\(Self.describe(response)) instead of an authentication step",
      hint: "check that \(URLReference.redacted(context.url)) is a ForgeRock AM URL")
  }

  /// The error for a journey AM ended with `message`, by what the last step sent.
  private func failure(_ message: String, after sent: Sent) throws -> IdentityProviderError {
    let quoted = TerminalText.excerpt(message, limit: 120)
    let lowered = message.lowercased()
    // With account lockout on, AM's Failure node warns instead of saying "Login failure".
    let warning = lowered.hasPrefix("warning:")
    let generic = warning || ["login failure", "authentication failed"].contains(lowered)
    if !warning, lowered.contains("lock") || lowered.contains("inactive") {
      return IdentityProviderError(
        message: "ForgeRock at \(place) refused the sign-in: \(quoted)",
        hint: "the account is locked or inactive: an administrator can unlock it")
    }
    switch sent {
    case .password where generic:
      return IdentityProviderError(
        message: "ForgeRock at \(place) rejected the username or password" + (warning ? " (\(quoted))" : ""),
        hint: "check saml_username / web_identity_username and the password")
    case .code where generic:
      throw CodeRejected()
    case .push:
      return IdentityProviderError(
        message: "ForgeRock at \(place): the push was not approved (\(quoted))",
        hint: "it was rejected on the device or expired: run again and approve it")
    default:
      return IdentityProviderError(message: "ForgeRock at \(place) refused the sign-in: \(quoted)")
    }
  }

  private func mfaNotWanted(_ what: String) -> IdentityProviderError {
    IdentityProviderError(
      message: "ForgeRock at \(place) asks for \(what), but mfa_type is none",
      hint: "set mfa_type to auto, code or push")
  }

  /// Where messages say the sign-in happened: the `authenticate` URL, without its query.
  private var place: String { URLReference.redacted(Deployment(url: context.url).authenticateURL) }

  // MARK: - Callbacks

  /// The value of the output named `name` of a callback.
  static func output(_ name: String, of callback: JSONValue) -> JSONValue? {
    callback["output"]?.arrayValue?.first { $0["name"]?.stringValue == name }?["value"]
  }

  /// `callback` with its first input's value replaced.
  static func filling(_ callback: JSONValue, with value: JSONValue) -> JSONValue {
    guard var object = callback.objectValue, var inputs = object["input"]?.arrayValue,
      var first = inputs.first?.objectValue
    else { return callback }
    first["value"] = value
    inputs[0] = .object(first)
    object["input"] = .array(inputs)
    return .object(object)
  }

  /// Whether a name or password prompt asks for a one-time code rather than the username or
  /// password ("Enter verification code", "One Time Password").
  static func asksForCode(_ prompt: String) -> Bool {
    let words = prompt.lowercased()
    return ["code", "otp", "one time", "one-time", "token"].contains { words.contains($0) }
  }

  /// Whether a `HiddenValueCallback` carries a device registration (the OATH or push
  /// registration node's QR code URI).
  static func registersDevice(_ callback: JSONValue) -> Bool {
    let value = output("value", of: callback)?.stringValue ?? ""
    return output("id", of: callback)?.stringValue == "mfaDeviceRegistration" || value.hasPrefix("otpauth://")
      || value.hasPrefix("pushauth://")
  }

  /// How long to wait before posting a push step back: its `waitTime` (milliseconds), bounded.
  static func pollDelay(of step: JSONValue) -> Duration {
    let callback = step["callbacks"]?.arrayValue?.first { $0["type"]?.stringValue == "PollingWaitCallback" }
    let value = callback.flatMap { output("waitTime", of: $0) }
    guard let milliseconds = value?.intValue ?? value?.stringValue.flatMap({ Int($0) }) else {
      return pushPollInterval
    }
    return min(max(.milliseconds(milliseconds), pushPollBounds.lowerBound), pushPollBounds.upperBound)
  }

  /// What a response was, for messages: the page's title, else its content type.
  static func describe(_ response: IdentityProviderResponse) -> String {
    if let title = response.title { return "the page \"\(TerminalText.excerpt(title, limit: 60))\"" }
    if response.isRedirect, let location = response.location {
      return "a redirect to \(URLReference.redacted(location))"
    }
    let type = response.header("Content-Type").map { TerminalText.excerpt($0, limit: 40) } ?? "no content type"
    return "a body of \(type)"
  }
}

extension ForgeRockClient {
  /// An MFA factor a `ChoiceCallback` offers, in aws-runas's order of preference.
  enum Factor: Int, Sendable {
    case push, code

    /// The factor a choice names ("ForgeRock Authenticator (Push)", "OATH", "Authenticator app
    /// code"); `nil` for a choice that is no factor (recovery codes included).
    init?(choice: String) {
      let words = choice.lowercased()
      if words.contains("recovery") || words.contains("emergency") { return nil }
      if words.contains("push") {
        self = .push
      } else if ["oath", "otp", "code", "totp", "hotp"].contains(where: { words.contains($0) }) {
        self = .code
      } else {
        return nil
      }
    }
  }

  /// A 401 after a code: AM restarts the journey.
  struct CodeRejected: Error {
    func error(place: String) -> IdentityProviderError {
      IdentityProviderError(
        message: "ForgeRock at \(place) rejected the MFA code", hint: "give the current code with -o CODE")
    }
  }

  /// Where a ForgeRock URL points: the deployment, the realm, the journey, and the URLs
  /// aws-runas derives from them (spec §6.3: the base is the URL before `/json/`, `/oauth2/`…;
  /// the realm comes from `/realms/…`, a `metaAlias` or a `realm` parameter).
  struct Deployment: Equatable {
    /// The deployment's base URL (`https://host/am`), without a trailing slash.
    var base: String
    /// The realm's path from the top realm: `[]` for the top realm, `["alpha"]` for `/alpha`.
    var realm: [String]
    /// `authIndexType` / `authIndexValue` of the URL, passed on to `authenticate`.
    var journey: [(name: String, value: String)]
    /// The IdP-initiated SAML URL: the URL itself when it is one, else built with the hosted
    /// IdP alias aws-runas assumes (`saml-idp`) or the URL's `metaAlias`.
    var samlURL: String
    /// The OIDC issuer: the URL itself when it is an `/oauth2/` URL, else the realm's.
    var issuer: String

    /// The path segments that end the base of a ForgeRock URL.
    static let baseEnds: Set<String> = [
      "json", "oauth2", "WSFederationServlet", "idpssoinit", "saml2", "SSOPOST", "SSORedirect", "XUI", "UI",
    ]

    /// Reads `url`; a URL without any of AM's path segments is the base itself, top realm.
    init(url: String) {
      let address = URLReference.withoutFragment(url)
      var parts = URLReference.Components(address)
      let parameters = OpenIDAuthorizationRequest.queryParameters(of: address)
      let segments = parts.path.split(separator: "/").map(String.init)
      let end = segments.firstIndex { Self.baseEnds.contains($0) } ?? segments.count
      parts.path = segments[..<end].map { "/" + $0 }.joined()
      parts.query = nil
      parts.fragment = nil
      base = parts.text

      var realm: [String] = []
      var idpAlias = "saml-idp"
      let rest = segments[end...]
      if let marker = rest.first, marker == "json" || marker == "oauth2" {
        var names: [String] = []
        var cursor = rest.dropFirst()
        while cursor.count >= 2, cursor.first == "realms" {
          names.append(cursor[cursor.startIndex + 1])
          cursor = cursor.dropFirst(2)
        }
        realm = names.first == "root" ? Array(names.dropFirst()) : names
      } else if let alias = parameters["metaAlias"]
        ?? rest.firstIndex(of: "metaAlias").map({ rest[($0 + 1)...].joined(separator: "/") })
      {
        let names = alias.split(separator: "/").map(String.init)
        realm = Array(names.dropLast())
        idpAlias = names.last ?? idpAlias
      } else if let named = parameters["realm"] {
        realm = named.split(separator: "/").map(String.init).filter { $0 != "root" }
      }
      self.realm = realm

      journey = ["authIndexType", "authIndexValue"].compactMap { name in parameters[name].map { (name, $0) } }
      if rest.first == "idpssoinit" || rest.last == "idpSSOInit.jsp" {
        samlURL = address
      } else {
        let alias = (realm + [idpAlias]).joined(separator: "/")
        samlURL = base + "/idpssoinit?metaAlias=/\(alias)&spEntityID=urn:amazon:webservices"
      }
      if rest.first == "oauth2" {
        var issuer = address
        if let query = issuer.firstIndex(of: "?") { issuer = String(issuer[..<query]) }
        while issuer.hasSuffix("/") { issuer.removeLast() }
        self.issuer = issuer
      } else {
        issuer = base + "/oauth2" + (realm.isEmpty ? "" : "/realms/root" + realm.map { "/realms/\($0)" }.joined())
      }
    }

    /// `{base}/json/realms/root[/realms/…]/authenticate`, with the URL's journey.
    var authenticateURL: String {
      let path = base + "/json/realms/root" + realm.map { "/realms/\($0)" }.joined() + "/authenticate"
      return journey.isEmpty ? path : path + "?" + HTMLForm.urlEncoded(journey)
    }

    /// The realm's OAuth 2.0 / OIDC endpoints.
    var openIDEndpoints: OpenIDEndpoints {
      OpenIDEndpoints(
        authorization: issuer + "/authorize", token: issuer + "/access_token", keySet: issuer + "/connect/jwk_uri",
        issuer: issuer)
    }

    /// Whether a redirect goes to the deployment's login UI (`{base}/XUI/…`, `{base}/UI/Login`),
    /// which asks the user to sign in; the client signs in over REST instead.
    func isLoginPage(_ location: String) -> Bool {
      guard URLReference.origin(location) == URLReference.origin(base) else { return false }
      let segments = URLReference.Components(location).path.split(separator: "/")
      return segments.contains("XUI") || zip(segments, segments.dropFirst()).contains { $0 == "UI" && $1 == "Login" }
    }

    /// Whether a path has the shape of an AM URL: under `/openam/` or `/am/`, or with
    /// `/json/realms/`, `/oauth2/realms/`, `idpssoinit` or a `metaAlias`.
    @Sendable static func hasPathShape(_ path: String) -> Bool {
      let segments = path.split(separator: "/")
      if let first = segments.first, first == "openam" || first == "am" { return true }
      if zip(segments, segments.dropFirst()).contains(where: { ($0 == "json" || $0 == "oauth2") && $1 == "realms" }) {
        return true
      }
      return segments.contains { $0 == "idpssoinit" || $0 == "idpSSOInit.jsp" || $0 == "metaAlias" }
    }

    static func == (lhs: Deployment, rhs: Deployment) -> Bool {
      lhs.base == rhs.base && lhs.realm == rhs.realm && lhs.samlURL == rhs.samlURL && lhs.issuer == rhs.issuer
        && lhs.journey.map { "\($0.name)=\($0.value)" } == rhs.journey.map { "\($0.name)=\($0.value)" }
    }
  }
}
