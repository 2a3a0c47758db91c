/// Asks the user for a value the engine needs: an MFA code, a username or a password.
///
/// The command line implements this on `/dev/tty`, the TUI as a modal dialog; tests supply answers.
/// The engine only asks when it is about to call AWS, never on a cache hit.
public protocol Prompter: Sendable {
  /// Asks `question` and returns the answer without its trailing newline.
  ///
  /// - Parameters:
  ///   - question: The prompt text, e.g. `MFA token code: `.
  ///   - isSecret: Whether the answer must not be echoed.
  /// - Throws: ``PromptUnavailable`` when nobody can be asked; any other error cancels.
  func ask(_ question: String, isSecret: Bool) async throws -> String
}

/// Thrown by a ``Prompter`` that has no way to reach the user (no terminal, a headless run).
public struct PromptUnavailable: UserFacingError, Sendable {
  /// What was needed and why it could not be asked.
  public let message: String
  /// How to supply the value without a prompt.
  public let hint: String?

  /// Creates the error.
  public init(message: String, hint: String? = nil) {
    self.message = message
    self.hint = hint
  }
}

/// A prompter that never reaches anyone: every question fails with ``PromptUnavailable``.
public struct NoPrompter: Prompter {
  /// Creates the prompter.
  public init() {}

  /// Always throws ``PromptUnavailable``.
  public func ask(_ question: String, isSecret: Bool) async throws -> String {
    throw PromptUnavailable(message: "input needed (\(question.trimmingPrompt())) but no prompt is available")
  }
}

extension String {
  /// The question without its trailing spaces and colons, for quoting a prompt in a message.
  func trimmingPrompt() -> String {
    var result = Substring(self)
    while let last = result.last, last == " " || last == ":" { result = result.dropLast() }
    return String(result)
  }
}
