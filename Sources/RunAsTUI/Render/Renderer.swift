import RunAsCore

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Draws an ``AppState`` into a ``ScreenBuffer``. Pure: the same state and size give the same
/// cells, so screens are tested as text.
public enum Renderer {
  /// The screen for `state` at its size.
  public static func render(_ state: AppState) -> ScreenBuffer {
    let layout = Layout(rows: state.screenRows, columns: state.screenColumns)
    var screen = ScreenBuffer(rows: layout.rows, columns: layout.columns)
    if layout.isTooSmall {
      screen.write("terminal too small", row: 0, column: 0, style: .bad)
      screen.write(
        "need \(Layout.minimumColumns)x\(Layout.minimumRows), q quits", row: min(1, layout.rows - 1), column: 0)
      return screen
    }
    drawHeader(state, layout: layout, into: &screen)
    drawList(state, in: layout.list, into: &screen)
    if layout.isSideBySide {
      for row in layout.pane.row..<(layout.pane.row + layout.pane.height) {
        screen.write("│", row: row, column: layout.pane.column - 1, style: .dim)
      }
    }
    drawPane(state, in: layout.pane, into: &screen)
    drawStatus(state, row: layout.statusRow, into: &screen)
    drawHints(state, row: layout.hintRow, into: &screen)
    if let browser = state.accountBrowser { drawAccountBrowser(browser, state: state, into: &screen) }
    if state.mode == .help { drawHelp(state, into: &screen) }
    if let prompt = state.prompts.first { drawPrompt(prompt, now: state.now, into: &screen) }
    return screen
  }

  // MARK: - Header

  static func drawHeader(_ state: AppState, layout: Layout, into screen: inout ScreenBuffer) {
    screen.fill(row: 0, column: 0, width: layout.columns, style: .header)
    var parts = [" aws-runas-tui \(state.version)", "config \(state.configPath)"]
    if let drift = state.clockDrift { parts.append("clock drift \(formatDrift(drift))") }
    parts.append("active: \(state.activeProfile ?? "none")")
    parts += identityCenterHeader(state)
    screen.write(parts.joined(separator: " │ "), row: 0, column: 0, style: .header)
    var line = " switchboard: starting…"
    if let url = state.switchboardURL, let token = state.switchboardToken {
      // The longest form that fits; a cut token would be copied wrong, so never cut silently.
      let forms = [
        " switchboard: export AWS_CONTAINER_CREDENTIALS_FULL_URI=\(url) AWS_CONTAINER_AUTHORIZATION_TOKEN=\(token)",
        " switchboard: \(url) token \(token)",
        " switchboard: \(url) (? shows the token)",
      ]
      line = forms.first { $0.count <= layout.columns } ?? forms[forms.count - 1].truncated(to: layout.columns)
    }
    screen.write(line, row: 1, column: 0, style: .dim)
  }

  /// `+1.2s`, `-350ms`.
  static func formatDrift(_ drift: Duration) -> String {
    let milliseconds = drift.components.seconds * 1000 + drift.components.attoseconds / 1_000_000_000_000_000
    let sign = milliseconds < 0 ? "-" : "+"
    let magnitude = abs(milliseconds)
    if magnitude < 1000 { return "\(sign)\(magnitude)ms" }
    let tenths = (magnitude + 50) / 100
    return "\(sign)\(tenths / 10).\(tenths % 10)s"
  }

  // MARK: - List

  /// Column widths of the list for a given width; zero hides a column.
  struct Columns: Equatable {
    var name: Int
    var kind = 8
    var account: Int
    var region = 10
    var mfa = 3
    var credentials = 15

    init(width: Int) {
      let prefix = 2
      var fixed = prefix + kind + 1 + region + 1 + mfa + 1 + credentials + 1 + 1
      if width - fixed < 24 {
        region = 0
        fixed -= 11
      }
      if width - fixed < 24 {
        kind = 0
        fixed -= 9
      }
      let flexible = max(0, width - fixed)
      name = max(min(flexible, 12), flexible * 9 / 20)
      account = max(0, flexible - name)
    }
  }

