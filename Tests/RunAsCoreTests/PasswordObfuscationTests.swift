import Foundation
import TestSupport
import Testing

@testable import RunAsCore

/// The Go tool's password obfuscation (spec §6.6), checked three ways: the stages against values
/// worked out by hand from the spec, whole values against strings the Go tool itself produced,
/// and both directions against an independent Python implementation
/// (`Tests/Support/password_obfuscation.py`: hashlib.scrypt and `cryptography`'s AES-CBC).
///
/// scrypt at cost 16–18 takes seconds in a debug build: those calls run on threads of their own
/// (``DedicatedThread``), one test at a time, so they never hold the concurrency pool that the
/// other suites' servers and waits need.
@Suite("Password obfuscation (spec §6.6)", .serialized)
struct PasswordObfuscationTests {
  /// Values the Go tool's encoder produced, published with its source
  /// (`credentials/helpers/password_encoder_test.go`, key `...mY not very Secure kEy...`). The
  /// fourth published value (cost 0x14) is left out: scrypt at 2^20 needs 1 GiB.
  static let goKey = "...mY not very Secure kEy..."
  static let goValues: [(password: String, stored: String)] = [
    ("short", "10$QVYF6DHFP4SRM$zjim/p3MVYKCOgn8y94iV6lD3NMdEs4+T0Ydepare7Q"),
    ("1234567890ABCDEF", "a$YHP4ZOTFYIFMG$gt+Xca1ZauWqgkGfVB+gaLLqDKVoC4BdSYWQurLeJzD9pRhEkJspuCcgp+CYfKLg"),
    (
      "0123456789abcdef1234567890ABCDEF",
      "12$LACIR5WCCXMEW$ensp4NRwdzCyNWzxBvbAbfk7tKEqPo73yLFXC2QH84LzvLYZDD1IrKwwSRonewEKhEDZUH+NSAYiqohQ7gt6cw"
    ),
  ]

  // MARK: stages, derived by hand

  /// Step 1 and 2 of §6.6 for "short": UTF-8 `73 68 6f 72 74` in base64 without padding is
  /// `c2hvcnQ`. Rotating by 32 in `A–Z a–z 0–9 + /` (A=0 … Z=25, a=26 … z=51, 0=52 … 9=61, +=62,
  /// /=63): c=28→60 `8`, 2=54→86−64=22 `W`, h=33→65−64=1 `B`, v=47→79−64=15 `P`, c→`8`,
  /// n=39→71−64=7 `H`, Q=16→48 `w`: `8WBP8Hw`. Step 3 pads its 7 characters with 9 `=` to 16.
  @Test func shortPasswordStagesMatchTheHandDerivation() {
    let base64 = PasswordObfuscation.base64.encode(Array("short".utf8))
    #expect(String(decoding: base64, as: UTF8.self) == "c2hvcnQ")
    let rotated = PasswordObfuscation.rotated(base64)
    #expect(String(decoding: rotated, as: UTF8.self) == "8WBP8Hw")
    #expect(String(decoding: PasswordObfuscation.paddedToBlock(rotated), as: UTF8.self) == "8WBP8Hw=========")
  }

  /// "twelve bytes" is 12 bytes, so its base64 `dHdlbHZlIGJ5dGVz` is exactly 16 characters and
  /// step 3 adds nothing. Rotated: d=29→61 `9`, H=7→39 `n`, l=37→5 `F`, b=27→59 `7`, Z=25→57 `5`,
  /// I=8→40 `o`, G=6→38 `m`, J=9→41 `p`, 5=57→25 `Z`, V=21→53 `1`, z=51→19 `T`.
  @Test func aBlockSizedEncodingIsNotPadded() {
    let rotated = PasswordObfuscation.rotated(PasswordObfuscation.base64.encode(Array("twelve bytes".utf8)))
    #expect(String(decoding: rotated, as: UTF8.self) == "9n9F7n5FompZ9m1T")
    #expect(PasswordObfuscation.paddedToBlock(rotated) == rotated)
  }

  @Test func rotationIsItsOwnInverseAndMovesEveryCharacterHalfwayRound() {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    let rotated = PasswordObfuscation.rotated(alphabet)
    #expect(rotated == Array(alphabet[32...] + alphabet[..<32]))
    #expect(PasswordObfuscation.rotated(rotated) == alphabet)
  }

