import Foundation
import RunAsCore
import Testing

/// `EC2Client` and the target resolver in process against moto's EC2: every page is read, and
/// only running instances count.
@Suite("SSM DescribeInstances against moto")
struct SSMDescribeInstancesTests {
  @Test func everyPageIsReadAndOnlyRunningInstancesMatch() async throws {
    let emulator = try await STSEmulator.shared
    let user = try await emulator.createUser(name: "ec2-pages-" + uniqueSuffix())
    let name = "paged-" + uniqueSuffix()
    let made = try await emulator.createInstances(
      [
        ["tags": ["Name": name]], ["tags": ["Name": name]], ["tags": ["Name": name]],
        ["tags": ["Name": name], "state": "stopped"],
      ])
    let ec2 = EC2Client(
      client: AWSQueryClient(
        endpoint: ServiceEndpoint(url: emulator.endpoint, signingRegion: "us-east-1", service: "ec2"),
        apiVersion: EC2Client.apiVersion,
        credentials: AWSCredentials(accessKeyID: user.accessKeyId, secretAccessKey: user.secretAccessKey)),
      pageSize: 1)
    let all = try await ec2.describeInstances(filters: [EC2Filter(name: "tag:Name", values: [name])])
    #expect(Set(all.map(\.instanceID)) == Set(made.map(\.instanceId)))
    #expect(all.first { $0.instanceID == made[3].instanceId }?.state == "stopped")
    #expect(all.allSatisfy { $0.name == name && $0.privateIPAddress != nil && $0.availabilityZone != nil })

    let resolver = SessionTargetResolver(
      instances: ec2, hostNames: SystemHostNameLookup(nameServers: []), region: "us-east-1")
    let error = await #expect(throws: SessionTargetResolutionError.self) {
      try await resolver.resolve(.tag(key: "Name", value: name))
    }
    guard case .severalMatches(_, _, let instances) = error else {
      Issue.record("expected several matches, got \(String(describing: error))")
      return
    }
    #expect(Set(instances.map(\.instanceID)) == Set(made.prefix(3).map(\.instanceId)))
  }

  @Test func ec2sErrorDocumentIsReadAsOneLine() async throws {
    let emulator = try await STSEmulator()
    let user = try await emulator.createUser(name: "ec2-denied")
    try await emulator.injectFault(action: "DescribeInstances", status: 403, code: "UnauthorizedOperation")
    let ec2 = EC2Client(
      endpoint: ServiceEndpoint(url: emulator.endpoint, signingRegion: "us-east-1", service: "ec2"),
      credentials: AWSCredentials(accessKeyID: user.accessKeyId, secretAccessKey: user.secretAccessKey))
    let error = await #expect(throws: AWSServiceError.self) {
      try await ec2.describeInstances(filters: [EC2Filter(name: "tag:Name", values: ["x"])])
    }
    await emulator.stop()
    #expect(error?.code == "UnauthorizedOperation")
    #expect(error?.statusCode == 403)
    #expect(error?.description.hasPrefix("ec2 DescribeInstances failed: UnauthorizedOperation") == true)
    #expect(error?.description.contains("\n") == false)
  }
}
