import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import RunAsCore

/// DNS TXT look-ups for targets whose TXT record holds an instance ID: the wire format, and a real
/// exchange with a name server on loopback.
@Suite("SSM DNS TXT records")
struct SSMDNSTests {
  /// An answer to `query` with `records` as TXT records (`rcode` 3 for NXDOMAIN), the question
  /// copied and the answers' names compressed to point at it, as servers do.
  static func answer(to query: [UInt8], records: [[String]], rcode: UInt8 = 0) -> [UInt8] {
    var message = Array(query[0..<2])
    message += [0x81, 0x80 | rcode]
    message += [0, 1, 0, UInt8(records.count), 0, 0, 0, 0]
    message += query[12...]
    for strings in records {
      var data: [UInt8] = []
      for string in strings {
        data.append(UInt8(string.utf8.count))
        data += string.utf8
      }
      message += [0xC0, 12, 0, 16, 0, 1, 0, 0, 0, 60, UInt8(data.count >> 8), UInt8(data.count & 0xFF)]
      message += data
    }
    return message
  }

  @Test func aQueryAsksRecursivelyForOneName() throws {
    let query = try DNSMessage.query(name: "bastion.example.com.", type: DNSMessage.textType, identifier: 0x1234)
    var expected: [UInt8] = [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
    for label in ["bastion", "example", "com"] {
      expected.append(UInt8(label.utf8.count))
      expected += Array(label.utf8)
    }
    expected += [0, 0, 16, 0, 1]
    #expect(query == expected)
    #expect(throws: DNSLookupError.self) { try DNSMessage.query(name: "a..b", type: 16, identifier: 1) }
    #expect(throws: DNSLookupError.self) {
      try DNSMessage.query(name: String(repeating: "x", count: 64) + ".com", type: 16, identifier: 1)
    }
  }

  @Test func answersGiveEachRecordsStringsJoined() throws {
    let query = try DNSMessage.query(name: "bastion.example.com", type: 16, identifier: 7)
    let answer = Self.answer(to: query, records: [["i-0123456789", "abcdef0"], ["v=spf1 -all"]])
    #expect(try DNSMessage.textRecords(inAnswer: answer) == ["i-0123456789abcdef0", "v=spf1 -all"])
    #expect(try DNSMessage.textRecords(inAnswer: Self.answer(to: query, records: [], rcode: 3)) == [])
    #expect(throws: DNSLookupError.self) {
      try DNSMessage.textRecords(inAnswer: Self.answer(to: query, records: [], rcode: 2))
    }
    #expect(throws: DNSLookupError.self) { try DNSMessage.textRecords(inAnswer: Array(answer.dropLast(3))) }
  }

  @Test func theNameServersComeFromResolvConf() throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("resolv-\(UUID().uuidString).conf")
    defer { try? FileManager.default.removeItem(at: file) }
    try "# comment\nsearch example.com\nnameserver 10.0.0.2\nnameserver\t::1\noptions ndots:2\n"
      .write(to: file, atomically: true, encoding: .utf8)
    #expect(SystemHostNameLookup.configuredNameServers(path: file.path) == ["10.0.0.2", "::1"])
    #expect(SystemHostNameLookup.configuredNameServers(path: file.path + ".missing") == ["127.0.0.1"])
  }

  @Test func aNameServerOnLoopbackAnswersTheLookUp() async throws {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let channel = try await DatagramBootstrap(group: group)
      .channelInitializer { channel in channel.pipeline.addHandler(TXTServer()) }
      .bind(host: "127.0.0.1", port: 0).get()
    let port = try #require(channel.localAddress?.port)
    let lookup = SystemHostNameLookup(nameServers: ["127.0.0.1:\(port)"], timeout: .seconds(5))
    let records = try await lookup.textRecords(for: "bastion.example.com")
    let missing = try await lookup.textRecords(for: "nothing.example.com")
    try await channel.close()
    try await group.shutdownGracefully()
    #expect(records == ["i-0123456789abcdef0"])
    #expect(missing == [])
  }

  /// Answers `bastion.example.com` with a TXT record and everything else with NXDOMAIN.
  final class TXTServer: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
      let envelope = unwrapInboundIn(data)
      let query = Array(envelope.data.readableBytesView)
      let known = query.count > 12 && Array(query[12...]).starts(with: [7] + Array("bastion".utf8))
      let answer = SSMDNSTests.answer(to: query, records: known ? [["i-0123456789abcdef0"]] : [], rcode: known ? 0 : 3)
      let buffer = context.channel.allocator.buffer(bytes: answer)
      context.writeAndFlush(
        wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: buffer)), promise: nil)
    }
  }
}
