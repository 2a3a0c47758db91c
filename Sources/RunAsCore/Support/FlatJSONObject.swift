/// Reads a flat JSON object — string, number, Boolean and null members, no nesting — such as a
/// credential cache file, straight from bytes.
///
/// `JSONDecoder` pays for `Codable`'s dynamic casts on the first use in a process, which shows on
/// the cached-credential path; this reader does not.
package enum FlatJSONObject {
  /// One member's value, keeping whether it was a string: `"123"` and `123` are different answers.
  package enum Value: Sendable, Equatable {
    /// A string, unescaped.
    case string(String)
    /// A number, `true`, `false` or `null`, as written.
    case literal(String)

    /// The text of a string member; `nil` for any other kind of value.
    package var string: String? {
      if case .string(let text) = self { return text }
      return nil
    }
  }

  /// The members of `bytes`, or `nil` when it is not a flat JSON object.
  package static func parse(_ bytes: [UInt8]) -> [String: Value]? {
    var reader = Reader(bytes: bytes)
    return reader.object()
  }

  /// The text of `bytes` when they are one JSON string (surrounding whitespace allowed).
  package static func parseString(_ bytes: [UInt8]) -> String? {
    var reader = Reader(bytes: bytes)
    reader.skipSpace()
    guard let text = reader.string() else { return nil }
    reader.skipSpace()
    return reader.index == bytes.count ? text : nil
  }

  private struct Reader {
    let bytes: [UInt8]
    var index = 0

    mutating func object() -> [String: Value]? {
      skipSpace()
      guard take(UInt8(ascii: "{")) else { return nil }
      // Room for a cache file's members up front: growing a dictionary keyed by `String` can cost
      // a runtime lookup of `String: Hashable` (a scan of every conformance in the binary) on the
      // cached-credential path.
      var result = [String: Value](minimumCapacity: 8)
      skipSpace()
      if take(UInt8(ascii: "}")) { return finish(result) }
      while true {
        skipSpace()
        guard let key = string() else { return nil }
        skipSpace()
        guard take(UInt8(ascii: ":")) else { return nil }
        skipSpace()
        guard let value = scalar() else { return nil }
        result[key] = value
        skipSpace()
        if take(UInt8(ascii: ",")) { continue }
        guard take(UInt8(ascii: "}")) else { return nil }
        return finish(result)
      }
    }

    mutating func finish(_ result: [String: Value]) -> [String: Value]? {
      skipSpace()
      return index == bytes.count ? result : nil
    }

    mutating func scalar() -> Value? {
      guard index < bytes.count else { return nil }
      if bytes[index] == UInt8(ascii: "\"") { return string().map(Value.string) }
      let start = index
      while index < bytes.count, !" \t\r\n,}".utf8.contains(bytes[index]) { index += 1 }
      let literal = bytes[start..<index]
      guard Self.isLiteral(literal) else { return nil }
      return .literal(String(decoding: literal, as: UTF8.self))
    }

    /// Whether `text` is `true`, `false`, `null` or a number in JSON's grammar.
    static func isLiteral(_ text: ArraySlice<UInt8>) -> Bool {
      if text.elementsEqual("true".utf8) || text.elementsEqual("false".utf8) || text.elementsEqual("null".utf8) {
        return true
      }
      var position = text.startIndex
      func digits() -> Int {
        let start = position
        while position < text.endIndex, text[position] >= UInt8(ascii: "0"), text[position] <= UInt8(ascii: "9") {
          position += 1
        }
        return position - start
      }
      if position < text.endIndex, text[position] == UInt8(ascii: "-") { position += 1 }
      let integerStart = position
      let integerDigits = digits()
      guard integerDigits > 0, integerDigits == 1 || text[integerStart] != UInt8(ascii: "0") else { return false }
      if position < text.endIndex, text[position] == UInt8(ascii: ".") {
        position += 1
        guard digits() > 0 else { return false }
      }
      if position < text.endIndex, text[position] == UInt8(ascii: "e") || text[position] == UInt8(ascii: "E") {
        position += 1
        if position < text.endIndex, text[position] == UInt8(ascii: "+") || text[position] == UInt8(ascii: "-") {
          position += 1
        }
        guard digits() > 0 else { return false }
      }
      return position == text.endIndex
    }

    mutating func string() -> String? {
      guard take(UInt8(ascii: "\"")) else { return nil }
      var output: [UInt8] = []
      while index < bytes.count {
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""):
          return String(decoding: output, as: UTF8.self)
        case UInt8(ascii: "\\"):
          guard index < bytes.count else { return nil }
          let escaped = bytes[index]
          index += 1
          switch escaped {
          case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(escaped)
          case UInt8(ascii: "b"): output.append(0x08)
          case UInt8(ascii: "f"): output.append(0x0c)
          case UInt8(ascii: "n"): output.append(0x0a)
          case UInt8(ascii: "r"): output.append(0x0d)
          case UInt8(ascii: "t"): output.append(0x09)
          case UInt8(ascii: "u"):
            guard var scalar = hex4() else { return nil }
            if (0xD800..<0xDC00).contains(scalar) {
              // A surrogate pair: the low half must follow as another \u escape.
              guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")), let low = hex4(),
                (0xDC00..<0xE000).contains(low)
              else { return nil }
              scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let unicode = Unicode.Scalar(scalar) else { return nil }
            output.append(contentsOf: Array(String(Character(unicode)).utf8))
          default: return nil
          }
        default:
          output.append(byte)
        }
      }
      return nil
    }

    mutating func hex4() -> UInt32? {
      guard index + 4 <= bytes.count else { return nil }
      var value: UInt32 = 0
      for _ in 0..<4 {
        let byte = bytes[index]
        index += 1
        let digit: UInt32
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
        value = value << 4 | digit
      }
      return value
    }

    mutating func take(_ byte: UInt8) -> Bool {
      guard index < bytes.count, bytes[index] == byte else { return false }
      index += 1
      return true
    }

    mutating func skipSpace() {
      while index < bytes.count,
        bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0a || bytes[index] == 0x0d
      {
        index += 1
      }
    }
  }
}
