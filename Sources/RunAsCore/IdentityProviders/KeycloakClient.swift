/// Keycloak's browser flow scraped over HTTP (identity-providers.md §3, spec §6.3).
///
/// - SAML: `saml_auth_url` is the IdP-initiated URL
///   `{base}/realms/{realm}/protocol/saml/clients/{name}`; with a valid session (cookies in
///   `.aws_runas.cookies`) it answers the auto-post page at once, else the login page.
/// - OIDC: `web_identity_auth_url` is `{base}/realms/{realm}`, the issuer; the endpoints are
///   under `/protocol/openid-connect/`.
/// - The login form (`username`, `password`) is filled and posted; an OTP page (an input whose
///   name ends in `otp`: `otp`, older `totp`) gets the MFA code. Keycloak answers a wrong
///   password or code with the same page again, which ends the sign-in with an error.
struct KeycloakClient: IdentityProviderClient {
  /// How aws-runas knows Keycloak: a `KC_RESTART` cookie (set with the login page) or its session
  /// cookies; else a path under `/realms/{realm}`.
  static let kind = IdentityProviderKind(
    name: "keycloak",
    recognises: { probe in
      probe.cookieNames.contains { ["KC_RESTART", "KEYCLOAK_IDENTITY", "KEYCLOAK_SESSION"].contains($0) }
    },
    recognisesPath: { path in
      // `/realms/{realm}` (the OIDC issuer) or a URL below it, with or without the old `/auth`.
      let segments = path.split(separator: "/")
      guard let index = segments.firstIndex(of: "realms"), index <= 1, index + 1 < segments.count else { return false }
      return index == 0 || segments[0] == "auth"
    },
    openIDEndpoints: { url in
      let issuer = OpenIDEndpoints.issuer(from: url)
      let base = issuer + "/protocol/openid-connect/"
      return OpenIDEndpoints(
        authorization: base + "auth", token: base + "token", keySet: base + "certs", issuer: issuer)
    },
    makeClient: { KeycloakClient(context: $0) })

  /// The session, credentials and prompts.
  let context: IdentityProviderContext

  func samlResponse() async throws -> String {
    let page = try await signIn(from: context.url, redirects: .follow) {
      $0.inputValue(named: "SAMLResponse")?.isEmpty == false
    }
    return page.inputValue(named: "SAMLResponse") ?? ""
  }

  func authorizationRedirect(from authorizationURL: String, to redirectURI: String) async throws -> String {
    let response = try await signIn(from: authorizationURL, redirects: .follow(until: redirectURI)) {
      $0.stoppedRedirect != nil
    }
    return response.stoppedRedirect ?? ""
  }

  /// Fetches `url` and answers the login and OTP pages until `isDone` accepts a response.
  private func signIn(
    from url: String, redirects: RedirectPolicy, isDone: (IdentityProviderResponse) -> Bool
  ) async throws -> IdentityProviderResponse {
    let session = context.session
    var page = try await session.get(url, redirects: redirects)
    var sentPassword = false
    var sentCode = false
    while !isDone(page) {
      let place = URLReference.redacted(page.url)
      guard page.status == 200 else {
        throw IdentityProviderError(
          message: "Keycloak answered HTTP \(page.status) at \(place)" + Self.feedbackSuffix(page),
          hint: page.status == 404 ? "check the realm and client name in the URL" : nil)
      }
      let forms = page.forms
      if var form = forms.first(where: Self.isOTPForm) {
        guard !sentCode else {
          throw IdentityProviderError(
            message: "Keycloak at \(place) rejected the MFA code" + Self.feedbackSuffix(page))
        }
        guard context.mfaType.lowercased() != "none" else {
          throw IdentityProviderError(
            message: "Keycloak at \(place) asks for an MFA code, but mfa_type is none",
            hint: "set mfa_type to code or auto")
        }
        let field = form.fields.first { $0.name.lowercased().hasSuffix("otp") }?.name ?? "otp"
        form.fill(field, with: try await context.mfaCode())
        sentCode = true
        page = try await session.submit(form, redirects: redirects)
      } else if var form = forms.first(where: Self.isLoginForm) {
        guard !sentPassword else {
          throw IdentityProviderError(
            message: "Keycloak at \(place) rejected the username or password"
              + Self.feedbackSuffix(page),
            hint: "check saml_username / web_identity_username and the password")
        }
        form.fill("username", with: try await context.credentials.resolvedUsername())
        form.fill("password", with: try await context.credentials.resolvedPassword())
        sentPassword = true
        page = try await session.submit(form, redirects: redirects)
      } else {
        let what = page.title.map { "the page \"\(TerminalText.excerpt($0, limit: 60))\"" } ?? "a page"
        throw IdentityProviderError(
          message: "Keycloak at \(place) answered \(what) without a login form or a SAML response"
            + Self.feedbackSuffix(page),
          hint: "sign in once in a browser to finish what Keycloak asks (a required action?)")
      }
    }
    return page
  }

  private static func isLoginForm(_ form: HTMLForm) -> Bool {
    form.fields.contains { $0.name == "password" } || form.id == "kc-form-login"
  }

  private static func isOTPForm(_ form: HTMLForm) -> Bool {
    form.fields.contains { $0.name.lowercased().hasSuffix("otp") && !$0.isButton }
  }

  /// The message Keycloak shows on the page (`#input-error`, `.kc-feedback-text`, `.alert-error`)
  /// as `: <message>`, one short line; empty when there is none.
  static func feedbackSuffix(_ page: IdentityProviderResponse) -> String {
    var scanner = HTMLScanner(page.text)
    while let token = scanner.next() {
      guard case .start(_, let attributes) = token else { continue }
      let id = HTMLScanner.attribute("id", in: attributes) ?? ""
      let classes = (HTMLScanner.attribute("class", in: attributes) ?? "").split(separator: " ")
      guard
        id == "input-error" || id.hasPrefix("input-error-") || classes.contains("kc-feedback-text")
          || classes.contains("alert-error")
      else { continue }
      var words: [Substring] = []
      while let inner = scanner.next(), words.count < 40 {
        if case .text(let text) = inner {
          words += text.split(whereSeparator: \.isWhitespace)
          if !words.isEmpty { break }
        }
      }
      if !words.isEmpty { return ": " + TerminalText.excerpt(words.joined(separator: " "), limit: 120) }
    }
    return ""
  }
}
