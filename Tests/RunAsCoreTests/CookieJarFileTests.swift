import Foundation
import TestSupport
import Testing

@testable import RunAsCore

@Suite("Cookie file (.aws_runas.cookies, the Go tool's format)")
struct CookieJarFileTests {
  /// This test's files, removed when it ends.
  let temporary: TemporaryDirectory
  var directory: String { temporary.path }

  init() throws { temporary = try TemporaryDirectory(prefix: "cookies") }

  let now = Date(timeIntervalSince1970: 1_700_000_000)

  /// A file as Go's `json.NewEncoder(f).Encode(map[string][]*http.Cookie)` writes it (Go 1.20):
  /// keys sorted, `http.Cookie` fields in declaration order, `&` escaped, a final newline.
  static let goWritten =
    #"{"https://keycloak.example.com":[{"Name":"AUTH_SESSION_ID","Value":"3f1c0e4e.keycloak-0","Path":"/realms/demo/","Domain":"","Expires":"0001-01-01T00:00:00Z","RawExpires":"","MaxAge":0,"Secure":true,"HttpOnly":true,"SameSite":4,"Raw":"AUTH_SESSION_ID=3f1c0e4e.keycloak-0; Version=1; Path=/realms/demo/; SameSite=None; Secure; HttpOnly","Unparsed":["Version=1"]},"#
    + #"{"Name":"KEYCLOAK_SESSION","Value":"demo/6a1b/9c2d","Path":"/realms/demo/","Domain":"","Expires":"2031-06-01T10:00:00Z","RawExpires":"Sun, 01-Jun-2031 10:00:00 GMT","MaxAge":36000,"Secure":true,"HttpOnly":false,"SameSite":4,"Raw":"KEYCLOAK_SESSION=demo/6a1b/9c2d; Version=1; Expires=Sun, 01-Jun-2031 10:00:00 GMT; Max-Age=36000; Path=/realms/demo/; SameSite=None; Secure","Unparsed":["Version=1"]}],"#
    + #""https://login.example.org":[{"Name":"pref","Value":"a\u0026b","Path":"","Domain":".example.org","Expires":"2031-06-01T10:00:00Z","RawExpires":"Sun, 01 Jun 2031 10:00:00 GMT","MaxAge":0,"Secure":false,"HttpOnly":false,"SameSite":2,"Raw":"pref=a\u0026b; Domain=.example.org; Expires=Sun, 01 Jun 2031 10:00:00 GMT; SameSite=Lax","Unparsed":null}]}"#
    + "\n"

  static let keycloak = "https://keycloak.example.com"
  static let login = "https://login.example.org"

  func file(containing text: String? = nil) throws -> CookieJarFile {
    let file = CookieJarFile(directory: directory)
    if let text { try text.write(toFile: file.path, atomically: false, encoding: .utf8) }
    return file
  }

  func fileText(_ file: CookieJarFile) throws -> String {
    try String(contentsOfFile: file.path, encoding: .utf8)
  }

  @Test func readsAFileTheGoToolWrote() throws {
    let records = try file(containing: Self.goWritten).load()
    #expect(records.keys.sorted() == [Self.keycloak, Self.login])
    let keycloak = try #require(records[Self.keycloak])
    #expect(keycloak.map(\.name) == ["AUTH_SESSION_ID", "KEYCLOAK_SESSION"])
    #expect(keycloak[0].expires == nil)
    #expect(keycloak[0].secure && keycloak[0].httpOnly)
    #expect(keycloak[0].sameSite == .none)
    #expect(keycloak[0].unparsed == ["Version=1"])
    #expect(keycloak[1].maxAge == 36000)
    #expect(keycloak[1].expires == Date(timeIntervalSince1970: 1_938_074_400))
    let pref = try #require(records[Self.login]?.first)
    #expect(pref.value == "a&b")
    #expect(pref.domain == ".example.org")
    #expect(pref.sameSite == .lax)
    #expect(pref.unparsed.isEmpty)
  }

  @Test func writesTheGoToolsBytesBack() throws {
    let records = try file(containing: Self.goWritten).load()
    #expect(String(decoding: CookieJarFile.encode(records), as: UTF8.self) == Self.goWritten)
  }

  @Test func readsNewerGoVersionsFieldsAndNullLists() throws {
    let newer =
      #"{"https://idp.example.com":[{"Name":"sid","Value":"v","Quoted":false,"Path":"/","Domain":"","Expires":"2031-06-01T10:00:00.123456789+02:00","RawExpires":"","MaxAge":0,"Secure":false,"HttpOnly":true,"SameSite":0,"Partitioned":true,"Raw":"sid=v","Unparsed":null}],"https://empty.example.com":null}"#
    let records = try file(containing: newer).load()
    let sid = try #require(records["https://idp.example.com"]?.first)
    #expect(sid.name == "sid")
    let expires = try #require(sid.expires?.timeIntervalSince1970)
    #expect(abs(expires - 1_938_067_200.123456789) < 0.000_01)
    #expect(records["https://empty.example.com"] == [])
  }

  @Test func aMissingOrNearlyEmptyFileHoldsNothing() throws {
    #expect(try file().load().isEmpty)
    #expect(try file(containing: "{}").load().isEmpty)
    #expect(try file(containing: "").load().isEmpty)
  }

  @Test func aFileThatIsNotACookieFileIsReportedAsMalformed() throws {
    let broken = try file(containing: #"{"https://idp":"not a list"}"#)
    #expect {
      try broken.load()
    } throws: { error in
      let failure = error as? CookieJarFile.Failure
      return failure?.isMalformed == true && failure?.message.contains(broken.path) == true
    }
  }

