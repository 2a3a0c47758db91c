import Foundation
import Testing

@testable import RunAsCore

/// How a target becomes one running instance: the EC2 filters asked for, the DNS look-ups, and the
/// errors for none or several.
@Suite("SSM target resolution")
struct SSMResolverTests {
  /// Instances EC2 would list, filtered the way EC2 filters the names aws-runas uses.
  final class FakeEC2: EC2InstanceDirectory, @unchecked Sendable {
    let instances: [EC2Instance]
    private let lock = NSLock()
    private var recorded: [[EC2Filter]] = []

    init(_ instances: [EC2Instance]) { self.instances = instances }

    var requests: [[EC2Filter]] { lock.withLock { recorded } }

    func describeInstances(filters: [EC2Filter]) async throws -> [EC2Instance] {
      lock.withLock { recorded.append(filters) }
      return instances.filter { instance in
        filters.allSatisfy { filter in
          let value: [String]
          switch filter.name {
          case "instance-state-name": value = [instance.state]
          case "private-ip-address": value = instance.privateIPAddress.map { [$0] } ?? []
          case "ip-address": value = instance.publicIPAddress.map { [$0] } ?? []
          case "dns-name": value = instance.publicDNSName.map { [$0] } ?? []
          case "private-dns-name": value = instance.privateDNSName.map { [$0] } ?? []
          default:
            let key = filter.name.hasPrefix("tag:") ? String(filter.name.dropFirst(4)) : ""
            value = instance.tags.filter { $0.key == key }.map(\.value)
          }
          return !Set(value).isDisjoint(with: filter.values)
        }
      }
    }
  }

  /// DNS answers from a table.
  struct FakeDNS: HostNameLookup {
    var text: [String: [String]] = [:]
    var addresses: [String: [String]] = [:]

    func textRecords(for name: String) async throws -> [String] {
      guard let records = text[name] else { throw DNSLookupError(message: "no such name") }
      return records
    }

    func ipv4Addresses(for name: String) async throws -> [String] {
      addresses[name] ?? []
    }
  }

  static let web1 = EC2Instance(
    instanceID: "i-0000000000000web1", state: "running", privateIPAddress: "10.0.0.11", publicIPAddress: "54.0.0.11",
    privateDNSName: "ip-10-0-0-11.ec2.internal", publicDNSName: "ec2-54-0-0-11.compute-1.amazonaws.com",
    availabilityZone: "us-east-1a", tags: [("Name", "web"), ("Role", "web")])
  static let web2 = EC2Instance(
    instanceID: "i-0000000000000web2", state: "running", privateIPAddress: "10.0.0.12",
    tags: [("Name", "web-2"), ("Role", "web")])
  static let stopped = EC2Instance(
    instanceID: "i-00000000000000off", state: "stopped", privateIPAddress: "10.0.0.13", tags: [("Name", "old")])
  static let running = EC2Filter(name: "instance-state-name", values: ["running"])

  static func resolver(_ ec2: FakeEC2, dns: FakeDNS = FakeDNS()) -> SessionTargetResolver {
    SessionTargetResolver(instances: ec2, hostNames: dns, region: "us-east-1")
  }

  @Test func anInstanceIDNeedsNoLookUp() async throws {
    let ec2 = FakeEC2([Self.web1])
    let resolved = try await Self.resolver(ec2).resolve(.instanceID("i-0123456789abcdef0"))
    #expect(resolved == ResolvedSessionTarget(instanceID: "i-0123456789abcdef0"))
    #expect(ec2.requests.isEmpty)
  }

