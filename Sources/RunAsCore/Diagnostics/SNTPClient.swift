#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A one-shot SNTP (RFC 4330) query: how far the local clock is from a time server's.
///
/// Diagnostics measure clock drift from STS's `Date` header by default; this check runs only when
/// a server is configured (`RUNAS_NTP_SERVER`), since many networks block NTP.
public struct SNTPClient: Sendable {
  /// Why the query failed.
  public struct Failure: UserFacingError, Sendable {
    /// What went wrong, naming the server.
    public let message: String
  }

  /// The server as `host` or `host:port` (port 123 by default).
  public let server: String
  /// How long to wait for the answer.
  public let timeout: Duration

  /// A client for `server`.
  public init(server: String, timeout: Duration = .seconds(2)) {
    self.server = server
    self.timeout = timeout
  }

  /// Local clock minus the server's clock.
  ///
  /// The look-up and the exchange block (`getaddrinfo`, `recv` with a timeout), so they run on a
  /// thread of their own rather than on the concurrency pool.
  public func clockOffset() async throws -> Duration {
    try await DedicatedThread.run { [self] in try queryNow() }
  }

  private func queryNow() throws -> Duration {
    let (host, port) = Self.split(server)
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
    var list: UnsafeMutablePointer<addrinfo>?
    guard getaddrinfo(host, port, &hints, &list) == 0, let address = list else {
      throw Failure(message: "cannot resolve NTP server \(server)")
    }
    defer { freeaddrinfo(list) }
    let fd = socket(
      address.pointee.ai_family, address.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), address.pointee.ai_protocol
    )
    guard fd >= 0 else { throw Failure(message: "cannot open a socket for NTP: \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    let seconds = timeout.components.seconds
    let micros = timeout.components.attoseconds / 1_000_000_000_000
    var wait = timeval(tv_sec: Int(seconds), tv_usec: Int(micros))
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
    guard connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 else {
      throw Failure(message: "cannot reach NTP server \(server): \(String(cString: strerror(errno)))")
    }

    var packet = [UInt8](repeating: 0, count: 48)
    packet[0] = 0x1B  // leap indicator 0, version 3, mode 3 (client)
    let sent = Date()
    Self.write(Self.ntpTimestamp(sent), into: &packet, at: 40)
    guard send(fd, packet, packet.count, 0) == packet.count else {
      throw Failure(message: "cannot send to NTP server \(server): \(String(cString: strerror(errno)))")
    }
    var answer = [UInt8](repeating: 0, count: 48)
    let received = recv(fd, &answer, answer.count, 0)
    let arrived = Date()
    guard received >= 48 else {
      throw Failure(message: "no answer from NTP server \(server) within \(GoDuration.format(timeout))")
    }
    guard answer[0] & 0x07 == 4 || answer[0] & 0x07 == 5 else {
      throw Failure(message: "NTP server \(server) sent an answer that is not a server reply")
    }
    let serverReceived = Self.date(fromNTP: answer, at: 32)
    let serverSent = Self.date(fromNTP: answer, at: 40)
    // RFC 4330: offset of the server relative to us; drift is its negation.
    let serverAhead =
      (serverReceived.timeIntervalSince(sent) + serverSent.timeIntervalSince(arrived)) / 2
    return .milliseconds(Int64((-serverAhead * 1000).rounded()))
  }

  static func split(_ server: String) -> (host: String, port: String) {
    if let colon = server.lastIndex(of: ":"), !server.hasSuffix("]"), server.filter({ $0 == ":" }).count == 1 {
      return (String(server[..<colon]), String(server[server.index(after: colon)...]))
    }
    return (server, "123")
  }

  /// Seconds between 1900-01-01 (NTP's epoch) and 1970-01-01.
  static let epochOffset: Double = 2_208_988_800

  static func ntpTimestamp(_ date: Date) -> UInt64 {
    let seconds = date.timeIntervalSince1970 + epochOffset
    let whole = UInt64(seconds)
    let fraction = UInt64((seconds - Double(whole)) * 4_294_967_296)
    return whole << 32 | fraction
  }

  static func date(fromNTP bytes: [UInt8], at offset: Int) -> Date {
    var value: UInt64 = 0
    for index in offset..<offset + 8 { value = value << 8 | UInt64(bytes[index]) }
    let seconds = Double(value >> 32) + Double(value & 0xFFFF_FFFF) / 4_294_967_296
    return Date(timeIntervalSince1970: seconds - epochOffset)
  }

  static func write(_ value: UInt64, into bytes: inout [UInt8], at offset: Int) {
    for index in 0..<8 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (56 - 8 * index)) }
  }
}
