import _CryptoExtras

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The RSA signing keys of an OpenID provider's JSON Web Key Set (RFC 7517), by key ID: what
/// id_token signatures are checked against.
package struct JSONWebKeySet: Sendable {
  /// One RSA public key.
  package struct Key: Sendable {
    /// `kid`, when the set names its keys.
    package var id: String?
    /// The key.
    package var publicKey: _RSA.Signing.PublicKey
  }

  /// The usable keys: `kty` `RSA`, for signing (`use` absent or `sig`), `alg` absent or `RS256`.
  package var keys: [Key]

  /// Reads a JWKS document; keys of other types are skipped.
  ///
  /// - Throws: ``IdentityProviderError`` when the document is not a key set.
  package init(json bytes: [UInt8], source: String) throws(IdentityProviderError) {
    guard let document = try? JSONValue.parse(bytes), case .array(let entries)? = document["keys"] else {
      throw IdentityProviderError(message: "the key set at \(source) is not a JSON Web Key Set")
    }
    keys = entries.compactMap { entry in
      guard entry["kty"]?.stringValue == "RSA", (entry["use"]?.stringValue ?? "sig") == "sig",
        (entry["alg"]?.stringValue ?? "RS256") == "RS256",
        let modulus = entry["n"]?.stringValue.flatMap(Base64URL.decode),
        let exponent = entry["e"]?.stringValue.flatMap(Base64URL.decode),
        let key = try? _RSA.Signing.PublicKey(n: modulus, e: exponent)
      else { return nil }
      return Key(id: entry["kid"]?.stringValue, publicKey: key)
    }
  }

  /// The keys a token signed with `keyID` may be checked with: the one with that ID, or all when
  /// the token names none.
  package func candidates(for keyID: String?) -> [Key] {
    guard let keyID else { return keys }
    return keys.filter { $0.id == keyID }
  }
}

/// Base64url without padding (RFC 4648 §5), as JWTs and PKCE use it.
package enum Base64URL {
  /// `bytes` encoded.
  package static func encode(_ bytes: some Sequence<UInt8>) -> String {
    String(
      Data(bytes).base64EncodedString().compactMap { character -> Character? in
        switch character {
        case "+": "-"
        case "/": "_"
        case "=": nil
        default: character
        }
      })
  }

  /// `text` decoded; `nil` when it is not base64url (trailing padding tolerated).
  package static func decode(_ text: String) -> [UInt8]? {
    var standard = String(
      text.map { character -> Character in
        switch character {
        case "-": "+"
        case "_": "/"
        default: character
        }
      })
    while standard.hasSuffix("=") { standard.removeLast() }
    guard !standard.contains("=") else { return nil }
    standard += String(repeating: "=", count: (4 - standard.utf8.count % 4) % 4)
    return Data(base64Encoded: standard).map { [UInt8]($0) }
  }
}
