import CNcurses

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The ncurses adapter: the only code that talks to curses.
public final class NcursesTerminal: Terminal {
  private var isActive = false
  /// Set once the terminal hangs up.
  public private(set) var isClosed = false
  private var attributes: [CellStyle: attr_t] = [:]
  private var forceRedraw = false

  /// Creates the adapter; nothing happens to the terminal until ``start()``.
  public init() {}

  public var size: (rows: Int, columns: Int) {
    guard isActive else { return (24, 80) }
    var rows: Int32 = 0
    var columns: Int32 = 0
    cn_getmaxyx(cn_stdscr(), &rows, &columns)
    return (Int(rows), Int(columns))
  }

  public func start() throws {
    guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
      throw TerminalError(message: "aws-runas-tui needs a terminal on stdin and stdout")
    }
    setlocale(LC_ALL, "")
    if let codeset = nl_langinfo(nl_item(CODESET)), String(cString: codeset) != "UTF-8" {
      // Box drawing and the countdown glyphs need UTF-8; C.UTF-8 exists on every glibc system.
      setlocale(LC_ALL, "C.UTF-8")
    }
    set_escdelay(25)
    guard initscr() != nil else { throw TerminalError(message: "cannot initialise the terminal (check TERM)") }
    isActive = true
    raw()
    noecho()
    nonl()
    keypad(cn_stdscr(), true)
    nodelay(cn_stdscr(), true)
    curs_set(0)
    setUpStyles()
  }

  private func setUpStyles() {
    let noColor = (getenv("NO_COLOR").map { String(cString: $0) } ?? "").isEmpty == false
    let bold = cn_a_bold()
    let reverse = cn_a_reverse()
    let dim = cn_a_dim()
    let underline = cn_a_underline()
    guard !noColor, has_colors() else {
      attributes = [
        .normal: cn_a_normal(), .header: reverse, .title: bold | underline, .selected: reverse, .dim: dim,
        .good: cn_a_normal(), .warning: bold, .bad: bold, .accent: bold, .modal: cn_a_normal(),
        .input: bold | underline,
      ]
      return
    }
    start_color()
    use_default_colors()
    let pairs: [(CellStyle, Int16, Int16)] = [
      (.header, Int16(COLOR_BLACK), Int16(COLOR_CYAN)), (.title, Int16(COLOR_CYAN), -1),
      (.good, Int16(COLOR_GREEN), -1), (.warning, Int16(COLOR_YELLOW), -1), (.bad, Int16(COLOR_RED), -1),
      (.accent, Int16(COLOR_MAGENTA), -1), (.modal, Int16(COLOR_WHITE), Int16(COLOR_BLUE)),
      (.input, Int16(COLOR_YELLOW), Int16(COLOR_BLUE)),
    ]
    attributes = [.normal: cn_a_normal(), .selected: reverse, .dim: dim]
    for (index, (style, foreground, background)) in pairs.enumerated() {
      let pair = Int16(index + 1)
      init_pair(pair, foreground, background)
      var attribute = cn_color_pair(pair)
      if style == .title || style == .bad || style == .input { attribute |= bold }
      attributes[style] = attribute
    }
  }

  public func draw(_ screen: ScreenBuffer) {
    guard isActive else { return }
    let window = cn_stdscr()
    if forceRedraw {
      clearok(window, true)
      forceRedraw = false
    }
    for row in 0..<screen.rows {
      for run in screen.runs(onRow: row) {
        wattrset(window, Int32(bitPattern: UInt32(truncatingIfNeeded: attributes[run.style] ?? cn_a_normal())))
        // The bottom-right cell makes curses scroll-or-fail; the cell is still drawn.
        _ = mvwaddstr(window, Int32(row), Int32(run.column), run.text)
      }
    }
    wattrset(window, 0)
    if let cursor = screen.cursor {
      curs_set(1)
      wmove(window, Int32(cursor.row), Int32(cursor.column))
    } else {
      curs_set(0)
    }
    wnoutrefresh(window)
    doupdate()
  }

  public func waitForKeys(timeoutMilliseconds: Int32, wakeDescriptor: Int32) -> [Key] {
    guard isActive else { return [] }
    var descriptors = [
      pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
      pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0),
    ]
    let ready = poll(&descriptors, 2, timeoutMilliseconds)
    guard ready > 0, descriptors[0].revents != 0 else { return [] }
    var keys: [Key] = []
    while true {
      var character: wint_t = 0
      let result = get_wch(&character)
      if result == cn_err() { break }
      if let key = Self.decode(result: result, value: UInt32(character)) { keys.append(key) }
      if keys.count > 256 { break }
    }
    // A hung-up terminal polls ready for ever with nothing to read: without this the loop spins.
    let gone = Int16(POLLHUP) | Int16(POLLERR) | Int16(POLLNVAL)
    if keys.isEmpty && descriptors[0].revents & gone != 0 { isClosed = true }
    return keys
  }

  /// Maps a `get_wch` result to a key.
  static func decode(result: Int32, value: UInt32) -> Key? {
    if result == cn_key_code_yes() {
      switch Int32(value) {
      case KEY_UP: return .up
      case KEY_DOWN: return .down
      case KEY_LEFT: return .left
      case KEY_RIGHT: return .right
      case KEY_HOME: return .home
      case KEY_END: return .end
      case KEY_NPAGE: return .pageDown
      case KEY_PPAGE: return .pageUp
      case KEY_BACKSPACE, KEY_DC: return .backspace
      case KEY_ENTER: return .enter
      default: return nil
      }
    }
    switch value {
    case 10, 13: return .enter
    case 27: return .escape
    case 8, 127: return .backspace
    case 9: return .tab
    case 1...26: return .control(Character(Unicode.Scalar(UInt8(value) + 96)))
    default:
      guard let scalar = Unicode.Scalar(value), value >= 32 else { return nil }
      return .character(Character(scalar))
    }
  }

  public func refreshSize() -> (rows: Int, columns: Int) {
    guard isActive else { return (24, 80) }
    var window = winsize()
    if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &window) == 0, window.ws_row > 0, window.ws_col > 0 {
      resize_term(Int32(window.ws_row), Int32(window.ws_col))
    }
    forceRedraw = true
    return size
  }

  public func suspend() {
    guard isActive else { return }
    def_prog_mode()
    endwin()
  }

  public func resume() {
    guard isActive else { return }
    reset_prog_mode()
    forceRedraw = true
    _ = refreshSize()
  }

  public func stop() {
    guard isActive else { return }
    isActive = false
    curs_set(1)
    endwin()
  }
}
