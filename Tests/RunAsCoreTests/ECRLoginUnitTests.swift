import Foundation
import Testing

@testable import RunAsCore

/// `ecr login`'s registry arguments and ECR's authorization tokens (spec §8.4).
@Suite("ECR registries")
struct ECRLoginUnitTests {
  @Test func registryHostsAreUsedAsTheyAreWithTheirRegion() throws {
    let registry = try ECRRegistry(argument: "123456789012.dkr.ecr.eu-west-2.amazonaws.com", defaultRegion: "us-east-1")
    #expect(
      registry
        == ECRRegistry(
          host: "123456789012.dkr.ecr.eu-west-2.amazonaws.com", accountID: "123456789012", region: "eu-west-2"))
    #expect(
      try ECRRegistry(argument: "https://123456789012.dkr.ecr.us-west-2.amazonaws.com/", defaultRegion: nil).host
        == "123456789012.dkr.ecr.us-west-2.amazonaws.com")
    #expect(
      try ECRRegistry(argument: "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com", defaultRegion: nil).region
        == "us-gov-west-1")
  }

  @Test func accountIDsNameTheirRegistryInTheProfilesRegion() throws {
    #expect(
      try ECRRegistry(argument: "210987654321", defaultRegion: "ap-south-1")
        == ECRRegistry(
          host: "210987654321.dkr.ecr.ap-south-1.amazonaws.com", accountID: "210987654321", region: "ap-south-1"))
    #expect(
      try ECRRegistry(argument: "210987654321", defaultRegion: "cn-north-1").host
        == "210987654321.dkr.ecr.cn-north-1.amazonaws.com.cn")
  }

  @Test func argumentsThatNameNoRegistryAreErrors() {
    #expect(throws: ECRLoginError.self) { try ECRRegistry(argument: "s3.amazonaws.com", defaultRegion: "us-east-1") }
    #expect(throws: ECRLoginError.self) { try ECRRegistry(argument: "docker.io", defaultRegion: "us-east-1") }
    #expect(throws: ECRLoginError.self) { try ECRRegistry(argument: "1234", defaultRegion: "us-east-1") }
    let noRegion = #expect(throws: ECRLoginError.self) { try ECRRegistry(argument: "210987654321", defaultRegion: nil) }
    #expect(noRegion?.message == "no region for the registry of account 210987654321")
  }

  @Test func tokensHoldTheUserAndPassword() throws {
    let token = Data("AWS:pass:with:colons".utf8).base64EncodedString()
    let credentials = try ECRAuthorization(authorizationToken: token, proxyEndpoint: nil).credentials()
    #expect(credentials.username == "AWS")
    #expect(credentials.password == "pass:with:colons")
    #expect(throws: ECRLoginError.self) {
      try ECRAuthorization(authorizationToken: "not base64!", proxyEndpoint: nil).credentials()
    }
    #expect(throws: ECRLoginError.self) {
      try ECRAuthorization(authorizationToken: Data("nocolon".utf8).base64EncodedString(), proxyEndpoint: nil)
        .credentials()
    }
  }

  @Test func theProxyEndpointsHostPicksTheToken() {
    #expect(
      ECRLogin.host(of: "https://123456789012.dkr.ecr.us-east-1.amazonaws.com")
        == "123456789012.dkr.ecr.us-east-1.amazonaws.com")
    #expect(ECRLogin.host(of: nil) == nil)
  }

  @Test func theECRAPIHostIsNotItsSigningName() throws {
    let endpoint = try EndpointResolver.resolve(service: "ecr", region: "eu-west-1", environment: [:])
    #expect(
      endpoint
        == ServiceEndpoint(url: "https://api.ecr.eu-west-1.amazonaws.com", signingRegion: "eu-west-1", service: "ecr"))
    let connect = try EndpointResolver.resolve(
      service: "ec2-instance-connect", region: "eu-west-1",
      environment: ["AWS_ENDPOINT_URL_EC2_INSTANCE_CONNECT": "http://127.0.0.1:9"])
    #expect(connect.url == "http://127.0.0.1:9")
    #expect(connect.service == "ec2-instance-connect")
  }
}
