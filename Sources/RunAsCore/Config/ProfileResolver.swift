#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A profile that cannot be resolved: unknown, a broken `source_profile`, a loop, or an invalid
/// value, with a hint when one helps.
public struct ProfileError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What is wrong, e.g. `profile "prdo" not found in ~/.aws/config`.
  public let message: String
  /// What to do about it, e.g. `did you mean: prod`.
  public let hint: String?

  /// Creates an error with an optional hint.
  public init(message: String, hint: String? = nil) {
    self.message = message
    self.hint = hint
  }

  /// The message, then `; ` and the hint when there is one.
  public var description: String {
    guard let hint else { return message }
    return "\(message); \(hint)"
  }
}

/// Resolves profile names to ``ResolvedProfile``s: merges `[default]`, the source profile's
/// section, the profile's section, environment variables and flag overrides, recording where
/// every value came from.
///
/// Precedence, highest first: overrides (flags) > environment (spec §2.2) > the profile's
/// section > its source profile's section > `[default]`. Only one level of source-profile
/// *attributes* is inherited, as in the original tool, but `role_arn` and `source_profile` are
/// never inherited, and a source profile with its own `role_arn` is resolved recursively so roles
/// chain to any depth, as in the AWS CLI. Resolution is pure: it reads only the parsed files and
/// the environment given at initialisation.
public struct ProfileResolver: Sendable {
  /// The files profiles are read from.
  public let files: AWSConfigFiles
  private let environment: [String: String]
  /// Profile name → position in `files.config.sections`: `[profile name]`, else `[name]`;
  /// `[default]`, else `[profile default]`. Built once so lookups need no string building.
  private let configSectionPositions: [String: Int]
  // Both layers are the same for every profile, so they are read once; an invalid value in
  // either is reported by every resolution that would use it.
  private let environmentLayer: ProfileSettings
  private let environmentLayerError: ProfileError?
  private let defaultLayer: ProfileSettings
  private let defaultLayerError: ProfileError?
  /// Source profiles, resolved once however many profiles name them; the same inputs always
  /// resolve the same way.
  private let cache = ResolvedProfileCache()

  /// Creates a resolver over `files`, reading environment variables from `environment`.
  public init(files: AWSConfigFiles, environment: [String: String]) {
    self.files = files
    self.environment = environment
    self.configSectionPositions = Self.indexProfileSections(of: files.config)
    do {
      environmentLayer = try Self.environmentSettings(environment)
      environmentLayerError = nil
    } catch {
      environmentLayer = ProfileSettings()
      environmentLayerError = error
    }
    do {
      if let position = configSectionPositions["default"] {
        let section = files.config.sections[position]
        var settings = ProfileSettings()
        try Self.apply(section, from: files.config, to: &settings, includingChainKeys: true)
        defaultLayer = settings
      } else {
        defaultLayer = ProfileSettings()
      }
      defaultLayerError = nil
    } catch {
      defaultLayer = ProfileSettings()
      defaultLayerError = error
    }
  }

  /// Resolves `name` (empty means `default`; a role ARN means "assume this role with the
  /// `[default]` settings") and applies `overrides` (flags) on top.
  ///
  /// `default` always resolves, even when no file defines it; any other unknown name is an
  /// error. Source profiles are resolved once and shared by every profile (and later call)
  /// that uses them.
  ///
  /// - Throws: ``ProfileError`` for an unknown profile, a `source_profile` that names a missing
  ///   profile, a loop of source profiles, an invalid value in a file or the environment, or a
  ///   malformed role ARN.
  public func resolve(_ name: String, overrides: ProfileSettings = ProfileSettings())
    throws(ProfileError) -> ResolvedProfile
  {
    let name = name.isEmpty ? "default" : name
    if name.hasPrefix("arn:") { return try resolveRoleARN(name, overrides: overrides) }
    if overrides.isEmpty, let resolved = cache[name] { return resolved }

    // Walk source_profile links from the requested profile down to its base (or to a source
    // resolved earlier), then build the profiles from the bottom up, each on the one below it.
    var links: [ChainLink] = []
    var currentName = name
    var reference: SourceReference?
    var resolvedBelow: (profile: ResolvedProfile, section: INISection?)?
    while true {
      if reference != nil, let resolved = cache[currentName] {
        resolvedBelow = (resolved, configSection(named: currentName))
        break
      }
      let link = try chainLink(named: currentName, reference: reference)
      guard let sourceSetting = link.sourceProfile, !link.isSelfSourced else {
        links.append(link)
        break
      }
      links.append(link)
      let sourceName = sourceSetting.value
      if let loopStart = links.firstIndex(where: { $0.name == sourceName }) {
        let loop = links[loopStart...].map(\.name) + [sourceName]
        throw ProfileError(
          message: "profile chain loops: \(Self.describeLoop(loop))",
          hint:
            "the source_profile of \(Self.quoted(currentName)) (\(describe(sourceSetting.origin))) leads back to "
            + "\(Self.quoted(sourceName)); a profile may name itself to use its own keys")
      }
      reference = SourceReference(profile: currentName, origin: sourceSetting.origin)
      currentName = sourceName
    }

    if let environmentLayerError { throw environmentLayerError }
    if let defaultLayerError { throw defaultLayerError }
    var below = resolvedBelow
    for position in links.indices.reversed() {
      let profile = try build(
        name: links[position].name, section: links[position].section,
        isSelfSourced: links[position].isSelfSourced, source: below,
        overrides: overrides, appliesOverrides: position == 0)
      if position > 0 { cache[profile.name] = profile }
      below = (profile, links[position].section)
    }
    guard let top = below?.profile else {
      throw ProfileError(message: "profile \(Self.quoted(name)) could not be resolved")
    }
    return top
  }

