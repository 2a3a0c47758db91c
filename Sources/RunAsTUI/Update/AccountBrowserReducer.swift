/// Keys and results of the account browser (``AccountBrowser``). Pure, like ``Reducer``.
enum AccountBrowserReducer {
  /// The lines the browser shows at once for a screen of `rows` rows.
  static func capacity(rows: Int) -> Int {
    max(1, min(rows - 2, 30) - 6)
  }

  /// Opens the browser for the selected profile when it uses Identity Center.
  static func open(in state: inout AppState) -> [Effect] {
    guard let row = state.selectedRow else {
      Reducer.flash(&state, "no profile selected", isError: true)
      return []
    }
    guard row.profile?.chain.contains(where: { $0.identityCenter != nil }) == true else {
      Reducer.flash(&state, "\(row.name) does not use IAM Identity Center (no sso_session)", isError: true)
      return []
    }
    state.accountBrowser = AccountBrowser(profileName: row.name)
    return [.loadAccounts(profile: row.name)]
  }

  /// A key while the browser is open.
  static func handle(_ key: Key, in state: inout AppState) -> [Effect] {
    guard var browser = state.accountBrowser else { return [] }
    if key == .control("c") {
      state.wantsQuit = true
      return [.quit]
    }
    var effects: [Effect] = []
    if browser.isFiltering {
      switch key {
      case .enter: browser.isFiltering = false
      case .escape:
        browser.setFilter("")
        browser.isFiltering = false
      case .backspace:
        var text = browser.filter
        if !text.isEmpty { text.removeLast() }
        browser.setFilter(text)
      case .character(let character): browser.setFilter(browser.filter + String(character))
      case .up, .down: move(key, &browser, rows: state.screenRows)
      default: break
      }
      state.accountBrowser = browser
      return []
    }
    switch key {
    case .escape where !browser.filter.isEmpty:
      browser.setFilter("")
    case .escape, .character("q"), .character("b"):
      state.accountBrowser = nil
      return []
    case .character("/"):
      browser.isFiltering = true
    case .character("j"), .down, .character("k"), .up, .character("g"), .home, .character("G"), .end, .pageUp,
      .pageDown:
      move(key, &browser, rows: state.screenRows)
    case .control("r"):
      browser.entries = .loading
      effects = [.loadAccounts(profile: browser.profileName)]
    case .character("p"), .enter, .character("o"):
      if let entry = browser.selected {
        let followUp: AccountBrowser.FollowUp =
          key == .enter ? .shell : key == .character("o") ? .console : .nothing
        effects = [
          .writeProfile(
            from: browser.profileName, entry: entry, name: entry.suggestedProfileName, followUp: followUp)
        ]
      }
    default:
      break
    }
    state.accountBrowser = browser
    return effects
  }

  static func move(_ key: Key, _ browser: inout AccountBrowser, rows: Int) {
    let count = browser.visible.count
    guard count > 0 else { return }
    let page = capacity(rows: rows)
    browser.selection = ListNavigation.selection(after: key, from: browser.selection, count: count, page: page)
    if browser.selection < browser.scrollTop { browser.scrollTop = browser.selection }
    if browser.selection >= browser.scrollTop + page { browser.scrollTop = browser.selection - page + 1 }
  }

  /// The listing arrived (or failed).
  static func accountsLoaded(
    profile: String, result: Result<[AccountRoleEntry], Failure>, in state: inout AppState
  ) {
    guard state.accountBrowser?.profileName == profile else { return }
    switch result {
    case .success(let entries):
      state.accountBrowser?.entries = .loaded(entries)
      state.accountBrowser?.selection = 0
      state.accountBrowser?.scrollTop = 0
    case .failure(let failure):
      state.accountBrowser?.entries = .failed(failure.message)
    }
  }

  /// A profile was written (or not); then the follow-up.
  static func profileWritten(
    name: String, result: Result<String, Failure>, followUp: AccountBrowser.FollowUp, in state: inout AppState
  ) -> [Effect] {
    switch result {
    case .failure(let failure):
      Reducer.flash(&state, "cannot write profile \(name): \(failure.message)", isError: true)
      return []
    case .success(let path):
      Reducer.flash(&state, "wrote [profile \(name)] to \(path)", isError: false)
      var effects: [Effect] = [.reloadConfiguration]
      switch followUp {
      case .nothing: break
      case .shell:
        state.accountBrowser = nil
        state.fetching.insert(name)
        effects.append(.fetchCredentials(profile: name, force: false, launch: true))
      case .console:
        effects.append(.openConsole(profile: name))
      }
      return effects
    }
  }
}
