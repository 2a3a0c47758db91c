#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Microsoft Entra ID (Azure AD) through its sign-in pages as a browser sees them
/// (identity-providers.md §5, spec §6.3), under the name the Go tool gives it: `azuread`.
///
/// - SAML: `saml_auth_url` is the AWS app's User Access URL
///   (`https://myapps.microsoft.com/signin/{app}/{app id}?tenantId={tenant}`, or the launcher's
///   `https://launcher.myapps.microsoft.com/api/signin/{app id}?tenantId=…`). MyApps signs in
///   through Entra (its own OIDC `form_post`, the `hiddenform` page), then sends the browser on
///   with `window.location = '…/saml2?SAMLRequest=…'`; Entra answers that with the auto-post page
///   holding the `SAMLResponse`. With Entra's session cookies (`ESTSAUTH`, `ESTSAUTHPERSISTENT`
///   in `.aws_runas.cookies`) nothing is asked.
/// - The sign-in: every page's `$Config` (``EntraIDPage``) says where it stands.
///   `ConvergedSignIn`: the username is checked with GetCredentialType (a user federated to
///   another IdP is a clear error), then username and password are posted. `ConvergedTFA`: MFA
///   (`EntraIDClient+MFA.swift`). `ConvergedProofUpRedirect` (register an MFA method): skipped
///   when Entra allows it, else an error. `KmsiInterrupt` ("Stay signed in?"): yes, so the
///   session outlives this run. An `sErrorCode` on a page is the sign-in's error (50126 wrong
///   username or password, 50053 locked, …). A page without `$Config`, a SAML response or a
///   hand-back form is an error naming its title.
/// - OIDC: `web_identity_auth_url` names the tenant: the v2 issuer
///   (`https://login.microsoftonline.com/{tenant}/v2.0`), any URL under
///   `https://login.microsoftonline.com/{tenant}/`, or a User Access URL (`tenantId`, as the Go
///   tool takes it). Endpoints `…/{tenant}/oauth2/v2.0/{authorize,token}`, keys
///   `…/{tenant}/discovery/v2.0/keys`; the authorization request goes through the same sign-in
///   pages and ends in the redirect to `web_identity_redirect_uri`.
struct EntraIDClient: IdentityProviderClient {
  /// How aws-runas knows Entra ID: its hosts, else the `x-ms-request-id` header of its answers or
  /// its session cookies, else its path shapes.
  static let kind = IdentityProviderKind(
    name: "azuread",
    hostDomains: ["microsoft.com", "microsoftonline.com", "microsoftonline.us", "sts.windows.net"],
    recognises: { probe in
      probe.hasHeader("x-ms-request-id") || probe.cookieNames.contains { sessionCookieNames.contains($0) }
    },
    recognisesPath: { hasEntraPath($0) },
    openIDEndpoints: { openIDEndpoints(for: $0) },
    makeClient: { EntraIDClient(context: $0) })

  /// Cookies only Entra's login host sets (§5.1).
  static let sessionCookieNames: Set<String> = [
    "ESTSAUTH", "ESTSAUTHPERSISTENT", "ESTSAUTHLIGHT", "esctx", "x-ms-gateway-slice", "stsservicecookie",
  ]

  /// The most pages one sign-in may take; more means the pages go round in a loop.
  static let maximumSteps = 16

  /// The session, credentials and prompts.
  let context: IdentityProviderContext

  func samlResponse() async throws -> String {
    let page = try await signIn(from: context.url, redirects: .follow) {
      $0.inputValue(named: "SAMLResponse")?.isEmpty == false
    }
    return page.inputValue(named: "SAMLResponse") ?? ""
  }

  func authorizationRedirect(from authorizationURL: String, to redirectURI: String) async throws -> String {
    let page = try await signIn(from: authorizationURL, redirects: .follow(until: redirectURI)) {
      $0.stoppedRedirect != nil
    }
    return page.stoppedRedirect ?? ""
  }

  /// Fetches `url` and answers page after page until `isDone` accepts one.
  private func signIn(
    from url: String, redirects: RedirectPolicy, isDone: (IdentityProviderResponse) -> Bool
  ) async throws -> IdentityProviderResponse {
    var walk = SignInWalk(client: self, redirects: redirects)
    var page = try await context.session.get(url, redirects: redirects)
    for _ in 0..<Self.maximumSteps {
      if isDone(page) { return page }
      page = try await walk.next(after: page)
    }
    throw IdentityProviderError(
      message: "Entra ID at \(URLReference.redacted(page.url)) kept answering pages without finishing the sign-in "
        + "(\(Self.maximumSteps) steps)",
      hint: "sign in once in a browser to see what Entra asks")
  }

