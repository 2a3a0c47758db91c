import RunAsCore

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The pure heart of the TUI: an event and the current state give the next state and the work to
/// do. No terminal, file or network access happens here.
public enum Reducer {
  /// How long a flash message stays.
  static let flashDuration: TimeInterval = 6

  /// Applies `event` to `state` and returns the effects to perform.
  public static func reduce(_ state: inout AppState, _ event: Event) -> [Effect] {
    switch event {
    case .key(let key):
      return handle(key, in: &state)
    case .tick(let now):
      state.now = now
      if let flash = state.flash, flash.until <= now { state.flash = nil }
      return []
    case .resize(let rows, let columns):
      state.screenRows = rows
      state.screenColumns = columns
      keepSelectionInView(&state)
      return []
    case .profilesLoaded(let rows, let configPath):
      state.configPath = configPath
      state.setRows(rows)
      keepSelectionInView(&state)
      return [.reloadCaches]
    case .profilesFailed(let message):
      flash(&state, message, isError: true)
      return []
    case .expirationsLoaded(let expirations):
      state.expirations = expirations
      if state.sort == .expiry { state.setSort(.expiry) }
      return []
    case .credentialsFetched(let profile, let result, let launch):
      state.fetching.remove(profile)
      switch result {
      case .success(let expiration):
        if let expiration { state.expirations[profile] = expiration }
        if launch { return [.launchShell(profile: profile)] }
        let status = CredentialStatus(expiration: expiration, now: state.now)
        flash(&state, "credentials for \(profile): \(expiration == nil ? "static keys" : status.text)", isError: false)
      case .failure(let failure):
        flash(&state, "\(profile): \(failure.message)", isError: true)
      }
      return []
    case .whoamiFinished(let profile, let result):
      switch result {
      case .success(let identity): state.whoami[profile] = .loaded(identity)
      case .failure(let failure): state.whoami[profile] = .failed(failure.message)
      }
      return []
    case .diagnoseFinished(let profile, let diagnosis):
      state.diagnoses[profile] = .loaded(diagnosis)
      if let drift = diagnosis.clockDrift { state.clockDrift = drift }
      return []
    case .promptRequested(let prompt):
      state.prompts.append(prompt)
      return []
    case .promptDismissed(let id):
      state.prompts.removeAll { $0.id == id }
      return []
    case .switchboardStarted(let url, let token):
      state.switchboardURL = url
      state.switchboardToken = token
      return []
    case .switchboardActivated(let profile):
      state.activeProfile = profile
      if let profile { flash(&state, "switchboard now serves \(profile)", isError: false) }
      return []
    case .shellExited(let profile, let result):
      switch result {
      case .success(let status):
        flash(&state, "shell for \(profile) exited with status \(status)", isError: status != 0)
      case .failure(let failure):
        flash(&state, "cannot launch a shell for \(profile): \(failure.message)", isError: true)
      }
      return [.reloadCaches]
    case .ssmShellCredentialsFetched(let profile, let target, let result):
      state.fetching.remove(profile)
      switch result {
      case .success(let expiration):
        if let expiration { state.expirations[profile] = expiration }
        return [.launchSSMShell(profile: profile, target: target)]
      case .failure(let failure):
        flash(&state, "\(profile): \(failure.message)", isError: true)
        return []
      }
    case .ssmShellExited(let profile, let target, let result):
      switch result {
      case .success(let status):
        flash(&state, "SSM shell on \(target) for \(profile) ended with status \(status)", isError: status != 0)
      case .failure(let failure):
        flash(&state, "SSM shell on \(target) for \(profile): \(failure.message)", isError: true)
      }
      return [.reloadCaches]
    case .failed(let failure):
      flash(&state, failure.message, isError: true)
      return []
    case .accountsLoaded(let profile, let result):
      AccountBrowserReducer.accountsLoaded(profile: profile, result: result, in: &state)
      // A sign-in may have renewed the session's token: the header shows its expiry.
      return [.reloadCaches]
    case .profileWritten(let name, let result, let followUp):
      return AccountBrowserReducer.profileWritten(name: name, result: result, followUp: followUp, in: &state)
    case .consoleReady(let profile, let result):
      switch result {
      case .success(.opened): flash(&state, "opened the AWS console for \(profile)", isError: false)
      case .success(.url(let url)): flash(&state, "console for \(profile) (no browser): \(url)", isError: false)
      case .failure(let failure): flash(&state, "console for \(profile): \(failure.message)", isError: true)
      }
      return []
    case .identityCenterSessionsLoaded(let sessions):
      state.identityCenterSessions = sessions
      return []
    }
  }

