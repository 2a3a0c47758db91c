import Foundation
import Testing

/// Behaviour that needs a terminal or signals: the MFA prompt on /dev/tty, and signal forwarding.
@Suite("Terminal and signals")
struct TerminalTests {
  @Test func mfaPromptIsAskedOnTheTerminalEvenWhenStdoutIsCaptured() throws {
    let scenario = try Scenario(mfa: true) { user in
      """
      [default]
      region = us-east-1
      mfa_serial = \(user.mfaSerial!)
      [profile secure]
      source_profile = default
      role_arn = \(Scenario.roleARN("secure"))
      """
    }
    // `script` gives aws-runas a pseudo-terminal and types the code into it; stdout of the
    // command itself goes to a file, as under credential_process.
    let output = scenario.sandbox.path("out.json")
    let command = "'\(runAsBinary())' -O json secure > '\(output)'"
    let result = try run(
      "/usr/bin/script", ["-qec", command, "/dev/null"], environment: scenario.environment(),
      stdin: try scenario.mfaCode() + "\n")
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(result.stdout.contains("MFA token code: "))
    let json = try String(contentsOfFile: output, encoding: .utf8)
    #expect(json.hasPrefix("{\"AccessKeyId\":\"ASIA"))
    #expect(!json.contains("MFA token code"))
  }

  @Test func sigtermIsForwardedToTheChild() throws {
    let scenario = try Scenario { _ in
      "[default]\nregion = us-east-1\n[profile dev]\nsource_profile = default\nrole_arn = \(Scenario.roleARN("dev"))\n"
    }
    let marker = scenario.sandbox.path("ready")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: runAsBinary())
    process.arguments = [
      "dev", "sh", "-c", "trap 'echo terminated; exit 3' TERM; touch '\(marker)'; while :; do sleep 0.1; done",
    ]
    process.environment = scenario.environment()
    let stdout = Pipe()
    process.standardOutput = stdout
    try process.run()
    let deadline = Date().addingTimeInterval(30)
    while !FileManager.default.fileExists(atPath: marker) && Date() < deadline { usleep(20_000) }
    #expect(FileManager.default.fileExists(atPath: marker))
    kill(process.processIdentifier, SIGTERM)
    process.waitUntilExit()
    #expect(process.terminationStatus == 3)
    #expect(String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == "terminated\n")
  }
}
