/// A forgiving HTML tokenizer: just enough of the WHATWG tokenizer to find tags, their attributes
/// and the text of `<title>`, `<option>` and `<textarea>` in real sign-in pages.
///
/// It never fails: attribute values may be double-quoted, single-quoted or bare, names are
/// case-insensitive, comments and the contents of `<script>` and `<style>` are skipped, character
/// references (`&amp;`, `&#x2F;`, `&#43;`, `&eacute;`) are decoded. Elements are not nested into a
/// tree; the form reader above it keeps the little state it needs.
struct HTMLScanner {
  /// One token of the page.
  enum Token {
    /// A start tag: its lower-case name, its attributes (lower-case names, decoded values, the
    /// first of a repeated name wins) in order.
    case start(name: String, attributes: [(name: String, value: String)])
    /// An end tag's lower-case name.
    case end(name: String)
    /// Text between tags, decoded.
    case text(String)
  }

  private let bytes: [UInt8]
  private var index = 0
  /// Set after `<script>`, `<textarea>` and the like: the end tag that closes their raw content.
  private var rawTextEnd: (name: String, decodes: Bool)?

  /// A scanner over `html`.
  init(_ html: String) {
    bytes = Array(html.utf8)
  }

  /// The attribute `name` of a start tag's attributes.
  static func attribute(_ name: String, in attributes: [(name: String, value: String)]) -> String? {
    attributes.first { $0.name == name }?.value
  }

  /// The next token, or `nil` at the end of the page.
  mutating func next() -> Token? {
    if let pending = rawTextEnd {
      rawTextEnd = nil
      let start = index
      index = findEndTag(pending.name) ?? bytes.count
      if index > start {
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        return .text(pending.decodes ? HTMLEntities.decode(text, inAttribute: false) : text)
      }
    }
    while index < bytes.count {
      if startsMarkup(at: index) {
        if let token = markup() { return token }
        continue
      }
      let start = index
      index += 1
      while index < bytes.count, !startsMarkup(at: index) { index += 1 }
      return .text(HTMLEntities.decode(String(decoding: bytes[start..<index], as: UTF8.self), inAttribute: false))
    }
    return nil
  }

  // MARK: - Markup

  /// Whether the `<` at `position` opens a tag, an end tag, a comment or a declaration.
  private func startsMarkup(at position: Int) -> Bool {
    guard bytes[position] == UInt8(ascii: "<"), position + 1 < bytes.count else { return false }
    let next = bytes[position + 1]
    return isLetter(next) || next == UInt8(ascii: "/") || next == UInt8(ascii: "!") || next == UInt8(ascii: "?")
  }

  /// Reads the markup at `index`; `nil` for markup that makes no token (comments, declarations,
  /// a tag cut off by the end of the page).
  private mutating func markup() -> Token? {
    let next = bytes[index + 1]
    if next == UInt8(ascii: "!") || next == UInt8(ascii: "?") {
      if hasPrefix("<!--", at: index) {
        index = (find(Array("-->".utf8), from: index + 4).map { $0 + 3 }) ?? bytes.count
      } else {
        skipPast(UInt8(ascii: ">"))
      }
      return nil
    }
    if next == UInt8(ascii: "/") {
      guard index + 2 < bytes.count, isLetter(bytes[index + 2]) else {
        // `</>` is dropped and `</ …>` is a bogus comment in HTML.
        skipPast(UInt8(ascii: ">"))
        return nil
      }
      index += 2
      let name = tagName()
      skipPast(UInt8(ascii: ">"))
      return .end(name: name)
    }
    index += 1
    let name = tagName()
    guard let attributes = attributes() else {
      // A tag cut off by the end of the page is dropped, as browsers do.
      index = bytes.count
      return nil
    }
    switch name {
    case "script", "style", "xmp", "iframe", "noembed", "noframes":
      rawTextEnd = (name, false)
    case "textarea", "title":
      rawTextEnd = (name, true)
    default:
      break
    }
    return .start(name: name, attributes: attributes)
  }

  private mutating func tagName() -> String {
    let start = index
    while index < bytes.count, !isSpace(bytes[index]), bytes[index] != UInt8(ascii: "/"),
      bytes[index] != UInt8(ascii: ">")
    {
      index += 1
    }
    return lowercased(bytes[start..<index])
  }

