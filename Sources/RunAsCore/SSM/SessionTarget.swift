/// What the user named as the instance of an SSM session (spec §8.1): an instance ID, a
/// `tag:value` pair, an IPv4 address, or a host name (an EC2 DNS name, a name with a DNS TXT record
/// holding an instance ID, or a name whose address belongs to an instance).
public enum SessionTarget: Sendable, Equatable, CustomStringConvertible {
  /// An EC2 instance ID (`i-…`) or a managed instance ID (`mi-…`), used as it is.
  case instanceID(String)
  /// Instances whose tag `key` has the value `value` (`Name:web`).
  case tag(key: String, value: String)
  /// The instance with this private or public IPv4 address.
  case ipv4Address(String)
  /// A host name, looked up in DNS and among EC2's DNS names.
  case hostName(String)

  /// Classifies `text` (surrounding whitespace ignored).
  ///
  /// - Throws: ``SessionTargetError`` when the text is empty, a `tag:value` pair lacks one side,
  ///   or it is an IPv6 address (EC2 look-ups by address are IPv4 only).
  public init(parsing text: String) throws(SessionTargetError) {
    let text = Self.trimmed(text)
    guard !text.isEmpty else { throw SessionTargetError(message: "no target given") }
    if Self.isInstanceID(text) {
      self = .instanceID(text)
    } else if IPv4Address.isValid(text) {
      self = .ipv4Address(text)
    } else if let colon = text.firstIndex(of: ":") {
      if text.filter({ $0 == ":" }).count >= 2, text.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) {
        throw SessionTargetError(
          message: "target \"\(TerminalText.excerpt(text, limit: 100))\" is an IPv6 address",
          hint: "name the instance by its ID, a tag:value pair, its IPv4 address or a DNS name")
      }
      let key = String(text[..<colon])
      let value = String(text[text.index(after: colon)...])
      guard !key.isEmpty, !value.isEmpty else {
        throw SessionTargetError(
          message: "target \"\(TerminalText.excerpt(text, limit: 100))\" is not a tag:value pair",
          hint: "write the tag's key, a colon and its value, e.g. Name:web")
      }
      self = .tag(key: key, value: value)
    } else {
      self = .hostName(text)
    }
  }

  /// `i-0123…`, `tag Name = web`, `address 10.0.0.5` or `host web.example.com`, for messages.
  public var description: String {
    switch self {
    case .instanceID(let id): return TerminalText.excerpt(id, limit: 100)
    case .tag(let key, let value):
      return "tag \(TerminalText.excerpt(key, limit: 100)) = \(TerminalText.excerpt(value, limit: 200))"
    case .ipv4Address(let address): return "address \(address)"
    case .hostName(let name): return "host \(TerminalText.excerpt(name, limit: 200))"
    }
  }

  /// Whether `text` is an EC2 instance ID (`i-` and at least 8 hex digits, as AWS's own tools
  /// accept) or a managed instance ID (`mi-` and 17 hex digits).
  public static func isInstanceID(_ text: String) -> Bool {
    let hexDigits: Substring
    if text.hasPrefix("i-") {
      hexDigits = text.dropFirst(2)
      guard hexDigits.count >= 8 else { return false }
    } else if text.hasPrefix("mi-") {
      hexDigits = text.dropFirst(3)
      guard hexDigits.count == 17 else { return false }
    } else {
      return false
    }
    return hexDigits.allSatisfy { $0.isHexDigit && ($0.isNumber || $0.isLowercase) }
  }

  /// `text` without surrounding whitespace.
  public static func trimmed(_ text: String) -> String {
    var start = text.startIndex
    var end = text.endIndex
    while start < end, text[start].isWhitespace { start = text.index(after: start) }
    while end > start, text[text.index(before: end)].isWhitespace { end = text.index(before: end) }
    return String(text[start..<end])
  }
}

/// `target:port`, the argument of `forward` / `ssm forward`: the port is what follows the last
/// colon (spec §8.2), the rest is the target.
public struct ForwardTargetSpec: Sendable, Equatable {
  /// The instance to forward through.
  public var target: SessionTarget
  /// The port on the instance (or on the remote host reached through it).
  public var remotePort: Int

  /// Creates a spec from its parts.
  public init(target: SessionTarget, remotePort: Int) {
    self.target = target
    self.remotePort = remotePort
  }

