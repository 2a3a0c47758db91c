import Logging

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The AWS console refused to make a sign-in URL from the credentials, or could not be reached.
public struct ConsoleSignInError: UserFacingError, Sendable, Equatable {
  /// What went wrong.
  public let message: String
  /// What to do.
  public let hint: String?

  /// Creates the error.
  public init(message: String, hint: String? = nil) {
    self.message = message
    self.hint = hint
  }
}

/// Builds an AWS console sign-in URL from temporary credentials with the federation endpoint's
/// documented query API: `Action=getSigninToken` with the credentials as the `Session` JSON, then
/// `Action=login&Issuer=…&Destination=…&SigninToken=…`.
///
/// The endpoint is `https://signin.aws.amazon.com/federation` (`signin.amazonaws.cn`,
/// `signin.amazonaws-us-gov.com` in those partitions), or `AWS_RUNAS_SIGNIN_URL` when set (tests
/// point it at a loopback emulator).
public struct ConsoleSignInURL: Sendable {
  /// The federation endpoint, e.g. `https://signin.aws.amazon.com/federation`.
  public let federationURL: String
  /// The console page the URL leads to.
  public let destination: String
  /// The `Issuer` shown when the console session ends.
  public let issuer: String
  /// `SessionDuration` (900–43200 s), only for role credentials; `nil` for the endpoint's default.
  public let sessionDuration: Duration?
  /// Sends the request.
  public let transport: any HTTPTransport
  /// Where the call is logged (never the credentials or the token).
  public let logger: Logger

  /// The environment variable that replaces the federation endpoint.
  public static let endpointVariable = "AWS_RUNAS_SIGNIN_URL"

  /// Creates the builder.
  public init(
    federationURL: String, destination: String, issuer: String = "aws-runas", sessionDuration: Duration? = nil,
    transport: any HTTPTransport, logger: Logger
  ) {
    self.federationURL = federationURL
    self.destination = destination
    self.issuer = issuer
    self.sessionDuration = sessionDuration
    self.transport = transport
    self.logger = logger
  }

  /// The federation endpoint for `region`'s partition, or `AWS_RUNAS_SIGNIN_URL`.
  public static func federationURL(region: String?, environment: [String: String]) -> String {
    if let configured = environment[endpointVariable], !configured.isEmpty { return configured }
    let region = region ?? ""
    if region.hasPrefix("cn-") { return "https://signin.amazonaws.cn/federation" }
    if region.hasPrefix("us-gov-") { return "https://signin.amazonaws-us-gov.com/federation" }
    return "https://signin.aws.amazon.com/federation"
  }

  /// The console home page for `region` (in its partition).
  public static func consoleURL(region: String?) -> String {
    guard let region, !region.isEmpty, RegionName.isValid(region) else { return "https://console.aws.amazon.com/" }
    let host: String
    if region.hasPrefix("cn-") {
      host = "console.amazonaws.cn"
    } else if region.hasPrefix("us-gov-") {
      host = "console.amazonaws-us-gov.com"
    } else {
      host = "\(region).console.aws.amazon.com"
    }
    return "https://\(host)/console/home?region=\(region)"
  }

  /// The sign-in URL for `credentials` (which must be temporary: role, federation or Identity
  /// Center credentials).
  ///
  /// - Throws: ``ConsoleSignInError`` when the credentials have no session token or the endpoint
  ///   refuses them, ``AWSTransportError`` when it cannot be reached.
  public func url(for credentials: AWSCredentials) async throws -> String {
    guard let sessionToken = credentials.sessionToken, !sessionToken.isEmpty else {
      throw ConsoleSignInError(
        message: "the console needs temporary credentials with a session token, not long-term keys",
        hint: "use a role profile, or an IAM user profile (aws-runas calls GetFederationToken for it)")
    }
    var session = JSONObjectWriter()
    session.add("sessionId", credentials.accessKeyID)
    session.add("sessionKey", credentials.secretAccessKey)
    session.add("sessionToken", sessionToken)
    var query: [(String, String?)] = [("Action", "getSigninToken")]
    if let sessionDuration { query.append(("SessionDuration", String(sessionDuration.components.seconds))) }
    query.append(("Session", session.result))
    let requestURL = Self.url(federationURL, query: query)
    logger.debug("getSigninToken from \(federationURL)")
    let response: HTTPResponseData
    do {
      response = try await transport.send(HTTPRequestData(method: "GET", url: requestURL))
    } catch let error as HTTPTransportError {
      throw AWSTransportError(
        service: "signin", operation: "getSigninToken", url: federationURL, kind: error.kind, detail: error.detail,
        attempts: 1)
    }
    guard response.status == 200 else {
      let text = String(decoding: response.body.prefix(300), as: UTF8.self)
      let detail = Self.plainText(text)
      throw ConsoleSignInError(
        message: "the AWS sign-in endpoint refused the credentials (HTTP \(response.status))"
          + (detail.isEmpty ? "" : ": \(TerminalText.excerpt(detail, limit: 200))"),
        hint: sessionDuration == nil
          ? "the credentials may have expired; run again with -r" : "SessionDuration must be 15 minutes to 12 hours")
    }
    struct Answer: Decodable { var SigninToken: String? }
    guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(response.body)),
      let token = answer.SigninToken, !token.isEmpty
    else {
      throw AWSResponseDecodingError(service: "signin", operation: "getSigninToken", reason: "no SigninToken")
    }
    return Self.url(
      federationURL,
      query: [("Action", "login"), ("Issuer", issuer), ("Destination", destination), ("SigninToken", token)])
  }

  /// `base` and the RFC 3986-encoded query, `nil` values left out.
  static func url(_ base: String, query: [(String, String?)]) -> String {
    let pairs = query.compactMap { name, value in
      value.map { SigV4Signer.uriEncode(name) + "=" + SigV4Signer.uriEncode($0) }
    }
    return base + (pairs.isEmpty ? "" : (base.contains("?") ? "&" : "?") + pairs.joined(separator: "&"))
  }

  /// The text of an HTML page without its tags, whitespace collapsed.
  static func plainText(_ html: String) -> String {
    var text = ""
    var inTag = false
    for character in html {
      if character == "<" {
        inTag = true
        text.append(" ")
      } else if character == ">" {
        inTag = false
      } else if !inTag {
        text.append(character)
      }
    }
    return text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
  }
}

