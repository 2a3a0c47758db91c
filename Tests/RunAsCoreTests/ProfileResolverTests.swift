import Foundation
import Testing

@testable import RunAsCore

private let configPath = "/home/u/.aws/config"
private let credentialsPath = "/home/u/.aws/credentials"

/// A resolver over files given as text; `HOME` is `/home/u` unless the environment says
/// otherwise.
private func resolver(
  config: String, credentials: String = "", environment: [String: String] = [:]
) throws -> ProfileResolver {
  let files = AWSConfigFiles(
    configPath: configPath, credentialsPath: credentialsPath,
    config: try INIFile(parsing: config, path: configPath, stripsInlineComments: false),
    credentials: try INIFile(
      parsing: credentials, path: credentialsPath, stripsInlineComments: true))
  return ProfileResolver(files: files, environment: ["HOME": "/home/u"].merging(environment) { $1 })
}

private func inConfig(_ section: String, line: Int) -> SettingOrigin {
  .file(path: configPath, section: section, line: line)
}

private func resolutionError(
  _ name: String, overrides: ProfileSettings = ProfileSettings(), in resolver: ProfileResolver
) -> ProfileError? {
  do {
    _ = try resolver.resolve(name, overrides: overrides)
    return nil
  } catch {
    return error
  }
}