  static func drawList(_ state: AppState, in rect: Layout.Rect, into screen: inout ScreenBuffer) {
    guard rect.height > 0 else { return }
    let columns = Columns(width: rect.width)
    var titles = ScreenBuffer(rows: 1, columns: rect.width)
    titles.fill(row: 0, column: 0, width: rect.width, style: .title)
    var x = 2
    func title(_ text: String, _ width: Int) {
      guard width > 0 else { return }
      titles.write(text.padded(to: width), row: 0, column: x, style: .title)
      x += width + 1
    }
    title("PROFILE", columns.name)
    title("KIND", columns.kind)
    title("ACCOUNT/ROLE", columns.account)
    title("REGION", columns.region)
    title("MFA", columns.mfa)
    title("CREDENTIALS", columns.credentials)
    blit(titles, row: rect.row, column: rect.column, into: &screen)

    if state.visible.isEmpty {
      let message =
        state.rows.isEmpty
        ? "no profiles in \(state.configPath)" : "no profile matches \"\(state.filter)\" (Esc clears the filter)"
      screen.write(message, row: rect.row + 1, column: rect.column + 2, style: .dim, width: rect.width - 2)
      return
    }
    let capacity = max(0, rect.height - 1)
    let end = min(state.visible.count, state.scrollTop + capacity)
    guard state.scrollTop < end else { return }
    for position in state.scrollTop..<end {
      let row = state.rows[state.visible[position]]
      var line = ScreenBuffer(rows: 1, columns: rect.width)
      drawRow(row, state: state, selected: position == state.selection, columns: columns, into: &line)
      blit(line, row: rect.row + 1 + position - state.scrollTop, column: rect.column, into: &screen)
    }
  }

  static func drawRow(
    _ row: ProfileRow, state: AppState, selected: Bool, columns: Columns, into line: inout ScreenBuffer
  ) {
    let base: CellStyle = selected ? .selected : .normal
    line.fill(row: 0, column: 0, width: line.columns, style: base)
    let isActive = row.name == state.activeProfile
    line.write(selected ? "▸" : " ", row: 0, column: 0, style: base)
    line.write(isActive ? "*" : " ", row: 0, column: 1, style: selected ? base : .accent)
    var x = 2
    func cell(_ text: String, _ width: Int, _ style: CellStyle) {
      guard width > 0 else { return }
      line.write(text.padded(to: width), row: 0, column: x, style: selected ? base : style)
      x += width + 1
    }
    cell(row.name, columns.name, isActive ? .accent : .normal)
    if let error = row.error {
      cell("error", columns.kind, .bad)
      let rest = max(0, line.columns - x)
      line.write(error.truncated(to: rest), row: 0, column: x, style: selected ? base : .bad)
      return
    }
    cell(row.kind, columns.kind, .normal)
    cell(row.accountAndRole, columns.account, .dim)
    cell(row.region, columns.region, .normal)
    cell(row.needsMFA ? "MFA" : "", columns.mfa, .accent)
    if state.fetching.contains(row.name) {
      cell("fetching…", columns.credentials, .accent)
    } else {
      let status = state.status(of: row)
      cell(status.text, columns.credentials, style(of: status))
    }
  }

  static func style(of status: CredentialStatus) -> CellStyle {
    switch status {
    case .none: .dim
    case .valid: .good
    case .expiring: .warning
    case .expired: .bad
    }
  }

  static func blit(_ source: ScreenBuffer, row: Int, column: Int, into screen: inout ScreenBuffer) {
    guard row >= 0, row < screen.rows else { return }
    for x in 0..<source.columns where column + x < screen.columns {
      let cell = source[0, x]
      screen.write(String(cell.character), row: row, column: column + x, style: cell.style)
    }
  }

  // MARK: - Pane

  /// A line of pane text.
  struct PaneLine {
    var text: String
    var style: CellStyle = .normal
  }

