import Testing

@testable import RunAsCore

/// How the session commands read their target arguments (spec §8.1, §8.2).
@Suite("SSM targets")
struct SSMTargetTests {
  @Test func instanceIDsAreUsedAsTheyAre() throws {
    #expect(try SessionTarget(parsing: "i-0123456789abcdef0") == .instanceID("i-0123456789abcdef0"))
    #expect(try SessionTarget(parsing: " i-12345678 ") == .instanceID("i-12345678"))
    #expect(try SessionTarget(parsing: "mi-0123456789abcdef0") == .instanceID("mi-0123456789abcdef0"))
    // Too short, upper case or not hex: a host name, not an ID.
    #expect(try SessionTarget(parsing: "i-1234") == .hostName("i-1234"))
    #expect(try SessionTarget(parsing: "i-0123456789ABCDEF0") == .hostName("i-0123456789ABCDEF0"))
    #expect(try SessionTarget(parsing: "i-web-server") == .hostName("i-web-server"))
  }

  @Test func tagValuePairsSplitAtTheFirstColon() throws {
    #expect(try SessionTarget(parsing: "Name:web") == .tag(key: "Name", value: "web"))
    #expect(
      try SessionTarget(parsing: "aws:cloudformation:stack-name:app")
        == .tag(key: "aws", value: "cloudformation:stack-name:app"))
    #expect(try SessionTarget(parsing: "Owner:me@example.com") == .tag(key: "Owner", value: "me@example.com"))
  }

  @Test func addressesAndNamesAreRecognised() throws {
    #expect(try SessionTarget(parsing: "10.0.0.5") == .ipv4Address("10.0.0.5"))
    #expect(try SessionTarget(parsing: "54.1.2.3") == .ipv4Address("54.1.2.3"))
    #expect(try SessionTarget(parsing: "10.0.0.256") == .hostName("10.0.0.256"))
    #expect(try SessionTarget(parsing: "web.example.com") == .hostName("web.example.com"))
    #expect(try SessionTarget(parsing: "ip-10-0-0-5.ec2.internal") == .hostName("ip-10-0-0-5.ec2.internal"))
  }

  @Test func emptyHalfTagsAndIPv6AddressesAreErrors() {
    #expect(throws: SessionTargetError(message: "no target given")) { try SessionTarget(parsing: "  ") }
    #expect(throws: SessionTargetError.self) { try SessionTarget(parsing: "Name:") }
    #expect(throws: SessionTargetError.self) { try SessionTarget(parsing: ":web") }
    let error = #expect(throws: SessionTargetError.self) { try SessionTarget(parsing: "fe80::1") }
    #expect(error?.message == "target \"fe80::1\" is an IPv6 address")
  }

  @Test func privateAddressesAreTheRFC1918AndSharedBlocks() {
    for address in ["10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1", "100.127.1.1"] {
      #expect(IPv4Address.isPrivate(address), "\(address)")
    }
    for address in ["172.15.0.1", "172.32.0.1", "100.128.0.1", "54.1.2.3", "8.8.8.8"] {
      #expect(!IPv4Address.isPrivate(address), "\(address)")
    }
  }

  @Test func forwardSpecsTakeThePortAfterTheLastColon() throws {
    #expect(
      try ForwardTargetSpec(parsing: "i-0123456789abcdef0:8080")
        == ForwardTargetSpec(target: .instanceID("i-0123456789abcdef0"), remotePort: 8080))
    #expect(
      try ForwardTargetSpec(parsing: "Name:web:443")
        == ForwardTargetSpec(target: .tag(key: "Name", value: "web"), remotePort: 443))
    #expect(
      try ForwardTargetSpec(parsing: "10.0.0.5:22")
        == ForwardTargetSpec(target: .ipv4Address("10.0.0.5"), remotePort: 22))
  }

  @Test func forwardSpecsWithoutAValidPortAreErrors() {
    let missing = #expect(throws: SessionTargetError.self) { try ForwardTargetSpec(parsing: "i-0123456789abcdef0") }
    #expect(missing?.message == "\"i-0123456789abcdef0\" names no remote port")
    for text in ["Name:web", "i-0123456789abcdef0:0", "i-0123456789abcdef0:65536", "i-0123456789abcdef0:+80"] {
      #expect(throws: SessionTargetError.self, "\(text)") { try ForwardTargetSpec(parsing: text) }
    }
  }

  @Test func sshSpecsAreProxyCommandsUserHostAndPort() throws {
    #expect(
      try SSHTargetSpec(parsing: "ubuntu@i-0123456789abcdef0:2222")
        == SSHTargetSpec(user: "ubuntu", target: .instanceID("i-0123456789abcdef0"), port: 2222))
    #expect(
      try SSHTargetSpec(parsing: "i-0123456789abcdef0")
        == SSHTargetSpec(user: "ec2-user", target: .instanceID("i-0123456789abcdef0"), port: 22))
    #expect(
      try SSHTargetSpec(parsing: "admin@Name:web:22")
        == SSHTargetSpec(user: "admin", target: .tag(key: "Name", value: "web"), port: 22))
  }

  @Test func aTagValueIsNotMistakenForAPortOrAUser() throws {
    #expect(try SSHTargetSpec(parsing: "Name:web") == SSHTargetSpec(target: .tag(key: "Name", value: "web")))
    #expect(
      try SSHTargetSpec(parsing: "Owner:me@example.com")
        == SSHTargetSpec(target: .tag(key: "Owner", value: "me@example.com")))
    #expect(
      try SSHTargetSpec(parsing: "Name:web:99999")
        == SSHTargetSpec(target: .tag(key: "Name", value: "web:99999")))
    #expect(throws: SessionTargetError.self) { try SSHTargetSpec(parsing: "@i-0123456789abcdef0") }
  }

  @Test func theTargetTextIsWhatTheUserWrote() throws {
    for text in ["i-0123456789abcdef0", "Name:web", "10.0.0.5", "web.example.com"] {
      #expect(try SessionTarget(parsing: text).text == text)
    }
  }
}
