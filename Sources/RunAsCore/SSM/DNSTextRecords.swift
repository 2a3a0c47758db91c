#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Looks host names up: the TXT records that may hold an instance ID, and IPv4 addresses.
public protocol HostNameLookup: Sendable {
  /// The TXT records of `name`, each record's strings joined; empty when the name has none.
  func textRecords(for name: String) async throws -> [String]
  /// The IPv4 addresses `name` resolves to; empty when it resolves to none.
  func ipv4Addresses(for name: String) async throws -> [String]
}

/// The system's DNS: TXT records by a query over UDP to the name servers of `/etc/resolv.conf`
/// (the C library has no portable TXT look-up), addresses through `getaddrinfo`. Both block, so
/// they run on a thread of their own.
public struct SystemHostNameLookup: HostNameLookup {
  /// The name servers asked, in order, as IP addresses with an optional port (`[::1]:53`, `127.0.0.1:5353`).
  public var nameServers: [String]
  /// How long to wait for each server's answer.
  public var timeout: Duration

  /// A look-up that asks `nameServers` (by default those of `/etc/resolv.conf`, else 127.0.0.1).
  public init(nameServers: [String]? = nil, timeout: Duration = .seconds(2)) {
    self.nameServers = nameServers ?? Self.configuredNameServers()
    self.timeout = timeout
  }

  /// The `nameserver` lines of `/etc/resolv.conf` (at most three, as the C library uses).
  public static func configuredNameServers(path: String = "/etc/resolv.conf") -> [String] {
    guard let bytes = try? POSIXFile.read(path, limit: 64 * 1024) else { return ["127.0.0.1"] }
    let servers = String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { line -> String? in
      let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
      guard words.count >= 2, words[0] == "nameserver" else { return nil }
      return String(words[1])
    }
    return servers.isEmpty ? ["127.0.0.1"] : Array(servers.prefix(3))
  }

  public func textRecords(for name: String) async throws -> [String] {
    let servers = nameServers
    let timeout = timeout
    return try await DedicatedThread.run {
      var lastFailure: (any Error)?
      for server in servers {
        do {
          return try Self.queryTextRecords(name: name, server: server, timeout: timeout)
        } catch {
          lastFailure = error
        }
      }
      throw lastFailure ?? DNSLookupError(message: "no name server to ask for \(name)")
    }
  }

  public func ipv4Addresses(for name: String) async throws -> [String] {
    try await DedicatedThread.run {
      var hints = addrinfo()
      hints.ai_family = AF_INET
      hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
      var list: UnsafeMutablePointer<addrinfo>?
      guard getaddrinfo(name, nil, &hints, &list) == 0 else { return [] }
      defer { freeaddrinfo(list) }
      var addresses: [String] = []
      var entry = list
      while let current = entry {
        if let address = current.pointee.ai_addr, current.pointee.ai_family == AF_INET {
          let text = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { socketAddress in
            var buffer = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            var inAddress = socketAddress.pointee.sin_addr
            return inet_ntop(AF_INET, &inAddress, &buffer, socklen_t(buffer.count)).map { String(cString: $0) }
          }
          if let text, !addresses.contains(text) { addresses.append(text) }
        }
        entry = current.pointee.ai_next
      }
      return addresses
    }
  }