  // MARK: - Keys

  private static func handle(_ key: Key, in state: inout AppState) -> [Effect] {
    if !state.prompts.isEmpty { return handlePromptKey(key, in: &state) }
    if state.accountBrowser != nil { return AccountBrowserReducer.handle(key, in: &state) }
    switch state.mode {
    case .help:
      switch key {
      case .escape, .character("?"), .character("q"), .enter: state.mode = .list
      case .control("c"): return quit(&state)
      default: break
      }
      return []
    case .filtering:
      return handleFilterKey(key, in: &state)
    case .list:
      return handleListKey(key, in: &state)
    }
  }

  private static func handlePromptKey(_ key: Key, in state: inout AppState) -> [Effect] {
    // Every kind of prompt is cancelled the same way.
    if key == .escape || key == .control("c") {
      let prompt = state.prompts.removeFirst()
      return prompt.purpose == .engine ? [.cancelPrompt(id: prompt.id)] : []
    }
    switch state.prompts[0].kind {
    case .text: return handleTextPromptKey(key, in: &state)
    case .choice(let options): return handleChoiceKey(key, options: options, in: &state)
    case .notice: return []
    }
  }

  private static func handleChoiceKey(_ key: Key, options: [String], in state: inout AppState) -> [Effect] {
    switch key {
    case .enter:
      let prompt = state.prompts.removeFirst()
      return [.choosePrompt(id: prompt.id, index: prompt.selection)]
    case .down, .character("j"):
      state.prompts[0].selection = min(options.count - 1, state.prompts[0].selection + 1)
    case .up, .character("k"):
      state.prompts[0].selection = max(0, state.prompts[0].selection - 1)
    case .character(let digit):
      // 1–9 pick an option at once, as numbered on screen.
      if let number = digit.wholeNumberValue, number >= 1, number <= min(9, options.count) {
        let prompt = state.prompts.removeFirst()
        return [.choosePrompt(id: prompt.id, index: number - 1)]
      }
    default:
      break
    }
    return []
  }

  private static func handleTextPromptKey(_ key: Key, in state: inout AppState) -> [Effect] {
    switch key {
    case .enter:
      let prompt = state.prompts.removeFirst()
      if case .ssmShellTarget(let profile) = prompt.purpose {
        return startSSMShell(profile: profile, target: prompt.input, in: &state)
      }
      return [.answerPrompt(id: prompt.id, answer: prompt.input)]
    case .backspace:
      if !state.prompts[0].input.isEmpty { state.prompts[0].input.removeLast() }
    case .character(let character):
      state.prompts[0].input.append(character)
    default:
      break
    }
    return []
  }

  private static func handleFilterKey(_ key: Key, in state: inout AppState) -> [Effect] {
    switch key {
    case .enter:
      state.mode = .list
    case .escape:
      state.setFilter("")
      state.mode = .list
    case .backspace:
      var text = state.filter
      if !text.isEmpty { text.removeLast() }
      state.setFilter(text)
    case .character(let character):
      state.setFilter(state.filter + String(character))
    case .control("c"):
      return quit(&state)
    case .up, .down, .pageUp, .pageDown, .home, .end:
      move(key, in: &state)
      return []
    default:
      return []
    }
    keepSelectionInView(&state)
    return []
  }

