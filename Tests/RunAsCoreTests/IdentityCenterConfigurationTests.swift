import Foundation
import Testing

@testable import RunAsCore

@Suite("IAM Identity Center configuration")
struct IdentityCenterConfigurationTests {
  static let config = """
    [default]
    region = eu-west-1

    [profile dev]
    sso_session = corp
    sso_account_id = 111111111111
    sso_role_name = ReadOnlyAccess
    region = us-east-1

    [sso-session corp]
    sso_start_url = https://corp.awsapps.com/start
    sso_region = us-east-1
    sso_registration_scopes = sso:account:access, , openid

    [profile legacy]
    sso_start_url = https://corp.awsapps.com/start
    sso_region = eu-central-1
    sso_account_id = 222222222222
    sso_role_name = PowerUserAccess

    [profile hop]
    role_arn = arn:aws:iam::333333333333:role/Deploy
    source_profile = dev

    [profile repeats]
    sso_session = corp
    sso_start_url = https://corp.awsapps.com/start
    sso_account_id = 111111111111
    sso_role_name = Billing

    [profile contradicts]
    sso_session = corp
    sso_region = eu-west-2
    sso_account_id = 1
    sso_role_name = x

    [profile missing-session]
    sso_session = nowhere
    sso_account_id = 1
    sso_role_name = x

    [profile no-region]
    sso_start_url = https://x.awsapps.com/start

    [profile only-account]
    sso_account_id = 111111111111

    [sso-session broken]
    sso_region = us-east-1

    [profile uses-broken]
    sso_session = broken
    """

  func resolver() throws -> ProfileResolver {
    let files = AWSConfigFiles(
      configPath: "/home/u/.aws/config", credentialsPath: "/home/u/.aws/credentials",
      config: try INIFile(parsing: Self.config, path: "/home/u/.aws/config", stripsInlineComments: false),
      credentials: .empty(path: "/home/u/.aws/credentials"))
    return ProfileResolver(files: files, environment: ["HOME": "/home/u"])
  }

  func error(resolving name: String) -> String {
    do {
      _ = try resolver().resolve(name)
      return "no error"
    } catch {
      return "\(error)"
    }
  }

  @Test func ssoSessionProfileReadsItsSessionSection() throws {
    let profile = try resolver().resolve("dev")
    #expect(profile.kind == .identityCenter)
    let sso = try #require(profile.identityCenter)
    #expect(sso.session.name == "corp")
    #expect(sso.session.startURL == "https://corp.awsapps.com/start")
    #expect(sso.session.region == "us-east-1")
    #expect(sso.session.registrationScopes == ["sso:account:access", "openid"])
    #expect(sso.accountID == "111111111111")
    #expect(sso.roleName == "ReadOnlyAccess")
    #expect(sso.session.tokenCacheKey == "corp")
  }

  @Test func legacyProfileKeepsStartURLAndRegionInItsSection() throws {
    let profile = try resolver().resolve("legacy")
    #expect(profile.kind == .identityCenter)
    let sso = try #require(profile.identityCenter)
    #expect(sso.session.name == nil)
    #expect(sso.session.region == "eu-central-1")
    #expect(sso.session.registrationScopes == [])
    #expect(sso.session.tokenCacheKey == "https://corp.awsapps.com/start")
  }

  @Test func roleProfileOnAnIdentityCenterSourceIsARoleWithThatSource() throws {
    let profile = try resolver().resolve("hop")
    #expect(profile.kind == .role)
    #expect(profile.identityCenter == nil)
    #expect(profile.source?.kind == .identityCenter)
    #expect(profile.chain.map(\.name) == ["dev", "hop"])
  }

  @Test func profileMayRepeatItsSessionsValues() throws {
    #expect(try resolver().resolve("repeats").identityCenter?.roleName == "Billing")
  }

  @Test func contradictingTheSessionIsAnErrorAtTheLine() {
    let message = error(resolving: "contradicts")
    #expect(message.contains("/home/u/.aws/config:"))
    #expect(message.contains("sso_region \"eu-west-2\" differs from the value in [sso-session corp] (\"us-east-1\")"))
  }

  @Test func missingSessionSectionNamesTheKnownSessions() {
    let message = error(resolving: "missing-session")
    #expect(message.contains("sso_session: no [sso-session nowhere] section in /home/u/.aws/config"))
    #expect(message.contains("known sessions: corp, broken"))
  }

  @Test func legacyProfileWithoutRegionSaysWhatIsMissing() {
    #expect(error(resolving: "no-region").contains("sets sso_start_url but no sso_region"))
  }

  @Test func accountWithoutSessionOrStartURLIsAnError() {
    #expect(error(resolving: "only-account").contains("sets sso_account_id or sso_role_name but neither"))
  }

  @Test func sessionWithoutStartURLIsAnError() {
    #expect(error(resolving: "uses-broken").contains("[sso-session broken] has no sso_start_url"))
  }

  @Test func sessionSectionsAreNotProfiles() throws {
    #expect(try !resolver().profileNames.contains { $0.contains("corp") })
  }

  @Test func mfaProcessIsAProfileSettingWithAnEnvironmentVariable() throws {
    let files = AWSConfigFiles(
      configPath: "/c", credentialsPath: "/k",
      config: try INIFile(
        parsing: "[profile p]\nrole_arn = arn:aws:iam::123456789012:role/r\nmfa_process = ykman oath code\n",
        path: "/c", stripsInlineComments: false),
      credentials: .empty(path: "/k"))
    let fromFile = try ProfileResolver(files: files, environment: [:]).resolve("p")
    #expect(fromFile.settings.mfaProcess?.value == "ykman oath code")
    let fromEnvironment = try ProfileResolver(files: files, environment: ["MFA_PROCESS": "echo 1"]).resolve("p")
    #expect(fromEnvironment.settings.mfaProcess?.value == "echo 1")
    #expect(fromEnvironment.settings.mfaProcess?.origin == .environment("MFA_PROCESS"))
  }

  @Test func endpointsFollowTheSDKsForBothServices() throws {
    let oidc = try EndpointResolver.resolve(service: "sso-oidc", region: "eu-west-1", environment: [:])
    #expect(oidc.url == "https://oidc.eu-west-1.amazonaws.com")
    let portal = try EndpointResolver.resolve(service: "sso", region: "cn-north-1", environment: [:])
    #expect(portal.url == "https://portal.sso.cn-north-1.amazonaws.com.cn")
    let session = IdentityCenterSession(name: "corp", startURL: "u", region: "us-east-1")
    var settings = ProfileSettings()
    settings.serviceEndpoints["sso_oidc"] = Setting("http://127.0.0.1:1", origin: .builtInDefault)
    let services = IdentityCenterServices(
      session: session, settings: settings, environment: ["AWS_ENDPOINT_URL_SSO": "http://127.0.0.1:2"],
      logger: .init(label: "test"))
    #expect(try services.endpoint("sso-oidc").url == "http://127.0.0.1:1")
    #expect(try services.endpoint("sso").url == "http://127.0.0.1:2")
  }
}
