import Foundation
import Testing

@testable import RunAsCore

/// Times as people read them: to the second, with the zone.
@Suite("Local time")
struct LocalTimeTests {
  @Test func formatsToTheSecondWithTheZoneName() {
    let date = Date(timeIntervalSince1970: 1_764_629_489.123096)  // 2025-12-01T22:51:29.123096Z
    #expect(LocalTime.utc.format(date) == "2025-12-01 22:51:29 UTC")
    #expect(LocalTime.fixed(offsetSeconds: 3600, name: "CET").format(date) == "2025-12-01 23:51:29 CET")
    #expect(LocalTime.fixed(offsetSeconds: -8 * 3600, name: "PST").format(date) == "2025-12-01 14:51:29 PST")
  }

  @Test func numericZoneNamesWhenTheZoneHasNone() {
    #expect(LocalTime.numericName(19_800) == "+0530")
    #expect(LocalTime.numericName(-28_800) == "-0800")
    #expect(LocalTime.numericName(0) == "+0000")
  }
}
