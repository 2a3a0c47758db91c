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
/// partial file. A file that is missing, unreadable or incomplete counts as "nothing cached".
public struct CredentialCacheFile: Sendable, Equatable {
  /// The cache file's path.
  public let path: String

  /// A cache file at `path`.
  public init(path: String) {
    self.path = path
  }

  /// The cache file for `kind` and `name` inside `directory`, e.g. `~/.aws/.aws_assume_role_prod`.
  public init(directory: String, kind: Kind, name: String) {
    self.path = directory + "/" + kind.rawValue + name
  }

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

  /// The cached entry, or `nil` when there is none usable.
  public func load() -> CachedCredentials? {
    guard let bytes = try? POSIXFile.read(path), !bytes.isEmpty,
      let document = FlatJSONObject.parse(bytes),
      let keyID = document["AccessKeyId"], !keyID.isEmpty,
      let secret = document["SecretAccessKey"], !secret.isEmpty
    else { return nil }
    let credentials = AWSCredentials(
      accessKeyID: keyID, secretAccessKey: secret,
      sessionToken: document["SessionToken"].flatMap { $0.isEmpty ? nil : $0 },
      expiration: document["Expiration"].flatMap(Timestamp.parseISO8601))
    return CachedCredentials(credentials: credentials, mfaSerial: document["MfaSerial"])
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
    try POSIXFile.writeAtomically(Array((json.result + "\n").utf8), to: path, mode: 0o600)
  }

  /// Deletes the cache file; a missing file is fine.
  public func clear() throws {
    try POSIXFile.remove(path)
  }
}
