#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Credentials read from a cache file, with what is known about how they were obtained.
public struct CachedCredentials: Sendable, Equatable {
  /// The cached credentials.
  public var credentials: AWSCredentials
  /// The MFA device used to obtain them: `""` when none was used, `nil` when unknown (a file the
  /// Go tool wrote, which does not record it).
  public var mfaSerial: String?

  /// Creates a cache entry.
  public init(credentials: AWSCredentials, mfaSerial: String?) {
    self.credentials = credentials
    self.mfaSerial = mfaSerial
  }
}

/// One credential cache file, named and shaped as the Go aws-runas writes it.
///
/// The file holds the STS `Credentials` object as JSON with keys in the Go tool's order
/// (`AccessKeyId`, `Expiration`, `SecretAccessKey`, `SessionToken`), plus `MfaSerial`, which the Go
/// tool ignores. Files are written with mode 0600 by temp-file-and-rename, so readers never see a
/// partial file. A file that is missing, unreadable, incomplete or of the wrong shape counts as
/// "nothing cached".
public struct CredentialCacheFile: Sendable, Equatable {
  /// The cache file's path.
  public let path: String

  /// A cache file at `path`.
  public init(path: String) {
    self.path = path
  }

  /// The cache file for `kind` and `name` inside `directory`, e.g. `~/.aws/.aws_assume_role_prod`.
  ///
  /// The name becomes part of one file name, whatever it holds (see ``fileNameComponent(for:)``),
  /// so a profile called `../../x` or `a/b` still has its cache in `directory`.
  public init(directory: String, kind: Kind, name: String) {
    self.path = directory + "/" + kind.rawValue + Self.fileNameComponent(for: name)
  }

