#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// An INI file as the AWS CLI reads `~/.aws/config` and `~/.aws/credentials`, with the line
/// number of every section and entry so that messages can point at the exact place.
///
/// The grammar is botocore's (Python's `configparser`), with go-ini's quote removal, which the
/// original tool's users may rely on:
/// - `[section]` headers; the name is trimmed and runs of inner whitespace collapse to one space,
///   so `[ profile   prod ]` is `profile prod`. Text after the closing `]` is ignored.
/// - `key = value`, `key=value` and `key: value` (the first `=` or `:` separates). Keys contain
///   no whitespace. Keys are compared case-insensitively; the last occurrence wins.
/// - Full-line comments start with `#` or `;`. Blank lines are ignored.
/// - An indented line after a key whose value is empty is a nested entry (`s3 =` followed by
///   `  max_concurrent_requests = 10`, or `sts =` followed by `  endpoint_url = …` in a
///   `[services name]` section). An indented line after a key with a value continues the value,
///   joined with a newline.
/// - Inline comments (`#` or `;` preceded by whitespace) are removed only when
///   `stripsInlineComments` is set, which is how the credentials file is read. In the config file
///   they stay part of the value, as in the Go tool.
/// - A value wrapped in one pair of matching quotes (`"…"` or `'…'`, no quote of that kind
///   inside) loses the quotes, as go-ini did for the original tool.
/// - A UTF-8 byte order mark and CRLF line endings are tolerated. A repeated section header
///   continues the earlier section (later keys win).
///
/// A file that `holdsSecrets` (the credentials file) differs in two ways: every line stands on its
/// own, indented or not, as go-ini read it for the Go tool (so an indented `aws_secret_access_key`
/// line is a key of its own, never folded into the line above), and errors name the line but never
/// show its text.
public struct INIFile: Sendable {
  /// The path the text came from; used only in messages.
  public let path: String
  /// The sections in order of first appearance, repeated headers merged into the first.
  public let sections: [INISection]
  private let sectionIndexByName: [String: Int]

  /// Parses `text`, which was read from `path`.
  ///
  /// - Parameters:
  ///   - text: The whole file.
  ///   - path: Where it came from, for error messages.
  ///   - stripsInlineComments: Whether ` #` and ` ;` end a value (true for the credentials file).
  ///   - holdsSecrets: Whether values are secrets (the credentials file): no continuation lines,
  ///     and no line text in errors.
  /// - Throws: ``ConfigFileError`` at the first line that is not a section header, a
  ///   `key = value` entry, a nested entry, a continuation, a comment or blank.
  public init(parsing text: String, path: String, stripsInlineComments: Bool, holdsSecrets: Bool = false)
    throws(ConfigFileError)
  {
    var contiguous = text
    let result = contiguous.withUTF8 { bytes in
      var parser = INIParser(
        bytes: bytes, path: path, stripsInlineComments: stripsInlineComments, holdsSecrets: holdsSecrets)
      return parser.parse()
    }
    let parsed = try result.get()
    self.path = path
    self.sections = parsed.sections
    self.sectionIndexByName = parsed.index
  }

  /// An empty file at `path`, standing for a file that does not exist.
  public static func empty(path: String) -> INIFile {
    INIFile(path: path, sections: [], index: [:])
  }

  private init(path: String, sections: [INISection], index: [String: Int]) {
    self.path = path
    self.sections = sections
    self.sectionIndexByName = index
  }

  /// The section named exactly `name` (after whitespace normalisation, case-sensitive), if any.
  public func section(_ name: String) -> INISection? {
    guard let index = sectionIndexByName[name] else { return nil }
    return sections[index]
  }
}

/// One `[name]` section of an ``INIFile``.
public struct INISection: Sendable {
  /// The name between the brackets, trimmed, inner whitespace collapsed to single spaces.
  public let name: String
  /// The 1-based line of the (first) header.
  public let line: Int
  /// The entries in file order, including repeated keys.
  public let entries: [INIEntry]

