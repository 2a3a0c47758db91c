import Foundation
import Testing

@testable import RunAsCore

/// Every credential handler answers an unreachable STS with 502 (through `EndpointErrorResponse`),
/// not 500: the role profile `gamma` of a sandbox whose STS refuses connections.
@Suite("Endpoints when STS is unreachable")
struct EndpointUnreachableSTSTests {
  typealias World = CredentialServerHandlerTests.World

  static func request(
    _ method: String, _ path: String, body: String = "", headers: [(name: String, value: String)] = []
  ) -> EndpointRequest {
    EndpointRequest(method: method, path: path, headers: headers, body: Array(body.utf8))
  }

  /// The response is a bad gateway that says AWS cannot be reached.
  static func isBadGateway(_ response: EndpointResponse) -> Bool {
    response.status == 502 && String(decoding: response.body, as: UTF8.self).hasPrefix("cannot reach AWS: ")
  }

  /// `gamma` made active without fetching its credentials, as the TUI activates profiles.
  static func worldServingGamma() async throws -> World {
    let world = try World.withUnreachableSTS()
    try await world.switchboard.activate("gamma", engine: world.engine(), prompter: NoPrompter())
    return world
  }

  @Test func ecsRoutesAnswer502ForTheActiveProfileAndOneByName() async throws {
    let world = try await Self.worldServingGamma()
    let handler = ECSCredentialHandler(token: nil, switchboard: world.switchboard)
    #expect(Self.isBadGateway(await handler.respond(to: Self.request("GET", "/credentials"))))
    #expect(Self.isBadGateway(await handler.respond(to: Self.request("GET", "/credentials/gamma"))))
  }

  @Test func instanceMetadataAnswers502() async throws {
    let world = try await Self.worldServingGamma()
    let handler = InstanceMetadataHandler(switchboard: world.switchboard)
    let response = await handler.respond(
      to: Self.request("GET", InstanceMetadataHandler.credentialsPath + "gamma"))
    #expect(Self.isBadGateway(response))
  }

  @Test func selectingAProfileThroughTheManagementAPIAnswers502() async throws {
    let world = try World.withUnreachableSTS()
    let api = ManagementAPIHandler(switchboard: world.switchboard, token: nil)
    let response = await api.respond(
      to: Self.request("POST", "/profile", body: "gamma", headers: [("Content-Type", "application/octet-stream")]))
    #expect(Self.isBadGateway(response))
    #expect(await world.switchboard.activeProfile == nil)
  }

  @Test func theSwitchboardEndpointAnswers502() async throws {
    let world = try await Self.worldServingGamma()
    let handler = SwitchboardHandler(token: "t", switchboard: world.switchboard)
    let response = await handler.respond(
      to: Self.request("GET", "/credentials", headers: [("Authorization", "t")]))
    #expect(Self.isBadGateway(response))
  }
}