  /// Parses `target:port`.
  ///
  /// - Throws: ``SessionTargetError`` when there is no port after the last colon, it is not a
  ///   number from 1 to 65535, or the target is not valid.
  public init(parsing text: String) throws(SessionTargetError) {
    let text = SessionTarget.trimmed(text)
    guard let colon = text.lastIndex(of: ":") else {
      throw SessionTargetError(
        message: "\"\(TerminalText.excerpt(text, limit: 100))\" names no remote port",
        hint: "write the target, a colon and the port on it, e.g. i-0123456789abcdef0:8080")
    }
    let portText = String(text[text.index(after: colon)...])
    guard let port = PortNumber.parse(portText, allowingZero: false) else {
      throw SessionTargetError(
        message: "remote port \"\(TerminalText.excerpt(portText, limit: 20))\" is not a port number",
        hint: "a port is a number from 1 to 65535, after the last colon of target:port")
    }
    self.init(target: try SessionTarget(parsing: String(text[..<colon])), remotePort: port)
  }
}

/// `[user@]target[:port]`, the argument of `ssm ssh` (spec §8.2): what OpenSSH passes to a
/// `ProxyCommand` as `%r@%h:%p`.
public struct SSHTargetSpec: Sendable, Equatable {
  /// The default login name, as on Amazon Linux.
  public static let defaultUser = "ec2-user"
  /// The default SSH port.
  public static let defaultPort = 22

  /// The login name on the instance (for EC2 Instance Connect).
  public var user: String
  /// The instance.
  public var target: SessionTarget
  /// The SSH port on the instance.
  public var port: Int

  /// Creates a spec from its parts.
  public init(user: String = defaultUser, target: SessionTarget, port: Int = defaultPort) {
    self.user = user
    self.target = target
    self.port = port
  }

  /// Parses `[user@]target[:port]`. The last colon-separated part is a port only when it is a
  /// number up to 65535, so `Name:web` stays a tag target; the part before the first `@` is a
  /// user only when it has no colon, so a tag value may hold an `@`.
  ///
  /// - Throws: ``SessionTargetError`` for an empty user or an invalid target.
  public init(parsing text: String) throws(SessionTargetError) {
    var rest = SessionTarget.trimmed(text)
    var user = Self.defaultUser
    if let at = rest.firstIndex(of: "@"), !rest[..<at].contains(":") {
      user = String(rest[..<at])
      rest = String(rest[rest.index(after: at)...])
      guard !user.isEmpty else {
        throw SessionTargetError(
          message: "\"\(TerminalText.excerpt(text, limit: 100))\" has an empty user name before @",
          hint: "write user@target, or leave the user out for \(Self.defaultUser)")
      }
    }
    var port = Self.defaultPort
    if let colon = rest.lastIndex(of: ":"),
      let number = PortNumber.parse(String(rest[rest.index(after: colon)...]), allowingZero: false)
    {
      port = number
      rest = String(rest[..<colon])
    }
    self.init(user: user, target: try SessionTarget(parsing: rest), port: port)
  }
}

/// Port numbers as the commands accept them.
public enum PortNumber {
  /// The number in `text` when it is all ASCII digits and at most 65535 (and not 0 unless
  /// `allowingZero`).
  public static func parse(_ text: String, allowingZero: Bool) -> Int? {
    guard !text.isEmpty, text.count <= 5, text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(text)
    else { return nil }
    guard value <= 65535, allowingZero || value > 0 else { return nil }
    return value
  }
}

/// IPv4 addresses in dotted-quad form.
public enum IPv4Address {
  /// Whether `text` is four decimal numbers from 0 to 255 separated by dots.
  public static func isValid(_ text: String) -> Bool {
    octets(text) != nil
  }

  /// The four octets of `text`, or `nil` when it is not a dotted quad.
  public static func octets(_ text: String) -> [UInt8]? {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 4 else { return nil }
    var result: [UInt8] = []
    for part in parts {
      guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }), let value = UInt8(part)
      else { return nil }
      result.append(value)
    }
    return result
  }

  /// Whether `text` is in a private (RFC 1918) or shared (RFC 6598) block, where EC2 matches the
  /// instance's private address rather than its public one.
  public static func isPrivate(_ text: String) -> Bool {
    guard let octets = octets(text) else { return false }
    switch (octets[0], octets[1]) {
    case (10, _): return true
    case (172, 16...31): return true
    case (192, 168): return true
    case (100, 64...127): return true
    default: return false
    }
  }
}

/// A target argument that cannot name an instance.
public struct SessionTargetError: UserFacingError, Sendable, Equatable {
  /// What is wrong with the argument.
  public let message: String
  /// How to write it instead.
  public let hint: String?

  /// Creates the error.
  public init(message: String, hint: String? = nil) {
    self.message = message
    self.hint = hint
  }
}