@Suite("Profile resolution: merging and provenance")
struct ProfileMergingTests {
  @Test("values from the profile's section carry their file, section and line")
  func profileValuesCarryOrigins() throws {
    let profile = try resolver(
      config: """
        [profile prod]
        region = eu-west-1
        role_arn = arn:aws:iam::123456789012:role/prod
        """
    ).resolve("prod")
    #expect(profile.name == "prod")
    #expect(
      profile.settings.region == Setting("eu-west-1", origin: inConfig("profile prod", line: 2)))
    #expect(
      profile.settings.roleArn
        == Setting("arn:aws:iam::123456789012:role/prod", origin: inConfig("profile prod", line: 3))
    )
  }

  @Test("[default] fills settings the profile does not set")
  func defaultFillsGaps() throws {
    let profile = try resolver(
      config: "[default]\nregion = us-east-1\n[profile dev]\nexternal_id = abc"
    ).resolve("dev")
    #expect(profile.settings.region == Setting("us-east-1", origin: inConfig("default", line: 2)))
    #expect(profile.settings.externalId?.value == "abc")
  }

  @Test("the profile's section wins over [default]")
  func profileWinsOverDefault() throws {
    let profile = try resolver(
      config: "[default]\nregion = us-east-1\n[profile dev]\nregion = us-west-2"
    ).resolve("dev")
    #expect(
      profile.settings.region == Setting("us-west-2", origin: inConfig("profile dev", line: 4)))
  }

  @Test("profile beats source profile beats [default]")
  func precedenceOfFileLayers() throws {
    let resolver = try resolver(
      config: """
        [default]
        region = us-east-1
        external_id = from-default
        mfa_type = code
        [profile base]
        region = eu-west-1
        external_id = from-base
        [profile app]
        source_profile = base
        role_arn = arn:aws:iam::123456789012:role/app
        region = ap-south-1
        """)
    let settings = try resolver.resolve("app").settings
    #expect(settings.region == Setting("ap-south-1", origin: inConfig("profile app", line: 11)))
    #expect(settings.externalId == Setting("from-base", origin: inConfig("profile base", line: 7)))
    #expect(settings.mfaType == Setting("code", origin: inConfig("default", line: 4)))
  }

  @Test("mfa_serial in [default] is used by every role profile (seed 000)")
  func mfaSerialInDefault() throws {
    let resolver = try resolver(
      config: """
        [default]
        region = us-east-1
        mfa_serial = arn:aws:iam::9876543221098:mfa/my_iam_user

        [profile my-role]
        source_profile = default
        role_arn = arn:aws:iam::012345678901:role/my-role

        [profile other-role]
        region = us-west-2
        source_profile = default
        role_arn = arn:aws:iam::567890123456:role/other-role
        """,
      credentials:
        "[default]\naws_access_key_id = AKIAMYACCESSKEY\naws_secret_access_key = MySecretKey")
    let myRole = try resolver.resolve("my-role")
    let otherRole = try resolver.resolve("other-role")
    let serial = Setting(
      "arn:aws:iam::9876543221098:mfa/my_iam_user", origin: inConfig("default", line: 3))
    #expect(myRole.settings.mfaSerial == serial)
    #expect(otherRole.settings.mfaSerial == serial)
    #expect(myRole.settings.region?.value == "us-east-1")
    #expect(otherRole.settings.region?.value == "us-west-2")
    #expect(myRole.kind == .role)
    #expect(myRole.chain.map(\.name) == ["default", "my-role"])
    #expect(myRole.source?.staticCredentials?.accessKeyID == "AKIAMYACCESSKEY")
  }

  @Test("mfa_serial in the source profile is inherited by the role profile")
  func mfaSerialInSourceProfile() throws {
    let profile = try resolver(
      config: """
        [profile iam]
        mfa_serial = arn:aws:iam::123456789012:mfa/me
        [profile admin]
        source_profile = iam
        role_arn = arn:aws:iam::123456789012:role/admin
        """
    ).resolve("admin")
    #expect(
      profile.settings.mfaSerial
        == Setting("arn:aws:iam::123456789012:mfa/me", origin: inConfig("profile iam", line: 2)))
  }

  @Test("OIDC settings in a shared source profile make its role profiles OIDC profiles (seed 004)")
  func identityProviderSettingsInSourceProfile() throws {
    let resolver = try resolver(
      config: """
        [default]
        region = us-east-1
        [profile oidc]
        web_identity_auth_url = https://example.org/oauth2
        web_identity_client_id = myClientID
        web_identity_redirect_uri = app:/callback
        [profile my-role]
        source_profile = oidc
        role_arn = arn:aws:iam::012345678901:role/my-role
        """)
    let profile = try resolver.resolve("my-role")
    #expect(profile.kind == .oidc)
    #expect(profile.settings.webIdentityClientID?.value == "myClientID")
    #expect(profile.chain.map(\.name) == ["my-role"])
    #expect(profile.source?.kind == .oidc)
  }

  @Test("attributes are inherited from one level of source profile only")
  func oneLevelOfAttributeInheritance() throws {
    let profile = try resolver(
      config: """
        [profile root]
        external_id = from-root
        [profile middle]
        source_profile = root
        role_arn = arn:aws:iam::123456789012:role/middle
        [profile top]
        source_profile = middle
        role_arn = arn:aws:iam::123456789012:role/top
        """
    ).resolve("top")
    #expect(profile.settings.externalId == nil)
    #expect(profile.source?.settings.externalId?.value == "from-root")
  }

  @Test("role_arn is never inherited from the source profile")
  func roleArnNotInheritedFromSource() throws {
    let profile = try resolver(
      config: """
        [profile base]
        role_arn = arn:aws:iam::123456789012:role/base
        [profile settings-only]
        source_profile = base
        region = eu-west-1
        """
    ).resolve("settings-only")
    #expect(profile.settings.roleArn == nil)
    #expect(profile.kind == .iamUser)
  }

  @Test("role_arn and source_profile are never inherited from [default]")
  func chainKeysNotInheritedFromDefault() throws {
    let profile = try resolver(
      config: """
        [default]
        role_arn = arn:aws:iam::123456789012:role/default
        source_profile = other
        region = us-east-1
        [profile other]
        [profile plain]
        """
    ).resolve("plain")
    #expect(profile.settings.roleArn == nil)
    #expect(profile.settings.sourceProfile == nil)
    #expect(profile.source == nil)
    #expect(profile.settings.region?.value == "us-east-1")
  }

  @Test("environment variables override the files")
  func environmentOverridesFiles() throws {
    let profile = try resolver(
      config: "[profile dev]\nregion = us-west-2\nmfa_serial = file-serial\nexternal_id = file-id",
      environment: [
        "AWS_REGION": "eu-central-1", "MFA_SERIAL": "env-serial", "EXTERNAL_ID": "env-id",
      ]
    ).resolve("dev")
    #expect(profile.settings.region == Setting("eu-central-1", origin: .environment("AWS_REGION")))
    #expect(profile.settings.mfaSerial == Setting("env-serial", origin: .environment("MFA_SERIAL")))
    #expect(profile.settings.externalId == Setting("env-id", origin: .environment("EXTERNAL_ID")))
  }

  @Test("AWS_REGION wins over AWS_DEFAULT_REGION, which is used when AWS_REGION is empty")
  func regionEnvironmentOrder() throws {
    let config = "[profile dev]\nregion = us-west-2"
    let both = try resolver(
      config: config, environment: ["AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-2"]
    ).resolve("dev")
    #expect(both.settings.region == Setting("eu-west-1", origin: .environment("AWS_REGION")))
    let fallback = try resolver(
      config: config, environment: ["AWS_REGION": "", "AWS_DEFAULT_REGION": "eu-west-2"]
    ).resolve("dev")
    #expect(
      fallback.settings.region == Setting("eu-west-2", origin: .environment("AWS_DEFAULT_REGION")))
  }

  @Test("empty environment variables are ignored")
  func emptyEnvironmentIgnored() throws {
    let profile = try resolver(
      config: "[profile dev]\nmfa_serial = file-serial",
      environment: ["MFA_SERIAL": "", "SAML_AUTH_URL": ""]
    ).resolve("dev")
    #expect(profile.settings.mfaSerial?.value == "file-serial")
    #expect(profile.settings.samlAuthURL == nil)
  }

  @Test("every identity-provider environment variable of the spec is read")
  func identityProviderEnvironment() throws {
    let settings = try resolver(
      config: "",
      environment: [
        "SAML_AUTH_URL": "https://idp/saml", "SAML_ENTITYID": "urn:amazon", "SAML_USERNAME": "su",
        "SAML_PROVIDER": "okta", "WEB_IDENTITY_AUTH_URL": "https://idp/oidc",
        "WEB_IDENTITY_USERNAME": "wu", "WEB_IDENTITY_PROVIDER": "keycloak",
        "AWS_WEB_IDENTITY_TOKEN_FILE": "/tmp/token", "WEB_IDENTITY_CLIENT_ID": "client",
        "WEB_IDENTITY_REDIRECT_URI": "app:/cb", "FEDERATED_USERNAME": "fed",
        "AUTH_BROWSER": "chrome",
        "JUMP_ROLE_ARN": "arn:aws:iam::123456789012:role/jump", "AWS_ROLE_SESSION_NAME": "me",
        "MFA_TYPE": "push", "DURATION_SECONDS": "7200",
      ]
    ).resolve("").settings
    #expect(
      settings.samlAuthURL == Setting("https://idp/saml", origin: .environment("SAML_AUTH_URL")))
    #expect(settings.samlEntityID?.value == "urn:amazon")
    #expect(settings.samlUsername?.value == "su")
    #expect(settings.samlProvider?.value == "okta")
    #expect(settings.webIdentityAuthURL?.value == "https://idp/oidc")
    #expect(settings.webIdentityUsername?.value == "wu")
    #expect(settings.webIdentityProvider?.value == "keycloak")
    #expect(
      settings.webIdentityTokenFile
        == Setting("/tmp/token", origin: .environment("AWS_WEB_IDENTITY_TOKEN_FILE")))
    #expect(settings.webIdentityClientID?.value == "client")
    #expect(settings.webIdentityRedirectURI?.value == "app:/cb")
    #expect(settings.federatedUsername?.value == "fed")
    #expect(settings.authBrowser?.value == "chrome")
    #expect(settings.jumpRoleArn?.value == "arn:aws:iam::123456789012:role/jump")
    #expect(settings.roleSessionName?.value == "me")
    #expect(settings.mfaType?.value == "push")
    #expect(settings.durationSeconds == Setting(7200, origin: .environment("DURATION_SECONDS")))
  }

  @Test("an integer duration in the environment is nanoseconds, as in the Go tool")
  func integerEnvironmentDurationIsNanoseconds() throws {
    let settings = try resolver(
      config: "", environment: ["SESSION_TOKEN_DURATION": "3600", "CREDENTIALS_DURATION": "2h"]
    ).resolve("default").settings
    #expect(
      settings.sessionTokenDuration
        == Setting(.nanoseconds(3600), origin: .environment("SESSION_TOKEN_DURATION")))
    #expect(
      settings.credentialsDuration
        == Setting(.seconds(7200), origin: .environment("CREDENTIALS_DURATION")))
  }

  @Test("an invalid duration in the environment is an error naming the variable")
  func invalidEnvironmentDuration() throws {
    let resolver = try resolver(config: "", environment: ["CREDENTIALS_DURATION": "7d"])
    #expect(
      resolutionError("default", in: resolver)?.description
        == "env CREDENTIALS_DURATION: invalid duration \"7d\": unknown unit \"d\" (use h, m or s, e.g. 1h30m)"
    )
  }

  @Test("overrides (flags) win over the environment and the files")
  func overridesWin() throws {
    var overrides = ProfileSettings()
    overrides.credentialsDuration = Setting(.seconds(1800), origin: .flag("--role-duration"))
    overrides.mfaSerial = Setting("flag-serial", origin: .flag("--mfa-serial"))
    let profile = try resolver(
      config: "[profile dev]\ncredentials_duration = 2h\nmfa_serial = file-serial",
      environment: ["MFA_SERIAL": "env-serial"]
    ).resolve("dev", overrides: overrides)
    #expect(
      profile.settings.credentialsDuration
        == Setting(.seconds(1800), origin: .flag("--role-duration")))
    #expect(profile.settings.mfaSerial == Setting("flag-serial", origin: .flag("--mfa-serial")))
  }

  @Test("overrides apply to the requested profile only, not to its source")
  func overridesApplyToRequestedProfile() throws {
    var overrides = ProfileSettings()
    overrides.externalId = Setting("flag-id", origin: .flag("--external-id"))
    let profile = try resolver(
      config: """
        [profile base]
        role_arn = arn:aws:iam::123456789012:role/base
        [profile app]
        source_profile = base
        role_arn = arn:aws:iam::123456789012:role/app
        """
    ).resolve("app", overrides: overrides)
    #expect(profile.settings.externalId?.value == "flag-id")
    #expect(profile.source?.settings.externalId == nil)
  }

  @Test("a later empty value never blanks an earlier one")
  func overlayNeverBlanks() {
    var settings = ProfileSettings()
    settings.region = Setting("us-east-1", origin: .builtInDefault)
    settings.credentialsDuration = Setting(.seconds(3600), origin: .builtInDefault)
    var newer = ProfileSettings()
    newer.region = Setting("", origin: .flag("--region"))
    newer.credentialsDuration = Setting(.zero, origin: .flag("--role-duration"))
    newer.mfaType = Setting("push", origin: .flag("--mfa-type"))
    settings.overlay(newer)
    #expect(settings.region?.value == "us-east-1")
    #expect(settings.credentialsDuration?.value == .seconds(3600))
    #expect(settings.mfaType?.value == "push")
  }

  @Test("a zero duration in a profile does not replace the inherited one")
  func zeroDurationIsUnset() throws {
    let profile = try resolver(
      config: "[default]\ncredentials_duration = 2h\n[profile dev]\ncredentials_duration = 0"
    ).resolve("dev")
    #expect(
      profile.settings.credentialsDuration
        == Setting(.seconds(7200), origin: inConfig("default", line: 2)))
  }

  @Test("durations and duration_seconds are read from the files")
  func readsDurations() throws {
    let settings = try resolver(
      config:
        "[profile dev]\nsession_token_duration = 20m\ncredentials_duration = 1h30m\nduration_seconds = 3600"
    ).resolve("dev").settings
    #expect(settings.sessionTokenDuration?.value == .seconds(1200))
    #expect(settings.credentialsDuration?.value == .seconds(5400))
    #expect(settings.durationSeconds == Setting(3600, origin: inConfig("profile dev", line: 4)))
  }

  @Test("the documented key spellings are accepted too")
  func acceptsDocumentedSpellings() throws {
    let settings = try resolver(
      config:
        "[profile dev]\nsaml_entity_id = urn:amazon:webservices\nweb_identity_callback_uri = app:/callback"
    ).resolve("dev").settings
    #expect(
      settings.samlEntityID
        == Setting("urn:amazon:webservices", origin: inConfig("profile dev", line: 2)))
    #expect(
      settings.webIdentityRedirectURI
        == Setting("app:/callback", origin: inConfig("profile dev", line: 3)))
  }

  @Test("keys are matched case-insensitively")
  func keysAreCaseInsensitive() throws {
    let settings = try resolver(config: "[profile dev]\nRegion = eu-west-1\nMFA_Serial = x")
      .resolve("dev").settings
    #expect(settings.region?.value == "eu-west-1")
    #expect(settings.mfaSerial?.value == "x")
  }

  @Test("inline comments stay in config values but not in credentials values")
  func inlineCommentsConfigVersusCredentials() throws {
    let profile = try resolver(
      config: "[profile dev]\nexternal_id = abc # not a comment here",
      credentials:
        "[dev]\naws_access_key_id = AKIA1 # comment\naws_secret_access_key = s3cret ; old"
    ).resolve("dev")
    #expect(profile.settings.externalId?.value == "abc # not a comment here")
    #expect(profile.staticCredentials?.accessKeyID == "AKIA1")
    #expect(profile.staticCredentials?.secretAccessKey == "s3cret")
  }

  @Test("the described list shows set values in order with Go durations and origins")
  func describedSettings() throws {
    let settings = try resolver(
      config:
        "[default]\nregion = us-east-1\n[profile dev]\ncredentials_duration = 90m\nmfa_serial = serial",
      environment: ["SESSION_TOKEN_DURATION": "12h"]
    ).resolve("dev").settings
    let described = settings.described.map { "\($0.key)=\($0.value)@\($0.origin)" }
    #expect(
      described == [
        "region=us-east-1@\(inConfig("default", line: 2))",
        "mfa_serial=serial@\(inConfig("profile dev", line: 5))",
        "session_token_duration=12h0m0s@env SESSION_TOKEN_DURATION",
        "credentials_duration=1h30m0s@\(inConfig("profile dev", line: 4))",
      ])
  }
}

