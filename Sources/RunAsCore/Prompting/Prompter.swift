/// Asks the user for what the engine needs: an MFA code, a username or a password, a choice among
/// options (MFA factors, roles, accounts), or patience while something happens elsewhere ("approve
/// the sign-in on your phone", "enter code ABCD-EFGH at URL").
///
/// The command line implements this on `/dev/tty` (``TTYPrompter``), the TUI as modal dialogs;
/// tests supply answers. The engine only asks when it is about to call AWS or an identity
/// provider, never on a cache hit.
public protocol Prompter: Sendable {
  /// Asks `question` and returns the answer without its trailing newline.
  ///
  /// - Parameters:
  ///   - question: The prompt text, e.g. `MFA token code: `.
  ///   - isSecret: Whether the answer must not be echoed (passwords).
  /// - Throws: ``PromptUnavailable`` when nobody can be asked; any other error cancels.
  func ask(_ question: String, isSecret: Bool) async throws -> String

  /// Asks the user to pick one of `options` and returns its index.
  ///
  /// - Throws: ``PromptUnavailable`` when nobody can be asked; any other error cancels.
  func choose(_ question: String, from options: [String]) async throws -> Int

  /// Shows `notice` for as long as `work` runs and returns what it returns. The user may cancel
  /// the notice, which cancels `work`; the call then throws that cancellation.
  func showing<Value: Sendable>(
    _ notice: String, while work: @escaping @Sendable () async throws -> Value
  ) async throws -> Value
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

/// The user's answer was not one the question allows, however often asked.
public struct InvalidAnswer: UserFacingError, Sendable {
  /// What was asked and why no answer counts.
  public let message: String
  /// No hint: the user saw the options.
  public var hint: String? { nil }

  /// Creates the error.
  public init(message: String) {
    self.message = message
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

  /// Always throws ``PromptUnavailable``.
  public func choose(_ question: String, from options: [String]) async throws -> Int {
    throw PromptUnavailable(message: "a choice is needed (\(question.trimmingPrompt())) but no prompt is available")
  }

  /// Runs `work`; there is nobody to show the notice to.
  public func showing<Value: Sendable>(
    _ notice: String, while work: @escaping @Sendable () async throws -> Value
  ) async throws -> Value {
    try await work()
  }
}

extension String {
  /// The question without its trailing spaces and colons, for quoting a prompt in a message.
  public func trimmingPrompt() -> String {
    var result = Substring(self)
    while let last = result.last, last == " " || last == ":" { result = result.dropLast() }
    return String(result)
  }
}
