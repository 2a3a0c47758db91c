import Crypto
import _CryptoExtras

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The Go tool's obfuscation of an identity-provider password stored in the credentials file
/// (spec §6.6), byte for byte: a value the Go tool stored decodes here, and the reverse.
///
/// Obfuscation, not encryption: the key is the identity provider's URL, which the configuration
/// holds in the clear. Encoding, with `cost` 18 by default:
/// 1. base64 of the password's UTF-8 bytes (standard alphabet, no padding);
/// 2. each character replaced by the one 32 places later in `A–Z a–z 0–9 + /` (an involution);
/// 3. `=` appended up to a multiple of 16 characters;
/// 4. AES-128-CBC without further padding, under `scrypt(URL bytes, salt, N = 2^cost, r = 8,
///    p = 1, 16 bytes)`, with an 8-byte random salt and a 16-byte random IV;
/// 5. `<cost in lowercase hex>$<base32 of the salt, no padding>$<base64 of IV ‖ ciphertext, no padding>`.
///
/// scrypt at cost 18 takes 256 MiB and a good part of a second: call ``encode(_:url:)`` and
/// ``decode(_:url:)`` off the concurrency pool (``IdentityProviderPassword`` does).
public enum PasswordObfuscation {
  /// The cost the Go tool's `password` command writes (scrypt N = 2^18).
  public static let defaultCost = 18
  /// The highest cost decoded: 2^20 takes 1 GiB, the most the Go tool's own tests use. A higher
  /// cost in the file is refused instead of exhausting memory.
  public static let maximumCost = 20

  /// Whether `value` has the shape of an obfuscated password: `<1–2 hex digits>$<base32>$<base64>`
  /// (further `$` parts are ignored, as the Go tool ignores them) with room for an IV.
  ///
  /// A plaintext password of that shape is practically impossible; anything else is plaintext.
  public static func isObfuscated(_ value: String) -> Bool {
    let parts = value.split(separator: "$", omittingEmptySubsequences: false)
    guard parts.count >= 3 else { return false }
    return (1...2).contains(parts[0].count) && parts[0].allSatisfy(\.isHexDigit)
      && !parts[1].isEmpty && parts[1].utf8.allSatisfy { base32.value(of: $0) != nil }
      && parts[2].utf8.count >= 22 && parts[2].utf8.allSatisfy { base64.value(of: $0) != nil }
  }

  /// `password` obfuscated with `url` as the key, a fresh random salt and IV.
  ///
  /// - Throws: ``PasswordObfuscationError`` if the key cannot be derived (never for valid costs).
  public static func encode(_ password: String, url: String, cost: Int = defaultCost) throws -> String {
    var generator = SystemRandomNumberGenerator()
    let salt = (0..<8).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    let iv = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    return try encode(password, url: url, cost: cost, salt: salt, iv: iv)
  }

  /// `password` obfuscated with a given salt and IV: what ``encode(_:url:cost:)`` does after
  /// choosing them. Deterministic, for tests against known values.
  static func encode(_ password: String, url: String, cost: Int, salt: [UInt8], iv: [UInt8]) throws -> String {
    guard (1...maximumCost).contains(cost) else { throw PasswordObfuscationError.costOutOfRange(cost) }
    let plaintext = paddedToBlock(rotated(base64.encode(Array(password.utf8))))
    let key = try derivedKey(url: url, salt: salt, cost: cost)
    let ciphertext: Data
    do {
      ciphertext = try AES._CBC.encrypt(plaintext, using: key, iv: AES._CBC.IV(ivBytes: iv), noPadding: true)
    } catch {
      throw PasswordObfuscationError(reason: "AES-CBC encryption failed (\(error))")
    }
    return String(cost, radix: 16) + "$" + String(decoding: base32.encode(salt), as: UTF8.self) + "$"
      + String(decoding: base64.encode(iv + Array(ciphertext)), as: UTF8.self)
  }

  /// The password in `value`, a string ``encode(_:url:cost:)`` (or the Go tool) produced with
  /// `url` as the key.
  ///
  /// - Throws: ``PasswordObfuscationError`` naming the part that is wrong: not three `$`-separated
  ///   parts, a cost that is not hex or out of range, a salt that is not base32, data that is not
  ///   base64 or not whole AES blocks after the IV, or a result that is not the rotated base64
  ///   of UTF-8 text (the usual sign of a value stored for another URL).
  public static func decode(_ value: String, url: String) throws -> String {
    let parts = value.split(separator: "$", omittingEmptySubsequences: false)
    guard parts.count >= 3 else {
      throw PasswordObfuscationError(reason: "it is not of the form <cost>$<salt>$<data>")
    }
    guard let cost = Int(parts[0], radix: 16), parts[0].allSatisfy(\.isHexDigit) else {
      throw PasswordObfuscationError(reason: "its cost \"\(parts[0])\" is not a hexadecimal number")
    }
    guard (1...maximumCost).contains(cost) else { throw PasswordObfuscationError.costOutOfRange(cost) }
    guard let salt = base32.decode(parts[1].utf8) else {
      throw PasswordObfuscationError(reason: "its salt is not base32")
    }
    guard let data = base64.decode(parts[2].utf8) else {
      throw PasswordObfuscationError(reason: "its data is not base64")
    }
    guard data.count >= 16, data.count % 16 == 0 else {
      throw PasswordObfuscationError(
        reason: "its data is \(data.count) bytes, not a 16-byte IV followed by whole 16-byte blocks")
    }
    let key = try derivedKey(url: url, salt: salt, cost: cost)
    let decrypted: [UInt8]
    do {
      decrypted = Array(
        try AES._CBC.decrypt(data[16...], using: key, iv: AES._CBC.IV(ivBytes: data[..<16]), noPadding: true))
    } catch {
      throw PasswordObfuscationError(reason: "AES-CBC decryption failed (\(error))")
    }
    var text = decrypted[...]
    while text.last == UInt8(ascii: "=") { text = text.dropLast() }
    guard let bytes = base64.decode(rotated(Array(text))), let password = String(validating: bytes, as: UTF8.self)
    else {
      throw PasswordObfuscationError(
        reason: "it does not decode with this URL as the key (was it stored for another URL?)")
    }
    return password
  }

