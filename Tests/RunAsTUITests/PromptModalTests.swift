import Foundation
import RunAsCore
import Synchronization
import Testing

@testable import RunAsTUI

/// The engine's questions as modals: text, a choice among options, and a cancellable notice.
@Suite("Prompt modals")
struct PromptModalTests {
  static func state(with prompt: AppState.Prompt) -> AppState {
    var state = Fixtures.state()
    _ = Reducer.reduce(&state, .promptRequested(prompt))
    return state
  }

  static let factors = AppState.Prompt(
    id: 7, question: "Choose an MFA factor: ", kind: .choice(["push (phone)", "code (app)", "sms"]), profileName: "prod"
  )

  @Test func choiceMovesWithJKAndChoosesWithEnter() {
    var state = Self.state(with: Self.factors)
    #expect(Fixtures.press([.character("j"), .down, .down, .character("k")], &state).isEmpty)
    #expect(state.prompts.first?.selection == 1)
    #expect(Fixtures.press([.enter], &state) == [.choosePrompt(id: 7, index: 1)])
    #expect(state.prompts.isEmpty)
  }

  @Test func choiceDigitsPickAtOnceAndOutOfRangeDigitsDoNothing() {
    var state = Self.state(with: Self.factors)
    #expect(Fixtures.press([.character("9")], &state).isEmpty)
    #expect(Fixtures.press([.character("3")], &state) == [.choosePrompt(id: 7, index: 2)])
  }

  @Test func choiceRendersEveryOptionNumberedWithTheSelection() {
    var state = Self.state(with: Self.factors)
    _ = Fixtures.press([.down], &state)
    let screen = Renderer.render(state).text
    #expect(screen.contains("input needed: prod"))
    #expect(screen.contains("Choose an MFA factor"))
    #expect(screen.contains("  1) push (phone)"))
    #expect(screen.contains("▸ 2) code (app)"))
    #expect(screen.contains("  3) sms"))
  }

  @Test func noticeIgnoresTypingAndEscCancelsIt() {
    let notice = AppState.Prompt(
      id: 9, question: "Approve the sign-in on your phone", kind: .notice, profileName: "prod")
    var state = Self.state(with: notice)
    #expect(Fixtures.press([.character("x"), .enter], &state).isEmpty)
    #expect(Renderer.render(state).text.contains("Approve the sign-in on your phone"))
    #expect(Fixtures.press([.escape], &state) == [.cancelPrompt(id: 9)])
    #expect(state.prompts.isEmpty)
  }

  @Test func aDismissedNoticeLeavesTheScreen() {
    var state = Self.state(with: AppState.Prompt(id: 3, question: "waiting", kind: .notice, profileName: nil))
    _ = Reducer.reduce(&state, .promptDismissed(id: 3))
    #expect(state.prompts.isEmpty)
  }

  @Test func secretTextIsMasked() {
    var state = Self.state(with: AppState.Prompt(id: 1, question: "Password: ", isSecret: true, profileName: nil))
    _ = Fixtures.type("hunter2", &state)
    let screen = Renderer.render(state).text
    #expect(screen.contains("Password: •••••••"))
    #expect(!screen.contains("hunter2"))
  }
}

/// The broker between the engine's prompter calls and the UI loop's events.
@Suite("Prompt broker")
struct PromptBrokerTests {
  /// The prompts posted to `inbox` so far.
  static func posted(_ inbox: EventInbox) -> [AppState.Prompt] {
    inbox.drain().compactMap { if case .promptRequested(let prompt) = $0 { prompt } else { nil } }
  }

  /// Waits (without blocking a thread) until `inbox` has a prompt, and returns it.
  static func nextPrompt(_ inbox: EventInbox) async throws -> AppState.Prompt {
    for _ in 0..<6000 {
      if let prompt = posted(inbox).first { return prompt }
      try await Task.sleep(for: .milliseconds(10))
    }
    throw CancellationError()
  }

  @Test func aChoiceReturnsThePickedIndex() async throws {
    let inbox = try EventInbox()
    let broker = PromptBroker(inbox: inbox)
    let prompter = broker.prompter(for: "prod")
    async let picked = prompter.choose("Role: ", from: ["admin", "audit"])
    let prompt = try await Self.nextPrompt(inbox)
    #expect(prompt.kind == .choice(["admin", "audit"]))
    broker.choose(prompt.id, index: 1)
    #expect(try await picked == 1)
  }

  @Test func aNoticeLastsAsLongAsItsWork() async throws {
    let inbox = try EventInbox()
    let broker = PromptBroker(inbox: inbox)
    let value = try await broker.prompter(for: nil).showing("Enter code ABCD-EFGH") { 42 }
    #expect(value == 42)
    let events = inbox.drain()
    #expect(events.contains { if case .promptDismissed = $0 { true } else { false } })
  }

  @Test func cancellingANoticeCancelsItsWork() async throws {
    let inbox = try EventInbox()
    let broker = PromptBroker(inbox: inbox)
    let sawCancellation = Mutex(false)
    let outcome = Task {
      try await broker.prompter(for: nil).showing("Approve on your phone") {
        do {
          try await Task.sleep(for: .seconds(600))
        } catch {
          sawCancellation.withLock { $0 = true }
          throw error
        }
        return 1
      }
    }
    let prompt = try await Self.nextPrompt(inbox)
    broker.cancel(prompt.id)
    await #expect(throws: PromptCancelled.self) { try await outcome.value }
    #expect(sawCancellation.withLock { $0 })
  }
}
