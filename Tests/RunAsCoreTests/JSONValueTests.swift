import RunAsCore
import Testing

@Suite("JSONValue")
struct JSONValueTests {
  @Test("parses nested objects and arrays with every kind of value")
  func nested() throws {
    let value = try JSONValue.parse(
      #" {"a": [1, -2.5, 3e2, true, false, null, "x"], "b": {"c": {}}, "d": []} "#)
    #expect(value["a"] == [1, -2.5, 300, true, false, .null, "x"])
    #expect(value["a"]?[1]?.doubleValue == -2.5)
    #expect(value["a"]?[2]?.intValue == 300)
    #expect(value["a"]?[7] == nil)
    #expect(value["b"]?["c"] == [:])
    #expect(value["d"]?.arrayValue == [])
    #expect(value["missing"] == nil)
    #expect(value["a"]?["not an object"] == nil)
  }

  @Test("unescapes strings, surrogate pairs included; a lone surrogate becomes U+FFFD")
  func escapes() throws {
    let value = try JSONValue.parse(#"["q\"b\\s\/n\nt\tu\u00e9", "\ud83d\ude00", "\ud83d!", "ü"]"#)
    #expect(value[0]?.stringValue == "q\"b\\s/n\nt\tué")
    #expect(value[1]?.stringValue == "😀")
    #expect(value[2]?.stringValue == "\u{FFFD}!")
    #expect(value[3]?.stringValue == "ü")
  }

  @Test(
    "refuses what is not one JSON value",
    arguments: [
      "", "{", "[1,]", #"{"a":1,}"#, "01", "1.", "-", "+1", "1e", "tru", #"{"a" 1}"#, #"{a:1}"#, "[1] 2",
      "\"tab\there\"", #""\x""#, "NaN",
    ])
  func refuses(text: String) {
    #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
  }

  @Test("nesting deeper than the limit is refused, not a crash")
  func depthLimit() throws {
    let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
    #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
    let fine = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
    #expect(try JSONValue.parse(fine).arrayValue != nil)
  }

  @Test("writes compact JSON with keys sorted and strings escaped")
  func serialization() {
    let value: JSONValue = ["b": [1, 2.5, true, .null], "a": "line\n\"quoted\"\u{1}", "c": ["z": 1, "y": [:]]]
    #expect(value.serialized == #"{"a":"line\n\"quoted\"\u0001","b":[1,2.5,true,null],"c":{"y":{},"z":1}}"#)
  }

  @Test("whole numbers are written without a fraction; big and small ones stay exact")
  func numbers() throws {
    #expect(JSONValue.number(1_700_000_000_000).serialized == "1700000000000")
    #expect(JSONValue.number(-0.0).serialized == "0")
    #expect(JSONValue.number(.infinity).serialized == "null")
    #expect(try JSONValue.parse(JSONValue.number(0.1).serialized) == .number(0.1))
    #expect(try JSONValue.parse(JSONValue.number(1e300).serialized) == .number(1e300))
    #expect(JSONValue.number(2.5).intValue == nil)
    #expect(JSONValue.string("1").intValue == nil)
  }

  @Test("what it writes, it reads back")
  func roundTrip() throws {
    let value: JSONValue = [
      "text": "é😀\u{7F}\\/", "list": [[], [:], "", 0, -1, 1.25e-7], "flag": false, "nothing": .null,
    ]
    #expect(try JSONValue.parse(value.serialized) == value)
  }
}
