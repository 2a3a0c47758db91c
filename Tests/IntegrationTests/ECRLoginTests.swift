import Foundation
import TestSupport
import Testing

/// `ecr login` with the real binary against the emulator's ECR, the stand-in `docker` first on
/// PATH: the password reaches docker on standard input only, for each registry asked for.
@Suite("ECR login")
struct ECRLoginTests {
  struct World {
    let scenario: Scenario
    let log: StandInLog

    init() async throws {
      scenario = try await Scenario { _ in Scenario.roleProfileConfig() }
      log = StandInLog(sandbox: scenario.sandbox)
    }

    func runAs(_ arguments: [String], _ extra: [String: String] = [:]) async throws -> ProcessResult {
      var environment = log.environment
      for (key, value) in extra { environment[key] = value }
      return try await scenario.runAs(arguments, environment: environment)
    }

    func logins() throws -> [[String: Any]] {
      try log.runs(of: "docker")
    }
  }

  static let dockerPath = StandInLog.directory + "/docker"

  @Test func withoutRegistriesTheProfilesOwnIsLoggedInWithThePasswordOnStdin() async throws {
    let world = try await World()
    let result = try await world.runAs(["ecr", "login", "dev"])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(result.stdout.contains("Login Succeeded"))
    let logins = try world.logins()
    try #require(logins.count == 1, "\(logins)")
    let registry = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
    #expect(logins[0].strings("argv") == [Self.dockerPath, "login", "--username", "AWS", "--password-stdin", registry])
    #expect(logins[0].string("stdin") == "123456789012-auth-token")
    #expect((logins[0]["contract_errors"] as? [Any])?.isEmpty == true)
    // The password is nowhere but on stdin.
    let environment = logins[0].object("env")
    #expect(!environment.values.contains { ($0 as? String)?.contains("auth-token") == true })
    #expect(environment["AWS_SECRET_ACCESS_KEY"] == nil)
  }

  @Test func severalRegistriesAreLoggedInEachInItsRegion() async throws {
    let world = try await World()
    let result = try await world.runAs([
      "ecr", "login", "dev", "111111111111", "https://222222222222.dkr.ecr.eu-west-1.amazonaws.com/",
    ])
    #expect(result.exitCode == 0, "\(result.output())")
    let logins = try world.logins()
    #expect(
      logins.map { $0.object("contract").string("server") } == [
        "111111111111.dkr.ecr.us-east-1.amazonaws.com", "222222222222.dkr.ecr.eu-west-1.amazonaws.com",
      ])
    #expect(logins.map { $0.string("stdin") } == ["111111111111-auth-token", "222222222222-auth-token"])
  }

  @Test func thePasswordIsTheOneTheAWSCLIGets() async throws {
    let world = try await World()
    let result = try await world.runAs(["ecr", "login", "dev", "333333333333"])
    #expect(result.exitCode == 0, "\(result.output())")
    var environment = world.scenario.environment()
    environment["AWS_ACCESS_KEY_ID"] = world.scenario.user.accessKeyId
    environment["AWS_SECRET_ACCESS_KEY"] = world.scenario.user.secretAccessKey
    environment["AWS_CONFIG_FILE"] = "/dev/null"
    environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
    // get-login-password takes no registry; boto3 asks for the caller's, so compare by account.
    let cli = try await run(
      "/usr/bin/env", ["aws", "ecr", "get-login-password", "--region", "us-east-1"], environment: environment)
    #expect(cli.exitCode == 0, "\(cli.output())")
    #expect(cli.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "123456789012-auth-token")
    #expect(try world.logins().first?.string("stdin") == "333333333333-auth-token")
  }

  @Test func aFailedDockerLoginIsOneLinePerRegistry() async throws {
    let world = try await World()
    let result = try await world.runAs(
      ["ecr", "login", "dev", "111111111111", "222222222222"], ["RUNAS_STANDIN_EXIT_STATUS": "1"])
    #expect(result.exitCode == 1)
    let errors = result.stderr.split(separator: "\n").filter { $0.contains(" ERROR ") }
    #expect(errors.count == 2, "\(result.output())")
    #expect(
      errors.first?.hasSuffix("docker login to 111111111111.dkr.ecr.us-east-1.amazonaws.com failed with exit status 1")
        == true)
    #expect(try world.logins().count == 2)
  }

  @Test func badInputIsOneLine() async throws {
    let world = try await World()
    let cases: [([String], [String: String], String)] = [
      (["ecr", "login", "dev", "docker.io"], [:], "\"docker.io\" is neither an ECR registry host nor an account ID"),
      (["ecr", "login", "dev", "s3.amazonaws.com"], [:], "\"s3.amazonaws.com\" is not an ECR registry host"),
      (
        ["ecr", "login", "dev"], ["PATH": "/usr/bin:/bin"], "docker was not found on PATH; ecr login runs docker login"
      ),
      (["ecr", "logout", "dev"], [:], "'logout' is invalid"),
    ]
    for (arguments, extra, expected) in cases {
      let result = try await world.runAs(arguments, extra)
      #expect(result.exitCode == 1, "\(arguments): \(result.output())")
      let errors = result.stderr.split(separator: "\n").filter { $0.contains(" ERROR ") }
      #expect(errors.count == 1, "\(arguments): \(result.output())")
      #expect(errors.first?.contains(expected) == true, "\(arguments): \(result.output())")
    }
    #expect(try world.logins().isEmpty)
  }
}
