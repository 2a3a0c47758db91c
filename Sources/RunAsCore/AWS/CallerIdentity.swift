/// Who a set of credentials belongs to, as GetCallerIdentity reports it.
public struct CallerIdentity: Sendable, Equatable {
  /// The 12-digit account ID.
  public var account: String
  /// The ARN, e.g. `arn:aws:iam::123456789012:user/alice` or an `assumed-role` ARN.
  public var arn: String
  /// The unique ID, e.g. `AIDA…` for users or `AROA…:session` for roles.
  public var userID: String

  /// Creates an identity.
  ///
  /// - Parameters:
  ///   - account: The account ID.
  ///   - arn: The ARN.
  ///   - userID: The unique ID.
  public init(account: String, arn: String, userID: String) {
    self.account = account
    self.arn = arn
    self.userID = userID
  }
}