  /// Resolves every profile of ``profileNames``, in that order; for listing all profiles (TUI,
  /// completion) at once.
  public func resolveAllProfiles() -> [(
    name: String, result: Result<ResolvedProfile, ProfileError>
  )] {
    profileNames.map { name in
      (name, Result { () throws(ProfileError) in try resolve(name) })
    }
  }

  /// Every profile name in the config and credentials files, sorted: `profile ` prefixes
  /// removed; `[services …]`, `[sso-session …]` and other typed sections, `[plugins]`, and
  /// credentials sections named by an identity-provider URL left out.
  public var profileNames: [String] {
    // Collected in file order, which is often nearly sorted and so sorts much faster than the
    // index's hash order.
    var names: [String] = []
    names.reserveCapacity(files.config.sections.count + files.credentials.sections.count)
    for section in files.config.sections {
      if let name = Self.profileName(ofConfigSection: section.name) { names.append(name) }
    }
    for section in files.credentials.sections
    where !section.name.utf8.contains(UInt8(ascii: " ")) && !section.name.contains("://") {
      names.append(section.name)
    }
    names.sort()
    var unique: [String] = []
    unique.reserveCapacity(names.count)
    for name in names where name != unique.last { unique.append(name) }
    return unique
  }

  /// Whether `name` is defined in the config or credentials file (`default` always is).
  public func hasProfile(_ name: String) -> Bool {
    let name = name.isEmpty ? "default" : name
    return name == "default" || configSection(named: name) != nil
      || files.credentials.section(name) != nil
  }

  // MARK: - Chain links

  /// Where a `source_profile` key pointed at the next link.
  private struct SourceReference {
    let profile: String
    let origin: SettingOrigin
  }

  /// One profile of a chain, before merging.
  private struct ChainLink {
    let name: String
    /// The profile's config-file section, if it has one.
    let section: INISection?
    /// The section's `source_profile`, if set.
    let sourceProfile: Setting<String>?

    var isSelfSourced: Bool { sourceProfile?.value == name }
  }

  private func chainLink(named name: String, reference: SourceReference?) throws(ProfileError)
    -> ChainLink
  {
    let section = configSection(named: name)
    if section == nil && files.credentials.section(name) == nil {
      if let reference {
        throw ProfileError(
          message: "\(location(of: reference.origin, key: "source_profile")): profile \(Self.quoted(name)) "
            + "(the source of \(Self.quoted(reference.profile))) not found in \(display(files.configPath)) "
            + "or \(display(files.credentialsPath))",
          hint: suggestions(for: name))
      }
      if name != "default" {
        throw ProfileError(
          message: "profile \(Self.quoted(name)) not found in \(display(files.configPath))",
          hint: suggestions(for: name))
      }
    }
    var sourceProfile: Setting<String>?
    if let section, let entry = section.entry("source_profile"), !entry.value.isEmpty {
      sourceProfile = Setting(
        entry.value,
        origin: .file(path: files.config.path, section: section.name, line: entry.line))
    }
    return ChainLink(name: name, section: section, sourceProfile: sourceProfile)
  }

  // MARK: - Merging

