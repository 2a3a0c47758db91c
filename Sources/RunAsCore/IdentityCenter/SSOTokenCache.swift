import Crypto

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
#if canImport(Glibc)
  import Glibc
#endif

/// An IAM Identity Center access token as the AWS CLI v2 and botocore cache it.
public struct SSOToken: Sendable, Equatable {
  /// `startUrl`.
  public var startURL: String
  /// `region`: the Identity Center region.
  public var region: String
  /// `accessToken`: the bearer token for the portal.
  public var accessToken: String
  /// `expiresAt`.
  public var expiresAt: Date
  /// `refreshToken`, issued to sso-session registrations.
  public var refreshToken: String?
  /// `clientId` of the registration that obtained the token.
  public var clientID: String?
  /// `clientSecret` of that registration.
  public var clientSecret: String?
  /// `registrationExpiresAt`: when the registration (and so refreshing) ends.
  public var registrationExpiresAt: Date?

  /// Creates a token.
  public init(
    startURL: String, region: String, accessToken: String, expiresAt: Date, refreshToken: String? = nil,
    clientID: String? = nil, clientSecret: String? = nil, registrationExpiresAt: Date? = nil
  ) {
    self.startURL = startURL
    self.region = region
    self.accessToken = accessToken
    self.expiresAt = expiresAt
    self.refreshToken = refreshToken
    self.clientID = clientID
    self.clientSecret = clientSecret
    self.registrationExpiresAt = registrationExpiresAt
  }

  /// Whether the access token is still usable at `date` with `margin` to spare.
  public func isValid(at date: Date, margin: Duration = .zero) -> Bool {
    date.addingTimeInterval(Timestamp.timeInterval(of: margin)) < expiresAt
  }

  /// The registration that can refresh this token, when it has everything refreshing needs and
  /// the registration has not expired at `date`.
  public func refreshRegistration(at date: Date) -> SSOClientRegistration? {
    guard let refreshToken, !refreshToken.isEmpty, let clientID, !clientID.isEmpty, let clientSecret,
      !clientSecret.isEmpty, let registrationExpiresAt, date < registrationExpiresAt
    else { return nil }
    return SSOClientRegistration(clientID: clientID, clientSecret: clientSecret, expiresAt: registrationExpiresAt)
  }
}

extension SSOToken: CustomStringConvertible {
  /// The start URL and expiry; never the tokens or the secret.
  public var description: String {
    "SSOToken(startURL: \(startURL), expiresAt: \(Timestamp.formatRFC3339(expiresAt)))"
  }
}

/// A client registered with SSO-OIDC (RegisterClient), reusable until it expires.
public struct SSOClientRegistration: Sendable, Equatable {
  /// `clientId`.
  public var clientID: String
  /// `clientSecret`.
  public var clientSecret: String
  /// When the registration ends (`clientSecretExpiresAt`).
  public var expiresAt: Date
  /// The scopes it was registered with.
  public var scopes: [String]

  /// Creates a registration.
  public init(clientID: String, clientSecret: String, expiresAt: Date, scopes: [String] = []) {
    self.clientID = clientID
    self.clientSecret = clientSecret
    self.expiresAt = expiresAt
    self.scopes = scopes
  }
}

/// A token or registration cache file that exists but cannot be used.
public struct SSOCacheFileError: UserFacingError, Sendable, Equatable {
  /// The file.
  public let path: String
  /// What is wrong with it.
  public let reason: String
  /// What to do.
  public let hint: String?

  /// Creates the error.
  public init(path: String, reason: String, hint: String? = nil) {
    self.path = path
    self.reason = reason
    self.hint = hint
  }

  /// `SSO token cache file <path> <reason>`.
  public var message: String { "SSO cache file \(path) \(reason)" }
}

/// The files under `~/.aws/sso/cache` that the AWS CLI v2 and the SDKs share: one token file per
/// session (or legacy start URL) and one registration file per client, named by SHA-1 keys
/// (`Tests/Support/SSO_EMULATOR.md` §3 has the exact formats).
///
/// Files are written as botocore writes them (one line of JSON with the same keys in the same
/// order), but with mode 0600 by temp-file-and-rename, so a reader never sees half a file; a
/// ``FileLock`` beside each token file keeps parallel runs from logging in or refreshing twice.
public struct SSOCacheDirectory: Sendable, Equatable {
  /// The directory, normally `~/.aws/sso/cache`.
  public let path: String

  /// A cache directory at `path`.
  public init(path: String) {
    self.path = path
  }

