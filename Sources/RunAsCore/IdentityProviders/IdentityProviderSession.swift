import Logging
import Synchronization

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// An HTTP session for identity-provider clients: what a browser does for a sign-in, on the
/// project's one HTTP client (``HTTPTransport``).
///
/// - Cookies: every response's `Set-Cookie` goes into a ``CookieJar`` and the matching cookies go
///   out with every request, by RFC 6265. With a ``CookieJarFile`` the jar starts from the file and
///   each new cookie is merged into it, so a later run (of this tool or the Go one) reuses the
///   provider's session.
/// - Redirects: followed here, not by the transport (which refuses them, as the STS and IAM clients
///   need): 301, 302 and 303 turn a `POST` into a `GET` as browsers do, 307 and 308 repeat the
///   request, `Authorization` is dropped when the origin changes. Each hop is recorded, the chain
///   is limited (an error names the loop), and a ``RedirectPolicy`` can stop at a URL that must not
///   be fetched (an OIDC redirect URI) and hand it back.
/// - Forms: ``HTMLForm`` reads the forms of a page; ``submit(_:submitter:redirects:timeout:)``
///   posts one as `application/x-www-form-urlencoded`.
/// - Time limits: each call has one, redirects included (``timeout`` unless the call gives its own).
///
/// Errors are ``IdentityProviderRequestError`` values that name the URL without its query; no
/// password or cookie value appears in errors or logs.
public final class IdentityProviderSession: Sendable {
  /// The time allowed for one call (all its redirects included) unless the call says otherwise.
  public static let defaultTimeout: Duration = .seconds(30)
  /// The most redirects one call follows, as Go's HTTP client.
  public static let defaultMaximumRedirects = 10

  /// The time allowed for one call, redirects included.
  public let timeout: Duration
  /// The most redirects one call follows.
  public let maximumRedirects: Int
  /// Where cookies are persisted, if anywhere.
  public let cookieFile: CookieJarFile?

  private let transport: any HTTPTransport
  private let userAgent: String
  private let logger: Logger
  private let now: @Sendable () -> Date
  private let jar: Mutex<CookieJar>

  /// Creates a session, loading the cookie file when one is given.
  ///
  /// - Parameters:
  ///   - transport: The HTTP client. The default allows five minutes per exchange, so the
  ///     session's own time limits are the ones that apply.
  ///   - cookieFile: The file cookies are loaded from and saved to; `nil` keeps them in memory.
  ///   - timeout: The time allowed for one call, redirects included.
  ///   - maximumRedirects: The most redirects one call follows.
  ///   - userAgent: The `User-Agent` of requests that do not set one.
  ///   - logger: Receives one debug line per exchange and warnings about the cookie file.
  ///   - now: The clock cookie expiry is judged by.
  /// - Throws: ``CookieJarFile/Failure`` when the cookie file exists but cannot be read. A file
  ///   that is not a cookie file is only logged, and replaced by the next cookie saved (as the Go
  ///   tool does).
  public init(
    transport: any HTTPTransport = AsyncHTTPClientTransport(totalTimeout: .seconds(300)),
    cookieFile: CookieJarFile? = nil,
    timeout: Duration = defaultTimeout,
    maximumRedirects: Int = defaultMaximumRedirects,
    userAgent: String = "aws-runas/\(RunAsCore.version)",
    logger: Logger = Logger(label: "aws-runas.idp", factory: { _ in SwiftLogNoOpLogHandler() }),
    now: @escaping @Sendable () -> Date = { Date() }
  ) throws {
    self.transport = transport
    self.cookieFile = cookieFile
    self.timeout = timeout
    self.maximumRedirects = maximumRedirects
    self.userAgent = userAgent
    self.logger = logger
    self.now = now
    var initial = CookieJar()
    if let cookieFile {
      do throws(CookieJarFile.Failure) {
        initial = CookieJarFile.jar(from: try cookieFile.load(), now: now())
      } catch {
        guard error.isMalformed else { throw error }
        logger.warning("\(error)")
      }
    }
    jar = Mutex(initial)
  }

  // MARK: - Requests

