/// One page of Entra ID's sign-in web app as ``EntraIDClient`` reads it (identity-providers.md
/// §5.1): the `$Config={…};` object every sign-in page carries in a script, parsed as JSON.
///
/// The page id (`pgid`) says where the sign-in stands; the other fields say where the page's form
/// posts and with which flow token, context and anti-forgery values, what error the page shows,
/// and which MFA methods the user has. Fields are read leniently: a missing one is empty, and
/// numbers and strings are interchangeable where Microsoft has used both.
struct EntraIDPage: Sendable {
  /// The `$Config` object.
  let config: JSONValue

  /// The page's `$Config`, or `nil` when it has none that parses as a JSON object.
  init?(html: String) {
    guard let object = Self.configObject(in: html) else { return nil }
    config = object
  }

  /// A page whose `$Config` is `config` (tests).
  init(config: JSONValue) {
    self.config = config
  }

  // MARK: - Fields

  /// `pgid`: `ConvergedSignIn`, `ConvergedTFA`, `KmsiInterrupt`, `ConvergedProofUpRedirect`, …
  var pageID: String { text("pgid") }
  /// `urlPost`: where the page's form posts, often relative; `nil` when absent.
  var postURL: String? { optionalText("urlPost") }
  /// `sFT`: the flow token, new on every page.
  var flowToken: String { text("sFT") }
  /// `sFTName`: the form field the flow token goes in (`flowToken`).
  var flowTokenName: String { optionalText("sFTName") ?? "flowToken" }
  /// `sCtx`: the sign-in's context, posted as `ctx` (or `request` to ProcessAuth).
  var context: String { text("sCtx") }
  /// `canary`: the anti-forgery value of form posts.
  var canary: String { text("canary") }
  /// `apiCanary`: the anti-forgery value of the JSON calls, sent as the `canary` header.
  var apiCanary: String { text("apiCanary") }
  /// `correlationId`, sent as `client-request-id`.
  var correlationID: String { text("correlationId") }
  /// `sessionId`, sent as `hpgrequestid`.
  var sessionID: String { text("sessionId") }
  /// `hpgid` and `hpgact`, telemetry the JSON calls send back as headers.
  var telemetry: (pageID: String, action: String) { (text("hpgid"), text("hpgact")) }
  /// `sErrorCode` (`50126`, …), `nil` when the page shows no error.
  var errorCode: String? { optionalText("sErrorCode") }
  /// `sErrTxt`, the error as the page words it.
  var errorText: String? { optionalText("sErrTxt") }
  /// `urlGetCredentialType`: the username check.
  var credentialTypeURL: String? { optionalText("urlGetCredentialType") }
  /// `urlBeginAuth` and `urlEndAuth`: the MFA calls.
  var beginAuthURL: String? { optionalText("urlBeginAuth") }
  /// See ``beginAuthURL``.
  var endAuthURL: String? { optionalText("urlEndAuth") }
  /// `urlSkipMfaRegistration`: present when "set up MFA" may be skipped for now.
  var skipMFARegistrationURL: String? { optionalText("urlSkipMfaRegistration") }
  /// `iMaxPollAttempts`: how often a push may be polled.
  var maximumPollAttempts: Int? { config["iMaxPollAttempts"]?.intValue }
  /// `oGetCredTypeResult.Credentials.FederationRedirectUrl`: another IdP takes the password.
  var federationRedirectURL: String? {
    config["oGetCredTypeResult"]?["Credentials"]?["FederationRedirectUrl"]?.stringValue.flatMap {
      $0.isEmpty ? nil : $0
    }
  }

  /// The "Stay signed in?" question: by page id, or a form that posts to `/kmsi` (§5.4; its
  /// error code varies, so it is not what tells).
  var isStaySignedIn: Bool {
    pageID == "KmsiInterrupt" || (postURL.map { URLReference.Components($0).path.hasSuffix("/kmsi") } ?? false)
  }

  /// Whether the page asks to register an MFA method (§5.3).
  var asksForMFARegistration: Bool {
    pageID == "ConvergedProofUpRedirect" || skipMFARegistrationURL != nil
  }

  /// The page asking for the username and password.
  var isSignInForm: Bool {
    pageID == "ConvergedSignIn" || (pageID.isEmpty && !flowToken.isEmpty && postURL != nil)
  }

  /// `arrUserProofs`: the user's MFA methods, in the page's order.
  var proofs: [Proof] {
    (config["arrUserProofs"]?.arrayValue ?? []).compactMap { proof in
      guard let method = proof["authMethodId"]?.stringValue, !method.isEmpty else { return nil }
      return Proof(
        authMethodID: method, display: proof["display"]?.stringValue ?? "",
        isDefault: proof["isDefault"]?.boolValue ?? false)
    }
  }

  /// `oPerAuthPollingInterval[method]`: the seconds between two polls of a push.
  func pollInterval(for method: String) -> Double? {
    config["oPerAuthPollingInterval"]?[method]?.doubleValue
  }

  /// One MFA method of the user.
  struct Proof: Sendable, Equatable {
    /// `PhoneAppNotification`, `PhoneAppOTP`, `OneWaySMS`, …
    var authMethodID: String
    /// What the page shows: a masked phone number, a device name.
    var display: String
    /// Whether it is the user's default method.
    var isDefault: Bool
  }