  /// Resolves one profile whose source profile (if any) is already resolved as `source`, with
  /// the source's config section for attribute inheritance.
  private func build(
    name: String, section: INISection?, isSelfSourced: Bool,
    source: (profile: ResolvedProfile, section: INISection?)?, overrides: ProfileSettings,
    appliesOverrides: Bool
  ) throws(ProfileError) -> ResolvedProfile {
    var settings = ProfileSettings()
    settings.overlay(defaultLayer, includingChainKeys: false)
    // A `[default]` source adds nothing to the `[default]` layer already applied.
    if let sourceSection = source?.section, source?.profile.name != "default" {
      try Self.apply(sourceSection, from: files.config, to: &settings, includingChainKeys: false)
    }
    if let section {
      try Self.apply(section, from: files.config, to: &settings, includingChainKeys: true)
    }
    try attachServiceEndpoints(to: &settings)
    settings.overlay(environmentLayer)
    if appliesOverrides { settings.overlay(overrides) }
    try validateRoleARNs(in: settings)

    let staticCredentials =
      !settings.roleArn.isPresent || isSelfSourced ? staticCredentials(forProfile: name) : nil

    // A hop in a role chain gets its credentials from the role below it, so identity-provider
    // URLs it merely inherits (they describe how the source logs in) do not make it a SAML or
    // OIDC profile; only its own section, the environment or a flag can.
    let kind: ProfileKind
    if settings.roleArn.isPresent, source?.profile.settings.roleArn.isPresent == true {
      if Self.sets("saml_auth_url", in: section) || Self.isSet(environmentLayer.samlAuthURL)
        || (appliesOverrides && Self.isSet(overrides.samlAuthURL))
      {
        kind = .saml
      } else if Self.sets("web_identity_auth_url", in: section)
        || Self.isSet(environmentLayer.webIdentityAuthURL)
        || (appliesOverrides && Self.isSet(overrides.webIdentityAuthURL))
      {
        kind = .oidc
      } else {
        kind = .role
      }
    } else {
      kind = Self.kind(
        hasSAMLURL: settings.samlAuthURL.isPresent,
        hasWebIdentityURL: settings.webIdentityAuthURL.isPresent,
        hasRoleARN: settings.roleArn.isPresent, isRoleARNProfile: false)
    }
    // Identity Center keys are read from the profile's own section only, as the AWS CLI does.
    let identityCenter = try IdentityCenterConfiguration.profile(section: section, in: files.config)
    return ResolvedProfile(
      name: name, settings: consume settings, source: isSelfSourced ? nil : source?.profile,
      staticCredentials: staticCredentials, isRoleARNProfile: false,
      kind: kind == .iamUser && identityCenter != nil ? .identityCenter : kind, identityCenter: identityCenter)
  }

  /// Whether `section` sets `key` to a non-empty value.
  private static func sets(_ key: String, in section: INISection?) -> Bool {
    guard let entry = section?.entry(key) else { return false }
    return !entry.value.isEmpty
  }

  /// The client to use for merged settings, in the order of spec §2.7.
  private static func kind(
    hasSAMLURL: Bool, hasWebIdentityURL: Bool, hasRoleARN: Bool, isRoleARNProfile: Bool
  ) -> ProfileKind {
    if hasSAMLURL { return .saml }
    if hasWebIdentityURL { return .oidc }
    if isRoleARNProfile { return .roleARN }
    return hasRoleARN ? .role : .iamUser
  }

  private static func isSet(_ setting: Setting<String>?) -> Bool {
    setting?.value.isEmpty == false
  }

  private func resolveRoleARN(_ arn: String, overrides: ProfileSettings) throws(ProfileError)
    -> ResolvedProfile
  {
    let origin = SettingOrigin.flag("profile argument")
    if let problem = RoleARN.problem(in: arn) {
      throw ProfileError(
        message: "\(origin): invalid role ARN \(Self.quoted(arn)): \(problem)", hint: RoleARN.example)
    }
    if let environmentLayerError { throw environmentLayerError }
    if let defaultLayerError { throw defaultLayerError }
    var settings = ProfileSettings()
    settings.overlay(defaultLayer, includingChainKeys: false)
    try attachServiceEndpoints(to: &settings)
    settings.overlay(environmentLayer)
    settings.overlay(overrides)
    settings.roleArn = Setting(arn, origin: origin)
    try validateRoleARNs(in: settings)
    let kind = Self.kind(
      hasSAMLURL: settings.samlAuthURL.isPresent,
      hasWebIdentityURL: settings.webIdentityAuthURL.isPresent,
      hasRoleARN: true, isRoleARNProfile: true)
    return ResolvedProfile(
      name: "", settings: settings, source: nil,
      staticCredentials: staticCredentials(forProfile: "default"), isRoleARNProfile: true,
      kind: kind)
  }

