import Logging

/// Opens a URL in the user's browser: the command in `BROWSER` (as Python's `webbrowser` reads
/// it: the first of `:`-separated commands, `%s` standing for the URL, else the URL appended),
/// else `xdg-open` (Linux) or `open` (macOS) when on `PATH`.
///
/// The command runs with its output discarded (so nothing reaches a `credential_process`
/// caller's standard output) and is not waited for beyond its own start; failing to open a
/// browser is only logged, since the URL is shown as well.
public struct BrowserLauncher: Sendable {
  /// The command line run through `/bin/sh`, with `"$1"` standing for the URL.
  public let commandLine: String
  /// The environment the command runs with.
  public let environment: [String: String]
  /// Where failures are logged.
  public let logger: Logger

  /// The launcher `environment` configures, or `nil` when there is no way to open a browser.
  public init?(environment: [String: String], logger: Logger) {
    self.environment = environment
    self.logger = logger
    if let configured = environment["BROWSER"]?.split(separator: ":").first.map(String.init),
      !configured.trimmingCharactersInSpaces.isEmpty
    {
      self.commandLine =
        configured.contains("%s")
        ? configured.replacing("%s", with: "\"$1\"") : configured + " \"$1\""
      return
    }
    for opener in ["xdg-open", "open"] where ChildProcess.findExecutable(opener, path: environment["PATH"]) != nil {
      self.commandLine = opener + " \"$1\""
      return
    }
    return nil
  }

  /// Runs the browser command for `url`, waiting only until it exits (openers hand over to the
  /// browser and return).
  public func open(_ url: String) async {
    do {
      let outcome = try await CapturedProcess.run(
        ["/bin/sh", "-c", commandLine, "sh", url], environment: environment, timeLimit: .seconds(30))
      if outcome.termination != .exited(0) {
        logger.debug("the browser command exited with \(outcome.termination.exitCode)")
      }
    } catch {
      logger.debug("cannot open a browser: \(error)")
    }
  }
}

extension String {
  fileprivate var trimmingCharactersInSpaces: Substring {
    var text = Substring(self)
    while text.first == " " { text = text.dropFirst() }
    while text.last == " " { text = text.dropLast() }
    return text
  }

}