@Suite("Profile resolution: chains and credentials")
struct ProfileChainTests {
  @Test("a source profile with its own role_arn is assumed first, to any depth")
  func chainsRolesOfDepthThree() throws {
    let profile = try resolver(
      config: """
        [profile base]
        region = us-east-1
        [profile hop1]
        source_profile = base
        role_arn = arn:aws:iam::111111111111:role/hop1
        [profile hop2]
        source_profile = hop1
        role_arn = arn:aws:iam::222222222222:role/hop2
        [profile hop3]
        source_profile = hop2
        role_arn = arn:aws:iam::333333333333:role/hop3
        """,
      credentials: "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = secret"
    ).resolve("hop3")
    #expect(profile.chain.map(\.name) == ["base", "hop1", "hop2", "hop3"])
    #expect(profile.chain.map(\.kind) == [.iamUser, .role, .role, .role])
    #expect(profile.staticCredentials == nil)
    #expect(profile.source?.source?.source?.staticCredentials?.accessKeyID == "AKIABASE")
    #expect(profile.source?.source?.source?.source == nil)
  }

  @Test("a hop does not become a SAML profile through a URL inherited from its source role")
  func chainedHopIsARoleHop() throws {
    let profile = try resolver(
      config: """
        [profile sso]
        saml_auth_url = https://idp.example.com/saml
        role_arn = arn:aws:iam::111111111111:role/landing
        [profile target]
        source_profile = sso
        role_arn = arn:aws:iam::222222222222:role/target
        """
    ).resolve("target")
    #expect(profile.kind == .role)
    #expect(profile.chain.map(\.name) == ["sso", "target"])
    #expect(profile.chain.map(\.kind) == [.saml, .role])
  }

