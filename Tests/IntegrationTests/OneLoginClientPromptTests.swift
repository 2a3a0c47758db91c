import Foundation
import Logging
import TestSupport
import Testing

@testable import RunAsCore

/// ``OneLoginClient`` driven directly against the emulator, where the prompts matter (the
/// ``ScriptedPrompter`` of the Okta tests answers them).
@Suite("OneLogin client prompts", .serialized)
struct OneLoginClientPromptTests {
  private func client(
    _ onelogin: OneLoginEmulator, _ prompter: some Prompter, username: String = "bob", mfaType: String = "auto"
  ) throws -> any IdentityProviderClient {
    let url = onelogin.samlURL()
    let context = IdentityProviderContext(
      url: url, session: try IdentityProviderSession(),
      credentials: IdentityProviderCredentials(
        username: username, password: "\(username)-password", prompter: prompter, url: url),
      mfaType: mfaType, presetMFACode: nil, prompter: prompter, logger: Logger(label: "test"))
    return OneLoginClient.kind.makeClient(context)
  }

  @Test func severalDevicesAreOfferedPushFirstAndTheChosenCodeIsAskedAgainWhenWrong() async throws {
    let onelogin = try await OneLoginEmulator()
    let code = try await onelogin.otp(username: "bob")
    let prompter = ScriptedPrompter(answers: ["000000", code], choice: 1)
    let assertion = try await client(onelogin, prompter).samlResponse()
    #expect(!assertion.isEmpty)
    #expect(
      prompter.asked == [
        "OneLogin MFA device: OneLogin Protect push | Google Authenticator code",
        "Google Authenticator MFA token code: ",
        "OneLogin rejected the code, try again. Google Authenticator MFA token code: ",
      ])
    let verified = try await onelogin.requests().filter { $0.route == "VerifyFactor" }.map(\.status)
    #expect(verified == [401, 200])
  }

  @Test func aThirdRejectedCodeEndsTheSignIn() async throws {
    let onelogin = try await OneLoginEmulator()
    let prompter = ScriptedPrompter(answers: ["000000", "111111", "222222", "333333"])
    await #expect {
      _ = try await client(onelogin, prompter, mfaType: "code").samlResponse()
    } throws: { error in
      (error as? IdentityProviderError)?.message.contains("rejected the MFA code") == true
    }
    #expect(try await onelogin.requests().filter { $0.route == "VerifyFactor" }.map(\.status) == [401, 401, 401])
  }

  /// `mfa_type` code offers Protect's own code next to the authenticator's.
  @Test func mfaTypeCodeOffersOneLoginProtectsCodeToo() async throws {
    let onelogin = try await OneLoginEmulator()
    let code = try await onelogin.otp(username: "bob", deviceType: "OneLogin Protect")
    let prompter = ScriptedPrompter(answers: [code], choice: 0)
    _ = try await client(onelogin, prompter, mfaType: "code").samlResponse()
    #expect(
      prompter.asked == [
        "OneLogin MFA device: OneLogin Protect code | Google Authenticator code", "OneLogin Protect MFA token code: ",
      ])
  }

  @Test func mfaTypePushNeedsNoChoiceAndCancellingTheNoticeStopsThePolling() async throws {
    let onelogin = try await OneLoginEmulator()
    try await onelogin.setFaults(OneLoginEmulator.Faults(pushResult: "wait"))
    let prompter = ScriptedPrompter(cancelsNotices: true)
    await #expect(throws: CancellationError.self) {
      _ = try await client(onelogin, prompter, mfaType: "push").samlResponse()
    }
    #expect(prompter.asked == ["Waiting for Push MFA: approve the OneLogin Protect push on your device"])
    // The push was sent; no poll followed the cancellation.
    let verified = try await onelogin.requests().filter { $0.route == "VerifyFactor" }
    #expect(verified.map(\.doNotNotify) == [false])
  }

  /// SMS and Email: the first call has OneLogin send the code, the second carries it.
  @Test func anSMSDeviceHasTheCodeSentBeforeAskingForIt() async throws {
    let onelogin = try await OneLoginEmulator(users: [
      .init(
        username: "carol", password: "carol-password",
        devices: [.init(deviceId: 9001, deviceType: "OneLogin SMS", code: "424242")],
        roles: ["\(SingleSignOnScenario.admin),arn:aws:iam::123456789012:saml-provider/onelogin"])
    ])
    let prompter = ScriptedPrompter(answers: ["424242"])
    _ = try await client(onelogin, prompter, username: "carol").samlResponse()
    #expect(prompter.asked == ["OneLogin SMS MFA token code: "])
    let verified = try await onelogin.requests().filter { $0.route == "VerifyFactor" }
    #expect(verified.map(\.form.count) == [4, 5])
    #expect(verified.last?.form.contains("otp_token") == true)
  }

  @Test func withoutATerminalAnMFACodeIsOneClearError() async throws {
    let onelogin = try await OneLoginEmulator()
    await #expect {
      _ = try await client(onelogin, NoPrompter(), mfaType: "code").samlResponse()
    } throws: { error in
      (error as? PromptUnavailable)?.message.contains("asks for an MFA code but there is no terminal") == true
    }
  }
}
