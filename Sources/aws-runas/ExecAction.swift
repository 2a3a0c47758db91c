import Logging
import RunAsCore

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
#if canImport(Glibc)
  import Glibc
#endif

/// The default action: resolve the profile, get credentials, then print them or run a command.
struct ExecAction {
  let arguments: [String]
  let options: EffectiveOptions
  let environment: [String: String]
  let logger: Logger

  /// The profile and command from the positional arguments and `AWS_PROFILE` (spec §1.3).
  static func discover(arguments: [String], environment: [String: String]) -> (profile: String?, command: [String]) {
    let fromEnvironment =
      environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
      ?? environment["AWS_DEFAULT_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
    if let fromEnvironment {
      // With AWS_PROFILE set every positional argument belongs to the command, except a first
      // argument that repeats the profile name.
      var command = arguments
      if command.first == fromEnvironment { command.removeFirst() }
      return (fromEnvironment, command)
    }
    guard let first = arguments.first else { return (nil, []) }
    return (first, Array(arguments.dropFirst()))
  }

  /// What the default action works on once the profile is resolved.
  struct Plan {
    let profileName: String
    let command: [String]
    let engine: RunAsEngine
    let profile: ResolvedProfile
    let provider: any CredentialProvider
    /// The profile's name as `AWSRUNAS_PROFILE` shows it; `nil` for a role ARN or the default.
    let displayName: String?
  }

  /// Resolves the profile and builds its provider chain, touching no network; `nil` when no
  /// profile is named and the flags do not ask for the default one.
  func plan() throws -> Plan? {
    var (profileName, command) = Self.discover(arguments: arguments, environment: environment)
    if profileName == nil {
      let wantsDefault = options.sessionOnly || options.showExpiration || options.whoami || options.outputJSON
      guard wantsDefault else { return nil }
      profileName = ""
    }
    var engine = try RunAsEngine(environment: environment, logger: logger)
    engine.identityProviderPassword = options.identityProviderPassword
    let profile = try engine.resolve(profileName ?? "", overrides: options.overrides)
    let displayName = profile.isRoleARNProfile ? nil : (profile.name.isEmpty ? nil : profile.name)

    let provider = try engine.provider(
      for: profile, sessionOnly: options.sessionOnly,
      mfa: MFACodeSource(presetCode: options.mfaCode, prompter: TTYPrompter()))
    return Plan(
      profileName: profileName ?? "", command: command, engine: engine, profile: profile, provider: provider,
      displayName: displayName)
  }

  /// The environment for a child command: this one without `AWS_PROFILE`, plus `AWSRUNAS_PROFILE`
  /// for a named profile.
  ///
  /// Built only when a command runs: copying the environment dictionary on the cached-credential
  /// path costs a runtime conformance lookup.
  func childEnvironment(_ plan: Plan) -> [String: String] {
    var result = environment
    result["AWS_PROFILE"] = nil
    result["AWS_DEFAULT_PROFILE"] = nil
    if let displayName = plan.displayName { result["AWSRUNAS_PROFILE"] = displayName }
    return result
  }

  /// The cached-credential path: prints credentials that are in the cache and valid, with no STS
  /// call, no prompt and no concurrency runtime. `nil` when this invocation needs ``run()``:
  /// nothing usable cached, a flag that needs more than printing, `-v` (whose log lines must
  /// not appear twice when ``run()`` takes over), or any error (which ``run()`` reports).
  func runFromCache() -> Int32? {
    guard options.verbosity == 0, !options.refresh, !options.writeCredentials else { return nil }
    guard let plan = try? plan() else { return nil }
    guard options.outputJSON || (plan.command.isEmpty && !options.showExpiration && !options.whoami),
      let credentials = plan.provider.cachedCredentials(validFor: RunAsEngine.refreshMargin)
    else { return nil }
    if options.outputJSON {
      printJSON(credentials)
    } else {
      printEnvironmentScript(credentials, plan: plan)
    }
    return 0
  }

  func run() async throws -> Int32 {
    guard let plan = try plan() else {
      logger.error("nothing to do!")
      print(RunAsCommand.helpText())
      return 1
    }
    let (profile, provider, engine) = (plan.profile, plan.provider, plan.engine)
    if options.refresh {
      try provider.clearCache()
    }
    let credentials = try await provider.credentials(validFor: RunAsEngine.refreshMargin)
    logger.debug("credentials ready for \(profile.displayName), key id \(credentials.accessKeyID)")
    if options.verbosity >= 2 {
      // -vv is the one place secrets may be shown, as the Go tool's debug output did.
      logger.debug(
        "CREDENTIALS: AccessKeyId=\(credentials.accessKeyID) SecretAccessKey=\(credentials.secretAccessKey) SessionToken=\(credentials.sessionToken ?? "")"
      )
    }
    let region = profile.settings.region?.value
    if options.writeCredentials {
      await writeCredentialsFile(credentials, profileName: plan.profileName, engine: engine)
    }

    if options.outputJSON {
      printJSON(credentials)
      return 0
    }
    if options.showExpiration {
      writeToStandardError(CredentialOutput.expirationLine(credentials, now: Date()) + "\n")
    }
    if options.whoami {
      let identity = try await engine.stsService(for: profile).getCallerIdentity(credentials: credentials)
      logger.info("{UserId:\(identity.userID) Arn:\(identity.arn) Account:\(identity.account)}")
    }
    if plan.command.isEmpty {
      printEnvironmentScript(credentials, plan: plan)
      return 0
    }
    return try await runCommand(
      plan.command, profile: profile, engine: engine, credentials: credentials,
      environment: childEnvironment(plan), region: region)
  }

  /// `-O json`: the `credential_process` document.
  private func printJSON(_ credentials: AWSCredentials) {
    writeToStandardOutput(CredentialOutput.credentialProcessJSON(credentials) + "\n")
  }

  /// No command: `eval`-able assignments in the user's shell dialect.
  private func printEnvironmentScript(_ credentials: AWSCredentials, plan: Plan) {
    writeToStandardOutput(
      CredentialOutput.environmentScript(
        credentials, region: plan.profile.settings.region?.value,
        profileName: plan.displayName ?? environment["AWSRUNAS_PROFILE"],
        dialect: ShellDialect.detect(environment: environment)))
  }

  /// `-c`: writes the credentials under `[<profile>-awsrunas]`; a failure is a warning, not an error.
  private func writeCredentialsFile(_ credentials: AWSCredentials, profileName: String, engine: RunAsEngine) async {
    guard !profileName.isEmpty else {
      logger.debug("no profile name, not writing the credentials file")
      return
    }
    let section = CredentialsFileWriter.sectionName(for: profileName)
    do {
      try await CredentialsFileWriter(path: engine.files.credentialsPath).write(credentials, section: section)
      logger.info("Credentials written to AWS credentials file under profile: \(section)")
    } catch {
      logger.warning("could not write the credentials file: \(error)")
    }
  }

  private func runCommand(
    _ command: [String], profile: ResolvedProfile, engine: RunAsEngine, credentials: AWSCredentials,
    environment: [String: String], region: String?
  ) async throws -> Int32 {
    logger.debug("WRAPPED CMD: \(command)")
    if options.useEnvironmentVariables {
      let childEnvironment = ChildEnvironment.make(
        parent: environment, delivery: .environmentVariables(credentials), region: region,
        profileName: environment["AWSRUNAS_PROFILE"], expiration: credentials.expiration)
      return try await ChildProcess.run(command, environment: childEnvironment).exitCode
    }
    // The endpoint refreshes early without prompting; the preset -o code is stale by then.
    let source = try engine.refreshingCredentials(
      for: profile, sessionOnly: options.sessionOnly, mfa: MFACodeSource(presetCode: nil, prompter: TTYPrompter()),
      initial: credentials)
    return try await ChildProcess.runBehindCredentialEndpoint(
      command, source: source, parentEnvironment: environment, region: region,
      profileName: environment["AWSRUNAS_PROFILE"], expiration: credentials.expiration, logger: logger
    ).exitCode
  }
}