  @Test("source_profile naming the profile itself uses that profile's own keys")
  func selfReferencingSource() throws {
    let profile = try resolver(
      config: "[profile me]\nsource_profile = me\nrole_arn = arn:aws:iam::123456789012:role/admin",
      credentials:
        "[me]\naws_access_key_id = AKIAME\naws_secret_access_key = secret\naws_session_token = token"
    ).resolve("me")
    #expect(profile.source == nil)
    #expect(profile.kind == .role)
    #expect(profile.chain.map(\.name) == ["me"])
    #expect(
      profile.staticCredentials
        == StaticCredentials(
          accessKeyID: "AKIAME", secretAccessKey: "secret", sessionToken: "token",
          origin: .file(path: credentialsPath, section: "me", line: 2)))
  }

  @Test("a loop of source profiles is an error naming the loop")
  func cycleIsAnError() throws {
    let resolver = try resolver(
      config: """
        [profile a]
        source_profile = b
        role_arn = arn:aws:iam::123456789012:role/a
        [profile b]
        source_profile = a
        role_arn = arn:aws:iam::123456789012:role/b
        """)
    let error = resolutionError("a", in: resolver)
    #expect(error?.message == "profile chain loops: a -> b -> a")
    #expect(
      error?.hint
        == "the source_profile of \"b\" (~/.aws/config [profile b] line 5) leads back to \"a\"; a profile may name itself to use its own keys"
    )
  }

  @Test("a loop that does not include the requested profile is named from where it starts")
  func cycleBelowRequestedProfile() throws {
    let resolver = try resolver(
      config: """
        [profile top]
        source_profile = x
        [profile x]
        source_profile = y
        [profile y]
        source_profile = x
        """)
    #expect(resolutionError("top", in: resolver)?.message == "profile chain loops: x -> y -> x")
  }

  /// `count` profiles `p0` … `p<count - 1>`, each but `p0` sourced from the one before it; `p0`
  /// names `p0Source` when given.
  private func chain(of count: Int, p0Source: String? = nil) throws -> ProfileResolver {
    var config = "[profile p0]\n" + (p0Source.map { "source_profile = \($0)\n" } ?? "")
    for position in 1..<count {
      config += "[profile p\(position)]\nsource_profile = p\(position - 1)\n"
      config += "role_arn = arn:aws:iam::123456789012:role/r\(position)\n"
    }
    return try resolver(config: config)
  }

  @Test("a chain of 5,000 source profiles resolves to its base")
  func longChainResolves() throws {
    let resolver = try chain(of: 5_000)
    let top = try resolver.resolve("p4999")
    let chain = top.chain
    #expect(chain.count == 5_000)
    #expect(chain.first?.name == "p0")
    #expect(chain.first?.kind == .iamUser)
    #expect(chain.map(\.name) == (0..<5_000).map { "p\($0)" })
    #expect(top.settings.roleArn?.value == "arn:aws:iam::123456789012:role/r4999")
    // Every source on the way was resolved once and is shared.
    #expect(try resolver.resolve("p2500") === chain[2500])
  }

  @Test("a loop at the far end of a chain of 5,000 profiles is named from its start")
  func loopAtTheEndOfALongChain() throws {
    let whole = resolutionError("p4999", in: try chain(of: 5_000, p0Source: "p4999"))
    #expect(
      whole?.message == "profile chain loops: p4999 -> p4998 -> p4997 -> p4996 -> … 4994 more … -> p1 -> p0 -> p4999")
    #expect(
      whole?.hint?.hasPrefix("the source_profile of \"p0\" (~/.aws/config [profile p0] line 2) leads back to \"p4999\"")
        == true)
    let lower = resolutionError("p4999", in: try chain(of: 5_000, p0Source: "p2500"))
    #expect(
      lower?.message == "profile chain loops: p2500 -> p2499 -> p2498 -> p2497 -> … 2495 more … -> p1 -> p0 -> p2500")
  }

  @Test("loops are found whatever the length of the chain", arguments: [2, 15, 16, 17, 18, 40])
  func loopsOfEveryLength(_ count: Int) throws {
    let resolver = try chain(of: count, p0Source: "p\(count - 1)")
    let names = (0..<count).reversed().map { "p\($0)" } + ["p\(count - 1)"]
    #expect(
      resolutionError("p\(count - 1)", in: resolver)?.message
        == "profile chain loops: \(ProfileResolver.describeLoop(names))")
    let start = count / 2
    let partial = try chain(of: count, p0Source: "p\(start)")
    let loop = (0...start).reversed().map { "p\($0)" } + ["p\(start)"]
    #expect(
      resolutionError("p\(count - 1)", in: partial)?.message
        == "profile chain loops: \(ProfileResolver.describeLoop(loop))")
  }

  @Test("static keys come from the credentials file, else from the config section")
  func staticCredentialsLookup() throws {
    let resolver = try resolver(
      config: """
        [profile both]
        aws_access_key_id = AKIACONFIG
        aws_secret_access_key = config-secret
        [profile config-only]
        aws_access_key_id = AKIACONFIGONLY
        aws_secret_access_key = secret
        """,
      credentials: "[both]\naws_access_key_id = AKIACREDS\naws_secret_access_key = creds-secret")
    let both = try resolver.resolve("both")
    #expect(both.staticCredentials?.accessKeyID == "AKIACREDS")
    #expect(
      both.staticCredentials?.origin == .file(path: credentialsPath, section: "both", line: 2))
    #expect(try resolver.resolve("config-only").staticCredentials?.accessKeyID == "AKIACONFIGONLY")
  }

  @Test("a half-configured key pair is reported as incomplete")
  func incompleteStaticCredentials() throws {
    let keys = try resolver(config: "", credentials: "[dev]\naws_access_key_id = AKIA1").resolve(
      "dev"
    ).staticCredentials
    #expect(keys?.accessKeyID == "AKIA1")
    #expect(keys?.isComplete == false)
  }

  @Test("a role profile has no static credentials of its own")
  func roleProfileHasNoStaticCredentials() throws {
    let profile = try resolver(
      config: "[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev",
      credentials: "[dev]\naws_access_key_id = AKIA1\naws_secret_access_key = s"
    ).resolve("dev")
    #expect(profile.staticCredentials == nil)
    #expect(profile.kind == .role)
  }

  @Test("a profile only in the credentials file resolves with [default] settings")
  func credentialsOnlyProfile() throws {
    let profile = try resolver(
      config: "[default]\nregion = us-east-1",
      credentials: "[personal]\naws_access_key_id = AKIAP\naws_secret_access_key = s"
    ).resolve("personal")
    #expect(profile.kind == .iamUser)
    #expect(profile.settings.region?.value == "us-east-1")
    #expect(profile.staticCredentials?.accessKeyID == "AKIAP")
  }

  @Test("the client kind follows the spec's order: SAML, OIDC, role, IAM user")
  func kindOrder() throws {
    let resolver = try resolver(
      config: """
        [profile both]
        saml_auth_url = https://idp/saml
        web_identity_auth_url = https://idp/oidc
        role_arn = arn:aws:iam::123456789012:role/x
        [profile oidc]
        web_identity_auth_url = https://idp/oidc
        role_arn = arn:aws:iam::123456789012:role/x
        [profile role]
        role_arn = arn:aws:iam::123456789012:role/x
        [profile user]
        region = us-east-1
        """)
    #expect(try resolver.resolve("both").kind == .saml)
    #expect(try resolver.resolve("oidc").kind == .oidc)
    #expect(try resolver.resolve("role").kind == .role)
    #expect(try resolver.resolve("user").kind == .iamUser)
  }

  @Test("a source profile is resolved once and shared")
  func sourcesAreShared() throws {
    let resolver = try resolver(
      config: """
        [profile base]
        [profile a]
        source_profile = base
        role_arn = arn:aws:iam::123456789012:role/a
        """)
    let first = try resolver.resolve("a")
    #expect(try resolver.resolve("a").source === first.source)
    #expect(try resolver.resolve("base") === first.source)
  }

  @Test("a resolution with overrides is never reused without them")
  func overridesAreNotShared() throws {
    let resolver = try resolver(config: "[profile dev]\nregion = us-east-1")
    var overrides = ProfileSettings()
    overrides.region = Setting("eu-west-1", origin: .flag("--region"))
    #expect(try resolver.resolve("dev", overrides: overrides).settings.region?.value == "eu-west-1")
    #expect(try resolver.resolve("dev").settings.region?.value == "us-east-1")
    #expect(try resolver.resolve("dev", overrides: overrides).settings.region?.value == "eu-west-1")
  }

  @Test("resolving all profiles shares each source profile")
  func resolveAllSharesSources() throws {
    let resolver = try resolver(
      config: """
        [profile base]
        [profile a]
        source_profile = base
        role_arn = arn:aws:iam::123456789012:role/a
        [profile b]
        source_profile = base
        role_arn = arn:aws:iam::123456789012:role/b
        [profile broken]
        source_profile = missing
        """)
    let all = resolver.resolveAllProfiles()
    #expect(all.map(\.name) == ["a", "b", "base", "broken"])
    let a = try all[0].result.get()
    let b = try all[1].result.get()
    let base = try all[2].result.get()
    #expect(a.source === base)
    #expect(b.source === base)
    #expect(throws: ProfileError.self) { try all[3].result.get() }
  }
}