  /// The AES-128 key: scrypt of the URL's bytes.
  private static func derivedKey(url: String, salt: [UInt8], cost: Int) throws -> SymmetricKey {
    do {
      return try KDF.Scrypt.deriveKey(
        from: Array(url.utf8), salt: salt, outputByteCount: 16, rounds: 1 << cost, blockSize: 8, parallelism: 1)
    } catch {
      throw PasswordObfuscationError(reason: "scrypt failed at cost \(cost) (\(error))")
    }
  }

  /// Each base64 character replaced by the one 32 places later in the alphabet ("rot32"). Its
  /// own inverse. A byte outside the alphabet becomes `0xFF`, which no decoder accepts.
  static func rotated(_ text: [UInt8]) -> [UInt8] {
    text.map { byte in base64.value(of: byte).map { base64.alphabet[($0 + 32) % 64] } ?? 0xFF }
  }

  /// `text` followed by `=` up to a multiple of the AES block size (nothing when already one).
  static func paddedToBlock(_ text: [UInt8]) -> [UInt8] {
    text + Array(repeating: UInt8(ascii: "="), count: (16 - text.count % 16) % 16)
  }

  static let base64 = UnpaddedRadixCodec(
    alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", bitsPerCharacter: 6)
  static let base32 = UnpaddedRadixCodec(alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", bitsPerCharacter: 5)
}

/// A stored password that is not a valid obfuscated value, or that cannot be obfuscated.
public struct PasswordObfuscationError: UserFacingError, Sendable, Equatable {
  /// Why, without the value (it is a secret, obfuscated or not).
  public let reason: String

  /// Creates the error.
  public init(reason: String) {
    self.reason = reason
  }

  /// `the obfuscated password cannot be decoded: <reason>`.
  public var message: String { "the obfuscated password cannot be decoded: \(reason)" }

  static func costOutOfRange(_ cost: Int) -> PasswordObfuscationError {
    PasswordObfuscationError(reason: "its cost \(cost) is outside 1–\(PasswordObfuscation.maximumCost)")
  }
}

/// Base64 or base32 with the standard alphabet and no padding, as Go's `RawStdEncoding` and
/// `StdEncoding.WithPadding(NoPadding)`: trailing bits that do not make a byte are dropped, and a
/// length that leaves a whole character unused is invalid.
struct UnpaddedRadixCodec: Sendable {
  let alphabet: [UInt8]
  let bitsPerCharacter: Int
  private let values: [Int8]

  init(alphabet: String, bitsPerCharacter: Int) {
    self.alphabet = Array(alphabet.utf8)
    self.bitsPerCharacter = bitsPerCharacter
    var values = [Int8](repeating: -1, count: 256)
    for (index, byte) in self.alphabet.enumerated() { values[Int(byte)] = Int8(index) }
    self.values = values
  }

  /// The value of the alphabet character `byte`, or `nil` for any other byte.
  func value(of byte: UInt8) -> Int? {
    let value = values[Int(byte)]
    return value < 0 ? nil : Int(value)
  }

  func encode(_ bytes: [UInt8]) -> [UInt8] {
    var output: [UInt8] = []
    var buffer = 0
    var bits = 0
    let mask = (1 << bitsPerCharacter) - 1
    for byte in bytes {
      buffer = (buffer << 8) | Int(byte)
      bits += 8
      while bits >= bitsPerCharacter {
        bits -= bitsPerCharacter
        output.append(alphabet[(buffer >> bits) & mask])
      }
      buffer &= (1 << bits) - 1
    }
    if bits > 0 { output.append(alphabet[(buffer << (bitsPerCharacter - bits)) & mask]) }
    return output
  }

  func decode<Text: Sequence>(_ text: Text) -> [UInt8]? where Text.Element == UInt8 {
    var output: [UInt8] = []
    var buffer = 0
    var bits = 0
    for character in text {
      guard let value = value(of: character) else { return nil }
      buffer = (buffer << bitsPerCharacter) | value
      bits += bitsPerCharacter
      if bits >= 8 {
        bits -= 8
        output.append(UInt8((buffer >> bits) & 0xFF))
      }
      buffer &= (1 << bits) - 1
    }
    return bits < bitsPerCharacter ? output : nil
  }
}
