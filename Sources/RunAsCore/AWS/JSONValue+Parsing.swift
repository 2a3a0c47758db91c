extension JSONValue {
  /// The deepest nesting accepted; AWS answers are a handful of levels deep.
  public static let maximumDepth = 256

  /// Parses one JSON value (RFC 8259), with whitespace around it and nothing else.
  ///
  /// - Parameter bytes: The text, UTF-8 encoded (a byte-order mark is skipped).
  /// - Returns: The value.
  /// - Throws: ``JSONParseError`` when the text is not one well-formed JSON value.
  public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
    var reader = JSONReader(bytes: bytes)
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { reader.index = 3 }
    let value = try reader.value(depth: 0)
    reader.skipWhitespace()
    guard reader.index == bytes.count else { throw reader.fail("unexpected text after the value") }
    return value
  }

  /// Parses one JSON value held in a string.
  ///
  /// - Parameter text: The text.
  /// - Returns: The value.
  /// - Throws: ``JSONParseError`` when the text is not one well-formed JSON value.
  public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
    try parse(Array(text.utf8))
  }
}

/// A recursive-descent reader over UTF-8 bytes; recursion is bounded by ``JSONValue/maximumDepth``.
private struct JSONReader {
  let bytes: [UInt8]
  var index = 0

  func fail(_ message: String) -> JSONParseError {
    JSONParseError(message: message, offset: index)
  }

  mutating func skipWhitespace() {
    while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
  }

  mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
    skipWhitespace()
    guard index < bytes.count else { throw fail("unexpected end of text") }
    switch bytes[index] {
    case UInt8(ascii: "{"):
      return .object(try object(depth: depth + 1))
    case UInt8(ascii: "["):
      return .array(try array(depth: depth + 1))
    case UInt8(ascii: "\""):
      return .string(try string())
    case UInt8(ascii: "t"):
      try keyword("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try keyword("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try keyword("null")
      return .null
    default:
      return .number(try number())
    }
  }

  mutating func object(depth: Int) throws(JSONParseError) -> [String: JSONValue] {
    guard depth <= JSONValue.maximumDepth else { throw fail("nested more than \(JSONValue.maximumDepth) deep") }
    index += 1
    var members: [String: JSONValue] = [:]
    skipWhitespace()
    if take(UInt8(ascii: "}")) { return members }
    while true {
      skipWhitespace()
      guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
      let key = try string()
      skipWhitespace()
      guard take(UInt8(ascii: ":")) else { throw fail("expected ':'") }
      members[key] = try value(depth: depth)
      skipWhitespace()
      if take(UInt8(ascii: ",")) { continue }
      guard take(UInt8(ascii: "}")) else { throw fail("expected ',' or '}'") }
      return members
    }
  }

  mutating func array(depth: Int) throws(JSONParseError) -> [JSONValue] {
    guard depth <= JSONValue.maximumDepth else { throw fail("nested more than \(JSONValue.maximumDepth) deep") }
    index += 1
    var elements: [JSONValue] = []
    skipWhitespace()
    if take(UInt8(ascii: "]")) { return elements }
    while true {
      elements.append(try value(depth: depth))
      skipWhitespace()
      if take(UInt8(ascii: ",")) { continue }
      guard take(UInt8(ascii: "]")) else { throw fail("expected ',' or ']'") }
      return elements
    }
  }

  mutating func string() throws(JSONParseError) -> String {
    index += 1
    var output: [UInt8] = []
    while true {
      guard index < bytes.count else { throw fail("unterminated string") }
      let byte = bytes[index]
      switch byte {
      case UInt8(ascii: "\""):
        index += 1
        return String(decoding: output, as: UTF8.self)
      case UInt8(ascii: "\\"):
        index += 1
        try escape(into: &output)
      case 0..<0x20:
        throw fail("control character in a string")
      default:
        output.append(byte)
        index += 1
      }
    }
  }

  /// One escape after its backslash.
  mutating func escape(into output: inout [UInt8]) throws(JSONParseError) {
    guard index < bytes.count else { throw fail("unterminated string") }
    let byte = bytes[index]
    index += 1
    switch byte {
    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(byte)
    case UInt8(ascii: "b"): output.append(0x08)
    case UInt8(ascii: "f"): output.append(0x0C)
    case UInt8(ascii: "n"): output.append(0x0A)
    case UInt8(ascii: "r"): output.append(0x0D)
    case UInt8(ascii: "t"): output.append(0x09)
    case UInt8(ascii: "u"):
      var scalar = try hexQuad()
      if (0xD800..<0xDC00).contains(scalar) {
        // A high surrogate must be followed by `\u` and a low one; anything else is replaced.
        if hasPrefix("\\u"), let low = peekHexQuad(at: index + 2), (0xDC00..<0xE000).contains(low) {
          index += 6
          scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else {
          scalar = 0xFFFD
        }
      } else if (0xDC00..<0xE000).contains(scalar) {
        scalar = 0xFFFD
      }
      output.append(contentsOf: Character(Unicode.Scalar(scalar) ?? "\u{FFFD}").utf8)
    default:
      index -= 1
      throw fail("invalid escape")
    }
  }

  mutating func hexQuad() throws(JSONParseError) -> UInt32 {
    guard let value = peekHexQuad(at: index) else { throw fail("expected four hex digits") }
    index += 4
    return value
  }

  func peekHexQuad(at start: Int) -> UInt32? {
    guard start + 4 <= bytes.count else { return nil }
    var value: UInt32 = 0
    for byte in bytes[start..<start + 4] {
      guard let digit = Self.hexDigit(byte) else { return nil }
      value = value << 4 | UInt32(digit)
    }
    return value
  }

  static func hexDigit(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
    default: return nil
    }
  }

  /// A number in JSON's grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
  mutating func number() throws(JSONParseError) -> Double {
    let start = index
    _ = take(UInt8(ascii: "-"))
    if take(UInt8(ascii: "0")) {
      // No leading zeros.
    } else if digits() == 0 {
      index = start
      throw fail("expected a value")
    }
    if take(UInt8(ascii: ".")), digits() == 0 { throw fail("expected a digit after '.'") }
    if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
      if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
      guard digits() > 0 else { throw fail("expected a digit in the exponent") }
    }
    guard let number = Double(String(decoding: bytes[start..<index], as: UTF8.self)) else {
      index = start
      throw fail("unreadable number")
    }
    return number
  }

  mutating func digits() -> Int {
    let start = index
    while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
    return index - start
  }

  mutating func keyword(_ word: String) throws(JSONParseError) {
    guard hasPrefix(word) else { throw fail("expected a value") }
    index += word.utf8.count
  }

  func hasPrefix(_ text: String) -> Bool {
    bytes[index...].starts(with: text.utf8)
  }

  mutating func take(_ byte: UInt8) -> Bool {
    guard index < bytes.count, bytes[index] == byte else { return false }
    index += 1
    return true
  }
}
