import Foundation
import Logging
import Testing

@testable import RunAsCore

/// ``ForgeRockClient`` driven directly against the emulator, where the prompts matter.
@Suite("ForgeRock client prompts", .serialized)
struct ForgeRockClientPromptTests {
  private func client(
    _ forgerock: ForgeRockEmulator, _ prompter: any Prompter, username: String = "bob",
    password: String = "bob-password", mfaType: String = "auto"
  ) throws -> any IdentityProviderClient {
    let url = forgerock.realmURL()
    let context = IdentityProviderContext(
      url: url, session: try IdentityProviderSession(),
      credentials: IdentityProviderCredentials(username: username, password: password, prompter: prompter, url: url),
      mfaType: mfaType, presetMFACode: nil, prompter: prompter, logger: Logger(label: "test"))
    return ForgeRockClient.kind.makeClient(context)
  }

  @Test func theFactorChoiceOffersPushFirstAndARejectedCodeRestartsTheJourneyWithTheSameFactor() async throws {
    let forgerock = try await ForgeRockEmulator()
    let code = try await forgerock.otp(username: "bob")
    let prompter = ScriptedPrompter(answers: ["000000", code], choice: 1)
    let assertion = try await client(forgerock, prompter).samlResponse()
    #expect(!assertion.isEmpty)
    #expect(
      prompter.asked == [
        "ForgeRock MFA factor: ForgeRock Authenticator (Push) | ForgeRock Authenticator (OATH)", "MFA token code: ",
        "ForgeRock rejected the code, try again. MFA token code: ",
      ])
    let steps = try await forgerock.requests().filter { $0.route == "Authenticate" }
    // Each journey: start, credentials, choice, code; AM failed the first code (401).
    #expect(steps.map(\.status) == [200, 200, 200, 401, 200, 200, 200, 200])
  }

  @Test func aJourneyAskingTheCodeWithANameCallbackGetsTheCode() async throws {
    let forgerock = try await ForgeRockEmulator()
    try await forgerock.configure(
      [.init(username: "carol", password: "carol-password", factors: [.init(type: "oath", code: "424242")])],
      oathCallback: "NameCallback")
    let prompter = ScriptedPrompter(answers: ["424242"])
    let assertion = try await client(forgerock, prompter, username: "carol", password: "carol-password")
      .samlResponse()
    #expect(!assertion.isEmpty)
    #expect(prompter.asked == ["MFA token code: "])
    let posted = try await forgerock.requests().filter { $0.route == "Authenticate" }.map(\.callbacks)
    #expect(posted.last == ["NameCallback", "ConfirmationCallback"])
  }

  @Test func withoutATerminalTheFirstFactorPushIsUsed() async throws {
    let forgerock = try await ForgeRockEmulator()
    try await forgerock.setFaults(.init(pushResult: "approve", pushPolls: 0, pushWaitMs: 200))
    let assertion = try await client(forgerock, NoPrompter()).samlResponse()
    #expect(!assertion.isEmpty)
    let polls = try await forgerock.requests().filter { $0.callbacks.contains("PollingWaitCallback") }
    #expect(polls.count == 1)
  }

  @Test func cancellingThePushNoticeStopsThePollingAndLeavesNoSession() async throws {
    let forgerock = try await ForgeRockEmulator()
    try await forgerock.setFaults(.init(pushResult: "wait"))
    let prompter = ScriptedPrompter(cancelsNotices: true)
    await #expect(throws: CancellationError.self) {
      _ = try await client(forgerock, prompter, mfaType: "push").samlResponse()
    }
    #expect(prompter.asked == ["Waiting for Push MFA: approve the ForgeRock Authenticator push on your device"])
    // No poll followed the cancellation, and AM made no session.
    let routes = try await forgerock.requests().map(\.route)
    #expect(routes == ["SamlInit", "Authenticate", "Authenticate", "Authenticate"], "\(routes)")
    #expect(try await forgerock.sessionUsers().isEmpty)
  }

  @Test func mfaTypeNoneRefusesAJourneyThatAsksForMFA() async throws {
    let forgerock = try await ForgeRockEmulator()
    let error = await #expect(throws: IdentityProviderError.self) {
      _ = try await client(forgerock, ScriptedPrompter(), mfaType: "none").samlResponse()
    }
    #expect(
      error?.message.hasSuffix("asks for an MFA factor, but mfa_type is none") == true, "\(String(describing: error))")
  }

  @Test func aCallbackTheClientDoesNotKnowIsAClearError() async throws {
    let forgerock = try await ForgeRockEmulator()
    try await forgerock.setFaults(.init(extraCallback: "DeviceProfileCallback"))
    let error = await #expect(throws: IdentityProviderError.self) {
      _ = try await client(forgerock, ScriptedPrompter(), username: "alice", password: "alice-password").samlResponse()
    }
    #expect(error?.message.contains("asks for a DeviceProfileCallback") == true, "\(String(describing: error))")
    #expect(try await forgerock.sessionUsers().isEmpty)
  }
}
