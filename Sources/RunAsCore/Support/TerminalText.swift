/// Text from files, servers and the command line made safe to show on a terminal.
///
/// A config line, a profile name or an AWS error message can carry escape sequences (`ESC[2J`
/// clears the screen, OSC sequences retitle the window or write to the clipboard), and can be
/// any length. Messages escape control characters with ``sanitized(_:)`` where they are printed,
/// and quote values through ``excerpt(_:limit:)`` where they are built.
public enum TerminalText {
  /// The length values are cut to by default when echoed in a message.
  public static let defaultExcerptLength = 200

  /// `text` with every control character written as a visible escape such as `\u{1B}`: C0
  /// controls (newline and tab included, so a message stays on its line), DEL, C1 controls, and
  /// the bidirectional overrides that can make text read differently from what it is.
  public static func sanitized(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: needsEscaping) else { return text }
    var result = ""
    result.reserveCapacity(text.utf8.count + 16)
    for scalar in text.unicodeScalars {
      if needsEscaping(scalar) {
        result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
      } else {
        result.unicodeScalars.append(scalar)
      }
    }
    return result
  }

  /// `text` cut to `limit` characters, ending in `…` and the full length when cut, with control
  /// characters escaped: how a value from outside is quoted in a message.
  public static func excerpt(_ text: String, limit: Int = defaultExcerptLength) -> String {
    // Counting stops at the limit: a megabyte of input costs no more than the excerpt.
    guard let end = text.index(text.startIndex, offsetBy: limit, limitedBy: text.endIndex), end < text.endIndex
    else { return sanitized(text) }
    let kept = text[..<text.index(text.startIndex, offsetBy: max(limit - 1, 0))]
    return sanitized(String(kept)) + "… (\(text.count) characters)"
  }

  /// Whether `character` holds a control character that ``sanitized(_:)`` would escape: a screen
  /// that draws text cell by cell shows it as a blank instead.
  public static func isControl(_ character: Character) -> Bool {
    character.unicodeScalars.contains(where: needsEscaping)
  }

  static func needsEscaping(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x00..<0x20, 0x7F...0x9F: return true
    // Bidirectional embeddings, overrides, isolates and marks.
    case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
    default: return false
    }
  }
}