  /// `name` as it appears in a cache file name: unchanged when it holds only bytes a file name
  /// can carry safely (so names match the Go tool's files), otherwise with `/`, `\`, `%`, NUL and
  /// control bytes percent-encoded, which keeps different names apart. A name too long for a
  /// file name keeps its first bytes and ends in `~` and its SHA-256.
  static func fileNameComponent(for name: String) -> String {
    func needsEscaping(_ byte: UInt8) -> Bool {
      byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "\\")
        || byte == UInt8(ascii: "%")
    }
    var component = name
    if name.utf8.contains(where: needsEscaping) {
      var bytes: [UInt8] = []
      bytes.reserveCapacity(name.utf8.count + 8)
      let hex = Array("0123456789ABCDEF".utf8)
      for byte in name.utf8 {
        if needsEscaping(byte) {
          bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
        } else {
          bytes.append(byte)
        }
      }
      component = String(decoding: bytes, as: UTF8.self)
    }
    guard component.utf8.count > maximumNameLength else { return component }
    // Cut at a character boundary so the file name stays valid UTF-8.
    var kept = ""
    for character in component {
      if kept.utf8.count + character.utf8.count > maximumNameLength - 65 { break }
      kept.append(character)
    }
    return kept + "~" + SigV4Signer.hexSHA256(Array(name.utf8))
  }

  /// The longest name kept whole: the longest prefix, this and the longest suffix (a temporary
  /// file's `_XXXXXX.tmp`) stay within the usual 255-byte limit on one file name.
  static let maximumNameLength = 160

  /// The kinds of cache file, by the prefix of their name.
  public enum Kind: String, Sendable {
    /// GetSessionToken results, keyed by the source profile.
    case sessionToken = ".aws_session_token_"
    /// AssumeRole results, keyed by profile.
    case assumeRole = ".aws_assume_role_"
    /// AssumeRoleWithSAML results.
    case samlRole = ".aws_saml_role_"
    /// AssumeRoleWithWebIdentity results.
    case webRole = ".aws_web_role_"
  }

  /// The lock that serialises "check cache → call STS → write cache" across processes.
  public var lock: FileLock { FileLock(protecting: path) }

  /// Runs `body` while holding ``lock``, creating the cache directory first if it is missing
  /// (only that directory, never its parents).
  public func withLock<T: Sendable>(_ body: () async throws -> T) async throws -> T {
    try POSIXFile.makeDirectory(POSIXFile.directoryName(path))
    return try await lock.withLock(body)
  }

  /// The cached credentials when they stay valid for `margin` after `now`.
  public func validCredentials(at now: Date, margin: Duration) -> AWSCredentials? {
    guard let entry = load(), entry.credentials.isValid(at: now, margin: margin) else { return nil }
    return entry.credentials
  }

  /// `cached()` when it has credentials; else, under the file lock (so parallel runs call AWS and
  /// prompt once), `cached()` again (another process may have refreshed the file meanwhile), else
  /// the entry `fetch()` returns, stored.
  public func refresh(
    unlessCached cached: () -> AWSCredentials?, fetch: () async throws -> CachedCredentials
  ) async throws -> AWSCredentials {
    if let hit = cached() { return hit }
    return try await withLock {
      if let hit = cached() { return hit }
      let fresh = try await fetch()
      try store(fresh)
      return fresh.credentials
    }
  }

  /// The cached entry, or `nil` when there is none usable.
  ///
  /// A file counts only when it is what aws-runas (or the Go tool) writes: `AccessKeyId` and
  /// `SecretAccessKey` non-empty strings, `Expiration` a string holding a timestamp, and
  /// `SessionToken` and `MfaSerial` strings when present. Anything else, such as a number where a
  /// string belongs or a missing expiry, is a miss, so the caller fetches fresh credentials and
  /// replaces the file rather than serving whatever it says forever.
  public func load() -> CachedCredentials? {
    guard let bytes = try? POSIXFile.read(path, limit: Self.maximumSize), !bytes.isEmpty,
      let document = FlatJSONObject.parse(bytes)
    else { return nil }
    return Self.entry(from: document)
  }

  /// The largest cache file read; real ones are a few kilobytes.
  static let maximumSize = 64 * 1024

  /// The entry a parsed cache file describes, or `nil` when any member has the wrong shape.
  static func entry(from document: [String: FlatJSONObject.Value]) -> CachedCredentials? {
    guard let keyID = document["AccessKeyId"]?.string, !keyID.isEmpty,
      let secret = document["SecretAccessKey"]?.string, !secret.isEmpty,
      let expiration = document["Expiration"]?.string.flatMap(Timestamp.parseISO8601)
    else { return nil }
    var sessionToken: String?
    if let member = document["SessionToken"] {
      guard let token = member.string else { return nil }
      sessionToken = token.isEmpty ? nil : token
    }
    var mfaSerial: String?
    if let member = document["MfaSerial"] {
      guard let serial = member.string else { return nil }
      mfaSerial = serial
    }
    let credentials = AWSCredentials(
      accessKeyID: keyID, secretAccessKey: secret, sessionToken: sessionToken, expiration: expiration)
    return CachedCredentials(credentials: credentials, mfaSerial: mfaSerial)
  }

  /// Writes `entry`, replacing the file atomically with mode 0600.
  public func store(_ entry: CachedCredentials) throws {
    let credentials = entry.credentials
    guard !credentials.accessKeyID.isEmpty, !credentials.secretAccessKey.isEmpty else {
      throw CredentialError(message: "refusing to cache credentials without keys in \(path)")
    }
    var json = JSONObjectWriter()
    json.add("AccessKeyId", credentials.accessKeyID)
    json.add("Expiration", credentials.expiration.map(Timestamp.formatRFC3339) ?? "0001-01-01T00:00:00Z")
    json.add("SecretAccessKey", credentials.secretAccessKey)
    json.add("SessionToken", credentials.sessionToken ?? "")
    if let serial = entry.mfaSerial { json.add("MfaSerial", serial) }
    try POSIXFile.makeDirectory(POSIXFile.directoryName(path))
    try POSIXFile.writeAtomically(Array((json.result + "\n").utf8), to: path, mode: 0o600)
  }

  /// Deletes the cache file; a missing file is fine.
  public func clear() throws {
    try POSIXFile.remove(path)
  }
}
