import Foundation
import Logging
import Synchronization
import TestSupport
import Testing

@testable import RunAsCore

/// A prompter that answers from a script and records what it was asked.
final class ScriptedPrompter: Prompter {
  private let state: Mutex<(answers: [String], choice: Int, asked: [String])>
  /// Whether `showing` cancels its work at once, as the user pressing Ctrl-C or Esc.
  let cancelsNotices: Bool

  init(answers: [String] = [], choice: Int = 0, cancelsNotices: Bool = false) {
    state = Mutex((answers, choice, []))
    self.cancelsNotices = cancelsNotices
  }

  /// Every question, choice and notice, in order.
  var asked: [String] { state.withLock { $0.asked } }

  func ask(_ question: String, isSecret: Bool) async throws -> String {
    try state.withLock { state in
      state.asked.append(question)
      guard !state.answers.isEmpty else { throw PromptUnavailable(message: "no scripted answer for \(question)") }
      return state.answers.removeFirst()
    }
  }

  func choose(_ question: String, from options: [String]) async throws -> Int {
    state.withLock { state in
      state.asked.append(question + options.joined(separator: " | "))
      return state.choice
    }
  }

  func showing<Value: Sendable>(
    _ notice: String, while work: @escaping @Sendable () async throws -> Value
  ) async throws -> Value {
    state.withLock { $0.asked.append(notice) }
    let task = Task { try await work() }
    if cancelsNotices { task.cancel() }
    return try await task.value
  }
}

/// ``OktaClient`` driven directly against the emulator, where the prompts matter.
@Suite("Okta client prompts", .serialized)
struct OktaClientPromptTests {
  private func client(
    _ okta: OktaEmulator, _ prompter: ScriptedPrompter, mfaType: String = "auto", username: String = "bob"
  ) throws -> any IdentityProviderClient {
    let context = IdentityProviderContext(
      url: okta.samlURL(), session: try IdentityProviderSession(),
      credentials: IdentityProviderCredentials(
        username: username, password: username + "-password", prompter: prompter, url: okta.samlURL()),
      mfaType: mfaType, presetMFACode: nil, prompter: prompter, logger: Logger(label: "test"))
    return OktaClient.kind.makeClient(context)
  }

  @Test func severalFactorsAreOfferedPushFirstAndTheChosenCodeIsAskedAgainWhenWrong() async throws {
    let okta = try await OktaEmulator()
    let code = try await okta.otp(username: "bob")
    let prompter = ScriptedPrompter(answers: ["000000", code], choice: 1)
    let assertion = try await client(okta, prompter).samlResponse()
    #expect(!assertion.isEmpty)
    #expect(
      prompter.asked == [
        "Okta MFA factor: Okta Verify push | TOTP code (Okta Verify)", "MFA token code: ",
        "Okta rejected the code, try again. MFA token code: ",
      ])
    let verified = try await okta.requests().filter { $0.route == "Verify" }.map(\.status)
    #expect(verified == [403, 200])
  }

  @Test func mfaTypePushNeedsNoChoiceAndCancellingTheNoticeStopsThePolling() async throws {
    let okta = try await OktaEmulator()
    try await okta.setFaults(OktaEmulator.Faults(pushResult: "wait"))
    let prompter = ScriptedPrompter(cancelsNotices: true)
    await #expect(throws: CancellationError.self) {
      _ = try await client(okta, prompter, mfaType: "push").samlResponse()
    }
    #expect(prompter.asked == ["Waiting for Push MFA: approve the Okta Verify push on your device"])
    // The push was sent; no poll followed the cancellation, and no session was made.
    let routes = try await okta.requests().map(\.route)
    #expect(routes.filter { $0 == "Verify" }.count == 1, "\(routes)")
    #expect(routes.filter { $0 == "AppEmbed" }.count == 1, "\(routes)")
  }

  @Test func anSMSCodeIsSentFirstThenAsked() async throws {
    let okta = try await OktaEmulator(users: [
      .init(
        username: "carol", password: "carol-password",
        factors: [.init(id: "smscarol", type: "sms", code: "424242"), .init(id: "clfcarol", type: "call", code: "1")],
        roles: [SingleSignOnScenario.admin + ",arn:aws:iam::123456789012:saml-provider/okta"])
    ])
    let prompter = ScriptedPrompter(answers: ["424242"], choice: 0)
    let assertion = try await client(okta, prompter, username: "carol").samlResponse()
    #expect(!assertion.isEmpty)
    #expect(prompter.asked == ["Okta MFA factor: SMS code | voice call code", "SMS MFA token code: "])
    let verified = try await okta.requests().filter { $0.route == "Verify" }
    // The first verify (no code) sent the SMS; the second carried the code.
    #expect(verified.map(\.form) == [["stateToken"], ["passCode", "stateToken"]])
    #expect(verified.allSatisfy { $0.path == "/api/v1/authn/factors/smscarol/verify" })
  }

  @Test func aNumberChallengeShowsTheNumberToPickWhileThePushWaits() async throws {
    let okta = try await OktaEmulator()
    try await okta.setFaults(OktaEmulator.Faults(pushResult: "approve", pushPolls: 1, pushCorrectAnswer: 42))
    let prompter = ScriptedPrompter()
    let assertion = try await client(okta, prompter, mfaType: "push").samlResponse()
    #expect(!assertion.isEmpty)
    #expect(prompter.asked == ["Waiting for Push MFA: approve the Okta Verify push on your device and choose 42"])
  }
}
