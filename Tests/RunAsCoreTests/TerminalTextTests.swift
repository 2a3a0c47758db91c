import Testing

@testable import RunAsCore

/// Text from outside reaches the terminal escaped and cut.
@Suite("Terminal text")
struct TerminalTextTests {
  @Test func controlCharactersBecomeVisibleEscapes() {
    #expect(TerminalText.sanitized("a\u{1B}[2Jb") == "a\\u{1B}[2Jb")
    #expect(TerminalText.sanitized("\u{1B}]0;title\u{07}") == "\\u{1B}]0;title\\u{7}")
    #expect(TerminalText.sanitized("line\nfake 2024/01/01 INFO ok\r") == "line\\u{A}fake 2024/01/01 INFO ok\\u{D}")
    #expect(TerminalText.sanitized("c1\u{9B}31m del\u{7F}") == "c1\\u{9B}31m del\\u{7F}")
  }

  @Test func bidirectionalOverridesAreEscaped() {
    #expect(TerminalText.sanitized("admin\u{202E}txt.exe") == "admin\\u{202E}txt.exe")
    #expect(TerminalText.sanitized("x\u{2066}y\u{2069}") == "x\\u{2066}y\\u{2069}")
  }

  @Test func ordinaryTextIsUnchanged() {
    for text in ["prod", "arn:aws:iam::123456789012:role/dev", "δοκιμή ✓", "tab-free \\ backslash"] {
      #expect(TerminalText.sanitized(text) == text)
    }
  }

  @Test func excerptsCutLongValuesAndSayHowLongTheyWere() {
    let long = String(repeating: "a", count: 1_048_576)
    let excerpt = TerminalText.excerpt(long, limit: 10)
    #expect(excerpt == "aaaaaaaaa… (1048576 characters)")
    #expect(TerminalText.excerpt("short", limit: 10) == "short")
    #expect(TerminalText.excerpt("exactly10!", limit: 10) == "exactly10!")
    #expect(TerminalText.excerpt("\u{1B}[2J\u{1B}[2J\u{1B}[2J", limit: 5) == "\\u{1B}[2J… (12 characters)")
  }
}
