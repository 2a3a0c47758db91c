#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Sign-in in the user's own Chromium or Chrome (`saml_provider` / `web_identity_provider` =
/// `browser`), driven over the DevTools protocol: the IdP asks whatever it asks (passwords,
/// security keys, push, other IdPs) in a real window, and aws-runas only watches for the end.
///
/// - SAML: `saml_auth_url` (IdP- or SP-initiated) is opened; the IdP's POST of the
///   `SAMLResponse` to the AWS sign-in endpoint (`https://signin.aws.amazon.com/saml`) is
///   stopped in the browser (`Fetch`), read, and failed, so nothing reaches AWS.
/// - OIDC: the authorization URL is opened; the request to `web_identity_redirect_uri` (which
///   must be http or https) is stopped the same way and its URL, with `code` and `state`,
///   returned. The endpoints come from the issuer's discovery document.
///
/// The browser runs with a fresh temporary profile (``ChromiumProcess``), so every sign-in starts
/// without the IdP's cookies; it is closed when the sign-in ends, is cancelled (Ctrl-C, Esc in
/// the TUI) or runs past ``signInLimit(environment:)``.
struct BrowserClient: IdentityProviderClient {
  /// Never detected: only chosen by name.
  static let kind = IdentityProviderKind(
    name: "browser", recognises: { _ in false }, openIDEndpoints: nil, makeClient: { BrowserClient(context: $0) })

  /// `AWS_RUNAS_BROWSER_TIMEOUT`: seconds the user has to sign in (default 300, as the Go tool).
  static let signInLimitVariable = "AWS_RUNAS_BROWSER_TIMEOUT"

  /// How long the user has to sign in.
  static func signInLimit(environment: [String: String]) -> Duration {
    guard let text = environment[signInLimitVariable], let seconds = Int(text), seconds > 0 else {
      return .seconds(300)
    }
    return .seconds(seconds)
  }

  /// Where IdPs post SAML responses for AWS (the partitions' sign-in endpoints), as DevTools URL
  /// patterns.
  static let samlEndpointPatterns = [
    "https://signin.aws.amazon.com/saml*", "https://*.signin.aws.amazon.com/saml*",
    "https://signin.amazonaws-us-gov.com/saml*", "https://signin.amazonaws.cn/saml*",
  ]

  /// The session's settings, `auth_browser`, the environment and the prompts.
  let context: IdentityProviderContext

  func samlResponse() async throws -> String {
    try await capture(opening: context.url, patterns: Self.samlEndpointPatterns) { request in
      guard Self.isSAMLEndpoint(request.url) else { return nil }
      guard let response = Self.formField("SAMLResponse", in: request.postData), !response.isEmpty else {
        throw IdentityProviderError(
          message: "the browser posted to \(URLReference.redacted(request.url)) without a SAMLResponse")
      }
      return response
    }
  }

  func authorizationRedirect(from authorizationURL: String, to redirectURI: String) async throws -> String {
    let scheme = URLReference.Components(redirectURI).scheme?.lowercased()
    guard scheme == "http" || scheme == "https" else {
      throw IdentityProviderError(
        message: "web_identity_redirect_uri \(URLReference.redacted(redirectURI)) cannot be watched in the browser",
        hint: "the browser provider needs an http or https redirect URI, such as http://localhost/callback")
    }
    return try await capture(opening: authorizationURL, patterns: [Self.urlPattern(prefix: redirectURI)]) { request in
      Self.isRedirect(request.url, to: redirectURI) ? request.url : nil
    }
  }

  /// A request the browser was stopped at.
  struct PausedRequest: Sendable {
    /// Its URL.
    var url: String
    /// Its body, for a POST.
    var postData: String
  }

  /// Opens `url` in the browser and returns what `take` makes of the first request matching
  /// `patterns` it accepts (that request is failed); the others go on.
  private func capture(
    opening url: String, patterns: [String], take: @escaping @Sendable (PausedRequest) throws -> String?
  ) async throws -> String {
    let program = try ChromiumProcess.program(authBrowser: context.authBrowser, path: context.environment["PATH"])
    let place = URLReference.redacted(url)
    let environment = context.environment
    context.logger.debug("signing in to \(place) with \(program)")
    return try await context.prompter.showing("Sign in to \(place) in the browser window that opened") {
      try await InterruptionSignals.cancelling {
        try await Self.signIn(opening: url, patterns: patterns, program: program, environment: environment, take: take)
      }
    }
  }

  /// Starts the browser and watches it until `take` accepts a request, for at most
  /// ``signInLimit(environment:)``.
  private static func signIn(
    opening url: String, patterns: [String], program: String, environment: [String: String],
    take: @escaping @Sendable (PausedRequest) throws -> String?
  ) async throws -> String {
    let place = URLReference.redacted(url)
    let limit = signInLimit(environment: environment)
    return try await ChromiumProcess.withBrowser(program: program, environment: environment) { port, path in
      try await DevToolsConnection.withConnection(port: port, path: path) { devTools in
        do {
          return try await withTimeout(limit) {
            try await Self.watch(devTools, opening: url, patterns: patterns, take: take)
          }
        } catch is TimeoutExceeded {
          throw BrowserSignInError(
            message: "sign-in at \(place) did not finish in the browser within \(Self.describe(limit))",
            hint: "sign in within that time, or set \(signInLimitVariable) (seconds)")
        } catch is DevToolsProtocolError {
          throw BrowserSignInError.closed
        }
      }
    }
  }

