/// Random tokens for endpoint authorization.
package enum RandomToken {
  /// 32 random bytes from the system's secure generator, as 64 lowercase hex characters.
  package static func make() -> String {
    var generator = SystemRandomNumberGenerator()
    let digits = Array("0123456789abcdef")
    var text = ""
    text.reserveCapacity(64)
    for _ in 0..<32 {
      let byte = UInt8.random(in: 0...255, using: &generator)
      text.append(digits[Int(byte >> 4)])
      text.append(digits[Int(byte & 0x0f)])
    }
    return text
  }
}
