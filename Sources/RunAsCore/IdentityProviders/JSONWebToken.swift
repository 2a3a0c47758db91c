import _CryptoExtras

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// A JSON Web Token in compact form (RFC 7519), as an OpenID provider issues its id_tokens: the
/// header and claims read, the signature checked against the provider's keys (RS256 only, the
/// algorithm every provider here uses and the one AWS requires support for).
package struct JSONWebToken: Sendable {
  /// The token as issued: what STS receives and what the cache keeps.
  package let compact: String
  /// The JOSE header.
  package let header: JSONValue
  /// The claims.
  package let claims: JSONValue
  private let signingInput: [UInt8]
  private let signature: [UInt8]

  /// Reads a compact JWS.
  ///
  /// - Throws: ``IdentityProviderError`` when it is not three base64url parts of JSON objects.
  package init(_ compact: String) throws(IdentityProviderError) {
    let token = compact.trimmingCharacters(in: .whitespacesAndNewlines)
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3, let headerBytes = Base64URL.decode(String(parts[0])),
      let claimBytes = Base64URL.decode(String(parts[1])), let signature = Base64URL.decode(String(parts[2])),
      let header = try? JSONValue.parse(headerBytes), case .object = header,
      let claims = try? JSONValue.parse(claimBytes), case .object = claims
    else {
      throw IdentityProviderError(message: "the id_token is not a signed JSON Web Token")
    }
    self.compact = token
    self.header = header
    self.claims = claims
    self.signingInput = Array("\(parts[0]).\(parts[1])".utf8)
    self.signature = signature
  }

  /// The `exp` claim.
  package var expiresAt: Date? {
    claims["exp"]?.doubleValue.map { Date(timeIntervalSince1970: $0) }
  }

  /// A string claim.
  package func string(_ claim: String) -> String? {
    claims[claim]?.stringValue
  }

  /// The `aud` claim: one string or an array of them.
  package var audiences: [String] {
    switch claims["aud"] {
    case .string(let audience)?: [audience]
    case .array(let values)?: values.compactMap(\.stringValue)
    default: []
    }
  }

  /// Whether the token expires within `margin` of `now` (or says nothing about it).
  package func isExpired(at now: Date, margin: TimeInterval = 60) -> Bool {
    guard let expiresAt else { return true }
    return expiresAt.timeIntervalSince(now) <= margin
  }

  /// Checks the signature with `keys` and the claims OpenID Connect Core §3.1.3.7 asks a client
  /// to check: `iss`, `aud` (and `azp` with several audiences), `exp`, and `nonce` when one was sent.
  ///
  /// - Throws: ``IdentityProviderError`` naming the check that failed.
  package func verify(
    keys: JSONWebKeySet, issuer: String, clientID: String, nonce: String?, now: Date
  ) throws(IdentityProviderError) {
    let algorithm = header["alg"]?.stringValue ?? ""
    guard algorithm == "RS256" else {
      throw IdentityProviderError(
        message: "the id_token is signed with \(TerminalText.excerpt(algorithm, limit: 20)), not RS256")
    }
    let keyID = header["kid"]?.stringValue
    let candidates = keys.candidates(for: keyID)
    guard !candidates.isEmpty else {
      throw IdentityProviderError(
        message:
          "the provider's key set has no RSA key \(keyID.map { "\"\(TerminalText.excerpt($0, limit: 40))\"" } ?? "") for the id_token"
      )
    }
    let signature = _RSA.Signing.RSASignature(rawRepresentation: self.signature)
    guard
      candidates.contains(where: {
        $0.publicKey.isValidSignature(signature, for: signingInput, padding: .insecurePKCS1v1_5)
      })
    else {
      throw IdentityProviderError(message: "the id_token's signature does not verify with the provider's keys")
    }
    guard string("iss") == issuer else {
      throw IdentityProviderError(
        message:
          "the id_token was issued by \"\(TerminalText.excerpt(string("iss") ?? "", limit: 80))\", not \(issuer)",
        hint: "web_identity_auth_url must be the provider's issuer URL")
    }
    guard audiences.contains(clientID) else {
      throw IdentityProviderError(
        message:
          "the id_token is for \(audiences.map { TerminalText.excerpt($0, limit: 60) }.joined(separator: ", ")), not client \(clientID)"
      )
    }
    if audiences.count > 1, let party = string("azp"), party != clientID {
      throw IdentityProviderError(message: "the id_token's authorized party is not client \(clientID)")
    }
    guard let expiresAt, expiresAt > now else {
      throw IdentityProviderError(message: "the id_token has expired (check this computer's clock)")
    }
    if let nonce, string("nonce") != nonce {
      throw IdentityProviderError(message: "the id_token's nonce does not match the one sent")
    }
  }
}
