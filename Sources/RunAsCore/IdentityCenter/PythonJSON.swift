/// JSON text as Python's `json.dumps` writes it with its default settings (`", "` and `": "`
/// separators, non-ASCII escaped as `\uXXXX`), which botocore uses for the SSO cache files and
/// for the text it hashes into their names.
///
/// Byte-for-byte equality matters only for the hashed text (a different byte is a different
/// file name); the files themselves are written the same way so they look like the CLI's.
enum PythonJSON {
  /// A JSON value of the shapes the SSO caches use.
  enum Value: Equatable {
    case string(String)
    case integer(Int)
    case strings([String])
    case null
  }

  /// `{"a": "b", "c": null}`: the members in the given order (sort them first for
  /// `sort_keys=True`).
  static func object(_ members: [(String, Value)]) -> String {
    var text = "{"
    for (position, member) in members.enumerated() {
      if position > 0 { text += ", " }
      text += quoted(member.0) + ": " + encoded(member.1)
    }
    return text + "}"
  }

  /// One value.
  static func encoded(_ value: Value) -> String {
    switch value {
    case .string(let string): return quoted(string)
    case .integer(let number): return String(number)
    case .null: return "null"
    case .strings(let strings): return "[" + strings.map(quoted).joined(separator: ", ") + "]"
    }
  }

  /// A string literal with Python's `ensure_ascii` escapes.
  static func quoted(_ string: String) -> String {
    var text = "\""
    for scalar in string.unicodeScalars {
      switch scalar {
      case "\"": text += "\\\""
      case "\\": text += "\\\\"
      case "\n": text += "\\n"
      case "\r": text += "\\r"
      case "\t": text += "\\t"
      case "\u{08}": text += "\\b"
      case "\u{0C}": text += "\\f"
      case _ where scalar.value < 0x20 || scalar.value > 0x7E:
        if scalar.value > 0xFFFF {
          let offset = scalar.value - 0x10000
          text += escape(0xD800 + (offset >> 10)) + escape(0xDC00 + (offset & 0x3FF))
        } else {
          text += escape(scalar.value)
        }
      default:
        text.unicodeScalars.append(scalar)
      }
    }
    return text + "\""
  }

  private static func escape(_ value: UInt32) -> String {
    let hex = String(value, radix: 16)
    return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
  }
}
