/// A profile that cannot be resolved: unknown, a broken `source_profile`, a loop, or an invalid
/// value, with a hint when one helps.
public struct ProfileError: UserFacingError, Sendable, Equatable {
  /// What is wrong, e.g. `profile "prdo" not found in ~/.aws/config`.
  public let message: String
  /// What to do about it, e.g. `did you mean: prod`.
  public let hint: String?

  /// Creates an error with an optional hint.
  public init(message: String, hint: String? = nil) {
    self.message = message
    self.hint = hint
  }

  /// The message, then `; ` and the hint when there is one.
  public var description: String {
    guard let hint else { return message }
    return "\(message); \(hint)"
  }
}
