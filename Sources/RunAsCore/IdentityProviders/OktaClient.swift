#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Okta Classic Engine through its Authentication API (identity-providers.md §1, spec §6.3).
///
/// - SAML: `saml_auth_url` is the AWS app's embed link (`https://{org}.okta.com/home/amazon_aws/{app}/272`,
///   or `…/app/amazon_aws/{app}/sso/saml`). With a valid Okta session (the `sid` cookie in
///   `.aws_runas.cookies`) it answers the auto-post page at once; else the client signs in with
///   `POST /api/v1/authn` and fetches the link again with `?sessionToken=`.
/// - MFA (`MFA_REQUIRED`; refused with `mfa_type` `none`): factors `push` (Okta Verify, polled every 1.25 s behind a cancellable
///   notice, which shows the number of a number challenge), `token:software:totp`, `token:hotp`,
///   `token` (a code: `-o`, else asked; a rejected code is asked again, at most three times) and
///   `sms`, `call` (the code is sent first, then asked). Which factor: the one the user has;
///   among several, `mfa_type` `push` or `code` narrows them (a code given with `-o` counts as
///   `code`), and the user picks among what is left, push first; without a terminal the first.
/// - OIDC: `web_identity_auth_url` is an authorization server (`https://{org}.okta.com/oauth2/default`;
///   the org itself for the org server), endpoints `…/v1/{authorize,token,keys}`; the
///   authorization request is repeated with `sessionToken=` after signing in.
struct OktaClient: IdentityProviderClient {
  /// How aws-runas knows Okta: its hosts, else the `X-Okta-Request-Id` header of every answer.
  static let kind = IdentityProviderKind(
    name: "okta",
    hostDomains: ["okta.com", "oktapreview.com", "okta-emea.com"],
    recognises: { $0.hasHeader("X-Okta-Request-Id") },
    openIDEndpoints: { url in
      let issuer = OpenIDEndpoints.issuer(from: url)
      // The org authorization server's endpoints are under `/oauth2/v1/`, a custom one's under
      // `/oauth2/{id}/v1/`.
      let base = URLReference.Components(issuer).path.isEmpty ? issuer + "/oauth2/v1/" : issuer + "/v1/"
      return OpenIDEndpoints(
        authorization: base + "authorize", token: base + "token", keySet: base + "keys", issuer: issuer)
    },
    makeClient: { OktaClient(context: $0) })

  /// How often a waiting push is polled (aws-runas: 1.25 s).
  static let pushPollInterval: Duration = .milliseconds(1250)

  /// The session, credentials and prompts.
  let context: IdentityProviderContext

  func samlResponse() async throws -> String {
    let session = context.session
    let page = try await session.get(context.url)
    if let value = page.inputValue(named: "SAMLResponse"), !value.isEmpty { return value }
    let token = try await sessionToken()
    let signedIn = try await session.get(Self.adding(sessionToken: token, to: context.url))
    guard let value = signedIn.inputValue(named: "SAMLResponse"), !value.isEmpty else {
      let what = signedIn.title.map { "the page \"\(TerminalText.excerpt($0, limit: 60))\"" } ?? "a page"
      throw IdentityProviderError(
        message: "Okta at \(URLReference.redacted(signedIn.url)) answered HTTP \(signedIn.status) with \(what) "
          + "and no SAML response after signing in",
        hint: "saml_auth_url must be the AWS app's embed link (…/home/amazon_aws/<app id>/<n>)")
    }
    return value
  }

  func authorizationRedirect(from authorizationURL: String, to redirectURI: String) async throws -> String {
    let redirects = RedirectPolicy.follow(until: redirectURI)
    let first = try await context.session.get(authorizationURL, redirects: redirects)
    if let redirect = first.stoppedRedirect { return redirect }
    let token = try await sessionToken()
    let second = try await context.session.get(
      Self.adding(sessionToken: token, to: authorizationURL), redirects: redirects)
    guard let redirect = second.stoppedRedirect else {
      throw IdentityProviderError(
        message: "Okta at \(URLReference.redacted(second.url)) did not redirect to \(redirectURI) after signing in",
        hint: "check web_identity_client_id and web_identity_redirect_uri")
    }
    return redirect
  }

