import ArgumentParser
import Logging
import RunAsCore

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// `aws-runas sso login|logout|list [profile]`: IAM Identity Center sign-in, sign-out and the
/// accounts and roles a session can reach. The token cache is the AWS CLI v2's, so a sign-in by
/// either tool serves the other.
struct SSOCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sso",
    abstract: "Sign in to or out of IAM Identity Center, or list the accounts and roles it gives you.")

  /// What to do.
  enum Action: String, ExpressibleByArgument, CaseIterable {
    case login, logout, list
  }

  @Argument(help: "login, logout or list.")
  var action: Action

  @Argument(help: "A profile that uses IAM Identity Center (default: AWS_PROFILE, else [default]).")
  var profile: String?

  @Option(name: .customLong("sso-session"), help: "An [sso-session] section to use instead of a profile's.")
  var ssoSession: String?

  @Flag(name: .customLong("no-browser"), help: "Show the sign-in URL and code without opening a browser.")
  var noBrowser = false

  init() {}

  func run(global: CommandLineFlags) async throws -> Int32 {
    let context = try CommandContext(flags: global)
    let engine = try context.makeEngine()
    let profileName = context.profileName(profile)
    let logger = context.logger
    if action == .logout && profileName == nil && ssoSession == nil {
      let removed = try await IdentityCenterSignOut.all(
        environment: context.environment, settings: (try? engine.resolve("").settings) ?? ProfileSettings(),
        credentialCacheDirectory: engine.files.cacheDirectory, logger: logger)
      writeToStandardOutput(
        removed == 0
          ? "No IAM Identity Center sessions to sign out of\n"
          : "Signed out of \(removed) IAM Identity Center session\(removed == 1 ? "" : "s")\n")
      return 0
    }
    let (session, settings, profiles) = try engine.identityCenterSession(
      profileName: profileName, sessionName: ssoSession)
    let browser = noBrowser ? nil : BrowserLauncher(environment: context.environment, logger: logger)
    let access = engine.identityCenterAccess(
      session: session, settings: settings, presenter: TerminalDevicePresenter(browser: browser))
    switch action {
    case .login:
      let token = try await access.signIn()
      writeToStandardOutput(
        "Signed in to \(TerminalText.excerpt(session.startURL, limit: 200)) (\(session.displayName)) until "
          + "\(LocalTime.system.format(token.expiresAt))\n")
    case .logout:
      let hadToken = try await access.signOut(profileNames: profiles)
      writeToStandardOutput(
        hadToken
          ? "Signed out of \(session.displayName)\n" : "Not signed in to \(session.displayName); nothing to do\n")
    case .list:
      var text = ""
      for entry in try await access.accountsAndRoles() {
        let account = entry.account
        text += "\(TerminalText.sanitized(account.accountID))  \(TerminalText.sanitized(account.accountName))"
        if !account.emailAddress.isEmpty { text += "  <\(TerminalText.sanitized(account.emailAddress))>" }
        text += "\n"
        for role in entry.roles { text += "  \(TerminalText.sanitized(role))\n" }
      }
      writeToStandardOutput(text)
    }
    return 0
  }
}

/// Shows a device sign-in on standard error (the URL and the code) and opens the browser.
struct TerminalDevicePresenter: DeviceAuthorizationPresenter {
  let browser: BrowserLauncher?

  func present(
    _ authorization: DeviceAuthorization, for session: IdentityCenterSession, expiresAt: Date,
    while waitForApproval: @escaping @Sendable () async throws -> SSOTokenGrant
  ) async throws -> SSOTokenGrant {
    var text =
      browser == nil
      ? "Open this URL in a browser:\n" : "Opening the sign-in page in your browser. If it does not open, open:\n"
    text += "  \(TerminalText.excerpt(authorization.browserURL, limit: 400))\n"
    text += "and confirm that it shows the code: \(TerminalText.excerpt(authorization.userCode, limit: 32))\n"
    text += "(valid until \(LocalTime.system.format(expiresAt)); waiting for approval…)\n"
    writeToStandardError(text)
    await browser?.open(authorization.browserURL)
    return try await waitForApproval()
  }
}
