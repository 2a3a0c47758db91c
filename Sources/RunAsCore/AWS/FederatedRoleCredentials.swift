/// Role credentials from a federated sign-in (AssumeRoleWithSAML or AssumeRoleWithWebIdentity),
/// with what STS says about the session and the identity behind it.
public struct FederatedRoleCredentials: Sendable, Equatable {
  /// The role's temporary credentials.
  public var credentials: AWSCredentials
  /// The assumed-role ARN, e.g. `arn:aws:sts::123456789012:assumed-role/web/session`.
  public var assumedRoleARN: String?
  /// The assumed-role ID, e.g. `AROA…:session`.
  public var assumedRoleID: String?
  /// The user the identity provider vouched for: SAML's `Subject`, or the web identity token's
  /// `sub` (`SubjectFromWebIdentityToken`).
  public var subject: String?
  /// The format of a SAML subject, e.g. `persistent` or `transient`.
  public var subjectType: String?
  /// The SAML issuer (the identity provider's entity ID).
  public var issuer: String?
  /// The audience: SAML's `Recipient`, or the web identity token's client ID.
  public var audience: String?
  /// SAML's hash of issuer, account and provider name, which identifies the user across sessions.
  public var nameQualifier: String?
  /// The web identity provider, e.g. `accounts.google.com` or the OIDC issuer.
  public var provider: String?
  /// The source identity the provider set, if any.
  public var sourceIdentity: String?

  /// Creates a value.
  ///
  /// - Parameters:
  ///   - credentials: The role credentials.
  ///   - assumedRoleARN: The assumed-role ARN.
  ///   - assumedRoleID: The assumed-role ID.
  ///   - subject: The subject.
  ///   - subjectType: The SAML subject's format.
  ///   - issuer: The SAML issuer.
  ///   - audience: The audience.
  ///   - nameQualifier: SAML's name qualifier.
  ///   - provider: The web identity provider.
  ///   - sourceIdentity: The source identity.
  public init(
    credentials: AWSCredentials, assumedRoleARN: String? = nil, assumedRoleID: String? = nil,
    subject: String? = nil, subjectType: String? = nil, issuer: String? = nil, audience: String? = nil,
    nameQualifier: String? = nil, provider: String? = nil, sourceIdentity: String? = nil
  ) {
    self.credentials = credentials
    self.assumedRoleARN = assumedRoleARN
    self.assumedRoleID = assumedRoleID
    self.subject = subject
    self.subjectType = subjectType
    self.issuer = issuer
    self.audience = audience
    self.nameQualifier = nameQualifier
    self.provider = provider
    self.sourceIdentity = sourceIdentity
  }
}
