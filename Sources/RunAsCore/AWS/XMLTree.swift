/// One element of a parsed XML document.
///
/// Names are local names: a namespace prefix (`soap:Envelope` → `Envelope`) is dropped and `xmlns`
/// declarations are not kept, because AWS query-protocol responses are matched by local name only.
package struct XMLElement: Sendable, Equatable {
  /// The local name of the element.
  package var name: String
  /// The attributes by local name, entity references decoded. `xmlns` declarations are left out.
  package var attributes: [String: String]
  /// The character data directly inside this element (text and CDATA sections, in order), with
  /// entity and character references decoded. Text inside child elements is not included.
  package var text: String
  /// The child elements in document order.
  package var children: [XMLElement]

  /// Creates an element.
  ///
  /// - Parameters:
  ///   - name: The local name.
  ///   - attributes: The attributes by local name.
  ///   - text: The element's own character data.
  ///   - children: The child elements.
  package init(
    name: String, attributes: [String: String] = [:], text: String = "",
    children: [XMLElement] = []
  ) {
    self.name = name
    self.attributes = attributes
    self.text = text
    self.children = children
  }

  /// The first direct child with the given local name.
  ///
  /// - Parameter name: The local name to look for.
  /// - Returns: The child, or `nil` when there is none.
  package func child(_ name: String) -> XMLElement? {
    children.first { $0.name == name }
  }

  /// All direct children with the given local name, in document order.
  ///
  /// - Parameter name: The local name to look for.
  /// - Returns: The matching children, possibly none.
  package func children(named name: String) -> [XMLElement] {
    children.filter { $0.name == name }
  }

  /// The first element below this one (not this one itself) with the given local name, searching
  /// depth-first in document order.
  ///
  /// - Parameter name: The local name to look for.
  /// - Returns: The element, or `nil` when there is none.
  package func descendant(_ name: String) -> XMLElement? {
    for child in children {
      if child.name == name { return child }
      if let found = child.descendant(name) { return found }
    }
    return nil
  }

  /// The text of the first direct child with the given name, without surrounding whitespace.
  ///
  /// AWS values (keys, tokens, ARNs, timestamps) never start or end with whitespace, so trimming
  /// makes pretty-printed responses read the same as compact ones.
  ///
  /// - Parameter name: The local name of the child.
  /// - Returns: The trimmed text, or `nil` when there is no such child.
  package func childText(_ name: String) -> String? {
    child(name).map { XMLTree.trimmingXMLWhitespace($0.text) }
  }
}

/// A document that is not well-formed XML, or uses XML features this parser refuses.
package struct XMLParseError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What is wrong.
  package var message: String
  /// The byte offset in the input where the problem was found.
  package var offset: Int

  /// Creates a parse error.
  ///
  /// - Parameters:
  ///   - message: What is wrong.
  ///   - offset: The byte offset of the problem.
  package init(message: String, offset: Int) {
    self.message = message
    self.offset = offset
  }

  /// `malformed XML at byte N: message`.
  package var description: String { "malformed XML at byte \(offset): \(message)" }
}

/// A small, fast, non-validating XML parser for AWS query-protocol responses.
///
/// It understands elements, attributes, text, CDATA sections, comments, processing instructions
/// (including the `<?xml ?>` declaration), the five predefined entities and numeric character
/// references. Document type declarations are refused, which also rules out entity-expansion
/// attacks. Anything malformed throws ``XMLParseError``.
package enum XMLTree {
  /// The deepest nesting accepted; AWS responses are a handful of levels deep.
  package static let maximumDepth = 256

  /// Parses a UTF-8 document and returns its root element.
  ///
  /// - Parameter bytes: The document, UTF-8 encoded (a byte-order mark is skipped).
  /// - Returns: The root element.
  /// - Throws: ``XMLParseError`` when the document is not well-formed.
  package static func parse(_ bytes: [UInt8]) throws(XMLParseError) -> XMLElement {
    var parser = XMLByteParser(bytes)
    return try parser.parseDocument()
  }

  /// Parses a document held in a string and returns its root element.
  ///
  /// - Parameter text: The document.
  /// - Returns: The root element.
  /// - Throws: ``XMLParseError`` when the document is not well-formed.
  package static func parse(_ text: String) throws(XMLParseError) -> XMLElement {
    try parse(Array(text.utf8))
  }

  static func isXMLWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
  }

  static func trimmingXMLWhitespace(_ text: String) -> String {
    let bytes = text.utf8
    guard let first = bytes.firstIndex(where: { !isXMLWhitespace($0) }),
      let last = bytes.lastIndex(where: { !isXMLWhitespace($0) })
    else { return "" }
    if first == bytes.startIndex && bytes.index(after: last) == bytes.endIndex { return text }
    return String(text[first...last])
  }
}

/// The parser proper: an index into the bytes and an explicit stack, so deep input cannot overflow
/// the call stack.
private struct XMLByteParser {
  private struct OpenElement {
    var qualifiedName: ArraySlice<UInt8>
    var name: String
    var attributes: [String: String]
    var text: [UInt8] = []
    var children: [XMLElement] = []
  }

