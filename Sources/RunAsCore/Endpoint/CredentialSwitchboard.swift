#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The active profile of a long-running credential server (`serve ecs`, `serve ec2`, the TUI's
/// switchboard) and its credentials, switchable while clients keep asking.
///
/// Every switch builds a new credential source; nothing of the previous profile is reused, so a
/// switch can never leave the old profile's credentials behind (upstream issue #76). A request
/// that is waiting for credentials while a switch completes gets the new profile's credentials,
/// not the old ones.
public actor CredentialSwitchboard {
  /// Builds an engine over freshly read configuration files.
  public typealias EngineFactory = @Sendable () throws -> RunAsEngine

  /// The profile being served.
  public struct ActiveProfile: Sendable {
    /// The name the profile was selected by.
    public let name: String
    /// The profile as resolved when it was selected.
    public let profile: ResolvedProfile
    /// Its credential chain (interactive), for clearing the cache on `/refresh`.
    let provider: any CredentialProvider
    /// Where that chain gets MFA codes, for the source built on `/refresh`.
    let mfa: MFACodeSource
    /// The credentials served, refreshed ahead of expiry.
    let source: RefreshingCredentials
    /// Increases with every switch.
    let generation: Int
  }

  private let makeEngine: EngineFactory
  private let overrides: ProfileSettings
  private let sessionOnly: Bool
  private let prompter: any Prompter
  private var presetMFACode: String?
  private var active: ActiveProfile?
  private var generation = 0

  /// Creates a switchboard with no active profile.
  ///
  /// - Parameters:
  ///   - overrides: Profile settings from flags, applied to every profile.
  ///   - sessionOnly: Serve session-token credentials instead of role credentials (`-s`).
  ///   - presetMFACode: A code given with `-o`, used for the first profile only (codes are single-use).
  ///   - prompter: Asks for MFA codes when a profile needs one and it cannot be had quietly.
  ///   - makeEngine: Loads the configuration; called on every switch by name and every refresh, so
  ///     edits to the files apply.
  public init(
    overrides: ProfileSettings = ProfileSettings(), sessionOnly: Bool = false, presetMFACode: String? = nil,
    prompter: any Prompter, makeEngine: @escaping EngineFactory
  ) {
    self.overrides = overrides
    self.sessionOnly = sessionOnly
    self.presetMFACode = presetMFACode
    self.prompter = prompter
    self.makeEngine = makeEngine
  }

  /// The profile being served, if one was selected.
  public var activeProfile: ActiveProfile? { active }

  /// Selects `name`: re-reads the configuration, resolves the profile, gets its credentials
  /// (prompting if needed) and only then makes it the active profile.
  ///
  /// - Returns: The resolved profile.
  /// - Throws: ``ProfileError`` for an unknown or broken profile, or what fetching credentials throws;
  ///   the previous profile stays active then.
  @discardableResult
  public func activate(_ name: String) async throws -> ResolvedProfile {
    generation += 1
    let mine = generation
    let engine = try makeEngine()
    let profile = try engine.resolve(name, overrides: overrides)
    let code = presetMFACode
    presetMFACode = nil
    let mfa = MFACodeSource(presetCode: code, prompter: prompter)
    let interactive = try engine.provider(for: profile, sessionOnly: sessionOnly, mfa: mfa)
    // Cached credentials with a minute left are enough to switch; the source renews them before
    // they are served if they are inside the refresh margin.
    let initial = try await interactive.credentials(validFor: .seconds(60))
    let source = try engine.refreshingCredentials(
      for: profile, sessionOnly: sessionOnly, mfa: MFACodeSource(presetCode: nil, prompter: prompter),
      initial: initial)
    // A later switch that finished first wins.
    if mine == generation {
      active = ActiveProfile(
        name: name, profile: profile, provider: interactive, mfa: mfa, source: source, generation: mine)
    }
    return profile
  }

  /// Makes `name` the active profile at once, resolved with `engine` (the configuration the
  /// caller already shows, as the TUI's `a` key does): its credentials are fetched by the first
  /// request, which asks `prompter` for an MFA code if one is needed.
  ///
  /// - Returns: The resolved profile.
  /// - Throws: ``ProfileError`` for an unknown or broken profile; the previous profile stays
  ///   active then.
  @discardableResult
  public func activate(_ name: String, engine: RunAsEngine, prompter: any Prompter) throws -> ResolvedProfile {
    let profile = try engine.resolve(name, overrides: overrides)
    let mfa = MFACodeSource(presetCode: nil, prompter: prompter)
    let interactive = try engine.provider(for: profile, sessionOnly: sessionOnly, mfa: mfa)
    let source = try engine.refreshingCredentials(for: profile, sessionOnly: sessionOnly, mfa: mfa)
    generation += 1
    active = ActiveProfile(
      name: name, profile: profile, provider: interactive, mfa: mfa, source: source, generation: generation)
    return profile
  }

  /// The active profile's name and credentials.
  ///
  /// - Throws: ``NoActiveProfile`` before a profile is selected, or what refreshing throws.
  public func credentials() async throws -> (profile: String, credentials: AWSCredentials) {
    while true {
      guard let current = active else { throw NoActiveProfile() }
      let credentials = try await current.source.credentials()
      // A switch may have completed while this request waited: serve the new profile then.
      if active?.generation == current.generation { return (current.name, credentials) }
    }
  }

  /// Credentials for `name`, resolved afresh, without changing the active profile
  /// (`GET /credentials/<profile>`). Never prompts.
  ///
  /// - Throws: ``ProfileError`` for an unknown profile, ``PromptUnavailable`` when MFA is needed.
  public func credentials(forProfile name: String) async throws -> AWSCredentials {
    let engine = try makeEngine()
    let profile = try engine.resolve(name, overrides: overrides)
    let provider = try engine.provider(
      for: profile, sessionOnly: sessionOnly, mfa: MFACodeSource(presetCode: nil, prompter: NoPrompter()))
    return try await provider.credentials(validFor: RunAsEngine.refreshMargin)
  }

  /// Discards the active profile's cached credentials (the outermost step, as `-r` does), so
  /// the next request gets new ones from STS.
  ///
  /// - Throws: ``NoActiveProfile`` before a profile is selected, or a file error.
  public func refresh() throws {
    guard let current = active else { throw NoActiveProfile() }
    try current.provider.clearCache()
    let engine = try makeEngine()
    let source = try engine.refreshingCredentials(
      for: current.profile, sessionOnly: sessionOnly, mfa: current.mfa)
    active = ActiveProfile(
      name: current.name, profile: current.profile, provider: current.provider, mfa: current.mfa,
      source: source, generation: current.generation)
  }

  /// The configured profiles, split as the management API lists them: those with a `role_arn`
  /// (`/list-roles`) and the others, which can be source profiles (`/list-profiles`).
  public func profileLists() throws -> (roles: [String], others: [String]) {
    let engine = try makeEngine()
    var roles: [String] = []
    var others: [String] = []
    for (name, result) in engine.resolver.resolveAllProfiles() {
      guard case .success(let profile) = result else { continue }
      if profile.settings.roleArn != nil { roles.append(name) } else { others.append(name) }
    }
    return (roles, others)
  }
}

/// A credential request arrived before any profile was selected.
public struct NoActiveProfile: UserFacingError, Sendable {
  /// Creates the error.
  public init() {}
  /// What went wrong.
  public var message: String { "no profile selected" }
  /// How to select one.
  public var hint: String? { "POST a profile name to /profile" }
}
