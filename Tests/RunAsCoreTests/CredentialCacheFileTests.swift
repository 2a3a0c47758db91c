import Foundation
import TestSupport
import Testing

@testable import RunAsCore

@Suite("Credential cache files")
struct CredentialCacheFileTests {
  /// This test's files, removed when it ends.
  let temporary: TemporaryDirectory
  var directory: String { temporary.path }

  init() throws { temporary = try TemporaryDirectory(prefix: "cache") }

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

  // MARK: Caches that lie

  /// A cache file body with `members` spliced between valid keys and an expiry an hour away.
  static func document(_ members: [String]) -> String {
    "{" + members.joined(separator: ",") + "}"
  }

  static let future = Timestamp.formatRFC3339(Date().addingTimeInterval(3600))

  @Test(arguments: [
    // A number, a Boolean or null where a string belongs.
    [#""AccessKeyId":123"#, #""SecretAccessKey":"s""#, #""Expiration":"\#(future)""#],
    [#""AccessKeyId":"ASIA""#, #""SecretAccessKey":true"#, #""Expiration":"\#(future)""#],
    [#""AccessKeyId":"ASIA""#, #""SecretAccessKey":"s""#, #""Expiration":42"#],
    [#""AccessKeyId":"ASIA""#, #""SecretAccessKey":"s""#, #""Expiration":"\#(future)""#, #""SessionToken":7"#],
    [#""AccessKeyId":"ASIA""#, #""SecretAccessKey":"s""#, #""Expiration":"\#(future)""#, #""MfaSerial":null"#],
    // No expiry, or one that is not a timestamp.
    [#""AccessKeyId":"ASIA""#, #""SecretAccessKey":"s""#, #""SessionToken":"t""#],
    [#""AccessKeyId":"ASIA""#, #""SecretAccessKey":"s""#, #""Expiration":"tomorrow""#],
    [#""AccessKeyId":"ASIA""#, #""SecretAccessKey":"s""#, #""Expiration":"""#],
  ])
  func filesOfTheWrongShapeAreAMiss(_ members: [String]) throws {
    let cache = CredentialCacheFile(directory: directory, kind: .assumeRole, name: "lying")
    try Self.document(members).write(toFile: cache.path, atomically: true, encoding: .utf8)
    #expect(cache.load() == nil)
  }

  @Test func theGoToolsZeroExpiryIsReadButNeverValid() throws {
    let cache = CredentialCacheFile(directory: directory, kind: .sessionToken, name: "zero")
    try Self.document([#""AccessKeyId":"ASIA""#, #""SecretAccessKey":"s""#, #""Expiration":"0001-01-01T00:00:00Z""#])
      .write(toFile: cache.path, atomically: true, encoding: .utf8)
    let entry = try #require(cache.load())
    #expect(!entry.credentials.isValid(at: Date()))
  }

  @Test func aLyingCacheIsReplacedByFreshCredentialsFromSTS() async throws {
    let cache = CredentialCacheFile(directory: directory, kind: .sessionToken, name: "replaced")
    try Self.document([#""AccessKeyId":123"#, #""SecretAccessKey":"s""#, #""SessionToken":"t""#])
      .write(toFile: cache.path, atomically: true, encoding: .utf8)
    let sts = CountingSTS()
    let provider = SessionTokenProvider(
      base: AWSCredentials(accessKeyID: "AKIA", secretAccessKey: "long-term"), cache: cache,
      duration: .seconds(3600), mfaSerial: nil, mfa: MFACodeSource(presetCode: nil, prompter: NoPrompter()),
      sts: sts, now: { Date() })
    let credentials = try await provider.credentials(validFor: .seconds(600))
    #expect(credentials.accessKeyID == "ASIAFRESH")
    #expect(await sts.calls == 1)
    #expect(cache.load()?.credentials == credentials)
    // The replaced file is a hit from now on.
    _ = try await provider.credentials(validFor: .seconds(600))
    #expect(await sts.calls == 1)
  }

  // MARK: Names that escape

  func entries() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
  }

  @Test(arguments: ["../../../../tmp/x/evil", "a/b", "/abs", "..", "tab\tand\u{1B}[2J", "nul\u{0}byte", "back\\slash"])
  func namesStayOneFileInTheCacheDirectory(_ name: String) throws {
    let cache = CredentialCacheFile(directory: directory, kind: .assumeRole, name: name)
    try cache.store(CachedCredentials(credentials: Self.credentials, mfaSerial: nil))
    let file = String(cache.path.dropFirst(directory.count + 1))
    #expect(cache.path.hasPrefix(directory + "/.aws_assume_role_"))
    #expect(!file.contains("/"))
    #expect(!file.unicodeScalars.contains { $0.value < 0x20 || $0 == "\\" })
    #expect(try entries() == [file])
    #expect(cache.load()?.credentials == Self.credentials)
  }

  @Test func escapedNamesNeverCollide() {
    let names = ["a/b", "a%2Fb", "a%252Fb", "a\\b", "a%5Cb"]
    let paths = Set(names.map { CredentialCacheFile(directory: directory, kind: .assumeRole, name: $0).path })
    #expect(paths.count == names.count)
  }

  @Test func ordinaryNamesAreKeptAsTheGoToolWritesThem() {
    for name in ["prod", "dev-eu.west_1", "team@corp", "x+y=z", "δοκιμή"] {
      #expect(
        CredentialCacheFile(directory: directory, kind: .sessionToken, name: name).path
          == directory + "/.aws_session_token_" + name)
    }
  }

  @Test func overlongNamesFitOneFileNameAndStayApart() throws {
    let long = String(repeating: "p", count: 5000)
    let first = CredentialCacheFile(directory: directory, kind: .assumeRole, name: long + "1")
    let second = CredentialCacheFile(directory: directory, kind: .assumeRole, name: long + "2")
    #expect(first.path != second.path)
    try first.store(CachedCredentials(credentials: Self.credentials, mfaSerial: nil))
    try second.store(CachedCredentials(credentials: Self.credentials, mfaSerial: nil))
    #expect(try entries().allSatisfy { $0.utf8.count < 255 })
    #expect(try entries().count == 2)
  }

  @Test func storingCreatesOnlyTheCacheDirectoryItself() async throws {
    let missing = directory + "/aws"
    let cache = CredentialCacheFile(directory: missing, kind: .sessionToken, name: "p")
    try await cache.withLock { try cache.store(CachedCredentials(credentials: Self.credentials, mfaSerial: nil)) }
    #expect(POSIXFile.permissions(missing) == 0o700)
    let deeper = CredentialCacheFile(directory: directory + "/no/such/dir", kind: .sessionToken, name: "p")
    #expect(throws: POSIXFile.Failure.self) {
      try deeper.store(CachedCredentials(credentials: Self.credentials, mfaSerial: nil))
    }
    await #expect(throws: POSIXFile.Failure.self) { try await deeper.withLock {} }
    #expect(!POSIXFile.exists(directory + "/no"))
  }

  @Test func aDanglingLockSymlinkIsRefusedAndCreatesNothing() async throws {
    let cache = CredentialCacheFile(directory: directory, kind: .assumeRole, name: "linked")
    let target = directory + "/elsewhere"
    try FileManager.default.createSymbolicLink(atPath: cache.lock.path, withDestinationPath: target)
    await #expect(throws: FileLock.Failure.self) { try await cache.withLock {} }
    #expect(!POSIXFile.exists(target))
  }

  @Test func aLockThatIsNotARegularFileIsRefused() async throws {
    let cache = CredentialCacheFile(directory: directory, kind: .assumeRole, name: "fifo")
    #expect(mkfifo(cache.lock.path, 0o600) == 0)
    await #expect(throws: FileLock.Failure.self) { try await cache.withLock {} }
  }

  @Test func temporaryFilesLeftByAnInterruptedWriteAreRemoved() throws {
    let cache = CredentialCacheFile(directory: directory, kind: .assumeRole, name: "stale")
    let stale = cache.path + "_Ab3dE9.tmp"
    let unrelated = [directory + "/.aws_assume_role_other_Ab3dE9.tmp", cache.path + "_short.tmp"]
    for path in [stale] + unrelated { try "secret".write(toFile: path, atomically: false, encoding: .utf8) }
    try cache.store(CachedCredentials(credentials: Self.credentials, mfaSerial: nil))
    #expect(!POSIXFile.exists(stale))
    #expect(unrelated.allSatisfy { POSIXFile.exists($0) })
  }

  @Test func anOversizedOrSpecialCacheFileIsAMiss() throws {
    let big = CredentialCacheFile(directory: directory, kind: .assumeRole, name: "big")
    let padding = String(repeating: " ", count: CredentialCacheFile.maximumSize)
    try
      (padding + Self.document([#""AccessKeyId":"A""#, #""SecretAccessKey":"s""#, #""Expiration":"\#(Self.future)""#]))
      .write(toFile: big.path, atomically: true, encoding: .utf8)
    #expect(big.load() == nil)
    let device = CredentialCacheFile(directory: directory, kind: .assumeRole, name: "zero")
    try FileManager.default.createSymbolicLink(atPath: device.path, withDestinationPath: "/dev/zero")
    #expect(device.load() == nil)
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

/// An STS that answers GetSessionToken with fresh credentials and counts the calls.
actor CountingSTS: SecurityTokenService {
  private(set) var calls = 0

  func getSessionToken(
    credentials: AWSCredentials, duration: Duration, mfaSerial: String?, tokenCode: String?
  ) async throws -> AWSCredentials {
    calls += 1
    return AWSCredentials(
      accessKeyID: "ASIAFRESH", secretAccessKey: "fresh", sessionToken: "token",
      expiration: Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 3600).rounded(.down)))
  }

  func assumeRole(
    credentials: AWSCredentials, roleARN: String, sessionName: String, duration: Duration,
    externalID: String?, mfaSerial: String?, tokenCode: String?
  ) async throws -> AWSCredentials {
    try await getSessionToken(credentials: credentials, duration: duration, mfaSerial: nil, tokenCode: nil)
  }

  func getCallerIdentity(credentials: AWSCredentials) async throws -> CallerIdentity {
    CallerIdentity(account: "123456789012", arn: "arn:aws:iam::123456789012:user/test", userID: "AIDA")
  }
}

actor LogBox {
  var entries: [String] = []
  func append(_ entry: String) { entries.append(entry) }
}
