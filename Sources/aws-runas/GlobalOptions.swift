import ArgumentParser
import RunAsCore

/// The global flags of aws-runas (spec §1.1). Each may also come from its environment variable;
/// the profile-level ones (durations, MFA serial, external ID, IdP settings) are read from the
/// environment by the engine's profile resolver, at the same precedence.
///
/// Every option takes the next argument as its value even when it starts with `-`, as Go's flag
/// package did for the original tool, so `-d -5m` is checked (and refused) as a duration instead
/// of failing as a missing value.
struct GlobalOptions: ParsableArguments {
  @Option(
    name: [.customShort("d"), .long], parsing: .unconditional,
    help: "Duration of the session token credentials (e.g. 12h, 90m).")
  var duration: String?

  @Option(
    name: [.customShort("a"), .customLong("role-duration")], parsing: .unconditional,
    help: "Duration of the assume role credentials.")
  var roleDuration: String?

  @Option(name: [.customShort("o"), .long], parsing: .unconditional, help: "MFA token code (env MFA_CODE).")
  var otp: String?

  @Option(
    name: [.customShort("M"), .customLong("mfa-serial")], parsing: .unconditional,
    help: "Serial number or ARN of the MFA device (env MFA_SERIAL).")
  var mfaSerial: String?

  @Option(
    name: [.customShort("t"), .customLong("mfa-type")], parsing: .unconditional,
    help: "MFA type for identity providers: auto, none, code, push (env MFA_TYPE).")
  var mfaType: String?

  @Option(
    name: [.customShort("X"), .customLong("external-id")], parsing: .unconditional,
    help: "External ID for the AssumeRole call (env EXTERNAL_ID).")
  var externalID: String?

  @Option(
    name: [.customShort("J"), .customLong("jump-role")], parsing: .unconditional,
    help: "ARN of the jump role for SAML/OIDC profiles (env JUMP_ROLE_ARN).")
  var jumpRole: String?

  @Option(
    name: [.customShort("S"), .customLong("saml-url")], parsing: .unconditional,
    help: "URL of the SAML authentication endpoint (env SAML_AUTH_URL).")
  var samlURL: String?

  @Option(
    name: [.customShort("I"), .customLong("saml-entityid")], parsing: .unconditional,
    help: "SAML entity ID (env SAML_ENTITY_ID).")
  var samlEntityID: String?

  @Option(
    name: [.customShort("W"), .customLong("web-url")], parsing: .unconditional,
    help: "URL of the OIDC authentication endpoint (env WEB_AUTH_URL).")
  var webURL: String?

  @Option(
    name: [.customShort("T"), .customLong("web-redirect")], parsing: .unconditional,
    help: "OIDC redirect URI (env WEB_REDIRECT_URI).")
  var webRedirect: String?

  @Option(
    name: [.customShort("C"), .customLong("web-client")], parsing: .unconditional,
    help: "OIDC client ID (env WEB_CLIENT_ID).")
  var webClient: String?

  @Option(
    name: [.customShort("U"), .long, .customLong("saml-user")], parsing: .unconditional,
    help: "Username for SAML or OIDC authentication (env RUNAS_USERNAME).")
  var username: String?

  @Option(
    name: [.customShort("P"), .long, .customLong("saml-password")], parsing: .unconditional,
    help: "Password for SAML or OIDC authentication (env RUNAS_PASSWORD).")
  var password: String?

  @Option(
    name: [.customShort("R"), .long, .customLong("saml-provider")], parsing: .unconditional,
    help: "Identity provider type, bypassing auto-detection (env RUNAS_PROVIDER).")
  var provider: String?

  @Flag(
    name: [.customShort("E"), .long],
    help: "Pass credentials to the command as environment variables (env RUNAS_ENV_CREDENTIALS).")
  var env = false

  @Option(
    name: [.customShort("O"), .long], parsing: .unconditional,
    help: "Credential output format: env (default) or json (env RUNAS_OUTPUT_FORMAT).")
  var output: String?

  @Flag(
    name: [.customShort("s"), .long],
    help: "Use session token credentials instead of role credentials (env RUNAS_SESSION_CREDENTIALS).")
  var session = false