  /// RFC 4648 §10 vectors, without the padding the Go tool leaves off; lengths that leave a whole
  /// character unused are invalid, as in Go.
  @Test func base32AndBase64AreRFC4648WithoutPadding() {
    let pairs: [(String, String, String)] = [
      ("f", "MY", "Zg"), ("fo", "MZXQ", "Zm8"), ("foo", "MZXW6", "Zm9v"), ("foob", "MZXW6YQ", "Zm9vYg"),
      ("fooba", "MZXW6YTB", "Zm9vYmE"), ("foobar", "MZXW6YTBOI", "Zm9vYmFy"),
    ]
    for (plain, base32, base64) in pairs {
      #expect(String(decoding: PasswordObfuscation.base32.encode(Array(plain.utf8)), as: UTF8.self) == base32)
      #expect(String(decoding: PasswordObfuscation.base64.encode(Array(plain.utf8)), as: UTF8.self) == base64)
      #expect(PasswordObfuscation.base32.decode(base32.utf8) == Array(plain.utf8))
      #expect(PasswordObfuscation.base64.decode(base64.utf8) == Array(plain.utf8))
    }
    #expect(PasswordObfuscation.base32.decode("M".utf8) == nil)
    #expect(PasswordObfuscation.base32.decode("MZX".utf8) == nil)
    #expect(PasswordObfuscation.base64.decode("Zm9vY".utf8) == nil)
    #expect(PasswordObfuscation.base64.decode("Zm9=".utf8) == nil)
    #expect(PasswordObfuscation.base32.decode("mzxq".utf8) == nil)
  }

  // MARK: whole values, against the Go tool

  @Test(arguments: 0..<3)
  func valuesTheGoToolStoredDecode(_ index: Int) async throws {
    let (password, stored) = Self.goValues[index]
    #expect(PasswordObfuscation.isObfuscated(stored))
    #expect(try await DedicatedThread.run { try PasswordObfuscation.decode(stored, url: Self.goKey) } == password)
  }

  /// Encoding is deterministic once the salt and IV are fixed: with the Go value's own salt and
  /// IV, the result is the Go tool's string byte for byte.
  @Test(arguments: 0..<3)
  func encodingWithTheGoValuesSaltAndIVReproducesIt(_ index: Int) async throws {
    let (password, stored) = Self.goValues[index]
    let parts = stored.split(separator: "$")
    let salt = try #require(PasswordObfuscation.base32.decode(parts[1].utf8))
    let iv = Array(try #require(PasswordObfuscation.base64.decode(parts[2].utf8)).prefix(16))
    let cost = try #require(Int(parts[0], radix: 16))
    let encoded = try await DedicatedThread.run {
      try PasswordObfuscation.encode(password, url: Self.goKey, cost: cost, salt: salt, iv: iv)
    }
    #expect(encoded == stored)
  }

  @Test func theDefaultCostIs18AndTheSaltIs13Base32Characters() async throws {
    let encoded = try await DedicatedThread.run {
      try PasswordObfuscation.encode("pw", url: "https://idp.example.com/saml")
    }
    let parts = encoded.split(separator: "$")
    #expect(parts.count == 3)
    #expect(parts[0] == "12")
    #expect(parts[1].count == 13)
    // IV (16) + one block (16) = 32 bytes = 43 base64 characters without padding.
    #expect(parts[2].count == 43)
  }

  @Test(arguments: [
    "p", "hunter2", "twelve bytes", "1234567890ABCDEF", "pässwörd ✓ with spaces", String(repeating: "x$", count: 60),
  ])
  func roundTrips(_ password: String) throws {
    let url = "https://keycloak.example.com/realms/corp/protocol/saml/clients/aws"
    let first = try PasswordObfuscation.encode(password, url: url, cost: 10)
    let second = try PasswordObfuscation.encode(password, url: url, cost: 10)
    #expect(first != second, "a fresh salt and IV every time")
    #expect(try PasswordObfuscation.decode(first, url: url) == password)
    #expect(try PasswordObfuscation.decode(second, url: url) == password)
  }

  // MARK: bad values

  @Test(
    arguments: [
      ("x$a", "it is not of the form <cost>$<salt>$<data>"),
      ("zz$QVYF6DHFP4SRM$zjim/p3MVYKCOgn8y94iV6lD3NMdEs4+T0Ydepare7Q", "its cost \"zz\" is not a hexadecimal number"),
      ("+a$QVYF6DHFP4SRM$zjim/p3MVYKCOgn8y94iV6lD3NMdEs4+T0Ydepare7Q", "its cost \"+a\" is not a hexadecimal number"),
      ("100$ABC$xyz", "its cost 256 is outside 1–20"),
      ("0$QVYF6DHFP4SRM$zjim/p3MVYKCOgn8y94iV6lD3NMdEs4+T0Ydepare7Q", "its cost 0 is outside 1–20"),
      ("15$QVYF6DHFP4SRM$zjim/p3MVYKCOgn8y94iV6lD3NMdEs4+T0Ydepare7Q", "its cost 21 is outside 1–20"),
      ("10$q0lxe$adb", "its salt is not base32"),
      ("10$QVYF6DHFP4SRM$zjim/p3MVYKCOgn8y94iV6lD3NMdEs4+T0Ydepare7Q!", "its data is not base64"),
      (
        "10$QVYF6DHFP4SRM$zjim/p3MVYKCOgn8y94iV6lD3NMdEs4+T0Ydepar",
        "its data is 30 bytes, not a 16-byte IV followed by whole 16-byte blocks"
      ),
    ])
  func malformedValuesNameTheirProblem(_ value: String, _ reason: String) {
    #expect(throws: PasswordObfuscationError(reason: reason)) {
      try PasswordObfuscation.decode(value, url: Self.goKey)
    }
  }

