#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The EC2 instance metadata routes of `serve ec2` (spec §5.2), IMDSv1 and IMDSv2.
///
/// Unlike the Go tool, IMDSv2 session tokens are real: `PUT /latest/api/token` issues a random
/// token for the requested TTL (1–21600 s), and a request that sends
/// `X-aws-ec2-metadata-token` must send a token that was issued and has not expired (401
/// otherwise). Requests without the header are IMDSv1 and still answered.
///
/// `…/security-credentials/` lists the active profile's name; `…/security-credentials/<name>`
/// answers with its credentials only while `<name>` is the active profile, so a client that
/// still asks for a profile switched away from gets 404, never stale credentials.
public struct InstanceMetadataHandler: EndpointHandler {
  /// The token path.
  public static let tokenPath = "/latest/api/token"
  /// The credentials path prefix.
  public static let credentialsPath = "/latest/meta-data/iam/security-credentials/"
  /// The longest token lifetime IMDS grants, in seconds.
  public static let maximumTokenTTL = 21_600

  /// The active profile and its credentials.
  public let switchboard: CredentialSwitchboard
  /// The issued IMDSv2 tokens.
  public let tokens: IMDSTokenStore
  private let now: @Sendable () -> Date

  /// Creates the handler.
  public init(
    switchboard: CredentialSwitchboard, tokens: IMDSTokenStore = IMDSTokenStore(),
    now: @escaping @Sendable () -> Date = { Date() }
  ) {
    self.switchboard = switchboard
    self.tokens = tokens
    self.now = now
  }

  /// Whether `path` is one of this handler's routes.
  public func handles(_ path: String) -> Bool {
    path == Self.tokenPath || path.hasPrefix("/latest/")
  }

  public func respond(to request: EndpointRequest) async -> EndpointResponse {
    if request.path == Self.tokenPath { return await issueToken(request) }
    if let token = request.header("X-aws-ec2-metadata-token") {
      guard await tokens.isValid(token, at: now()) else {
        return .text("invalid or expired metadata token", status: 401)
      }
    }
    let base = Self.credentialsPath
    guard request.path == String(base.dropLast()) || request.path.hasPrefix(base) else {
      return .text("not found", status: 404)
    }
    guard request.method == "GET" || request.method == "HEAD" else {
      return EndpointErrorResponse.methodNotAllowed(allow: "GET, HEAD")
    }
    let name = request.path.count > base.count ? String(request.path.dropFirst(base.count)) : ""
    guard let active = await switchboard.activeProfile else {
      return .text("no profile selected", status: 404)
    }
    if name.isEmpty {
      return EndpointResponse(
        status: 200, headers: [("Content-Type", "text/plain")], body: Array(active.name.utf8))
    }
    guard PercentDecoding.decode(name) == active.name else {
      return .text("not found", status: 404)
    }
    do {
      let (served, credentials) = try await switchboard.credentials()
      // The profile was switched while this request waited.
      guard served == active.name else { return .text("not found", status: 404) }
      return .json(Self.document(credentials, now: now()))
    } catch {
      return EndpointErrorResponse.response(for: error)
    }
  }

  private func issueToken(_ request: EndpointRequest) async -> EndpointResponse {
    guard request.method == "PUT" else { return EndpointErrorResponse.methodNotAllowed(allow: "PUT") }
    // Real IMDS refuses token requests that went through a proxy.
    if request.header("X-Forwarded-For") != nil {
      return .text("forwarded token requests are refused", status: 403)
    }
    guard let text = request.header("X-aws-ec2-metadata-token-ttl-seconds") else {
      return .text("missing X-aws-ec2-metadata-token-ttl-seconds header", status: 400)
    }
    guard let ttl = Int(text.trimmingCharacters(in: .whitespaces)), (1...Self.maximumTokenTTL).contains(ttl) else {
      return .text("X-aws-ec2-metadata-token-ttl-seconds must be 1 to \(Self.maximumTokenTTL)", status: 400)
    }
    let token = await tokens.issue(ttl: ttl, at: now())
    return EndpointResponse(
      status: 200,
      headers: [("Content-Type", "text/plain"), ("X-aws-ec2-metadata-token-ttl-seconds", String(ttl))],
      body: Array(token.utf8))
  }

  /// The IMDS credentials document: `AccessKeyId, SecretAccessKey, Token, Expiration, Code, Type,
  /// LastUpdated`, as EC2 (and the Go tool) write it.
  public static func document(_ credentials: AWSCredentials, now: Date) -> String {
    var json = JSONObjectWriter()
    json.add("AccessKeyId", credentials.accessKeyID)
    json.add("SecretAccessKey", credentials.secretAccessKey)
    json.add("Token", credentials.sessionToken ?? "")
    // SDKs require an expiry here; long-term keys get one an hour away, which makes them re-ask.
    json.add("Expiration", Timestamp.formatRFC3339(credentials.expiration ?? now.addingTimeInterval(3600)))
    json.add("Code", "Success")
    json.add("Type", "AWS-HMAC")
    json.add("LastUpdated", Timestamp.formatRFC3339(now))
    return json.result
  }
}

/// The IMDSv2 session tokens issued so far, each with its expiry.
public actor IMDSTokenStore {
  /// The most live tokens kept; beyond it the oldest are forgotten (a client then gets a new one).
  public static let capacity = 10_000
  private var expiries: [String: Date] = [:]
  private var order: [String] = []

  /// Creates an empty store.
  public init() {}

  /// Issues a new random token valid for `ttl` seconds from `now`.
  public func issue(ttl: Int, at now: Date) -> String {
    if expiries.count >= Self.capacity { purge(at: now) }
    while expiries.count >= Self.capacity, !order.isEmpty {
      expiries[order.removeFirst()] = nil
    }
    let token = RandomToken.make()
    expiries[token] = now.addingTimeInterval(TimeInterval(ttl))
    order.append(token)
    return token
  }

  /// Whether `token` was issued here and has not expired at `now`.
  public func isValid(_ token: String, at now: Date) -> Bool {
    guard let expiry = expiries[token] else { return false }
    return now < expiry
  }

  private func purge(at now: Date) {
    expiries = expiries.filter { now < $0.value }
    order.removeAll { expiries[$0] == nil }
  }
}