  private let bytes: [UInt8]
  private var index = 0

  init(_ bytes: [UInt8]) { self.bytes = bytes }

  mutating func parseDocument() throws(XMLParseError) -> XMLElement {
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
    try skipMisc()
    guard index < bytes.count, bytes[index] == UInt8(ascii: "<") else {
      throw fail(index >= bytes.count ? "empty document" : "expected the root element")
    }

    var stack: [OpenElement] = []
    var root: XMLElement?
    // The root start tag.
    switch try parseStartTag() {
    case .selfClosing(let element): root = element
    case .open(let open): stack.append(open)
    }

    while root == nil {
      guard index < bytes.count else {
        throw fail("unexpected end of document inside <\(stack.last?.name ?? "")>")
      }
      if bytes[index] != UInt8(ascii: "<") {
        try appendText(to: &stack[stack.count - 1].text)
      } else if hasPrefix("</") {
        let open = stack.removeLast()
        try parseEndTag(matching: open)
        let element = try finish(open)
        if stack.isEmpty {
          root = element
        } else {
          stack[stack.count - 1].children.append(element)
        }
      } else if hasPrefix("<!--") {
        try skipComment()
      } else if hasPrefix("<![CDATA[") {
        index += 9
        guard let end = find("]]>") else { throw fail("unterminated CDATA section") }
        stack[stack.count - 1].text.append(contentsOf: bytes[index..<end])
        index = end + 3
      } else if hasPrefix("<?") {
        try skipProcessingInstruction()
      } else if hasPrefix("<!") {
        throw fail("markup declarations are not supported")
      } else {
        switch try parseStartTag() {
        case .selfClosing(let element):
          stack[stack.count - 1].children.append(element)
        case .open(let open):
          guard stack.count < XMLTree.maximumDepth else {
            throw fail("elements nested deeper than \(XMLTree.maximumDepth)")
          }
          stack.append(open)
        }
      }
    }

    try skipMisc()
    guard index == bytes.count else { throw fail("content after the root element") }
    guard let root else { throw fail("no root element") }
    return root
  }

  // MARK: Tags

  private enum StartTag {
    case selfClosing(XMLElement)
    case open(OpenElement)
  }

  private mutating func parseStartTag() throws(XMLParseError) -> StartTag {
    index += 1  // "<"
    let qualifiedName = try parseName()
    var open = OpenElement(
      qualifiedName: qualifiedName, name: try localName(qualifiedName), attributes: [:])
    var seen: Set<ArraySlice<UInt8>> = []
    while true {
      let hadSpace = skipWhitespace()
      guard index < bytes.count else { throw fail("unterminated start tag <\(open.name)>") }
      if bytes[index] == UInt8(ascii: ">") {
        index += 1
        return .open(open)
      }
      if hasPrefix("/>") {
        index += 2
        return .selfClosing(try finish(open))
      }
      guard hadSpace else { throw fail("expected whitespace before an attribute") }
      let attributeName = try parseName()
      guard seen.insert(attributeName).inserted else {
        throw fail("duplicate attribute \(String(decoding: attributeName, as: UTF8.self))")
      }
      skipWhitespace()
      guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else {
        throw fail("expected '=' after an attribute name")
      }
      index += 1
      skipWhitespace()
      let value = try parseAttributeValue()
      let isNamespaceDeclaration =
        attributeName.elementsEqual("xmlns".utf8) || attributeName.starts(with: "xmlns:".utf8)
      if !isNamespaceDeclaration {
        open.attributes[try localName(attributeName)] = value
      }
    }
  }

  private mutating func parseEndTag(matching open: OpenElement) throws(XMLParseError) {
    index += 2  // "</"
    let name = try parseName()
    guard name.elementsEqual(open.qualifiedName) else {
      throw fail(
        "end tag </\(String(decoding: name, as: UTF8.self))> does not match "
          + "<\(String(decoding: open.qualifiedName, as: UTF8.self))>")
    }
    skipWhitespace()
    guard index < bytes.count, bytes[index] == UInt8(ascii: ">") else {
      throw fail("expected '>' to close the end tag")
    }
    index += 1
  }

  private func finish(_ open: OpenElement) throws(XMLParseError) -> XMLElement {
    XMLElement(
      name: open.name, attributes: open.attributes, text: try string(open.text),
      children: open.children)
  }

  private mutating func parseName() throws(XMLParseError) -> ArraySlice<UInt8> {
    let start = index
    while index < bytes.count, Self.isNameByte(bytes[index], first: index == start) {
      index += 1
    }
    guard index > start else { throw fail("expected a name") }
    return bytes[start..<index]
  }

  private func localName(_ qualified: ArraySlice<UInt8>) throws(XMLParseError) -> String {
    let local = qualified.lastIndex(of: UInt8(ascii: ":")).map { qualified[($0 + 1)...] } ?? qualified
    guard !local.isEmpty else { throw fail("empty local name") }
    return try string(local)
  }