  /// Fills `serviceEndpoints` from the `[services name]` section named by `services`.
  private func attachServiceEndpoints(to settings: inout ProfileSettings) throws(ProfileError) {
    guard let servicesSetting = settings.servicesSection else { return }
    let sectionName = "services " + servicesSetting.value
    guard let section = files.config.section(sectionName) else {
      throw ProfileError(
        message: "\(location(of: servicesSetting.origin, key: "services")): no [\(TerminalText.excerpt(sectionName))] "
          + "section in \(display(files.configPath))")
    }
    for entry in section.entries {
      guard let endpoint = entry.subEntry("endpoint_url"), !endpoint.value.isEmpty else { continue }
      settings.serviceEndpoints[Self.lowercased(entry.key)] = Setting(
        endpoint.value,
        origin: .file(path: files.config.path, section: section.name, line: endpoint.line))
    }
  }

  private func validateRoleARNs(in settings: ProfileSettings) throws(ProfileError) {
    try validateRoleARN(settings.roleArn, key: "role_arn")
    try validateRoleARN(settings.jumpRoleArn, key: "jump_role_arn")
  }

  private func validateRoleARN(_ setting: Setting<String>?, key: String) throws(ProfileError) {
    // The setting itself is unwrapped (copied) only on the error path.
    guard let value = setting?.value, let problem = RoleARN.problem(in: value), let setting else {
      return
    }
    throw ProfileError(
      message: "\(location(of: setting.origin, key: key)): invalid role ARN \(Self.quoted(setting.value)): "
        + problem,
      hint: RoleARN.example)
  }

  // MARK: - Static credentials

  /// The keys of the profile's credentials-file section, else of its config-file section.
  private func staticCredentials(forProfile name: String) -> StaticCredentials? {
    if let section = files.credentials.section(name),
      let keys = Self.keys(in: section, path: files.credentials.path)
    {
      return keys
    }
    if let section = configSection(named: name),
      let keys = Self.keys(in: section, path: files.config.path)
    {
      return keys
    }
    return nil
  }

  private static func keys(in section: INISection, path: String) -> StaticCredentials? {
    var accessKeyID: INIEntry?
    var secretAccessKey: INIEntry?
    var sessionToken: INIEntry?
    for entry in section.entries where !entry.value.isEmpty {
      switch entry.key.utf8.count {
      case 17:
        if asciiCaseInsensitiveEquals(entry.key, "aws_access_key_id") {
          accessKeyID = entry
        } else if asciiCaseInsensitiveEquals(entry.key, "aws_session_token") {
          sessionToken = entry
        }
      case 21:
        if asciiCaseInsensitiveEquals(entry.key, "aws_secret_access_key") {
          secretAccessKey = entry
        }
      default:
        break
      }
    }
    guard let located = accessKeyID ?? secretAccessKey else { return nil }
    return StaticCredentials(
      accessKeyID: accessKeyID?.value ?? "", secretAccessKey: secretAccessKey?.value ?? "",
      sessionToken: sessionToken?.value,
      origin: .file(path: path, section: section.name, line: located.line))
  }

  // MARK: - Reading layers

  /// The config-file section of profile `name`.
  private func configSection(named name: String) -> INISection? {
    guard let position = configSectionPositions[name] else { return nil }
    return files.config.sections[position]
  }

  /// Maps profile names to their sections: `[profile name]` wins over `[name]`, except that
  /// `[default]` wins over `[profile default]`. Typed sections (`[services x]`,
  /// `[sso-session x]`), `[plugins]` and go-ini's `[DEFAULT]` are not profiles.
  private static func indexProfileSections(of config: INIFile) -> [String: Int] {
    var positions: [String: Int] = [:]
    positions.reserveCapacity(config.sections.count)
    for (position, section) in config.sections.enumerated() {
      guard let profile = profileName(ofConfigSection: section.name) else { continue }
      let isPrefixed = section.name.utf8.count != profile.utf8.count
      // [profile x] beats [x], except that [default] beats [profile default].
      let wins = isPrefixed ? profile != "default" : profile == "default"
      if wins || positions[profile] == nil { positions[profile] = position }
    }
    return positions
  }

