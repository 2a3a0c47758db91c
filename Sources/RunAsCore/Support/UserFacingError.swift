/// An error whose text is meant for the person at the terminal: one line saying what went wrong
/// and where, optionally followed by a hint saying what to do.
public protocol UserFacingError: Error, CustomStringConvertible {
  /// What went wrong, naming the thing and where it came from.
  var message: String { get }
  /// What to do about it, when there is something useful to say.
  var hint: String? { get }
}

extension UserFacingError {
  /// The message followed by the hint, if any, on one line.
  public var description: String {
    guard let hint, !hint.isEmpty else { return message }
    return "\(message) (\(hint))"
  }

  /// `nil` unless a type has something to add.
  public var hint: String? { nil }
}

/// A problem obtaining credentials that is not an AWS API error or a configuration error.
public struct CredentialError: UserFacingError, Sendable {
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
