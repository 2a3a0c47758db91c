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
      environmentLayer = try ProfileKeys.environmentSettings(environment)
      environmentLayerError = nil
    } catch {
      environmentLayer = ProfileSettings()
      environmentLayerError = error
    }
    do {
      if let position = configSectionPositions["default"] {
        let section = files.config.sections[position]
        var settings = ProfileSettings()
        try ProfileKeys.apply(section, from: files.config, to: &settings, includingChainKeys: true)
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
    // Where each name is in `links`, kept once the chain outgrows a direct search, so that a
    // loop is found in one lookup per link however long the chain.
    var linkPositions: [String: Int] = [:]
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
      let loopStart: Int?
      if links.count <= Self.directLoopSearchLimit {
        loopStart = links.firstIndex { $0.name == sourceName }
      } else {
        if linkPositions.isEmpty {
          for (position, earlier) in links.enumerated() { linkPositions[earlier.name] = position }
        } else {
          linkPositions[link.name] = links.count - 1
        }
        loopStart = linkPositions[sourceName]
      }
      if let loopStart {
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

  /// Chains up to this long (nearly all) are searched for a loop link by link, which costs less
  /// than keeping a table of names.
  private static let directLoopSearchLimit = 16

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
      try ProfileKeys.apply(sourceSection, from: files.config, to: &settings, includingChainKeys: false)
    }
    if let section {
      try ProfileKeys.apply(section, from: files.config, to: &settings, includingChainKeys: true)
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
      } else if Self.sets("web_identity_auth_url", in: section) || Self.sets("web_identity_token_file", in: section)
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
        hasWebIdentityURL: settings.webIdentityAuthURL.isPresent || Self.isInFile(settings.webIdentityTokenFile),
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

  /// Whether `setting` comes from a configuration file: `web_identity_token_file` there makes a
  /// role profile an OIDC one (the SDK convention); `AWS_WEB_IDENTITY_TOKEN_FILE` alone, set for
  /// the whole environment (EKS), does not turn every role profile into one.
  private static func isInFile(_ setting: Setting<String>?) -> Bool {
    guard let setting, !setting.value.isEmpty, case .file = setting.origin else { return false }
    return true
  }

  private static func isSet(_ setting: Setting<String>?) -> Bool {
    setting?.value.isEmpty == false
  }

  private func resolveRoleARN(_ arn: String, overrides: ProfileSettings) throws(ProfileError)
    -> ResolvedProfile
  {
    let origin = SettingOrigin.flag("profile argument")
    if let problem = RoleARN.problem(in: arn) {
      let error = RoleARNError(arn: arn, problem: problem)
      throw ProfileError(message: "\(origin): \(error.message)", hint: error.hint)
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
      hasWebIdentityURL: settings.webIdentityAuthURL.isPresent || Self.isInFile(settings.webIdentityTokenFile),
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
      settings.serviceEndpoints[ProfileKeys.lowercased(entry.key)] = Setting(
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
    let error = RoleARNError(arn: setting.value, problem: problem)
    throw ProfileError(message: "\(location(of: setting.origin, key: key)): \(error.message)", hint: error.hint)
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

  /// The hint after the unknown profile `name` (see ``ProfileSuggestions``).
  private func suggestions(for name: String) -> String {
    ProfileSuggestions.hint(
      for: name, among: profileNames, configFile: display(files.configPath),
      credentialsFile: display(files.credentialsPath))
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
