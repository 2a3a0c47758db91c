import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A TCP socket listening on a free port of 127.0.0.1, closed when released.
///
/// Nothing accepts on it unless a test does: clients connect (the kernel completes the handshake)
/// and then wait for an answer that never comes, which is how an STS that takes connections and
/// never answers looks.
package final class LoopbackListener: Sendable {
  /// The port it listens on.
  package let port: Int
  /// The listening socket, for servers that accept on it.
  package let descriptor: Int32

  /// Binds a free port and listens, with room for `backlog` connections nobody accepts.
  package init(backlog: Int32 = 16) throws {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw HarnessError("socket(): \(String(cString: strerror(errno)))") }
    var address = loopbackAddress(port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let listening = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
        bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
      }
    }
    guard listening, listen(descriptor, backlog) == 0 else {
      let reason = String(cString: strerror(errno))
      close(descriptor)
      throw HarnessError("cannot listen on 127.0.0.1: \(reason)")
    }
    self.descriptor = descriptor
    port = Int(UInt16(bigEndian: address.sin_port))
  }

  deinit { close(descriptor) }
}

/// `127.0.0.1:port` (0: any free port) as a socket address.
func loopbackAddress(port: Int) -> sockaddr_in {
  var address = sockaddr_in()
  address.sin_family = sa_family_t(AF_INET)
  address.sin_port = in_port_t(UInt16(port).bigEndian)
  address.sin_addr.s_addr = inet_addr("127.0.0.1")
  return address
}

/// A server that sends a response head promising a large body, then one byte of it every 50 ms,
/// on a thread of its own (its sockets block; the concurrency pool never waits on them).
package final class DribblingServer: Sendable {
  private let listener: LoopbackListener
  private let sent = LockedValue(0)

  /// The port it listens on.
  package var port: Int { listener.port }

  /// How many bytes of the body it has sent.
  package var sentBodyBytes: Int { sent.withLock { $0 } }

  /// Listens and serves the first connection on a thread of its own.
  package init() throws {
    let listener = try LoopbackListener(backlog: 4)
    self.listener = listener
    let sent = self.sent
    // The thread holds the listener, so its socket stays open while `accept` waits on it.
    Thread.detachNewThread {
      let connection = accept(listener.descriptor, nil, nil)
      guard connection >= 0 else { return }
      defer { close(connection) }
      var buffer = [UInt8](repeating: 0, count: 4096)
      _ = recv(connection, &buffer, buffer.count, 0)
      let head = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"
      guard send(connection, head, head.utf8.count, Int32(MSG_NOSIGNAL)) > 0 else { return }
      // Until the client gives up (send fails) or the test ends (about a minute at most).
      for _ in 0..<1200 {
        guard send(connection, "x", 1, Int32(MSG_NOSIGNAL)) == 1 else { return }
        sent.withLock { $0 += 1 }
        usleep(50_000)
      }
    }
  }

  /// Stops accepting; a connection in progress ends when the client goes away.
  package func stop() {
    shutdown(listener.descriptor, Int32(SHUT_RDWR))
  }
}
