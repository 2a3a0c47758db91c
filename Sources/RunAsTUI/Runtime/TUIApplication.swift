import Dispatch
import Logging
import RunAsCore
import Synchronization

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

/// The running program: owns the terminal and the state, runs the input loop, and performs the
/// reducer's effects with the engine off the loop, posting results back through the inbox.
public final class TUIApplication {
  private let environment: [String: String]
  private let terminal: any Terminal
  private let inbox: EventInbox
  private let prompts: PromptBroker
  private let logger: Logger
  private var engine: RunAsEngine?
  private var state: AppState
  private var switchboard: CredentialSwitchboard?
  private var switchboardServer: LoopbackHTTPServer?
  private var cacheDirectoryStamp: Double?
  private var isDirty = true

  /// Creates the application for `environment` on `terminal`.
  public init(environment: [String: String], terminal: any Terminal) throws {
    self.environment = environment
    self.terminal = terminal
    self.inbox = try EventInbox()
    self.prompts = PromptBroker(inbox: inbox)
    self.logger = Logger(label: "aws-runas-tui") { _ in SwiftLogNoOpLogHandler() }
    self.state = AppState(now: Date())
    state.localTime = .system
  }

  /// Runs until the user quits or a terminating signal arrives; returns the exit status.
  public func run() -> Int32 {
    SignalFlags.install(wakeDescriptor: inbox.signalDescriptor)
    do {
      try terminal.start()
    } catch {
      writeError("aws-runas-tui: \(error)\n")
      return 1
    }
    defer {
      terminal.stop()
      prompts.cancelAll()
    }
    let size = terminal.size
    state.screenRows = size.rows
    state.screenColumns = size.columns
    loadProfiles()
    startSwitchboard()
    loop()
    if let server = switchboardServer { wait { await server.stop() } }
    let signal = SignalFlags.terminate.load(ordering: .relaxed)
    return signal == 0 ? 0 : 128 + signal
  }

  private func loop() {
    var lastSecond = Int(Date().timeIntervalSince1970)
    while !state.wantsQuit {
      if isDirty {
        terminal.draw(Renderer.render(state))
        isDirty = false
      }
      let now = Date()
      let untilNextSecond = 1000 - Int32((now.timeIntervalSince1970 * 1000).truncatingRemainder(dividingBy: 1000))
      let keys = terminal.waitForKeys(timeoutMilliseconds: untilNextSecond + 2, wakeDescriptor: inbox.wakeDescriptor)
      if SignalFlags.terminate.load(ordering: .relaxed) != 0 { return }
      if terminal.isClosed {
        SignalFlags.terminate.store(SIGHUP, ordering: .relaxed)
        return
      }
      var events = keys.map(Event.key)
      if SignalFlags.resized.exchange(false, ordering: .relaxed) {
        let size = terminal.refreshSize()
        events.append(.resize(rows: size.rows, columns: size.columns))
      }
      events += inbox.drain()
      let second = Int(Date().timeIntervalSince1970)
      if second != lastSecond {
        lastSecond = second
        events.append(.tick(Date()))
        checkCacheDirectory()
      }
      for event in events {
        let effects = Reducer.reduce(&state, event)
        isDirty = true
        for effect in effects { perform(effect) }
        if state.wantsQuit { return }
      }
    }
  }

  // MARK: - Effects

