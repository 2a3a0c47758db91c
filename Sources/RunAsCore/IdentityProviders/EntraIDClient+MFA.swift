#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Entra ID's MFA page (`ConvergedTFA`, identity-providers.md §5.3): the method chosen among the
/// user's `arrUserProofs`, started with SAS BeginAuth, finished with EndAuth (a code, or a push
/// polled every `oPerAuthPollingInterval` seconds behind a cancellable notice), and the result
/// posted to ProcessAuth, whose answer is the next page.
///
/// Methods: `PhoneAppNotification` (push), `PhoneAppOTP` and `OneWaySMS` (a code: `-o`, else
/// asked; a rejected code is asked again, at most three times). `mfa_type` `push` or `code`
/// narrows them (a code given with `-o` counts as `code`), `none` refuses MFA; among several
/// the user picks, the default method listed first; without a terminal the default is used.
extension EntraIDClient.SignInWalk {
  /// What kind of answer a method takes.
  enum MethodKind: Sendable, Equatable {
    /// Approve on the device; EndAuth is polled.
    case push
    /// A code the user types.
    case code
  }

  /// The kind of `method`, or `nil` for a method aws-runas cannot answer (a phone call, FIDO…).
  static func kind(of method: String) -> MethodKind? {
    switch method {
    case "PhoneAppNotification": .push
    case "PhoneAppOTP", "OneWaySMS": .code
    default: nil
    }
  }

  /// Verifies the method chosen and returns ProcessAuth's answer.
  func verifyMFA(_ page: EntraIDPage, of response: IdentityProviderResponse) async throws
    -> IdentityProviderResponse
  {
    let place = URLReference.origin(response.url)
    let proof = try await chooseMethod(page.proofs, place: place)
    guard let kind = Self.kind(of: proof.authMethodID), let beginURL = page.beginAuthURL,
      let endURL = page.endAuthURL
    else {
      throw IdentityProviderError(message: "Entra ID's MFA page at \(place) names no BeginAuth or EndAuth URL")
    }
    let method = proof.authMethodID
    let began = SASAnswer(
      try await postJSON(
        .object([
          "AuthMethodId": .string(method), "Method": .string("BeginAuth"), "ctx": .string(page.context),
          "flowToken": .string(page.flowToken),
        ]), to: beginURL, page: page, of: response),
      after: SASAnswer(context: page.context, flowToken: page.flowToken))
    guard began.success else { throw Self.failure(of: began, method: proof, place: place) }
    let pollStart = Date()
    let (finished, code) =
      switch kind {
      case .push: (try await push(proof, from: began, endURL: endURL, page: page, response: response), nil as String?)
      case .code: try await enterCode(proof, from: began, endURL: endURL, page: page, response: response)
      }
    var form: [(name: String, value: String)] = [
      ("type", kind == .push ? "22" : "19"), ("request", finished.context), ("mfaAuthMethod", method),
      ("canary", page.canary), ("login", username ?? ""), (page.flowTokenName, finished.flowToken),
      ("hpgrequestid", page.sessionID), ("mfaLastPollStart", Self.milliseconds(pollStart)),
      ("mfaLastPollEnd", Self.milliseconds(Date())), ("rememberMFA", "false"),
    ]
    if let code { form.append(("otc", code)) }
    return try await post(form, to: page.postURL, of: response)
  }

  /// The method to verify: see the extension's documentation.
  private func chooseMethod(_ proofs: [EntraIDPage.Proof], place: String) async throws -> EntraIDPage.Proof {
    var mfaType = context.mfaType.trimmingCharacters(in: .whitespaces).lowercased()
    guard mfaType != "none" else {
      throw IdentityProviderError(
        message: "Entra ID at \(place) asks for MFA, but mfa_type is none", hint: "set mfa_type to auto, code or push")
    }
    let supported = proofs.filter { Self.kind(of: $0.authMethodID) != nil }
    guard !supported.isEmpty else {
      let methods = proofs.map(\.authMethodID).joined(separator: ", ")
      throw IdentityProviderError(
        message: "Entra ID at \(place) asks for MFA with \(TerminalText.excerpt(methods, limit: 120)), "
          + "none of which aws-runas can answer",
        hint: "add Microsoft Authenticator or a text message method at https://aka.ms/mysecurityinfo")
    }
    if mfaType.isEmpty || mfaType == "auto", context.presetMFACode?.isEmpty == false { mfaType = "code" }
    let wanted = supported.filter { proof in
      switch mfaType {
      case "push": Self.kind(of: proof.authMethodID) == .push
      case "code": Self.kind(of: proof.authMethodID) == .code
      default: true
      }
    }
    let pool = wanted.isEmpty ? supported : wanted
    let candidates = pool.filter(\.isDefault) + pool.filter { !$0.isDefault }
    guard candidates.count > 1 else { return candidates[0] }
    do {
      return candidates[try await context.prompter.choose("Entra ID MFA method: ", from: candidates.map(Self.name))]
    } catch is PromptUnavailable {
      return candidates[0]
    }
  }

