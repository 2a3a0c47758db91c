import Foundation
import Testing

@testable import RunAsCore

@Suite("Credential cache files")
struct CredentialCacheFileTests {
  let directory: String = {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("cache-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }()

  static let credentials = AWSCredentials(
    accessKeyID: "ASIAEXAMPLE", secretAccessKey: "secret", sessionToken: "token",
    expiration: Date(timeIntervalSince1970: 1_714_566_896))

  @Test func storedFileHasTheGoToolsShapeAndMode0600() throws {
    let cache = CredentialCacheFile(directory: directory, kind: .assumeRole, name: "prod")
    try cache.store(CachedCredentials(credentials: Self.credentials, mfaSerial: "arn:aws:iam::1:mfa/me"))
    #expect(cache.path.hasSuffix("/.aws_assume_role_prod"))
    let text = try String(contentsOfFile: cache.path, encoding: .utf8)
    #expect(
      text
        == #"{"AccessKeyId":"ASIAEXAMPLE","Expiration":"2024-05-01T12:34:56Z","SecretAccessKey":"secret","SessionToken":"token","MfaSerial":"arn:aws:iam::1:mfa/me"}"#
        + "\n")
    #expect(POSIXFile.permissions(cache.path) == 0o600)
  }

  @Test func roundTripKeepsCredentialsAndMFA() throws {
    let cache = CredentialCacheFile(directory: directory, kind: .sessionToken, name: "default")
    try cache.store(CachedCredentials(credentials: Self.credentials, mfaSerial: ""))
    #expect(cache.load() == CachedCredentials(credentials: Self.credentials, mfaSerial: ""))
  }

  @Test func fileWrittenByTheGoToolIsReadWithUnknownMFA() throws {
    let cache = CredentialCacheFile(directory: directory, kind: .sessionToken, name: "go")
    try
      #"{"AccessKeyId":"ASIAGO","Expiration":"2024-05-01T12:34:56.123456789Z","SecretAccessKey":"s","SessionToken":"t"}"#
      .write(toFile: cache.path, atomically: true, encoding: .utf8)
    let entry = try #require(cache.load())
    #expect(entry.credentials.accessKeyID == "ASIAGO")
    #expect(entry.mfaSerial == nil)
    #expect(entry.credentials.expiration.map { Int($0.timeIntervalSince1970) } == 1_714_566_896)
  }

  @Test(arguments: [
    "", "{", "not json", #"{"AccessKeyId":"","SecretAccessKey":"s"}"#, #"{"SecretAccessKey":"s"}"#, "[1]",
  ])
  func unusableFilesCountAsNothingCached(_ content: String) throws {
    let cache = CredentialCacheFile(directory: directory, kind: .assumeRole, name: "broken")
    try content.write(toFile: cache.path, atomically: true, encoding: .utf8)
    #expect(cache.load() == nil)
  }

  @Test func clearingAMissingFileIsFine() throws {
    try CredentialCacheFile(directory: directory, kind: .assumeRole, name: "never").clear()
  }

  @Test func replacingTheFileLeavesNoTemporaryFiles() throws {
    let cache = CredentialCacheFile(directory: directory, kind: .assumeRole, name: "many")
    for _ in 0..<20 { try cache.store(CachedCredentials(credentials: Self.credentials, mfaSerial: nil)) }
    let names = try FileManager.default.contentsOfDirectory(atPath: directory)
    #expect(names.filter { $0.hasPrefix(".aws_assume_role_many") } == [".aws_assume_role_many"])
  }

  @Test func lockSerialisesHoldersInOneProcess() async throws {
    let lock = FileLock(protecting: directory + "/locked")
    let log = LogBox()
    try await withThrowingTaskGroup(of: Void.self) { group in
      for index in 0..<4 {
        group.addTask {
          try await lock.withLock {
            await log.append("start \(index)")
            try await Task.sleep(for: .milliseconds(20))
            await log.append("end \(index)")
          }
        }
      }
      try await group.waitForAll()
    }
    let entries = await log.entries
    #expect(entries.count == 8)
    // Each start is immediately followed by its own end: no two holders overlapped.
    for pair in stride(from: 0, to: entries.count, by: 2) {
      #expect(entries[pair].replacing("start", with: "end") == entries[pair + 1])
    }
  }
}

actor LogBox {
  var entries: [String] = []
  func append(_ entry: String) { entries.append(entry) }
}