  /// The attributes up to and including the tag's `>`; `nil` when the page ends first.
  private mutating func attributes() -> [(name: String, value: String)]? {
    var result: [(name: String, value: String)] = []
    while true {
      while index < bytes.count, isSpace(bytes[index]) || bytes[index] == UInt8(ascii: "/") { index += 1 }
      guard index < bytes.count else { return nil }
      if bytes[index] == UInt8(ascii: ">") {
        index += 1
        return result
      }
      let nameStart = index
      index += 1  // a leading `=` belongs to the name
      while index < bytes.count, !isSpace(bytes[index]), bytes[index] != UInt8(ascii: "/"),
        bytes[index] != UInt8(ascii: ">"), bytes[index] != UInt8(ascii: "=")
      {
        index += 1
      }
      let name = lowercased(bytes[nameStart..<index])
      var value = ""
      var lookahead = index
      while lookahead < bytes.count, isSpace(bytes[lookahead]) { lookahead += 1 }
      if lookahead < bytes.count, bytes[lookahead] == UInt8(ascii: "=") {
        index = lookahead + 1
        while index < bytes.count, isSpace(bytes[index]) { index += 1 }
        guard index < bytes.count else { return nil }
        let quote = bytes[index]
        let valueStart: Int
        if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
          valueStart = index + 1
          guard let close = bytes[valueStart...].firstIndex(of: quote) else { return nil }
          index = close + 1
          value = String(decoding: bytes[valueStart..<close], as: UTF8.self)
        } else {
          valueStart = index
          while index < bytes.count, !isSpace(bytes[index]), bytes[index] != UInt8(ascii: ">") { index += 1 }
          value = String(decoding: bytes[valueStart..<index], as: UTF8.self)
        }
        value = HTMLEntities.decode(value, inAttribute: true)
      }
      if !result.contains(where: { $0.name == name }) { result.append((name, value)) }
    }
  }

  /// The position of `</name` (case-insensitive) followed by a space, `/` or `>`.
  private func findEndTag(_ name: String) -> Int? {
    let pattern = Array(("</" + name).utf8)
    var position = index
    while let found = find(pattern, from: position, caseInsensitive: true) {
      let after = found + pattern.count
      if after >= bytes.count || isSpace(bytes[after]) || bytes[after] == UInt8(ascii: "/")
        || bytes[after] == UInt8(ascii: ">")
      {
        return found
      }
      position = found + 1
    }
    return nil
  }

  // MARK: - Bytes

  private func find(_ pattern: [UInt8], from start: Int, caseInsensitive: Bool = false) -> Int? {
    guard !pattern.isEmpty, start <= bytes.count - pattern.count else { return nil }
    let fold: (UInt8) -> UInt8 = caseInsensitive ? { Self.lower($0) } : { $0 }
    var position = start
    while position <= bytes.count - pattern.count {
      var offset = 0
      while offset < pattern.count, fold(bytes[position + offset]) == fold(pattern[offset]) { offset += 1 }
      if offset == pattern.count { return position }
      position += 1
    }
    return nil
  }

  private func hasPrefix(_ text: String, at position: Int) -> Bool {
    let pattern = Array(text.utf8)
    return position + pattern.count <= bytes.count && Array(bytes[position..<position + pattern.count]) == pattern
  }

  private mutating func skipPast(_ byte: UInt8) {
    while index < bytes.count, bytes[index] != byte { index += 1 }
    index = min(index + 1, bytes.count)
  }

  private func isSpace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0C || byte == 0x0D
  }

  private func isLetter(_ byte: UInt8) -> Bool {
    (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
  }

  private static func lower(_ byte: UInt8) -> UInt8 {
    byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
  }

  private func lowercased(_ slice: ArraySlice<UInt8>) -> String {
    String(decoding: slice.map(Self.lower), as: UTF8.self)
  }
}

/// HTML character references: numeric ones, and the named ones sign-in pages use (the HTML 4
/// set: markup characters, Latin-1, typographic punctuation). Unknown names stay as written.
enum HTMLEntities {
  /// `text` with its character references decoded.
  ///
  /// - Parameters:
  ///   - text: Raw text or a raw attribute value.
  ///   - inAttribute: Whether `text` is an attribute value: there a reference without `;` that is
  ///     followed by a letter, digit or `=` stays as written (`?a=1&copy=2` is not `©`), as in HTML.
  static func decode(_ text: String, inAttribute: Bool) -> String {
    guard text.utf8.contains(UInt8(ascii: "&")) else { return text }
    var output = ""
    var scalars = Substring(text).unicodeScalars[...]
    while let scalar = scalars.first {
      scalars.removeFirst()
      guard scalar == "&" else {
        output.unicodeScalars.append(scalar)
        continue
      }
      if let (decoded, rest) = reference(in: scalars, inAttribute: inAttribute) {
        output += decoded
        scalars = rest
      } else {
        output.unicodeScalars.append(scalar)
      }
    }
    return output
  }