  private func perform(_ effect: Effect) {
    let inbox = self.inbox
    let prompts = self.prompts
    guard let engine else {
      if effect == .quit { state.wantsQuit = true }
      if effect == .reloadConfiguration { loadProfiles() }
      return
    }
    switch effect {
    case .quit:
      state.wantsQuit = true
    case .reloadConfiguration:
      loadProfiles()
    case .reloadCaches:
      reloadCaches()
    case .answerPrompt(let id, let answer):
      prompts.answer(id, with: answer)
    case .choosePrompt(let id, let index):
      prompts.choose(id, index: index)
    case .cancelPrompt(let id):
      prompts.cancel(id)
    case .fetchCredentials(let name, let force, let launch):
      Task.detached {
        do {
          let profile = try engine.resolve(name)
          let provider = try engine.provider(
            for: profile, mfa: MFACodeSource(presetCode: nil, prompter: prompts.prompter(for: name)))
          if force { try provider.clearCache() }
          let credentials = try await provider.credentials(validFor: RunAsEngine.refreshMargin)
          inbox.post(.credentialsFetched(profile: name, result: .success(credentials.expiration), launch: launch))
        } catch {
          inbox.post(.credentialsFetched(profile: name, result: .failure(Failure(describing: error)), launch: launch))
        }
      }
    case .whoami(let name):
      Task.detached {
        do {
          let profile = try engine.resolve(name)
          let provider = try engine.provider(
            for: profile, mfa: MFACodeSource(presetCode: nil, prompter: prompts.prompter(for: name)))
          let credentials = try await provider.credentials(validFor: RunAsEngine.refreshMargin)
          let identity = try await engine.stsService(for: profile).getCallerIdentity(credentials: credentials)
          inbox.post(.whoamiFinished(profile: name, result: .success(identity)))
        } catch {
          inbox.post(.whoamiFinished(profile: name, result: .failure(Failure(describing: error))))
        }
      }
    case .diagnose(let name):
      Task.detached {
        let report = await engine.diagnose(profileName: name)
        let diagnosis = AppState.Diagnosis(
          findings: report.findings.map { ($0.severity.rawValue, $0.message) },
          configuration: report.configurationDump, clockDrift: report.clockDrift)
        inbox.post(.diagnoseFinished(profile: name, diagnosis))
      }
    case .activate(let name):
      activate(name, engine: engine)
    case .launchShell(let name):
      launchShell(name, engine: engine)
    case .fetchCredentialsForSSMShell(let name, let target):
      Task.detached {
        do {
          // No prompt for credentials when the session cannot run anyway.
          _ = try await SessionManagerPlugin.locate(environment: engine.environment)
          let profile = try engine.resolve(name)
          let provider = try engine.provider(
            for: profile, mfa: MFACodeSource(presetCode: nil, prompter: prompts.prompter(for: name)))
          let credentials = try await provider.credentials(validFor: RunAsEngine.refreshMargin)
          inbox.post(
            .ssmShellCredentialsFetched(profile: name, target: target, result: .success(credentials.expiration)))
        } catch {
          inbox.post(
            .ssmShellCredentialsFetched(profile: name, target: target, result: .failure(Failure(describing: error))))
        }
      }
    case .launchSSMShell(let name, let target):
      launchSSMShell(name, target: target, engine: engine)
    case .loadAccounts, .writeProfile, .openConsole:
      IdentityCenterEffects(engine: engine, inbox: inbox, prompts: prompts, environment: environment).perform(effect)
    }
  }

  /// Reads the files and lists the profiles. Synchronous: the first frame shows the list.
  private func loadProfiles() {
    do {
      let engine = try RunAsEngine(environment: environment, logger: logger)
      self.engine = engine
      let directory = engine.files.cacheDirectory
      let rows = engine.resolver.resolveAllProfiles().map {
        ProfileRow(name: $0.name, result: $0.result, cacheDirectory: directory)
      }
      let home = environment["HOME"] ?? ""
      let shown = SettingOrigin.abbreviatingHome(in: engine.files.configPath, home: home)
      for effect in Reducer.reduce(&state, .profilesLoaded(rows, configPath: shown)) { perform(effect) }
      isDirty = true
    } catch {
      _ = Reducer.reduce(&state, .profilesFailed("\(error)"))
    }
  }

  /// Re-reads every cache file in the background.
  private func reloadCaches() {
    guard let engine else { return }
    let rows = state.rows
    let inbox = self.inbox
    cacheDirectoryStamp = POSIXFile.modificationTime(engine.files.cacheDirectory)
    let environment = self.environment
    Task.detached {
      inbox.post(.expirationsLoaded(CacheReader.expirations(of: rows)))
      inbox.post(.identityCenterSessionsLoaded(CacheReader.identityCenterSessions(of: rows, environment: environment)))
    }
  }

  /// Cache files are replaced by rename, which touches their directory: one `stat` a second
  /// notices writes by this program, by `aws-runas` in another terminal, or by the Go tool.
  private func checkCacheDirectory() {
    guard let engine else { return }
    let stamp = POSIXFile.modificationTime(engine.files.cacheDirectory)
    if stamp != cacheDirectoryStamp { reloadCaches() }
  }