  /// Creates a section; parsing is the usual way to get one.
  public init(name: String, line: Int, entries: [INIEntry]) {
    self.name = name
    self.line = line
    self.entries = entries
  }

  /// The last entry whose key equals `key`, compared case-insensitively (ASCII).
  public func entry(_ key: String) -> INIEntry? {
    entries.last { asciiCaseInsensitiveEquals($0.key, key) }
  }
}

/// One `key = value` line of an ``INISection``, with its nested entries.
public struct INIEntry: Sendable, Equatable {
  /// The key as written.
  public let key: String
  /// The value: trimmed, continuation lines joined with `"\n"`, quotes and (in the credentials
  /// file) inline comments removed.
  public let value: String
  /// The 1-based line of the key.
  public let line: Int
  /// Indented `key = value` lines under a key with an empty value, e.g. the `endpoint_url` of
  /// `sts =` in a `[services name]` section.
  public let subEntries: [INIEntry]

  /// Creates an entry; parsing is the usual way to get one.
  public init(key: String, value: String, line: Int, subEntries: [INIEntry] = []) {
    self.key = key
    self.value = value
    self.line = line
    self.subEntries = subEntries
  }

  /// The last nested entry whose key equals `key`, compared case-insensitively (ASCII).
  public func subEntry(_ key: String) -> INIEntry? {
    subEntries.last { asciiCaseInsensitiveEquals($0.key, key) }
  }
}

/// A config or credentials file that cannot be read or parsed.
///
/// The description is one line in compiler style, `<path>:<line>: <reason>`, e.g.
/// `/home/u/.aws/config:7: expected "key = value", found "role_arn arn:aws:…"`.
public struct ConfigFileError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The file's path.
  public let path: String
  /// The 1-based line, or `nil` when the problem concerns the whole file (e.g. unreadable).
  public let line: Int?
  /// What is wrong, in words.
  public let reason: String

  /// Creates an error at `line` of `path`.
  public init(path: String, line: Int?, reason: String) {
    self.path = path
    self.line = line
    self.reason = reason
  }

  /// `<path>:<line>: <reason>`, or `<path>: <reason>` without a line.
  public var description: String {
    if let line { return "\(path):\(line): \(reason)" }
    return "\(path): \(reason)"
  }
}

func asciiCaseInsensitiveEquals(_ lhs: String, _ rhs: String) -> Bool {
  if lhs == rhs { return true }
  guard lhs.utf8.count == rhs.utf8.count else { return false }
  return zip(lhs.utf8, rhs.utf8).allSatisfy { asciiLowercased($0) == asciiLowercased($1) }
}

@inline(__always)
func asciiLowercased(_ byte: UInt8) -> UInt8 {
  byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
}

/// The grammar of a `[name]` header line, shared by ``INIFile`` and ``CredentialsFileWriter`` so
/// that the section the writer edits is the one the reader reads.
///
/// The name runs from the `[` to the *last* `]` of the line (text after it is ignored), is
/// trimmed of spaces and tabs, and has runs of them collapsed to one space: `[ profile   a]b ]`
/// is `profile a]b`.
enum INISectionHeader {
  /// What a line that starts with `[` holds.
  enum Parsed: Equatable {
    /// A header naming this section.
    case name(String)
    /// No `]` after the `[`.
    case missingClosingBracket
    /// Nothing but blanks between the brackets.
    case emptyName
  }

  /// Parses the header in `bytes[start..<end]`: `bytes[start]` is the `[` (blanks before it
  /// already skipped) and `end` is the end of the line, without its line ending.
  static func parse(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, end: Int) -> Parsed {
    var close = end - 1
    while close > start, bytes[close] != UInt8(ascii: "]") { close -= 1 }
    guard close > start else { return .missingClosingBracket }
    let name = normalisedName(bytes, start: start + 1, end: close)
    return name.isEmpty ? .emptyName : .name(name)
  }

