import Foundation
import Testing

@testable import RunAsCore

@Suite("Set-Cookie parsing")
struct SetCookieParsingTests {
  @Test func readsEveryAttributeCaseInsensitively() throws {
    let header =
      "KEYCLOAK_SESSION=demo/abc; Version=1; expires=Sun, 01-Jun-2031 10:00:00 GMT; Max-Age=36000; "
      + "DOMAIN=.Example.COM; path=/realms/demo/; SECURE; httponly; SameSite=None; Partitioned"
    let cookie = try #require(SetCookie(header: header))
    #expect(cookie.name == "KEYCLOAK_SESSION")
    #expect(cookie.value == "demo/abc")
    #expect(cookie.domain == ".Example.COM")
    #expect(cookie.path == "/realms/demo/")
    #expect(cookie.rawExpires == "Sun, 01-Jun-2031 10:00:00 GMT")
    #expect(cookie.expires == Date(timeIntervalSince1970: 1_938_074_400))
    #expect(cookie.maxAge == 36000)
    #expect(cookie.secure && cookie.httpOnly)
    #expect(cookie.sameSite == .none)
    #expect(cookie.unparsed == ["Version=1", "Partitioned"])
    #expect(cookie.raw == header)
  }

  @Test func sameSiteValuesMapToGosNumbers() {
    #expect(SetCookie(header: "a=b")?.sameSite == .unset)
    #expect(SetCookie(header: "a=b; SameSite=Lax")?.sameSite.rawValue == 2)
    #expect(SetCookie(header: "a=b; SameSite=strict")?.sameSite.rawValue == 3)
    #expect(SetCookie(header: "a=b; SameSite=None")?.sameSite.rawValue == 4)
    #expect(SetCookie(header: "a=b; SameSite=whatever")?.sameSite.rawValue == 1)
  }

  @Test func maxAgeZeroOrNegativeMeansDeleteAndGarbageIsIgnored() {
    #expect(SetCookie(header: "KC_RESTART=; Max-Age=0")?.maxAge == -1)
    #expect(SetCookie(header: "a=b; Max-Age=-5")?.maxAge == -1)
    #expect(SetCookie(header: "a=b; Max-Age=12abc")?.maxAge == 0)
    #expect(SetCookie(header: "a=b; Max-Age=99999999999999999999")?.maxAge == 9_999_999_999)
  }

  @Test func unreadableExpiresIsKeptRawButNotUsed() throws {
    let cookie = try #require(SetCookie(header: "a=b; Expires=someday"))
    #expect(cookie.rawExpires == "someday")
    #expect(cookie.expires == nil)
  }

  @Test func quotedValuesLoseTheirQuotesAndEmptyValuesAreKept() {
    #expect(SetCookie(header: #"a="quoted value""#)?.value == "quoted value")
    #expect(SetCookie(header: "KC_RESTART=")?.value == "")
    #expect(SetCookie(header: " spaced = out ; Path=/")?.name == "spaced")
    #expect(SetCookie(header: " spaced = out ; Path=/")?.value == "out")
  }

  @Test("cookies without a name, without '=' or with control characters are ignored")
  func malformed() {
    #expect(SetCookie(header: "novalue") == nil)
    #expect(SetCookie(header: "=value") == nil)
    #expect(SetCookie(header: "a=b\u{1}c") == nil)
    #expect(SetCookie(header: "") == nil)
  }

  @Test func maxAgeWinsOverExpires() throws {
    let received = Date(timeIntervalSince1970: 1_700_000_000)
    let cookie = try #require(SetCookie(header: "a=b; Expires=Sun, 01 Jun 2031 10:00:00 GMT; Max-Age=60"))
    #expect(cookie.expiry(receivedAt: received) == received.addingTimeInterval(60))
    #expect(SetCookie(header: "a=b")?.expiry(receivedAt: received) == nil)
  }
}

@Suite("Cookie jar (RFC 6265 storage and retrieval)")
struct CookieJarTests {
  let now = Date(timeIntervalSince1970: 1_700_000_000)

  func store(_ header: String, from url: String, in jar: inout CookieJar, at time: Date? = nil) -> Bool {
    guard let cookie = SetCookie(header: header) else { return false }
    return jar.store(cookie, from: url, now: time ?? now)
  }

  @Test func hostOnlyCookiesGoToTheirHostOnly() {
    var jar = CookieJar()
    #expect(store("sid=1", from: "https://sso.example.com/login", in: &jar))
    #expect(jar.cookieHeader(for: "https://sso.example.com/", now: now) == "sid=1")
    #expect(jar.cookieHeader(for: "https://sub.sso.example.com/", now: now) == nil)
    #expect(jar.cookieHeader(for: "https://example.com/", now: now) == nil)
    // Cookies do not isolate ports.
    #expect(jar.cookieHeader(for: "https://sso.example.com:8443/", now: now) == "sid=1")
  }

  @Test func domainCookiesGoToSubdomainsToo() {
    var jar = CookieJar()
    #expect(store("shared=1; Domain=.example.com", from: "https://sso.example.com/", in: &jar))
    #expect(jar.cookieHeader(for: "https://example.com/", now: now) == "shared=1")
    #expect(jar.cookieHeader(for: "https://deep.sub.example.com/x", now: now) == "shared=1")
    #expect(jar.cookieHeader(for: "https://notexample.com/", now: now) == nil)
  }