  // MARK: - The authentication API

  /// Signs in with the username and password, answers MFA, and returns the one-time sessionToken.
  private func sessionToken() async throws -> String {
    let username = try await context.credentials.resolvedUsername()
    let password = try await context.credentials.resolvedPassword()
    var transaction = try await post(
      URLReference.origin(context.url) + "/api/v1/authn", ["username": username, "password": password])
    if transaction.status == "MFA_REQUIRED" {
      guard context.mfaType.lowercased() != "none" else {
        throw IdentityProviderError(
          message: "Okta at \(place) asks for MFA but mfa_type is none",
          hint: "set mfa_type to auto, code or push for this profile")
      }
      transaction = try await verify(try await chooseFactor(transaction.factors), stateToken: transaction.stateToken)
    }
    guard transaction.status == "SUCCESS", let token = transaction.sessionToken, !token.isEmpty else {
      throw failure(transaction)
    }
    return token
  }

  /// The factor to verify: see the type's documentation.
  private func chooseFactor(_ factors: [Factor]) async throws -> Factor {
    let supported = factors.filter { $0.isPush || $0.isCode }.sorted { $0.preference < $1.preference }
    guard !supported.isEmpty else {
      let types = factors.map(\.factorType).joined(separator: ", ")
      throw IdentityProviderError(
        message: "Okta at \(place) asks for MFA with \(types.isEmpty ? "no factor" : types), "
          + "none of which aws-runas can answer",
        hint: "enroll Okta Verify or an authenticator app (TOTP) for this user")
    }
    var mfaType = context.mfaType.lowercased()
    if mfaType.isEmpty || mfaType == "auto", context.presetMFACode?.isEmpty == false { mfaType = "code" }
    let wanted = supported.filter { mfaType == "push" ? $0.isPush : mfaType == "code" ? $0.isCode : true }
    let candidates = wanted.isEmpty ? supported : wanted
    guard candidates.count > 1 else { return candidates[0] }
    do {
      return candidates[try await context.prompter.choose("Okta MFA factor: ", from: candidates.map(\.displayName))]
    } catch is PromptUnavailable {
      return candidates[0]
    }
  }

  /// Verifies `factor` for the transaction `stateToken`.
  private func verify(_ factor: Factor, stateToken: String?) async throws -> Transaction {
    guard let url = factor.verifyURL, let stateToken else {
      throw IdentityProviderError(message: "Okta at \(place) answered MFA_REQUIRED without a factor to verify")
    }
    if factor.isPush { return try await push(url, stateToken: stateToken) }
    var codeURL = url
    if factor.isSentCode {
      // An SMS or voice call: the first verify sends the code (MFA_CHALLENGE, factorResult CHALLENGE).
      let sent = try await post(url, ["stateToken": stateToken])
      codeURL = sent.links?.next?.href ?? url
      context.logger.debug("Okta sent an MFA code", metadata: ["factor": "\(factor.factorType)"])
    }
    for attempt in 0..<3 {
      let code: String
      do {
        // A code sent now cannot have been given up front: ask for it.
        let label = attempt > 0 ? "Okta rejected the code, try again." : factor.sentCodeLabel
        code = try await context.mfaCode(label, attempt: factor.isSentCode ? attempt + 1 : attempt)
      } catch is PromptUnavailable where attempt > 0 {
        break
      }
      do {
        return try await post(codeURL, ["stateToken": stateToken, "passCode": code])
      } catch let rejected as CodeRejected {
        context.logger.debug("Okta rejected an MFA code", metadata: ["errorCode": "\(rejected.errorCode)"])
      }
    }
    throw IdentityProviderError(
      message: "Okta at \(place) rejected the MFA code of the factor \"\(factor.displayName)\"",
      hint: "give the current code with -o CODE")
  }

