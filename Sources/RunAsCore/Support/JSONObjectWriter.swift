/// Writes a flat JSON object with keys in the order they are added.
///
/// The credential formats this tool speaks (`credential_process`, the ECS endpoint, the Go tool's
/// cache files) have a fixed key order; `JSONEncoder` does not promise one.
package struct JSONObjectWriter: Sendable {
  private var text = "{"
  private var isEmpty = true

  /// An empty object.
  package init() {}

  /// Adds a string member.
  package mutating func add(_ key: String, _ value: String) {
    separate()
    Self.appendQuoted(key, to: &text)
    text += ":"
    Self.appendQuoted(value, to: &text)
  }

  /// Adds a string member only when `value` is non-nil and non-empty.
  package mutating func addIfPresent(_ key: String, _ value: String?) {
    if let value, !value.isEmpty { add(key, value) }
  }

  /// Adds an integer member.
  package mutating func add(_ key: String, _ value: Int) {
    separate()
    Self.appendQuoted(key, to: &text)
    text += ":\(value)"
  }

  /// Adds a Boolean member.
  package mutating func add(_ key: String, _ value: Bool) {
    separate()
    Self.appendQuoted(key, to: &text)
    text += value ? ":true" : ":false"
  }

  /// The finished object, e.g. `{"a":"b"}`.
  package var result: String { text + "}" }

  private mutating func separate() {
    if isEmpty { isEmpty = false } else { text += "," }
  }

  /// Appends `value` as a JSON string literal with every required escape.
  package static func appendQuoted(_ value: String, to text: inout String) {
    text += "\""
    // Keys, secrets and tokens need no escape: copy them whole instead of scalar by scalar.
    if !value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
      text += value
      text += "\""
      return
    }
    for scalar in value.unicodeScalars {
      switch scalar {
      case "\"": text += "\\\""
      case "\\": text += "\\\\"
      case "\n": text += "\\n"
      case "\r": text += "\\r"
      case "\t": text += "\\t"
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: text.unicodeScalars.append(scalar)
      }
    }
    text += "\""
  }
}
