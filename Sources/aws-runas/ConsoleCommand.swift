import ArgumentParser
import Logging
import RunAsCore

/// `aws-runas console [profile]`: prints (or with `-b` opens) an AWS console sign-in URL for the
/// profile, whatever its kind.
struct ConsoleCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "console",
    abstract: "Print or open an AWS console sign-in URL for a profile.")

  @Argument(help: "The profile (default: AWS_PROFILE, else [default]).")
  var profile: String?

  @Flag(name: [.customShort("b"), .customLong("browser")], help: "Open the URL in the browser instead of printing it.")
  var openInBrowser = false

  @Option(name: .customLong("destination"), help: "The console page to land on (default: the region's home).")
  var destination: String?

  @Option(
    name: .customLong("duration"),
    help: "How long the console session lasts, as a Go duration (15m to 12h; default: the endpoint's).")
  var duration: String?

  init() {}

  func run(global: CommandLineFlags) async throws -> Int32 {
    let context = try CommandContext(flags: global)
    let engine = try context.makeEngine()
    let name = context.profileName(profile) ?? ""
    let resolved = try engine.resolve(name, overrides: context.options.overrides)
    let provider = try engine.provider(
      for: resolved, mfa: MFACodeSource(presetCode: context.options.mfaCode, prompter: TTYPrompter()))
    var sessionDuration: Duration?
    if let duration {
      do {
        sessionDuration = try GoDuration.parse(duration)
      } catch {
        throw CommandFailure("--duration: \(error)")
      }
    }
    let url = try await engine.consoleSignInURL(
      for: resolved, provider: provider, destination: destination, sessionDuration: sessionDuration)
    if openInBrowser, let browser = BrowserLauncher(environment: context.environment, logger: context.logger) {
      await browser.open(url)
      context.logger.info("opened the AWS console for \(resolved.displayName) in the browser")
    } else {
      if openInBrowser { context.logger.warning("no browser to open (set BROWSER); printing the URL instead") }
      writeToStandardOutput(url + "\n")
    }
    return 0
  }
}