  /// The section `line` opens, or `nil` when it is not a well-formed header. The line may end in
  /// `\n` or `\r\n`; with `atStartOfFile`, a UTF-8 byte order mark before it is skipped, as the
  /// reader skips it.
  static func sectionName(ofLine line: String, atStartOfFile: Bool = false) -> String? {
    var line = line
    return line.withUTF8 { bytes -> String? in
      var start = 0
      var end = bytes.count
      if atStartOfFile, end >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
      if end > start, bytes[end - 1] == UInt8(ascii: "\n") { end -= 1 }
      if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
      while start < end, isBlank(bytes[start]) { start += 1 }
      guard start < end, bytes[start] == UInt8(ascii: "[") else { return nil }
      guard case .name(let name) = parse(bytes, start: start, end: end) else { return nil }
      return name
    }
  }

  /// `name` as a header line holding it is read: trimmed, runs of blanks collapsed.
  static func normalised(_ name: String) -> String {
    var name = name
    return name.withUTF8 { normalisedName($0, start: 0, end: $0.count) }
  }

  @inline(__always)
  static func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

  /// Trims and collapses runs of spaces and tabs to one space.
  private static func normalisedName(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, end: Int) -> String {
    var first = start
    var last = end
    while first < last, isBlank(bytes[first]) { first += 1 }
    while last > first, isBlank(bytes[last - 1]) { last -= 1 }
    var needsCollapsing = false
    var previousWasBlank = false
    for position in first..<last {
      let blank = isBlank(bytes[position])
      if blank && (previousWasBlank || bytes[position] == UInt8(ascii: "\t")) {
        needsCollapsing = true
        break
      }
      previousWasBlank = blank
    }
    guard needsCollapsing else {
      return String(decoding: UnsafeBufferPointer(rebasing: bytes[first..<last]), as: UTF8.self)
    }
    var collapsed: [UInt8] = []
    collapsed.reserveCapacity(last - first)
    previousWasBlank = false
    for position in first..<last {
      if isBlank(bytes[position]) {
        if !previousWasBlank { collapsed.append(UInt8(ascii: " ")) }
        previousWasBlank = true
      } else {
        collapsed.append(bytes[position])
        previousWasBlank = false
      }
    }
    return String(decoding: collapsed, as: UTF8.self)
  }
}

/// Byte-level parser behind ``INIFile``.
///
/// Entries are appended to their section as soon as their line is read; the rare continuation
/// and nested lines then rebuild that last entry. This keeps the common line down to two string
/// creations and one append.
private struct INIParser {
  struct Parsed {
    var sections: [INISection]
    var index: [String: Int]
  }

  let bytes: UnsafeBufferPointer<UInt8>
  let path: String
  let stripsInlineComments: Bool
  let holdsSecrets: Bool

  var sectionNames: [String] = []
  var sectionLines: [Int] = []
  var sectionEntries: [[INIEntry]] = []
  var index: [String: Int] = [:]
  var currentSection: Int?
  /// The indentation of the last key line of the current section, while later, deeper
  /// indented lines may still add to that entry.
  var lastKeyIndent: Int?

  init(bytes: UnsafeBufferPointer<UInt8>, path: String, stripsInlineComments: Bool, holdsSecrets: Bool) {
    self.bytes = bytes
    self.path = path
    self.stripsInlineComments = stripsInlineComments
    self.holdsSecrets = holdsSecrets
  }

  private static let space = UInt8(ascii: " ")
  private static let tab = UInt8(ascii: "\t")
  private static let newline = UInt8(ascii: "\n")
  private static let carriageReturn = UInt8(ascii: "\r")
  private static let openBracket = UInt8(ascii: "[")

  /// The position of the next `byte` at or after `start` (memchr is vectorised).
  @inline(__always)
  private func find(_ byte: UInt8, from start: Int) -> Int? {
    guard start < bytes.count, let base = bytes.baseAddress else { return nil }
    guard let found = memchr(base + start, Int32(byte), bytes.count - start) else { return nil }
    return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
  }