  /// `$HOME/.aws/sso/cache` (botocore's fixed location, whatever `AWS_CONFIG_FILE` says).
  public init(environment: [String: String]) {
    var home = environment["HOME"] ?? ""
    if home.isEmpty, let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir {
      home = String(cString: directory)
    }
    if home.isEmpty { home = "." }
    while home.count > 1 && home.hasSuffix("/") { home.removeLast() }
    self.path = (home == "/" ? "" : home) + "/.aws/sso/cache"
  }

  /// The largest cache file read; real ones are a few kilobytes.
  static let maximumSize = 256 * 1024

  // MARK: - Names

  /// Lowercase hex SHA-1 of `text`'s UTF-8 bytes.
  static func sha1(_ text: String) -> String {
    Insecure.SHA1.hash(data: Array(text.utf8)).map { byte in
      let hex = String(byte, radix: 16)
      return byte < 16 ? "0" + hex : hex
    }.joined()
  }

  /// The token file of `session`: the SHA-1 of the session name, or of the start URL for a legacy
  /// profile.
  public func tokenPath(for session: IdentityCenterSession) -> String {
    path + "/" + Self.sha1(session.tokenCacheKey) + ".json"
  }

  /// The registration file of `session`, named as botocore names it.
  public func registrationPath(for session: IdentityCenterSession) -> String {
    path + "/" + Self.sha1(Self.registrationKey(for: session)) + ".json"
  }

  /// The text botocore hashes for the registration file's name: `json.dumps` of the start URL,
  /// region, scopes and session name with sorted keys.
  static func registrationKey(for session: IdentityCenterSession) -> String {
    PythonJSON.object([
      ("region", .string(session.region)),
      ("scopes", session.registrationScopes.isEmpty ? .null : .strings(session.registrationScopes)),
      ("session_name", session.name.map { .string($0) } ?? .null),
      ("startUrl", .string(session.startURL)),
      ("tool", .string("botocore")),
    ])
  }

  // MARK: - Tokens

  /// The lock taken around "read token → log in or refresh → write token".
  public func tokenLock(for session: IdentityCenterSession) -> FileLock {
    FileLock(protecting: tokenPath(for: session))
  }

  /// Runs `body` holding the token file's lock, creating the directory first.
  public func withTokenLock<T: Sendable>(
    for session: IdentityCenterSession, _ body: () async throws -> T
  ) async throws -> T {
    try POSIXFile.makeDirectories(path)
    return try await tokenLock(for: session).withLock(body)
  }

  /// The cached token of `session`; `nil` when there is no file.
  ///
  /// - Throws: ``SSOCacheFileError`` when the file is unreadable, not JSON, or lacks
  ///   `accessToken` or a readable `expiresAt` (what botocore calls an invalid token).
  public func token(for session: IdentityCenterSession) throws -> SSOToken? {
    let file = tokenPath(for: session)
    let hint = "run aws-runas sso login to replace it"
    let bytes: [UInt8]
    do {
      guard let read = try POSIXFile.read(file, limit: Self.maximumSize) else { return nil }
      bytes = read
    } catch {
      throw SSOCacheFileError(
        path: file, reason: "cannot be read: \(error.reason ?? String(cString: strerror(error.code)))", hint: hint)
    }
    let document: TokenDocument
    do {
      document = try JSONDecoder().decode(TokenDocument.self, from: Data(bytes))
    } catch {
      throw SSOCacheFileError(path: file, reason: "is not a JSON token object (corrupted?)", hint: hint)
    }
    guard let accessToken = document.accessToken, !accessToken.isEmpty else {
      throw SSOCacheFileError(path: file, reason: "has no accessToken", hint: hint)
    }
    guard let expiresText = document.expiresAt, let expiresAt = Self.parseTimestamp(expiresText) else {
      throw SSOCacheFileError(path: file, reason: "has no readable expiresAt", hint: hint)
    }
    return SSOToken(
      startURL: document.startUrl ?? session.startURL, region: document.region ?? session.region,
      accessToken: accessToken, expiresAt: expiresAt, refreshToken: document.refreshToken,
      clientID: document.clientId, clientSecret: document.clientSecret,
      registrationExpiresAt: document.registrationExpiresAt.flatMap(Self.parseTimestamp))
  }

