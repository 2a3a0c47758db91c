import RunAsCore
import Synchronization

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Bridges the engine's ``Prompter`` questions to modals: a question is posted to the loop as an
/// event, and the caller waits until the user answers (or cancels) in the UI.
public final class PromptBroker: Sendable {
  /// What a modal gave back.
  private enum Answer: Sendable {
    case text(String)
    case choice(Int)
  }

  private struct Waiting: Sendable {
    var nextID = 1
    var continuations: [Int: CheckedContinuation<Answer, any Error>] = [:]
    /// Cancels the work behind a shown notice.
    var notices: [Int: @Sendable () -> Void] = [:]
    /// Notices the user cancelled (their work then ends in ``PromptCancelled``).
    var cancelledNotices: Set<Int> = []
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

  private func nextID() -> Int {
    state.withLock { waiting in
      defer { waiting.nextID += 1 }
      return waiting.nextID
    }
  }

  private func request(_ question: String, kind: AppState.Prompt.Kind, profileName: String?) async throws -> Answer {
    let id = nextID()
    return try await withCheckedThrowingContinuation { continuation in
      state.withLock { $0.continuations[id] = continuation }
      inbox.post(.promptRequested(AppState.Prompt(id: id, question: question, kind: kind, profileName: profileName)))
    }
  }

  func ask(_ question: String, isSecret: Bool, profileName: String?) async throws -> String {
    guard case .text(let text) = try await request(question, kind: .text(isSecret: isSecret), profileName: profileName)
    else { throw PromptCancelled() }
    return text
  }

  func choose(_ question: String, from options: [String], profileName: String?) async throws -> Int {
    guard !options.isEmpty else {
      throw InvalidAnswer(message: "nothing to choose from for \"\(question.trimmingPrompt())\"")
    }
    guard case .choice(let index) = try await request(question, kind: .choice(options), profileName: profileName),
      options.indices.contains(index)
    else { throw PromptCancelled() }
    return index
  }

  func showing<Value: Sendable>(
    _ notice: String, profileName: String?, deadline: Date? = nil,
    while work: @escaping @Sendable () async throws -> Value
  ) async throws -> Value {
    let id = nextID()
    let task = Task { try await work() }
    state.withLock { $0.notices[id] = { task.cancel() } }
    var prompt = AppState.Prompt(id: id, question: notice, kind: .notice, profileName: profileName)
    prompt.deadline = deadline
    inbox.post(.promptRequested(prompt))
    defer {
      state.withLock { waiting in
        waiting.notices[id] = nil
        waiting.cancelledNotices.remove(id)
      }
      inbox.post(.promptDismissed(id: id))
    }
    do {
      return try await withTaskCancellationHandler {
        try await task.value
      } onCancel: {
        task.cancel()
      }
    } catch {
      if state.withLock({ $0.cancelledNotices.contains(id) }) { throw PromptCancelled() }
      throw error
    }
  }

  /// Gives the answer to prompt `id`.
  public func answer(_ id: Int, with text: String) {
    state.withLock { $0.continuations.removeValue(forKey: id) }?.resume(returning: .text(text))
  }

  /// Answers choice `id` with option `index`.
  public func choose(_ id: Int, index: Int) {
    state.withLock { $0.continuations.removeValue(forKey: id) }?.resume(returning: .choice(index))
  }

  /// Cancels prompt `id`: a question's caller sees ``PromptCancelled``, a notice's work is cancelled.
  public func cancel(_ id: Int) {
    let (continuation, cancelWork) = state.withLock { waiting in
      if waiting.notices[id] != nil { waiting.cancelledNotices.insert(id) }
      return (waiting.continuations.removeValue(forKey: id), waiting.notices[id])
    }
    continuation?.resume(throwing: PromptCancelled())
    cancelWork?()
  }

  /// Cancels every waiting prompt and notice (on quit).
  public func cancelAll() {
    let (continuations, notices) = state.withLock { waiting in
      defer {
        waiting.continuations.removeAll()
        waiting.cancelledNotices.formUnion(waiting.notices.keys)
      }
      return (Array(waiting.continuations.values), Array(waiting.notices.values))
    }
    for continuation in continuations { continuation.resume(throwing: PromptCancelled()) }
    for cancelWork in notices { cancelWork() }
  }
}

/// The user pressed Esc on a prompt.
public struct PromptCancelled: UserFacingError, Sendable {
  /// Says so.
  public var message: String { "cancelled at the prompt" }
  /// No hint.
  public var hint: String? { nil }
}

/// The TUI's ``Prompter``: modals inside the interface; a notice can count down to a deadline.
struct ModalPrompter: CountdownPrompter {
  let broker: PromptBroker
  let profileName: String?

  func ask(_ question: String, isSecret: Bool) async throws -> String {
    try await broker.ask(question, isSecret: isSecret, profileName: profileName)
  }

  func choose(_ question: String, from options: [String]) async throws -> Int {
    try await broker.choose(question, from: options, profileName: profileName)
  }

  func showing<Value: Sendable>(
    _ notice: String, while work: @escaping @Sendable () async throws -> Value
  ) async throws -> Value {
    try await broker.showing(notice, profileName: profileName, while: work)
  }

  func showing<Value: Sendable>(
    _ notice: String, until deadline: Date, while work: @escaping @Sendable () async throws -> Value
  ) async throws -> Value {
    try await broker.showing(notice, profileName: profileName, deadline: deadline, while: work)
  }
}
