#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The OIDC id_token cache, `.aws_runas_identity_token.cache` (spec §6.5), shared with the Go
/// tool: one JSON object mapping the hex FNV-1 128-bit hash of a provider URL to the raw JWT.
/// Written with mode 0600 by temp file and rename under a lock, merged with what other runs wrote.
package struct IdentityTokenCacheFile: Sendable, Equatable {
  /// The file name inside the cache directory.
  package static let fileName = ".aws_runas_identity_token.cache"
  /// A token is not used in its last minute (the Go tool's rule).
  package static let expiryMargin: TimeInterval = 60
  private static let maximumSize = 1024 * 1024

  /// The file's path.
  package let path: String

  /// The cache in `directory`.
  package init(directory: String) {
    self.path = directory + "/" + Self.fileName
  }

  /// The key of `url`'s token: 32 lower-case hex digits of FNV-1 (not FNV-1a), 128 bits.
  package static func key(for url: String) -> String {
    var hash: UInt128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d
    let prime: UInt128 = 0x0000_0000_0100_0000_0000_0000_0000_013B
    for byte in url.utf8 {
      hash = hash &* prime
      hash ^= UInt128(byte)
    }
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 32 - hex.count) + hex
  }

  /// The cached token for `url` if it stays valid for more than a minute after `now`.
  package func token(for url: String, now: Date) -> JSONWebToken? {
    guard let raw = entries()[Self.key(for: url)], let token = try? JSONWebToken(raw),
      !token.isExpired(at: now, margin: Self.expiryMargin)
    else { return nil }
    return token
  }

  /// Stores `token` for `url`, keeping the other providers' tokens.
  package func store(_ token: String, for url: String) async throws {
    try POSIXFile.makeDirectory(POSIXFile.directoryName(path))
    try await FileLock(protecting: path).withLock {
      var all = entries()
      all[Self.key(for: url)] = token
      try write(all)
    }
  }

  /// Removes `url`'s token (one the provider refused).
  package func remove(for url: String) async throws {
    guard POSIXFile.exists(path) else { return }
    try await FileLock(protecting: path).withLock {
      var all = entries()
      guard all.removeValue(forKey: Self.key(for: url)) != nil else { return }
      try write(all)
    }
  }

  private func write(_ all: [String: String]) throws {
    var json = JSONObjectWriter()
    for key in all.keys.sorted() { json.add(key, all[key] ?? "") }
    try POSIXFile.writeAtomically(Array((json.result + "\n").utf8), to: path, mode: 0o600)
  }

  /// The file's string members; a missing or malformed file is empty.
  private func entries() -> [String: String] {
    guard let bytes = try? POSIXFile.read(path, limit: Self.maximumSize),
      let document = FlatJSONObject.parse(bytes)
    else { return [:] }
    return document.compactMapValues(\.string)
  }
}
