import Foundation
import Testing

@testable import RunAsCore

/// The TUI's switchboard endpoint over a ``CredentialSwitchboard``, profiles activated as the
/// TUI's `a` key does (with the engine it shows, fetching nothing).
@Suite("Switchboard endpoint")
struct SwitchboardHandlerTests {
  typealias World = CredentialServerHandlerTests.World

  func request(_ path: String, token: String?, method: String = "GET") -> EndpointRequest {
    EndpointRequest(method: method, path: path, headers: token.map { [("Authorization", $0)] } ?? [])
  }

  static func text(_ response: EndpointResponse) -> String {
    String(decoding: response.body, as: UTF8.self)
  }

  @Test func refusesRequestsWithoutTheToken() async throws {
    let world = try World()
    let handler = SwitchboardHandler(token: "secret", switchboard: world.switchboard)
    #expect(await handler.respond(to: request("/credentials", token: nil)).status == 401)
    #expect(await handler.respond(to: request("/credentials", token: "wrong")).status == 401)
    #expect(await handler.respond(to: request("/credentials/profile", token: nil)).status == 401)
  }

  @Test func servesNothingUntilAProfileIsActive() async throws {
    let world = try World()
    let handler = SwitchboardHandler(token: "secret", switchboard: world.switchboard)
    let response = await handler.respond(to: request("/credentials", token: "secret"))
    #expect(response.status == 503)
    #expect(Self.text(response) == "no active profile: select one in aws-runas-tui and press a\n")
    #expect(Self.text(await handler.respond(to: request("/credentials/profile", token: "secret"))) == "{}")
  }

  @Test func servesTheActiveProfileAndSwitches() async throws {
    let world = try World()
    let handler = SwitchboardHandler(token: "secret", switchboard: world.switchboard)
    try await world.switchboard.activate("alpha", engine: world.engine(), prompter: NoPrompter())
    let response = await handler.respond(to: request("/credentials", token: "secret"))
    #expect(response.status == 200)
    #expect(Self.text(response).contains(#""AccessKeyId":"ASIAALPHA""#))
    let profile = await handler.respond(to: request("/credentials/profile", token: "secret"))
    #expect(Self.text(profile) == #"{"Profile":"alpha"}"#)
    try await world.switchboard.activate("beta", engine: world.engine(), prompter: NoPrompter())
    let switched = await handler.respond(to: request("/credentials/", token: "secret"))
    #expect(Self.text(switched).contains(#""AccessKeyId":"ASIABETA""#))
    #expect(await world.switchboard.activeProfile?.name == "beta")
  }

  @Test func otherPathsAndMethodsAreRefused() async throws {
    let world = try World()
    let handler = SwitchboardHandler(token: "secret", switchboard: world.switchboard)
    #expect(await handler.respond(to: request("/other", token: "secret")).status == 404)
    #expect(await handler.respond(to: request("/credentials/alpha", token: "secret")).status == 404)
    let post = await handler.respond(to: request("/credentials", token: "secret", method: "POST"))
    #expect(post.status == 405)
    #expect(post.headers.contains { $0.name == "Allow" && $0.value == "GET" })
  }

  @Test func activatingFetchesNothingAndAnUnknownProfileKeepsTheActiveOne() async throws {
    let world = try World.withUnreachableSTS()
    // gamma's credentials need STS, which is unreachable: activating still succeeds.
    try await world.switchboard.activate("gamma", engine: world.engine(), prompter: NoPrompter())
    #expect(await world.switchboard.activeProfile?.name == "gamma")
    await #expect(throws: ProfileError.self) {
      try await world.switchboard.activate("nope", engine: world.engine(), prompter: NoPrompter())
    }
    #expect(await world.switchboard.activeProfile?.name == "gamma")
  }
}