  private static func isNameByte(_ byte: UInt8, first: Bool) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
      UInt8(ascii: "_"), UInt8(ascii: ":"), 0x80...0xFF:
      return true
    case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."):
      return !first
    default:
      return false
    }
  }

  private mutating func parseAttributeValue() throws(XMLParseError) -> String {
    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'")
    else { throw fail("expected a quoted attribute value") }
    let quote = bytes[index]
    index += 1
    var value: [UInt8] = []
    while true {
      guard index < bytes.count else { throw fail("unterminated attribute value") }
      let byte = bytes[index]
      switch byte {
      case quote:
        index += 1
        return try string(value)
      case UInt8(ascii: "<"):
        throw fail("'<' in an attribute value")
      case UInt8(ascii: "&"):
        try decodeReference(into: &value)
      case 0x09, 0x0A, 0x0D:
        value.append(0x20)  // attribute-value normalisation
        index += 1
      default:
        value.append(byte)
        index += 1
      }
    }
  }

  // MARK: Character data

  private mutating func appendText(to text: inout [UInt8]) throws(XMLParseError) {
    while index < bytes.count, bytes[index] != UInt8(ascii: "<") {
      if bytes[index] == UInt8(ascii: "&") {
        try decodeReference(into: &text)
      } else {
        text.append(bytes[index])
        index += 1
      }
    }
  }

  private mutating func decodeReference(into output: inout [UInt8]) throws(XMLParseError) {
    let start = index
    index += 1  // "&"
    guard let semicolon = bytes[index...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else {
      index = start
      throw fail("unterminated entity reference")
    }
    let body = bytes[index..<semicolon]
    index = semicolon + 1
    if body.first == UInt8(ascii: "#") {
      let isHex = body.dropFirst().first == UInt8(ascii: "x")
      let digits = body.dropFirst(isHex ? 2 : 1)
      guard !digits.isEmpty, let value = UInt32(String(decoding: digits, as: UTF8.self), radix: isHex ? 16 : 10),
        Self.isXMLChar(value), let scalar = Unicode.Scalar(value)
      else {
        index = start
        throw fail("invalid character reference &\(String(decoding: body, as: UTF8.self));")
      }
      output.append(contentsOf: String(Character(scalar)).utf8)
      return
    }
    switch String(decoding: body, as: UTF8.self) {
    case "lt": output.append(UInt8(ascii: "<"))
    case "gt": output.append(UInt8(ascii: ">"))
    case "amp": output.append(UInt8(ascii: "&"))
    case "quot": output.append(UInt8(ascii: "\""))
    case "apos": output.append(UInt8(ascii: "'"))
    case let name:
      index = start
      throw fail("unknown entity &\(name);")
    }
  }

  private static func isXMLChar(_ value: UInt32) -> Bool {
    switch value {
    case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return true
    default: return false
    }
  }

  // MARK: Misc

  /// Skips whitespace, comments and processing instructions outside the root element.
  private mutating func skipMisc() throws(XMLParseError) {
    while true {
      skipWhitespace()
      if hasPrefix("<?") {
        try skipProcessingInstruction()
      } else if hasPrefix("<!--") {
        try skipComment()
      } else if hasPrefix("<!DOCTYPE") || hasPrefix("<!doctype") {
        throw fail("document type declarations are not supported")
      } else {
        return
      }
    }
  }

  private mutating func skipComment() throws(XMLParseError) {
    index += 4
    guard let end = find("-->") else { throw fail("unterminated comment") }
    index = end + 3
  }

  private mutating func skipProcessingInstruction() throws(XMLParseError) {
    index += 2
    guard let end = find("?>") else { throw fail("unterminated processing instruction") }
    index = end + 2
  }

  @discardableResult
  private mutating func skipWhitespace() -> Bool {
    let start = index
    while index < bytes.count, XMLTree.isXMLWhitespace(bytes[index]) { index += 1 }
    return index > start
  }

  private func hasPrefix(_ prefix: StaticString) -> Bool {
    let count = prefix.utf8CodeUnitCount
    guard bytes.count - index >= count else { return false }
    return prefix.withUTF8Buffer { buffer in
      for offset in 0..<count where bytes[index + offset] != buffer[offset] { return false }
      return true
    }
  }

  /// The index where `terminator` next starts, searching from the current position.
  private func find(_ terminator: StaticString) -> Int? {
    terminator.withUTF8Buffer { needle -> Int? in
      guard let first = needle.first, bytes.count >= needle.count else { return nil }
      var position = index
      let last = bytes.count - needle.count
      while position <= last {
        if bytes[position] == first {
          var matched = true
          for offset in 1..<needle.count where bytes[position + offset] != needle[offset] {
            matched = false
            break
          }
          if matched { return position }
        }
        position += 1
      }
      return nil
    }
  }

  private func string(_ utf8: some Collection<UInt8>) throws(XMLParseError) -> String {
    guard let text = String(validating: utf8, as: UTF8.self) else {
      throw fail("invalid UTF-8")
    }
    return text
  }

  private func fail(_ message: String) -> XMLParseError {
    XMLParseError(message: message, offset: index)
  }
}