  /// Writes `token` for `session` (0600, atomically), in the CLI's key order.
  public func store(_ token: SSOToken, for session: IdentityCenterSession) throws {
    var members: [(String, PythonJSON.Value)] = [
      ("startUrl", .string(token.startURL)),
      ("region", .string(token.region)),
      ("accessToken", .string(token.accessToken)),
      ("expiresAt", .string(Self.formatTimestamp(token.expiresAt))),
    ]
    if let clientID = token.clientID { members.append(("clientId", .string(clientID))) }
    if let clientSecret = token.clientSecret { members.append(("clientSecret", .string(clientSecret))) }
    if let registrationExpiresAt = token.registrationExpiresAt {
      members.append(("registrationExpiresAt", .string(Self.formatTimestamp(registrationExpiresAt))))
    }
    if let refreshToken = token.refreshToken { members.append(("refreshToken", .string(refreshToken))) }
    try POSIXFile.makeDirectories(path)
    try POSIXFile.writeAtomically(Array(PythonJSON.object(members).utf8), to: tokenPath(for: session), mode: 0o600)
  }

  /// Deletes the token file of `session`; a missing one is fine.
  public func removeToken(for session: IdentityCenterSession) throws {
    try POSIXFile.remove(tokenPath(for: session))
  }

  /// Every token file in the directory with its access token and region, as `aws sso logout`
  /// finds them (files without `accessToken` are registrations and are left alone).
  public func allTokenFiles() -> [(path: String, accessToken: String, region: String?)] {
    var found: [(path: String, accessToken: String, region: String?)] = []
    for name in (POSIXFile.entries(ofDirectory: path) ?? []).sorted() where name.hasSuffix(".json") {
      let file = path + "/" + name
      guard let bytes = try? POSIXFile.read(file, limit: Self.maximumSize),
        let document = try? JSONDecoder().decode(TokenDocument.self, from: Data(bytes)),
        let accessToken = document.accessToken, !accessToken.isEmpty
      else { continue }
      found.append((file, accessToken, document.region))
    }
    return found
  }

  // MARK: - Registrations

  /// The cached registration of `session` if it stays valid for `margin` after `date`.
  /// An unreadable file counts as none: a new registration replaces it.
  public func registration(for session: IdentityCenterSession, validAt date: Date, margin: Duration)
    -> SSOClientRegistration?
  {
    guard let bytes = try? POSIXFile.read(registrationPath(for: session), limit: Self.maximumSize),
      let document = try? JSONDecoder().decode(RegistrationDocument.self, from: Data(bytes)),
      let clientID = document.clientId, !clientID.isEmpty, let clientSecret = document.clientSecret,
      !clientSecret.isEmpty, let expiresAt = document.expiresAt.flatMap(Self.parseTimestamp),
      date.addingTimeInterval(Timestamp.timeInterval(of: margin)) < expiresAt
    else { return nil }
    return SSOClientRegistration(
      clientID: clientID, clientSecret: clientSecret, expiresAt: expiresAt, scopes: document.scopes ?? [])
  }

  /// Writes `registration` for `session` the way botocore does.
  public func store(_ registration: SSOClientRegistration, for session: IdentityCenterSession) throws {
    var members: [(String, PythonJSON.Value)] = [
      ("clientId", .string(registration.clientID)),
      ("clientSecret", .string(registration.clientSecret)),
      ("expiresAt", .string(Self.formatTimestamp(registration.expiresAt))),
    ]
    if !registration.scopes.isEmpty { members.append(("scopes", .strings(registration.scopes))) }
    try POSIXFile.makeDirectories(path)
    try POSIXFile.writeAtomically(
      Array(PythonJSON.object(members).utf8), to: registrationPath(for: session), mode: 0o600)
  }

  // MARK: - Timestamps

  /// `2026-12-02T06:36:29Z`: UTC, whole seconds, as botocore's `strftime` writes it.
  static func formatTimestamp(_ date: Date) -> String {
    Timestamp.formatRFC3339(Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)))
  }

  /// Any ISO 8601 form the SDKs write: `…Z`, `…+00:00`, fractional seconds, and the older
  /// botocore `…UTC`.
  static func parseTimestamp(_ text: String) -> Date? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if trimmed.hasSuffix("UTC") {
      return Timestamp.parseISO8601(String(trimmed.dropLast(3)).trimmingCharacters(in: .whitespaces) + "Z")
    }
    return Timestamp.parseISO8601(trimmed)
  }

  private struct TokenDocument: Decodable {
    var startUrl: String?
    var region: String?
    var accessToken: String?
    var expiresAt: String?
    var refreshToken: String?
    var clientId: String?
    var clientSecret: String?
    var registrationExpiresAt: String?
  }

  private struct RegistrationDocument: Decodable {
    var clientId: String?
    var clientSecret: String?
    var expiresAt: String?
    var scopes: [String]?
  }
}
