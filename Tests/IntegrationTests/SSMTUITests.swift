import Foundation
import Testing

/// `x` in the real TUI, in tmux: asks for a target, runs the session in the stand-in plugin with the
/// screen left, and comes back to the list.
@Suite("SSM shell from the TUI")
struct SSMTUITests {
  @Test func xAsksForATargetRunsTheSessionAndReturnsToTheList() async throws {
    let scenario = try await Scenario { TUITests.config($0) }
    let log = StandInLog(sandbox: scenario.sandbox)
    let name = "web-" + uniqueSuffix()
    let instance = try #require(try await scenario.emulator.createInstances([["tags": ["Name": name]]]).first)
    var environment = scenario.environment(["TERM": "xterm-256color", "SHELL": "/bin/sh", "ENV": ""])
    for (key, value) in log.environment { environment[key] = value }
    let session = try await TUISession(
      environment: environment, directory: scenario.sandbox.home.path, columns: 120, rows: 24)
    try await session.waitFor("staging")
    try await session.send("j")
    try await session.waitFor("details: dev")
    try await session.send("x")
    try await session.waitFor("SSM shell target")
    try await session.send("Name:\(name)", literal: true)
    try await session.send("Enter")
    let screen = try await session.waitFor("SSM shell on Name:\(name) for dev ended with status 0")
    #expect(screen.contains("staging"))

    let runs = try log.runs(of: "session-manager-plugin")
    try #require(runs.count == 1, "\(runs)")
    #expect(runs[0].strings("argv")[5] == "{\"Target\": \"\(instance.instanceId)\"}")
    #expect(runs[0]["stdin_is_tty"] as? Bool == true)
    let requests = try await scenario.emulator.ssmRequests()
    let start = try #require(
      requests.first { $0.string("operation") == "StartSession" && $0.string("target") == instance.instanceId })
    let sessionID = try #require(start.string("session_id"))
    #expect(requests.contains { $0.string("operation") == "TerminateSession" && $0.string("session_id") == sessionID })
  }
}
