/// The username and password an identity-provider sign-in uses, asked for only when the provider
/// wants them (spec §6.2).
///
/// Username: the profile's `saml_username` / `web_identity_username` (which already carry `-U` and
/// `RUNAS_USERNAME`), else asked. Password: `-P`, else the environment (`SAML_PASSWORD` for SAML;
/// `WEB_IDENTITY_PASSWORD`, then the Go tool's `WEB_PASSWORD`, for OIDC; then `RUNAS_PASSWORD`),
/// else asked without echo.
///
/// This is the one place the password is looked up; the stored (credentials-file) password of
/// `aws-runas password` plugs in here, between the environment and the prompt.
package struct IdentityProviderCredentials: Sendable {
  /// The configured username, if any.
  package var username: String?
  /// The password from a flag or the environment, if any.
  package var password: String?
  /// Where a missing username or password is asked for.
  package var prompter: any Prompter
  /// The provider's URL, for messages.
  package var url: String

  /// Creates the credentials.
  package init(username: String?, password: String?, prompter: any Prompter, url: String) {
    self.username = username.flatMap { $0.isEmpty ? nil : $0 }
    self.password = password.flatMap { $0.isEmpty ? nil : $0 }
    self.prompter = prompter
    self.url = url
  }

  /// The credentials of `profile`'s sign-in at `url`.
  ///
  /// - Parameters:
  ///   - isSAML: SAML (else OIDC): chooses the username key and the password variables.
  ///   - passwordFlag: The `-P` value.
  package static func forProfile(
    _ profile: ResolvedProfile, url: String, isSAML: Bool, passwordFlag: String?, environment: [String: String],
    prompter: any Prompter
  ) -> IdentityProviderCredentials {
    let settings = profile.settings
    let username = isSAML ? settings.samlUsername?.value : settings.webIdentityUsername?.value
    let variables =
      isSAML ? ["SAML_PASSWORD", "RUNAS_PASSWORD"] : ["WEB_IDENTITY_PASSWORD", "WEB_PASSWORD", "RUNAS_PASSWORD"]
    let password =
      passwordFlag.flatMap { $0.isEmpty ? nil : $0 }
      ?? variables.lazy.compactMap { environment[$0].flatMap { $0.isEmpty ? nil : $0 } }.first
    return IdentityProviderCredentials(username: username, password: password, prompter: prompter, url: url)
  }

  /// The username, asked (`Username: `) when none is configured.
  package func resolvedUsername() async throws -> String {
    if let username { return username }
    let answer = try await ask("Username: ", isSecret: false, what: "a username", how: "set saml_username, or pass -U")
    return answer
  }

  /// The password, asked without echo (`Password: `) when none was given.
  package func resolvedPassword() async throws -> String {
    if let password { return password }
    return try await ask(
      "Password: ", isSecret: true, what: "a password",
      how: "pass -P, or set SAML_PASSWORD / WEB_IDENTITY_PASSWORD")
  }

  private func ask(_ question: String, isSecret: Bool, what: String, how: String) async throws -> String {
    do {
      let answer = try await prompter.ask(question, isSecret: isSecret)
      guard !answer.isEmpty else {
        throw IdentityProviderError(message: "no \(what.dropFirst(2)) entered for \(URLReference.redacted(url))")
      }
      return answer
    } catch let unavailable as PromptUnavailable {
      throw PromptUnavailable(
        message: "\(URLReference.redacted(url)) needs \(what) but there is no terminal to ask on",
        hint: unavailable.hint ?? how)
    }
  }
}