  @Test func aTagMatchesRunningInstancesOnly() async throws {
    let ec2 = FakeEC2([Self.web1, Self.web2, Self.stopped])
    let resolved = try await Self.resolver(ec2).resolve(.tag(key: "Name", value: "web"))
    #expect(resolved == ResolvedSessionTarget(instanceID: Self.web1.instanceID, instance: Self.web1))
    #expect(ec2.requests == [[EC2Filter(name: "tag:Name", values: ["web"]), Self.running]])
    await #expect(
      throws: SessionTargetResolutionError.noMatch(target: .tag(key: "Name", value: "old"), region: "us-east-1")
    ) {
      try await Self.resolver(ec2).resolve(.tag(key: "Name", value: "old"))
    }
  }

  @Test func severalMatchesAreAnErrorThatListsThem() async throws {
    let ec2 = FakeEC2([Self.web1, Self.web2])
    let error = await #expect(throws: SessionTargetResolutionError.self) {
      try await Self.resolver(ec2).resolve(.tag(key: "Role", value: "web"))
    }
    #expect(
      error?.description
        == "tag Role = web matches 2 running EC2 instances in us-east-1: i-0000000000000web1 (web, 10.0.0.11), "
        + "i-0000000000000web2 (web-2, 10.0.0.12) (name one of them by its instance ID)")
  }

  @Test func privateAddressesMatchPrivateIPsAndPublicOnesPublicIPs() async throws {
    let ec2 = FakeEC2([Self.web1, Self.web2])
    #expect(try await Self.resolver(ec2).resolve(.ipv4Address("10.0.0.12")).instanceID == Self.web2.instanceID)
    #expect(try await Self.resolver(ec2).resolve(.ipv4Address("54.0.0.11")).instanceID == Self.web1.instanceID)
    #expect(
      ec2.requests == [
        [EC2Filter(name: "private-ip-address", values: ["10.0.0.12"]), Self.running],
        [EC2Filter(name: "ip-address", values: ["54.0.0.11"]), Self.running],
      ])
  }

  @Test func ec2DNSNamesAreMatchedWithoutDNS() async throws {
    let ec2 = FakeEC2([Self.web1])
    let resolver = Self.resolver(ec2)
    #expect(
      try await resolver.resolve(.hostName("EC2-54-0-0-11.compute-1.amazonaws.com")).instanceID == Self.web1.instanceID)
    #expect(try await resolver.resolve(.hostName("ip-10-0-0-11.ec2.internal")).instanceID == Self.web1.instanceID)
  }

  @Test func aTXTRecordMayNameTheInstance() async throws {
    let ec2 = FakeEC2([Self.web1])
    let dns = FakeDNS(text: ["bastion.example.com": ["v=spf1 -all", " i-0123456789abcdef0 "]])
    let resolved = try await Self.resolver(ec2, dns: dns).resolve(.hostName("bastion.example.com"))
    #expect(resolved == ResolvedSessionTarget(instanceID: "i-0123456789abcdef0"))
  }

  @Test func otherNamesAreMatchedByTheirAddresses() async throws {
    let ec2 = FakeEC2([Self.web1, Self.web2])
    let dns = FakeDNS(text: ["web.example.com": []], addresses: ["web.example.com": ["10.0.0.12"]])
    let resolved = try await Self.resolver(ec2, dns: dns).resolve(.hostName("web.example.com"))
    #expect(resolved.instanceID == Self.web2.instanceID)
    #expect(ec2.requests.last == [EC2Filter(name: "private-ip-address", values: ["10.0.0.12"]), Self.running])
    await #expect(
      throws: SessionTargetResolutionError.noMatch(target: .hostName("nowhere.example.com"), region: "us-east-1")
    ) {
      try await Self.resolver(ec2, dns: dns).resolve(.hostName("nowhere.example.com"))
    }
  }

  @Test func theNoMatchMessageSaysWhereItLooked() {
    let error = SessionTargetResolutionError.noMatch(target: .tag(key: "Name", value: "web"), region: "eu-west-1")
    #expect(
      error.description
        == "no running EC2 instance in eu-west-1 matches tag Name = web (check the target, the profile's region "
        + "and that the instance is running)")
  }

  @Test func describeInstancesPagesAreParsedFromEC2sXML() throws {
    let xml = """
      <DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
        <requestId>r-1</requestId>
        <reservationSet><item><reservationId>r-0a</reservationId><instancesSet><item>
          <instanceId>i-0123456789abcdef0</instanceId>
          <instanceState><code>16</code><name>running</name></instanceState>
          <privateDnsName>ip-10-0-0-5.ec2.internal</privateDnsName><dnsName></dnsName>
          <placement><availabilityZone>us-east-1b</availabilityZone></placement>
          <privateIpAddress>10.0.0.5</privateIpAddress>
          <tagSet><item><key>Name</key><value>web</value></item><item><key>env</key><value/></item></tagSet>
        </item></instancesSet></item></reservationSet>
        <nextToken>page-2</nextToken>
      </DescribeInstancesResponse>
      """
    let root = try XMLTree.parse(xml)
    let instances = EC2Client.instances(in: root)
    #expect(
      instances == [
        EC2Instance(
          instanceID: "i-0123456789abcdef0", state: "running", privateIPAddress: "10.0.0.5",
          privateDNSName: "ip-10-0-0-5.ec2.internal", availabilityZone: "us-east-1b",
          tags: [("Name", "web"), ("env", "")])
      ])
    #expect(root.childText("nextToken") == "page-2")
  }

  @Test func filtersAreNumberedFromOne() {
    let parameters = EC2Client.parameters(
      filters: [EC2Filter(name: "tag:Name", values: ["a", "b"]), Self.running], pageSize: 5, nextToken: "t")
    #expect(
      parameters.map(\.0) == [
        "Filter.1.Name", "Filter.1.Value.1", "Filter.1.Value.2", "Filter.2.Name", "Filter.2.Value.1", "MaxResults",
        "NextToken",
      ])
    #expect(parameters.map(\.1) == ["tag:Name", "a", "b", "instance-state-name", "running", "5", "t"])
  }
}