  @Test func foreignOrTopLevelDomainsAreRefused() {
    var jar = CookieJar()
    #expect(!store("a=1; Domain=other.com", from: "https://sso.example.com/", in: &jar))
    #expect(!store("a=1; Domain=com", from: "https://sso.example.com/", in: &jar))
    #expect(!store("a=1; Domain=sub.sso.example.com", from: "https://sso.example.com/", in: &jar))
    #expect(!store("a=1; Domain=0.0.1", from: "http://127.0.0.1/", in: &jar))
    #expect(jar.cookies.isEmpty)
  }

  @Test func aSingleLabelDomainNamingTheHostItselfIsHostOnly() {
    var jar = CookieJar()
    #expect(store("a=1; Domain=localhost", from: "http://localhost:8080/", in: &jar))
    #expect(jar.cookies.first?.isHostOnly == true)
    #expect(jar.cookieHeader(for: "http://localhost/", now: now) == "a=1")
  }

  @Test func ipAddressesMatchExactly() {
    var jar = CookieJar()
    #expect(store("a=1", from: "http://127.0.0.1:9000/x", in: &jar))
    #expect(store("b=2; Domain=127.0.0.1", from: "http://127.0.0.1:9000/x", in: &jar))
    #expect(jar.cookieHeader(for: "http://127.0.0.1:1234/", now: now) == "a=1; b=2")
    #expect(store("v6=1", from: "http://[::1]:9000/", in: &jar))
    #expect(jar.cookieHeader(for: "http://[::1]/", now: now) == "v6=1")
  }

  @Test func defaultPathIsTheRequestsDirectory() {
    var jar = CookieJar()
    #expect(store("a=1", from: "https://idp/realms/demo/login?x=1", in: &jar))
    #expect(jar.cookies.first?.path == "/realms/demo")
    #expect(store("b=1; Path=relative", from: "https://idp/top", in: &jar))
    #expect(jar.cookies.last?.path == "/")
  }

  @Test func pathMatchingFollowsSegmentBoundaries() {
    var jar = CookieJar()
    #expect(store("a=1; Path=/realms/demo", from: "https://idp/", in: &jar))
    #expect(jar.cookieHeader(for: "https://idp/realms/demo", now: now) == "a=1")
    #expect(jar.cookieHeader(for: "https://idp/realms/demo/x", now: now) == "a=1")
    #expect(jar.cookieHeader(for: "https://idp/realms/demonic", now: now) == nil)
    #expect(jar.cookieHeader(for: "https://idp/realms", now: now) == nil)
  }

  @Test func secureCookiesGoOverHTTPSOnly() {
    var jar = CookieJar()
    #expect(store("s=1; Secure", from: "https://idp/", in: &jar))
    #expect(jar.cookieHeader(for: "https://idp/", now: now) == "s=1")
    #expect(jar.cookieHeader(for: "http://idp/", now: now) == nil)
  }

  @Test func longerPathsComeFirstThenOlderCookies() {
    var jar = CookieJar()
    #expect(store("first=1; Path=/", from: "https://idp/", in: &jar, at: now))
    #expect(store("deep=1; Path=/realms/demo/", from: "https://idp/", in: &jar, at: now.addingTimeInterval(1)))
    #expect(store("second=1; Path=/", from: "https://idp/", in: &jar, at: now.addingTimeInterval(2)))
    #expect(jar.cookieHeader(for: "https://idp/realms/demo/x", now: now) == "deep=1; first=1; second=1")
  }

  @Test func replacingACookieKeepsItsPlaceAndCreationTime() {
    var jar = CookieJar()
    #expect(store("a=old", from: "https://idp/", in: &jar, at: now))
    #expect(store("b=1", from: "https://idp/", in: &jar, at: now.addingTimeInterval(1)))
    #expect(store("a=new", from: "https://idp/", in: &jar, at: now.addingTimeInterval(2)))
    #expect(jar.cookieHeader(for: "https://idp/", now: now) == "a=new; b=1")
    #expect(jar.cookies.first { $0.name == "a" }?.created == now)
  }

  @Test func sameNameWithAnotherPathIsAnotherCookie() {
    var jar = CookieJar()
    #expect(store("a=root; Path=/", from: "https://idp/", in: &jar))
    #expect(store("a=realm; Path=/realms/", from: "https://idp/", in: &jar))
    #expect(jar.cookieHeader(for: "https://idp/realms/x", now: now) == "a=realm; a=root")
  }

  @Test func expiredAndMaxAgeZeroCookiesDeleteTheStoredOne() {
    var jar = CookieJar()
    #expect(store("KC_RESTART=jwt; Path=/realms/demo/", from: "https://idp/", in: &jar))
    #expect(store("KC_RESTART=; Max-Age=0; Path=/realms/demo/", from: "https://idp/", in: &jar))
    #expect(jar.cookies.isEmpty)
    #expect(store("a=1", from: "https://idp/", in: &jar))
    #expect(store("a=gone; Expires=Thu, 01 Jan 1970 00:00:00 GMT", from: "https://idp/", in: &jar))
    #expect(jar.cookies.isEmpty)
  }

  @Test func cookiesExpireWithTime() {
    var jar = CookieJar()
    #expect(store("short=1; Max-Age=60", from: "https://idp/", in: &jar))
    #expect(store("session=1", from: "https://idp/", in: &jar))
    #expect(jar.cookieHeader(for: "https://idp/", now: now.addingTimeInterval(59)) == "short=1; session=1")
    #expect(jar.cookieHeader(for: "https://idp/", now: now.addingTimeInterval(60)) == "session=1")
  }

  @Test func urlsThatAreNotHTTPAreIgnored() {
    var jar = CookieJar()
    #expect(!store("a=1", from: "app:/callback", in: &jar))
    #expect(jar.cookies(for: "ftp://idp/", now: now).isEmpty)
  }
}
