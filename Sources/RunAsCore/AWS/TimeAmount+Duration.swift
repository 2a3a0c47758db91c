import NIOCore

extension TimeAmount {
  /// `duration` for NIO, capped at a day so the nanosecond count cannot overflow.
  static func of(_ duration: Duration) -> TimeAmount {
    let seconds = min(max(duration.components.seconds, 0), 86_400)
    return .nanoseconds(seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
  }
}
