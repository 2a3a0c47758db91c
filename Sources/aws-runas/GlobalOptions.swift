import ArgumentParser
import RunAsCore

/// A global flag or option as ArgumentParser, the fast paths and the help see it: one place for
/// its names and its help text.
struct OptionSpec: Sendable {
  let short: Character?
  /// The long names; the first also names the value in the help (`--duration <duration>`).
  let longs: [String]
  let takesValue: Bool
  let help: String

  /// The names, for ArgumentParser.
  var names: NameSpecification {
    NameSpecification((short.map { [.customShort($0)] } ?? []) + longs.map { .customLong($0) })
  }

  /// `-d, --duration <duration>`: the option's entry in the help, as ArgumentParser writes it.
  var label: String {
    var label = short.map { "-" + String($0) } ?? ""
    for long in longs {
      label += (label.isEmpty ? "--" : ", --") + long
    }
    return takesValue ? label + " <" + longs[0] + ">" : label
  }
}

extension Option where Value == String? {
  /// An option declared by `spec`. Its value is always the next argument, even one starting
  /// with `-` (see ``GlobalOptions``).
  init(_ spec: OptionSpec) { self.init(name: spec.names, parsing: .unconditional, help: ArgumentHelp(spec.help)) }
}

extension Flag where Value == Bool {
  /// A flag declared by `spec`.
  init(wrappedValue: Bool, _ spec: OptionSpec) {
    self.init(wrappedValue: wrappedValue, name: spec.names, help: ArgumentHelp(spec.help))
  }
}

extension Flag where Value == Int {
  /// A counted flag (`-vv`) declared by `spec`.
  init(_ spec: OptionSpec) { self.init(name: spec.names, help: ArgumentHelp(spec.help)) }
}

extension OptionSpec {
  static let duration = OptionSpec(
    short: "d", longs: ["duration"], takesValue: true,
    help: "Duration of the session token credentials (e.g. 12h, 90m).")
  static let roleDuration = OptionSpec(
    short: "a", longs: ["role-duration"], takesValue: true,
    help: "Duration of the assume role credentials.")
  static let otp = OptionSpec(
    short: "o", longs: ["otp"], takesValue: true,
    help: "MFA token code (env MFA_CODE).")
  static let mfaSerial = OptionSpec(
    short: "M", longs: ["mfa-serial"], takesValue: true,
    help: "Serial number or ARN of the MFA device (env MFA_SERIAL).")
  static let mfaType = OptionSpec(
    short: "t", longs: ["mfa-type"], takesValue: true,
    help: "MFA type for identity providers: auto, none, code, push (env MFA_TYPE).")
  static let externalID = OptionSpec(
    short: "X", longs: ["external-id"], takesValue: true,
    help: "External ID for the AssumeRole call (env EXTERNAL_ID).")
  static let jumpRole = OptionSpec(
    short: "J", longs: ["jump-role"], takesValue: true,
    help: "ARN of the jump role for SAML/OIDC profiles (env JUMP_ROLE_ARN).")
  static let samlURL = OptionSpec(
    short: "S", longs: ["saml-url"], takesValue: true,
    help: "URL of the SAML authentication endpoint (env SAML_AUTH_URL).")
  static let samlEntityID = OptionSpec(
    short: "I", longs: ["saml-entityid"], takesValue: true,
    help: "SAML entity ID (env SAML_ENTITY_ID).")
  static let webURL = OptionSpec(
    short: "W", longs: ["web-url"], takesValue: true,
    help: "URL of the OIDC authentication endpoint (env WEB_AUTH_URL).")
  static let webRedirect = OptionSpec(
    short: "T", longs: ["web-redirect"], takesValue: true,
    help: "OIDC redirect URI (env WEB_REDIRECT_URI).")
  static let webClient = OptionSpec(
    short: "C", longs: ["web-client"], takesValue: true,
    help: "OIDC client ID (env WEB_CLIENT_ID).")
  static let username = OptionSpec(
    short: "U", longs: ["username", "saml-user"], takesValue: true,
    help: "Username for SAML or OIDC authentication (env RUNAS_USERNAME).")
  static let password = OptionSpec(
    short: "P", longs: ["password", "saml-password"], takesValue: true,
    help: "Password for SAML or OIDC authentication (env RUNAS_PASSWORD).")
  static let provider = OptionSpec(
    short: "R", longs: ["provider", "saml-provider"], takesValue: true,
    help: "Identity provider type, bypassing auto-detection (env RUNAS_PROVIDER).")
  static let env = OptionSpec(
    short: "E", longs: ["env"], takesValue: false,
    help: "Pass credentials to the command as environment variables (env RUNAS_ENV_CREDENTIALS).")
  static let output = OptionSpec(
    short: "O", longs: ["output"], takesValue: true,
    help: "Credential output format: env (default) or json (env RUNAS_OUTPUT_FORMAT).")
  static let session = OptionSpec(
    short: "s", longs: ["session"], takesValue: false,
    help: "Use session token credentials instead of role credentials (env RUNAS_SESSION_CREDENTIALS).")
  static let refresh = OptionSpec(
    short: "r", longs: ["refresh"], takesValue: false,
    help: "Force a refresh of the cached credentials.")
  static let expiration = OptionSpec(
    short: "e", longs: ["expiration"], takesValue: false,
    help: "Show credential expiration time.")
  static let whoami = OptionSpec(
    short: "w", longs: ["whoami"], takesValue: false,
    help: "Print the AWS identity information for the profile.")
  static let writeCredentials = OptionSpec(
    short: "c", longs: ["write-credentials"], takesValue: false,
    help: "Also write the credentials to the credentials file as [<profile>-awsrunas] (env RUNAS_WRITE_CREDENTIALS).")
  static let listMFA = OptionSpec(
    short: "m", longs: ["list-mfa"], takesValue: false,
    help: "List the ARNs of your MFA devices.")
  static let listRoles = OptionSpec(
    short: "l", longs: ["list-roles"], takesValue: false,
    help: "List the role ARNs you are allowed to assume.")
  static let update = OptionSpec(
    short: "u", longs: ["update"], takesValue: false,
    help: "Check for a newer version of aws-runas.")
  static let diagnose = OptionSpec(
    short: "D", longs: ["diagnose"], takesValue: false,
    help: "Run diagnostics on the profile's configuration.")
  static let verbose = OptionSpec(
    short: "v", longs: ["verbose"], takesValue: false,
    help: "Print debug messages; twice also shows secrets (env RUNAS_VERBOSE).")
  static let version = OptionSpec(
    short: "V", longs: ["version"], takesValue: false,
    help: "Print the version and exit.")
  static let ec2 = OptionSpec(
    short: nil, longs: ["ec2"], takesValue: false,
    help: "Run a mock EC2 metadata service (same as `serve ec2`).")

