import Foundation
import TestSupport

/// The two real consumers of a profile whose `credential_process` runs aws-runas: the AWS CLI and
/// boto3, each asking STS who it is and printing the ARN. Both run without a terminal (`setsid`),
/// so a prompt aws-runas might make cannot reach the test's terminal.
enum CredentialProcessConsumers {
  /// The `credential_process` profile these consumers use, for a sandbox's config.
  static func profile(running arguments: String, named name: String = "via-process") -> String {
    "[profile \(name)]\ncredential_process = \(runAsBinary()) \(arguments)\nregion = us-east-1\n"
  }

  /// `aws sts get-caller-identity --profile <profile>` at `stsEndpoint`: the ARN on stdout.
  static func awsCLI(
    profile: String = "via-process", stsEndpoint: String, environment: [String: String]
  ) async throws -> ProcessResult {
    try await run(
      "/usr/bin/setsid",
      [
        "-w", "/usr/bin/aws", "sts", "get-caller-identity", "--profile", profile, "--endpoint-url", stsEndpoint,
        "--output", "text", "--query", "Arn",
      ], environment: environment)
  }

  /// boto3's GetCallerIdentity through `profile` (the endpoint from the environment): the ARN.
  static func boto3(profile: String = "via-process", environment: [String: String]) async throws -> ProcessResult {
    try await run(
      "/usr/bin/setsid",
      [
        "-w", "/usr/bin/env", "python3", "-c",
        "import boto3; print(boto3.Session(profile_name='\(profile)').client('sts').get_caller_identity()['Arn'])",
      ], environment: environment)
  }
}