  @inline(__always)
  private static func isBlank(_ byte: UInt8) -> Bool { byte == space || byte == tab }

  mutating func parse() -> Result<Parsed, ConfigFileError> {
    var position = 0
    let count = bytes.count
    if count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
    reserveCapacity()
    var lineNumber = 0
    while position < count {
      lineNumber += 1
      let lineEnd = find(Self.newline, from: position) ?? count
      var end = lineEnd
      if end > position, bytes[end - 1] == Self.carriageReturn { end -= 1 }
      if let error = parseLine(start: position, end: end, number: lineNumber) {
        return .failure(error)
      }
      position = lineEnd + 1
    }
    var sections: [INISection] = []
    sections.reserveCapacity(sectionNames.count)
    for position in sectionNames.indices {
      sections.append(
        INISection(
          name: sectionNames[position], line: sectionLines[position],
          entries: sectionEntries[position]))
    }
    return .success(Parsed(sections: sections, index: index))
  }

  /// Sizes the section tables from the number of `[` bytes, an upper bound on headers.
  private mutating func reserveCapacity() {
    var brackets = 0
    var position = 0
    while let bracket = find(Self.openBracket, from: position) {
      brackets += 1
      position = bracket + 1
    }
    sectionNames.reserveCapacity(brackets)
    sectionLines.reserveCapacity(brackets)
    sectionEntries.reserveCapacity(brackets)
    index.reserveCapacity(brackets)
  }

  private mutating func parseLine(start: Int, end: Int, number: Int) -> ConfigFileError? {
    var contentStart = start
    while contentStart < end, Self.isBlank(bytes[contentStart]) { contentStart += 1 }
    if contentStart == end { return nil }  // blank
    let first = bytes[contentStart]
    if first == UInt8(ascii: "#") || first == UInt8(ascii: ";") { return nil }  // comment
    let indent = contentStart - start
    var contentEnd = end
    while Self.isBlank(bytes[contentEnd - 1]) { contentEnd -= 1 }

    if indent > 0, !holdsSecrets, let ownerIndent = lastKeyIndent, indent > ownerIndent,
      let section = currentSection
    {
      addToLastEntry(of: section, start: contentStart, end: contentEnd, number: number)
      return nil
    }

    if first == Self.openBracket {
      lastKeyIndent = nil
      return parseSectionHeader(start: contentStart, end: end, number: number)
    }

    guard let entry = keyValue(start: contentStart, end: contentEnd, number: number) else {
      return error(number, "expected \"key = value\"" + quoted(contentStart, contentEnd, as: ", found"))
    }
    guard let section = currentSection else {
      return error(
        number,
        "\"\(entry.key)\" comes before any [section] header; put it under [default] or [profile name]"
      )
    }
    sectionEntries[section].append(entry)
    lastKeyIndent = indent
    return nil
  }

  /// An indented line under a key: a nested `key = value` when the key's value is empty,
  /// otherwise (or when it is not `key = value`) more of the value.
  private mutating func addToLastEntry(of section: Int, start: Int, end: Int, number: Int) {
    guard let owner = sectionEntries[section].last else { return }
    let replacement: INIEntry
    if owner.value.isEmpty, let nested = keyValue(start: start, end: end, number: number) {
      replacement = INIEntry(
        key: owner.key, value: owner.value, line: owner.line,
        subEntries: owner.subEntries + [nested])
    } else {
      let textEnd = stripsInlineComments ? inlineCommentStart(from: start, to: end) : end
      let text = string(start, textEnd)
      replacement = INIEntry(
        key: owner.key, value: owner.value.isEmpty ? text : owner.value + "\n" + text,
        line: owner.line, subEntries: owner.subEntries)
    }
    sectionEntries[section][sectionEntries[section].count - 1] = replacement
  }

