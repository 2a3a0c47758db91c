#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Where an OIDC profile's id_token comes from (spec §6.5): `web_identity_token_file` when set
/// (read as it is, no provider involved), else the token cache
/// (`.aws_runas_identity_token.cache`, shared with the Go tool) while the token has more than a
/// minute left, else a sign-in with the provider, whose checked token is cached.
package actor WebIdentityTokenSource {
  /// How the token is obtained.
  package enum Origin: Sendable {
    /// `web_identity_token_file`.
    case file(String)
    /// A sign-in at `web_identity_auth_url`.
    case provider(WebIdentitySignInSettings)
  }

  private let origin: Origin
  private let cache: IdentityTokenCacheFile
  private let now: @Sendable () -> Date
  private var current: JSONWebToken?

  /// Creates the source.
  package init(origin: Origin, cache: IdentityTokenCacheFile, now: @escaping @Sendable () -> Date) {
    self.origin = origin
    self.cache = cache
    self.now = now
  }

  /// The token: from the file, the memory, the cache, or a sign-in.
  ///
  /// - Parameter ignoringCache: Skip the memory and the cache file (STS refused what they held).
  /// - Returns: The token, and whether it came from the memory or the cache file.
  package func token(ignoringCache: Bool = false) async throws -> (token: String, wasCached: Bool) {
    switch origin {
    case .file(let path):
      let text: String?
      do {
        text = try POSIXFile.readText(path)
      } catch {
        throw IdentityProviderError(message: "cannot read web_identity_token_file \(path): \(error)")
      }
      guard let token = text?.trimmingCharacters(in: .whitespacesAndNewlines), !token.isEmpty else {
        throw IdentityProviderError(message: "web_identity_token_file \(path) is missing or empty")
      }
      return (token, false)
    case .provider(let settings):
      if !ignoringCache {
        if let current, !current.isExpired(at: now(), margin: IdentityTokenCacheFile.expiryMargin) {
          return (current.compact, true)
        }
        if let cached = cache.token(for: settings.url, now: now()) {
          current = cached
          return (cached.compact, true)
        }
      } else {
        try? await cache.remove(for: settings.url)
      }
      let token = try await settings.signIn(now: now)
      try await cache.store(token.compact, for: settings.url)
      current = token
      return (token.compact, false)
    }
  }
}

/// What an OIDC sign-in needs: the provider's URL, the client and how to reach the provider.
package struct WebIdentitySignInSettings: Sendable {
  /// `web_identity_auth_url`.
  package var url: String
  /// `web_identity_client_id`.
  package var clientID: String
  /// `web_identity_redirect_uri`.
  package var redirectURI: String
  /// `web_identity_provider`, when set.
  package var providerName: String?
  /// Makes the session and prompts (loads the cookie jar).
  package var makeContext: @Sendable () throws -> IdentityProviderContext

  /// Creates the settings.
  package init(
    url: String, clientID: String, redirectURI: String, providerName: String?,
    makeContext: @escaping @Sendable () throws -> IdentityProviderContext
  ) {
    self.url = url
    self.clientID = clientID
    self.redirectURI = redirectURI
    self.providerName = providerName.flatMap { $0.isEmpty ? nil : $0 }
    self.makeContext = makeContext
  }

  /// Chooses the provider, signs in and returns the checked id_token.
  func signIn(now: @escaping @Sendable () -> Date) async throws -> JSONWebToken {
    let context = try makeContext()
    let kind = try await IdentityProviderRegistry.provider(
      for: url, explicitName: providerName, session: context.session)
    let endpoints: OpenIDEndpoints
    if let fixed = kind.openIDEndpoints {
      endpoints = fixed(url)
    } else {
      endpoints = try await OpenIDDiscovery.endpoints(issuer: url, session: context.session)
    }
    let signIn = OpenIDConnectSignIn(
      endpoints: endpoints, clientID: clientID, redirectURI: redirectURI,
      client: kind.makeClient(context), session: context.session, now: now)
    return try await signIn.idToken()
  }
}