  private static func handleListKey(_ key: Key, in state: inout AppState) -> [Effect] {
    switch key {
    case .character("j"), .down, .character("k"), .up, .character("g"), .home, .character("G"), .end,
      .pageUp, .pageDown:
      move(key, in: &state)
    case .character("/"):
      state.mode = .filtering
    case .escape:
      if !state.filter.isEmpty {
        state.setFilter("")
        keepSelectionInView(&state)
      }
    case .character("?"):
      state.mode = .help
    case .character("q"), .control("c"):
      return quit(&state)
    case .character("s"):
      let all = AppState.SortOrder.allCases
      let next = all[((all.firstIndex(of: state.sort) ?? 0) + 1) % all.count]
      state.setSort(next)
      keepSelectionInView(&state)
      flash(&state, "sorted by \(next.rawValue)", isError: false)
    case .character("i"):
      state.pane = .details
    case .control("r"):
      flash(&state, "re-reading the configuration…", isError: false)
      return [.reloadConfiguration]
    case .enter, .character("r"), .character("R"), .character("w"), .character("d"), .character("a"),
      .character("x"), .character("o"):
      return act(on: key, in: &state)
    case .character("b"):
      return AccountBrowserReducer.open(in: &state)
    default:
      break
    }
    return []
  }

  /// Keys that work on the selected profile.
  private static func act(on key: Key, in state: inout AppState) -> [Effect] {
    guard let row = state.selectedRow else {
      flash(&state, "no profile selected", isError: true)
      return []
    }
    let name = row.name
    switch key {
    case .character("d"):
      state.pane = .diagnose
      state.diagnoses[name] = .loading
      return [.diagnose(profile: name)]
    default:
      break
    }
    if let error = row.error {
      flash(&state, error, isError: true)
      return []
    }
    switch key {
    case .enter:
      state.fetching.insert(name)
      return [.fetchCredentials(profile: name, force: false, launch: true)]
    case .character("r"), .character("R"):
      state.fetching.insert(name)
      return [.fetchCredentials(profile: name, force: key == .character("R"), launch: false)]
    case .character("w"):
      state.pane = .whoami
      state.whoami[name] = .loading
      return [.whoami(profile: name)]
    case .character("a"):
      return [.activate(profile: name)]
    case .character("x"):
      var prompt = AppState.Prompt(
        id: 0, question: "SSM shell target (instance ID, tag:value, IP address or DNS name): ", isSecret: false,
        profileName: name)
      prompt.purpose = .ssmShellTarget(profile: name)
      state.prompts.append(prompt)
      return []
    case .character("o"):
      flash(&state, "signing in to the AWS console as \(name)…", isError: false)
      return [.openConsole(profile: name)]
    default:
      return []
    }
  }

  /// The target prompt of `x` was answered: credentials first (they may need a prompt of their own).
  private static func startSSMShell(profile: String, target: String, in state: inout AppState) -> [Effect] {
    let target = SessionTarget.trimmed(target)
    guard !target.isEmpty else {
      flash(&state, "no SSM target given", isError: true)
      return []
    }
    state.fetching.insert(profile)
    return [.fetchCredentialsForSSMShell(profile: profile, target: target)]
  }

  private static func move(_ key: Key, in state: inout AppState) {
    let count = state.visible.count
    guard count > 0 else { return }
    let page = Layout(rows: state.screenRows, columns: state.screenColumns).listCapacity
    state.selection = ListNavigation.selection(after: key, from: state.selection, count: count, page: page)
    keepSelectionInView(&state)
  }

  private static func quit(_ state: inout AppState) -> [Effect] {
    state.wantsQuit = true
    return [.quit]
  }

  static func flash(_ state: inout AppState, _ text: String, isError: Bool) {
    state.flash = AppState.Flash(text: text, isError: isError, until: state.now + flashDuration)
  }

  /// Scrolls the list so the selection is on screen.
  static func keepSelectionInView(_ state: inout AppState) {
    let capacity = Layout(rows: state.screenRows, columns: state.screenColumns).listCapacity
    let count = state.visible.count
    if state.selection < state.scrollTop { state.scrollTop = state.selection }
    if state.selection >= state.scrollTop + capacity { state.scrollTop = state.selection - capacity + 1 }
    state.scrollTop = max(0, min(state.scrollTop, max(0, count - capacity)))
  }
}