  // MARK: - Detection and endpoints

  /// Entra's and MyApps' path shapes: `/{tenant}/oauth2/…`, `/{tenant}/v2.0…`, `/{tenant}/saml2`,
  /// `/{tenant}/discovery/…`, `/signin/{app}/{app id}`, `/api/signin/{app id}`.
  static func hasEntraPath(_ path: String) -> Bool {
    let segments = path.split(separator: "/")
    if segments.count == 3, segments[0] == "signin" || (segments[0] == "api" && segments[1] == "signin") {
      return true
    }
    guard segments.count >= 2 else { return false }
    // `/{tenant}/oauth2/v2.0/authorize`, `/{tenant}/oauth2/authorize` (v1), `/{tenant}/saml2`,
    // `/{tenant}/v2.0`: other products' `/am/oauth2/realms/…` or `/am/saml2/jsp/…` are not Entra's.
    switch segments[1] {
    case "oauth2": return segments.count >= 3 && ["v2.0", "authorize", "token", "logout"].contains(segments[2])
    case "discovery": return segments.count >= 3
    case "saml2": return segments.count == 2
    case "v2.0": return true
    default: return false
    }
  }

  /// The OIDC v2 endpoints of the tenant `url` names (§5.6): the `tenantId` of a User Access URL,
  /// else the first path segment (`common` when there is none). MyApps' hosts sign in at
  /// `login.microsoftonline.com`; any other host is its own login host (sovereign clouds, tests).
  static func openIDEndpoints(for url: String) -> OpenIDEndpoints {
    let address = URLReference.withoutFragment(url)
    let host = HTTPURLParts(address)?.host.lowercased() ?? ""
    let parameters = OpenIDAuthorizationRequest.queryParameters(of: address)
    let firstSegment = URLReference.Components(address).path.split(separator: "/").first.map(String.init)
    let tenant = parameters["tenantId"].flatMap { $0.isEmpty ? nil : $0 } ?? firstSegment ?? "common"
    let origin =
      host == "microsoft.com" || host.hasSuffix(".microsoft.com")
      ? "https://login.microsoftonline.com" : URLReference.origin(address)
    let base = origin + "/" + tenant
    return OpenIDEndpoints(
      authorization: base + "/oauth2/v2.0/authorize", token: base + "/oauth2/v2.0/token",
      keySet: base + "/discovery/v2.0/keys", issuer: base + "/v2.0")
  }
}

extension EntraIDClient {
  /// One sign-in's way through the pages: what has been answered so far, so a page that comes
  /// back is an error instead of a loop.
  struct SignInWalk: Sendable {
    let client: EntraIDClient
    let redirects: RedirectPolicy
    var sentPassword = false
    var answeredMFA = false
    var answeredStaySignedIn = false
    var skippedRegistration = false
    /// The username once it has been asked for or read from the profile.
    var username: String?

    var context: IdentityProviderContext { client.context }
    var session: IdentityProviderSession { client.context.session }

    /// The response to `response`: the page's question answered, the script's or form's
    /// destination followed.
    mutating func next(after response: IdentityProviderResponse) async throws -> IdentityProviderResponse {
      guard response.status == 200 else {
        throw IdentityProviderError(
          message: "Entra ID answered HTTP \(response.status) at \(URLReference.redacted(response.url))"
            + Self.titleSuffix(response),
          hint: response.status == 404 ? "check the app ID and tenantId in the URL" : nil)
      }
      if let target = EntraIDPage.samlRequestLocation(in: response.text, pageURL: response.url) {
        return try await session.get(target, redirects: redirects)
      }
      if let page = EntraIDPage(html: response.text) {
        return try await answer(page, of: response)
      }
      if let form = response.forms.first(where: EntraIDPage.isHandBack) {
        return try await session.submit(form, redirects: redirects)
      }
      let what = response.title.map { "the page \"\(TerminalText.excerpt($0, limit: 60))\"" } ?? "a page"
      throw IdentityProviderError(
        message: "Entra ID at \(URLReference.redacted(response.url)) answered \(what), which is not a sign-in step "
          + "aws-runas knows (no $Config, SAML response or sign-in form)",
        hint: "sign in once in a browser to finish what Entra asks")
    }

