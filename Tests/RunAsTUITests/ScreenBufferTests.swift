import Testing

@testable import RunAsTUI

/// Text from config files and servers is drawn, never obeyed.
@Suite("Screen buffer")
struct ScreenBufferTests {
  @Test func controlCharactersAreDrawnAsBlanks() {
    var screen = ScreenBuffer(rows: 1, columns: 12)
    screen.write("a\u{1B}[2J\u{9B}b\u{7F}\u{202E}c", row: 0, column: 0)
    #expect(screen.text.split(separator: "\n").first.map(String.init) == "a [2J b  c")
  }
}