  /// Starts a push and polls it, behind a cancellable notice, until it is no longer waiting.
  private func push(_ url: String, stateToken: String) async throws -> Transaction {
    let challenge = try await post(url, ["stateToken": stateToken])
    // Okta's number challenge: the user must pick this number in Okta Verify.
    let number = challenge.correctAnswer.map { " and choose \($0)" } ?? ""
    let notice = "Waiting for Push MFA: approve the Okta Verify push on your device\(number)"
    let result = try await context.prompter.showing(notice) {
      var current = challenge
      while current.status == "MFA_CHALLENGE", current.factorResult == "WAITING" {
        try await Task.sleep(for: Self.pushPollInterval)
        current = try await post(current.links?.next?.href ?? url, ["stateToken": current.stateToken ?? stateToken])
      }
      return current
    }
    switch (result.status, result.factorResult) {
    case ("MFA_CHALLENGE", "REJECTED"):
      throw IdentityProviderError(message: "Okta at \(place): the push was rejected on the device")
    case ("MFA_CHALLENGE", "TIMEOUT"):
      throw IdentityProviderError(
        message: "Okta at \(place): the push timed out before it was approved", hint: "run again and approve it sooner")
    default:
      return result
    }
  }

  /// POSTs `body` as JSON and reads the answer as an authentication transaction.
  ///
  /// - Throws: ``CodeRejected`` for a wrong code (403 E0000068), ``IdentityProviderError`` for
  ///   any other error answer or a body that is not a transaction.
  private func post(_ url: String, _ body: [String: String]) async throws -> Transaction {
    let request = HTTPRequestData(
      method: "POST", url: url, headers: [("Accept", "application/json"), ("Content-Type", "application/json")],
      body: Array(try JSONEncoder().encode(body)))
    let response = try await context.session.send(request, redirects: .none)
    guard let transaction = try? JSONDecoder().decode(Transaction.self, from: Data(response.body)) else {
      throw IdentityProviderError(
        message: "Okta at \(URLReference.redacted(url)) answered HTTP \(response.status) "
          + "without an authentication transaction",
        hint: "check that \(URLReference.redacted(context.url)) is an Okta Classic org")
    }
    if response.status == 200, transaction.errorCode == nil { return transaction }
    let summary = transaction.errorSummary.map { ": " + TerminalText.excerpt($0, limit: 120) } ?? ""
    switch transaction.errorCode {
    case "E0000068": throw CodeRejected(errorCode: "E0000068")
    case "E0000004":
      throw IdentityProviderError(
        message: "Okta at \(place) rejected the username or password\(summary)",
        hint: "check saml_username / web_identity_username and the password")
    default:
      throw IdentityProviderError(
        message: "Okta at \(URLReference.redacted(url)) answered HTTP \(response.status) "
          + "\(transaction.errorCode ?? "")\(summary)")
    }
  }

  /// The error for a transaction that ended in a state aws-runas cannot complete.
  private func failure(_ transaction: Transaction) -> IdentityProviderError {
    let status = transaction.status ?? "(none)"
    let hints = [
      "LOCKED_OUT": "the account is locked: unlock it with Okta or an administrator",
      "PASSWORD_EXPIRED": "change the password by signing in to Okta in a browser",
      "MFA_ENROLL": "enroll an MFA factor by signing in to Okta in a browser",
    ]
    return IdentityProviderError(
      message: "Okta at \(place) answered authentication status \(status)",
      hint: hints[status] ?? "sign in once in a browser to finish what Okta asks")
  }

  /// Where messages say the sign-in happened: the org, without path or query.
  private var place: String { URLReference.origin(context.url) }

  /// `url` with `sessionToken` added to its query.
  static func adding(sessionToken: String, to url: String) -> String {
    var parts = URLReference.Components(URLReference.withoutFragment(url))
    let pair = HTMLForm.urlEncoded([("sessionToken", sessionToken)])
    parts.query = (parts.query.map { $0.isEmpty ? "" : $0 + "&" } ?? "") + pair
    return parts.text
  }
}

extension OktaClient {
  /// 403 E0000068: the code was wrong; the transaction is still usable.
  struct CodeRejected: Error {
    var errorCode: String
  }

