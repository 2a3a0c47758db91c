#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

extension Renderer {
  /// The account browser as a box over the list: the filter line, then one line per account and
  /// role, the selected one highlighted.
  static func drawAccountBrowser(_ browser: AccountBrowser, state: AppState, into screen: inout ScreenBuffer) {
    let width = min(screen.columns - 2, 96)
    let inner = width - 3
    var lines: [PaneLine] = []
    if browser.isFiltering || !browser.filter.isEmpty {
      lines.append(PaneLine(text: "/" + browser.filter + (browser.isFiltering ? "▏" : ""), style: .input))
    } else {
      lines.append(
        PaneLine(text: "/ filter · ⏎ shell · p write profile · o console · ^R reload · Esc close", style: .dim))
    }
    let capacity = AccountBrowserReducer.capacity(rows: screen.rows)
    switch browser.entries {
    case .loading:
      lines.append(PaneLine(text: "listing accounts and roles…", style: .accent))
    case .failed(let message):
      lines += wrap("error: " + message, width: inner).map { PaneLine(text: $0, style: .bad) }
    case .loaded(let all):
      let shown = browser.visible
      let nameWidth = max(8, inner / 2 - 14)
      let header = "  " + "ACCOUNT".padded(to: 14) + "NAME".padded(to: nameWidth) + "ROLE"
      lines.append(PaneLine(text: header, style: .dim))
      if shown.isEmpty {
        lines.append(
          PaneLine(
            text: all.isEmpty ? "this session reaches no account" : "nothing matches \"\(browser.filter)\"",
            style: .dim))
      }
      let end = min(shown.count, browser.scrollTop + capacity)
      if browser.scrollTop < end {
        for position in browser.scrollTop..<end {
          let entry = shown[position]
          let selected = position == browser.selection
          let text =
            (selected ? "▸ " : "  ") + entry.accountID.padded(to: 14)
            + entry.accountName.truncated(to: nameWidth - 1).padded(to: nameWidth) + entry.roleName
          lines.append(PaneLine(text: text, style: selected ? .input : .normal))
        }
      }
      lines.append(PaneLine(text: "\(shown.count) of \(all.count) roles", style: .dim))
    }
    _ = drawBox(title: " accounts: \(browser.profileName) ", lines: lines, width: width, into: &screen)
  }

  /// `SSO corp 7h59m` per Identity Center session, for the header; empty without sessions.
  static func identityCenterHeader(_ state: AppState) -> [String] {
    state.identityCenterSessions.keys.sorted().map { session in
      let status = CredentialStatus(expiration: state.identityCenterSessions[session], now: state.now, margin: .zero)
      switch status {
      case .expired, .none: return "SSO \(session) expired"
      case .valid(let left), .expiring(let left): return "SSO \(session) \(CredentialStatus.format(left))"
      }
    }
  }
}
