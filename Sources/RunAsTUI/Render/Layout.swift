/// Where each part of the screen goes for a terminal size; shared by the renderer and by the
/// reducer (which needs the list's height for paging and scrolling).
public struct Layout: Sendable, Equatable {
  /// A rectangle of cells.
  public struct Rect: Sendable, Equatable {
    /// Top row.
    public var row: Int
    /// Left column.
    public var column: Int
    /// Height in rows.
    public var height: Int
    /// Width in columns.
    public var width: Int
  }

  /// Screen height.
  public let rows: Int
  /// Screen width.
  public let columns: Int
  /// Header lines at the top.
  public let header: Rect
  /// The list, its column-title row included.
  public let list: Rect
  /// The pane, its title row included.
  public let pane: Rect
  /// The flash / filter line.
  public let statusRow: Int
  /// The key-hint line.
  public let hintRow: Int
  /// Whether list and pane sit side by side (wide terminals) rather than stacked.
  public let isSideBySide: Bool

  /// The smallest usable screen.
  public static let minimumRows = 10
  /// The smallest usable width.
  public static let minimumColumns = 40

  /// The layout for a `rows` × `columns` screen.
  public init(rows: Int, columns: Int) {
    self.rows = rows
    self.columns = columns
    header = Rect(row: 0, column: 0, height: 2, width: columns)
    statusRow = max(0, rows - 2)
    hintRow = max(0, rows - 1)
    let bodyTop = 2
    let bodyHeight = max(0, rows - 4)
    isSideBySide = columns >= 120
    if isSideBySide {
      let listWidth = columns * 3 / 5
      list = Rect(row: bodyTop, column: 0, height: bodyHeight, width: listWidth)
      pane = Rect(row: bodyTop, column: listWidth + 1, height: bodyHeight, width: columns - listWidth - 1)
    } else {
      let listHeight = (bodyHeight + 1) / 2 + 1
      list = Rect(row: bodyTop, column: 0, height: min(listHeight, bodyHeight), width: columns)
      pane = Rect(
        row: bodyTop + list.height, column: 0, height: max(0, bodyHeight - list.height), width: columns)
    }
  }

  /// Rows of the list that show profiles (its height without the title row).
  public var listCapacity: Int { max(1, list.height - 1) }

  /// Whether the screen is too small to draw the interface.
  public var isTooSmall: Bool { rows < Self.minimumRows || columns < Self.minimumColumns }
}
