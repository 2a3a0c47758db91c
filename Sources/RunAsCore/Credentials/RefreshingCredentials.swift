#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Credentials for a long-running consumer (the credential endpoint, the TUI's switchboard),
/// refreshed ahead of expiry with concurrent requests sharing one refresh.
///
/// Refresh starts when less than `refreshMargin` remains. While the current credentials are still
/// valid, the refresh uses `quietProvider`, which never prompts: if it would need the user (an
/// expired MFA session), the still-valid credentials are served instead. Only once they have
/// actually expired does `interactiveProvider` run, which may ask for an MFA code.
public actor RefreshingCredentials {
  private let quietProvider: any CredentialProvider
  private let interactiveProvider: any CredentialProvider
  private let refreshMargin: Duration
  private let now: @Sendable () -> Date
  private var current: AWSCredentials?
  private var refresh: Task<AWSCredentials, any Error>?

  /// Creates the source.
  ///
  /// - Parameters:
  ///   - quietProvider: The chain built with a prompter that never asks.
  ///   - interactiveProvider: The same chain with the user's prompter.
  ///   - initial: Credentials already fetched, if any.
  ///   - refreshMargin: How long before expiry to refresh (10 minutes: SDKs refresh from 15
  ///     minutes before expiry and reject credentials with under 10 minutes left).
  public init(
    quietProvider: any CredentialProvider, interactiveProvider: any CredentialProvider,
    initial: AWSCredentials? = nil, refreshMargin: Duration = .seconds(600),
    now: @escaping @Sendable () -> Date = { Date() }
  ) {
    self.quietProvider = quietProvider
    self.interactiveProvider = interactiveProvider
    self.current = initial
    self.refreshMargin = refreshMargin
    self.now = now
  }

  /// Credentials valid for at least the refresh margin when that can be had without asking the
  /// user, otherwise the still-valid ones, otherwise fresh ones obtained interactively.
  public func credentials() async throws -> AWSCredentials {
    if let current, current.isValid(at: now(), margin: refreshMargin) { return current }
    if let refresh { return try await refresh.value }
    let stillValid = current.flatMap { $0.isValid(at: now()) ? $0 : nil }
    let task = Task { [quietProvider, interactiveProvider, refreshMargin] in
      do {
        return try await quietProvider.credentials(validFor: refreshMargin)
      } catch {
        if let stillValid { return stillValid }
        return try await interactiveProvider.credentials(validFor: refreshMargin)
      }
    }
    refresh = task
    defer { refresh = nil }
    let fresh = try await task.value
    current = fresh
    return fresh
  }
}
