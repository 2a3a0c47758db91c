import ArgumentParser
import RunAsCore

/// `aws-runas ecr login [profile] [registry …]` (spec §8.4): logs Docker in to ECR registries with
/// the profile's credentials, the password on docker's standard input only.
struct ECRCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ecr",
    abstract: "Log Docker in to ECR registries.",
    usage: usage,
    discussion: """
      A registry is a host such as 123456789012.dkr.ecr.us-east-1.amazonaws.com, or an account ID \
      (its registry in the profile's region). Without one, the profile's own account and region.
      """)

  static let usage = "aws-runas ecr login [profile] [registry|account-id ...]"

  /// The one subcommand.
  enum Action: String, ExpressibleByArgument, CaseIterable {
    case login
  }

  @Argument(help: "login")
  var action: Action

  @Argument(help: "The profile (default: AWS_PROFILE), then registries or account IDs.")
  var arguments: [String] = []

  /// The profile and registry arguments: the first argument is the profile, unless a profile comes
  /// from `AWS_PROFILE` and the first argument looks like a registry or an account ID.
  static func split(_ arguments: [String], environmentProfile: String?) throws -> (
    profile: String, registries: [String]
  ) {
    if let environmentProfile, arguments.first.map(looksLikeRegistry) ?? true {
      return (environmentProfile, arguments)
    }
    guard let profile = arguments.first else {
      throw CommandFailure("missing profile (usage: \(usage))")
    }
    return (profile, Array(arguments.dropFirst()))
  }

  static func looksLikeRegistry(_ argument: String) -> Bool {
    let lowered = argument.lowercased()
    return lowered.hasSuffix(".amazonaws.com") || lowered.hasSuffix(".amazonaws.com.cn")
      || lowered.hasPrefix("https://") || (argument.count == 12 && argument.allSatisfy { $0.isASCII && $0.isNumber })
  }

  func run(global: CommandLineFlags) async throws -> Int32 {
    let context = try CommandContext(flags: global)
    let (profileName, registryArguments) = try Self.split(arguments, environmentProfile: context.profileName(nil))
    let docker = try ECRLogin.locateDocker(environment: context.environment)
    let prepared = try await ProfileCredentials.obtain(context: context, profileName: profileName)
    var registries: [ECRRegistry] = []
    if registryArguments.isEmpty {
      let identity = try await prepared.engine.stsService(for: prepared.profile)
        .getCallerIdentity(credentials: prepared.credentials)
      guard let region = prepared.region, !region.isEmpty else {
        throw CommandFailure("no region for the profile's ECR registry; set region in the profile or AWS_REGION")
      }
      registries.append(try ECRRegistry(accountID: identity.account, region: region))
    } else {
      for argument in registryArguments {
        registries.append(try ECRRegistry(argument: argument, defaultRegion: prepared.region))
      }
    }
    let clients = prepared.clients()
    let login = ECRLogin(
      dockerPath: docker, environment: context.environment,
      authorizationService: { region in try clients.ecr(region: region) }, logger: context.logger)
    var failures = 0
    for registry in registries {
      do {
        try await login.login(to: registry)
      } catch {
        // One line per registry that failed; the others are still tried.
        _ = AWSRunAs.report(error)
        failures += 1
      }
    }
    return failures == 0 ? 0 : 1
  }
}
