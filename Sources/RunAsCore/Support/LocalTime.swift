#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// How times are shown to people: to the second, in a time zone, with the zone's name
/// (`2026-12-01 23:51:29 CET`).
///
/// Files and AWS keep RFC 3339 UTC (``Timestamp``); this is for screens and banners only.
public struct LocalTime: Sendable, Equatable {
  private enum Zone: Sendable, Equatable {
    case system
    case fixed(offsetSeconds: Int, name: String)
  }

  private let zone: Zone

  /// The process's time zone (`TZ`, else `/etc/localtime`), looked up for each date so a
  /// daylight-saving change between now and the date is honoured.
  public static let system = LocalTime(zone: .system)
  /// UTC, for tests and for people who set no zone.
  public static let utc = LocalTime(zone: .fixed(offsetSeconds: 0, name: "UTC"))

  /// A fixed zone `offsetSeconds` east of UTC called `name`.
  public static func fixed(offsetSeconds: Int, name: String) -> LocalTime {
    LocalTime(zone: .fixed(offsetSeconds: offsetSeconds, name: name))
  }

  /// `date` as `YYYY-MM-DD hh:mm:ss ZONE`, cut to the second.
  public func format(_ date: Date) -> String {
    let epochSeconds = Int(date.timeIntervalSince1970.rounded(.down))
    let (offset, name) = zoneAt(epochSeconds)
    let civil = Timestamp.civil(fromEpochSeconds: epochSeconds + offset)
    var text = Timestamp.pad(civil.year, 4) + "-" + Timestamp.pad(civil.month, 2) + "-"
    text += Timestamp.pad(civil.day, 2) + " " + Timestamp.pad(civil.hour, 2) + ":"
    text += Timestamp.pad(civil.minute, 2) + ":" + Timestamp.pad(civil.second, 2)
    return text + " " + name
  }

  private func zoneAt(_ epochSeconds: Int) -> (offset: Int, name: String) {
    switch zone {
    case .fixed(let offset, let name):
      return (offset, name)
    case .system:
      var time = time_t(epochSeconds)
      var parts = tm()
      guard localtime_r(&time, &parts) != nil else { return (0, "UTC") }
      let offset = Int(parts.tm_gmtoff)
      if let zoneName = parts.tm_zone, zoneName.pointee != 0 {
        return (offset, String(cString: zoneName))
      }
      return (offset, Self.numericName(offset))
    }
  }

  /// `+0530`, `-0800`: for zones without an abbreviation.
  static func numericName(_ offset: Int) -> String {
    let magnitude = abs(offset) / 60
    return (offset < 0 ? "-" : "+") + Timestamp.pad(magnitude / 60, 2) + Timestamp.pad(magnitude % 60, 2)
  }
}
