import Foundation
import RunAsCore
import Testing

@Suite("Timestamp")
struct TimestampTests {
  private func date(_ seconds: Double) -> Date { Date(timeIntervalSince1970: seconds) }

  @Test("parses a UTC timestamp with a Z zone")
  func parsesUTC() {
    #expect(Timestamp.parseISO8601("2024-05-01T12:34:56Z") == date(1_714_566_896))
    #expect(Timestamp.parseISO8601("2015-08-30T12:36:00z") == date(1_440_938_160))
  }

  @Test("parses fractional seconds of any length")
  func parsesFractions() throws {
    let base = 1_714_566_896.0
    #expect(Timestamp.parseISO8601("2024-05-01T12:34:56.5Z") == date(base + 0.5))
    let micros = try #require(Timestamp.parseISO8601("2024-05-01T12:34:56.123456Z"))
    #expect(abs(micros.timeIntervalSince1970 - (base + 0.123456)) < 1e-6)
    let nanos = try #require(Timestamp.parseISO8601("2024-05-01T12:34:56.123456789Z"))
    #expect(abs(nanos.timeIntervalSince1970 - (base + 0.123456789)) < 1e-6)
    let long = try #require(Timestamp.parseISO8601("2024-05-01T12:34:56.1234567891234Z"))
    #expect(abs(long.timeIntervalSince1970 - (base + 0.123456789)) < 1e-6)
    #expect(Timestamp.parseISO8601("2024-05-01T12:34:56,25Z") == date(base + 0.25))
  }

  @Test("applies numeric zone offsets")
  func parsesOffsets() {
    #expect(Timestamp.parseISO8601("2024-05-01T14:34:56+02:00") == date(1_714_566_896))
    #expect(Timestamp.parseISO8601("2024-05-01T05:34:56-0700") == date(1_714_566_896))
    #expect(Timestamp.parseISO8601("2024-05-01T12:34:56.5+00:00") == date(1_714_566_896.5))
    #expect(Timestamp.parseISO8601("2024-05-01 12:34:56Z") == date(1_714_566_896))
  }

  @Test("reads Go's zero time and dates before 1970")
  func parsesExtremes() {
    #expect(Timestamp.parseISO8601("0001-01-01T00:00:00Z") == date(-62_135_596_800))
    #expect(Timestamp.parseISO8601("1969-12-31T23:59:59Z") == date(-1))
    #expect(Timestamp.parseISO8601("9999-12-31T23:59:59Z") == date(253_402_300_799))
    #expect(Timestamp.parseISO8601("2038-01-19T03:14:08Z") == date(2_147_483_648))
  }

  @Test(
    "rejects malformed timestamps",
    arguments: [
      "", "garbage", "2024-05-01", "2024-05-01T12:34:56", "2024-05-01T12:34Z",
      "2024-13-01T00:00:00Z", "2024-00-10T00:00:00Z", "2023-02-29T00:00:00Z",
      "1900-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-05-01T24:00:00Z",
      "2024-05-01T12:60:00Z", "2024-05-01T12:00:60Z", "2024-05-01T12:34:56.Z",
      "2024-05-01T12:34:56+2:00", "2024-05-01T12:34:56+24:00", "2024-05-01T12:34:56Z ",
      " 2024-05-01T12:34:56Z", "2024-05-01X12:34:56Z", "24-05-01T12:34:56Z",
    ])
  func rejectsMalformed(text: String) {
    #expect(Timestamp.parseISO8601(text) == nil)
  }

  @Test("accepts leap days only in leap years")
  func leapDays() {
    #expect(Timestamp.parseISO8601("2024-02-29T23:59:59Z") == date(1_709_251_199))
    #expect(Timestamp.parseISO8601("2000-02-29T00:00:00Z") != nil)
  }

  @Test("formats whole seconds without a fraction")
  func formatsWholeSeconds() {
    #expect(Timestamp.formatRFC3339(date(1_714_566_896)) == "2024-05-01T12:34:56Z")
    #expect(Timestamp.formatRFC3339(date(-62_135_596_800)) == "0001-01-01T00:00:00Z")
    #expect(Timestamp.formatRFC3339(date(-1)) == "1969-12-31T23:59:59Z")
  }

  @Test("formats fractions like Go, trailing zeros trimmed")
  func formatsFractions() {
    #expect(Timestamp.formatRFC3339(date(1_714_566_896.5)) == "2024-05-01T12:34:56.5Z")
    #expect(Timestamp.formatRFC3339(date(1_714_566_896.25)) == "2024-05-01T12:34:56.25Z")
    #expect(Timestamp.formatRFC3339(date(1_714_566_896.123456)) == "2024-05-01T12:34:56.123456Z")
    #expect(Timestamp.formatRFC3339(date(1_714_566_896.9999999)) == "2024-05-01T12:34:57Z")
    #expect(Timestamp.formatRFC3339(date(-0.5)) == "1969-12-31T23:59:59.5Z")
  }

  @Test("formatting and parsing round-trip across centuries")
  func roundTrips() throws {
    var seconds = -62_135_596_800.0
    while seconds < 253_402_300_799 {
      let original = date(seconds)
      let text = Timestamp.formatRFC3339(original)
      let parsed = try #require(Timestamp.parseISO8601(text), "\(text)")
      #expect(parsed == original, "\(text)")
      seconds += 86_400 * 97 + 3_661.25
    }
  }

  @Test("moto's microsecond expirations round-trip exactly")
  func motoExpiration() throws {
    let parsed = try #require(Timestamp.parseISO8601("2026-11-21T20:12:58.883026Z"))
    #expect(Timestamp.formatRFC3339(parsed) == "2026-11-21T20:12:58.883026Z")
  }

  @Test("parses the IMF-fixdate form of HTTP dates")
  func parsesIMFFixdate() {
    #expect(Timestamp.parseHTTPDate("Wed, 21 Oct 2015 07:28:00 GMT") == date(1_445_412_480))
    #expect(Timestamp.parseHTTPDate("Sat, 21 Nov 2026 20:12:58 GMT") == date(1_795_291_978))
  }

  @Test("parses the obsolete RFC 850 and asctime HTTP date forms")
  func parsesObsoleteHTTPDates() {
    #expect(Timestamp.parseHTTPDate("Sunday, 06-Nov-94 08:49:37 GMT") == date(784_111_777))
    #expect(Timestamp.parseHTTPDate("Sun Nov  6 08:49:37 1994") == date(784_111_777))
  }

  @Test(
    "rejects malformed HTTP dates",
    arguments: [
      "", "yesterday", "Wed, 21 Oct 2015 07:28 GMT", "Wed, 32 Oct 2015 07:28:00 GMT",
      "Wed, 21 Foo 2015 07:28:00 GMT", "Wed, 21 Oct 2015 25:28:00 GMT", "Wed, 21 Oct 07:28:00 GMT",
      "Wed, 21 Oct 2015 07:28:00 PST",
    ])
  func rejectsMalformedHTTPDates(text: String) {
    #expect(Timestamp.parseHTTPDate(text) == nil)
  }

  @Test("formats SigV4 X-Amz-Date and date stamp")
  func formatsAmzDate() {
    let signingTime = date(1_440_938_160.75)
    #expect(Timestamp.amzDate(signingTime) == "20150830T123600Z")
    #expect(Timestamp.dateStamp(signingTime) == "20150830")
  }
}