  @Test func anUnreadableFileIsAnErrorNamingIt() throws {
    let file = try file()
    try FileManager.default.createDirectory(atPath: file.path, withIntermediateDirectories: true)
    #expect {
      try file.load()
    } throws: { error in
      let failure = error as? CookieJarFile.Failure
      return failure?.isMalformed == false && failure?.message.contains(file.path) == true
    }
  }

  @Test func loadingAppliesTheJarRulesAsTheGoToolDoes() throws {
    let jar = CookieJarFile.jar(from: try file(containing: Self.goWritten).load(), now: now)
    #expect(
      jar.cookieHeader(for: "https://keycloak.example.com/realms/demo/x", now: now)
        == "AUTH_SESSION_ID=3f1c0e4e.keycloak-0; KEYCLOAK_SESSION=demo/6a1b/9c2d")
    #expect(jar.cookieHeader(for: "https://keycloak.example.com/other", now: now) == nil)
    #expect(jar.cookieHeader(for: "https://www.example.org/", now: now) == "pref=a&b")
    // Go applies Max-Age from the moment it loads the file.
    let session = jar.cookies.first { $0.name == "KEYCLOAK_SESSION" }
    #expect(session?.expires == now.addingTimeInterval(36000))
  }

  @Test func mergeReplacesByNameDomainAndPathAndLeavesOtherHostsAlone() async throws {
    let file = try file(containing: Self.goWritten)
    let replaced = try #require(SetCookie(header: "AUTH_SESSION_ID=new.keycloak-1; Path=/realms/demo/; HttpOnly"))
    let added = try #require(SetCookie(header: "KEYCLOAK_IDENTITY=eyJhbGciOi; Path=/realms/demo/; HttpOnly"))
    try await file.merge(
      [replaced, added], from: "https://keycloak.example.com/realms/demo/login-actions/authenticate?x=1", now: now)

    let records = try file.load()
    #expect(records[Self.keycloak]?.map(\.name) == ["AUTH_SESSION_ID", "KEYCLOAK_SESSION", "KEYCLOAK_IDENTITY"])
    #expect(records[Self.keycloak]?.first?.value == "new.keycloak-1")
    let text = try fileText(file)
    // The other host's records are written back byte for byte.
    let otherHost = try #require(Self.goWritten.range(of: #""https://login.example.org""#))
    #expect(text.hasSuffix(String(Self.goWritten[otherHost.lowerBound...])))
    #expect(POSIXFile.permissions(file.path) == 0o600)
  }

  @Test func mergeWritesMaxAgeAsTheAbsoluteExpiryItStandsFor() async throws {
    let file = try file()
    let short = try #require(SetCookie(header: "short=1; Max-Age=60; Path=/"))
    try await file.merge([short], from: "http://127.0.0.1:8080/login", now: now)
    #expect(
      try fileText(file)
        == #"{"http://127.0.0.1":[{"Name":"short","Value":"1","Path":"/","Domain":"","Expires":"2023-11-14T22:14:20Z","RawExpires":"","MaxAge":0,"Secure":false,"HttpOnly":false,"SameSite":0,"Raw":"short=1; Max-Age=60; Path=/","Unparsed":null}]}"#
        + "\n")
  }

  @Test func mergeOfAnExpiredCookieRemovesTheRecordAndExpiredRecordsAreDropped() async throws {
    let file = try file(containing: Self.goWritten)
    let restart = try #require(SetCookie(header: "KC_RESTART=jwt; Path=/realms/demo/"))
    try await file.merge([restart], from: Self.keycloak + "/realms/demo/", now: now)
    #expect(try file.load()[Self.keycloak]?.contains { $0.name == "KC_RESTART" } == true)

    let deletion = try #require(SetCookie(header: "KC_RESTART=; Max-Age=0; Path=/realms/demo/"))
    // Much later: the `pref` record (expiring in 2031) has expired as well.
    let later = Date(timeIntervalSince1970: 2_000_000_000)
    try await file.merge([deletion], from: Self.keycloak + "/realms/demo/", now: later)
    let records = try file.load()
    #expect(records[Self.keycloak]?.map(\.name) == ["AUTH_SESSION_ID", "KEYCLOAK_SESSION"])
    #expect(records[Self.login] == nil)
  }

  @Test func mergeReplacesAFileThatIsNotACookieFile() async throws {
    let file = try file(containing: "garbage")
    let cookie = try #require(SetCookie(header: "a=1"))
    try await file.merge([cookie], from: "https://idp.example.com/", now: now)
    #expect(try file.load()["https://idp.example.com"]?.map(\.value) == ["1"])
  }

  @Test func concurrentMergesKeepEachOthersCookies() async throws {
    let file = try file()
    try await withThrowingTaskGroup(of: Void.self) { group in
      for index in 0..<8 {
        group.addTask {
          let cookie = try #require(SetCookie(header: "c\(index)=\(index)"))
          try await file.merge([cookie], from: "https://host\(index).example.com/", now: now)
        }
      }
      try await group.waitForAll()
    }
    #expect(try file.load().count == 8)
  }

  @Test func keysHaveNoPortAndNoIPv6Brackets() {
    #expect(CookieJarFile.key(of: "https://Idp.Example.com:8443/x?y") == "https://idp.example.com")
    #expect(CookieJarFile.key(of: "http://[::1]:8080/") == "http://::1")
    #expect(CookieJarFile.url(ofKey: "http://::1") == "http://[::1]/")
    #expect(CookieJarFile.url(ofKey: "not a key") == nil)
  }
}