  @Flag(name: [.customShort("r"), .long], help: "Force a refresh of the cached credentials.")
  var refresh = false

  @Flag(name: [.customShort("e"), .long], help: "Show credential expiration time.")
  var expiration = false

  @Flag(name: [.customShort("w"), .long], help: "Print the AWS identity information for the profile.")
  var whoami = false

  @Flag(
    name: [.customShort("c"), .customLong("write-credentials")],
    help: "Also write the credentials to the credentials file as [<profile>-awsrunas] (env RUNAS_WRITE_CREDENTIALS).")
  var writeCredentials = false

  @Flag(name: [.customShort("m"), .customLong("list-mfa")], help: "List the ARNs of your MFA devices.")
  var listMFA = false

  @Flag(name: [.customShort("l"), .customLong("list-roles")], help: "List the role ARNs you are allowed to assume.")
  var listRoles = false

  @Flag(name: [.customShort("u"), .long], help: "Check for a newer version of aws-runas.")
  var update = false

  @Flag(name: [.customShort("D"), .long], help: "Run diagnostics on the profile's configuration.")
  var diagnose = false

  @Flag(name: [.customShort("v"), .long], help: "Print debug messages; twice also shows secrets (env RUNAS_VERBOSE).")
  var verbose: Int

  @Flag(name: [.customShort("V"), .long], help: "Print the version and exit.")
  var version = false

  @Flag(name: .customLong("ec2"), help: "Run a mock EC2 metadata service (same as `serve ec2`).")
  var ec2 = false
}

/// The global flags as plain values, whichever parser read them (``GlobalOptions`` through
/// ArgumentParser, or ``FastPathParser`` for the common credential-printing invocations).
struct CommandLineFlags: Sendable, Equatable {
  var duration: String?
  var roleDuration: String?
  var otp: String?
  var mfaSerial: String?
  var mfaType: String?
  var externalID: String?
  var jumpRole: String?
  var samlURL: String?
  var samlEntityID: String?
  var webURL: String?
  var webRedirect: String?
  var webClient: String?
  var username: String?
  var password: String?
  var provider: String?
  var env = false
  var output: String?
  var session = false
  var refresh = false
  var expiration = false
  var whoami = false
  var writeCredentials = false
  var listMFA = false
  var listRoles = false
  var update = false
  var diagnose = false
  var verbose = 0
  var version = false
  var ec2 = false
}

extension GlobalOptions {
  /// The parsed flags as plain values.
  var flags: CommandLineFlags {
    CommandLineFlags(
      duration: duration, roleDuration: roleDuration, otp: otp, mfaSerial: mfaSerial, mfaType: mfaType,
      externalID: externalID, jumpRole: jumpRole, samlURL: samlURL, samlEntityID: samlEntityID, webURL: webURL,
      webRedirect: webRedirect, webClient: webClient, username: username, password: password, provider: provider,
      env: env, output: output, session: session, refresh: refresh, expiration: expiration, whoami: whoami,
      writeCredentials: writeCredentials, listMFA: listMFA, listRoles: listRoles, update: update, diagnose: diagnose,
      verbose: verbose, version: version, ec2: ec2)
  }
}

/// The global options after their environment variables are applied (flag wins over env).
struct EffectiveOptions: Sendable {
  var mfaCode: String?
  var useEnvironmentVariables: Bool
  var outputJSON: Bool
  var sessionOnly: Bool
  var refresh: Bool
  var showExpiration: Bool
  var whoami: Bool
  var writeCredentials: Bool
  var verbosity: Int
  /// Profile settings given as flags, highest precedence in resolution.
  var overrides: ProfileSettings