  private func startSwitchboard() {
    let token = RandomToken.make()
    let (environment, logger) = (self.environment, self.logger)
    // Profiles are activated with the engine the list shows; `makeEngine` serves no request here.
    let switchboard = CredentialSwitchboard(
      prompter: NoPrompter(), makeEngine: { try RunAsEngine(environment: environment, logger: logger) })
    self.switchboard = switchboard
    let handler = SwitchboardHandler(token: token, switchboard: switchboard)
    switchboardServer = wait { try? await LoopbackHTTPServer.start(host: "127.0.0.1", port: 0, handler: handler) }
    if let server = switchboardServer {
      _ = Reducer.reduce(
        &state, .switchboardStarted(url: "http://127.0.0.1:\(server.port)/credentials", token: token))
    } else {
      _ = Reducer.reduce(&state, .failed(Failure("the switchboard cannot listen on 127.0.0.1")))
    }
  }

  private func activate(_ name: String, engine: RunAsEngine) {
    guard let switchboard else { return }
    let prompter = prompts.prompter(for: name)
    // No network and no prompt: the credentials are fetched by the first request.
    let activated: Result<Void, Failure> = wait {
      do {
        try await switchboard.activate(name, engine: engine, prompter: prompter)
        return .success(())
      } catch {
        return .failure(Failure("\(name): \(error)"))
      }
    }
    switch activated {
    case .success:
      _ = Reducer.reduce(&state, .switchboardActivated(profile: name))
    case .failure(let failure):
      _ = Reducer.reduce(&state, .failed(failure))
    }
  }

  private func launchShell(_ name: String, engine: RunAsEngine) {
    let result = runSuspended { try await ShellLauncher.run(profileName: name, engine: engine) }
    for effect in Reducer.reduce(&state, .shellExited(profile: name, result: result)) { perform(effect) }
    isDirty = true
  }

  private func launchSSMShell(_ name: String, target: String, engine: RunAsEngine) {
    let result = runSuspended { try await SSMShellLauncher.run(profileName: name, target: target, engine: engine) }
    for effect in Reducer.reduce(&state, .ssmShellExited(profile: name, target: target, result: result)) {
      perform(effect)
    }
    isDirty = true
  }

  /// Runs a command that owns the terminal (a subshell, an SSM session) with the screen suspended,
  /// and brings the screen back: its size may have changed, and the clock stood still meanwhile
  /// (without moving it on, the exit message would expire on the next tick).
  private func runSuspended(_ command: @escaping @Sendable () async throws -> Int32) -> Result<Int32, Failure> {
    terminal.suspend()
    let result: Result<Int32, Failure> = wait {
      do {
        return .success(try await command())
      } catch {
        return .failure(Failure(describing: error))
      }
    }
    if case .failure(let failure) = result {
      writeError("aws-runas-tui: \(failure.message)\n")
    }
    terminal.resume()
    let size = terminal.size
    _ = Reducer.reduce(&state, .resize(rows: size.rows, columns: size.columns))
    _ = Reducer.reduce(&state, .tick(Date()))
    return result
  }

  /// Runs `body` on the concurrency pool and blocks this (main, non-pool) thread until it ends.
  private func wait<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
    let box = Mutex<T?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task.detached {
      let value = await body()
      box.withLock { $0 = value }
      done.signal()
    }
    done.wait()
    return box.withLock { $0! }
  }

  private func writeError(_ text: String) {
    _ = text.withCString { Glibc.write(STDERR_FILENO, $0, strlen($0)) }
  }
}

extension TUIApplication {
  /// The version shown in the header and by `--version`.
  public static var version: String { RunAsCore.version }
}

/// Reads credential expiry from cache files, without any network.
enum CacheReader {
  /// Expiry per profile name, for the rows whose cache file holds credentials.
  static func expirations(of rows: [ProfileRow]) -> [String: Date] {
    var result: [String: Date] = [:]
    for row in rows {
      guard let path = row.cacheFile, let entry = CredentialCacheFile(path: path).load(),
        let expiration = entry.credentials.expiration
      else { continue }
      result[row.name] = expiration
    }
    return result
  }
}