  private func optionalText(_ key: String) -> String? {
    let value = text(key)
    return value.isEmpty ? nil : value
  }

  private func text(_ key: String) -> String {
    switch config[key] {
    case .string(let value): value
    case .number(let number): number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : "\(number)"
    case .bool(let value): value ? "true" : "false"
    default: ""
    }
  }

  // MARK: - Reading pages

  /// The JSON object after the first `$Config=` of `html` that parses. The object is delimited by
  /// balancing braces outside strings, not by the first `};`, which scripts inside it contain.
  static func configObject(in html: String) -> JSONValue? {
    let bytes = Array(html.utf8)
    let marker = Array("$Config".utf8)
    var start = 0
    while let found = find(marker, in: bytes, from: start) {
      start = found + marker.count
      var index = skipSpaces(bytes, from: start)
      guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else { continue }
      index = skipSpaces(bytes, from: index + 1)
      guard index < bytes.count, bytes[index] == UInt8(ascii: "{"),
        let end = endOfObject(bytes, from: index),
        let value = try? JSONValue.parse(Array(bytes[index...end])), value.objectValue != nil
      else { continue }
      return value
    }
    return nil
  }

  /// Where a script sends the browser on with `window.location = '…SAMLRequest=…'` (MyApps to
  /// Entra's SAML endpoint, §5.5), resolved against the page's URL; `nil` when no script does.
  static func samlRequestLocation(in html: String, pageURL: String) -> String? {
    let bytes = Array(html.utf8)
    let marker = Array("window.location".utf8)
    var start = 0
    while let found = find(marker, in: bytes, from: start) {
      start = found + marker.count
      var index = start
      if bytes[index...].starts(with: Array(".href".utf8)) { index += 5 }
      index = skipSpaces(bytes, from: index)
      guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else { continue }
      index = skipSpaces(bytes, from: index + 1)
      guard index < bytes.count, bytes[index] == UInt8(ascii: "'") || bytes[index] == UInt8(ascii: "\"") else {
        continue
      }
      let quote = bytes[index]
      var end = index + 1
      while end < bytes.count, bytes[end] != quote, bytes[end] != UInt8(ascii: "\n") {
        end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1
      }
      guard end < bytes.count, bytes[end] == quote else { continue }
      let target = javaScriptUnescaped(String(decoding: bytes[(index + 1)..<end], as: UTF8.self))
      guard target.contains("SAMLRequest="), let resolved = URLReference.resolve(target, against: pageURL),
        HTTPURLParts(resolved) != nil
      else { continue }
      return resolved
    }
    return nil
  }

  /// Whether `form` hands a finished sign-in back to the app that asked for it: Entra's
  /// auto-submitted `hiddenform` (the OIDC `form_post` to MyApps, with `code` and `id_token`).
  static func isHandBack(_ form: HTMLForm) -> Bool {
    form.name == "hiddenform" || form.fields.contains { $0.name == "id_token" }
  }

  // MARK: - Bytes

  private static func find(_ pattern: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
    guard let first = pattern.first, bytes.count >= pattern.count else { return nil }
    var index = start
    while index <= bytes.count - pattern.count {
      if bytes[index] == first, bytes[index..<(index + pattern.count)].elementsEqual(pattern) { return index }
      index += 1
    }
    return nil
  }

  private static func skipSpaces(_ bytes: [UInt8], from start: Int) -> Int {
    var index = start
    while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    return index
  }

  /// The index of the `}` that closes the object opening at `start`.
  private static func endOfObject(_ bytes: [UInt8], from start: Int) -> Int? {
    var depth = 0
    var inString = false
    var index = start
    while index < bytes.count {
      let byte = bytes[index]
      if inString {
        if byte == UInt8(ascii: "\\") {
          index += 1
        } else if byte == UInt8(ascii: "\"") {
          inString = false
        }
      } else if byte == UInt8(ascii: "\"") {
        inString = true
      } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
        depth += 1
      } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
        depth -= 1
        if depth == 0 { return byte == UInt8(ascii: "}") ? index : nil }
      }
      index += 1
    }
    return nil
  }

  /// The escapes a JavaScript string literal of a URL uses: `\/`, `\'`, `\"`, `\\`, `\xHH`, `\uHHHH`.
  private static func javaScriptUnescaped(_ text: String) -> String {
    guard text.contains("\\") else { return text }
    var result = ""
    var characters = text.unicodeScalars.makeIterator()
    while let scalar = characters.next() {
      guard scalar == "\\", let escaped = characters.next() else {
        result.unicodeScalars.append(scalar)
        continue
      }
      let digits = escaped == "x" ? 2 : escaped == "u" ? 4 : 0
      guard digits > 0 else {
        result.unicodeScalars.append(escaped)
        continue
      }
      var hex = ""
      for _ in 0..<digits { if let digit = characters.next() { hex.unicodeScalars.append(digit) } }
      if let code = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(code) {
        result.unicodeScalars.append(decoded)
      } else {
        result += "\\" + String(escaped) + hex
      }
    }
    return result
  }
}
