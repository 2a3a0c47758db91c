import Foundation
import Logging
import Testing

@testable import RunAsCore

/// Profiles of every kind, resolved from text, and a chain builder over a temporary cache
/// directory whose STS answers without a network.
private struct World {
  static let config = """
    [default]
    region = us-east-1
    [profile dev]
    source_profile = default
    role_arn = arn:aws:iam::123456789012:role/developer
    [profile long]
    source_profile = default
    role_arn = arn:aws:iam::123456789012:role/long
    credentials_duration = 8h
    [profile hop]
    source_profile = dev
    role_arn = arn:aws:iam::210987654321:role/path/hop
    [profile temp]
    [profile sso]
    saml_auth_url = https://idp.example.com/saml
    role_arn = arn:aws:iam::555555555555:role/sso-admin
    [profile web]
    web_identity_auth_url = https://idp.example.com/oidc
    web_identity_client_id = client
    role_arn = arn:aws:iam::555555555555:role/web-admin
    """
  static let credentials = """
    [default]
    aws_access_key_id = AKIADEFAULT
    aws_secret_access_key = secret
    [temp]
    aws_access_key_id = ASIATEMP
    aws_secret_access_key = secret
    aws_session_token = token
    """

  let directory: String
  let files: AWSConfigFiles
  let resolver: ProfileResolver
  let sts = CountingSTS()

  init(config: String = World.config) throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("sources-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    files = AWSConfigFiles(
      configPath: directory + "/config", credentialsPath: directory + "/credentials",
      config: try INIFile(parsing: config, path: directory + "/config", stripsInlineComments: false),
      credentials: try INIFile(
        parsing: Self.credentials, path: directory + "/credentials", stripsInlineComments: true, holdsSecrets: true))
    resolver = ProfileResolver(files: files, environment: ["HOME": "/nonexistent", "USER": "tester"])
  }

  var builder: CredentialChainBuilder {
    CredentialChainBuilder(
      cacheDirectory: files.cacheDirectory, environment: [:], sts: sts,
      mfa: MFACodeSource(presetCode: nil, prompter: NoPrompter()),
      logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
  }

  /// The file name (without directory) the source of `profile` names, if any.
  func cacheFileName(of profile: ResolvedProfile) -> String? {
    profile.credentialSource.cacheFile(for: profile, in: files.cacheDirectory)
      .map { String($0.path.dropFirst(directory.count + 1)) }
  }
}

@Suite("Credential sources")
struct CredentialSourceTests {
  static let roleARN = "arn:aws:iam::123456789012:role/team/admin"

  @Test(arguments: ["default", "dev", "long", "hop", "temp", roleARN])
  func theProviderKeepsItsCredentialsInTheFileTheSourceNames(_ name: String) throws {
    let world = try World()
    let profile = try world.resolver.resolve(name)
    let named = profile.credentialSource.cacheFile(for: profile, in: world.files.cacheDirectory)
    #expect(try world.builder.provider(for: profile).cacheFile == named)
  }

  @Test(
    arguments: [
      ("default", ".aws_session_token_default"), ("dev", ".aws_assume_role_dev"), ("long", ".aws_assume_role_long"),
      ("hop", ".aws_assume_role_hop"), ("sso", ".aws_assume_role_sso"), ("web", ".aws_assume_role_web"),
      (roleARN, ".aws_assume_role_123456789012-admin"),
    ] as [(String, String)])
  func cacheFilesAreNamedAsTheGoToolNamesThem(_ name: String, file: String) throws {
    let world = try World()
    #expect(world.cacheFileName(of: try world.resolver.resolve(name)) == file)
  }

  @Test func temporaryKeysInTheFilesAreUsedAsTheyAreWithoutACache() throws {
    let world = try World()
    let profile = try world.resolver.resolve("temp")
    #expect(world.cacheFileName(of: profile) == nil)
    #expect(try world.builder.provider(for: profile).cachedCredentials(validFor: .zero)?.accessKeyID == "ASIATEMP")
  }

  @Test func aRoleARNProfileWritesWhereItsSourceSaysAndReadsItBack() async throws {
    let world = try World()
    let profile = try world.resolver.resolve(Self.roleARN)
    let provider = try world.builder.provider(for: profile)
    let fetched = try await provider.credentials(validFor: .seconds(600))
    let file = try #require(profile.credentialSource.cacheFile(for: profile, in: world.files.cacheDirectory))
    #expect(file.load()?.credentials == fetched)
    #expect(provider.cachedCredentials(validFor: .seconds(600)) == fetched)
  }