  static func drawPane(_ state: AppState, in rect: Layout.Rect, into screen: inout ScreenBuffer) {
    guard rect.height > 0, rect.width > 0 else { return }
    let name = state.selectedRow?.name
    let tabs: [(AppState.Pane, String)] = [(.details, "i details"), (.whoami, "w whoami"), (.diagnose, "d diagnose")]
    screen.fill(row: rect.row, column: rect.column, width: rect.width, style: .title)
    var x = rect.column
    x = screen.write(
      " \(state.pane.rawValue)\(name.map { ": " + $0 } ?? "") ", row: rect.row, column: x, style: .title,
      width: rect.width)
    for (pane, label) in tabs {
      let text = pane == state.pane ? "[\(label)]" : " \(label) "
      x = screen.write(text, row: rect.row, column: x, style: .title, width: rect.column + rect.width - x)
    }
    let lines = paneLines(state, width: rect.width - 1)
    for (offset, line) in lines.prefix(rect.height - 1).enumerated() {
      screen.write(
        line.text, row: rect.row + 1 + offset, column: rect.column + 1, style: line.style, width: rect.width - 1)
    }
  }

  static func paneLines(_ state: AppState, width: Int) -> [PaneLine] {
    guard let row = state.selectedRow else { return [PaneLine(text: "no profile selected", style: .dim)] }
    switch state.pane {
    case .details: return detailLines(row, state: state, width: width)
    case .whoami: return whoamiLines(row, state: state, width: width)
    case .diagnose: return diagnoseLines(row, state: state, width: width)
    }
  }

  static func detailLines(_ row: ProfileRow, state: AppState, width: Int) -> [PaneLine] {
    var lines: [PaneLine] = []
    if let error = row.error {
      return wrap(error, width: width).map { PaneLine(text: $0, style: .bad) }
    }
    let status = state.status(of: row)
    var summary = "\(row.kind) · \(status.text)"
    if let expiration = state.expirations[row.name] { summary += " · until \(state.localTime.format(expiration))" }
    lines += indented(summary, width: width, style: style(of: status))
    if let profile = row.profile, profile.chain.count > 1 {
      lines += indented("chain: " + profile.chain.map(\.displayName).joined(separator: " → "), width: width)
    }
    if let url = row.identityProviderURL {
      lines += signInLines(
        provider: row.identityProviderName, status: state.signInStatus[url], state: state, width: width)
    }
    guard let profile = row.profile else { return lines }
    for setting in profile.settings.described {
      let pair = "\(setting.key) = \(setting.value)"
      let origin = setting.origin.description
      if pair.count + 2 + origin.count <= width {
        lines.append(PaneLine(text: pair.padded(to: width - origin.count) + origin))
      } else {
        lines += indented(pair, width: width)
        lines += indented("  ← " + origin, width: width, style: .dim)
      }
    }
    if let keys = profile.staticCredentials {
      lines += indented("keys \(keys.accessKeyID.prefix(4))…  ← \(keys.origin)", width: width, style: .dim)
    }
    return lines
  }

  /// A SAML / OIDC profile's provider and whether it still holds a session (its cookies in
  /// `.aws_runas.cookies`).
  static func signInLines(
    provider: String?, status: IdentityProviderSignInStatus?, state: AppState, width: Int
  ) -> [PaneLine] {
    let name = "IdP " + (provider ?? status?.detectedProvider ?? "(detected at sign-in)")
    guard let status else { return indented(name, width: width, style: .dim) }
    if let problem = status.problem {
      return indented("\(name): cookies unreadable: \(problem)", width: width, style: .bad)
    }
    guard status.isSignedIn else { return indented("\(name): not signed in (r signs in)", width: width, style: .dim) }
    let until = status.expires.map { "until \(state.localTime.format($0))" } ?? "for the IdP's session"
    return indented("\(name): signed in \(until)", width: width, style: .good)
  }

  static func whoamiLines(_ row: ProfileRow, state: AppState, width: Int) -> [PaneLine] {
    switch state.whoami[row.name] {
    case nil:
      return [PaneLine(text: "press w to call GetCallerIdentity with this profile's credentials", style: .dim)]
    case .loading:
      return [PaneLine(text: "asking STS…", style: .accent)]
    case .failed(let message):
      return wrap("error: " + message, width: width).map { PaneLine(text: $0, style: .bad) }
    case .loaded(let identity):
      return labelled("Account  ", identity.account, width: width)
        + labelled("Arn      ", identity.arn, width: width)
        + labelled("UserId   ", identity.userID, width: width)
    }
  }

