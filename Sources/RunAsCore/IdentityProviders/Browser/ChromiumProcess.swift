#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The user's Chromium or Chrome, started for one sign-in with a profile of its own and the
/// DevTools protocol on a port it chooses (`DevToolsActivePort`), and removed afterwards.
enum ChromiumProcess {
  /// The programs looked for on `PATH` when `auth_browser` is not set, in order.
  static let defaultPrograms = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
  /// The programs the Go tool's `auth_browser` values stand for.
  static let programsByName = [
    "chrome": ["google-chrome", "google-chrome-stable", "chromium", "chromium-browser"],
    "msedge": ["microsoft-edge", "microsoft-edge-stable"],
  ]
  /// Where macOS keeps the browsers, when none is on `PATH`.
  static let macOSPrograms = [
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
  ]
  /// How long the browser may take to open its DevTools port.
  static let startLimit: Duration = .seconds(30)

  /// The browser to run: `auth_browser` (a path, a program on `PATH`, or `chrome` / `msedge`),
  /// else the first of ``defaultPrograms`` on `PATH`.
  ///
  /// - Throws: ``BrowserSignInError`` naming what was looked for.
  static func program(authBrowser: String?, path: String?) throws(BrowserSignInError) -> String {
    let configured = authBrowser?.trimmingCharacters(in: .whitespaces) ?? ""
    if configured.contains("/") { return configured }
    let candidates = configured.isEmpty ? defaultPrograms : programsByName[configured.lowercased()] ?? [configured]
    for candidate in candidates {
      if let found = ChildProcess.findExecutable(candidate, path: path) { return found }
    }
    if configured.isEmpty, let found = macOSPrograms.first(where: { access($0, X_OK) == 0 }) { return found }
    let looked = candidates.joined(separator: ", ")
    throw BrowserSignInError(
      message: configured.isEmpty
        ? "no Chromium or Chrome to sign in with: none of \(looked) is on PATH"
        : "auth_browser \"\(TerminalText.excerpt(configured, limit: 80))\" is not a program on PATH (looked for \(looked))",
      hint: "set auth_browser to the path of Chromium or Chrome")
  }

  /// The browser's arguments: a fresh profile, DevTools on a port of its choosing, no first-run
  /// questions, one window showing `about:blank`.
  static func arguments(program: String, profileDirectory: String) -> [String] {
    [
      program, "--user-data-dir=\(profileDirectory)", "--remote-debugging-port=0", "--no-first-run",
      "--no-default-browser-check", "--window-size=500,750", "about:blank",
    ]
  }

  /// Runs `program` with a new profile directory (0700, in `TMPDIR`), waits for its DevTools
  /// port and runs `body` with it while the browser runs. Afterwards the browser is ended (it
  /// has a few seconds to close after `body` asked it to) and the directory removed.
  ///
  /// - Throws: ``BrowserSignInError`` when the browser cannot start, or ends before `body` does
  ///   (the user closed it); what `body` throws.
  static func withBrowser<Value: Sendable>(
    program: String, environment: [String: String],
    _ body: @escaping @Sendable (_ port: Int, _ path: String) async throws -> Value
  ) async throws -> Value {
    let profileDirectory = try makeProfileDirectory(in: environment["TMPDIR"])
    let name = TerminalText.excerpt(program, limit: 100)
    do {
      let value = try await withThrowingTaskGroup(of: Ending<Value>.self) { group in
        group.addTask {
          let outcome = try await CapturedProcess.run(
            arguments(program: program, profileDirectory: profileDirectory), environment: environment,
            standardOutput: .discard, standardError: .capture, timeLimit: nil)
          return .browserEnded(outcome)
        }
        group.addTask {
          let (port, path) = try await devToolsEndpoint(in: profileDirectory, name: name)
          return .finished(try await body(port, path))
        }
        defer { group.cancelAll() }
        switch try await group.next() {
        case .finished(let value):
          // The body asked the browser to close: give it a moment to do so cleanly.
          group.addTask {
            try await Task.sleep(for: .seconds(5))
            return .timerEnded
          }
          _ = try? await group.next()
          return value
        case .browserEnded(let outcome):
          // Without its port file the browser never got as far as the sign-in.
          guard POSIXFile.exists(profileDirectory + "/DevToolsActivePort") else {
            throw startFailure(name: name, outcome: outcome)
          }
          throw BrowserSignInError.closed
        case .timerEnded, nil:
          throw BrowserSignInError.closed
        }
      }
      await removeProfileDirectory(profileDirectory)
      return value
    } catch {
      await removeProfileDirectory(profileDirectory)
      throw error
    }
  }