extension STSClient {
  /// GetFederationToken: temporary credentials for a federated user `name` of the calling IAM
  /// user, limited by `policy` (the console needs them: it refuses long-term keys and
  /// GetSessionToken credentials).
  public func getFederationToken(name: String, policy: String, duration: Duration) async throws -> AWSCredentials {
    let response = try await client.call(
      "GetFederationToken",
      parameters: [("Name", name), ("Policy", policy), ("DurationSeconds", String(duration.components.seconds))])
    guard let element = response.result.child("Credentials"),
      let keyID = element.childText("AccessKeyId"), !keyID.isEmpty,
      let secret = element.childText("SecretAccessKey"), !secret.isEmpty
    else {
      throw AWSResponseDecodingError(service: "sts", operation: "GetFederationToken", reason: "no Credentials")
    }
    return AWSCredentials(
      accessKeyID: keyID, secretAccessKey: secret,
      sessionToken: element.childText("SessionToken").flatMap { $0.isEmpty ? nil : $0 },
      expiration: element.childText("Expiration").flatMap(Timestamp.parseISO8601))
  }
}

extension RunAsEngine {
  /// The policy given to GetFederationToken for the console: everything the IAM user may do
  /// (a federated user's permissions are the intersection of this and the user's).
  static let consoleFederationPolicy =
    #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#

  /// A console sign-in URL for `profile`: its role (or Identity Center, SAML, OIDC) credentials,
  /// or for an IAM user profile GetFederationToken credentials made with its long-term keys.
  ///
  /// - Parameters:
  ///   - destination: The console page to open; the region's console home when `nil`.
  ///   - sessionDuration: The console session's length (role credentials only).
  public func consoleSignInURL(
    for profile: ResolvedProfile, provider: any CredentialProvider, destination: String?, sessionDuration: Duration?
  ) async throws -> String {
    let credentials: AWSCredentials
    var duration = sessionDuration
    let builder = CredentialChainBuilder(
      cacheDirectory: files.cacheDirectory, environment: environment, sts: stsService(for: profile),
      mfa: MFACodeSource(presetCode: nil, prompter: NoPrompter()), logger: logger)
    if profile.kind == .iamUser {
      let keys = try builder.baseCredentials(for: profile)
      if keys.sessionToken != nil {
        credentials = keys
      } else {
        let name = CredentialChainBuilder.sanitizedSessionName(
          CredentialChainBuilder.localUserName(environment) ?? "aws-runas")
        credentials = try await stsService(for: profile).client().withCredentials(keys)
          .getFederationToken(
            name: String(name.prefix(32)), policy: Self.consoleFederationPolicy,
            duration: sessionDuration ?? .seconds(12 * 3600))
        // The endpoint takes the console session's length from the federation token.
        duration = nil
      }
    } else {
      credentials = try await provider.credentials(validFor: .seconds(60))
    }
    let region = profile.settings.region?.value
    return try await ConsoleSignInURL(
      federationURL: ConsoleSignInURL.federationURL(region: region, environment: environment),
      destination: destination ?? ConsoleSignInURL.consoleURL(region: region), sessionDuration: duration,
      transport: AsyncHTTPClientTransport(environment: environment), logger: logger
    ).url(for: credentials)
  }
}
