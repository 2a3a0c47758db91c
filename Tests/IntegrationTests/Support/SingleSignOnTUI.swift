import Foundation

extension TUISession {
  /// The start of every identity provider's TUI test: the TUI in `sandbox` (STS at
  /// `stsEndpoint`), `profile` picked with the filter, its details open until they say
  /// `IdP <provider>: not signed in`, `r` pressed and the password modal answered with `password`.
  static func signingIn(
    profile: String, provider: String, password: String, sandbox: Sandbox, stsEndpoint: String
  ) async throws -> TUISession {
    var environment = sandbox.environment(endpoint: stsEndpoint)
    environment["TERM"] = "xterm-256color"
    environment["SHELL"] = "/bin/sh"
    let session = try await TUISession(environment: environment, directory: sandbox.home.path, columns: 120, rows: 30)
    try await session.openDetails(of: profile)
    try await session.waitFor("IdP \(provider): not signed in")
    try await session.send("r")
    try await session.waitFor("Password")
    try await session.send(password, literal: true)
    try await session.send("Enter")
    return session
  }
}
