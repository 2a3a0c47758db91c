/// A single sign-on that did not produce what AWS needs: the provider refused the credentials or
/// the code, answered a page the client does not understand, or sent a SAML response or an
/// id_token that does not hold up.
///
/// Messages name the provider's URL without its query and never carry a password, a code, a
/// cookie or a token.
public struct IdentityProviderError: UserFacingError, Sendable, Equatable {
  /// What went wrong.
  public let message: String
  /// What to do about it.
  public let hint: String?

  /// Creates the error.
  public init(message: String, hint: String? = nil) {
    self.message = message
    self.hint = hint
  }
}
