/// Text that is not one well-formed JSON value.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What was wrong, e.g. `expected ':'`.
  public var message: String
  /// The byte offset where it was noticed.
  public var offset: Int

  /// Creates the error.
  ///
  /// - Parameters:
  ///   - message: What was wrong.
  ///   - offset: The byte offset.
  public init(message: String, offset: Int) {
    self.message = message
    self.offset = offset
  }

  /// `malformed JSON at byte <offset>: <message>`.
  public var description: String { "malformed JSON at byte \(offset): \(message)" }
}
