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

  func run() async throws -> Int32 {
    var (profileName, command) = Self.discover(arguments: arguments, environment: environment)
    if profileName == nil {
      let wantsDefault = options.sessionOnly || options.showExpiration || options.whoami || options.outputJSON
      guard wantsDefault else {
        logger.error("nothing to do!")
        print(RunAsCommand.helpMessage())
        return 1
      }
      profileName = ""
    }
    var childEnvironment = environment
    childEnvironment["AWS_PROFILE"] = nil
    childEnvironment["AWS_DEFAULT_PROFILE"] = nil

    let engine = try RunAsEngine(environment: environment, logger: logger)
    let profile = try engine.resolve(profileName ?? "", overrides: options.overrides)
    let displayName = profile.isRoleARNProfile ? nil : (profile.name.isEmpty ? nil : profile.name)
    if let displayName { childEnvironment["AWSRUNAS_PROFILE"] = displayName }

    let prompter = TTYPrompter()
    let provider = try engine.provider(
      for: profile, sessionOnly: options.sessionOnly,
      mfa: MFACodeSource(presetCode: options.mfaCode, prompter: prompter))
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
      await writeCredentialsFile(credentials, profileName: profileName ?? "", engine: engine)
    }

    if options.outputJSON {
      writeToStandardOutput(CredentialOutput.credentialProcessJSON(credentials) + "\n")
      return 0
    }
    if options.showExpiration {
      writeToStandardError(CredentialOutput.expirationLine(credentials, now: Date()) + "\n")
    }
    if options.whoami {
      let identity = try await engine.stsService(for: profile).getCallerIdentity(credentials: credentials)
      logger.info("{UserId:\(identity.userID) Arn:\(identity.arn) Account:\(identity.account)}")
    }
    if command.isEmpty {
      let dialect = ShellDialect.detect(environment: environment)
      writeToStandardOutput(
        CredentialOutput.environmentScript(
          credentials, region: region, profileName: childEnvironment["AWSRUNAS_PROFILE"], dialect: dialect))
      return 0
    }
    return try await runCommand(
      command, profile: profile, provider: provider, engine: engine, credentials: credentials,
      environment: childEnvironment, region: region)
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
    _ command: [String], profile: ResolvedProfile, provider: any CredentialProvider, engine: RunAsEngine,
    credentials: AWSCredentials, environment: [String: String], region: String?
  ) async throws -> Int32 {
    logger.debug("WRAPPED CMD: \(command)")
    if options.useEnvironmentVariables {
      let childEnvironment = ChildEnvironment.make(
        parent: environment, delivery: .environmentVariables(credentials), region: region,
        profileName: environment["AWSRUNAS_PROFILE"], expiration: credentials.expiration)
      return try await ChildProcess.run(command, environment: childEnvironment).exitCode
    }
    // The endpoint refreshes early without prompting; the preset -o code is stale by then.
    let quiet = try engine.provider(
      for: profile, sessionOnly: options.sessionOnly, mfa: MFACodeSource(presetCode: nil, prompter: NoPrompter()))
    let interactive = try engine.provider(
      for: profile, sessionOnly: options.sessionOnly,
      mfa: MFACodeSource(presetCode: nil, prompter: TTYPrompter()))
    let source = RefreshingCredentials(quietProvider: quiet, interactiveProvider: interactive, initial: credentials)
    let token = RandomToken.make()
    let server = try await LoopbackHTTPServer.start(
      host: "127.0.0.1", port: 0, handler: ContainerCredentialHandler(token: token, source: source), logger: logger)
    let url = "http://127.0.0.1:\(server.port)/credentials"
    logger.debug("ECS credential endpoint set to \(url)")
    let childEnvironment = ChildEnvironment.make(
      parent: environment, delivery: .endpoint(url: url, token: token), region: region,
      profileName: environment["AWSRUNAS_PROFILE"], expiration: credentials.expiration)
    let termination: ChildProcess.Termination
    do {
      termination = try await ChildProcess.run(command, environment: childEnvironment)
    } catch {
      await server.stop()
      throw error
    }
    await server.stop()
    return termination.exitCode
  }
}