  /// Polls EndAuth behind a cancellable notice until the push is no longer pending.
  private func push(
    _ proof: EntraIDPage.Proof, from began: SASAnswer, endURL: String, page: EntraIDPage,
    response: IdentityProviderResponse
  ) async throws -> SASAnswer {
    let place = URLReference.origin(response.url)
    let interval = min(max(page.pollInterval(for: proof.authMethodID) ?? 1, 0.5), 10)
    let attempts = max(page.maximumPollAttempts ?? 60, 1)
    var notice = "Waiting for Push MFA: approve the sign-in request in Microsoft Authenticator on your device"
    if let number = began.entropy { notice += ", entering the number \(number)" }
    let walk = self
    let last = try await context.prompter.showing(notice) {
      var current = began
      for poll in 1...attempts {
        try await Task.sleep(for: .milliseconds(Int(interval * 1000)))
        current = SASAnswer(
          try await walk.postJSON(
            current.endAuthBody(method: proof.authMethodID, pollCount: poll), to: endURL, page: page, of: response),
          after: current)
        if current.result != "AuthenticationPending" { return current }
      }
      return current
    }
    guard last.success else {
      switch last.result {
      case "AuthenticationPending":
        throw IdentityProviderError(
          message: "Entra ID at \(place): the sign-in request was not approved after \(attempts) polls",
          hint: "run again and approve it sooner")
      case "PhoneAppDenied":
        throw IdentityProviderError(message: "Entra ID at \(place): the sign-in request was denied on the device")
      case "PhoneAppNoResponse":
        throw IdentityProviderError(
          message: "Entra ID at \(place): the sign-in request timed out on the device before it was approved",
          hint: "run again and approve it sooner")
      default:
        throw Self.failure(of: last, method: proof, place: place)
      }
    }
    return last
  }

  /// Sends codes to EndAuth until one is accepted (three tries); returns the answer and the code.
  private func enterCode(
    _ proof: EntraIDPage.Proof, from began: SASAnswer, endURL: String, page: EntraIDPage,
    response: IdentityProviderResponse
  ) async throws -> (SASAnswer, String) {
    let place = URLReference.origin(response.url)
    var current = began
    for attempt in 0..<3 {
      let code: String
      do {
        code = try await context.mfaCode(
          attempt == 0 ? nil : "Entra ID rejected the code, try again.", attempt: attempt)
      } catch is PromptUnavailable where attempt > 0 {
        break
      }
      current = SASAnswer(
        try await postJSON(
          current.endAuthBody(method: proof.authMethodID, pollCount: attempt + 1, code: code), to: endURL, page: page,
          of: response),
        after: current)
      if current.success { return (current, code) }
      guard Self.rejectedCodeResults.contains(current.result) else {
        throw Self.failure(of: current, method: proof, place: place)
      }
      context.logger.debug("Entra ID rejected an MFA code", metadata: ["result": "\(current.result)"])
    }
    throw IdentityProviderError(
      message: "Entra ID at \(place) rejected the MFA code of \(Self.name(proof))",
      hint: "give the current code with -o CODE")
  }

  /// EndAuth's answers to a wrong code.
  static let rejectedCodeResults: Set<String> = [
    "OathCodeIncorrect", "SMSAuthFailedWrongCodeEntered", "OathCodeOld", "InvalidOTP", "InvalidSecurityCode",
  ]

  /// What the factor choice and messages call a method.
  static func name(_ proof: EntraIDPage.Proof) -> String {
    let shown = TerminalText.excerpt(proof.display, limit: 40)
    let name =
      switch proof.authMethodID {
      case "PhoneAppNotification": "Microsoft Authenticator notification" + (shown.isEmpty ? "" : " (\(shown))")
      case "PhoneAppOTP": "Authenticator app code" + (shown.isEmpty ? "" : " (\(shown))")
      case "OneWaySMS": "text message code" + (shown.isEmpty ? "" : " to \(shown)")
      default: TerminalText.excerpt(proof.authMethodID, limit: 40)
      }
    return name + (proof.isDefault ? ", default" : "")
  }

  private static func failure(of answer: SASAnswer, method: EntraIDPage.Proof, place: String) -> IdentityProviderError {
    let detail = answer.message.map { ": " + TerminalText.excerpt($0, limit: 120) } ?? ""
    return IdentityProviderError(
      message: "Entra ID at \(place): MFA with \(name(method)) failed "
        + "(\(TerminalText.excerpt(answer.result.isEmpty ? "no result" : answer.result, limit: 60)))\(detail)")
  }

  private static func milliseconds(_ date: Date) -> String {
    String(Int64(date.timeIntervalSince1970 * 1000))
  }
}

/// One answer of SAS BeginAuth or EndAuth: whether it succeeded, `ResultValue`, and the context,
/// flow token and session the next call must carry (taken from the previous answer when absent).
struct SASAnswer: Sendable {
  var success = false
  var result = ""
  var message: String?
  var context: String
  var flowToken: String
  var sessionID = ""
  /// `Entropy`: the number to enter in the app (number matching).
  var entropy: Int?

  /// The state before the first call: the page's context and flow token.
  init(context: String, flowToken: String) {
    self.context = context
    self.flowToken = flowToken
  }

  /// Reads `json`, keeping what it lacks from `previous`.
  init(_ json: JSONValue, after previous: SASAnswer) {
    func text(_ key: String) -> String? { json[key]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } }
    success = json["Success"]?.boolValue ?? false
    result = text("ResultValue") ?? ""
    message = text("Message")
    context = text("Ctx") ?? previous.context
    flowToken = text("FlowToken") ?? previous.flowToken
    sessionID = text("SessionId") ?? previous.sessionID
    entropy = json["Entropy"]?.intValue.flatMap { $0 > 0 ? $0 : nil } ?? previous.entropy
  }

  /// The EndAuth request that follows this answer.
  func endAuthBody(method: String, pollCount: Int, code: String? = nil) -> JSONValue {
    var members: [String: JSONValue] = [
      "AuthMethodId": .string(method), "Method": .string("EndAuth"), "Ctx": .string(context),
      "FlowToken": .string(flowToken), "SessionId": .string(sessionID), "PollCount": .number(Double(pollCount)),
    ]
    if let code { members["AdditionalAuthData"] = .string(code) }
    return .object(members)
  }
}