  /// The profile a config-file section defines: `x` for `[profile x]` and for a bare `[x]`;
  /// `nil` for typed sections (`[services x]`, `[sso-session x]`), `[plugins]` and go-ini's
  /// `[DEFAULT]`.
  private static func profileName(ofConfigSection name: String) -> String? {
    if name.hasPrefix("profile ") { return String(name.dropFirst("profile ".count)) }
    guard !name.utf8.contains(UInt8(ascii: " ")), name != "plugins", name != "DEFAULT" else {
      return nil
    }
    return name
  }

  /// What a recognised key sets.
  private enum Field: Equatable {
    case text(ProfileSettings.TextKey)
    case sessionTokenDuration, credentialsDuration, durationSeconds
  }

  /// The setting a lowercase config key sets. Keys are told apart by length first, so each
  /// lookup makes one or two string comparisons; this runs for every entry of every section
  /// that a resolution reads.
  private static func field(forKey key: String) -> Field? {
    switch key.utf8.count {
    case 6:
      if key == "region" { return .text(.region) }
    case 8:
      if key == "role_arn" { return .text(.roleArn) }
      if key == "mfa_type" { return .text(.mfaType) }
      if key == "services" { return .text(.servicesSection) }
    case 10:
      if key == "mfa_serial" { return .text(.mfaSerial) }
    case 11:
      if key == "external_id" { return .text(.externalId) }
      if key == "mfa_process" { return .text(.mfaProcess) }
    case 12:
      if key == "auth_browser" { return .text(.authBrowser) }
      if key == "endpoint_url" { return .text(.endpointURL) }
    case 13:
      if key == "jump_role_arn" { return .text(.jumpRoleArn) }
      if key == "saml_auth_url" { return .text(.samlAuthURL) }
      if key == "saml_username" { return .text(.samlUsername) }
      if key == "saml_provider" { return .text(.samlProvider) }
    case 14:
      if key == "source_profile" { return .text(.sourceProfile) }
      if key == "saml_entity_id" { return .text(.samlEntityID) }
    case 16:
      if key == "duration_seconds" { return .durationSeconds }
    case 17:
      if key == "role_session_name" { return .text(.roleSessionName) }
    case 18:
      if key == "saml_auth_entityid" { return .text(.samlEntityID) }
      if key == "federated_username" { return .text(.federatedUsername) }
    case 20:
      if key == "credentials_duration" { return .credentialsDuration }
    case 21:
      if key == "web_identity_auth_url" { return .text(.webIdentityAuthURL) }
      if key == "web_identity_username" { return .text(.webIdentityUsername) }
      if key == "web_identity_provider" { return .text(.webIdentityProvider) }
    case 22:
      if key == "session_token_duration" { return .sessionTokenDuration }
      if key == "web_identity_client_id" { return .text(.webIdentityClientID) }
      if key == "sts_regional_endpoints" { return .text(.stsRegionalEndpoints) }
    case 23:
      if key == "web_identity_token_file" { return .text(.webIdentityTokenFile) }
    case 25:
      if key == "web_identity_redirect_uri" { return .text(.webIdentityRedirectURI) }
      if key == "web_identity_callback_uri" { return .text(.webIdentityRedirectURI) }
    default:
      break
    }
    return nil
  }

  private static let environmentFields: [(variable: String, field: Field)] = [
    ("MFA_SERIAL", .text(.mfaSerial)),
    ("MFA_TYPE", .text(.mfaType)),
    ("MFA_PROCESS", .text(.mfaProcess)),
    ("EXTERNAL_ID", .text(.externalId)),
    ("AWS_ROLE_SESSION_NAME", .text(.roleSessionName)),
    ("SESSION_TOKEN_DURATION", .sessionTokenDuration),
    ("CREDENTIALS_DURATION", .credentialsDuration),
    ("DURATION_SECONDS", .durationSeconds),
    ("JUMP_ROLE_ARN", .text(.jumpRoleArn)),
    ("SAML_AUTH_URL", .text(.samlAuthURL)),
    ("SAML_ENTITYID", .text(.samlEntityID)),
    ("SAML_USERNAME", .text(.samlUsername)),
    ("SAML_PROVIDER", .text(.samlProvider)),
    ("WEB_IDENTITY_AUTH_URL", .text(.webIdentityAuthURL)),
    ("WEB_IDENTITY_USERNAME", .text(.webIdentityUsername)),
    ("WEB_IDENTITY_PROVIDER", .text(.webIdentityProvider)),
    ("AWS_WEB_IDENTITY_TOKEN_FILE", .text(.webIdentityTokenFile)),
    ("WEB_IDENTITY_CLIENT_ID", .text(.webIdentityClientID)),
    ("WEB_IDENTITY_REDIRECT_URI", .text(.webIdentityRedirectURI)),
    ("FEDERATED_USERNAME", .text(.federatedUsername)),
    ("AUTH_BROWSER", .text(.authBrowser)),
    ("AWS_ENDPOINT_URL", .text(.endpointURL)),
    ("AWS_STS_REGIONAL_ENDPOINTS", .text(.stsRegionalEndpoints)),
  ]

