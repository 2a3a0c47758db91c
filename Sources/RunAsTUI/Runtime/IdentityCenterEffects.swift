import Logging
import RunAsCore

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Performs the account browser's and the console's effects with the engine, off the input
/// loop, posting the results back. Sign-ins they need show as modals (the prompter's notice)
/// and open the browser.
struct IdentityCenterEffects {
  let engine: RunAsEngine
  let inbox: EventInbox
  let prompts: PromptBroker
  let environment: [String: String]

  func perform(_ effect: Effect) {
    let (engine, inbox, prompts, environment) = (self.engine, self.inbox, self.prompts, self.environment)
    switch effect {
    case .loadAccounts(let name):
      Task.detached {
        do {
          let (session, settings, _) = try engine.identityCenterSession(profileName: name, sessionName: nil)
          let presenter = PrompterDevicePresenter(
            prompter: prompts.prompter(for: name),
            browser: BrowserLauncher(environment: environment, logger: engine.logger), logger: engine.logger)
          let access = engine.identityCenterAccess(session: session, settings: settings, presenter: presenter)
          let entries = AccountRoleEntry.entries(of: try await access.accountsAndRoles())
          inbox.post(.accountsLoaded(profile: name, result: .success(entries)))
        } catch {
          inbox.post(.accountsLoaded(profile: name, result: .failure(Failure(describing: error))))
        }
      }
    case .writeProfile(let from, let entry, let name, let followUp):
      Task.detached {
        do {
          let (session, settings, _) = try engine.identityCenterSession(profileName: from, sessionName: nil)
          let writer = IdentityCenterProfileWriter(configPath: engine.files.configPath)
          try await writer.write(
            profile: name, session: session, accountID: entry.accountID, roleName: entry.roleName,
            region: settings.region?.value)
          let shown = SettingOrigin.abbreviatingHome(in: engine.files.configPath, home: environment["HOME"] ?? "")
          inbox.post(.profileWritten(name: name, result: .success(shown), followUp: followUp))
        } catch {
          inbox.post(.profileWritten(name: name, result: .failure(Failure(describing: error)), followUp: followUp))
        }
      }
    case .openConsole(let name):
      Task.detached {
        do {
          let profile = try engine.resolve(name)
          let provider = try engine.provider(
            for: profile, mfa: MFACodeSource(presetCode: nil, prompter: prompts.prompter(for: name)))
          let url = try await engine.consoleSignInURL(
            for: profile, provider: provider, destination: nil, sessionDuration: nil)
          if let browser = BrowserLauncher(environment: environment, logger: engine.logger) {
            await browser.open(url)
            inbox.post(.consoleReady(profile: name, result: .success(.opened)))
          } else {
            inbox.post(.consoleReady(profile: name, result: .success(.url(url))))
          }
        } catch {
          inbox.post(.consoleReady(profile: name, result: .failure(Failure(describing: error))))
        }
      }
    default:
      break
    }
  }

  /// The session as the header names it: its name, or the start URL's host for a legacy profile.
  static func headerName(of session: IdentityCenterSession) -> String {
    if let name = session.name { return name }
    let withoutScheme = session.startURL.split(separator: "/", omittingEmptySubsequences: true)
    return withoutScheme.count > 1 ? String(withoutScheme[1]) : session.startURL
  }
}

extension CacheReader {
  /// Token expiry per Identity Center session that `rows` use, from the shared token cache.
  static func identityCenterSessions(of rows: [ProfileRow], environment: [String: String]) -> [String: Date] {
    let cache = SSOCacheDirectory(environment: environment)
    var result: [String: Date] = [:]
    for row in rows {
      guard let session = row.profile?.chain.lazy.compactMap(\.identityCenter).first?.session else { continue }
      let name = IdentityCenterEffects.headerName(of: session)
      guard result[name] == nil, let token = try? cache.token(for: session) else { continue }
      result[name] = token.expiresAt
    }
    return result
  }
}
