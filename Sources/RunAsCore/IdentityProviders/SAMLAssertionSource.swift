#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Where a SAML profile's assertion comes from: the provider's sign-in, kept in memory while it
/// is usable (spec §6.2) so a jump role, `list roles` and a later refresh in the same process
/// need no second sign-in. Nothing is done until an assertion is asked for: a cache hit never
/// reads the cookie jar.
package actor SAMLAssertionSource {
  /// `saml_auth_url`.
  package let url: String
  /// `saml_provider`, when set.
  package let providerName: String?
  private let makeContext: @Sendable () throws -> IdentityProviderContext
  private let now: @Sendable () -> Date
  private var current: SAMLAssertion?

  /// Creates the source.
  ///
  /// - Parameter makeContext: Makes the session and prompts for a sign-in (loads the cookie jar).
  package init(
    url: String, providerName: String?, makeContext: @escaping @Sendable () throws -> IdentityProviderContext,
    now: @escaping @Sendable () -> Date
  ) {
    self.url = url
    self.providerName = providerName.flatMap { $0.isEmpty ? nil : $0 }
    self.makeContext = makeContext
    self.now = now
  }

  /// A usable assertion: the one in memory, else a fresh sign-in's.
  ///
  /// - Throws: ``IdentityProviderError`` (including an assertion that has already expired),
  ///   ``IdentityProviderRequestError``, what the prompts throw.
  package func assertion() async throws -> SAMLAssertion {
    if let current, current.isUsable(at: now()) { return current }
    let context = try makeContext()
    let kind = try await IdentityProviderRegistry.provider(
      for: url, explicitName: providerName, session: context.session)
    let encoded = try await kind.makeClient(context).samlResponse()
    let assertion = try SAMLAssertion(encoded: encoded, source: URLReference.redacted(url))
    guard assertion.isUsable(at: now(), margin: 0) else {
      let when = assertion.usableUntil.map { " at " + Timestamp.formatRFC3339($0) } ?? ""
      throw IdentityProviderError(
        message: "the SAML assertion from \(URLReference.redacted(url)) expired\(when)",
        hint: "check this computer's clock and the identity provider's")
    }
    current = assertion
    return assertion
  }
}
