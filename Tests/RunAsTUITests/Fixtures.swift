import Foundation
import RunAsCore
import TestSupport
import Testing

@testable import RunAsTUI

/// A fixed world for reducer and renderer tests: profiles parsed from text, a fixed clock.
enum Fixtures {
  static let now = Date(timeIntervalSince1970: 1_700_000_000)

  static let config = """
    [default]
    region = us-east-1

    [profile dev]
    source_profile = default
    role_arn = arn:aws:iam::123456789012:role/developer

    [profile prod]
    source_profile = default
    role_arn = arn:aws:iam::210987654321:role/admin
    mfa_serial = arn:aws:iam::111111111111:mfa/alice
    region = eu-west-1

    [profile audit]
    source_profile = prod
    role_arn = arn:aws:iam::333333333333:role/auditor

    [profile staging]
    source_profile = default
    role_arn = arn:aws:iam::444444444444:role/deployer
    region = us-west-2

    [profile sso-dev]
    saml_auth_url = https://idp.example.com/saml
    role_arn = arn:aws:iam::555555555555:role/sso-admin

    [profile broken]
    source_profile = missing
    role_arn = arn:aws:iam::666666666666:role/nothing
    """

  static let credentials = """
    [default]
    aws_access_key_id = AKIAEXAMPLEKEY
    aws_secret_access_key = secret
    """

  static func rows() -> [ProfileRow] {
    let files: AWSConfigFiles
    do {
      files = try AWSConfigFiles.parsing(config: config, credentials: credentials, home: "/fixture")
    } catch {
      Issue.record("the fixture's files do not parse: \(error)")
      return []
    }
    let resolver = ProfileResolver(files: files, environment: [:])
    return resolver.resolveAllProfiles().map {
      ProfileRow(name: $0.name, result: $0.result, cacheDirectory: files.cacheDirectory)
    }
  }

  /// The state after start-up at `rows` × `columns`, with some cached credentials.
  static func state(rows: Int = 24, columns: Int = 80) -> AppState {
    var state = AppState(now: now)
    state.screenRows = rows
    state.screenColumns = columns
    _ = Reducer.reduce(&state, .profilesLoaded(Self.rows(), configPath: "~/.aws/config"))
    _ = Reducer.reduce(
      &state,
      .expirationsLoaded([
        "dev": now + 42 * 60 + 7, "prod": now + 4 * 60 + 10, "audit": now - 30, "staging": now + 11 * 3600,
      ]))
    _ = Reducer.reduce(
      &state, .switchboardStarted(url: "http://127.0.0.1:40000/credentials", token: "0123456789abcdef"))
    return state
  }

  static func press(_ keys: [Key], _ state: inout AppState) -> [Effect] {
    keys.flatMap { Reducer.reduce(&state, .key($0)) }
  }

  static func type(_ text: String, _ state: inout AppState) -> [Effect] {
    press(text.map { Key.character($0) }, &state)
  }
}

/// Compares a rendered screen with `Snapshots/<name>.txt`. A missing file is a failure (a check
/// that records its own expectation proves nothing); `RECORD_SNAPSHOTS=1` writes the file instead.
func assertSnapshot(
  _ screen: ScreenBuffer, named name: String, filePath: String = #filePath,
  sourceLocation: SourceLocation = #_sourceLocation
) throws {
  let directory = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
  let file = directory.appendingPathComponent(name + ".txt")
  let actual = screen.text + "\n"
  if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
    try actual.write(to: file, atomically: true, encoding: .utf8)
    return
  }
  guard FileManager.default.fileExists(atPath: file.path) else {
    Issue.record(
      "no snapshot \(file.path); check the screen below and run with RECORD_SNAPSHOTS=1 to record it:\n\(actual)",
      sourceLocation: sourceLocation)
    return
  }
  let expected = try String(contentsOf: file, encoding: .utf8)
  #expect(
    actual == expected, "screen differs from \(file.path); RECORD_SNAPSHOTS=1 to accept:\n\(actual)",
    sourceLocation: sourceLocation)
}
