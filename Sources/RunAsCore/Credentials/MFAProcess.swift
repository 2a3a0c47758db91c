/// `mfa_process` / `MFA_PROCESS`: a command whose standard output is the MFA code, such as
/// `ykman oath accounts code -s aws`, run through `/bin/sh -c` before any prompt.
///
/// A command that fails, prints nothing, or prints more than one word is an error quoting its
/// standard error, never a silent fall back to a prompt: the user configured it to be used.
public struct MFAProcess: Sendable, Equatable {
  /// The command line as configured.
  public let commandLine: String
  /// The environment it runs with.
  public let environment: [String: String]
  /// The time the command may take (a hardware key may wait for a touch).
  public var timeLimit: Duration = .seconds(120)

  /// Creates the process.
  public init(commandLine: String, environment: [String: String]) {
    self.commandLine = commandLine
    self.environment = environment
  }

  /// Runs the command and returns the code it printed, trimmed.
  ///
  /// - Throws: ``CredentialError`` naming the command and what went wrong, or
  ///   `CancellationError`.
  public func code(for serial: String) async throws -> String {
    let shown = "mfa_process \"\(TerminalText.excerpt(commandLine, limit: 100))\""
    let outcome: CapturedProcess.Outcome
    do {
      outcome = try await CapturedProcess.run(
        ["/bin/sh", "-c", commandLine], environment: environment, timeLimit: timeLimit)
    } catch let error as ChildProcess.LaunchError {
      throw CredentialError(message: "\(shown) could not be started: \(error.message)")
    }
    let errorText = Self.lastLines(of: outcome.standardError)
    if outcome.timedOut {
      throw CredentialError(
        message: "\(shown) did not finish within \(timeLimit)" + (errorText.isEmpty ? "" : ": \(errorText)"),
        hint: "check that the command works on its own; it must print the MFA code for \(serial) and exit")
    }
    guard outcome.termination == .exited(0) else {
      let how =
        switch outcome.termination {
        case .exited(let status): "exit status \(status)"
        case .signalled(let signal): "killed by signal \(signal)"
        }
      throw CredentialError(
        message: "\(shown) failed (\(how))" + (errorText.isEmpty ? "" : ": \(errorText)"),
        hint: "run the command on its own to see why; unset mfa_process (or MFA_PROCESS) to be asked instead")
    }
    let printed = String(decoding: outcome.standardOutput, as: UTF8.self)
    let words = printed.split(whereSeparator: { $0.isWhitespace })
    guard words.count == 1, let code = words.first else {
      throw CredentialError(
        message: words.isEmpty
          ? "\(shown) printed no MFA code" + (errorText.isEmpty ? "" : " (standard error: \(errorText))")
          : "\(shown) printed \(words.count) words; it must print only the MFA code",
        hint: "the command's standard output must be the code alone, e.g. 123456")
    }
    return String(code)
  }

  /// The last non-empty lines of `bytes` (up to three), joined with ` / `, escaped for a terminal.
  static func lastLines(of bytes: [UInt8]) -> String {
    let lines = String(decoding: bytes, as: UTF8.self)
      .split(whereSeparator: { $0 == "\n" || $0 == "\r" })
      .map { $0.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ") }
      .filter { !$0.isEmpty }
    return TerminalText.excerpt(lines.suffix(3).joined(separator: " / "), limit: 300)
  }
}