  init(_ options: CommandLineFlags, environment: [String: String]) throws {
    func truthy(_ name: String) -> Bool {
      guard let value = environment[name]?.lowercased() else { return false }
      return ["1", "t", "true", "y", "yes", "on"].contains(value)
    }
    func firstEnv(_ names: String...) -> (value: String, name: String)? {
      for name in names { if let value = environment[name], !value.isEmpty { return (value, name) } }
      return nil
    }
    mfaCode = options.otp ?? firstEnv("MFA_CODE")?.value
    useEnvironmentVariables = options.env || truthy("RUNAS_ENV_CREDENTIALS")
    outputJSON = try Self.outputIsJSON(flag: options.output, environment: environment)
    sessionOnly = options.session || truthy("RUNAS_SESSION_CREDENTIALS")
    refresh = options.refresh
    showExpiration = options.expiration
    whoami = options.whoami
    writeCredentials = options.writeCredentials || truthy("RUNAS_WRITE_CREDENTIALS")
    verbosity = max(options.verbose, truthy("RUNAS_VERBOSE") ? 1 : 0)

    var settings = ProfileSettings()
    func flag(_ name: String) -> SettingOrigin { .flag(name) }
    if let value = options.duration {
      settings.sessionTokenDuration = Setting(try Self.duration(value, flag: "--duration"), origin: flag("--duration"))
    }
    if let value = options.roleDuration {
      settings.credentialsDuration = Setting(
        try Self.duration(value, flag: "--role-duration"), origin: flag("--role-duration"))
    }
    if let value = options.mfaSerial { settings.mfaSerial = Setting(value, origin: flag("--mfa-serial")) }
    if let value = options.mfaType { settings.mfaType = Setting(value, origin: flag("--mfa-type")) }
    if let value = options.externalID { settings.externalId = Setting(value, origin: flag("--external-id")) }
    if let value = options.jumpRole { settings.jumpRoleArn = Setting(value, origin: flag("--jump-role")) }
    if let value = options.samlURL { settings.samlAuthURL = Setting(value, origin: flag("--saml-url")) }
    if let value = options.samlEntityID { settings.samlEntityID = Setting(value, origin: flag("--saml-entityid")) }
    if let value = options.webURL { settings.webIdentityAuthURL = Setting(value, origin: flag("--web-url")) }
    if let value = options.webRedirect {
      settings.webIdentityRedirectURI = Setting(value, origin: flag("--web-redirect"))
    }
    if let value = options.webClient { settings.webIdentityClientID = Setting(value, origin: flag("--web-client")) }
    let username =
      options.username.map { ($0, SettingOrigin.flag("--username")) }
      ?? firstEnv("RUNAS_USERNAME").map { ($0.value, SettingOrigin.environment($0.name)) }
    if let (value, origin) = username {
      settings.samlUsername = Setting(value, origin: origin)
      settings.webIdentityUsername = Setting(value, origin: origin)
    }
    let provider =
      options.provider.map { ($0, SettingOrigin.flag("--provider")) }
      ?? firstEnv("RUNAS_PROVIDER").map { ($0.value, SettingOrigin.environment($0.name)) }
    if let (value, origin) = provider {
      settings.samlProvider = Setting(value, origin: origin)
      settings.webIdentityProvider = Setting(value, origin: origin)
    }
    overrides = settings
  }

  static func duration(_ text: String, flag: String) throws -> Duration {
    let duration: Duration
    do {
      duration = try GoDuration.parse(text)
    } catch {
      throw CommandFailure("invalid value \"\(TerminalText.excerpt(text, limit: 64))\" for \(flag): \(error)")
    }
    guard duration >= .zero else {
      throw CommandFailure(
        "invalid value \"\(TerminalText.excerpt(text, limit: 64))\" for \(flag): a duration cannot be negative")
    }
    return duration
  }

  /// Whether `-O`/`--output` (else `RUNAS_OUTPUT_FORMAT`) asks for JSON; `env` (the default) or
  /// `json` in any case, anything else an error rather than a silent fallback.
  static func outputIsJSON(flag: String?, environment: [String: String]) throws -> Bool {
    let given: (value: String, source: String)
    if let flag {
      given = (flag, "--output")
    } else if let variable = environment["RUNAS_OUTPUT_FORMAT"], !variable.isEmpty {
      given = (variable, "RUNAS_OUTPUT_FORMAT")
    } else {
      return false
    }
    switch given.value.lowercased() {
    case "json": return true
    case "env": return false
    default:
      throw CommandFailure(
        "invalid value \"\(TerminalText.excerpt(given.value, limit: 64))\" for \(given.source): use env or json")
    }
  }
}