  /// Sets the recognised keys of a config-file section on `settings`, later lines winning;
  /// invalid durations and numbers are errors that point at their line. Sections are applied
  /// straight onto the merged settings, lowest precedence first, rather than read into layers
  /// and merged, which would copy every setting twice.
  private static func apply(
    _ section: INISection, from file: INIFile, to settings: inout ProfileSettings,
    includingChainKeys: Bool
  ) throws(ProfileError) {
    for entry in section.entries where !entry.value.isEmpty {
      let key = lowercased(entry.key)
      guard let field = field(forKey: key) else { continue }
      if !includingChainKeys && (field == .text(.roleArn) || field == .text(.sourceProfile)) {
        continue
      }
      let origin = SettingOrigin.file(path: file.path, section: section.name, line: entry.line)
      var location: String { "\(file.path):\(entry.line): \(entry.key)" }
      switch field {
      case .sessionTokenDuration, .credentialsDuration:
        let duration: Duration
        do {
          duration = try GoDuration.parse(entry.value)
        } catch {
          throw ProfileError(message: "\(location): \(error)")
        }
        // Zero means unset, as in the Go tool: it never replaces an inherited value.
        if duration != .zero { set(duration, origin: origin, field: field, in: &settings) }
      case .durationSeconds:
        guard let seconds = Int(entry.value) else {
          throw ProfileError(
            message: "\(location): expected a whole number of seconds, found \(Self.quoted(entry.value))")
        }
        if seconds != 0 { settings.durationSeconds = Setting(seconds, origin: origin) }
      case .text(let key):
        settings[key] = Setting(entry.value, origin: origin)
      }
    }
  }

  /// The environment-variable layer (spec §2.2). Empty values are ignored; durations may be an
  /// integer count of nanoseconds (as the Go tool read them) or Go syntax.
  private static func environmentSettings(_ environment: [String: String]) throws(ProfileError)
    -> ProfileSettings
  {
    var settings = ProfileSettings()
    if let region = environment["AWS_REGION"], !region.isEmpty {
      settings.region = Setting(region, origin: .environment("AWS_REGION"))
    } else if let region = environment["AWS_DEFAULT_REGION"], !region.isEmpty {
      settings.region = Setting(region, origin: .environment("AWS_DEFAULT_REGION"))
    }
    for (variable, field) in environmentFields {
      guard let value = environment[variable], !value.isEmpty else { continue }
      let origin = SettingOrigin.environment(variable)
      switch field {
      case .sessionTokenDuration, .credentialsDuration:
        let duration: Duration
        if let nanoseconds = Int64(value) {
          duration = .nanoseconds(nanoseconds)
        } else {
          do {
            duration = try GoDuration.parse(value)
          } catch {
            throw ProfileError(message: "\(origin): \(error)")
          }
        }
        set(duration, origin: origin, field: field, in: &settings)
      case .durationSeconds:
        guard let seconds = Int(value) else {
          throw ProfileError(
            message: "\(origin): expected a whole number of seconds, found \(Self.quoted(value))")
        }
        settings.durationSeconds = Setting(seconds, origin: origin)
      case .text(let key):
        settings[key] = Setting(value, origin: origin)
      }
    }
    let servicePrefix = "AWS_ENDPOINT_URL_"
    for (variable, value) in environment where variable.hasPrefix(servicePrefix) && !value.isEmpty {
      let service = lowercased(String(variable.dropFirst(servicePrefix.count)))
      guard !service.isEmpty else { continue }
      settings.serviceEndpoints[service] = Setting(value, origin: .environment(variable))
    }
    return settings
  }

  private static func set(
    _ duration: Duration, origin: SettingOrigin, field: Field, in settings: inout ProfileSettings
  ) {
    let setting = Setting(duration, origin: origin)
    if field == .sessionTokenDuration {
      settings.sessionTokenDuration = setting
    } else {
      settings.credentialsDuration = setting
    }
  }

  /// ASCII lowercase, without allocating for keys that are lowercase already (nearly all).
  static func lowercased(_ key: String) -> String {
    guard key.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else {
      return key
    }
    return String(decoding: key.utf8.map(asciiLowercased), as: UTF8.self)
  }

