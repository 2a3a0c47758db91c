#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where a setting's value came from, for `diagnose`, the TUI and error messages.
public enum SettingOrigin: Sendable, Equatable, CustomStringConvertible {
  /// A line of a config or credentials file, in the named section.
  case file(path: String, section: String, line: Int)
  /// An environment variable, by name.
  case environment(String)
  /// A command-line flag (e.g. `--role-duration`), or another argument such as `profile argument`.
  case flag(String)
  /// A value the program chose because nothing was configured.
  case builtInDefault

  /// `~/.aws/config [profile prod] line 12`, `env AWS_REGION`, `flag --role-duration`,
  /// `profile argument` or `default`. The home directory is shown as `~`.
  public var description: String {
    switch self {
    case .file(let path, let section, let line):
      let home = getenv("HOME").map { String(cString: $0) } ?? ""
      return "\(Self.abbreviatingHome(in: path, home: home)) [\(section)] line \(line)"
    case .environment(let name):
      return "env \(name)"
    case .flag(let name):
      return name.hasPrefix("-") ? "flag \(name)" : name
    case .builtInDefault:
      return "default"
    }
  }

  /// `path` with a leading `home` directory replaced by `~`.
  public static func abbreviatingHome(in path: String, home: String) -> String {
    var home = home
    while home.count > 1 && home.hasSuffix("/") { home.removeLast() }
    guard !home.isEmpty, home != "/" else { return path }
    if path == home { return "~" }
    if path.hasPrefix(home + "/") { return "~" + path.dropFirst(home.count) }
    return path
  }
}

/// A configured value and where it came from.
public struct Setting<Value: Sendable & Equatable>: Sendable, Equatable {
  /// The value.
  public var value: Value
  /// Where it was set.
  public var origin: SettingOrigin

  /// Creates a setting with `value` from `origin`.
  public init(_ value: Value, origin: SettingOrigin) {
    self.value = value
    self.origin = origin
  }
}

/// Every aws-runas profile attribute (spec §2.2), each with its provenance; `nil` when unset.
///
/// ``ProfileResolver`` fills one from `[default]`, the source profile's section, the profile's
/// section, the environment and the flags, in that order, later non-empty values winning (see
/// ``overlay(_:)``). Callers build one for the flags and pass it as the resolver's overrides.
public struct ProfileSettings: Sendable, Equatable {
  /// The string-valued settings, for code that handles them uniformly (merging, reading keys).
  enum TextKey: CaseIterable {
    case region, roleArn, sourceProfile, mfaSerial, mfaType, externalId, roleSessionName
    case jumpRoleArn, samlAuthURL, samlEntityID, samlUsername, samlProvider
    case webIdentityAuthURL, webIdentityUsername, webIdentityProvider, webIdentityTokenFile
    case webIdentityClientID, webIdentityRedirectURI, federatedUsername, authBrowser
    case endpointURL, stsRegionalEndpoints, servicesSection
    case mfaProcess
  }

