import Testing

@testable import RunAsCore

@Suite("Flat JSON objects")
struct FlatJSONObjectTests {
  func parse(_ text: String) -> [String: String]? { FlatJSONObject.parse(Array(text.utf8)) }

  @Test func readsStringsAndScalars() {
    #expect(parse(#" { "a" : "b", "n": 1, "t": true, "z": null } "#) == ["a": "b", "n": "1", "t": "true", "z": "null"])
  }

  @Test func unescapesEverythingJSONAllows() {
    #expect(parse(#"{"s":"q\"b\\s\/n\nt\tu\u00e9\ud83d\ude00"}"#) == ["s": "q\"b\\s/n\nt\tué😀"])
  }

  @Test(arguments: [#"{"a":{"b":1}}"#, #"{"a":[1]}"#, #"{"a":"b""#, #"{"a" "b"}"#, #"{"a":"b"} x"#, #"{"a":"\x"}"#, ""])
  func rejectsAnythingElse(_ text: String) {
    #expect(parse(text) == nil)
  }

  @Test func writerOutputReadsBack() {
    var writer = JSONObjectWriter()
    writer.add("weird", "\u{01}\"\\\n")
    writer.add("n", 3)
    #expect(parse(writer.result) == ["weird": "\u{01}\"\\\n", "n": "3"])
  }
}