  /// An authentication transaction or an error answer of `/api/v1/authn` (§1.1).
  struct Transaction: Decodable {
    var status: String?
    var stateToken: String?
    var sessionToken: String?
    var factorResult: String?
    var errorCode: String?
    var errorSummary: String?
    var factors: [Factor]
    var links: Links?
    /// The number of a push's number challenge (`_embedded.factor._embedded.challenge.correctAnswer`).
    var correctAnswer: Int?

    struct Links: Decodable {
      var next: Link?
    }

    private enum CodingKeys: String, CodingKey {
      case status, stateToken, sessionToken, factorResult, errorCode, errorSummary
      case embedded = "_embedded"
      case links = "_links"
    }

    private enum EmbeddedKeys: String, CodingKey {
      case factors, factor, challenge, correctAnswer
      case embedded = "_embedded"
    }

    init(from decoder: any Decoder) throws {
      let container = try decoder.container(keyedBy: CodingKeys.self)
      status = try container.decodeIfPresent(String.self, forKey: .status)
      stateToken = try container.decodeIfPresent(String.self, forKey: .stateToken)
      sessionToken = try container.decodeIfPresent(String.self, forKey: .sessionToken)
      factorResult = try container.decodeIfPresent(String.self, forKey: .factorResult)
      errorCode = try container.decodeIfPresent(String.self, forKey: .errorCode)
      errorSummary = try container.decodeIfPresent(String.self, forKey: .errorSummary)
      links = try? container.decodeIfPresent(Links.self, forKey: .links)
      // `_embedded.factors` is a list in MFA_REQUIRED; Okta's examples show other shapes elsewhere.
      let embedded = try? container.nestedContainer(keyedBy: EmbeddedKeys.self, forKey: .embedded)
      factors = (try? embedded?.decodeIfPresent([Factor].self, forKey: .factors)) ?? []
      let challenge = try? embedded?.nestedContainer(keyedBy: EmbeddedKeys.self, forKey: .factor)
        .nestedContainer(keyedBy: EmbeddedKeys.self, forKey: .embedded)
        .nestedContainer(keyedBy: EmbeddedKeys.self, forKey: .challenge)
      correctAnswer = try? challenge?.decodeIfPresent(Int.self, forKey: .correctAnswer)
      guard status != nil || errorCode != nil else {
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "neither status nor errorCode"))
      }
    }
  }

  /// A HAL link.
  struct Link: Decodable {
    var href: String
    var name: String?
  }

  /// An enrolled factor of `_embedded.factors`.
  struct Factor: Decodable {
    var id: String
    var factorType: String
    var provider: String?
    var links: Links?

    struct Links: Decodable {
      var verify: Link?
    }

    private enum CodingKeys: String, CodingKey {
      case id, factorType, provider
      case links = "_links"
    }

    /// The factors answered with a code, in aws-runas's order; the last two send it first.
    static let codeTypes = ["token:software:totp", "token:hotp", "token", "sms", "call"]

    var isPush: Bool { factorType == "push" }
    var isCode: Bool { Self.codeTypes.contains(factorType) }
    /// An SMS or voice call: verifying without a code sends one.
    var isSentCode: Bool { sentCodeLabel != nil }
    /// How the code prompt names a sent code (`SMS MFA token code: `).
    var sentCodeLabel: String? { factorType == "sms" ? "SMS" : factorType == "call" ? "Voice call" : nil }
    var verifyURL: String? { links?.verify?.href }

    /// Push first, then the code types in aws-runas's order.
    var preference: Int { isPush ? 0 : 1 + (Self.codeTypes.firstIndex(of: factorType) ?? Self.codeTypes.count) }

    /// What the factor choice shows.
    var displayName: String {
      let vendor = provider.map { " (\($0.uppercased() == "OKTA" ? "Okta Verify" : $0.capitalized))" } ?? ""
      switch factorType {
      case "push": return "Okta Verify push"
      case "token:software:totp": return "TOTP code" + vendor
      case "token:hotp": return "HOTP code" + vendor
      case "sms": return "SMS code"
      case "call": return "voice call code"
      default: return "token code" + vendor
      }
    }
  }
}
