/// A key press, decoded by the terminal adapter.
public enum Key: Sendable, Equatable {
  /// A printable character.
  case character(Character)
  /// Control plus a letter, e.g. `.control("r")` for Ctrl-R.
  case control(Character)
  /// Arrow keys.
  case up, down, left, right
  /// Paging and jumping keys.
  case pageUp, pageDown, home, end
  /// Enter / Return.
  case enter
  /// Escape.
  case escape
  /// Backspace (or Delete on terminals that send it).
  case backspace
  /// Tab.
  case tab
}
