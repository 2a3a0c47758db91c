import Crypto
import Foundation
import Testing
import _CryptoExtras

@testable import RunAsCore

/// An RSA key pair that signs id_tokens and publishes its JWKS, as an OpenID provider does.
private struct TestSigner {
  let key: _RSA.Signing.PrivateKey
  let keyID: String

  init(keyID: String = "k1") throws {
    key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
    self.keyID = keyID
  }

  func keySet() throws -> [UInt8] {
    let primitives = try key.publicKey.getKeyPrimitives()
    return Array(
      """
      {"keys":[{"kty":"EC","crv":"P-256"},{"kty":"RSA","use":"sig","alg":"RS256","kid":"\(keyID)",\
      "n":"\(Base64URL.encode(primitives.modulus))","e":"\(Base64URL.encode(primitives.publicExponent))"}]}
      """.utf8)
  }

  func token(claims: String, kid: String? = nil) throws -> String {
    let header = #"{"alg":"RS256","typ":"JWT","kid":"\#(kid ?? keyID)"}"#
    let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(claims.utf8))
    let signature = try key.signature(for: Array(input.utf8), padding: .insecurePKCS1v1_5)
    return input + "." + Base64URL.encode(signature.rawRepresentation)
  }
}

@Suite("OpenID Connect")
struct OpenIDConnectTests {
  static let issuer = "https://idp.example.com/realms/r"
  static let now = Date(timeIntervalSince1970: 1_900_000_000)
  static func claims(aud: String = "cli", exp: Int = 1_900_000_300, nonce: String = "n1", iss: String = issuer)
    -> String
  {
    #"{"iss":"\#(iss)","sub":"u1","aud":"\#(aud)","exp":\#(exp),"iat":1900000000,"nonce":"\#(nonce)","preferred_username":"alice"}"#
  }

  @Test func thePKCEChallengeIsRFC7636sExample() {
    let request = OpenIDAuthorizationRequest(
      codeVerifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", state: "s", nonce: "n")
    #expect(request.codeChallenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
  }

  @Test func freshRequestsHaveUnguessableDistinctValues() {
    let first = OpenIDAuthorizationRequest()
    let second = OpenIDAuthorizationRequest()
    #expect(first.codeVerifier.count == 43)
    #expect(first.state != second.state && first.nonce != second.nonce && first.codeVerifier != second.codeVerifier)
  }

  @Test func theAuthorizationURLCarriesEveryParameter() {
    let request = OpenIDAuthorizationRequest(codeVerifier: "v", state: "s t", nonce: "n")
    let url = request.url(endpoint: "https://idp/auth", clientID: "cli", redirectURI: "app:/callback")
    let parameters = OpenIDAuthorizationRequest.queryParameters(of: url)
    #expect(parameters["response_type"] == "code")
    #expect(parameters["redirect_uri"] == "app:/callback")
    #expect(parameters["state"] == "s t")
    #expect(parameters["code_challenge_method"] == "S256")
    #expect(parameters["code_challenge"] == request.codeChallenge)
    #expect(parameters["scope"] == "openid")
  }

  @Test func theRedirectGivesItsCodeOnlyWithTheRightState() throws {
    let request = OpenIDAuthorizationRequest(codeVerifier: "v", state: "s1", nonce: "n")
    #expect(try request.code(fromRedirect: "app:/callback?state=s1&code=abc&iss=x") == "abc")
    let mismatch = #expect(throws: IdentityProviderError.self) {
      try request.code(fromRedirect: "app:/callback?state=s2&code=abc")
    }
    #expect(mismatch?.message.hasPrefix("oauth state token mismatch") == true)
    let refused = #expect(throws: IdentityProviderError.self) {
      try request.code(fromRedirect: "app:/callback?error=access_denied&error_description=no+way&state=s1")
    }
    #expect(refused?.message == "the identity provider refused the authorization (access_denied: no way)")
  }

  @Test func aTokenSignedByTheProvidersKeyVerifies() throws {
    let signer = try TestSigner()
    let token = try JSONWebToken(try signer.token(claims: Self.claims()))
    let keys = try JSONWebKeySet(json: try signer.keySet(), source: "certs")
    #expect(keys.keys.count == 1)
    try token.verify(keys: keys, issuer: Self.issuer, clientID: "cli", nonce: "n1", now: Self.now)
    #expect(token.string("preferred_username") == "alice")
  }

  @Test func aTokenSignedByAnotherKeyWithTheSameKidIsRefused() throws {
    let provider = try TestSigner()
    let forger = try TestSigner()
    let token = try JSONWebToken(try forger.token(claims: Self.claims()))
    let error = #expect(throws: IdentityProviderError.self) {
      try token.verify(
        keys: try JSONWebKeySet(json: try provider.keySet(), source: "certs"), issuer: Self.issuer, clientID: "cli",
        nonce: "n1", now: Self.now)
    }
    #expect(error?.message == "the id_token's signature does not verify with the provider's keys")
  }

  @Test(arguments: [
    (claims(aud: "other"), "the id_token is for other, not client cli"),
    (claims(exp: 1_899_999_000), "the id_token has expired (check this computer's clock)"),
    (claims(nonce: "n2"), "the id_token's nonce does not match the one sent"),
    (claims(iss: "https://evil"), "the id_token was issued by \"https://evil\", not \(issuer)"),
  ])
  func eachClaimIsChecked(_ claims: String, message: String) throws {
    let signer = try TestSigner()
    let token = try JSONWebToken(try signer.token(claims: claims))
    let error = #expect(throws: IdentityProviderError.self) {
      try token.verify(
        keys: try JSONWebKeySet(json: try signer.keySet(), source: "certs"), issuer: Self.issuer, clientID: "cli",
        nonce: "n1", now: Self.now)
    }
    #expect(error?.message == message)
  }

  @Test func aTamperedPayloadIsRefused() throws {
    let signer = try TestSigner()
    let parts = try signer.token(claims: Self.claims()).split(separator: ".")
    let forged = parts[0] + "." + Base64URL.encode(Array(Self.claims(aud: "cli").utf8).dropLast()) + "." + parts[2]
    let error = #expect(throws: IdentityProviderError.self) { try JSONWebToken(String(forged)) }
    #expect(error?.message == "the id_token is not a signed JSON Web Token")
  }

  @Test func theTokenCacheKeyIsFNV1With128Bits() {
    #expect(IdentityTokenCacheFile.key(for: "") == "6c62272e07bb014262b821756295c58d")
    #expect(IdentityTokenCacheFile.key(for: Self.issuer) == "33221be4e0eb11d07b2e6d664c587144")
  }

  @Test func theTokenCacheKeepsOtherProvidersTokensAndSkipsOnesAboutToExpire() async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("idtok-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let cache = IdentityTokenCacheFile(directory: directory)
    let signer = try TestSigner()
    let fresh = try signer.token(claims: Self.claims(exp: 1_900_000_300))
    let ending = try signer.token(claims: Self.claims(exp: 1_900_000_030))
    try await cache.store(fresh, for: "https://a")
    try await cache.store(ending, for: "https://b")
    #expect(cache.token(for: "https://a", now: Self.now)?.compact == fresh)
    #expect(cache.token(for: "https://b", now: Self.now) == nil)
    #expect(POSIXFile.permissions(cache.path) == 0o600)
    try await cache.remove(for: "https://a")
    #expect(cache.token(for: "https://a", now: Self.now) == nil)
  }
}
