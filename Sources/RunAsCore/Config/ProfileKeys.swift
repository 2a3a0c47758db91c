/// The keys profiles are read from, and what each sets: config-file keys (spec §2.2), their
/// environment variables, and how a section or the environment is applied onto
/// ``ProfileSettings``. ``ProfileResolver`` reads every layer through here.
enum ProfileKeys {
  /// What a recognised key sets.
  enum Field: Equatable {
    case text(ProfileSettings.TextKey)
    case sessionTokenDuration, credentialsDuration, durationSeconds
  }

  /// The setting a lowercase config key sets. Keys are told apart by length first, so each
  /// lookup makes one or two string comparisons; this runs for every entry of every section
  /// that a resolution reads.
  static func field(forKey key: String) -> Field? {
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

  static let environmentFields: [(variable: String, field: Field)] = [
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
  static func apply(
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
            message: "\(location): expected a whole number of seconds, found \(ProfileResolver.quoted(entry.value))")
        }
        if seconds != 0 { settings.durationSeconds = Setting(seconds, origin: origin) }
      case .text(let key):
        settings[key] = Setting(entry.value, origin: origin)
      }
    }
  }

  /// The environment-variable layer (spec §2.2). Empty values are ignored; durations may be an
  /// integer count of nanoseconds (as the Go tool read them) or Go syntax.
  static func environmentSettings(_ environment: [String: String]) throws(ProfileError)
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
            message: "\(origin): expected a whole number of seconds, found \(ProfileResolver.quoted(value))")
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
}
