import Foundation
import RunAsCore
import TestSupport
import Testing

/// Endpoints and network calls against hostile peers (issues 14 and 7): children that outlive the
/// tool, web pages that talk to `serve`, an STS that accepts connections and never answers.
@Suite("Hostile peers")
struct EndpointHostileInputTests {
  @Test func theWrappedCommandInheritsNoDescriptorsAndTheEndpointDiesWithTheTool() async throws {
    let scenario = try await Scenario { _ in Scenario.roleProfileConfig() }
    // Lists the shell's descriptors above 2, then leaves a background process behind.
    let script = """
      i=3; while [ $i -lt 1024 ]; do [ -e /proc/self/fd/$i ] && echo "fd $i"; i=$((i+1)); done
      sleep 30 </dev/null >/dev/null 2>&1 &
      echo "pid $!"
      echo "url $AWS_CONTAINER_CREDENTIALS_FULL_URI"
      """
    let result = try await scenario.runAs(["dev", "/bin/sh", "-c", script])
    #expect(result.exitCode == 0, "\(result.output())")
    let lines = result.stdout.split(separator: "\n")
    #expect(!lines.contains { $0.hasPrefix("fd ") }, "inherited: \(result.stdout)")
    let pid = lines.first { $0.hasPrefix("pid ") }.flatMap { Int32($0.dropFirst(4)) }
    defer { if let pid { kill(pid, SIGTERM) } }
    let url = try #require(lines.first { $0.hasPrefix("url ") }.map { String($0.dropFirst(4)) })
    // The background process holds nothing of the endpoint: the port is closed.
    do {
      _ = try await AsyncHTTPClientTransport(totalTimeout: .seconds(5)).send(HTTPRequestData(method: "GET", url: url))
      Issue.record("the endpoint still answers after aws-runas exited")
    } catch let error as HTTPTransportError {
      #expect(error.kind == .connectionRefused, "\(error)")
    }
  }

  @Test func serveAnswersOnlyLoopbackHostsAndScriptedManagementCalls() async throws {
    let scenario = try await Scenario { _ in
      Scenario.roleProfileConfig()
        + "\n[profile alpha]\nsource_profile = default\nrole_arn = \(Scenario.roleARN("alpha"))\n"
    }
    let server = try await ServeProcess(["serve", "ecs", "-p", "0"], environment: scenario.environment())
    // DNS rebinding: a page on attacker.example whose name now points at 127.0.0.1.
    let rebound = try await server.request("GET", "/list-roles", headers: ["Host": "attacker.example"])
    #expect(rebound.status == 403)
    #expect(try await server.request("GET", "/list-roles").status == 200)
    // A form on any web page can POST; curl -d sends the same content type.
    let form = try await server.request("POST", "/profile", body: "alpha")
    #expect(form.status == 415)
    #expect(form.body.contains("Content-Type"))
    let json = try await server.request(
      "POST", "/profile", body: #""alpha""#, headers: ["Content-Type": "application/json"])
    #expect(json.status == 200, "\(json.body)")
    #expect(await server.stop() == 0)
  }

  @Test func anSTSThatAcceptsConnectionsAndNeverAnswersIsGivenUpAtTheCallDeadline() async throws {
    let silent = try LoopbackListener()
    let scenario = try await Scenario { _ in Scenario.roleProfileConfig() }
    let result = try await scenario.runAs(
      ["-O", "json", "dev"],
      environment: [
        "AWS_ENDPOINT_URL": "http://127.0.0.1:\(silent.port)", "AWS_RUNAS_HTTP_TIMEOUT": "1",
        "AWS_RUNAS_CALL_TIMEOUT": "2",
      ])
    #expect(result.exitCode == 1, "\(result.output())")
    #expect(result.stdout.isEmpty)
    #expect(result.stderr.contains("no complete answer within 2 s"), "\(result.stderr)")
    #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
  }
}