  /// Sends a request, following redirects as `redirects` says.
  ///
  /// The session sets the `Cookie` header (a `Cookie` field in `request` is dropped) and a
  /// `User-Agent` when `request` has none.
  ///
  /// - Parameters:
  ///   - request: The first request.
  ///   - redirects: Which redirects to follow.
  ///   - timeout: The time allowed for the whole call; ``timeout`` when `nil`.
  /// - Returns: The last response: not a redirect, a redirect the policy did not follow, or one it
  ///   stopped at (``IdentityProviderResponse/stoppedRedirect``).
  /// - Throws: ``IdentityProviderRequestError``, or `CancellationError`.
  public func send(
    _ request: HTTPRequestData, redirects: RedirectPolicy = .follow, timeout: Duration? = nil
  ) async throws -> IdentityProviderResponse {
    let limit = timeout ?? self.timeout
    let deadline = ContinuousClock.now.advanced(by: limit)
    var current = request
    current.method = current.method.uppercased()
    current.headers.removeAll { HTTPFieldName.equal($0.name, "Cookie") }
    if current.header("User-Agent") == nil { current.headers.append(("User-Agent", userAgent)) }
    guard HTTPURLParts(current.url) != nil else { throw IdentityProviderRequestError.invalidURL(current.url) }
    var hops: [IdentityProviderResponse.RedirectHop] = []

    while true {
      var outgoing = current
      outgoing.url = URLReference.withoutFragment(current.url)
      if let cookies = jar.withLock({ $0.cookieHeader(for: outgoing.url, now: now()) }) {
        outgoing.headers.append(("Cookie", cookies))
      }
      let reply = try await exchange(outgoing, deadline: deadline, limit: limit)
      logger.debug(
        "identity provider exchange",
        metadata: [
          "method": "\(outgoing.method)", "url": "\(URLReference.redacted(outgoing.url))", "status": "\(reply.status)",
        ])
      try await storeCookies(from: reply, url: outgoing.url)

      var response = IdentityProviderResponse(
        url: outgoing.url, status: reply.status, headers: reply.headers, body: reply.body, redirects: hops,
        stoppedRedirect: nil)
      guard redirects.follows, response.isRedirect, let location = response.location else { return response }
      if redirects.stopsAt(location) {
        response.stoppedRedirect = location
        return response
      }
      guard HTTPURLParts(location) != nil else {
        throw IdentityProviderRequestError.unsupportedRedirect(from: outgoing.url, to: location)
      }
      hops.append(
        IdentityProviderResponse.RedirectHop(
          method: outgoing.method, url: outgoing.url, status: reply.status, location: location, headers: reply.headers))
      guard hops.count <= maximumRedirects else {
        throw IdentityProviderRequestError.tooManyRedirects(hops, limit: maximumRedirects)
      }
      current = Self.redirected(current, to: location, status: reply.status)
    }
  }

  /// Fetches a page with `GET`.
  ///
  /// - Parameters:
  ///   - url: The absolute URL.
  ///   - headers: Extra header fields, e.g. `Accept`.
  ///   - redirects: Which redirects to follow.
  ///   - timeout: The time allowed for the whole call; ``timeout`` when `nil`.
  /// - Returns: The last response.
  /// - Throws: ``IdentityProviderRequestError``, or `CancellationError`.
  public func get(
    _ url: String, headers: [(name: String, value: String)] = [], redirects: RedirectPolicy = .follow,
    timeout: Duration? = nil
  ) async throws -> IdentityProviderResponse {
    try await send(HTTPRequestData(method: "GET", url: url, headers: headers), redirects: redirects, timeout: timeout)
  }

  /// Posts name/value pairs as `application/x-www-form-urlencoded` (an OAuth token request, a form
  /// built by hand).
  ///
  /// - Parameters:
  ///   - url: The absolute URL.
  ///   - form: The pairs, in order.
  ///   - headers: Extra header fields, e.g. `Accept: application/json`.
  ///   - redirects: Which redirects to follow.
  ///   - timeout: The time allowed for the whole call; ``timeout`` when `nil`.
  /// - Returns: The last response.
  /// - Throws: ``IdentityProviderRequestError``, or `CancellationError`.
  public func post(
    _ url: String, form: [(name: String, value: String)], headers: [(name: String, value: String)] = [],
    redirects: RedirectPolicy = .follow, timeout: Duration? = nil
  ) async throws -> IdentityProviderResponse {
    var request = HTTPRequestData(
      method: "POST", url: url, headers: headers, body: Array(HTMLForm.urlEncoded(form).utf8))
    request.setHeader("Content-Type", "application/x-www-form-urlencoded")
    return try await send(request, redirects: redirects, timeout: timeout)
  }

