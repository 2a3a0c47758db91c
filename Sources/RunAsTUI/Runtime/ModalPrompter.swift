import RunAsCore
import Synchronization

/// Bridges the engine's ``Prompter`` questions to modals: a question is posted to the loop as an
/// event, and the caller waits until the user answers (or cancels) in the UI.
public final class PromptBroker: Sendable {
  private struct Waiting: Sendable {
    var nextID = 1
    var continuations: [Int: CheckedContinuation<String, any Error>] = [:]
  }

  private let state = Mutex(Waiting())
  private let inbox: EventInbox

  /// Creates a broker posting to `inbox`.
  public init(inbox: EventInbox) {
    self.inbox = inbox
  }

  /// A prompter that asks on behalf of `profileName`.
  public func prompter(for profileName: String?) -> some Prompter {
    ModalPrompter(broker: self, profileName: profileName)
  }

  func ask(_ question: String, isSecret: Bool, profileName: String?) async throws -> String {
    try await withCheckedThrowingContinuation { continuation in
      let id = state.withLock { waiting in
        let id = waiting.nextID
        waiting.nextID += 1
        waiting.continuations[id] = continuation
        return id
      }
      inbox.post(
        .promptRequested(AppState.Prompt(id: id, question: question, isSecret: isSecret, profileName: profileName)))
    }
  }

  /// Gives the answer to prompt `id`.
  public func answer(_ id: Int, with text: String) {
    state.withLock { $0.continuations.removeValue(forKey: id) }?.resume(returning: text)
  }

  /// Cancels prompt `id`; the engine sees ``PromptCancelled``.
  public func cancel(_ id: Int) {
    state.withLock { $0.continuations.removeValue(forKey: id) }?.resume(throwing: PromptCancelled())
  }

  /// Cancels every waiting prompt (on quit).
  public func cancelAll() {
    let all = state.withLock { waiting in
      defer { waiting.continuations.removeAll() }
      return Array(waiting.continuations.values)
    }
    for continuation in all { continuation.resume(throwing: PromptCancelled()) }
  }
}

/// The user pressed Esc on a prompt.
public struct PromptCancelled: UserFacingError, Sendable {
  /// Says so.
  public var message: String { "cancelled at the prompt" }
  /// No hint.
  public var hint: String? { nil }
}

/// The TUI's ``Prompter``: a modal inside the interface.
struct ModalPrompter: Prompter {
  let broker: PromptBroker
  let profileName: String?

  func ask(_ question: String, isSecret: Bool) async throws -> String {
    try await broker.ask(question, isSecret: isSecret, profileName: profileName)
  }
}