  static func diagnoseLines(_ row: ProfileRow, state: AppState, width: Int) -> [PaneLine] {
    switch state.diagnoses[row.name] {
    case nil:
      return [PaneLine(text: "press d to run the checks of aws-runas -D", style: .dim)]
    case .loading:
      return [PaneLine(text: "running checks…", style: .accent)]
    case .failed(let message):
      return wrap("error: " + message, width: width).map { PaneLine(text: $0, style: .bad) }
    case .loaded(let diagnosis):
      var lines: [PaneLine] = []
      for finding in diagnosis.findings {
        let style: CellStyle =
          switch finding.severity {
          case "ERROR": .bad
          case "WARN": .warning
          default: .good
          }
        lines += indented("[\(finding.severity)] \(finding.message)", width: width, style: style)
      }
      if let drift = diagnosis.clockDrift { lines.append(PaneLine(text: "clock drift: \(formatDrift(drift))")) }
      if !diagnosis.configuration.isEmpty { lines.append(PaneLine(text: "")) }
      for entry in diagnosis.configuration {
        lines += indented("\(entry.key): \(entry.value)", width: width, style: .dim)
      }
      return lines
    }
  }

  /// `text` on lines of at most `width` characters, continuation lines indented by two, so a
  /// value is never cut: panes show all of it, however narrow.
  static func indented(_ text: String, width: Int, style: CellStyle = .normal) -> [PaneLine] {
    let lead = String(text.prefix { $0 == " " })
    return labelled(lead, String(text.dropFirst(lead.count)), width: width, style: style, continuation: lead + "  ")
  }

  /// `label` then `value` wrapped to `width`, continuation lines aligned under the value's start
  /// (or indented by `continuation` when given).
  static func labelled(
    _ label: String, _ value: String, width: Int, style: CellStyle = .normal, continuation: String? = nil
  ) -> [PaneLine] {
    let indent = continuation ?? String(repeating: " ", count: label.count)
    let parts = wrap(value, width: width - max(label.count, indent.count))
    guard !parts.isEmpty else { return [PaneLine(text: label, style: style)] }
    return parts.enumerated().map { index, part in
      PaneLine(text: (index == 0 ? label : indent) + part, style: style)
    }
  }

  /// `text` broken into lines of at most `width` characters, at spaces when possible; a word
  /// longer than a line (an ARN) breaks after a `/`, `:` or `,` near the end of the line, else
  /// at the line's end.
  static func wrap(_ text: String, width: Int) -> [String] {
    guard width > 4 else { return [text] }
    var lines: [String] = []
    var current = ""
    for word in text.split(separator: " ", omittingEmptySubsequences: false) {
      var word = String(word)
      while word.count > width {
        // The word starts on the current line when a fair part of that line is left.
        let room = current.isEmpty ? width : width - current.count - 1
        if !current.isEmpty && room < max(8, width / 3) {
          lines.append(current)
          current = ""
          continue
        }
        let head = word.prefix(room)
        let cut =
          head.lastIndex { "/:,".contains($0) }
          .map { head.distance(from: head.startIndex, to: $0) + 1 }
          .flatMap { $0 > room / 2 ? $0 : nil } ?? room
        lines.append(current.isEmpty ? String(word.prefix(cut)) : current + " " + word.prefix(cut))
        current = ""
        word = String(word.dropFirst(cut))
      }
      if current.isEmpty {
        current = word
      } else if current.count + 1 + word.count <= width {
        current += " " + word
      } else {
        lines.append(current)
        current = word
      }
    }
    if !current.isEmpty { lines.append(current) }
    return lines
  }

  // MARK: - Status and hints

