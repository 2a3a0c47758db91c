import Foundation
import TestSupport

/// What every identity provider's CLI test world has: the shared STS emulator and a sandbox HOME.
/// It runs `aws-runas` the way those tests do, with the IdP password in the environment.
protocol IdentityProviderScenario {
  var sts: STSEmulator { get }
  var sandbox: Sandbox { get }
}

extension IdentityProviderScenario {
  /// The sandbox's environment (STS at the emulator) with `password` in `SAML_PASSWORD` and
  /// `WEB_IDENTITY_PASSWORD` (none when nil), then `extra`.
  func environment(password: String? = "alice-password", _ extra: [String: String] = [:]) -> [String: String] {
    var environment = sandbox.environment(endpoint: sts.endpoint)
    environment["SAML_PASSWORD"] = password
    environment["WEB_IDENTITY_PASSWORD"] = password
    return environment.merging(extra) { $1 }
  }

  /// Runs `aws-runas` without a terminal (`setsid`).
  func runAs(
    _ arguments: [String], password: String? = "alice-password", _ extra: [String: String] = [:]
  ) async throws -> ProcessResult {
    try await run(
      "/usr/bin/setsid", ["-w", runAsBinary()] + arguments, environment: environment(password: password, extra))
  }

  /// The credential caches in `~/.aws`: everything aws-runas keeps there but the cookie jar and locks.
  func cachedCredentials() throws -> Set<String> {
    Set(
      try FileManager.default.contentsOfDirectory(atPath: sandbox.path(".aws")).filter {
        $0.hasPrefix(".aws_") && !$0.hasSuffix(".lock") && $0 != ".aws_runas.cookies"
      })
  }
}