  private enum Ending<Value: Sendable>: Sendable {
    case finished(Value)
    case browserEnded(CapturedProcess.Outcome)
    case timerEnded
  }

  /// Waits for the browser to write `DevToolsActivePort` (its port, then the browser target's
  /// WebSocket path), checking every 50 ms.
  private static func devToolsEndpoint(in profileDirectory: String, name: String) async throws -> (Int, String) {
    let file = profileDirectory + "/DevToolsActivePort"
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: startLimit)
    while clock.now < deadline {
      if let text = try? POSIXFile.readText(file, limit: 4096) {
        let lines = text.split(whereSeparator: \.isNewline)
        if lines.count >= 2, let port = Int(lines[0]), (1...65535).contains(port), lines[1].hasPrefix("/") {
          return (port, String(lines[1]))
        }
      }
      try await Task.sleep(for: .milliseconds(50))
    }
    throw BrowserSignInError(
      message: "\(name) did not open its DevTools port within \(startLimit.components.seconds) seconds",
      hint: "auth_browser must be Chromium or Chrome (or a script that runs it with the arguments it is given)")
  }

  private static func startFailure(name: String, outcome: CapturedProcess.Outcome) -> BrowserSignInError {
    let said =
      String(decoding: outcome.standardError, as: UTF8.self)
      .split(whereSeparator: \.isNewline).last.map { ": " + TerminalText.excerpt(String($0), limit: 160) } ?? ""
    return BrowserSignInError(
      message: "\(name) exited with status \(outcome.exitStatus) before opening its DevTools port\(said)",
      hint: "check auth_browser; as root Chromium needs --no-sandbox (a wrapper script can add it)")
  }

  /// A new private directory for the browser's profile.
  private static func makeProfileDirectory(in temporary: String?) throws(BrowserSignInError) -> String {
    let base = temporary.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    var template = Array((base + "/aws-runas-browser.XXXXXX").utf8CString)
    let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    guard made != nil else {
      throw BrowserSignInError(
        message: "cannot create a browser profile directory in \(base): \(String(cString: strerror(errno)))")
    }
    return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// Removes the profile directory and everything the browser left in it, and the directory in
  /// `TMPDIR` holding its single-instance socket (`org.chromium.Chromium.XXXXXX`,
  /// `.com.google.Chrome.XXXXXX`), which `SingletonSocket` in the profile points to and which
  /// a browser that was killed leaves behind.
  private static func removeProfileDirectory(_ path: String) async {
    _ = try? await DedicatedThread.run {
      if let socketDirectory = singletonSocketDirectory(profile: path) {
        try? FileManager.default.removeItem(atPath: socketDirectory)
      }
      try FileManager.default.removeItem(atPath: path)
    }
  }

  /// The directory `<profile>/SingletonSocket` links into, when it is one the browser made.
  private static func singletonSocketDirectory(profile: String) -> String? {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let length = readlink(profile + "/SingletonSocket", &buffer, buffer.count - 1)
    guard length > 0 else { return nil }
    let target = String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let parts = target.split(separator: "/")
    guard target.hasPrefix("/"), parts.count >= 2, parts.last == "SingletonSocket" else { return nil }
    let name = parts[parts.count - 2].lowercased()
    guard name.contains("chrom") || name.contains("edge") else { return nil }
    return "/" + parts.dropLast().joined(separator: "/")
  }
}

/// The browser sign-in could not start or finish.
struct BrowserSignInError: UserFacingError, Sendable, Equatable {
  /// What went wrong.
  let message: String
  /// What to do.
  let hint: String?

  /// Creates the error.
  init(message: String, hint: String? = nil) {
    self.message = message
    self.hint = hint
  }

  /// The user closed the browser (or its sign-in tab) first.
  static let closed = BrowserSignInError(
    message: "the browser was closed before sign-in finished", hint: "run the command again and sign in in the window")
}
