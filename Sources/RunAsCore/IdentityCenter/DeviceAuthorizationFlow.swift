#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// A problem signing in to IAM Identity Center or using its session, said in one line.
public struct IdentityCenterError: UserFacingError, Sendable, Equatable {
  /// What went wrong.
  public let message: String
  /// What to do.
  public let hint: String?

  /// Creates the error.
  public init(message: String, hint: String? = nil) {
    self.message = message
    self.hint = hint
  }
}

/// Polls SSO-OIDC's CreateToken for a device authorization until the user approves it in the
/// browser (RFC 8628 §3.4–3.5 as SSO-OIDC implements it):
///
/// - `AuthorizationPendingException`: wait `interval` seconds, poll again;
/// - `SlowDownException`: add 5 seconds to the interval for this and every later poll;
/// - `ExpiredTokenException`, or the device code's `expiresIn` running out: the code expired;
/// - `AccessDeniedException`: the user declined;
/// - anything else ends the flow with that error.
///
/// The clock and the sleep are parameters, so tests drive the whole state machine without
/// waiting.
public struct DeviceAuthorizationFlow: Sendable {
  /// The service polled.
  public let oidc: any IdentityCenterOIDC
  /// The clock.
  public let now: @Sendable () -> Date
  /// Waits between polls; throws `CancellationError` when the user cancels.
  public let sleep: @Sendable (Duration) async throws -> Void

  /// What RFC 8628 adds to the interval on each `slow_down`.
  public static let slowDownIncrement = 5

  /// Creates the flow.
  public init(
    oidc: any IdentityCenterOIDC, now: @escaping @Sendable () -> Date = { Date() },
    sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
  ) {
    self.oidc = oidc
    self.now = now
    self.sleep = sleep
  }

  /// Polls until the user approves `authorization`, started at `startedAt`, and returns the
  /// token grant.
  ///
  /// - Throws: ``IdentityCenterError`` when the code expires or the user declines, any other
  ///   error CreateToken throws, or `CancellationError`.
  public func awaitApproval(
    of authorization: DeviceAuthorization, registration: SSOClientRegistration, startedAt: Date
  ) async throws -> SSOTokenGrant {
    var interval = max(1, authorization.interval)
    let deadline = startedAt.addingTimeInterval(TimeInterval(max(1, authorization.expiresIn)))
    var slowDowns = 0
    while true {
      do {
        return try await oidc.createToken(registration: registration, deviceCode: authorization.deviceCode)
      } catch let error as AWSServiceError {
        switch Self.outcome(of: error) {
        case "AuthorizationPendingException":
          break
        case "SlowDownException":
          interval += Self.slowDownIncrement
          slowDowns += 1
        case "ExpiredTokenException":
          throw Self.expired(authorization, slowDowns: slowDowns)
        case "AccessDeniedException":
          throw IdentityCenterError(
            message:
              "the sign-in with code \(TerminalText.excerpt(authorization.userCode, limit: 32)) was denied in the browser",
            hint: "run the login again and choose Allow")
        case "InvalidGrantException":
          throw IdentityCenterError(
            message: "SSO-OIDC refused the sign-in code: \(TerminalText.excerpt(error.message, limit: 200))",
            hint: "the code may have been used already; run the login again")
        default:
          throw error
        }
      }
      guard now().addingTimeInterval(TimeInterval(interval)) < deadline else {
        throw Self.expired(authorization, slowDowns: slowDowns)
      }
      try await sleep(.seconds(interval))
    }
  }

  /// The exception name of a CreateToken error; from the OAuth `error` when the exception name
  /// is missing (a proxy that keeps the body but drops the header).
  static func outcome(of error: AWSServiceError) -> String {
    guard error.code.hasPrefix("HTTP") || error.code == error.oauthError, let oauth = error.oauthError else {
      return error.code
    }
    let names = [
      "authorization_pending": "AuthorizationPendingException", "slow_down": "SlowDownException",
      "expired_token": "ExpiredTokenException", "access_denied": "AccessDeniedException",
      "invalid_grant": "InvalidGrantException",
    ]
    return names[oauth] ?? error.code
  }

  private static func expired(_ authorization: DeviceAuthorization, slowDowns: Int) -> IdentityCenterError {
    let code = TerminalText.excerpt(authorization.userCode, limit: 32)
    let detail = slowDowns > 0 ? " (the service asked to slow down \(slowDowns) times)" : ""
    return IdentityCenterError(
      message: "the sign-in code \(code) expired before it was approved\(detail)",
      hint: "run the login again and approve the code in the browser within \(authorization.expiresIn / 60) minutes")
  }
}
