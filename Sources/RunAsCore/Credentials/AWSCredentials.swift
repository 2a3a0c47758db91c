#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// A set of AWS credentials: an access key, its secret and, for temporary credentials, a session
/// token and an expiry.
///
/// The textual forms (`description`, `debugDescription`, and the mirror used by `dump`) show the
/// access key ID and the expiry only, so a credential can be logged or printed in an error without
/// leaking the secret or the session token.
public struct AWSCredentials: Sendable, Equatable {
  /// The access key ID, e.g. `AKIA…` for long-term keys or `ASIA…` for temporary ones.
  public var accessKeyID: String
  /// The secret access key. Never printed.
  public var secretAccessKey: String
  /// The session token of temporary credentials; `nil` for long-term IAM user keys.
  public var sessionToken: String?
  /// When temporary credentials stop working; `nil` when they do not expire.
  public var expiration: Date?

  /// Creates credentials from their parts.
  ///
  /// - Parameters:
  ///   - accessKeyID: The access key ID.
  ///   - secretAccessKey: The secret access key.
  ///   - sessionToken: The session token, for temporary credentials.
  ///   - expiration: The expiry, for temporary credentials.
  public init(
    accessKeyID: String,
    secretAccessKey: String,
    sessionToken: String? = nil,
    expiration: Date? = nil
  ) {
    self.accessKeyID = accessKeyID
    self.secretAccessKey = secretAccessKey
    self.sessionToken = sessionToken
    self.expiration = expiration
  }

  /// Whether the credentials can still be used at `date`, keeping `margin` in hand.
  ///
  /// Credentials with an empty key ID or secret are never valid. Credentials without an expiry are
  /// valid at any time. Otherwise they are valid while `date + margin` is strictly before the expiry,
  /// so a margin of ten minutes treats credentials as expired ten minutes early.
  ///
  /// - Parameters:
  ///   - date: The moment to check, usually now.
  ///   - margin: How long before the expiry the credentials already count as expired.
  /// - Returns: `true` when the credentials are usable.
  public func isValid(at date: Date, margin: Duration = .zero) -> Bool {
    guard !accessKeyID.isEmpty, !secretAccessKey.isEmpty else { return false }
    guard let expiration else { return true }
    return date.addingTimeInterval(Timestamp.timeInterval(of: margin)) < expiration
  }
}

extension AWSCredentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
  /// The access key ID and expiry, without the secret or the session token.
  public var description: String {
    var text = "AWSCredentials(accessKeyID: \(accessKeyID)"
    if sessionToken != nil { text += ", sessionToken: <redacted>" }
    if let expiration { text += ", expiration: \(Timestamp.formatRFC3339(expiration))" }
    return text + ")"
  }

  /// Same as ``description``: the secret and the token are never shown.
  public var debugDescription: String { description }

  /// A mirror without the secret or the token, so `dump` does not reveal them either.
  public var customMirror: Mirror {
    Mirror(
      self,
      children: [
        "accessKeyID": accessKeyID,
        "hasSessionToken": sessionToken != nil,
        "expiration": expiration as Any,
      ],
      displayStyle: .struct
    )
  }
}
