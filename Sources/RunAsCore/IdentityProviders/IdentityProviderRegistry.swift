#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The identity providers aws-runas knows, and how one is chosen for a URL (spec §6.1): the
/// profile's `saml_provider` / `web_identity_provider` (or `-R`) when set, else by the URL's host,
/// else by asking the URL and reading the answer's headers and cookies.
package enum IdentityProviderRegistry {
  /// Every provider, in the order detection tries them.
  package static let known: [IdentityProviderKind] = [
    KeycloakClient.kind, OktaClient.kind, OneLoginClient.kind, EntraIDClient.kind, ForgeRockClient.kind,
    BrowserClient.kind,
  ]

  /// The names of the known providers, for messages.
  package static var knownNames: String {
    known.map(\.name).joined(separator: ", ")
  }

  /// The provider called `name` (any case).
  ///
  /// - Throws: ``IdentityProviderError`` naming the known providers.
  package static func provider(named name: String) throws(IdentityProviderError) -> IdentityProviderKind {
    let wanted = name.trimmingCharacters(in: .whitespaces).lowercased()
    guard let kind = known.first(where: { $0.name == wanted }) else {
      throw IdentityProviderError(
        message: "unknown identity provider \"\(TerminalText.excerpt(name, limit: 40))\"",
        hint: "known providers: \(knownNames)")
    }
    return kind
  }

  /// The provider whose host domains include `url`'s host, without any request.
  package static func provider(forHostOf url: String) -> IdentityProviderKind? {
    guard let host = HTTPURLParts(url)?.host.lowercased() else { return nil }
    return known.first { kind in
      kind.hostDomains.contains { host == $0 || host.hasSuffix("." + $0) }
    }
  }

  /// The provider of `url` as far as can be told without a request: by host, by the names of
  /// the cookies an earlier sign-in left (`cookieNames`), else by the shape of the URL's path.
  package static func provider(withoutAsking url: String, cookieNames: [String]) -> IdentityProviderKind? {
    if let kind = provider(forHostOf: url) { return kind }
    if let kind = provider(recognising: IdentityProviderProbe(headers: [], cookieNames: cookieNames)) { return kind }
    let path = URLReference.Components(url).path
    return known.first { $0.recognisesPath(path) }
  }

  /// The provider `probe` says answered.
  package static func provider(recognising probe: IdentityProviderProbe) -> IdentityProviderKind? {
    known.first { $0.recognises(probe) }
  }

  /// The provider for `url`: `explicitName` when given, else by host, else by the cookies of an
  /// earlier sign-in, else by a `HEAD` of the URL (three seconds), then a `GET`, else by the
  /// shape of the URL's path.
  ///
  /// - Throws: ``IdentityProviderError`` for an unknown name or a URL no known provider answers;
  ///   ``IdentityProviderRequestError`` when the URL cannot be reached.
  package static func provider(
    for url: String, explicitName: String?, session: IdentityProviderSession
  ) async throws -> IdentityProviderKind {
    if let explicitName, !explicitName.isEmpty { return try provider(named: explicitName) }
    if let kind = provider(forHostOf: url) { return kind }
    // Cookies from an earlier sign-in may already say who this is.
    var cookieNames = session.cookies(for: url).map(\.name)
    // An OIDC issuer URL (`…/realms/corp`) sits just above the path its provider scopes its cookies
    // to (`…/realms/corp/`).
    if !url.hasSuffix("/"), !url.contains("?"), !url.contains("#") {
      cookieNames += session.cookies(for: url + "/").map(\.name)
    }
    if let kind = provider(recognising: IdentityProviderProbe(headers: [], cookieNames: cookieNames)) { return kind }
    do {
      let head = try await session.send(HTTPRequestData(method: "HEAD", url: url, headers: []), timeout: .seconds(3))
      if let kind = provider(recognising: IdentityProviderProbe(head)) { return kind }
    } catch let error as IdentityProviderRequestError where error.code == .timedOut {
      // Some providers never answer HEAD; the Go tool retries with GET.
    }
    let get = try await session.get(url)
    if let kind = provider(recognising: IdentityProviderProbe(get)) { return kind }
    let path = URLReference.Components(url).path
    if let kind = known.first(where: { $0.recognisesPath(path) }) { return kind }
    throw IdentityProviderError(
      message: "cannot tell which identity provider answers \(URLReference.redacted(url))",
      hint: "set saml_provider or web_identity_provider (or -R) to one of: \(knownNames)")
  }
}
