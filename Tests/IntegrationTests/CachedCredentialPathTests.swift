import Testing

/// The cached-credential path (`RunAsCommand.runFromCache`: no ArgumentParser, no concurrency
/// runtime) prints exactly what the full path prints, and leaves everything else to it.
@Suite("Cached-credential path")
struct CachedCredentialPathTests {
  /// `-a 1h` (the default role duration, so no change on a hit) is outside the fast parser's
  /// shapes: the same request then goes through ArgumentParser and the async path.
  @Test(arguments: [["-O", "json"], ["--output=env"], ["-s", "-O", "json"], ["-o", "123456"]])
  func cacheHitPrintsWhatTheFullPathPrints(_ flags: [String]) async throws {
    let emulator = try await STSEmulator()
    let scenario = try await Scenario(emulator: emulator) { _ in Scenario.roleProfileConfig() }
    let warm = try await scenario.runAs(flags + ["dev"])
    #expect(warm.exitCode == 0, "\(warm.output())")
    let callsToWarm = try await emulator.calls()

    let fast = try await scenario.runAs(flags + ["dev"])
    let full = try await scenario.runAs(["-a", "1h"] + flags + ["dev"])
    #expect(fast == full)
    #expect(fast.stdout == warm.stdout)
    #expect(fast.stderr.isEmpty)
    #expect(try await emulator.calls() == callsToWarm)
  }

  /// Debug logging from the environment must not be skipped by the fast path (nor printed twice).
  @Test func verboseFromTheEnvironmentLeavesTheHitToTheFullPath() async throws {
    let scenario = try await Scenario { _ in Scenario.roleProfileConfig() }
    let warm = try await scenario.runAs(["-O", "json", "dev"])
    #expect(warm.exitCode == 0, "\(warm.output())")
    let result = try await scenario.runAs(["-O", "json", "dev"], environment: ["RUNAS_VERBOSE": "1"])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(result.stdout == warm.stdout)
    let ready = result.stderr.split(separator: "\n").filter { $0.contains(" DEBUG credentials ready for dev") }
    #expect(ready.count == 1, "\(result.output())")
  }

  /// An unknown profile is reported once, by the full path, even though the fast path tried first.
  @Test func errorsAreReportedOnceByTheFullPath() async throws {
    let scenario = try await Scenario { _ in Scenario.roleProfileConfig() }
    let result = try await scenario.runAs(["-O", "json", "nosuch"])
    #expect(result.exitCode == 1)
    #expect(result.stdout.isEmpty)
    let lines = result.stderr.split(separator: "\n")
    #expect(lines.count == 1, "\(result.output())")
    #expect(lines.first?.contains("ERROR profile \"nosuch\" not found") == true, "\(result.output())")
  }

  @Test(arguments: [["--version"], ["-V", "dev"], ["-O", "json", "-V"]])
  func versionPrintsWhatTheFullPathPrints(_ arguments: [String]) async throws {
    let scenario = try await Scenario { _ in Scenario.roleProfileConfig() }
    let fast = try await scenario.runAs(arguments)
    let full = try await scenario.runAs(["-a", "1h"] + arguments)
    #expect(fast.exitCode == 0, "\(fast.output())")
    #expect(fast == full)
    #expect(fast.stdout.hasPrefix("aws-runas version "))
  }
}