@Suite("Profile resolution: lookup and errors")
struct ProfileLookupTests {
  @Test("[profile name] is preferred over a bare [name] section")
  func prefersProfilePrefix() throws {
    let resolver = try resolver(
      config: "[dev]\nregion = bare\n[profile dev]\nregion = prefixed\n[legacy]\nregion = old")
    #expect(try resolver.resolve("dev").settings.region?.value == "prefixed")
    #expect(try resolver.resolve("legacy").settings.region?.value == "old")
  }

  @Test("an empty name means default, read from [default] or [profile default]")
  func emptyNameIsDefault() throws {
    let plain = try resolver(config: "[default]\nregion = a").resolve("")
    #expect(plain.name == "default")
    #expect(plain.settings.region?.value == "a")
    let prefixed = try resolver(config: "[profile default]\nregion = b").resolve("default")
    #expect(prefixed.settings.region?.value == "b")
    let both = try resolver(config: "[profile default]\nregion = b\n[default]\nregion = a").resolve(
      "default")
    #expect(both.settings.region?.value == "a")
  }

  @Test("default resolves even when no file defines it")
  func defaultWithoutSections() throws {
    let profile = try resolver(config: "").resolve("")
    #expect(profile.kind == .iamUser)
    #expect(profile.settings == ProfileSettings())
  }