  static func drawStatus(_ state: AppState, row: Int, into screen: inout ScreenBuffer) {
    let count = "\(state.visible.count) of \(state.rows.count) profiles · sort: \(state.sort.rawValue)"
    if state.mode == .filtering {
      let end = screen.write("/" + state.filter, row: row, column: 0, style: .input)
      screen.cursor = (row, min(end, screen.columns - 1))
      screen.write("  " + count, row: row, column: end, style: .dim)
    } else if let flash = state.flash {
      screen.write(
        flash.isError ? "error: " + flash.text : flash.text, row: row, column: 0, style: flash.isError ? .bad : .accent)
    } else if !state.filter.isEmpty {
      screen.write("filter \"\(state.filter)\" (Esc clears) · " + count, row: row, column: 0, style: .dim)
    } else {
      screen.write(count, row: row, column: 0, style: .dim)
    }
  }

  static let listHints: [(String, String)] = [
    ("j/k", "move"), ("/", "filter"), ("⏎", "shell"), ("r/R", "creds"), ("w", "whoami"), ("d", "diagnose"),
    ("i", "details"), ("a", "activate"), ("s", "sort"), ("^R", "reload"), ("?", "help"), ("q", "quit"),
  ]

  static func drawHints(_ state: AppState, row: Int, into screen: inout ScreenBuffer) {
    let hints: [(String, String)]
    if let prompt = state.prompts.first {
      switch prompt.kind {
      case .text: hints = [("⏎", "submit"), ("Esc", "cancel")]
      case .choice: hints = [("j/k", "move"), ("1-9", "pick"), ("⏎", "choose"), ("Esc", "cancel")]
      case .notice: hints = [("Esc", "cancel")]
      }
    } else if let browser = state.accountBrowser {
      hints =
        browser.isFiltering
        ? [("type", "to filter"), ("⏎", "keep"), ("Esc", "clear")]
        : [
          ("j/k", "move"), ("/", "filter"), ("⏎", "shell"), ("p", "write profile"), ("o", "console"), ("Esc", "close"),
        ]
    } else {
      switch state.mode {
      case .filtering: hints = [("type", "to filter"), ("⏎", "keep"), ("Esc", "clear"), ("↑/↓", "move")]
      case .help: hints = [("Esc/?", "close help")]
      case .list: hints = listHints
      }
    }
    var x = 0
    for (key, action) in hints {
      guard x + key.count + action.count + 1 <= screen.columns else { break }
      x = screen.write(key, row: row, column: x, style: .accent)
      x = screen.write(" " + action + "  ", row: row, column: x, style: .dim)
    }
  }

  // MARK: - Overlays

  static func drawBox(
    title: String, lines: [PaneLine], width wanted: Int, into screen: inout ScreenBuffer
  ) -> (row: Int, column: Int, width: Int) {
    let width = min(wanted, screen.columns - 2)
    let height = min(lines.count + 2, screen.rows - 2)
    let top = max(0, (screen.rows - height) / 2)
    let left = max(0, (screen.columns - width) / 2)
    let inner = width - 2
    screen.write(
      "┌" + ("─" + title + " ").padded(to: inner).replacingTrailingSpaces(with: "─") + "┐", row: top, column: left,
      style: .modal)
    for index in 0..<max(0, height - 2) {
      let row = top + 1 + index
      screen.write("│", row: row, column: left, style: .modal)
      screen.fill(row: row, column: left + 1, width: inner, style: .modal)
      let line = lines[index]
      screen.write(
        " " + line.text, row: row, column: left + 1, style: line.style == .normal ? .modal : line.style, width: inner)
      screen.write("│", row: row, column: left + width - 1, style: .modal)
    }
    screen.write("└" + String(repeating: "─", count: inner) + "┘", row: top + height - 1, column: left, style: .modal)
    return (top, left, width)
  }

