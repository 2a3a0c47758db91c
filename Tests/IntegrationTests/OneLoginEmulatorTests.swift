import Foundation
import TestSupport
import Testing

/// The OneLogin emulator itself, checked by real consumers before aws-runas relies on it.
@Suite("OneLogin emulator")
struct OneLoginEmulatorTests {
  /// `onelogin_emulator_selftest.py`: the access token in each client-auth form, signxml and
  /// xmlsec1 verify the SAML signatures, moto's AssumeRoleWithSAML and AssumeRoleWithWebIdentity
  /// take the assertion and the id_token, authlib validates the id_token against the JWKS, and the
  /// MFA devices, sign-in errors and faults answer as documented.
  @Test func realConsumersAcceptWhatTheEmulatorIssues() async throws {
    let sts = try await STSEmulator.shared
    let onelogin = try await OneLoginEmulator()
    let result = try await PythonEmulator.selfTest(
      "onelogin_emulator_selftest.py", url: onelogin.endpoint, stsURL: sts.endpoint)
    #expect(result.exitCode == 0, "\(result.output())\n--- emulator\n\(onelogin.log())")
    #expect(result.stdout.contains(" passed, 0 failed"), "\(result.output())")
    await onelogin.stop()
  }
}
