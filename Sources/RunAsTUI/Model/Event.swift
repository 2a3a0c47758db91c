import RunAsCore

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Something that happened: a key, a clock tick, a resize, or an engine result posted back.
public enum Event: Sendable {
  /// A key press.
  case key(Key)
  /// The clock moved (once a second).
  case tick(Date)
  /// The terminal has a new size.
  case resize(rows: Int, columns: Int)
  /// The configuration was (re-)read.
  case profilesLoaded([ProfileRow], configPath: String)
  /// Reading the configuration failed.
  case profilesFailed(String)
  /// Cache files were read: expiry per profile that has cached credentials.
  case expirationsLoaded([String: Date])
  /// A credential fetch ended; `expiration` on success.
  case credentialsFetched(profile: String, result: Result<Date?, Failure>, launch: Bool)
  /// A whoami ended.
  case whoamiFinished(profile: String, result: Result<CallerIdentity, Failure>)
  /// A diagnosis ended.
  case diagnoseFinished(profile: String, AppState.Diagnosis)
  /// The engine asks the user something.
  case promptRequested(AppState.Prompt)
  /// The engine no longer needs prompt `id` (a notice whose work ended).
  case promptDismissed(id: Int)
  /// The switchboard listens.
  case switchboardStarted(url: String, token: String)
  /// The switchboard now serves `profile`.
  case switchboardActivated(profile: String?)
  /// A launched shell ended.
  case shellExited(profile: String, result: Result<Int32, Failure>)
  /// Credentials for an SSM shell on `target` are ready (`expiration` on success), or cannot be had.
  case ssmShellCredentialsFetched(profile: String, target: String, result: Result<Date?, Failure>)
  /// An SSM shell ended: the plugin's exit status, or why it could not run.
  case ssmShellExited(profile: String, target: String, result: Result<Int32, Failure>)
  /// A background failure to report in the flash line.
  case failed(Failure)
  /// The account browser's listing for `profile`'s session arrived (or failed).
  case accountsLoaded(profile: String, result: Result<[AccountRoleEntry], Failure>)
  /// A profile was written to the config file (its path on success); then `followUp`.
  case profileWritten(name: String, result: Result<String, Failure>, followUp: AccountBrowser.FollowUp)
  /// A console sign-in URL was made for `profile`: opened in the browser, or to be shown.
  case consoleReady(profile: String, result: Result<ConsoleOutcome, Failure>)
  /// Token expiry of the Identity Center sessions the profiles use.
  case identityCenterSessionsLoaded([String: Date])
  /// The cookie file was read: the sign-in status of each identity provider URL.
  case signInStatusLoaded([String: IdentityProviderSignInStatus])
}

/// What became of a console sign-in URL.
public enum ConsoleOutcome: Sendable, Equatable {
  /// The browser was opened with it.
  case opened
  /// No browser: the URL, to show.
  case url(String)
}

/// An error as the user reads it.
public struct Failure: Error, Sendable, Equatable {
  /// The message.
  public var message: String

  /// Creates a failure with `message`.
  public init(_ message: String) {
    self.message = message
  }

  /// A failure describing `error` (its user-facing text when it has one).
  public init(describing error: any Error) {
    self.message = "\(error)"
  }
}

/// Work the reducer asks for; the runtime performs it off the input loop and posts the result back
/// as an ``Event``.
public enum Effect: Sendable, Equatable {
  /// Get credentials (from the cache or STS, prompting as needed); `force` discards the cache first;
  /// `launch` starts a shell when they arrive.
  case fetchCredentials(profile: String, force: Bool, launch: Bool)
  /// GetCallerIdentity with the profile's credentials.
  case whoami(profile: String)
  /// Run the diagnostics.
  case diagnose(profile: String)
  /// Leave the screen and run a shell under the role.
  case launchShell(profile: String)
  /// Check the session plugin and get credentials (prompting as needed) for an SSM shell on `target`.
  case fetchCredentialsForSSMShell(profile: String, target: String)
  /// Leave the screen and run an SSM shell on `target` with the profile's credentials.
  case launchSSMShell(profile: String, target: String)
  /// Make the switchboard serve the profile.
  case activate(profile: String)
  /// Re-read the config and credentials files.
  case reloadConfiguration
  /// Re-read the cache files.
  case reloadCaches
  /// Answer the waiting prompt `id`.
  case answerPrompt(id: Int, answer: String)
  /// Answer the waiting choice `id` with option `index`.
  case choosePrompt(id: Int, index: Int)
  /// Cancel the waiting prompt `id`.
  case cancelPrompt(id: Int)
  /// Leave the program.
  case quit
  /// List the accounts and roles of `profile`'s Identity Center session (signing in if needed).
  case loadAccounts(profile: String)
  /// Write `[profile name]` for `entry` of `from`'s session into the config file, then `followUp`.
  case writeProfile(from: String, entry: AccountRoleEntry, name: String, followUp: AccountBrowser.FollowUp)
  /// Make a console sign-in URL for `profile` and open it in the browser.
  case openConsole(profile: String)
}
