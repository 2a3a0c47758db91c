import Foundation
import TestSupport
import Testing

/// Behaviour that needs a terminal or signals: the MFA prompt on /dev/tty, and signal forwarding.
@Suite("Terminal and signals")
struct TerminalTests {
  @Test func mfaPromptIsAskedOnTheTerminalEvenWhenStdoutIsCaptured() async throws {
    let scenario = try await Scenario(mfa: true) { Scenario.mfaProfileConfig($0) }
    // `script` gives aws-runas a pseudo-terminal and types the code into it; stdout of the
    // command itself goes to a file, as under credential_process.
    let output = scenario.sandbox.path("out.json")
    let command = "'\(runAsBinary())' -O json secure > '\(output)'"
    let result = try await run(
      "/usr/bin/script", ["-qec", command, "/dev/null"], environment: scenario.environment(),
      stdin: try await scenario.mfaCode() + "\n")
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(result.stdout.contains("MFA token code: "))
    let json = try String(contentsOfFile: output, encoding: .utf8)
    #expect(json.hasPrefix("{\"AccessKeyId\":\"ASIA"))
    #expect(!json.contains("MFA token code"))
  }

  @Test func sigtermIsForwardedToTheChild() async throws {
    let scenario = try await Scenario { _ in
      "[default]\nregion = us-east-1\n[profile dev]\nsource_profile = default\nrole_arn = \(Scenario.roleARN("dev"))\n"
    }
    let marker = scenario.sandbox.path("ready")
    let child = try BackgroundProcess(
      runAsBinary(),
      ["dev", "sh", "-c", "trap 'echo terminated; exit 3' TERM; touch '\(marker)'; while :; do sleep 0.1; done"],
      environment: scenario.environment())
    let ready = try await poll(timeout: .seconds(120)) {
      FileManager.default.fileExists(atPath: marker) ? true : nil
    }
    try #require(ready == true, "the child never started:\n\(child.output(.stderr))")
    kill(child.pid, SIGTERM)
    let status = await child.exit(within: .seconds(120))
    #expect(status == 3, "\(child.output(.stderr))")
    #expect(child.output(.stdout) == "terminated\n")
  }
}