  @Test("an unknown profile is an error suggesting close names")
  func unknownProfileSuggestsCloseNames() throws {
    let resolver = try resolver(config: "[profile prod]\n[profile prod-eu]\n[profile dev]")
    let error = resolutionError("prdo", in: resolver)
    #expect(error?.description == "profile \"prdo\" not found in ~/.aws/config; did you mean: prod")
    #expect(resolutionError("prod-", in: resolver)?.hint == "did you mean: prod, prod-eu")
  }

  @Test("an unknown profile with no close name lists known profiles")
  func unknownProfileListsKnownNames() throws {
    let resolver = try resolver(
      config:
        "[profile alpha]\n[profile bravo]\n[profile charlie]\n[profile delta]\n[profile echo]\n[profile foxtrot]"
    )
    #expect(
      resolutionError("zzzzzzzzzz", in: resolver)?.description
        == "profile \"zzzzzzzzzz\" not found in ~/.aws/config; known profiles: alpha, bravo, charlie, delta, echo, …"
    )
  }

  @Test("an unknown profile with no profiles at all says so")
  func unknownProfileWithoutProfiles() throws {
    #expect(
      resolutionError("x", in: try resolver(config: ""))?.hint
        == "no profiles are defined in ~/.aws/config or ~/.aws/credentials")
  }

  @Test("a source_profile naming a missing profile is an error at that line")
  func missingSourceProfile() throws {
    let resolver = try resolver(
      config:
        "[profile app]\nrole_arn = arn:aws:iam::123456789012:role/app\nsource_profile = bsae\n[profile base]"
    )
    let error = resolutionError("app", in: resolver)
    #expect(
      error?.message
        == "/home/u/.aws/config:3: source_profile: profile \"bsae\" (the source of \"app\") not found in ~/.aws/config or ~/.aws/credentials"
    )
    #expect(error?.hint == "did you mean: base")
  }

  @Test("an invalid duration in a file is an error at its line")
  func invalidDurationInFile() throws {
    let resolver = try resolver(config: "[profile dev]\nregion = x\ncredentials_duration = 7d")
    #expect(
      resolutionError("dev", in: resolver)?.description
        == "/home/u/.aws/config:3: credentials_duration: invalid duration \"7d\": unknown unit \"d\" (use h, m or s, e.g. 1h30m)"
    )
  }

  @Test("a non-numeric duration_seconds is an error at its line")
  func invalidDurationSecondsInFile() throws {
    let resolver = try resolver(config: "[profile dev]\nduration_seconds = abc")
    #expect(
      resolutionError("dev", in: resolver)?.description
        == "/home/u/.aws/config:2: duration_seconds: expected a whole number of seconds, found \"abc\""
    )
  }

  @Test("an invalid value in [default] fails every profile that inherits it")
  func invalidDefaultValue() throws {
    let resolver = try resolver(
      config: "[default]\nsession_token_duration = forever\n[profile dev]")
    #expect(
      resolutionError("dev", in: resolver)?.message.hasPrefix(
        "/home/u/.aws/config:2: session_token_duration:") == true)
  }

  @Test("a malformed role_arn is an error naming the value and its line")
  func malformedRoleArnInFile() throws {
    let resolver = try resolver(config: "[profile dev]\nrole_arn = arn:aws:iam::12345:role/dev")
    let error = resolutionError("dev", in: resolver)
    #expect(
      error?.description
        == "/home/u/.aws/config:2: role_arn: invalid role ARN \"arn:aws:iam::12345:role/dev\": account ID must be 12 digits, found \"12345\"; a role ARN looks like arn:aws:iam::123456789012:role/name"
    )
  }

  @Test("a malformed jump role from the environment is an error naming the variable")
  func malformedJumpRoleFromEnvironment() throws {
    let resolver = try resolver(
      config: "", environment: ["JUMP_ROLE_ARN": "arn:aws:sts::123456789012:assumed-role/x/y"])
    #expect(
      resolutionError("default", in: resolver)?.message
        == "env JUMP_ROLE_ARN: invalid role ARN \"arn:aws:sts::123456789012:assumed-role/x/y\": service is \"sts\", a role ARN's service is \"iam\""
    )
  }

  @Test(
    "role ARN validation",
    arguments: [
      ("arn:aws:iam::123456789012:role/name", nil),
      ("arn:aws:iam::123456789012:role/path/to/Name+=,.@_-", nil),
      ("arn:aws-cn:iam::123456789012:role/name", nil),
      ("arn:aws-us-gov:iam::123456789012:role/name", nil),
      ("arn:aws:iam::123456789012:user/bob", "resource must be role/<name>, found \"user/bob\""),
      (
        "arn:aws:iam:us-east-1:123456789012:role/x", "a role ARN has no region, found \"us-east-1\""
      ),
      ("arn:azure:iam::123456789012:role/x", "unknown partition \"azure\""),
      ("arn:aws:iam::123456789012:role/", "role name is empty"),
      (
        "arn:aws:iam::123456789012:role/a b",
        "role path and name may contain only letters, digits and +=,.@_-/"
      ),
      ("my-role", "expected 6 colon-separated parts starting with \"arn:\""),
    ] as [(String, String?)])
  func validatesRoleARNs(arn: String, problem: String?) {
    #expect(RoleARN.problem(in: arn) == problem)
  }

  @Test("a role ARN as the profile uses [default] settings and credentials")
  func roleARNProfile() throws {
    let arn = "arn:aws:iam::123456789012:role/path/admin"
    let profile = try resolver(
      config:
        "[default]\nregion = us-east-1\nrole_arn = arn:aws:iam::999999999999:role/ignored\n[profile x]\nregion = nope",
      credentials: "[default]\naws_access_key_id = AKIADEF\naws_secret_access_key = s",
      environment: ["MFA_SERIAL": "env-serial"]
    ).resolve(arn)
    #expect(profile.name == "")
    #expect(profile.isRoleARNProfile)
    #expect(profile.kind == .roleARN)
    #expect(profile.settings.roleArn == Setting(arn, origin: .flag("profile argument")))
    #expect(profile.settings.region?.value == "us-east-1")
    #expect(profile.settings.mfaSerial?.value == "env-serial")
    #expect(profile.staticCredentials?.accessKeyID == "AKIADEF")
    #expect(profile.source == nil)
  }

  @Test("role ARN profiles of other partitions are accepted")
  func roleARNProfileOtherPartitions() throws {
    let resolver = try resolver(config: "")
    #expect(try resolver.resolve("arn:aws-cn:iam::123456789012:role/x").isRoleARNProfile)
    #expect(try resolver.resolve("arn:aws-us-gov:iam::123456789012:role/x").kind == .roleARN)
  }

  @Test("a malformed role ARN as the profile is an error")
  func malformedRoleARNProfile() throws {
    #expect(
      resolutionError("arn:aws:iam::123456789012:rol/x", in: try resolver(config: ""))?.message
        == "profile argument: invalid role ARN \"arn:aws:iam::123456789012:rol/x\": resource must be role/<name>, found \"rol/x\""
    )
  }

  @Test("profile names are sorted, without prefixes, typed sections or IdP URL sections")
  func listsProfileNames() throws {
    let resolver = try resolver(
      config: """
        [default]
        [profile zeta]
        [profile alpha]
        [legacy]
        [services local]
        [sso-session corp]
        [plugins]
        """,
      credentials: "[alpha]\n[personal]\n[https://idp.example.com/saml]\nsaml_password = x")
    #expect(resolver.profileNames == ["alpha", "default", "legacy", "personal", "zeta"])
    #expect(resolver.hasProfile("personal"))
    #expect(!resolver.hasProfile("local"))
  }
}

