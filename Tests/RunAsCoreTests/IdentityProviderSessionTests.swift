import Foundation
import Synchronization
import Testing

@testable import RunAsCore

/// Answers requests with a closure and records what was sent.
final class RecordingTransport: HTTPTransport {
  let requests = Mutex<[HTTPRequestData]>([])
  let cancelled = Mutex(false)
  private let answer: @Sendable (HTTPRequestData) async throws -> HTTPResponseData

  init(_ answer: @escaping @Sendable (HTTPRequestData) async throws -> HTTPResponseData) {
    self.answer = answer
  }

  func send(_ request: HTTPRequestData) async throws -> HTTPResponseData {
    requests.withLock { $0.append(request) }
    do {
      return try await answer(request)
    } catch is CancellationError {
      cancelled.withLock { $0 = true }
      throw CancellationError()
    }
  }

  var sent: [HTTPRequestData] { requests.withLock { $0 } }
}

func redirect(_ status: Int, to location: String, cookies: [String] = []) -> HTTPResponseData {
  HTTPResponseData(status: status, headers: [("Location", location)] + cookies.map { ("Set-Cookie", $0) })
}

func page(_ html: String, cookies: [String] = []) -> HTTPResponseData {
  HTTPResponseData(
    status: 200, headers: [("Content-Type", "text/html")] + cookies.map { ("Set-Cookie", $0) }, body: Array(html.utf8))
}

@Suite("Identity provider session (in memory)")
struct IdentityProviderSessionTests {
  /// A session for `transport`. The generous default time limit keeps these tests independent of
  /// how busy the machine is; the tests about time limits set their own.
  func session(_ transport: RecordingTransport, maximumRedirects: Int = 10, timeout: Duration = .seconds(3600)) throws
    -> IdentityProviderSession
  {
    try IdentityProviderSession(transport: transport, timeout: timeout, maximumRedirects: maximumRedirects)
  }