  static func drawHelp(_ state: AppState, into screen: inout ScreenBuffer) {
    let keys: [(String, String)] = [
      ("j k ↑ ↓", "move"), ("g G Home End", "first / last"), ("PgUp PgDn", "page"),
      ("/", "filter by name, account, role (⏎ keeps, Esc clears)"), ("⏎", "open a shell under the selected role"),
      ("x", "SSM shell on an instance (asks for the target)"),
      ("r / R", "get credentials / force a refresh"), ("w", "whoami (GetCallerIdentity)"),
      ("d", "diagnose (the checks of aws-runas -D)"), ("i", "details: settings and where they come from"),
      ("a", "serve this profile on the switchboard"), ("o / b", "open the AWS console / browse SSO accounts"),
      ("s", "sort: name → expiry → kind"),
      ("Ctrl-R", "re-read the config files"), ("? Esc", "close this help"), ("q Ctrl-C", "quit"),
    ]
    var lines = keys.map { PaneLine(text: $0.0.padded(to: 14) + $0.1) }
    lines.append(PaneLine(text: ""))
    lines.append(PaneLine(text: "Switchboard (the active profile's credentials):", style: .dim))
    if let url = state.switchboardURL, let token = state.switchboardToken {
      lines.append(PaneLine(text: "AWS_CONTAINER_CREDENTIALS_FULL_URI=\(url)", style: .dim))
      lines.append(PaneLine(text: "AWS_CONTAINER_AUTHORIZATION_TOKEN=\(token)", style: .dim))
    }
    _ = drawBox(title: " keys ", lines: lines, width: 76, into: &screen)
  }

  static func drawPrompt(_ prompt: AppState.Prompt, now: Date, into screen: inout ScreenBuffer) {
    let title =
      " " + (prompt.kind == .notice ? "waiting" : "input needed") + (prompt.profileName.map { ": " + $0 } ?? "") + " "
    switch prompt.kind {
    case .text:
      drawTextPrompt(prompt, title: title, into: &screen)
    case .choice(let options):
      var lines =
        [PaneLine(text: "")]
        + indented(prompt.question.trimmingPrompt(), width: 56).map {
          PaneLine(text: $0.text, style: .modal)
        }
      lines.append(PaneLine(text: ""))
      for (index, option) in options.enumerated() {
        let marker = index == prompt.selection ? "▸ " : "  "
        let number = index < 9 ? "\(index + 1)) " : "   "
        lines.append(PaneLine(text: marker + number + option, style: index == prompt.selection ? .input : .modal))
      }
      lines += [PaneLine(text: ""), PaneLine(text: "j/k move · ⏎ choose · Esc cancel", style: .modal)]
      _ = drawBox(title: title, lines: lines, width: 60, into: &screen)
    case .notice:
      var lines = [PaneLine(text: "")]
      lines += indented(prompt.question, width: 56).map { PaneLine(text: $0.text, style: .accent) }
      if let deadline = prompt.deadline {
        let status = CredentialStatus(expiration: deadline, now: now, margin: .zero)
        switch status {
        case .valid(let left), .expiring(let left):
          lines += [PaneLine(text: ""), PaneLine(text: "expires in \(CredentialStatus.format(left))", style: .warning)]
        case .expired, .none:
          lines += [PaneLine(text: ""), PaneLine(text: "expired", style: .bad)]
        }
      }
      lines += [PaneLine(text: ""), PaneLine(text: "Esc cancel", style: .modal)]
      _ = drawBox(title: title, lines: lines, width: 60, into: &screen)
    }
  }

  static func drawTextPrompt(_ prompt: AppState.Prompt, title: String, into screen: inout ScreenBuffer) {
    let shown = prompt.isSecret ? String(repeating: "•", count: prompt.input.count) : prompt.input
    let lines = [
      PaneLine(text: ""), PaneLine(text: prompt.question + shown, style: .input), PaneLine(text: ""),
      PaneLine(text: "⏎ submit · Esc cancel", style: .modal),
    ]
    let box = drawBox(title: title, lines: lines, width: 50, into: &screen)
    let column = box.column + 2 + prompt.question.count + shown.count
    screen.cursor = (box.row + 2, min(column, box.column + box.width - 2))
  }
}

extension String {
  /// Trailing spaces replaced by `character` (for box titles).
  func replacingTrailingSpaces(with character: Character) -> String {
    var text = self
    var count = 0
    while text.last == " " {
      text.removeLast()
      count += 1
    }
    // Keep the space after the title.
    if count > 0 { return text + " " + String(repeating: character, count: count - 1) }
    return text
  }
}
