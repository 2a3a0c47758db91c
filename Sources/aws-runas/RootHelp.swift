#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `aws-runas --help` without ArgumentParser: the text its help generator writes for
/// ``RunAsCommand`` (same layout, same wrapping), from ``OptionSpec`` and the command's texts.
///
/// ArgumentParser builds that help by reflecting over ``GlobalOptions``: 15 million instructions,
/// a dozen scans of every protocol conformance in the binary, twice the time of a cache hit.
/// `RootHelpTests` checks both render the same text at every width this one handles.
enum RootHelp {
  /// Where entries start (ArgumentParser's `helpIndent`).
  static let indent = 2
  /// Where the help of an entry starts (ArgumentParser's `labelColumnWidth`).
  static let labelColumn = 26

  /// The help wrapped to `columns`; `nil` below 40 columns, which ArgumentParser keeps, and for
  /// texts that are not plain ASCII.
  static func rendered(columns: Int) -> String? {
    guard columns >= 40 else { return nil }
    var text: [UInt8] = []
    text.reserveCapacity(8192)
    let overview = "OVERVIEW: " + RunAsCommand.abstract + "\n\n" + RunAsCommand.discussion
    guard wrap(overview, to: columns, into: &text) else { return nil }
    text += "\n\nUSAGE: aws-runas [<options>] [<arguments> ...]\n\nARGUMENTS:\n".utf8
    guard entry("<arguments>", RunAsCommand.argumentsHelp, columns: columns, into: &text) else { return nil }
    text += "\nOPTIONS:\n".utf8
    for option in OptionSpec.all {
      guard entry(option.label, option.help, columns: columns, into: &text) else { return nil }
    }
    guard entry("-h, --help", "Show help information.", columns: columns, into: &text) else { return nil }
    return String(decoding: text, as: UTF8.self)
  }

  /// The width ArgumentParser wraps to: `COLUMNS`, else the terminal's on standard output, else 80.
  static func terminalColumns() -> Int {
    if let value = getenv("COLUMNS"), let columns = Int(String(cString: value)) { return columns }
    var size = winsize()
    if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
    return 80
  }

  /// Appends one entry: the label, then its help from ``labelColumn`` (on the next line when the
  /// label reaches that far).
  static func entry(_ label: String, _ help: String, columns: Int, into text: inout [UInt8]) -> Bool {
    let labelWidth = indent + label.utf8.count
    text += repeatElement(UInt8(ascii: " "), count: indent)
    text += label.utf8
    if labelWidth < labelColumn {
      guard wrap(help, to: columns, indent: labelColumn, firstIndent: labelColumn - labelWidth, into: &text)
      else { return false }
    } else {
      text.append(UInt8(ascii: "\n"))
      guard wrap(help, to: columns, indent: labelColumn, into: &text) else { return false }
    }
    text.append(UInt8(ascii: "\n"))
    return true
  }

  /// Appends `source` wrapped the way ArgumentParser wraps: each line ends at the last space that
  /// fits in `columns - indent` characters (or at the next space, for a longer word) or at a line
  /// break, and every non-empty line is indented by `indent` (the first by `firstIndent`).
  ///
  /// Byte by byte, so only for plain ASCII (where a byte is a `Character`); `false` otherwise.
  /// ArgumentParser's generic collection algorithms on `Substring` would cost run-time lookups of
  /// associated types and conformances here.
  static func wrap(
    _ source: String, to columns: Int, indent: Int = 0, firstIndent: Int? = nil, into text: inout [UInt8]
  ) -> Bool {
    let bytes = Array(source.utf8)
    for byte in bytes where byte >= 0x80 || byte == UInt8(ascii: "\r") { return false }
    let width = columns - indent
    var lineCount = 0
    func addLine(_ start: Int, _ end: Int) {
      if lineCount > 0 { text.append(UInt8(ascii: "\n")) }
      if start < end {
        text += repeatElement(UInt8(ascii: " "), count: lineCount == 0 ? firstIndent ?? indent : indent)
        text += bytes[start..<end]
      }
      lineCount += 1
    }
    func last(_ byte: UInt8, before end: Int, from start: Int) -> Int? {
      var index = end
      while index > start {
        index -= 1
        if bytes[index] == byte { return index }
      }
      return nil
    }
    func first(_ byte: UInt8, from start: Int) -> Int? {
      var index = start
      while index < bytes.count {
        if bytes[index] == byte { return index }
        index += 1
      }
      return nil
    }
    let newline = UInt8(ascii: "\n")
    let space = UInt8(ascii: " ")
    var current = 0
    while true {
      let chunkEnd = min(current + width, bytes.count)
      if let lineBreak = last(newline, before: chunkEnd, from: current) {
        var start = current
        for index in current..<lineBreak where bytes[index] == newline {
          addLine(start, index)
          start = index + 1
        }
        addLine(start, lineBreak)
        current = lineBreak + 1
      } else if chunkEnd == bytes.count {
        addLine(current, chunkEnd)
        return true
      } else if let blank = last(space, before: chunkEnd, from: current) ?? first(space, from: current) {
        addLine(current, blank)
        current = blank + 1
      } else {
        addLine(current, bytes.count)
        return true
      }
    }
  }
}