  /// The string-valued setting for `key`.
  subscript(key: TextKey) -> Setting<String>? {
    get {
      switch key {
      case .region: region
      case .roleArn: roleArn
      case .sourceProfile: sourceProfile
      case .mfaSerial: mfaSerial
      case .mfaType: mfaType
      case .externalId: externalId
      case .roleSessionName: roleSessionName
      case .jumpRoleArn: jumpRoleArn
      case .samlAuthURL: samlAuthURL
      case .samlEntityID: samlEntityID
      case .samlUsername: samlUsername
      case .samlProvider: samlProvider
      case .webIdentityAuthURL: webIdentityAuthURL
      case .webIdentityUsername: webIdentityUsername
      case .webIdentityProvider: webIdentityProvider
      case .webIdentityTokenFile: webIdentityTokenFile
      case .webIdentityClientID: webIdentityClientID
      case .webIdentityRedirectURI: webIdentityRedirectURI
      case .federatedUsername: federatedUsername
      case .authBrowser: authBrowser
      case .endpointURL: endpointURL
      case .stsRegionalEndpoints: stsRegionalEndpoints
      case .servicesSection: servicesSection
      case .mfaProcess: mfaProcess
      }
    }
    set {
      switch key {
      case .region: region = newValue
      case .roleArn: roleArn = newValue
      case .sourceProfile: sourceProfile = newValue
      case .mfaSerial: mfaSerial = newValue
      case .mfaType: mfaType = newValue
      case .externalId: externalId = newValue
      case .roleSessionName: roleSessionName = newValue
      case .jumpRoleArn: jumpRoleArn = newValue
      case .samlAuthURL: samlAuthURL = newValue
      case .samlEntityID: samlEntityID = newValue
      case .samlUsername: samlUsername = newValue
      case .samlProvider: samlProvider = newValue
      case .webIdentityAuthURL: webIdentityAuthURL = newValue
      case .webIdentityUsername: webIdentityUsername = newValue
      case .webIdentityProvider: webIdentityProvider = newValue
      case .webIdentityTokenFile: webIdentityTokenFile = newValue
      case .webIdentityClientID: webIdentityClientID = newValue
      case .webIdentityRedirectURI: webIdentityRedirectURI = newValue
      case .federatedUsername: federatedUsername = newValue
      case .authBrowser: authBrowser = newValue
      case .endpointURL: endpointURL = newValue
      case .stsRegionalEndpoints: stsRegionalEndpoints = newValue
      case .servicesSection: servicesSection = newValue
      case .mfaProcess: mfaProcess = newValue
      }
    }
  }

  /// `region` / `AWS_REGION`, `AWS_DEFAULT_REGION`.
  public var region: Setting<String>?
  /// `role_arn`: the role to assume. Never inherited from `[default]` or a source profile.
  public var roleArn: Setting<String>?
  /// `source_profile`: the profile whose credentials are used to assume the role. Read from the
  /// profile's own section only.
  public var sourceProfile: Setting<String>?
  /// `mfa_serial` / `MFA_SERIAL`: the MFA device ARN or serial.
  public var mfaSerial: Setting<String>?
  /// `mfa_type` / `MFA_TYPE`: `auto` (when unset), `none`, `code` or `push`.
  public var mfaType: Setting<String>?
  /// `external_id` / `EXTERNAL_ID`.
  public var externalId: Setting<String>?
  /// `role_session_name` / `AWS_ROLE_SESSION_NAME`.
  public var roleSessionName: Setting<String>?
  /// `jump_role_arn` / `JUMP_ROLE_ARN`: the role assumed with SAML or OIDC before `role_arn`.
  public var jumpRoleArn: Setting<String>?
  /// `saml_auth_url` / `SAML_AUTH_URL`.
  public var samlAuthURL: Setting<String>?
  /// `saml_auth_entityid` (also `saml_entity_id`) / `SAML_ENTITYID`.
  public var samlEntityID: Setting<String>?
  /// `saml_username` / `SAML_USERNAME`.
  public var samlUsername: Setting<String>?
  /// `saml_provider` / `SAML_PROVIDER`.
  public var samlProvider: Setting<String>?
  /// `web_identity_auth_url` / `WEB_IDENTITY_AUTH_URL`.
  public var webIdentityAuthURL: Setting<String>?
  /// `web_identity_username` / `WEB_IDENTITY_USERNAME`.
  public var webIdentityUsername: Setting<String>?
  /// `web_identity_provider` / `WEB_IDENTITY_PROVIDER`.
  public var webIdentityProvider: Setting<String>?
  /// `web_identity_token_file` / `AWS_WEB_IDENTITY_TOKEN_FILE`.
  public var webIdentityTokenFile: Setting<String>?
  /// `web_identity_client_id` / `WEB_IDENTITY_CLIENT_ID`.
  public var webIdentityClientID: Setting<String>?
  /// `web_identity_redirect_uri` (also `web_identity_callback_uri`) /
  /// `WEB_IDENTITY_REDIRECT_URI`.
  public var webIdentityRedirectURI: Setting<String>?
  /// `federated_username` / `FEDERATED_USERNAME`.
  public var federatedUsername: Setting<String>?
  /// `auth_browser` / `AUTH_BROWSER`.
  public var authBrowser: Setting<String>?
  /// `endpoint_url` / `AWS_ENDPOINT_URL`: the endpoint for every service.
  public var endpointURL: Setting<String>?
  /// `sts_regional_endpoints` / `AWS_STS_REGIONAL_ENDPOINTS`: `regional` or `legacy`.
  public var stsRegionalEndpoints: Setting<String>?
  /// `services`: the name of the `[services name]` section with per-service settings.
  public var servicesSection: Setting<String>?
  /// `mfa_process` / `MFA_PROCESS`: a command whose standard output is the MFA code (e.g. a
  /// YubiKey OATH reader), run before any prompt.
  public var mfaProcess: Setting<String>?
  /// `session_token_duration` / `SESSION_TOKEN_DURATION`: session token lifetime.
  public var sessionTokenDuration: Setting<Duration>?
  /// `credentials_duration` / `CREDENTIALS_DURATION`: role credentials lifetime.
  public var credentialsDuration: Setting<Duration>?
  /// `duration_seconds` / `DURATION_SECONDS`: role credentials lifetime in seconds, used when
  /// `credentials_duration` is unset.
  public var durationSeconds: Setting<Int>?
  /// Per-service endpoints by lowercase service key (`sts`, `iam`, `ssm`…), from the
  /// `endpoint_url` nested under each service in the `[services name]` section, or from
  /// `AWS_ENDPOINT_URL_<SERVICE>`.
  public var serviceEndpoints: [String: Setting<String>] = [:]

