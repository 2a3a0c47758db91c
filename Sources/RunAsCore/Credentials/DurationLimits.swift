import Logging

/// The lifetime bounds STS enforces for each call, and the clamping the Go tool applies to requests.
public struct DurationLimits: Sendable, Equatable {
  /// The shortest lifetime STS accepts.
  public let minimum: Duration
  /// The longest lifetime STS accepts.
  public let maximum: Duration
  /// What is asked for when nothing is configured.
  public let defaultValue: Duration

  /// GetSessionToken: 15 minutes to 36 hours, 12 hours by default.
  public static let sessionToken = DurationLimits(
    minimum: .seconds(900), maximum: .seconds(36 * 3600), defaultValue: .seconds(12 * 3600))
  /// AssumeRole and its SAML / web identity variants: 15 minutes to 12 hours, 1 hour by default.
  public static let assumeRole = DurationLimits(
    minimum: .seconds(900), maximum: .seconds(12 * 3600), defaultValue: .seconds(3600))
  /// The most AWS allows for a role assumed with another role's credentials (role chaining).
  public static let roleChainingMaximum = Duration.seconds(3600)

  /// `requested` brought within bounds; an unset or non-positive request gets the default.
  public func clamp(_ requested: Duration?, logger: Logger? = nil) -> Duration {
    guard let requested, requested > .zero else {
      logger?.debug("provided duration less than 1, setting to default value")
      return defaultValue
    }
    if requested < minimum {
      logger?.debug("provided duration too short, setting to minimum value")
      return minimum
    }
    if requested > maximum {
      logger?.debug("provided duration too long, setting to maximum value")
      return maximum
    }
    return requested
  }
}

extension ProfileSettings {
  /// The role lifetime asked for: `credentials_duration`, else `duration_seconds`; `nil` when
  /// neither is set.
  public var requestedRoleDuration: Duration? {
    credentialsDuration?.value ?? durationSeconds.map { Duration.seconds($0.value) }
  }
}

extension DurationLimits {
  /// What is asked of STS for `requested`, said for people: `1h0m0s (default)` when nothing is
  /// set, `15m0s (raised from 5m0s)` or `12h0m0s (lowered from 20h0m0s)` when clamped.
  public func describe(_ requested: Duration?) -> String {
    let effective = clamp(requested)
    let text = GoDuration.format(effective)
    guard let requested, requested > .zero else { return text + " (default)" }
    if effective > requested { return text + " (raised from \(GoDuration.format(requested)))" }
    if effective < requested { return text + " (lowered from \(GoDuration.format(requested)))" }
    return text
  }
}
