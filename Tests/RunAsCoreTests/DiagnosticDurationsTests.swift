import Foundation
import TestSupport
import Testing

@testable import RunAsCore

/// `diagnose` shows the lifetimes that will really be asked of STS, and says when they are defaults.
@Suite("Diagnose durations")
struct DiagnosticDurationsTests {
  static func dump(_ config: String, profile: String = "admin") async throws -> [String: String] {
    let files = try AWSConfigFiles.parsing(config: config)
    let environment = ["HOME": "/home/u"]
    let report = await ProfileDiagnostics(files: files, environment: environment)
      .run(profileName: profile, resolver: ProfileResolver(files: files, environment: environment))
    return Dictionary(report.configurationDump.map { ($0.key, $0.value) }) { $1 }
  }

  @Test func unsetDurationsShowTheDefaults() async throws {
    let dump = try await Self.dump("[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\n")
    #expect(dump["SESSION TOKEN DURATION"] == "12h0m0s (default)")
    #expect(dump["ASSUME ROLE CREDENTIAL DURATION"] == "1h0m0s (default)")
  }

  @Test func configuredDurationsShowAsAsked() async throws {
    let dump = try await Self.dump(
      "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsession_token_duration = 8h\n"
        + "credentials_duration = 2h\n")
    #expect(dump["SESSION TOKEN DURATION"] == "8h0m0s")
    #expect(dump["ASSUME ROLE CREDENTIAL DURATION"] == "2h0m0s")
  }

  @Test func durationSecondsCountsWhenCredentialsDurationIsUnset() async throws {
    let dump = try await Self.dump(
      "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nduration_seconds = 5400\n")
    #expect(dump["ASSUME ROLE CREDENTIAL DURATION"] == "1h30m0s")
  }

  @Test func outOfRangeDurationsShowTheClampedValue() {
    #expect(DurationLimits.assumeRole.describe(.seconds(300)) == "15m0s (raised from 5m0s)")
    #expect(DurationLimits.sessionToken.describe(.seconds(48 * 3600)) == "36h0m0s (lowered from 48h0m0s)")
    #expect(DurationLimits.assumeRole.describe(nil) == "1h0m0s (default)")
  }
}

@Suite("Diagnose: the configuration dump of an IAM Identity Center profile")
struct IdentityCenterDumpTests {
  @Test func theDumpShowsTheSSOSessionAccountAndRole() async throws {
    let dump = try await DiagnosticDurationsTests.dump(
      """
      [profile dev]
      sso_session = corp
      sso_account_id = 111111111111
      sso_role_name = ReadOnlyAccess

      [sso-session corp]
      sso_start_url = https://corp.awsapps.com/start
      sso_region = us-east-1
      """, profile: "dev")
    #expect(dump["SSO SESSION"] == "corp")
    #expect(dump["SSO START URL"] == "https://corp.awsapps.com/start")
    #expect(dump["SSO REGION"] == "us-east-1")
    #expect(dump["SSO ACCOUNT ID"] == "111111111111")
    #expect(dump["SSO ROLE NAME"] == "ReadOnlyAccess")
  }
}

@Suite("Identity provider URLs in -D and the TUI's details")
struct IdentityProviderURLDescriptionTests {
  /// OneLogin's URLs carry the API credential (`token=`, base64 of id:secret): the dump and the
  /// TUI's details show the URL with that value masked and the rest as written.
  @Test func anAPISecretInTheIdPURLIsMaskedAndTheRestShown() async throws {
    let url = "https://corp.onelogin.com/trust/saml2/launch/424242?token=aWQ6c2VjcmV0&app_id=424242"
    let config = "[profile ol]\nsaml_auth_url = \(url)\nrole_arn = arn:aws:iam::123456789012:role/Admin\n"
    let masked = "https://corp.onelogin.com/trust/saml2/launch/424242?token=…&app_id=424242"
    let dump = try await DiagnosticDurationsTests.dump(config, profile: "ol")
    #expect(dump["SAML ENDPOINT URL"] == masked)
    let files = try AWSConfigFiles.parsing(config: config)
    let profile = try ProfileResolver(files: files, environment: ["HOME": "/home/u"]).resolve("ol")
    let described = profile.settings.described.first { $0.key == "saml_auth_url" }
    #expect(described?.value == masked)
    #expect(!profile.settings.described.contains { $0.value.contains("aWQ6c2VjcmV0") })
  }
}