  /// Settings with nothing set.
  public init() {}

  /// Merges `newer` over these settings: each field of `newer` that is set and non-empty
  /// (non-zero for numbers and durations) replaces the current one; nothing is ever blanked.
  /// Service endpoints merge per service.
  public mutating func overlay(_ newer: ProfileSettings) {
    overlay(newer, includingChainKeys: true)
  }

  /// ``overlay(_:)``, optionally leaving out `role_arn` and `source_profile`, which define the
  /// chain and are never inherited.
  mutating func overlay(_ newer: ProfileSettings, includingChainKeys: Bool) {
    if includingChainKeys {
      Self.take(&roleArn, newer.roleArn)
      Self.take(&sourceProfile, newer.sourceProfile)
    }
    Self.take(&region, newer.region)
    Self.take(&mfaSerial, newer.mfaSerial)
    Self.take(&mfaType, newer.mfaType)
    Self.take(&externalId, newer.externalId)
    Self.take(&roleSessionName, newer.roleSessionName)
    Self.take(&jumpRoleArn, newer.jumpRoleArn)
    Self.take(&samlAuthURL, newer.samlAuthURL)
    Self.take(&samlEntityID, newer.samlEntityID)
    Self.take(&samlUsername, newer.samlUsername)
    Self.take(&samlProvider, newer.samlProvider)
    Self.take(&webIdentityAuthURL, newer.webIdentityAuthURL)
    Self.take(&webIdentityUsername, newer.webIdentityUsername)
    Self.take(&webIdentityProvider, newer.webIdentityProvider)
    Self.take(&webIdentityTokenFile, newer.webIdentityTokenFile)
    Self.take(&webIdentityClientID, newer.webIdentityClientID)
    Self.take(&webIdentityRedirectURI, newer.webIdentityRedirectURI)
    Self.take(&federatedUsername, newer.federatedUsername)
    Self.take(&authBrowser, newer.authBrowser)
    Self.take(&endpointURL, newer.endpointURL)
    Self.take(&stsRegionalEndpoints, newer.stsRegionalEndpoints)
    Self.take(&servicesSection, newer.servicesSection)
    Self.take(&mfaProcess, newer.mfaProcess)
    if let value = newer.sessionTokenDuration?.value, value != .zero {
      sessionTokenDuration = newer.sessionTokenDuration
    }
    if let value = newer.credentialsDuration?.value, value != .zero {
      credentialsDuration = newer.credentialsDuration
    }
    if let seconds = newer.durationSeconds?.value, seconds != 0 {
      durationSeconds = newer.durationSeconds
    }
    for (service, endpoint) in newer.serviceEndpoints where !endpoint.value.isEmpty {
      serviceEndpoints[service] = endpoint
    }
  }