@Suite("Profile resolution: endpoints")
struct ProfileEndpointTests {
  @Test("a services section gives per-service endpoints with their lines")
  func servicesSectionEndpoints() throws {
    let settings = try resolver(
      config: """
        [profile dev]
        services = local
        endpoint_url = http://localhost:4566

        [services local]
        sts =
          endpoint_url = http://127.0.0.1:5000
        iam =
          endpoint_url = http://127.0.0.1:5001
        """
    ).resolve("dev").settings
    #expect(settings.servicesSection == Setting("local", origin: inConfig("profile dev", line: 2)))
    #expect(settings.endpointURL?.value == "http://localhost:4566")
    #expect(
      settings.serviceEndpoints["sts"]
        == Setting("http://127.0.0.1:5000", origin: inConfig("services local", line: 7)))
    #expect(settings.serviceEndpoints["iam"]?.value == "http://127.0.0.1:5001")
  }

  @Test("a services key naming a missing section is an error at that line")
  func missingServicesSection() throws {
    let resolver = try resolver(config: "[profile dev]\nservices = nowhere")
    #expect(
      resolutionError("dev", in: resolver)?.message
        == "/home/u/.aws/config:2: services: no [services nowhere] section in ~/.aws/config")
  }

  @Test("AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> override the files")
  func environmentEndpoints() throws {
    let settings = try resolver(
      config:
        "[profile dev]\nservices = local\n[services local]\nsts =\n  endpoint_url = http://file",
      environment: ["AWS_ENDPOINT_URL": "http://env-all", "AWS_ENDPOINT_URL_STS": "http://env-sts"]
    ).resolve("dev").settings
    #expect(
      settings.endpointURL == Setting("http://env-all", origin: .environment("AWS_ENDPOINT_URL")))
    #expect(
      settings.serviceEndpoints["sts"]
        == Setting("http://env-sts", origin: .environment("AWS_ENDPOINT_URL_STS")))
  }
}