  private mutating func parseSectionHeader(start: Int, end: Int, number: Int) -> ConfigFileError? {
    let name: String
    switch INISectionHeader.parse(bytes, start: start, end: end) {
    case .name(let parsed): name = parsed
    case .missingClosingBracket:
      return error(number, "section header has no closing \"]\"" + quoted(start, end, as: ":"))
    case .emptyName:
      return error(number, "empty section name \"[]\"")
    }
    if let existing = index[name] {
      currentSection = existing
    } else {
      let position = sectionNames.count
      sectionNames.append(name)
      sectionLines.append(number)
      var entries: [INIEntry] = []
      entries.reserveCapacity(8)
      sectionEntries.append(entries)
      index[name] = position
      currentSection = position
    }
    return nil
  }

  /// Parses `key = value` (or `key: value`) from trimmed bounds; `nil` when the line has no
  /// separator or the key is empty or contains whitespace.
  private func keyValue(start: Int, end: Int, number: Int) -> INIEntry? {
    var separator = start
    while separator < end, bytes[separator] != UInt8(ascii: "="),
      bytes[separator] != UInt8(ascii: ":")
    {
      separator += 1
    }
    guard separator < end else { return nil }
    var keyEnd = separator
    while keyEnd > start, Self.isBlank(bytes[keyEnd - 1]) { keyEnd -= 1 }
    guard keyEnd > start else { return nil }
    for position in start..<keyEnd where Self.isBlank(bytes[position]) { return nil }

    var valueStart = separator + 1
    var valueEnd = end
    if stripsInlineComments { valueEnd = inlineCommentStart(from: valueStart, to: end) }
    while valueStart < valueEnd, Self.isBlank(bytes[valueStart]) { valueStart += 1 }
    while valueEnd > valueStart, Self.isBlank(bytes[valueEnd - 1]) { valueEnd -= 1 }
    if valueEnd - valueStart >= 2 {
      let quote = bytes[valueStart]
      if (quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'")) && bytes[valueEnd - 1] == quote {
        var inner = valueStart + 1
        while inner < valueEnd - 1, bytes[inner] != quote { inner += 1 }
        if inner == valueEnd - 1 {
          valueStart += 1
          valueEnd -= 1
        }
      }
    }
    return INIEntry(key: string(start, keyEnd), value: string(valueStart, valueEnd), line: number)
  }

  /// The position of the first `#` or `;` preceded by a space or tab, or `end`.
  private func inlineCommentStart(from start: Int, to end: Int) -> Int {
    var position = start
    while position < end {
      let byte = bytes[position]
      if (byte == UInt8(ascii: "#") || byte == UInt8(ascii: ";")) && position > 0
        && Self.isBlank(bytes[position - 1])
      {
        var trimmed = position
        while trimmed > start, Self.isBlank(bytes[trimmed - 1]) { trimmed -= 1 }
        return trimmed
      }
      position += 1
    }
    return end
  }

  @inline(__always)
  private func string(_ start: Int, _ end: Int) -> String {
    String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
  }

  /// `<label> "<the line's text>"` for a message, shortened to 40 characters; for a line that
  /// may hold a secret (any line of the credentials file, a key line naming one) only the section
  /// it is in.
  private func quoted(_ start: Int, _ end: Int, as label: String) -> String {
    let text = string(start, end)
    guard holdsSecrets || Self.mayHoldSecret(text) else {
      return "\(label) \"\(TerminalText.excerpt(text, limit: 40))\""
    }
    let section = currentSection.map { " in [\(TerminalText.excerpt(sectionNames[$0], limit: 64))]" } ?? ""
    return "\(section) (the line is not shown: it may hold a secret)"
  }

  private static func mayHoldSecret(_ text: String) -> Bool {
    let lowered = text.lowercased()
    return lowered.contains("secret") || lowered.contains("token") || lowered.contains("password")
  }

  private func error(_ line: Int, _ reason: String) -> ConfigFileError {
    ConfigFileError(path: path, line: line, reason: reason)
  }
}