  /// Submits a form as a browser would: its ``HTMLForm/formData(submitter:)`` in the body of a
  /// `POST`, or as the query of a `GET`.
  ///
  /// - Parameters:
  ///   - form: The form, filled in.
  ///   - submitter: The name of the submit button to send along, if any.
  ///   - redirects: Which redirects to follow.
  ///   - timeout: The time allowed for the whole call; ``timeout`` when `nil`.
  /// - Returns: The last response.
  /// - Throws: ``IdentityProviderRequestError``, or `CancellationError`.
  public func submit(
    _ form: HTMLForm, submitter: String? = nil, redirects: RedirectPolicy = .follow, timeout: Duration? = nil
  ) async throws -> IdentityProviderResponse {
    let pairs = form.formData(submitter: submitter)
    guard form.method == "GET" else {
      return try await post(form.action, form: pairs, redirects: redirects, timeout: timeout)
    }
    var target = URLReference.Components(form.action)
    target.query = HTMLForm.urlEncoded(pairs)
    target.fragment = nil
    return try await get(target.text, redirects: redirects, timeout: timeout)
  }

  /// The cookies the session would send to `url` now (clients check for a provider's session
  /// cookie, e.g. Keycloak's `KEYCLOAK_IDENTITY`).
  ///
  /// - Parameter url: An absolute URL.
  /// - Returns: The matching cookies, in `Cookie` header order.
  public func cookies(for url: String) -> [CookieJar.Cookie] {
    jar.withLock { $0.cookies(for: url, now: now()) }
  }

  // MARK: - Details

  /// One exchange, raced against the call's deadline so any transport honours it.
  private func exchange(
    _ request: HTTPRequestData, deadline: ContinuousClock.Instant, limit: Duration
  ) async throws -> HTTPResponseData {
    guard ContinuousClock.now < deadline else { throw IdentityProviderRequestError.timedOut(request.url, after: limit) }
    let transport = self.transport
    do {
      return try await withThrowingTaskGroup(of: HTTPResponseData?.self) { group in
        group.addTask { try await transport.send(request) }
        group.addTask {
          try await Task.sleep(until: deadline, clock: .continuous)
          return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let response = first else {
          throw IdentityProviderRequestError.timedOut(request.url, after: limit)
        }
        return response
      }
    } catch let error as HTTPTransportError {
      throw IdentityProviderRequestError.unreachable(request.url, error)
    }
  }

  /// Puts a response's cookies in the jar and merges the ones it took into the cookie file.
  private func storeCookies(from response: HTTPResponseData, url: String) async throws {
    let received = response.headers.compactMap { field in
      HTTPFieldName.equal(field.name, "Set-Cookie") ? SetCookie(header: field.value) : nil
    }
    guard !received.isEmpty else { return }
    let moment = now()
    let accepted = jar.withLock { jar in received.filter { jar.store($0, from: url, now: moment) } }
    guard let cookieFile, !accepted.isEmpty else { return }
    do {
      try await cookieFile.merge(accepted, from: url, now: moment)
    } catch is CancellationError {
      throw CancellationError()
    } catch {
      // Losing the file costs only the reuse of this sign-in in a later run: not worth failing it.
      logger.warning("\(error)")
    }
  }

  /// The request that follows a redirect, by the Fetch standard's rules.
  static func redirected(_ request: HTTPRequestData, to location: String, status: Int) -> HTTPRequestData {
    var next = request
    next.url = location
    let method = request.method
    let becomesGet =
      ((status == 301 || status == 302) && method == "POST") || (status == 303 && method != "GET" && method != "HEAD")
    if becomesGet {
      next.method = "GET"
      next.body = []
      next.headers.removeAll { field in
        ["Content-Type", "Content-Length", "Content-Encoding", "Content-Language", "Content-Location"].contains {
          HTTPFieldName.equal(field.name, $0)
        }
      }
    }
    if URLReference.origin(location) != URLReference.origin(request.url) {
      next.headers.removeAll { HTTPFieldName.equal($0.name, "Authorization") }
    }
    return next
  }
}
