/// Reads a flat JSON object — string, number, Boolean and null members, no nesting — such as a
/// credential cache file, straight from bytes.
///
/// `JSONDecoder` pays for `Codable`'s dynamic casts on the first use in a process, which shows on
/// the cached-credential path; this reader does not.
public enum FlatJSONObject {
  /// The members of `bytes` as text (strings unescaped, other scalars as written), or `nil` when
  /// it is not a flat JSON object.
  public static func parse(_ bytes: [UInt8]) -> [String: String]? {
    var reader = Reader(bytes: bytes)
    return reader.object()
  }

  private struct Reader {
    let bytes: [UInt8]
    var index = 0

    mutating func object() -> [String: String]? {
      skipSpace()
      guard take(UInt8(ascii: "{")) else { return nil }
      // Room for a cache file's members up front: growing a `[String: String]` can cost a runtime
      // lookup of `String: Hashable` (a scan of every conformance in the binary) on the
      // cached-credential path.
      var result = [String: String](minimumCapacity: 8)
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

    mutating func finish(_ result: [String: String]) -> [String: String]? {
      skipSpace()
      return index == bytes.count ? result : nil
    }

    mutating func scalar() -> String? {
      guard index < bytes.count else { return nil }
      if bytes[index] == UInt8(ascii: "\"") { return string() }
      let start = index
      while index < bytes.count, !" \t\r\n,}".utf8.contains(bytes[index]) {
        let byte = bytes[index]
        // Nested values are not part of the flat format.
        if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "\"") { return nil }
        index += 1
      }
      return index > start ? String(decoding: bytes[start..<index], as: UTF8.self) : nil
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
