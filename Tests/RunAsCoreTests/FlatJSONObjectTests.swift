import Testing

@testable import RunAsCore

@Suite("Flat JSON objects")
struct FlatJSONObjectTests {
  func parse(_ text: String) -> [String: FlatJSONObject.Value]? { FlatJSONObject.parse(Array(text.utf8)) }

  @Test func readsStringsAndScalarsKeepingWhichIsWhich() {
    #expect(
      parse(#" { "a" : "b", "n": -1.5e3, "t": true, "z": null, "s": "1" } "#)
        == [
          "a": .string("b"), "n": .literal("-1.5e3"), "t": .literal("true"), "z": .literal("null"), "s": .string("1"),
        ])
  }

  @Test func onlyStringMembersHaveStringText() {
    #expect(parse(#"{"k":123}"#)?["k"]?.string == nil)
    #expect(parse(#"{"k":"123"}"#)?["k"]?.string == "123")
  }

  @Test func unescapesEverythingJSONAllows() {
    #expect(parse(#"{"s":"q\"b\\s\/n\nt\tu\u00e9\ud83d\ude00"}"#) == ["s": .string("q\"b\\s/n\nt\tué😀")])
  }

  @Test(arguments: [
    #"{"a":{"b":1}}"#, #"{"a":[1]}"#, #"{"a":"b""#, #"{"a" "b"}"#, #"{"a":"b"} x"#, #"{"a":"\x"}"#, "",
    #"{"a":tru}"#, #"{"a":01}"#, #"{"a":1.}"#, #"{"a":1e}"#, #"{"a":--1}"#, #"{"a":abc}"#, #"{"a":1"x"}"#,
  ])
  func rejectsAnythingElse(_ text: String) {
    #expect(parse(text) == nil)
  }

  @Test func readsOneStringOnItsOwn() {
    #expect(FlatJSONObject.parseString(Array(#" "pro\u0064" "#.utf8)) == "prod")
    #expect(FlatJSONObject.parseString(Array(#""a" "b""#.utf8)) == nil)
    #expect(FlatJSONObject.parseString(Array("prod".utf8)) == nil)
  }

  @Test func writerOutputReadsBack() {
    var writer = JSONObjectWriter()
    writer.add("weird", "\u{01}\"\\\n")
    writer.add("n", 3)
    #expect(parse(writer.result) == ["weird": .string("\u{01}\"\\\n"), "n": .literal("3")])
  }
}
