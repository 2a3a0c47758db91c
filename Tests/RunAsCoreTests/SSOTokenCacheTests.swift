import Foundation
import Testing

@testable import RunAsCore

@Suite("SSO token cache (AWS CLI v2 format)")
struct SSOTokenCacheTests {
  let cache: SSOCacheDirectory = {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("sso-\(UUID().uuidString)").path
    return SSOCacheDirectory(path: path + "/sso/cache")
  }()

  static let session = IdentityCenterSession(
    name: "corp", startURL: "https://corp.awsapps.com/start", region: "us-east-1",
    registrationScopes: ["sso:account:access"])
  static let legacy = IdentityCenterSession(
    name: nil, startURL: "https://corp.awsapps.com/start", region: "us-east-1")

  @Test func tokenFilesAreNamedBySHA1OfSessionNameOrStartURL() {
    #expect(cache.tokenPath(for: Self.session).hasSuffix("/ee0bfd2552fbd840c02cc48b6e823320543c450f.json"))
    #expect(cache.tokenPath(for: Self.legacy).hasSuffix("/a51746d4aa793ae07b25e90c3a5db96fc7832bd7.json"))
  }

  @Test func registrationFilesAreNamedAsBotocoreNamesThem() {
    #expect(
      SSOCacheDirectory.registrationKey(for: Self.session)
        == #"{"region": "us-east-1", "scopes": ["sso:account:access"], "session_name": "corp", "startUrl": "https://corp.awsapps.com/start", "tool": "botocore"}"#
    )
    #expect(cache.registrationPath(for: Self.session).hasSuffix("/1b56c55d6e723362537167a7f43960b8185b5a80.json"))
    #expect(cache.registrationPath(for: Self.legacy).hasSuffix("/ffb6eff0a547e7a6123046d5853a4c054139b507.json"))
  }

  @Test func pythonJSONEscapesNonASCIIAsEnsureASCIIDoes() {
    #expect(PythonJSON.quoted("é\u{1F600}\"\n\u{7F}") == #""\u00e9\ud83d\ude00\"\n\u007f""#)
  }

  @Test func storedTokenIsTheCLIsOneLineJSONWithMode0600() throws {
    let token = SSOToken(
      startURL: "https://corp.awsapps.com/start", region: "us-east-1", accessToken: "aoa",
      expiresAt: Date(timeIntervalSince1970: 1_796_193_389.75), refreshToken: "aor", clientID: "cid",
      clientSecret: "secret", registrationExpiresAt: Date(timeIntervalSince1970: 1_803_965_788))
    try cache.store(token, for: Self.session)
    let path = cache.tokenPath(for: Self.session)
    let text = try String(contentsOfFile: path, encoding: .utf8)
    #expect(
      text
        == #"{"startUrl": "https://corp.awsapps.com/start", "region": "us-east-1", "accessToken": "aoa", "expiresAt": "2026-12-02T06:36:29Z", "clientId": "cid", "clientSecret": "secret", "registrationExpiresAt": "2027-03-02T05:36:28Z", "refreshToken": "aor"}"#
    )
    #expect(POSIXFile.permissions(path) == 0o600)
    var expected = token
    expected.expiresAt = Date(timeIntervalSince1970: 1_796_193_389)
    #expect(try cache.token(for: Self.session) == expected)
  }

  @Test func tokensWrittenByOtherSDKsAreRead() throws {
    try FileManager.default.createDirectory(atPath: cache.path, withIntermediateDirectories: true)
    let path = cache.tokenPath(for: Self.legacy)
    for (written, seconds) in [
      ("2026-12-02T06:36:29.000Z", 1_796_193_389.0), ("2026-12-02T06:36:29+00:00", 1_796_193_389.0),
      ("2026-12-02T06:36:29UTC", 1_796_193_389.0),
    ] {
      try
        #"{"startUrl":"https://corp.awsapps.com/start","region":"us-east-1","accessToken":"a","expiresAt":"\#(written)","extra":{"nested":[1]}}"#
        .write(toFile: path, atomically: true, encoding: .utf8)
      let token = try #require(try cache.token(for: Self.legacy))
      #expect(token.expiresAt == Date(timeIntervalSince1970: seconds))
      #expect(token.refreshToken == nil)
      #expect(token.refreshRegistration(at: Date()) == nil)
    }
  }

  @Test func corruptedTokenFileIsAClearErrorNamingTheFile() throws {
    try FileManager.default.createDirectory(atPath: cache.path, withIntermediateDirectories: true)
    let path = cache.tokenPath(for: Self.session)
    for (content, reason) in [
      ("{\"accessToken\": \"a\", \"expiresAt\": ", "is not a JSON token object"),
      ("{\"expiresAt\": \"2030-01-01T00:00:00Z\"}", "has no accessToken"),
      ("{\"accessToken\": \"a\", \"expiresAt\": \"soon\"}", "has no readable expiresAt"),
    ] {
      try content.write(toFile: path, atomically: true, encoding: .utf8)
      #expect {
        _ = try cache.token(for: Self.session)
      } throws: { error in
        "\(error)".contains(path) && "\(error)".contains(reason) && "\(error)".contains("aws-runas sso login")
      }
    }
  }

  @Test func missingTokenFileIsNoToken() throws {
    #expect(try cache.token(for: Self.session) == nil)
  }

  @Test func registrationRoundTripsAndExpiresWithAMargin() throws {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let registration = SSOClientRegistration(
      clientID: "cid", clientSecret: "s", expiresAt: now.addingTimeInterval(3600), scopes: ["sso:account:access"])
    try cache.store(registration, for: Self.session)
    let text = try String(contentsOfFile: cache.registrationPath(for: Self.session), encoding: .utf8)
    #expect(
      text
        == #"{"clientId": "cid", "clientSecret": "s", "expiresAt": "2027-01-15T09:00:00Z", "scopes": ["sso:account:access"]}"#
    )
    #expect(cache.registration(for: Self.session, validAt: now, margin: .seconds(900)) == registration)
    #expect(cache.registration(for: Self.session, validAt: now.addingTimeInterval(3000), margin: .seconds(900)) == nil)
  }

  @Test func allTokenFilesSkipsRegistrations() throws {
    try cache.store(
      SSOToken(startURL: "u", region: "eu-west-1", accessToken: "a", expiresAt: Date()), for: Self.session)
    try cache.store(SSOClientRegistration(clientID: "c", clientSecret: "s", expiresAt: Date()), for: Self.session)
    let files = cache.allTokenFiles()
    #expect(files.map(\.accessToken) == ["a"])
    #expect(files.map(\.region) == ["eu-west-1"])
  }
}
