import Logging

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// One identity provider's sign-in, as aws-runas drives it (spec §6.3): the provider-specific
/// part of single sign-on, and nothing else.
///
/// What is common to every provider lives around this seam: choosing the provider
/// (``IdentityProviderRegistry``), the HTTP session with its cookie jar
/// (``IdentityProviderSession``, in ``IdentityProviderContext``), the username, password and MFA
/// code (``IdentityProviderCredentials``, ``IdentityProviderContext/mfaCode(_:)``), reading the
/// SAML response (``SAMLAssertion``), PKCE, `state`, `nonce`, the token exchange and the id_token
/// checks (``OpenIDConnectSignIn``).
///
/// ## Adding a provider
///
/// 1. `IdentityProviders/<Name>Client.swift`: a type conforming to this protocol, built from an
///    ``IdentityProviderContext``. It signs in with the context's session (so cookies persist and
///    a second sign-in within the provider's session asks for nothing), asks through the
///    context's prompts, and throws ``IdentityProviderError`` for what the user must fix.
/// 2. One ``IdentityProviderKind`` for it in ``IdentityProviderRegistry/known``: its name (what
///    `saml_provider` / `web_identity_provider` say), the hosts and response signatures that
///    detect it (spec §6.1) and its OpenID Connect endpoints.
/// 3. Its emulator in `Tests/Support/` and tests beside the Keycloak ones.
package protocol IdentityProviderClient: Sendable {
  /// Signs in when the provider's session needs it and returns the base64 `SAMLResponse` the
  /// provider would post to AWS.
  ///
  /// - Throws: ``IdentityProviderError``, ``IdentityProviderRequestError``, what the prompts throw.
  func samlResponse() async throws -> String

  /// Signs in when the provider's session needs it and follows `authorizationURL` until the
  /// provider redirects to `redirectURI`, which is not fetched.
  ///
  /// - Returns: The redirect's full URL, carrying `code` and `state` (or `error`).
  /// - Throws: ``IdentityProviderError``, ``IdentityProviderRequestError``, what the prompts throw.
  func authorizationRedirect(from authorizationURL: String, to redirectURI: String) async throws -> String
}

/// What a provider client is built with: the URL the profile names, an HTTP session sharing the
/// cookie jar, the user's credentials and how to ask for an MFA code.
package struct IdentityProviderContext: Sendable {
  /// `saml_auth_url` or `web_identity_auth_url`.
  package var url: String
  /// The HTTP session (cookie jar in `.aws_runas.cookies`).
  package var session: IdentityProviderSession
  /// The username and password, asked for only when the provider wants them.
  package var credentials: IdentityProviderCredentials
  /// `mfa_type`: `auto` (or empty), `code`, `push` or `none`.
  package var mfaType: String
  /// A code given up front (`-o`, `MFA_CODE`).
  package var presetMFACode: String?
  /// Asks the user.
  package var prompter: any Prompter
  /// Where the client logs (never secrets).
  package var logger: Logger
  /// `auth_browser`: the browser the `browser` provider runs, when set.
  package var authBrowser: String?
  /// The environment helper programs run with (`PATH`, `TMPDIR`, `DISPLAY`).
  package var environment: [String: String]

  /// Creates a context.
  package init(
    url: String, session: IdentityProviderSession, credentials: IdentityProviderCredentials, mfaType: String,
    presetMFACode: String?, prompter: any Prompter, logger: Logger, authBrowser: String? = nil,
    environment: [String: String] = [:]
  ) {
    self.url = url
    self.session = session
    self.credentials = credentials
    self.mfaType = mfaType
    self.presetMFACode = presetMFACode
    self.prompter = prompter
    self.logger = logger
    self.authBrowser = authBrowser
    self.environment = environment
  }

  /// An MFA code: the preset one the first time, then asked (`<factor> MFA token code: `).
  ///
  /// - Parameters:
  ///   - factor: The factor's display name, prefixed to the prompt when given.
  ///   - attempt: 0 for the first code of a sign-in; a preset code is only used then.
  package func mfaCode(_ factor: String? = nil, attempt: Int = 0) async throws -> String {
    if attempt == 0, let presetMFACode, !presetMFACode.isEmpty { return presetMFACode }
    let question = (factor.map { "\($0) " } ?? "") + "MFA token code: "
    do {
      let code = try await prompter.ask(question, isSecret: false).trimmingCharacters(in: .whitespacesAndNewlines)
      guard !code.isEmpty else {
        throw IdentityProviderError(message: "no MFA code entered for \(URLReference.redacted(url))")
      }
      return code
    } catch let unavailable as PromptUnavailable {
      throw PromptUnavailable(
        message: "\(URLReference.redacted(url)) asks for an MFA code but there is no terminal to ask on",
        hint: unavailable.hint ?? "pass the code with -o CODE or the MFA_CODE environment variable")
    }
  }
}
