/// What the event loop needs from a terminal. The ncurses adapter is the real one; tests drive the
/// loop's pieces (reducer, renderer) without any terminal at all.
public protocol Terminal: AnyObject {
  /// Current size in rows and columns.
  var size: (rows: Int, columns: Int) { get }

  /// Takes over the screen (alternate screen, raw keys, hidden cursor).
  func start() throws

  /// Shows `screen`, sending only what changed.
  func draw(_ screen: ScreenBuffer)

  /// Waits up to `timeoutMilliseconds` for keys or for a byte on `wakeDescriptor`, and returns the
  /// keys that arrived (possibly none).
  func waitForKeys(timeoutMilliseconds: Int32, wakeDescriptor: Int32) -> [Key]

  /// Whether the terminal has gone (hung up, closed): the program should end, since nobody can
  /// see it or type into it any more.
  var isClosed: Bool { get }

  /// Re-reads the window size after a `SIGWINCH`; returns the new size.
  func refreshSize() -> (rows: Int, columns: Int)

  /// Gives the terminal back (for a child process), keeping the screen to restore later.
  func suspend()

  /// Takes the terminal again after ``suspend()`` and forces a full redraw on the next draw.
  func resume()

  /// Restores the terminal for good. Safe to call more than once.
  func stop()
}

/// A terminal that cannot be taken over.
public struct TerminalError: Error, Sendable, CustomStringConvertible {
  /// What went wrong.
  public let message: String

  /// The message.
  public var description: String { message }
}