  @Test func cookiesSetOnRedirectsAreSentOnTheNextHops() async throws {
    let transport = RecordingTransport { request in
      switch request.url {
      case "https://idp.example.com/start": redirect(302, to: "/step", cookies: ["flow=1; Path=/"])
      case "https://idp.example.com/step":
        redirect(302, to: "https://idp.example.com/done", cookies: ["sid=abc; Path=/; HttpOnly"])
      default: page("<p>done</p>")
      }
    }
    let response = try await session(transport).get("https://idp.example.com/start")
    #expect(response.url == "https://idp.example.com/done")
    #expect(response.status == 200)
    #expect(transport.sent.map { $0.header("Cookie") } == [nil, "flow=1", "flow=1; sid=abc"])
    #expect(response.redirects.map(\.location) == ["https://idp.example.com/step", "https://idp.example.com/done"])
    #expect(response.redirects.map(\.status) == [302, 302])
    // Each hop keeps its headers, for provider detection.
    #expect(
      response.redirects.first?.headers.contains { $0.name == "Set-Cookie" && $0.value == "flow=1; Path=/" } == true)
  }

  @Test("301 and 302 turn POST into GET; 303 turns everything but HEAD into GET")
  func methodChanges() async throws {
    for (status, method, expected) in [
      (301, "POST", "GET"), (302, "POST", "GET"), (302, "PUT", "PUT"), (303, "POST", "GET"), (303, "PUT", "GET"),
      (303, "HEAD", "HEAD"), (301, "GET", "GET"),
    ] {
      let transport = RecordingTransport { request in
        request.url.hasSuffix("/first") ? redirect(status, to: "/second") : page("ok")
      }
      let hasBody = method == "POST" || method == "PUT"
      var request = HTTPRequestData(method: method, url: "https://idp/first", body: hasBody ? Array("a=1".utf8) : [])
      if hasBody { request.setHeader("Content-Type", "application/x-www-form-urlencoded") }
      _ = try await session(transport).send(request)
      let second = try #require(transport.sent.last)
      #expect(second.method == expected, "\(status) after \(method)")
      #expect(second.body.isEmpty == !(hasBody && expected == method), "\(status) after \(method)")
      #expect((second.header("Content-Type") == nil) == second.body.isEmpty, "\(status) after \(method)")
    }
  }

  @Test("307 and 308 repeat the request with its body")
  func temporaryAndPermanentRedirectsKeepTheBody() async throws {
    for status in [307, 308] {
      let transport = RecordingTransport { request in
        request.url.hasSuffix("/first") ? redirect(status, to: "/second") : page("ok")
      }
      _ = try await session(transport).post("https://idp/first", form: [("user", "alice")])
      let second = try #require(transport.sent.last)
      #expect(second.method == "POST")
      #expect(String(decoding: second.body, as: UTF8.self) == "user=alice")
      #expect(second.header("Content-Type") == "application/x-www-form-urlencoded")
    }
  }

  @Test func authorizationIsDroppedWhenTheOriginChanges() async throws {
    let transport = RecordingTransport { request in
      switch request.url {
      case "https://idp/a": redirect(302, to: "/b")
      case "https://idp/b": redirect(302, to: "https://other.example.com/c")
      default: page("ok")
      }
    }
    _ = try await session(transport).get("https://idp/a", headers: [("Authorization", "Bearer t")])
    #expect(transport.sent.map { $0.header("Authorization") } == ["Bearer t", "Bearer t", nil])
  }

  @Test func aCallersCookieHeaderIsReplacedByTheJars() async throws {
    let transport = RecordingTransport { _ in page("ok") }
    _ = try await session(transport).send(
      HTTPRequestData(method: "GET", url: "https://idp/", headers: [("Cookie", "forged=1")]))
    #expect(transport.sent.first?.header("Cookie") == nil)
    #expect(transport.sent.first?.header("User-Agent") == "aws-runas/\(RunAsCore.version)")
  }

  @Test func withoutFollowingTheRedirectIsReturnedWithItsLocation() async throws {
    let transport = RecordingTransport { _ in redirect(302, to: "next?x=1", cookies: ["a=1"]) }
    let session = try session(transport)
    let response = try await session.get("https://idp/realm/login", redirects: .none)
    #expect(response.status == 302)
    #expect(response.location == "https://idp/realm/next?x=1")
    #expect(response.redirects.isEmpty)
    #expect(transport.sent.count == 1)
    #expect(session.cookies(for: "https://idp/realm/x").map(\.name) == ["a"])
  }

  @Test func stopsAtTheRedirectURIWithoutFetchingIt() async throws {
    let transport = RecordingTransport { request in
      request.url.contains("/authorize")
        ? redirect(302, to: "/login") : redirect(302, to: "app:/callback?code=c0de&state=st4te")
    }
    let response = try await session(transport).get(
      "https://idp/authorize?client_id=x", redirects: .follow(until: "app:/callback"))
    #expect(response.stoppedRedirect == "app:/callback?code=c0de&state=st4te")
    #expect(response.url == "https://idp/login")
    #expect(response.redirects.count == 1)
    #expect(transport.sent.map(\.url) == ["https://idp/authorize?client_id=x", "https://idp/login"])
  }

  @Test func aRedirectToAnUnsupportedSchemeIsAnErrorNamingBothEnds() async throws {
    let transport = RecordingTransport { _ in redirect(302, to: "app:/callback?code=secret") }
    await #expect {
      _ = try await session(transport).get("https://idp/authorize?client_id=x")
    } throws: { error in
      let error = try #require(error as? IdentityProviderRequestError)
      return error.code == .unsupportedRedirect
        && error.message == "https://idp/authorize?… redirected to app:/callback?…, which is not an http(s) URL"
    }
  }

  @Test func aRedirectLoopIsNamed() async throws {
    let transport = RecordingTransport { request in
      switch request.url {
      case "https://idp/start": redirect(302, to: "/a")
      case "https://idp/a": redirect(302, to: "/b?token=secret")
      default: redirect(302, to: "/a")
      }
    }
    await #expect {
      _ = try await session(transport, maximumRedirects: 5).get("https://idp/start")
    } throws: { error in
      let error = try #require(error as? IdentityProviderRequestError)
      return error.code == .tooManyRedirects
        && error.message
          == "redirect loop: https://idp/a → https://idp/b?… → https://idp/a (reached from https://idp/start)"
        && error.hint != nil
    }
    #expect(transport.sent.count == 6)
  }

  @Test func tooManyRedirectsWithoutALoopNamesTheStartAndTheLastStop() async throws {
    let counter = Mutex(0)
    let transport = RecordingTransport { _ in
      let next = counter.withLock { value in
        value += 1
        return value
      }
      return redirect(302, to: "/hop\(next)")
    }
    await #expect {
      _ = try await session(transport, maximumRedirects: 3).get("https://idp/start")
    } throws: { error in
      (error as? IdentityProviderRequestError)?.message
        == "more than 3 redirects from https://idp/start, the last to https://idp/hop4"
    }
  }

  @Test func aRedirectWithoutLocationIsTheFinalResponse() async throws {
    let transport = RecordingTransport { _ in HTTPResponseData(status: 302) }
    let response = try await session(transport).get("https://idp/x")
    #expect(response.status == 302)
    #expect(response.redirects.isEmpty)
  }

  @Test func aRequestStillRunningAtTheTimeLimitIsCancelledAndNamed() async throws {
    let transport = RecordingTransport { _ in
      try await Task.sleep(for: .seconds(3600))
      return page("never")
    }
    await #expect {
      _ = try await session(transport).get("https://idp/slow?session=1", timeout: .milliseconds(200))
    } throws: { error in
      let error = try #require(error as? IdentityProviderRequestError)
      return error.code == .timedOut && error.message == "no response from https://idp/slow?… within 200ms"
    }
    #expect(transport.cancelled.withLock { $0 })
  }

  @Test func theTimeLimitCoversTheWholeCallNotEachRedirect() async throws {
    // Each exchange alone fits in the limit; the two together do not.
    let transport = RecordingTransport { request in
      try await Task.sleep(for: .milliseconds(150))
      return request.url.hasSuffix("/first") ? redirect(302, to: "/second") : page("ok")
    }
    await #expect {
      _ = try await session(transport).get("https://idp/first", timeout: .milliseconds(250))
    } throws: { error in
      (error as? IdentityProviderRequestError)?.code == .timedOut
    }
  }

  @Test func theSessionTimeLimitAppliesWhenTheCallGivesNone() async throws {
    let transport = RecordingTransport { _ in
      try await Task.sleep(for: .seconds(3600))
      return page("never")
    }
    await #expect {
      _ = try await session(transport, timeout: .milliseconds(100)).get("https://idp/")
    } throws: { error in
      (error as? IdentityProviderRequestError)?.code == .timedOut
    }
  }

  @Test func transportFailuresNameTheURLWithoutItsQuery() async throws {
    let transport = RecordingTransport { _ in
      throw HTTPTransportError(kind: .connectionRefused, detail: "connection refused")
    }
    await #expect {
      _ = try await session(transport).post("https://idp/login?session_code=s", form: [("password", "hunter2")])
    } throws: { error in
      let error = try #require(error as? IdentityProviderRequestError)
      return error.code == .unreachable && error.message == "cannot reach https://idp/login?…: connection refused"
        && error.transportError?.kind == .connectionRefused && !error.description.contains("hunter2")
    }
  }

  @Test func aURLThatIsNotHTTPIsRefusedBeforeSending() async throws {
    let transport = RecordingTransport { _ in page("never") }
    await #expect {
      _ = try await session(transport).get("ftp://idp/x")
    } throws: { error in
      (error as? IdentityProviderRequestError)?.code == .invalidURL
    }
    #expect(transport.sent.isEmpty)
  }

  @Test func cancellationIsPassedThrough() async throws {
    let transport = RecordingTransport { _ in
      try await Task.sleep(for: .seconds(3600))
      return page("never")
    }
    let session = try session(transport)
    let task = Task { try await session.get("https://idp/") }
    while transport.sent.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
    task.cancel()
    await #expect(throws: CancellationError.self) { try await task.value }
  }

  @Test func submitPostsTheFormAndFollowsToTheNextPage() async throws {
    let transport = RecordingTransport { request in
      request.method == "POST"
        ? redirect(302, to: "/saml", cookies: ["KEYCLOAK_IDENTITY=jwt; Path=/realms/demo/"]) : page(IdPPages.samlPost)
    }
    var form = try #require(HTMLForm.forms(in: IdPPages.keycloakLogin, pageURL: IdPPages.keycloakPageURL).first)
    form.fill("username", with: "alice")
    form.fill("password", with: "secret")
    let response = try await session(transport).submit(form, submitter: "login")
    let post = try #require(transport.sent.first)
    #expect(post.url == form.action)
    #expect(
      String(decoding: post.body, as: UTF8.self) == "username=alice&password=secret&credentialId=&login=Sign%20In")
    #expect(transport.sent.last?.method == "GET")
    #expect(response.inputValue(named: "SAMLResponse") == "PHNhbWxwOlJlc3BvbnNlIC8+PC9zYW1scDpSZXNwb25zZT4=")
    #expect(response.title == "Authentication Redirect")
  }

  @Test func submitSendsAGetFormInTheQuery() async throws {
    let transport = RecordingTransport { _ in page("ok") }
    let form = HTMLForm(
      action: "https://idp/search?old=1#frag", method: "GET", fields: [.init(name: "q", value: "a b&c")])
    _ = try await session(transport).submit(form)
    #expect(transport.sent.first?.url == "https://idp/search?q=a%20b%26c")
    #expect(transport.sent.first?.body.isEmpty == true)
  }

  @Test func fragmentsAreNotSent() async throws {
    let transport = RecordingTransport { request in
      request.url.hasSuffix("/first") ? redirect(302, to: "/next#section") : page("ok")
    }
    _ = try await session(transport).get("https://idp/first#top")
    #expect(transport.sent.map(\.url) == ["https://idp/first", "https://idp/next"])
  }
}