  // MARK: - Messages

  /// A value from a file, the environment or the command line in quotes, cut and escaped.
  static func quoted(_ value: String) -> String {
    "\"" + TerminalText.excerpt(value, limit: 100) + "\""
  }

  /// `a -> b -> a`; a long loop shows its start and end only.
  static func describeLoop(_ names: [String]) -> String {
    let shown =
      names.count <= 8
      ? names.map { TerminalText.excerpt($0, limit: 64) }
      : names.prefix(4).map { TerminalText.excerpt($0, limit: 64) } + ["… \(names.count - 7) more …"]
        + names.suffix(3).map { TerminalText.excerpt($0, limit: 64) }
    return shown.joined(separator: " -> ")
  }

  /// `path:line: key` for a file origin, else the origin's description.
  private func location(of origin: SettingOrigin, key: String) -> String {
    if case .file(let path, _, let line) = origin { return "\(path):\(line): \(key)" }
    return origin.description
  }

  /// The origin as ``SettingOrigin/description`` shows it, with `HOME` taken from the
  /// resolver's environment rather than the process's.
  private func describe(_ origin: SettingOrigin) -> String {
    if case .file(let path, let section, let line) = origin {
      return "\(display(path)) [\(section)] line \(line)"
    }
    return origin.description
  }

  /// `path` with the home directory shown as `~`.
  private func display(_ path: String) -> String {
    SettingOrigin.abbreviatingHome(in: path, home: environment["HOME"] ?? "")
  }

  /// Up to five profile names close to `name`, else the first five known names.
  private func suggestions(for name: String) -> String {
    let known = profileNames
    if known.isEmpty {
      return "no profiles are defined in \(display(files.configPath)) or "
        + "\(display(files.credentialsPath))"
    }
    let target = Array(name.lowercased().utf8)
    let threshold = max(2, target.count / 3)
    let close =
      known
      .map { candidate -> (name: String, distance: Int) in
        let lowered = candidate.lowercased()
        let related = lowered.hasPrefix(name.lowercased()) || name.lowercased().hasPrefix(lowered)
        return (
          candidate, related ? 0 : editDistance(target, Array(lowered.utf8), limit: threshold)
        )
      }
      .filter { $0.distance <= threshold }
      .sorted { ($0.distance, $0.name) < ($1.distance, $1.name) }
    if !close.isEmpty {
      return "did you mean: " + close.prefix(5).map { TerminalText.excerpt($0.name, limit: 64) }.joined(separator: ", ")
    }
    let shown = known.prefix(5).map { TerminalText.excerpt($0, limit: 64) }.joined(separator: ", ")
    return "known profiles: " + shown + (known.count > 5 ? ", …" : "")
  }

  /// Levenshtein distance, giving up (returning `limit + 1`) once it must exceed `limit`.
  private func editDistance(_ lhs: [UInt8], _ rhs: [UInt8], limit: Int) -> Int {
    if abs(lhs.count - rhs.count) > limit { return limit + 1 }
    var previous = Array(0...rhs.count)
    var current = [Int](repeating: 0, count: rhs.count + 1)
    for (row, left) in lhs.enumerated() {
      current[0] = row + 1
      var rowMinimum = current[0]
      for (column, right) in rhs.enumerated() {
        let substitution = previous[column] + (left == right ? 0 : 1)
        current[column + 1] = min(substitution, previous[column + 1] + 1, current[column] + 1)
        rowMinimum = min(rowMinimum, current[column + 1])
      }
      if rowMinimum > limit { return limit + 1 }
      swap(&previous, &current)
    }
    return previous[rhs.count]
  }
}

/// Role ARN validation: `arn:<partition>:iam::<12-digit account>:role/<optional path/><name>`.
enum RoleARN {
  /// Shown as a hint after a malformed ARN.
  static let example = "a role ARN looks like arn:aws:iam::123456789012:role/name"

  /// What is wrong with `arn`, or `nil` when it is a well-formed IAM role ARN.
  static func problem(in arn: String) -> String? {
    var arn = arn
    return arn.withUTF8 { problem(inBytes: $0) }
  }