@Suite("Setting origins")
struct SettingOriginTests {
  @Test("origins describe themselves for diagnose output")
  func describesOrigins() {
    #expect(SettingOrigin.environment("AWS_REGION").description == "env AWS_REGION")
    #expect(SettingOrigin.flag("--role-duration").description == "flag --role-duration")
    #expect(SettingOrigin.flag("profile argument").description == "profile argument")
    #expect(SettingOrigin.builtInDefault.description == "default")
    #expect(
      SettingOrigin.file(path: "/etc/aws/config", section: "profile prod", line: 12).description
        == "/etc/aws/config [profile prod] line 12")
  }

  @Test("the home directory is shown as ~")
  func abbreviatesHome() {
    #expect(
      SettingOrigin.abbreviatingHome(in: "/home/u/.aws/config", home: "/home/u") == "~/.aws/config")
    #expect(
      SettingOrigin.abbreviatingHome(in: "/home/u/.aws/config", home: "/home/u/") == "~/.aws/config"
    )
    #expect(
      SettingOrigin.abbreviatingHome(in: "/home/user2/config", home: "/home/u")
        == "/home/user2/config")
    #expect(SettingOrigin.abbreviatingHome(in: "/etc/config", home: "/") == "/etc/config")
  }
}

@Suite("Config files on disk")
struct AWSConfigFilesTests {
  @Test("load reads AWS_CONFIG_FILE with ~ expanded and treats a missing credentials file as empty")
  func loadsFromDisk() throws {
    let home = FileManager.default.temporaryDirectory
      .appendingPathComponent("runas-config-\(UInt64.random(in: 0...UInt64.max))").path
    try FileManager.default.createDirectory(
      atPath: home + "/custom", withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: home) }
    try "[profile dev]\nregion = eu-west-1\n".write(
      toFile: home + "/custom/config", atomically: true, encoding: .utf8)

    let files = try AWSConfigFiles.load(environment: [
      "HOME": home, "AWS_CONFIG_FILE": "~/custom/config",
    ])
    #expect(files.configPath == home + "/custom/config")
    #expect(files.credentialsPath == home + "/.aws/credentials")
    #expect(files.config.section("profile dev")?.entry("region")?.value == "eu-west-1")
    #expect(files.credentials.sections.isEmpty)
    #expect(files.cacheDirectory == home + "/custom")

    try "[dev\n".write(toFile: home + "/custom/broken", atomically: true, encoding: .utf8)
    #expect(
      throws: ConfigFileError(
        path: home + "/custom/broken", line: 1,
        reason: "section header has no closing \"]\": \"[dev\"")
    ) {
      try AWSConfigFiles.load(environment: [
        "HOME": home, "AWS_CONFIG_FILE": home + "/custom/broken",
      ])
    }
    #expect(throws: ConfigFileError.self) {
      try AWSConfigFiles.load(environment: ["HOME": home, "AWS_CONFIG_FILE": home + "/custom"])
    }
  }
}

@Suite("Profile resolution: echoed values")
struct ProfileEchoTests {
  @Test("a huge role ARN is quoted cut, not whole")
  func hugeRoleARNIsCut() throws {
    let arn = "arn:aws:iam::123456789012:role/" + String(repeating: "r", count: 1_048_576)
    let resolver = try resolver(config: "[profile big]\nrole_arn = \(arn)\n")
    let error = try #require(resolutionError("big", in: resolver))
    #expect(error.description.utf8.count < 1_000)
    #expect(error.description.contains("(1048607 characters)"))
  }

  @Test("a long source_profile loop shows its start and end")
  func longLoopIsShortened() throws {
    let count = 1_000
    let config = (0..<count).map {
      "[profile p\($0)]\nsource_profile = p\(($0 + 1) % count)\nrole_arn = arn:aws:iam::123456789012:role/r\n"
    }.joined()
    let error = try #require(resolutionError("p0", in: try resolver(config: config)))
    #expect(error.message == "profile chain loops: p0 -> p1 -> p2 -> p3 -> … 994 more … -> p998 -> p999 -> p0")
  }

  @Test("control characters in a profile name are escaped")
  func profileNamesAreEscaped() throws {
    let error = try #require(resolutionError("x\u{1B}[2Jy", in: try resolver(config: "[default]\n")))
    #expect(error.message.contains(#"profile "x\u{1B}[2Jy" not found"#))
  }
}

@Suite("Diagnostics: region")
struct DiagnosticsRegionTests {
  @Test func diagnoseReportsAnInvalidRegionAsAnError() {
    let finding = ProfileDiagnostics.checkRegion(Setting("evil.example/x?", origin: .environment("AWS_REGION")))
    #expect(finding.severity == .error)
    #expect(finding.message.hasPrefix(#"region "evil.example/x?" (env AWS_REGION) is invalid"#))
    #expect(ProfileDiagnostics.checkRegion(Setting("eu-west-1", origin: .builtInDefault)).severity == .info)
    #expect(ProfileDiagnostics.checkRegion(nil).severity == .error)
  }
}