    /// Answers one sign-in page.
    private mutating func answer(_ page: EntraIDPage, of response: IdentityProviderResponse) async throws
      -> IdentityProviderResponse
    {
      let place = URLReference.origin(response.url)
      if page.isStaySignedIn {
        guard !answeredStaySignedIn else { throw repeated("\"Stay signed in?\"", response) }
        answeredStaySignedIn = true
        // Yes: Entra's session cookie becomes persistent, so the next run asks nothing.
        return try await post(
          [
            ("LoginOptions", "1"), ("type", "28"), ("ctx", page.context), (page.flowTokenName, page.flowToken),
            ("hpgrequestid", page.sessionID), ("canary", page.canary),
          ], to: page.postURL, of: response)
      }
      if let code = page.errorCode { throw signInError(code, page, place) }
      if !page.proofs.isEmpty {
        guard !answeredMFA else { throw repeated("MFA", response) }
        answeredMFA = true
        return try await verifyMFA(page, of: response)
      }
      if page.asksForMFARegistration {
        guard let skip = page.skipMFARegistrationURL, !skippedRegistration,
          let target = URLReference.resolve(skip, against: response.url)
        else {
          throw IdentityProviderError(
            message: "Entra ID at \(place) requires this user to register an MFA method first",
            hint: "register one at https://aka.ms/mfasetup in a browser, then run again")
        }
        skippedRegistration = true
        return try await session.get(target, redirects: redirects)
      }
      if page.isSignInForm {
        guard !sentPassword else {
          throw IdentityProviderError(
            message: "Entra ID at \(place) asked for the username and password again after they were sent",
            hint: "check saml_username / web_identity_username and the password")
        }
        return try await sendPassword(page, of: response)
      }
      throw IdentityProviderError(
        message: "Entra ID at \(URLReference.redacted(response.url)) answered the sign-in page "
          + "\"\(TerminalText.excerpt(page.pageID.isEmpty ? "(no pgid)" : page.pageID, limit: 40))\", "
          + "which aws-runas cannot complete",
        hint: "sign in once in a browser to finish what Entra asks")
    }

    /// Checks the username (GetCredentialType, §5.2), then posts it with the password.
    private mutating func sendPassword(_ page: EntraIDPage, of response: IdentityProviderResponse) async throws
      -> IdentityProviderResponse
    {
      let place = URLReference.origin(response.url)
      let username = try await context.credentials.resolvedUsername()
      self.username = username
      var flowToken = page.flowToken
      if let federated = page.federationRedirectURL { throw Self.federated(username, to: federated, place) }
      if let check = page.credentialTypeURL {
        let body: JSONValue = .object([
          "username": .string(username), "isOtherIdpSupported": .bool(true), "checkPhones": .bool(false),
          "isRemoteNGCSupported": .bool(true), "isCookieBannerShown": .bool(false), "isFidoSupported": .bool(false),
          "originalRequest": .string(page.context), "flowToken": .string(page.flowToken),
        ])
        let answer = try await postJSON(body, to: check, page: page, of: response)
        if answer["IfExistsResult"]?.intValue == 1 {
          throw IdentityProviderError(
            message: "Entra ID at \(place) has no account \"\(TerminalText.excerpt(username, limit: 80))\"",
            hint: "check saml_username / web_identity_username (usually the user's email address)")
        }
        if let federated = answer["Credentials"]?["FederationRedirectUrl"]?.stringValue, !federated.isEmpty {
          throw Self.federated(username, to: federated, place)
        }
        if let token = answer["FlowToken"]?.stringValue, !token.isEmpty { flowToken = token }
      }
      let password = try await context.credentials.resolvedPassword()
      sentPassword = true
      return try await post(
        [
          ("i13", "0"), ("login", username), ("loginfmt", username), ("type", "11"), ("LoginOptions", "3"),
          ("passwd", password), ("ps", "2"), ("canary", page.canary), ("ctx", page.context),
          ("hpgrequestid", page.sessionID), (page.flowTokenName, flowToken),
        ], to: page.postURL, of: response)
    }

    // MARK: Requests

    /// Posts a form to `target` (a page's `urlPost`, resolved against the page's URL).
    func post(
      _ pairs: [(name: String, value: String)], to target: String?, of response: IdentityProviderResponse
    ) async throws -> IdentityProviderResponse {
      guard let target, let url = URLReference.resolve(target, against: response.url) else {
        throw IdentityProviderError(
          message: "Entra ID's page at \(URLReference.redacted(response.url)) does not say where to post (no urlPost)")
      }
      return try await session.post(url, form: pairs, redirects: redirects)
    }

