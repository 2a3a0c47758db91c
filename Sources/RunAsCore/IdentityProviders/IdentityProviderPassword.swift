/// The password for a SAML or OIDC identity provider, from wherever the user gave it, and the
/// credentials-file entry the `password` command writes (spec §6.6, §2.2).
///
/// Every login asks ``resolve(for:kind:flag:environment:credentialsFile:prompter:)``; the first
/// of these that has a non-empty value wins:
/// 1. the `-P` / `--password` flag;
/// 2. the environment: `RUNAS_PASSWORD`, then the kind's own variables (`SAML_PASSWORD`;
///    `WEB_IDENTITY_PASSWORD`, `WEB_PASSWORD`), then the other kind's (the Go tool's `-P` flag
///    reads all of them for both kinds);
/// 3. the credentials file: key `saml_password` or `web_identity_password` in the section named
///    by the identity provider's URL, so every profile using that URL shares it;
/// 4. a `Password: ` prompt without echo.
///
/// A value in the obfuscated form (``PasswordObfuscation/isObfuscated(_:)``) is decoded with the
/// URL as the key, wherever it came from, as the Go tool does; anything else is the password as
/// written (plaintext in the file keeps working). Unlike the Go tool, an obfuscated value that
/// does not decode is an error naming where it is, not a wrong password sent to the provider.
public enum IdentityProviderPassword {
  /// Which protocol the password is for; it picks the credentials-file key and the variables.
  public enum Kind: Sendable, Equatable {
    /// A SAML provider (`saml_auth_url`).
    case saml
    /// An OpenID Connect provider (`web_identity_auth_url`).
    case webIdentity

    /// `saml_password` or `web_identity_password`.
    public var credentialsFileKey: String {
      switch self {
      case .saml: "saml_password"
      case .webIdentity: "web_identity_password"
      }
    }

    /// The variables read for this kind, in order (spec §1.1, §2.2; `WEB_IDENTITY_PASSWORD` is
    /// the seeds' spelling, `WEB_PASSWORD` the Go code's).
    public var environmentVariables: [String] {
      switch self {
      case .saml: ["RUNAS_PASSWORD", "SAML_PASSWORD", "WEB_IDENTITY_PASSWORD", "WEB_PASSWORD"]
      case .webIdentity: ["RUNAS_PASSWORD", "WEB_IDENTITY_PASSWORD", "WEB_PASSWORD", "SAML_PASSWORD"]
      }
    }
  }

  /// A password and where it came from.
  public struct Found: Sendable, Equatable {
    /// The password, decoded when it was stored obfuscated.
    public let value: String
    /// The flag (`--password`), the variable, or the credentials file's section and line.
    public let origin: SettingOrigin
  }

  /// The identity provider a profile's password belongs to: its URL and kind.
  public struct Target: Sendable, Equatable {
    /// `saml_auth_url` or `web_identity_auth_url`, as resolved (flags and environment included).
    public let url: String
    /// Which of the two it is.
    public let kind: Kind

    /// Creates a target.
    public init(url: String, kind: Kind) {
      self.url = url
      self.kind = kind
    }

    /// The target of `settings`: exactly one of `saml_auth_url` and `web_identity_auth_url`.
    ///
    /// - Throws: ``IdentityProviderPasswordError`` with the Go tool's messages when neither or
    ///   both are set.
    public init(of settings: ProfileSettings) throws {
      let saml = settings.samlAuthURL?.value ?? ""
      let webIdentity = settings.webIdentityAuthURL?.value ?? ""
      switch (saml.isEmpty, webIdentity.isEmpty) {
      case (false, true): self.init(url: saml, kind: .saml)
      case (true, false): self.init(url: webIdentity, kind: .webIdentity)
      case (true, true):
        throw IdentityProviderPasswordError(
          message:
            "external identity provider not set, must configure either saml_auth_url or web_identity_auth_url")
      case (false, false):
        throw IdentityProviderPasswordError(
          message: "detected both SAML and Web Identity (OIDC) URLs, only 1 allowed")
      }
    }
  }

  /// The password for the provider at `url`: flag, environment, credentials file, else a prompt.
  ///
  /// - Parameters:
  ///   - url: The provider's URL (`saml_auth_url` / `web_identity_auth_url`), the section name
  ///     and the obfuscation key.
  ///   - kind: SAML or OIDC.
  ///   - flag: The `-P` value, if given.
  ///   - environment: The process environment.
  ///   - credentialsFile: The credentials file as loaded (``AWSConfigFiles/credentials``).
  ///   - prompter: Asked `Password: ` (secret) when nothing else has a value.
  /// - Returns: The password; empty only if the user answers the prompt with nothing.
  /// - Throws: ``IdentityProviderPasswordError`` for an obfuscated value that does not decode;
  ///   whatever `prompter` throws.
  public static func resolve(
    for url: String, kind: Kind, flag: String?, environment: [String: String], credentialsFile: INIFile,
    prompter: any Prompter
  ) async throws -> String {
    if let found = try await find(for: url, kind: kind, flag: flag, environment: environment, in: credentialsFile) {
      return found.value
    }
    return try await prompter.ask("Password: ", isSecret: true)
  }

