import RunAsCore

/// How a cell is drawn. The terminal adapter maps each style to colours, or to plain attributes
/// (bold, reverse, dim) when colour is off (`NO_COLOR`), so every state also reads without colour.
public enum CellStyle: UInt8, Sendable, CaseIterable {
  /// Plain text.
  case normal
  /// The header bar.
  case header
  /// Column titles and pane titles.
  case title
  /// The selected row.
  case selected
  /// Secondary text.
  case dim
  /// Valid credentials, INFO findings.
  case good
  /// Expiring credentials, warnings.
  case warning
  /// Expired credentials, errors.
  case bad
  /// Highlights: the switchboard's active profile, keys in hints.
  case accent
  /// Modal dialogs.
  case modal
  /// Text being typed.
  case input
}

/// One character cell.
public struct Cell: Sendable, Equatable {
  /// The character.
  public var character: Character
  /// Its style.
  public var style: CellStyle

  /// A blank cell.
  public static let blank = Cell(character: " ", style: .normal)
}

/// A screen's worth of cells: the renderer's output and the terminal adapter's input. Tests read
/// it back as text.
public struct ScreenBuffer: Sendable, Equatable {
  /// Height.
  public let rows: Int
  /// Width.
  public let columns: Int
  /// Cells, row by row.
  public private(set) var cells: [Cell]
  /// Where the terminal cursor goes (when typing), else hidden.
  public var cursor: (row: Int, column: Int)?

  /// A blank buffer.
  public init(rows: Int, columns: Int) {
    self.rows = max(0, rows)
    self.columns = max(0, columns)
    cells = Array(repeating: .blank, count: self.rows * self.columns)
  }

  public static func == (lhs: ScreenBuffer, rhs: ScreenBuffer) -> Bool {
    lhs.rows == rhs.rows && lhs.columns == rhs.columns && lhs.cells == rhs.cells
      && lhs.cursor?.row == rhs.cursor?.row && lhs.cursor?.column == rhs.cursor?.column
  }

  /// The cell at `row`, `column`.
  public subscript(row: Int, column: Int) -> Cell {
    cells[row * columns + column]
  }

  /// Writes `text` from `row`, `column`, clipped to `width` columns (and the screen); returns the
  /// column after the last character written.
  @discardableResult
  public mutating func write(
    _ text: String, row: Int, column: Int, style: CellStyle = .normal, width: Int? = nil
  ) -> Int {
    guard row >= 0, row < rows, column < columns else { return column }
    let limit = min(columns, column + (width ?? columns))
    var x = column
    for character in text {
      if x >= limit { break }
      if x >= 0 {
        let printable = TerminalText.isControl(character) ? " " : character
        cells[row * columns + x] = Cell(character: printable, style: style)
      }
      x += 1
    }
    return x
  }

  /// Fills `width` cells from `row`, `column` with `character` in `style`.
  public mutating func fill(
    row: Int, column: Int, width: Int, character: Character = " ", style: CellStyle = .normal
  ) {
    guard row >= 0, row < rows else { return }
    for x in max(0, column)..<max(max(0, column), min(columns, column + width)) {
      cells[row * columns + x] = Cell(character: character, style: style)
    }
  }

  /// Row `row` as text, trailing blanks removed.
  public func line(_ row: Int) -> String {
    var text = String(cells[(row * columns)..<((row + 1) * columns)].map(\.character))
    while text.last == " " { text.removeLast() }
    return text
  }

  /// The whole screen as text, one line per row.
  public var text: String {
    (0..<rows).map(line).joined(separator: "\n")
  }

  /// Runs of equally styled cells on `row`, for adapters that draw a string per run.
  public func runs(onRow row: Int) -> [(column: Int, style: CellStyle, text: String)] {
    var result: [(column: Int, style: CellStyle, text: String)] = []
    var start = 0
    var current = ""
    var style = CellStyle.normal
    for x in 0..<columns {
      let cell = self[row, x]
      if x == 0 {
        style = cell.style
      } else if cell.style != style {
        result.append((start, style, current))
        start = x
        current = ""
        style = cell.style
      }
      current.append(cell.character)
    }
    if columns > 0 { result.append((start, style, current)) }
    return result
  }
}

extension String {
  /// The string cut to `width` characters, ending in `…` when cut.
  func truncated(to width: Int) -> String {
    guard width > 0 else { return "" }
    guard count > width else { return self }
    return String(prefix(width - 1)) + "…"
  }

  /// The string padded with spaces (or cut) to exactly `width` characters.
  func padded(to width: Int) -> String {
    let cut = truncated(to: width)
    let missing = width - cut.count
    return missing > 0 ? cut + String(repeating: " ", count: missing) : cut
  }
}