    /// Posts `body` as JSON to one of Entra's APIs with the page's canary and telemetry headers,
    /// and returns the JSON object it answers.
    func postJSON(
      _ body: JSONValue, to target: String, page: EntraIDPage, of response: IdentityProviderResponse
    ) async throws -> JSONValue {
      guard let url = URLReference.resolve(target, against: response.url) else {
        throw IdentityProviderError(message: "Entra ID's page names an unusable API URL")
      }
      let telemetry = page.telemetry
      let headers = [
        ("Accept", "application/json"), ("Content-Type", "application/json; charset=UTF-8"),
        ("canary", page.apiCanary), ("client-request-id", page.correlationID), ("hpgrequestid", page.sessionID),
        ("hpgid", telemetry.pageID), ("hpgact", telemetry.action),
      ].filter { !$0.1.isEmpty }.map { (name: $0.0, value: $0.1) }
      let request = HTTPRequestData(method: "POST", url: url, headers: headers, body: Array(body.serialized.utf8))
      let answer = try await session.send(request, redirects: .none)
      let json = try? JSONValue.parse(answer.body)
      guard answer.status == 200, let json, json.objectValue != nil else {
        let what =
          json?["Message"]?.stringValue ?? json?["error"]?["message"]?.stringValue
          ?? answer.title.map { "the page \"\($0)\"" } ?? "no JSON"
        throw IdentityProviderError(
          message: "Entra ID at \(URLReference.redacted(url)) answered HTTP \(answer.status) with "
            + TerminalText.excerpt(what, limit: 120) + " instead of its JSON answer",
          hint: "sign in once in a browser to see what Entra asks")
      }
      return json
    }

    // MARK: Errors

    /// The error an `sErrorCode` stands for (§5.2; codes AADSTS<n> in Microsoft's list).
    private func signInError(_ code: String, _ page: EntraIDPage, _ place: String) -> IdentityProviderError {
      let said = page.errorText.map { ": " + TerminalText.excerpt($0, limit: 120) } ?? ""
      let user = username.map { " \"\(TerminalText.excerpt($0, limit: 80))\"" }
      let account = "the account" + (user ?? "")
      switch code {
      case "50126":
        return IdentityProviderError(
          message: "Entra ID at \(place) rejected the username or password (AADSTS50126)",
          hint: "check saml_username / web_identity_username and the password")
      case "50034":
        return IdentityProviderError(
          message: "Entra ID at \(place) has no account\(user ?? "") (AADSTS50034)",
          hint: "check saml_username / web_identity_username (usually the user's email address)")
      case "50053":
        return IdentityProviderError(
          message: "Entra ID at \(place): \(account) is locked (AADSTS50053)",
          hint: "wait for the lockout to end, or ask an administrator to unlock it")
      case "50055":
        return IdentityProviderError(
          message: "Entra ID at \(place): the password of \(account) has expired (AADSTS50055)",
          hint: "change it by signing in to Microsoft in a browser")
      case "50057":
        return IdentityProviderError(message: "Entra ID at \(place): \(account) is disabled (AADSTS50057)")
      case "50072", "50079":
        return IdentityProviderError(
          message: "Entra ID at \(place) requires this user to register an MFA method first (AADSTS\(code))",
          hint: "register one at https://aka.ms/mfasetup in a browser, then run again")
      case "53003":
        return IdentityProviderError(
          message: "Entra ID at \(place): Conditional Access blocked the sign-in (AADSTS53003)",
          hint: "ask an administrator which policy applies")
      default:
        return IdentityProviderError(
          message: "Entra ID at \(place) ended the sign-in with error AADSTS\(TerminalText.excerpt(code, limit: 12))"
            + said)
      }
    }

    private static func federated(_ username: String, to url: String, _ place: String) -> IdentityProviderError {
      IdentityProviderError(
        message: "Entra ID at \(place) sends \"\(TerminalText.excerpt(username, limit: 80))\" to another identity "
          + "provider (\(URLReference.redacted(url))) for the password, which the azuread provider does not follow",
        hint: "use that provider's own AWS app URL, or saml_provider = browser")
    }

    private func repeated(_ step: String, _ response: IdentityProviderResponse) -> IdentityProviderError {
      IdentityProviderError(
        message: "Entra ID at \(URLReference.redacted(response.url)) asked the \(step) step again after it was "
          + "answered",
        hint: "sign in once in a browser to see what Entra asks")
    }

    private static func titleSuffix(_ response: IdentityProviderResponse) -> String {
      response.title.map { " (\"\(TerminalText.excerpt($0, limit: 60))\")" } ?? ""
    }
  }
}