  @Test func aSessionOnlyChainUsesTheSourceProfilesSessionToken() throws {
    let world = try World()
    let provider = try world.builder.provider(for: try world.resolver.resolve("hop"), sessionOnly: true)
    #expect(provider.cacheFile?.path == world.files.cacheDirectory + "/.aws_session_token_default")
  }

  @Test func aRoleARNWithSAMLSettingsIsCachedUnderTheAccountAndRole() throws {
    let world = try World(config: "[default]\nsaml_auth_url = https://idp.example.com/saml")
    let profile = try world.resolver.resolve(Self.roleARN)
    #expect(profile.kind == .saml)
    #expect(world.cacheFileName(of: profile) == ".aws_assume_role_123456789012-admin")
  }

  @Test func singleSignOnChainsAreBuiltWithoutSigningInAndReadTheirCache() async throws {
    let world = try World(
      config: World.config + "\nweb_identity_redirect_uri = app:/callback\n[profile jump]\nsource_profile = sso\n"
        + "role_arn = arn:aws:iam::666666666666:role/target\njump_role_arn = arn:aws:iam::555555555555:role/jump\n")
    for name in ["sso", "web", "jump"] {
      let profile = try world.resolver.resolve(name)
      let provider = try world.builder.provider(for: profile)
      #expect(provider.cacheFile == profile.credentialSource.cacheFile(for: profile, in: world.files.cacheDirectory))
      #expect(provider.cachedCredentials(validFor: .zero) == nil)
    }
    #expect(world.cacheFileName(of: try world.resolver.resolve("jump")) == ".aws_assume_role_jump")
    #expect(await world.sts.calls == 0)
  }

  @Test func anOIDCProfileWithoutARedirectURIIsRefusedBeforeAnySignIn() throws {
    let world = try World()
    let error = #expect(throws: CredentialError.self) {
      try world.builder.provider(for: try world.resolver.resolve("web"))
    }
    #expect(
      error?.message == "profile \"web\" is missing web_identity_client_id and/or web_identity_redirect_uri")
  }

  @Test func aRoleWithAWebIdentityTokenFileIsAnOIDCProfile() throws {
    let world = try World(
      config: "[profile pod]\nrole_arn = arn:aws:iam::123456789012:role/pod\nweb_identity_token_file = /t\n")
    let profile = try world.resolver.resolve("pod")
    #expect(profile.kind == .oidc)
    #expect(world.cacheFileName(of: profile) == ".aws_assume_role_pod")
  }

  @Test func everyKindHasItsWords() {
    #expect(ProfileKind.iamUser.credentialSource.label == "IAM user")
    #expect(ProfileKind.role.credentialSource.label == "role")
    #expect(ProfileKind.roleARN.credentialSource.label == "role ARN")
    #expect(ProfileKind.saml.credentialSource.label == "SAML")
    #expect(ProfileKind.oidc.credentialSource.label == "OIDC")
  }

  @Test func onlyKeyBasedKindsListMFADevicesAndOIDCListsNoRoles() {
    for kind in [ProfileKind.iamUser, .role, .roleARN] {
      #expect(kind.credentialSource.identityListingRefusal(listingRoles: true) == nil)
      #expect(kind.credentialSource.identityListingRefusal(listingRoles: false) == nil)
    }
    #expect(ProfileKind.saml.credentialSource.identityListingRefusal(listingRoles: true) == nil)
    #expect(
      ProfileKind.oidc.credentialSource.identityListingRefusal(listingRoles: true)
        == "detected Web Identity profile, only IAM and SAML profiles support role enumeration")
    for kind in [ProfileKind.saml, .oidc] {
      #expect(
        kind.credentialSource.identityListingRefusal(listingRoles: false)
          == "detected SAML or Web Identity profile, only IAM profiles support MFA device retrieval")
    }
  }

  @Test func diagnosticsAskTheSourceOfEachKind() async throws {
    let world = try World()
    let diagnostics = ProfileDiagnostics(files: world.files, environment: [:])
    let web = await diagnostics.run(profileName: "web", resolver: world.resolver)
    #expect(
      web.findings.map(\.message).contains(
        "missing web_identity_client_id and/or web_identity_redirect_uri configuration"))
    #expect(
      web.configurationDump.map(\.key).suffix(5) == [
        "WEB IDENTITY ENDPOINT URL", "WEB IDENTITY CLIENT ID", "WEB IDENTITY REDIRECT URI", "WEB IDENTITY USERNAME",
        "JUMP ROLE ARN",
      ])
    let dev = await diagnostics.run(profileName: "dev", resolver: world.resolver)
    #expect(dev.findings.map(\.message).contains("profile credentials appear sane"))
    #expect(dev.configurationDump.last?.key == "ASSUME ROLE CREDENTIAL DURATION")
  }
}
