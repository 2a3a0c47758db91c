import Foundation
import Testing

@testable import RunAsCore

/// A provider that counts its calls and hands out credentials expiring at a set time.
final class CountingProvider: CredentialProvider, @unchecked Sendable {
  private let lock = NSLock()
  private var count = 0
  let lifetime: TimeInterval
  let failure: (any Error)?

  init(lifetime: TimeInterval, failure: (any Error)? = nil) {
    self.lifetime = lifetime
    self.failure = failure
  }

  var calls: Int { lock.withLock { count } }

  func credentials(validFor margin: Duration) async throws -> AWSCredentials {
    let number = lock.withLock {
      count += 1
      return count
    }
    try await Task.sleep(for: .milliseconds(30))
    if let failure { throw failure }
    return AWSCredentials(
      accessKeyID: "ASIA\(number)", secretAccessKey: "s", sessionToken: "t",
      expiration: Date().addingTimeInterval(lifetime))
  }

  func cachedCredentials(validFor margin: Duration) -> AWSCredentials? { nil }
  var cacheFile: CredentialCacheFile? { nil }
}

@Suite("Refreshing credentials")
struct CredentialRefreshTests {
  @Test func burstOfRequestsDuringExpiryRefreshesOnce() async throws {
    let quiet = CountingProvider(lifetime: 3600)
    let expired = AWSCredentials(
      accessKeyID: "OLD", secretAccessKey: "s", sessionToken: nil, expiration: Date().addingTimeInterval(-1))
    let source = RefreshingCredentials(quietProvider: quiet, interactiveProvider: quiet, initial: expired)
    let keys = try await withThrowingTaskGroup(of: String.self) { group in
      for _ in 0..<50 { group.addTask { try await source.credentials().accessKeyID } }
      return try await group.reduce(into: Set<String>()) { $0.insert($1) }
    }
    #expect(keys == ["ASIA1"])
    #expect(quiet.calls == 1)
  }

  @Test func freshCredentialsAreServedWithoutAnyCall() async throws {
    let provider = CountingProvider(lifetime: 3600)
    let fresh = AWSCredentials(
      accessKeyID: "FRESH", secretAccessKey: "s", sessionToken: nil, expiration: Date().addingTimeInterval(3600))
    let source = RefreshingCredentials(quietProvider: provider, interactiveProvider: provider, initial: fresh)
    #expect(try await source.credentials().accessKeyID == "FRESH")
    #expect(provider.calls == 0)
  }

  @Test func earlyRefreshThatNeedsTheUserKeepsServingValidCredentials() async throws {
    let quiet = CountingProvider(lifetime: 3600, failure: PromptUnavailable(message: "needs MFA"))
    let interactive = CountingProvider(lifetime: 3600)
    let soon = AWSCredentials(
      accessKeyID: "SOON", secretAccessKey: "s", sessionToken: nil, expiration: Date().addingTimeInterval(120))
    let source = RefreshingCredentials(quietProvider: quiet, interactiveProvider: interactive, initial: soon)
    #expect(try await source.credentials().accessKeyID == "SOON")
    #expect(interactive.calls == 0)
  }

  @Test func expiredCredentialsFallBackToTheInteractiveProvider() async throws {
    let quiet = CountingProvider(lifetime: 3600, failure: PromptUnavailable(message: "needs MFA"))
    let interactive = CountingProvider(lifetime: 3600)
    let source = RefreshingCredentials(quietProvider: quiet, interactiveProvider: interactive, initial: nil)
    #expect(try await source.credentials().accessKeyID == "ASIA1")
    #expect(interactive.calls == 1)
  }

  @Test func durationsAreClampedToSTSLimits() {
    let role = DurationLimits.assumeRole
    #expect(role.clamp(nil) == .seconds(3600))
    #expect(role.clamp(.seconds(60)) == .seconds(900))
    #expect(role.clamp(.seconds(13 * 3600)) == .seconds(12 * 3600))
    #expect(DurationLimits.sessionToken.clamp(.seconds(40 * 3600)) == .seconds(36 * 3600))
    #expect(DurationLimits.sessionToken.clamp(.seconds(7200)) == .seconds(7200))
  }
}
