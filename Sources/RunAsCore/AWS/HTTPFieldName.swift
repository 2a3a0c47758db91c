/// Case-insensitive comparison of ASCII header field names.
enum HTTPFieldName {
  static func equal(_ lhs: String, _ rhs: String) -> Bool {
    let left = lhs.utf8
    let right = rhs.utf8
    guard left.count == right.count else { return false }
    return zip(left, right).allSatisfy { lowercase($0) == lowercase($1) }
  }

  static func lowercased(_ name: String) -> String {
    String(decoding: name.utf8.map(lowercase), as: UTF8.self)
  }

  private static func lowercase(_ byte: UInt8) -> UInt8 {
    byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
  }
}
