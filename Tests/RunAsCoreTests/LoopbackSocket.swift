import Foundation

/// A raw TCP connection to a loopback port, for speaking (or half-speaking) HTTP to a server.
///
/// The socket blocks, so every operation runs on a thread of its own and is awaited: the
/// concurrency pool never waits on it. Reads give up after `readTimeout`, so a test fails instead
/// of hanging when a server does not answer.
final class LoopbackSocket: Sendable {
  private let descriptor: Int32

  private init(descriptor: Int32) {
    self.descriptor = descriptor
  }

  deinit { close(descriptor) }

  /// Connects to `127.0.0.1:port` and sends `initial` at once, on the same thread, so a server's
  /// idle timeout cannot fire in between however long the test waits for a thread.
  static func connect(port: Int, sending initial: String = "", readTimeout: Duration = .seconds(10)) async throws
    -> LoopbackSocket
  {
    let descriptor = await onDedicatedThread { () -> Int32 in
      let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
      guard fd >= 0 else { return -1 }
      var address = sockaddr_in()
      address.sin_family = sa_family_t(AF_INET)
      address.sin_port = in_port_t(UInt16(port).bigEndian)
      address.sin_addr.s_addr = inet_addr("127.0.0.1")
      let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
      }
      guard connected == 0 else {
        close(fd)
        return -1
      }
      var timeout = timeval(tv_sec: Int(readTimeout.components.seconds), tv_usec: 0)
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
      guard sendAll(initial, to: fd) else {
        close(fd)
        return -1
      }
      return fd
    }
    guard descriptor >= 0 else { throw POSIXError(.ECONNREFUSED) }
    return LoopbackSocket(descriptor: descriptor)
  }

  /// Sends `text`; `false` when the server has closed the connection.
  @discardableResult
  func send(_ text: String) async -> Bool {
    await onDedicatedThread { [descriptor] in sendAll(text, to: descriptor) }
  }

  /// How a read ended.
  enum Ending: Equatable {
    /// The server closed the connection.
    case closed
    /// A complete response (head and `Content-Length` body) arrived.
    case response
    /// Nothing more came within the read timeout.
    case timedOut
  }

  /// Reads one response, or until the server closes the connection or the read timeout passes.
  func readResponse() async -> (text: String, ending: Ending) {
    await onDedicatedThread { [descriptor] in
      var received: [UInt8] = []
      var buffer = [UInt8](repeating: 0, count: 65536)
      while true {
        let text = String(decoding: received, as: UTF8.self)
        if let end = text.range(of: "\r\n\r\n") {
          let head = text[..<end.lowerBound].lowercased()
          let length =
            head.components(separatedBy: "\r\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
          if text.utf8.count - text[..<end.upperBound].utf8.count >= length { return (text, .response) }
        }
        let n = recv(descriptor, &buffer, buffer.count, 0)
        if n == 0 { return (text, .closed) }
        if n < 0 { return (text, errno == EAGAIN || errno == EWOULDBLOCK ? .timedOut : .closed) }
        received += buffer[0..<n]
      }
    }
  }

  /// Sends `request` and reads its response.
  func exchange(_ request: String) async -> String {
    await send(request)
    return await readResponse().text
  }
}

/// Sends all of `text` on a blocking socket; `false` when the peer has closed it.
private func sendAll(_ text: String, to descriptor: Int32) -> Bool {
  let bytes = Array(text.utf8)
  var sent = 0
  while sent < bytes.count {
    let n = bytes[sent...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    if n <= 0 { return false }
    sent += n
  }
  return true
}
