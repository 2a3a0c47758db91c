import NIOCore
import NIOHTTP1
import Synchronization

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The open connections of one ``LoopbackHTTPServer``, for its connection cap.
///
/// Each connection is either waiting for (or still receiving) a request, or busy while the handler
/// answers one. When the cap is reached a new connection replaces the one that has waited longest,
/// so connections held open on purpose cannot lock out a real client; only when every connection
/// is busy is the new one refused.
final class ConnectionRegistry: Sendable {
  private struct Entry {
    let channel: any Channel
    /// When it started waiting for a request; `nil` while busy.
    var waitingSince: NIODeadline?
  }

  let capacity: Int
  private let entries = Mutex<[ObjectIdentifier: Entry]>([:])

  init(capacity: Int) {
    self.capacity = capacity
  }

  /// The number of open connections.
  var count: Int { entries.withLock { $0.count } }

  /// Registers `channel`, closing the longest-waiting connection when at capacity; `false`
  /// (and nothing registered) when every connection is busy.
  func admit(_ channel: any Channel) -> Bool {
    let key = ObjectIdentifier(channel)
    let outcome: (admitted: Bool, evicted: (any Channel)?) = entries.withLock { entries in
      var evicted: (any Channel)?
      if entries.count >= capacity {
        let waiting = entries.compactMap { entry in entry.value.waitingSince.map { (entry.key, $0) } }
        guard let oldest = waiting.min(by: { $0.1 < $1.1 }) else { return (false, nil) }
        evicted = entries.removeValue(forKey: oldest.0)?.channel
      }
      entries[key] = Entry(channel: channel, waitingSince: .now())
      return (true, evicted)
    }
    guard outcome.admitted else { return false }
    outcome.evicted?.close(promise: nil)
    channel.closeFuture.whenComplete { [weak self] _ in
      _ = self?.entries.withLock { $0.removeValue(forKey: key) }
    }
    return true
  }

  /// Records whether `channel` is waiting for a request (`true`) or busy answering one.
  func setWaiting(_ channel: any Channel, _ waiting: Bool) {
    entries.withLock { entries in
      let key = ObjectIdentifier(channel)
      guard entries[key] != nil else { return }
      entries[key]?.waitingSince = waiting ? .now() : nil
    }
  }
}

/// Thrown by the child initializer for a connection refused at the cap.
struct ConnectionLimitReached: Error {}

/// Sits before the HTTP decoder and reports that request bytes arrived, which starts the header
/// timeout (the decoder says nothing until a head is complete).
final class RequestBytesObserver: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = ByteBuffer
  typealias InboundOut = ByteBuffer

  /// The event sent up the pipeline for each read.
  struct BytesArrived {}

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    context.fireUserInboundEventTriggered(BytesArrived())
    context.fireChannelRead(data)
  }
}

/// Closes a connection that takes too long in any phase: idle, sending a head, sending a body.
/// While the handler is answering there is no limit (it may be waiting for an MFA code).
final class ConnectionDeadlines: ChannelDuplexHandler, RemovableChannelHandler {
  typealias InboundIn = HTTPServerRequestPart
  typealias InboundOut = HTTPServerRequestPart
  typealias OutboundIn = HTTPServerResponsePart
  typealias OutboundOut = HTTPServerResponsePart

  private enum Phase { case idle, readingHead, readingBody, answering }

  private let limits: LoopbackHTTPServer.Limits
  private let connections: ConnectionRegistry
  private var phase = Phase.idle
  private var timer: Scheduled<Void>?

  init(limits: LoopbackHTTPServer.Limits, connections: ConnectionRegistry) {
    self.limits = limits
    self.connections = connections
  }

  func handlerAdded(context: ChannelHandlerContext) {
    enter(.idle, context: context)
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    timer?.cancel()
  }

  func channelInactive(context: ChannelHandlerContext) {
    timer?.cancel()
    context.fireChannelInactive()
  }

  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    guard event is RequestBytesObserver.BytesArrived else {
      context.fireUserInboundEventTriggered(event)
      return
    }
    if phase == .idle { enter(.readingHead, context: context) }
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
    case .head: enter(.readingBody, context: context)
    case .body: break
    case .end: enter(.answering, context: context)
    }
    context.fireChannelRead(data)
  }

  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    if case .end = unwrapOutboundIn(data) { enter(.idle, context: context) }
    context.write(data, promise: promise)
  }

  private func enter(_ next: Phase, context: ChannelHandlerContext) {
    phase = next
    timer?.cancel()
    timer = nil
    connections.setWaiting(context.channel, next != .answering)
    let limit: Duration
    switch next {
    case .idle: limit = limits.idleTimeout
    case .readingHead: limit = limits.headerTimeout
    case .readingBody: limit = limits.bodyTimeout
    case .answering: return
    }
    let channel = context.channel
    timer = context.eventLoop.scheduleTask(in: .of(limit)) {
      channel.close(promise: nil)
    }
  }
}

/// The `Host` header values a credential endpoint answers: loopback names and addresses, the
/// address it listens on, and the instance metadata address. A web page can make a browser send
/// requests to the endpoint through a DNS name it controls (DNS rebinding), but the browser then
/// sends that name as the `Host`.
struct AllowedHosts: Sendable {
  /// The address the server listens on, without brackets, lower-cased.
  let boundHost: String

  /// The instance metadata service's addresses, which `serve ec2` answers as.
  static let metadataAddresses: Set<String> = ["169.254.169.254", "fd00:ec2::254"]

  init(boundHost: String) {
    self.boundHost = Self.normalized(boundHost)
  }

  /// Whether a request with this `Host` header is answered. A request without one (HTTP/1.0) is:
  /// browsers always send it.
  func allows(_ header: String?) -> Bool {
    guard let header else { return true }
    let host = Self.normalized(Self.hostPart(of: header))
    if host == boundHost || host == "localhost" || host.hasSuffix(".localhost") || host == "::1" {
      return true
    }
    if Self.metadataAddresses.contains(host) { return true }
    let octets = host.split(separator: ".", omittingEmptySubsequences: false)
    return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
  }

  /// `header` without its port: `[::1]:80` → `[::1]`, `localhost:8080` → `localhost`.
  static func hostPart(of header: String) -> Substring {
    let trimmed = header.trimmingCharacters(in: .whitespaces)[...]
    if trimmed.hasPrefix("["), let close = trimmed.firstIndex(of: "]") {
      return trimmed[...close]
    }
    if let colon = trimmed.firstIndex(of: ":") { return trimmed[..<colon] }
    return trimmed
  }

  /// Lower-cased, without IPv6 brackets or a trailing dot.
  static func normalized<S: StringProtocol>(_ host: S) -> String {
    var text = host.lowercased()[...]
    if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
    if text.hasSuffix(".") { text = text.dropLast() }
    return String(text)
  }
}