  @Test func aValueStoredForAnotherURLIsRefused() async throws {
    let stored = Self.goValues[0].stored
    let error = await #expect(throws: PasswordObfuscationError.self) {
      try await DedicatedThread.run { try PasswordObfuscation.decode(stored, url: "https://another.example.com/") }
    }
    #expect(error?.reason == "it does not decode with this URL as the key (was it stored for another URL?)")
    #expect(error.map { "\($0)" }?.contains("zjim") == false, "the message never quotes the value")
  }

  @Test func plaintextIsNotTakenForAnObfuscatedValue() {
    for plaintext in [
      "hunter2", "a$b$c", "p@ss$word$x", "12$ABCDEFGHIJKLM$short", "123$AB$zjim/p3MVYKCOgn8y94iV6lD3NMdEs4+T0Y",
    ] {
      #expect(!PasswordObfuscation.isObfuscated(plaintext), "\(plaintext)")
    }
  }

  // MARK: against the Python implementation

  static func python(_ arguments: [String], stdin: String) async throws -> ProcessResult {
    let script = repositoryRoot().appendingPathComponent("Tests/Support/password_obfuscation.py").path
    let environment = ProcessInfo.processInfo.environment.filter { $0.key == "PATH" || $0.key == "HOME" }
    return try await run("/usr/bin/env", ["python3", script] + arguments, environment: environment, stdin: stdin)
  }

  static func repositoryRoot(from file: String = #filePath) -> URL {
    var directory = URL(fileURLWithPath: file).deletingLastPathComponent()
    while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
      directory.deleteLastPathComponent()
    }
    return directory
  }

  @Test(arguments: ["short", "pässwörd ✓", "0123456789abcdef1234567890ABCDEF!"])
  func swiftAndPythonEncodeTheSameBytes(_ password: String) async throws {
    let url = "https://idp.example.com/realms/corp"
    let salt: [UInt8] = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77]
    let iv: [UInt8] = Array(0xf0...0xff)
    let hex = { (bytes: [UInt8]) in bytes.map { String(format: "%02x", $0) }.joined() }
    // Any cost shows the same bytes; the default cost has its own test below.
    let python = try await Self.python(["encode", url, "12", hex(salt), hex(iv)], stdin: password)
    #expect(python.exitCode == 0, "\(python.output())")
    let encoded = try await DedicatedThread.run {
      try PasswordObfuscation.encode(password, url: url, cost: 12, salt: salt, iv: iv)
    }
    #expect(encoded == python.stdout)
  }

  @Test func pythonDecodesWhatSwiftEncodesAtTheDefaultCost() async throws {
    let url = "https://idp.example.com/oidc"
    let password = "correct horse battery staple ✓"
    let encoded = try await DedicatedThread.run { try PasswordObfuscation.encode(password, url: url) }
    let python = try await Self.python(["decode", url], stdin: encoded)
    #expect(python.exitCode == 0, "\(python.output())")
    #expect(python.stdout == password)
    let wrongURL = try await Self.python(["decode", url + "/other"], stdin: encoded)
    #expect(wrongURL.exitCode == 1)
  }
}