  /// Every global flag and option, in the order the help lists them.
  static let all: [OptionSpec] = [
    .duration, .roleDuration, .otp, .mfaSerial, .mfaType, .externalID, .jumpRole, .samlURL, .samlEntityID, .webURL,
    .webRedirect, .webClient, .username, .password, .provider, .env, .output, .session, .refresh, .expiration,
    .whoami, .writeCredentials, .listMFA, .listRoles, .update, .diagnose, .verbose, .version, .ec2,
  ]
}

/// The global flags of aws-runas (spec §1.1). Each may also come from its environment variable;
/// the profile-level ones (durations, MFA serial, external ID, IdP settings) are read from the
/// environment by the engine's profile resolver, at the same precedence.
///
/// Every option takes the next argument as its value even when it starts with `-`, as Go's flag
/// package did for the original tool, so `-d -5m` is checked (and refused) as a duration instead
/// of failing as a missing value.
struct GlobalOptions: ParsableArguments {
  @Option(.duration) var duration: String?
  @Option(.roleDuration) var roleDuration: String?
  @Option(.otp) var otp: String?
  @Option(.mfaSerial) var mfaSerial: String?
  @Option(.mfaType) var mfaType: String?
  @Option(.externalID) var externalID: String?
  @Option(.jumpRole) var jumpRole: String?
  @Option(.samlURL) var samlURL: String?
  @Option(.samlEntityID) var samlEntityID: String?
  @Option(.webURL) var webURL: String?
  @Option(.webRedirect) var webRedirect: String?
  @Option(.webClient) var webClient: String?
  @Option(.username) var username: String?
  @Option(.password) var password: String?
  @Option(.provider) var provider: String?
  @Flag(.env) var env = false
  @Option(.output) var output: String?
  @Flag(.session) var session = false
  @Flag(.refresh) var refresh = false
  @Flag(.expiration) var expiration = false
  @Flag(.whoami) var whoami = false
  @Flag(.writeCredentials) var writeCredentials = false
  @Flag(.listMFA) var listMFA = false
  @Flag(.listRoles) var listRoles = false
  @Flag(.update) var update = false
  @Flag(.diagnose) var diagnose = false
  @Flag(.verbose) var verbose: Int
  @Flag(.version) var version = false
  @Flag(.ec2) var ec2 = false
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
  /// The identity-provider password given with `-P` (kept out of the settings `diagnose` shows).
  var identityProviderPassword: String?
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
    identityProviderPassword = options.password.flatMap { $0.isEmpty ? nil : $0 }

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
