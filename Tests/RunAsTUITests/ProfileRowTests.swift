import Logging
import RunAsCore
import Testing

@testable import RunAsTUI

@Suite("Profile rows")
struct ProfileRowTests {
  static let arn = "arn:aws:iam::123456789012:role/ops/admin"
  static let config = """
    [default]
    region = us-east-1
    [profile \(arn)]
    [profile prod]
    source_profile = default
    role_arn = arn:aws:iam::210987654321:role/admin
    [profile sso]
    saml_auth_url = https://idp.example.com/saml
    role_arn = arn:aws:iam::555555555555:role/sso-admin
    """

  static func resolver() throws -> ProfileResolver {
    let files = AWSConfigFiles(
      configPath: "/fixture/.aws/config", credentialsPath: "/fixture/.aws/credentials",
      config: try INIFile(parsing: config, path: "/fixture/.aws/config", stripsInlineComments: false),
      credentials: try INIFile(
        parsing: "[default]\naws_access_key_id = AKIA\naws_secret_access_key = s", path: "/fixture/.aws/credentials",
        stripsInlineComments: true, holdsSecrets: true))
    return ProfileResolver(files: files, environment: [:])
  }

  /// The cache file the command line's provider chain keeps `profile`'s credentials in.
  static func providerCacheFile(of profile: ResolvedProfile) throws -> String? {
    let builder = CredentialChainBuilder(
      cacheDirectory: "/fixture/.aws", environment: [:],
      sts: STSService(profile: profile, environment: [:], logger: Logger(label: "test")),
      mfa: MFACodeSource(presetCode: nil, prompter: NoPrompter()), logger: Logger(label: "test"))
    return try builder.provider(for: profile).cacheFile?.path
  }

  @Test func aProfileNamedByARoleARNFindsTheCacheFileItsChainWrites() throws {
    let resolver = try Self.resolver()
    let result = try #require(resolver.resolveAllProfiles().first { $0.name == Self.arn }).result
    let row = ProfileRow(name: Self.arn, result: result, cacheDirectory: "/fixture/.aws")
    #expect(row.kind == "role ARN")
    #expect(row.accountAndRole == "123456789012/admin")
    #expect(row.cacheFile == "/fixture/.aws/.aws_assume_role_123456789012-admin")
    #expect(row.cacheFile == (try Self.providerCacheFile(of: try result.get())))
  }

  @Test(arguments: ["default", "prod"])
  func everyRowReadsTheFileItsChainWrites(_ name: String) throws {
    let profile = try Self.resolver().resolve(name)
    let row = ProfileRow(name: name, result: .success(profile), cacheDirectory: "/fixture/.aws")
    #expect(row.cacheFile != nil)
    #expect(row.cacheFile == (try Self.providerCacheFile(of: profile)))
  }

  @Test func aSAMLRowReadsTheGoToolsCacheFile() throws {
    let row = ProfileRow(name: "sso", result: .success(try Self.resolver().resolve("sso")), cacheDirectory: "/x")
    #expect(row.kind == "SAML")
    #expect(row.accountAndRole == "555555555555/sso-admin")
    #expect(row.cacheFile == "/x/.aws_assume_role_sso")
  }
}