  /// Opens `url` in the browser's first tab, stops requests matching `patterns` and waits for
  /// one that `take` accepts; then fails it and closes the browser.
  private static func watch(
    _ devTools: DevToolsConnection, opening url: String, patterns: [String],
    take: @Sendable (PausedRequest) throws -> String?
  ) async throws -> String {
    let targets = try await devTools.send("Target.getTargets")
    let firstPage = targets["targetInfos"]?.arrayValue?.first { $0["type"]?.stringValue == "page" }
    var targetID = firstPage?["targetId"]?.stringValue
    if targetID == nil {
      targetID = try await devTools.send("Target.createTarget", ["url": "about:blank"])["targetId"]?.stringValue
    }
    guard let targetID else { throw DevToolsProtocolError(message: "the browser opened no tab") }
    try await devTools.send("Target.setDiscoverTargets", ["discover": true])
    let attached = try await devTools.send("Target.attachToTarget", ["targetId": .string(targetID), "flatten": true])
    guard let session = attached["sessionId"]?.stringValue else {
      throw DevToolsProtocolError(message: "the browser gave no session for its tab")
    }
    let requestPatterns = patterns.map { JSONValue.object(["urlPattern": .string($0), "requestStage": "Request"]) }
    try await devTools.send("Fetch.enable", ["patterns": .array(requestPatterns)], sessionID: session)
    let navigation = try await devTools.send("Page.navigate", ["url": .string(url)], sessionID: session)
    if let failure = navigation["errorText"]?.stringValue, !failure.isEmpty {
      throw BrowserSignInError(message: "the browser cannot open \(URLReference.redacted(url)): \(failure)")
    }
    for await event in devTools.events {
      switch event.method {
      case "Fetch.requestPaused" where event.sessionID == session:
        guard let requestID = event.params["requestId"]?.stringValue else { continue }
        let request = event.params["request"]
        let paused = PausedRequest(
          url: request?["url"]?.stringValue ?? "", postData: postData(of: request))
        if let value = try take(paused) {
          _ = try? await devTools.send(
            "Fetch.failRequest", ["requestId": .string(requestID), "errorReason": "Aborted"], sessionID: session)
          _ = try? await devTools.send("Browser.close")
          return value
        }
        try await devTools.send("Fetch.continueRequest", ["requestId": .string(requestID)], sessionID: session)
      case "Target.targetDestroyed" where event.params["targetId"]?.stringValue == targetID,
        "Target.detachedFromTarget" where event.params["sessionId"]?.stringValue == session:
        throw BrowserSignInError.closed
      default:
        continue
      }
    }
    throw BrowserSignInError.closed
  }

  /// `5 minutes`, `90 seconds`.
  static func describe(_ limit: Duration) -> String {
    let seconds = limit.components.seconds
    if seconds >= 60, seconds % 60 == 0 { return seconds == 60 ? "1 minute" : "\(seconds / 60) minutes" }
    return seconds == 1 ? "1 second" : "\(seconds) seconds"
  }

  /// A paused request's body: `postData`, else its `postDataEntries` (base64).
  static func postData(of request: JSONValue?) -> String {
    if let text = request?["postData"]?.stringValue { return text }
    let entries = request?["postDataEntries"]?.arrayValue ?? []
    let bytes = entries.compactMap { $0["bytes"]?.stringValue.flatMap { Data(base64Encoded: $0) } }
    return bytes.map { String(decoding: $0, as: UTF8.self) }.joined()
  }

  /// The value of `name` in a form-encoded body.
  static func formField(_ name: String, in body: String) -> String? {
    for pair in body.split(separator: "&") {
      let halves = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      guard PercentDecoding.decode(String(halves[0]), plusIsSpace: true) == name else { continue }
      return halves.count > 1 ? PercentDecoding.decode(String(halves[1]), plusIsSpace: true) : ""
    }
    return nil
  }

  /// Whether `url` is an AWS sign-in endpoint for SAML.
  static func isSAMLEndpoint(_ url: String) -> Bool {
    let parts = URLReference.Components(url)
    guard parts.scheme?.lowercased() == "https", let authority = parts.authority?.lowercased() else { return false }
    let hostMatches =
      ["signin.aws.amazon.com", "signin.amazonaws-us-gov.com", "signin.amazonaws.cn"].contains(authority)
      || authority.hasSuffix(".signin.aws.amazon.com")
    return hostMatches && (parts.path == "/saml" || parts.path.hasPrefix("/saml/"))
  }

  /// Whether `url` is `redirectURI` with a query or fragment added (what the IdP redirects to).
  static func isRedirect(_ url: String, to redirectURI: String) -> Bool {
    let base = URLReference.withoutFragment(redirectURI)
    guard url.hasPrefix(base) else { return false }
    let rest = url.dropFirst(base.count)
    return rest.isEmpty || rest.first == "?" || rest.first == "#" || (base.contains("?") && rest.first == "&")
  }

  /// A DevTools URL pattern matching URLs that start with `prefix` (`*`, `?` and `\` escaped).
  static func urlPattern(prefix: String) -> String {
    var pattern = ""
    for character in URLReference.withoutFragment(prefix) {
      if character == "*" || character == "?" || character == "\\" { pattern.append("\\") }
      pattern.append(character)
    }
    return pattern + "*"
  }
}
