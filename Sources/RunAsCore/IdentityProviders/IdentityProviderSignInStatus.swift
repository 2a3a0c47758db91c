#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Whether the identity provider of a SAML or OIDC profile still holds a session for the user, as
/// far as aws-runas can tell without asking it: the cookies kept for the profile's URL in
/// `.aws_runas.cookies` (spec §6.4). The TUI's details pane shows it; a sign-in within that session
/// asks for nothing.
public struct IdentityProviderSignInStatus: Sendable, Equatable {
  /// How many unexpired cookies the jar would send to the URL.
  public var cookieCount: Int
  /// When the last of them expires; `nil` when all of them last as long as the provider's
  /// session (session cookies, which aws-runas keeps as the Go tool does).
  public var expires: Date?
  /// Why the cookie file could not be read, if it could not.
  public var problem: String?
  /// The provider the URL and its cookies point to, when that can be told without a request
  /// (``IdentityProviderRegistry``); `saml_provider` / `web_identity_provider` win over it.
  public var detectedProvider: String?

  /// Whether any cookie would be sent.
  public var isSignedIn: Bool { cookieCount > 0 }

  /// Creates a status.
  public init(cookieCount: Int, expires: Date?, problem: String? = nil, detectedProvider: String? = nil) {
    self.cookieCount = cookieCount
    self.expires = expires
    self.problem = problem
    self.detectedProvider = detectedProvider
  }

  /// The status of `url` in `cookieFile` at `now`. One file read; no request.
  public static func read(url: String, cookieFile: CookieJarFile, now: Date) -> IdentityProviderSignInStatus {
    read(urls: [url], cookieFile: cookieFile, now: now)[url]
      ?? IdentityProviderSignInStatus(cookieCount: 0, expires: nil)
  }

  /// The status of each of `urls` in `cookieFile` at `now`. One file read; no request.
  public static func read(
    urls: some Sequence<String>, cookieFile: CookieJarFile, now: Date
  ) -> [String: IdentityProviderSignInStatus] {
    let jar: CookieJar
    do {
      jar = CookieJarFile.jar(from: try cookieFile.load(), now: now)
    } catch {
      return Dictionary(
        urls.map { url in
          let detected = IdentityProviderRegistry.provider(withoutAsking: url, cookieNames: [])?.name
          return (
            url,
            IdentityProviderSignInStatus(
              cookieCount: 0, expires: nil, problem: error.message, detectedProvider: detected)
          )
        }, uniquingKeysWith: { first, _ in first })
    }
    var result: [String: IdentityProviderSignInStatus] = [:]
    for url in urls {
      let cookies = jar.cookies(for: url, now: now)
      let expiries = cookies.compactMap(\.expires)
      // A session cookie lasts as long as the provider's session: the latest expiry says nothing then.
      let lastsForSession = expiries.count < cookies.count
      result[url] = IdentityProviderSignInStatus(
        cookieCount: cookies.count, expires: lastsForSession ? nil : expiries.max(),
        detectedProvider: IdentityProviderRegistry.provider(withoutAsking: url, cookieNames: cookies.map(\.name))?.name)
    }
    return result
  }
}