  /// The reference at the start of `text` (just after `&`) and what follows it.
  private static func reference(
    in text: Substring.UnicodeScalarView.SubSequence, inAttribute: Bool
  ) -> (String, Substring.UnicodeScalarView.SubSequence)? {
    if text.first == "#" {
      var rest = text.dropFirst()
      var radix = 10
      if let x = rest.first, x == "x" || x == "X" {
        radix = 16
        rest = rest.dropFirst()
      }
      let digits = rest.prefix { $0.properties.isASCIIHexDigit && (radix == 16 || ("0"..."9").contains($0)) }
      guard !digits.isEmpty else { return nil }
      rest = rest.dropFirst(digits.count)
      if rest.first == ";" { rest = rest.dropFirst() }
      let value = digits.count > 8 ? nil : UInt32(String(String.UnicodeScalarView(digits)), radix: radix)
      // NUL, surrogates and values past Unicode become U+FFFD, as in HTML.
      let decoded = value.flatMap { $0 == 0 ? nil : Unicode.Scalar($0) } ?? "\u{FFFD}"
      return (String(Character(decoded)), rest)
    }
    let name = String(String.UnicodeScalarView(text.prefix(while: isASCIIAlphanumeric)))
    guard !name.isEmpty else { return nil }
    var rest = text.dropFirst(name.unicodeScalars.count)
    if rest.first == ";", let scalar = named[name] {
      return (String(Character(scalar)), rest.dropFirst())
    }
    // Without `;` only the legacy names are references, and the longest one wins (`&notit` is `¬it`).
    for length in stride(from: name.count, through: 2, by: -1) {
      let candidate = String(name.prefix(length))
      guard legacy.contains(candidate), let scalar = named[candidate] else { continue }
      rest = text.dropFirst(length)
      if inAttribute, let following = rest.first, following == "=" || isASCIIAlphanumeric(following) {
        return nil
      }
      return (String(Character(scalar)), rest)
    }
    return nil
  }

  private static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
    scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar))
  }

  /// The Latin-1 names for U+00A0 to U+00FF, in order.
  private static let latin1Names = [
    "nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect", "uml", "copy", "ordf", "laquo", "not",
    "shy", "reg", "macr", "deg", "plusmn", "sup2", "sup3", "acute", "micro", "para", "middot", "cedil", "sup1",
    "ordm", "raquo", "frac14", "frac12", "frac34", "iquest", "Agrave", "Aacute", "Acirc", "Atilde", "Auml",
    "Aring", "AElig", "Ccedil", "Egrave", "Eacute", "Ecirc", "Euml", "Igrave", "Iacute", "Icirc", "Iuml", "ETH",
    "Ntilde", "Ograve", "Oacute", "Ocirc", "Otilde", "Ouml", "times", "Oslash", "Ugrave", "Uacute", "Ucirc",
    "Uuml", "Yacute", "THORN", "szlig", "agrave", "aacute", "acirc", "atilde", "auml", "aring", "aelig", "ccedil",
    "egrave", "eacute", "ecirc", "euml", "igrave", "iacute", "icirc", "iuml", "eth", "ntilde", "ograve", "oacute",
    "ocirc", "otilde", "ouml", "divide", "oslash", "ugrave", "uacute", "ucirc", "uuml", "yacute", "thorn", "yuml",
  ]

  /// Names HTML also recognises without a `;` (the markup characters and Latin-1).
  private static let legacy: Set<String> = Set(latin1Names + ["amp", "lt", "gt", "quot", "AMP", "LT", "GT", "QUOT"])

  private static let named: [String: Unicode.Scalar] = {
    var table: [String: Unicode.Scalar] = [
      "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "AMP": "&", "LT": "<", "GT": ">",
      "QUOT": "\"", "sol": "/", "colon": ":", "equals": "=", "plus": "+", "num": "#", "percnt": "%",
      "quest": "?", "excl": "!", "lpar": "(", "rpar": ")", "comma": ",", "period": ".", "semi": ";",
      "lsqb": "[", "rsqb": "]", "lcub": "{", "rcub": "}", "verbar": "|", "bsol": "\\", "grave": "`",
      "Tab": "\t", "NewLine": "\n", "ensp": "\u{2002}", "emsp": "\u{2003}", "thinsp": "\u{2009}",
      "zwnj": "\u{200C}", "zwj": "\u{200D}", "lrm": "\u{200E}", "rlm": "\u{200F}", "ndash": "\u{2013}",
      "mdash": "\u{2014}", "lsquo": "\u{2018}", "rsquo": "\u{2019}", "sbquo": "\u{201A}", "ldquo": "\u{201C}",
      "rdquo": "\u{201D}", "bdquo": "\u{201E}", "dagger": "\u{2020}", "Dagger": "\u{2021}", "bull": "\u{2022}",
      "hellip": "\u{2026}", "permil": "\u{2030}", "lsaquo": "\u{2039}", "rsaquo": "\u{203A}", "euro": "\u{20AC}",
      "trade": "\u{2122}", "larr": "\u{2190}", "rarr": "\u{2192}", "OElig": "\u{0152}", "oelig": "\u{0153}",
      "Scaron": "\u{0160}", "scaron": "\u{0161}", "Yuml": "\u{0178}", "fnof": "\u{0192}", "circ": "\u{02C6}",
      "tilde": "\u{02DC}",
    ]
    for (offset, name) in latin1Names.enumerated() {
      table[name] = Unicode.Scalar(UInt32(0xA0 + offset))
    }
    return table
  }()
}
