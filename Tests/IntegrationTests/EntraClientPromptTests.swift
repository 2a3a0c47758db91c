import Foundation
import Logging
import TestSupport
import Testing

@testable import RunAsCore

/// ``EntraIDClient`` driven directly against the emulator, where the prompts matter.
@Suite("Entra ID client prompts", .serialized)
struct EntraClientPromptTests {
  private func client(
    _ entra: EntraEmulator, _ prompter: any Prompter, mfaType: String = "auto", presetCode: String? = nil
  ) throws -> any IdentityProviderClient {
    let url = entra.userAccessURL()
    let context = IdentityProviderContext(
      url: url, session: try IdentityProviderSession(),
      credentials: IdentityProviderCredentials(
        username: "bob@example.com", password: "bob-password", prompter: prompter, url: url),
      mfaType: mfaType, presetMFACode: presetCode, prompter: prompter, logger: Logger(label: "test"))
    return EntraIDClient.kind.makeClient(context)
  }

  @Test func severalMethodsAreOfferedDefaultFirstAndAWrongCodeIsAskedAgain() async throws {
    // A fixed code: a TOTP code read now may be stale by the time a loaded machine sends it.
    let entra = try await EntraEmulator(users: [
      .init(
        username: "bob@example.com", password: "bob-password",
        methods: [
          .init(type: "PhoneAppNotification", display: "Bob's phone", default: true),
          .init(type: "PhoneAppOTP", display: "Bob's phone", code: "135790"),
        ])
    ])
    let prompter = ScriptedPrompter(answers: ["000000", "135790"], choice: 1)
    let assertion = try await client(entra, prompter).samlResponse()
    #expect(!assertion.isEmpty)
    #expect(
      prompter.asked == [
        "Entra ID MFA method: Microsoft Authenticator notification (Bob's phone), default | "
          + "Authenticator app code (Bob's phone)",
        "MFA token code: ", "Entra ID rejected the code, try again. MFA token code: ",
      ])
    let requests = try await entra.requests()
    #expect(requests.filter { $0.route == "BeginAuth" }.count == 1)
    #expect(requests.filter { $0.route == "EndAuth" }.count == 2)
  }

  @Test func theDefaultIsListedFirstWhereverThePageHasIt() async throws {
    let entra = try await EntraEmulator(users: [
      .init(
        username: "bob@example.com", password: "bob-password",
        methods: [
          .init(type: "OneWaySMS", display: "+X XXXXXXXX42", code: "424242"),
          .init(type: "PhoneAppOTP", display: "Work phone", default: true, code: "135790"),
          .init(type: "TwoWayVoiceMobile", display: "+X XXXXXXXX42"),
        ])
    ])
    let prompter = ScriptedPrompter(answers: ["424242"], choice: 1)
    _ = try await client(entra, prompter, mfaType: "code").samlResponse()
    // A phone call is not offered: aws-runas cannot answer it.
    #expect(
      prompter.asked == [
        "Entra ID MFA method: Authenticator app code (Work phone), default | text message code to +X XXXXXXXX42",
        "MFA token code: ",
      ])
  }

  @Test func aCodeGivenUpFrontPicksACodeMethodWithoutAsking() async throws {
    let entra = try await EntraEmulator()
    let code = try await entra.otp(username: "bob@example.com")
    let prompter = ScriptedPrompter()
    _ = try await client(entra, prompter, presetCode: code).samlResponse()
    #expect(prompter.asked.isEmpty)
  }

  @Test func cancellingThePushNoticeStopsThePollingAndStartsNoSession() async throws {
    let entra = try await EntraEmulator()
    try await entra.setFaults(EntraEmulator.Faults(pushResult: "wait"))
    let prompter = ScriptedPrompter(cancelsNotices: true)
    await #expect(throws: CancellationError.self) {
      _ = try await client(entra, prompter, mfaType: "push").samlResponse()
    }
    #expect(
      prompter.asked == [
        "Waiting for Push MFA: approve the sign-in request in Microsoft Authenticator on your device"
      ])
    // The push was sent; no poll followed the cancellation, and the sign-in went no further.
    let routes = try await entra.routes()
    #expect(routes.filter { $0 == "BeginAuth" }.count == 1, "\(routes)")
    #expect(!routes.contains("EndAuth") && !routes.contains("ProcessAuth") && !routes.contains("Kmsi"), "\(routes)")
  }

  @Test func numberMatchingShowsTheNumberToEnter() async throws {
    let entra = try await EntraEmulator()
    try await entra.setFaults(EntraEmulator.Faults(pushEntropy: 42, pollInterval: 0.5))
    let prompter = ScriptedPrompter()
    _ = try await client(entra, prompter, mfaType: "push").samlResponse()
    #expect(
      prompter.asked == [
        "Waiting for Push MFA: approve the sign-in request in Microsoft Authenticator on your device, "
          + "entering the number 42"
      ])
  }
}