  private static func problem(inBytes bytes: UnsafeBufferPointer<UInt8>) -> String? {
    // The six parts arn:partition:service:region:account:resource, found without allocating.
    var colons = (0, 0, 0, 0, 0)
    var found = 0
    var position = 0
    while position < bytes.count && found < 5 {
      if bytes[position] == UInt8(ascii: ":") {
        switch found {
        case 0: colons.0 = position
        case 1: colons.1 = position
        case 2: colons.2 = position
        case 3: colons.3 = position
        default: colons.4 = position
        }
        found += 1
      }
      position += 1
    }
    guard found == 5 else { return "expected 6 colon-separated parts starting with \"arn:\"" }
    let prefix = 0..<colons.0
    let partition = (colons.0 + 1)..<colons.1
    let service = (colons.1 + 1)..<colons.2
    let region = (colons.2 + 1)..<colons.3
    let account = (colons.3 + 1)..<colons.4
    let resource = (colons.4 + 1)..<bytes.count
    func text(_ range: Range<Int>) -> String {
      TerminalText.excerpt(String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self), limit: 64)
    }
    func equals(_ range: Range<Int>, _ expected: StaticString) -> Bool {
      guard range.count == expected.utf8CodeUnitCount else { return false }
      let pointer = expected.utf8Start
      for (offset, position) in range.enumerated() where bytes[position] != pointer[offset] {
        return false
      }
      return true
    }
    func isLowercaseLetter(_ byte: UInt8) -> Bool {
      byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")
    }
    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    guard equals(prefix, "arn") else {
      return "expected 6 colon-separated parts starting with \"arn:\""
    }
    let partitionIsValid =
      equals(partition, "aws")
      || (partition.count > 4 && equals(partition.lowerBound..<partition.lowerBound + 4, "aws-")
        && partition.allSatisfy { isLowercaseLetter(bytes[$0]) || bytes[$0] == UInt8(ascii: "-") })
    guard partitionIsValid else { return "unknown partition \"\(text(partition))\"" }
    guard equals(service, "iam") else {
      return "service is \"\(text(service))\", a role ARN's service is \"iam\""
    }
    guard region.isEmpty else { return "a role ARN has no region, found \"\(text(region))\"" }
    guard account.count == 12, account.allSatisfy({ isDigit(bytes[$0]) }) else {
      return "account ID must be 12 digits, found \"\(text(account))\""
    }
    guard resource.count >= 5, equals(resource.lowerBound..<resource.lowerBound + 5, "role/") else {
      return "resource must be role/<name>, found \"\(text(resource))\""
    }
    let pathAndName = (resource.lowerBound + 5)..<resource.upperBound
    var nameStart = pathAndName.lowerBound
    for position in pathAndName where bytes[position] == UInt8(ascii: "/") {
      nameStart = position + 1
    }
    let nameLength = pathAndName.upperBound - nameStart
    guard nameLength > 0 else { return "role name is empty" }
    guard nameLength <= 64 else { return "role name is longer than 64 characters" }
    let allowed = pathAndName.allSatisfy { position in
      let byte = bytes[position]
      if isLowercaseLetter(byte) || isDigit(byte) { return true }
      if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { return true }
      switch byte {
      case UInt8(ascii: "+"), UInt8(ascii: "="), UInt8(ascii: ","), UInt8(ascii: "."),
        UInt8(ascii: "@"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "/"):
        return true
      default:
        return false
      }
    }
    guard allowed else {
      return "role path and name may contain only letters, digits and +=,.@_-/"
    }
    return nil
  }
}

/// Resolved profiles by name, shared between resolutions and threads.
private final class ResolvedProfileCache: @unchecked Sendable {
  // @unchecked: every access to `profiles` holds `mutex`.
  private let mutex: UnsafeMutablePointer<pthread_mutex_t>
  private var profiles: [String: ResolvedProfile] = [:]

  init() {
    mutex = .allocate(capacity: 1)
    mutex.initialize(to: pthread_mutex_t())
    pthread_mutex_init(mutex, nil)
  }

  deinit {
    pthread_mutex_destroy(mutex)
    mutex.deinitialize(count: 1)
    mutex.deallocate()
  }

  subscript(name: String) -> ResolvedProfile? {
    get {
      pthread_mutex_lock(mutex)
      defer { pthread_mutex_unlock(mutex) }
      return profiles[name]
    }
    set {
      pthread_mutex_lock(mutex)
      defer { pthread_mutex_unlock(mutex) }
      profiles[name] = newValue
    }
  }
}

extension Optional {
  /// Whether a value is present. Unlike `!= nil`, which copies (and retains) an `Equatable`
  /// wrapped value before comparing, a pattern match only reads the tag.
  fileprivate var isPresent: Bool {
    if case .some = self { return true }
    return false
  }
}
