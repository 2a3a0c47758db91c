import Testing

@testable import RunAsCore

@Suite("Go durations")
struct GoDurationTests {
  @Test(
    "parses every unit Go accepts",
    arguments: [
      ("1ns", Duration.nanoseconds(1)),
      ("1us", .microseconds(1)),
      ("1µs", .microseconds(1)),
      ("1μs", .microseconds(1)),
      ("1ms", .milliseconds(1)),
      ("1s", .seconds(1)),
      ("1m", .seconds(60)),
      ("1h", .seconds(3600)),
    ])
  func parsesEveryUnit(text: String, expected: Duration) throws {
    #expect(try GoDuration.parse(text) == expected)
  }

  @Test("parses fractions and sums of units")
  func parsesFractionsAndSums() throws {
    #expect(try GoDuration.parse("1.5h") == .seconds(5400))
    #expect(try GoDuration.parse("1h30m") == .seconds(5400))
    #expect(try GoDuration.parse("90m") == .seconds(5400))
    #expect(try GoDuration.parse(".5s") == .milliseconds(500))
    #expect(try GoDuration.parse("1h2m3s4ms") == .milliseconds(3_723_004))
  }

  @Test("parses an optional sign")
  func parsesSign() throws {
    #expect(try GoDuration.parse("-1h") == .seconds(-3600))
    #expect(try GoDuration.parse("+15m") == .seconds(900))
  }

  @Test("accepts 0 alone, with or without a sign", arguments: ["0", "+0", "-0"])
  func acceptsBareZero(text: String) throws {
    #expect(try GoDuration.parse(text) == .zero)
  }

  @Test("rejects days with a message that names the unit and the syntax")
  func rejectsDays() {
    #expect(throws: DurationParseError(text: "7d", problem: "unknown unit \"d\"")) {
      try GoDuration.parse("7d")
    }
    #expect(
      DurationParseError(text: "7d", problem: "unknown unit \"d\"").description
        == "invalid duration \"7d\": unknown unit \"d\" (use h, m or s, e.g. 1h30m)")
  }

  @Test("rejects an empty string")
  func rejectsEmpty() {
    #expect(
      errorDescription(parsing: "")
        == "invalid duration \"\": empty value (use h, m or s, e.g. 1h30m)")
  }

  @Test("rejects a number without a unit")
  func rejectsMissingUnit() {
    #expect(
      errorDescription(parsing: "3600")
        == "invalid duration \"3600\": missing unit after \"3600\" (use h, m or s, e.g. 1h30m)")
  }

  @Test("rejects a unit without a number")
  func rejectsUnitWithoutNumber() {
    #expect(
      errorDescription(parsing: "h")
        == "invalid duration \"h\": expected a number at \"h\" (use h, m or s, e.g. 1h30m)")
  }

  @Test("rejects an unknown unit", arguments: ["1x", "1hr", "1H"])
  func rejectsUnknownUnit(text: String) {
    #expect(errorDescription(parsing: text)?.contains("unknown unit") == true)
  }

  @Test("rejects durations beyond Go's range")
  func rejectsOverflow() {
    #expect(
      errorDescription(parsing: "2562048h")
        == "invalid duration \"2562048h\": out of range (at most 2562047h47m16.854775807s)")
    #expect(throws: Never.self) { try GoDuration.parse("2562047h47m16.854775807s") }
    #expect(throws: Never.self) { try GoDuration.parse("-2562047h47m16.854775808s") }
  }

  @Test(
    "formats exactly like Go",
    arguments: [
      (Duration.zero, "0s"),
      (.seconds(3600), "1h0m0s"),
      (.seconds(12 * 3600), "12h0m0s"),
      (.seconds(900), "15m0s"),
      (.milliseconds(1500), "1.5s"),
      (.milliseconds(100), "100ms"),
      (.microseconds(1), "1µs"),
      (.nanoseconds(1), "1ns"),
      (.nanoseconds(1_500), "1.5µs"),
      (.seconds(5400), "1h30m0s"),
      (.milliseconds(-123_500), "-2m3.5s"),
      (.nanoseconds(Int64.max), "2562047h47m16.854775807s"),
    ])
  func formatsLikeGo(duration: Duration, expected: String) {
    #expect(GoDuration.format(duration) == expected)
  }

  @Test(
    "formatting then parsing gives the same duration",
    arguments: ["1h30m", "20m", "36h", "1.25s", "-5ms"])
  func roundTrips(text: String) throws {
    let duration = try GoDuration.parse(text)
    #expect(try GoDuration.parse(GoDuration.format(duration)) == duration)
  }

  private func errorDescription(parsing text: String) -> String? {
    do {
      _ = try GoDuration.parse(text)
      return nil
    } catch {
      return error.description
    }
  }
}