  /// The password from the flag, the environment or the credentials file, without prompting;
  /// `nil` when none has a value.
  ///
  /// - Throws: ``IdentityProviderPasswordError`` for an obfuscated value that does not decode.
  public static func find(
    for url: String, kind: Kind, flag: String?, environment: [String: String], in credentialsFile: INIFile
  ) async throws -> Found? {
    if let supplied = supplied(kind: kind, flag: flag, environment: environment) {
      return Found(value: try await decoded(supplied.value, url: url, origin: supplied.origin), origin: supplied.origin)
    }
    guard let section = credentialsFile.section(url), let entry = section.entry(kind.credentialsFileKey),
      !entry.value.isEmpty
    else { return nil }
    let origin = SettingOrigin.file(path: credentialsFile.path, section: section.name, line: entry.line)
    return Found(value: try await decoded(entry.value, url: url, origin: origin), origin: origin)
  }

  /// The password given on the command line or in the environment, as given (not decoded); what
  /// the `password` command stores when the user passes one instead of typing it.
  public static func supplied(kind: Kind, flag: String?, environment: [String: String]) -> (
    value: String, origin: SettingOrigin
  )? {
    if let flag, !flag.isEmpty { return (flag, .flag("--password")) }
    for name in kind.environmentVariables {
      if let value = environment[name], !value.isEmpty { return (value, .environment(name)) }
    }
    return nil
  }

  /// Asks for a new password twice without echo (`Password: `, `Confirm password: `).
  ///
  /// - Throws: ``IdentityProviderPasswordError`` when the answers differ or are empty; whatever
  ///   `prompter` throws.
  public static func askForNewPassword(prompter: any Prompter) async throws -> String {
    let password = try await prompter.ask("Password: ", isSecret: true)
    guard !password.isEmpty else {
      throw IdentityProviderPasswordError(message: "the password is empty; nothing was stored")
    }
    guard try await prompter.ask("Confirm password: ", isSecret: true) == password else {
      throw IdentityProviderPasswordError(message: "the two passwords typed differ; nothing was stored")
    }
    return password
  }

  /// Obfuscates `password` with `target`'s URL and stores it in the credentials file at
  /// `credentialsPath` under `[<URL>]`, key `saml_password` / `web_identity_password`, keeping
  /// every other byte of the file (temporary file, rename, 0600, under the file's lock).
  ///
  /// - Parameter cost: The scrypt cost (the Go tool's 18); tests of the file editing pass less.
  /// - Returns: The path written (a symbolic link's target).
  /// - Throws: ``IdentityProviderPasswordError`` for an empty password; file errors from
  ///   ``CredentialsFileWriter``.
  @discardableResult
  public static func store(
    _ password: String, for target: Target, credentialsPath: String, cost: Int = PasswordObfuscation.defaultCost
  ) async throws -> String {
    guard !password.isEmpty else {
      throw IdentityProviderPasswordError(message: "the password is empty; nothing was stored")
    }
    let url = target.url
    let obfuscated = try await DedicatedThread.run { try PasswordObfuscation.encode(password, url: url, cost: cost) }
    return try await CredentialsFileWriter(path: credentialsPath).setValue(
      obfuscated, forKey: target.kind.credentialsFileKey, section: url)
  }

  /// `value` decoded when obfuscated (scrypt on a thread of its own), else `value`.
  private static func decoded(_ value: String, url: String, origin: SettingOrigin) async throws -> String {
    guard PasswordObfuscation.isObfuscated(value) else { return value }
    do {
      return try await DedicatedThread.run { try PasswordObfuscation.decode(value, url: url) }
    } catch let error as PasswordObfuscationError {
      throw IdentityProviderPasswordError(
        message: "the obfuscated password from \(origin) cannot be decoded: \(error.reason)",
        hint: "store it again with `aws-runas password <profile>` for a profile using \(url)")
    }
  }
}

/// A password that cannot be used or stored: no identity provider, both, an empty password, an
/// obfuscated value that does not decode. Never holds the password itself.
public struct IdentityProviderPasswordError: UserFacingError, Sendable, Equatable {
  /// What is wrong and where.
  public let message: String
  /// What to do about it.
  public let hint: String?

  /// Creates the error.
  public init(message: String, hint: String? = nil) {
    self.message = message
    self.hint = hint
  }
}