  /// One TXT query to one server over UDP.
  static func queryTextRecords(name: String, server: String, timeout: Duration) throws -> [String] {
    let (host, port) = Self.split(server)
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
    hints.ai_flags = AI_NUMERICHOST
    var list: UnsafeMutablePointer<addrinfo>?
    guard getaddrinfo(host, port, &hints, &list) == 0, let address = list else {
      throw DNSLookupError(message: "name server \(server) is not an IP address")
    }
    defer { freeaddrinfo(list) }
    let descriptor = socket(
      address.pointee.ai_family, address.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue),
      address.pointee.ai_protocol)
    guard descriptor >= 0 else {
      throw DNSLookupError(message: "cannot open a socket for DNS: \(String(cString: strerror(errno)))")
    }
    defer { close(descriptor) }
    var wait = timeval(
      tv_sec: Int(timeout.components.seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
    setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
    guard connect(descriptor, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 else {
      throw DNSLookupError(message: "cannot reach name server \(server): \(String(cString: strerror(errno)))")
    }
    let identifier = UInt16.random(in: 0...UInt16.max)
    let query = try DNSMessage.query(name: name, type: DNSMessage.textType, identifier: identifier)
    guard send(descriptor, query, query.count, 0) == query.count else {
      throw DNSLookupError(message: "cannot send to name server \(server): \(String(cString: strerror(errno)))")
    }
    var answer = [UInt8](repeating: 0, count: 4096)
    // Answers with another ID (a late reply to an earlier query) are skipped, up to a few.
    for _ in 0..<4 {
      let received = recv(descriptor, &answer, answer.count, 0)
      guard received > 0 else {
        throw DNSLookupError(message: "no answer from name server \(server) for \(name)")
      }
      let message = Array(answer[0..<received])
      guard DNSMessage.identifier(of: message) == identifier else { continue }
      return try DNSMessage.textRecords(inAnswer: message)
    }
    throw DNSLookupError(message: "no matching answer from name server \(server) for \(name)")
  }

  static func split(_ server: String) -> (host: String, port: String) {
    if server.hasPrefix("["), let close = server.firstIndex(of: "]") {
      let host = String(server[server.index(after: server.startIndex)..<close])
      let rest = server[server.index(after: close)...]
      return (host, rest.hasPrefix(":") ? String(rest.dropFirst()) : "53")
    }
    if server.filter({ $0 == ":" }).count == 1, let colon = server.firstIndex(of: ":") {
      return (String(server[..<colon]), String(server[server.index(after: colon)...]))
    }
    return (server, "53")
  }
}

/// The parts of the DNS wire format (RFC 1035) a TXT look-up needs.
public enum DNSMessage {
  /// The TXT record type.
  public static let textType: UInt16 = 16

  /// A recursive query for `name` and `type`, class IN.
  ///
  /// - Throws: ``DNSLookupError`` when a label is empty or longer than 63 bytes, or the name longer
  ///   than 253.
  public static func query(name: String, type: UInt16, identifier: UInt16) throws(DNSLookupError) -> [UInt8] {
    var message: [UInt8] = []
    append(identifier, to: &message)
    message += [0x01, 0x00]  // standard query, recursion desired
    append(1, to: &message)  // one question
    message += [0, 0, 0, 0, 0, 0]
    let trimmed = name.hasSuffix(".") ? String(name.dropLast()) : name
    guard !trimmed.isEmpty, trimmed.utf8.count <= 253 else {
      throw DNSLookupError(message: "\"\(TerminalText.excerpt(name, limit: 100))\" is not a DNS name")
    }
    for label in trimmed.split(separator: ".", omittingEmptySubsequences: false) {
      let bytes = Array(label.utf8)
      guard (1...63).contains(bytes.count) else {
        throw DNSLookupError(message: "\"\(TerminalText.excerpt(name, limit: 100))\" is not a DNS name")
      }
      message.append(UInt8(bytes.count))
      message += bytes
    }
    message.append(0)
    append(type, to: &message)
    append(1, to: &message)  // class IN
    return message
  }

  /// The ID of a message, `nil` when it is shorter than a header.
  public static func identifier(of message: [UInt8]) -> UInt16? {
    message.count >= 12 ? UInt16(message[0]) << 8 | UInt16(message[1]) : nil
  }

  /// The TXT records in an answer, each record's character strings joined. A name that does not
  /// exist (NXDOMAIN) has none.
  ///
  /// - Throws: ``DNSLookupError`` for a server failure, a truncated answer or a malformed message.
  public static func textRecords(inAnswer message: [UInt8]) throws(DNSLookupError) -> [String] {
    guard message.count >= 12 else { throw DNSLookupError(message: "DNS answer shorter than its header") }
    let flags = UInt16(message[2]) << 8 | UInt16(message[3])
    guard flags & 0x8000 != 0 else { throw DNSLookupError(message: "DNS answer is not a response") }
    let responseCode = flags & 0x000F
    if responseCode == 3 { return [] }
    guard responseCode == 0 else {
      throw DNSLookupError(message: "DNS server answered with error code \(responseCode)")
    }
    guard flags & 0x0200 == 0 else { throw DNSLookupError(message: "DNS answer was truncated") }
    let questions = Int(read16(message, 4))
    let answers = Int(read16(message, 6))
    var offset = 12
    for _ in 0..<questions {
      offset = try skipName(message, from: offset) + 4
    }
    var records: [String] = []
    for _ in 0..<answers {
      offset = try skipName(message, from: offset)
      guard offset + 10 <= message.count else { throw malformed }
      let type = read16(message, offset)
      let length = Int(read16(message, offset + 8))
      let dataStart = offset + 10
      guard dataStart + length <= message.count else { throw malformed }
      if type == textType {
        var text: [UInt8] = []
        var position = dataStart
        while position < dataStart + length {
          let stringLength = Int(message[position])
          guard position + 1 + stringLength <= dataStart + length else { throw malformed }
          text += message[(position + 1)..<(position + 1 + stringLength)]
          position += 1 + stringLength
        }
        records.append(String(decoding: text, as: UTF8.self))
      }
      offset = dataStart + length
    }
    return records
  }

  private static var malformed: DNSLookupError { DNSLookupError(message: "malformed DNS answer") }

  private static func skipName(_ message: [UInt8], from start: Int) throws(DNSLookupError) -> Int {
    var offset = start
    while true {
      guard offset < message.count else { throw malformed }
      let length = message[offset]
      if length == 0 { return offset + 1 }
      if length & 0xC0 == 0xC0 {
        guard offset + 1 < message.count else { throw malformed }
        return offset + 2
      }
      offset += 1 + Int(length)
    }
  }

  private static func read16(_ message: [UInt8], _ offset: Int) -> UInt16 {
    UInt16(message[offset]) << 8 | UInt16(message[offset + 1])
  }

  private static func append(_ value: UInt16, to message: inout [UInt8]) {
    message.append(UInt8(value >> 8))
    message.append(UInt8(value & 0xFF))
  }
}

/// A DNS look-up that failed (not a name without records, which is an empty answer).
public struct DNSLookupError: UserFacingError, Sendable, Equatable {
  /// What went wrong.
  public let message: String

  /// Creates the error.
  public init(message: String) {
    self.message = message
  }
}