  /// Whether nothing is set (cheaper than comparing with `ProfileSettings()`).
  var isEmpty: Bool {
    // Pattern matching, not `== nil`, which compiles to a copy of each setting.
    guard
      case .none = region,
      case .none = roleArn,
      case .none = sourceProfile,
      case .none = mfaSerial,
      case .none = mfaType,
      case .none = externalId,
      case .none = roleSessionName,
      case .none = jumpRoleArn,
      case .none = samlAuthURL,
      case .none = samlEntityID,
      case .none = samlUsername,
      case .none = samlProvider,
      case .none = webIdentityAuthURL,
      case .none = webIdentityUsername,
      case .none = webIdentityProvider,
      case .none = webIdentityTokenFile,
      case .none = webIdentityClientID,
      case .none = webIdentityRedirectURI,
      case .none = federatedUsername,
      case .none = authBrowser,
      case .none = endpointURL,
      case .none = stsRegionalEndpoints,
      case .none = servicesSection,
      case .none = mfaProcess,
      case .none = sessionTokenDuration,
      case .none = credentialsDuration,
      case .none = durationSeconds
    else { return false }
    return serviceEndpoints.isEmpty
  }

  // Tested through optional chaining rather than `if let`, which would copy (and retain) the
  // setting only to test it; this merge runs for every key of every layer of every profile.
  @inline(__always)
  private static func take(_ current: inout Setting<String>?, _ newer: Setting<String>?) {
    if newer?.value.isEmpty == false { current = newer }
  }

  /// The set values in a stable order, keyed by their config-file names, with durations in Go
  /// format; service endpoints appear as `<service>.endpoint_url`, sorted by service.
  public var described: [(key: String, value: String, origin: SettingOrigin)] {
    var lines: [(key: String, value: String, origin: SettingOrigin)] = []
    func add(_ key: String, _ setting: Setting<String>?) {
      if let setting { lines.append((key, setting.value, setting.origin)) }
    }
    func add(_ key: String, _ setting: Setting<Duration>?) {
      if let setting { lines.append((key, GoDuration.format(setting.value), setting.origin)) }
    }
    add("region", region)
    add("role_arn", roleArn)
    add("source_profile", sourceProfile)
    add("mfa_serial", mfaSerial)
    add("mfa_type", mfaType)
    add("mfa_process", mfaProcess)
    add("external_id", externalId)
    add("role_session_name", roleSessionName)
    add("session_token_duration", sessionTokenDuration)
    add("credentials_duration", credentialsDuration)
    if let durationSeconds {
      lines.append(("duration_seconds", String(durationSeconds.value), durationSeconds.origin))
    }
    add("jump_role_arn", jumpRoleArn)
    // A URL may carry an API secret in its query (OneLogin's `token=`): shown masked.
    func addURL(_ key: String, _ setting: Setting<String>?) {
      if let setting { lines.append((key, URLReference.maskingSecrets(setting.value), setting.origin)) }
    }
    addURL("saml_auth_url", samlAuthURL)
    add("saml_auth_entityid", samlEntityID)
    add("saml_username", samlUsername)
    add("saml_provider", samlProvider)
    addURL("web_identity_auth_url", webIdentityAuthURL)
    add("web_identity_username", webIdentityUsername)
    add("web_identity_provider", webIdentityProvider)
    add("web_identity_token_file", webIdentityTokenFile)
    add("web_identity_client_id", webIdentityClientID)
    add("web_identity_redirect_uri", webIdentityRedirectURI)
    add("federated_username", federatedUsername)
    add("auth_browser", authBrowser)
    add("endpoint_url", endpointURL)
    add("sts_regional_endpoints", stsRegionalEndpoints)
    add("services", servicesSection)
    for service in serviceEndpoints.keys.sorted() {
      add("\(service).endpoint_url", serviceEndpoints[service])
    }
    return lines
  }
}

