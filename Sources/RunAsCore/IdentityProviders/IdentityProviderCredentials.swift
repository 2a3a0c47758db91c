/// The username and password an identity-provider sign-in uses, asked for only when the provider
/// wants them (spec §6.2).
///
/// Username: the profile's `saml_username` / `web_identity_username` (which already carry `-U` and
/// `RUNAS_USERNAME`), else asked. Password: what ``IdentityProviderPassword`` finds (`-P`, the
/// environment, the credentials file section named by the URL, where `aws-runas password` stores
/// it obfuscated), else asked without echo.
package struct IdentityProviderCredentials: Sendable {
  /// The configured username, if any.
  package var username: String?
  /// Where a missing username or password is asked for.
  package var prompter: any Prompter
  /// The provider's URL, for messages.
  package var url: String
  /// Finds the password without asking; `nil` when nothing has one.
  private let findPassword: @Sendable () async throws -> String?

  /// Creates credentials whose password, if any, is `password`.
  package init(username: String?, password: String?, prompter: any Prompter, url: String) {
    let password = password.flatMap { $0.isEmpty ? nil : $0 }
    self.init(username: username, prompter: prompter, url: url, findPassword: { password })
  }

  /// Creates credentials whose password `findPassword` looks up when the provider asks for it
  /// (decoding a stored one runs scrypt: only then).
  package init(
    username: String?, prompter: any Prompter, url: String,
    findPassword: @escaping @Sendable () async throws -> String?
  ) {
    self.username = username.flatMap { $0.isEmpty ? nil : $0 }
    self.prompter = prompter
    self.url = url
    self.findPassword = findPassword
  }

  /// The credentials of `profile`'s sign-in at `url`.
  ///
  /// - Parameters:
  ///   - isSAML: SAML (else OIDC): chooses the username key, the password variables and key.
  ///   - passwordFlag: The `-P` value.
  ///   - credentialsFile: The credentials file, for a stored password.
  package static func forProfile(
    _ profile: ResolvedProfile, url: String, isSAML: Bool, passwordFlag: String?, environment: [String: String],
    credentialsFile: INIFile?, prompter: any Prompter
  ) -> IdentityProviderCredentials {
    let settings = profile.settings
    let username = isSAML ? settings.samlUsername?.value : settings.webIdentityUsername?.value
    let kind: IdentityProviderPassword.Kind = isSAML ? .saml : .webIdentity
    return IdentityProviderCredentials(username: username, prompter: prompter, url: url) {
      if let credentialsFile {
        return try await IdentityProviderPassword.find(
          for: url, kind: kind, flag: passwordFlag, environment: environment, in: credentialsFile)?.value
      }
      return IdentityProviderPassword.supplied(kind: kind, flag: passwordFlag, environment: environment)?.value
    }
  }

  /// The username, asked (`Username: `) when none is configured.
  package func resolvedUsername() async throws -> String {
    if let username { return username }
    let answer = try await ask("Username: ", isSecret: false, what: "a username", how: "set saml_username, or pass -U")
    return answer
  }

  /// The password, asked without echo (`Password: `) when none was given.
  package func resolvedPassword() async throws -> String {
    if let password = try await findPassword(), !password.isEmpty { return password }
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