/// Long-term (or session) AWS keys found in a profile's section of the credentials or config
/// file.
public struct StaticCredentials: Sendable, Equatable {
  /// `aws_access_key_id`; empty when only the secret was found.
  public var accessKeyID: String
  /// `aws_secret_access_key`; empty when only the key ID was found.
  public var secretAccessKey: String
  /// `aws_session_token`, when present.
  public var sessionToken: String?
  /// Where the keys were found (the line of the key ID, or of the secret when the ID is missing).
  public var origin: SettingOrigin

  /// Creates credentials found at `origin`.
  public init(
    accessKeyID: String, secretAccessKey: String, sessionToken: String?, origin: SettingOrigin
  ) {
    self.accessKeyID = accessKeyID
    self.secretAccessKey = secretAccessKey
    self.sessionToken = sessionToken
    self.origin = origin
  }

  /// Whether both the key ID and the secret are present.
  public var isComplete: Bool { !accessKeyID.isEmpty && !secretAccessKey.isEmpty }
}

/// How credentials for a profile are obtained (spec §2.7, in that order of precedence).
public enum ProfileKind: Sendable, Equatable {
  /// No role: static keys, exchanged for a session token (GetSessionToken).
  case iamUser
  /// `role_arn` assumed with credentials of the source profile (AssumeRole).
  case role
  /// `saml_auth_url` set: SAML login, then AssumeRoleWithSAML.
  case saml
  /// `web_identity_auth_url` set: OIDC login, then AssumeRoleWithWebIdentity.
  case oidc
  /// A role ARN given instead of a profile name, assumed with `[default]` or environment keys.
  case roleARN
  /// IAM Identity Center (`sso_session` or `sso_start_url`, `sso_account_id`, `sso_role_name`):
  /// the device sign-in, then GetRoleCredentials.
  case identityCenter
}

/// A profile after resolution: merged settings with provenance, its source profile, and the
/// static credentials it uses, if any.
public final class ResolvedProfile: Sendable {
  /// The profile name; empty when a role ARN was given instead of a name.
  public let name: String
  /// The merged settings (`[default]` < source profile < profile < environment < flags).
  public let settings: ProfileSettings
  /// The profile named by `source_profile`, itself resolved; `nil` when there is none or it
  /// names this profile.
  public let source: ResolvedProfile?
  /// The keys of this profile's section in the credentials file (else the config file), for a
  /// profile without `role_arn` or whose `source_profile` names itself.
  public let staticCredentials: StaticCredentials?
  /// Whether the profile argument was a role ARN.
  public let isRoleARNProfile: Bool
  /// How credentials are obtained for this profile.
  public let kind: ProfileKind
  /// The Identity Center settings of the profile's own section, when it has any.
  public let identityCenter: IdentityCenterProfile?

  /// Creates a resolved profile; ``ProfileResolver`` is the usual way to get one.
  public init(
    name: String, settings: ProfileSettings, source: ResolvedProfile?,
    staticCredentials: StaticCredentials?, isRoleARNProfile: Bool, kind: ProfileKind,
    identityCenter: IdentityCenterProfile? = nil
  ) {
    self.name = name
    self.settings = settings
    self.source = source
    self.staticCredentials = staticCredentials
    self.isRoleARNProfile = isRoleARNProfile
    self.kind = kind
    self.identityCenter = identityCenter
  }

  /// The profiles credentials flow through, from the base (whose credentials come from keys or
  /// an identity provider) to this one. A role profile adds itself to its source's chain; any
  /// other profile is its own base.
  public var chain: [ResolvedProfile] {
    var chain = [self]
    var top = self
    while top.kind == .role, let source = top.source {
      chain.append(source)
      top = source
    }
    chain.reverse()
    return chain
  }
}
