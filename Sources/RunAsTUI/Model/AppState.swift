import RunAsCore

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Everything the screen shows, as a value: the reducer produces it, the renderer draws it.
public struct AppState: Sendable {
  /// How the list is ordered.
  public enum SortOrder: String, Sendable, CaseIterable {
    /// By profile name.
    case name
    /// Soonest expiry first, profiles without credentials last.
    case expiry
    /// By kind, then name.
    case kind
  }

  /// What the right (or lower) pane shows.
  public enum Pane: String, Sendable {
    /// Each resolved setting and where it came from.
    case details
    /// GetCallerIdentity of the profile's credentials.
    case whoami
    /// The checks of `aws-runas -D`.
    case diagnose
  }

  /// What has the keyboard.
  public enum Mode: Sendable, Equatable {
    /// The profile list.
    case list
    /// The filter prompt (`/`).
    case filtering
    /// The `?` overlay.
    case help
  }

  /// A question from the engine, shown as a modal.
  public struct Prompt: Sendable, Equatable {
    /// Who waits for the answer.
    public enum Purpose: Sendable, Equatable {
      /// The engine, through the prompt broker (answered with ``Effect/answerPrompt(id:answer:)``).
      case engine
      /// The reducer itself: the target of an SSM shell on the profile (`x`).
      case ssmShellTarget(profile: String)
    }

    /// What kind of answer the prompt wants.
    public enum Kind: Sendable, Equatable {
      /// Typed text; masked when secret (passwords).
      case text(isSecret: Bool)
      /// One of these options (MFA factors, roles, accounts).
      case choice([String])
      /// No answer: a notice shown while something happens elsewhere; Esc cancels it.
      case notice
    }

    /// Identifies the waiting caller.
    public var id: Int
    /// The question, e.g. `MFA token code: `, or the notice.
    public var question: String
    /// What kind of answer it wants.
    public var kind: Kind
    /// The profile it is asked for, if known.
    public var profileName: String?
    /// What has been typed.
    public var input: String = ""
    /// The highlighted option of a choice.
    public var selection: Int = 0
    /// Who waits for the answer.
    public var purpose: Purpose = .engine
    /// For a notice: when what it waits for expires (a sign-in code), shown as a countdown.
    public var deadline: Date?

    /// Creates a prompt of any kind.
    public init(id: Int, question: String, kind: Kind, profileName: String?) {
      self.id = id
      self.question = question
      self.kind = kind
      self.profileName = profileName
    }

    /// Creates a text prompt.
    public init(id: Int, question: String, isSecret: Bool, profileName: String?) {
      self.init(id: id, question: question, kind: .text(isSecret: isSecret), profileName: profileName)
    }

    /// Whether typed text is masked.
    public var isSecret: Bool {
      if case .text(let isSecret) = kind { return isSecret }
      return false
    }
  }

  /// A pane's content for one profile: loading, a result, or an error message.
  public enum Loadable<Value: Sendable>: Sendable {
    /// The request is running.
    case loading
    /// The answer.
    case loaded(Value)
    /// What went wrong.
    case failed(String)
  }

  /// The diagnose pane's data.
  public struct Diagnosis: Sendable {
    /// `(severity, message)` in check order.
    public var findings: [(severity: String, message: String)]
    /// The resolved configuration (`KEY: value`).
    public var configuration: [(key: String, value: String)]
    /// Local clock minus AWS's, if measured.
    public var clockDrift: Duration?

    /// Creates the data.
    public init(
      findings: [(severity: String, message: String)], configuration: [(key: String, value: String)],
      clockDrift: Duration?
    ) {
      self.findings = findings
      self.configuration = configuration
      self.clockDrift = clockDrift
    }
  }

  /// A one-line message under the list.
  public struct Flash: Sendable, Equatable {
    /// The text.
    public var text: String
    /// Whether it reports an error (shown in red, prefixed `error:`).
    public var isError: Bool
    /// When it disappears.
    public var until: Date
  }

  /// The tool version in the header.
  public var version: String = RunAsCore.version
  /// The config file in use (home shown as `~`).
  public var configPath: String = ""
  /// Local clock minus AWS's, once a diagnosis measured it.
  public var clockDrift: Duration?
  /// The switchboard's URL, once it listens.
  public var switchboardURL: String?
  /// The switchboard's token.
  public var switchboardToken: String?
  /// The profile the switchboard serves.
  public var activeProfile: String?

  /// Every profile, in the current sort order.
  public private(set) var rows: [ProfileRow] = []
  /// Positions in `rows` that match the filter, in order.
  public private(set) var visible: [Int] = []
  /// Position in `visible` of the selected row.
  public var selection: Int = 0
  /// First visible position shown in the list viewport.
  public var scrollTop: Int = 0
  /// The filter text.
  public private(set) var filter: String = ""
  /// Current sort order.
  public private(set) var sort: SortOrder = .name
  /// Current pane.
  public var pane: Pane = .details
  /// What has the keyboard.
  public var mode: Mode = .list
  /// Waiting engine questions; the first is shown.
  public var prompts: [Prompt] = []
  /// Cached credential expiry per profile (`nil` when nothing is cached).
  public var expirations: [String: Date] = [:]
  /// Profiles whose credentials are being fetched.
  public var fetching: Set<String> = []
  /// Whoami results per profile.
  public var whoami: [String: Loadable<CallerIdentity>] = [:]
  /// Diagnose results per profile.
  public var diagnoses: [String: Loadable<Diagnosis>] = [:]
  /// The flash line.
  public var flash: Flash?
  /// The clock, advanced by ticks.
  public var now: Date
  /// How times are shown (the user's zone in the app; UTC in tests, so screens are repeatable).
  public var localTime: LocalTime = .utc
  /// Screen size, for paging.
  public var screenRows: Int = 24
  /// Screen width.
  public var screenColumns: Int = 80
  /// Set when the user asked to quit.
  public var wantsQuit = false
  /// The account browser, while it is open (`b`).
  public var accountBrowser: AccountBrowser?
  /// Token expiry per IAM Identity Center session in use (`sso-session "corp"` → date), for the
  /// header.
  public var identityCenterSessions: [String: Date] = [:]
  /// What `.aws_runas.cookies` says of each SAML / OIDC provider URL the list shows.
  public var signInStatus: [String: IdentityProviderSignInStatus] = [:]

  /// An empty state at `now`.
  public init(now: Date) {
    self.now = now
  }

  /// The selected row, if any.
  public var selectedRow: ProfileRow? {
    guard visible.indices.contains(selection) else { return nil }
    return rows[visible[selection]]
  }

  /// Replaces the profiles, keeping the selected profile (by name) and the filter.
  public mutating func setRows(_ newRows: [ProfileRow]) {
    let selectedName = selectedRow?.name
    rows = newRows
    applySortAndFilter(keeping: selectedName)
  }

  /// Sets the filter text and narrows the list, keeping the selection when it still matches.
  public mutating func setFilter(_ text: String) {
    let selectedName = selectedRow?.name
    let narrowing = !filter.isEmpty && text.hasPrefix(filter)
    filter = text
    if narrowing {
      // Typing one more character only removes rows: re-test the ones still shown.
      let needle = Array(text.lowercased().utf8)
      visible = visible.filter { rows[$0].matches(needle) }
      reselect(selectedName)
    } else {
      applyFilter(keeping: selectedName)
    }
  }

  /// Changes the sort order, keeping the selected profile.
  public mutating func setSort(_ order: SortOrder) {
    sort = order
    applySortAndFilter(keeping: selectedRow?.name)
  }

  /// Credential status of `row` now.
  public func status(of row: ProfileRow) -> CredentialStatus {
    CredentialStatus(expiration: expirations[row.name], now: now)
  }

  mutating func applySortAndFilter(keeping name: String?) {
    switch sort {
    case .name:
      rows.sort { $0.name < $1.name }
    case .kind:
      rows.sort { ($0.kind, $0.name) < ($1.kind, $1.name) }
    case .expiry:
      let far = Date.distantFuture
      rows.sort { left, right in
        let l = expirations[left.name] ?? far
        let r = expirations[right.name] ?? far
        return l != r ? l < r : left.name < right.name
      }
    }
    applyFilter(keeping: name)
  }

  private mutating func applyFilter(keeping name: String?) {
    if filter.isEmpty {
      visible = Array(rows.indices)
    } else {
      let needle = Array(filter.lowercased().utf8)
      visible = rows.indices.filter { rows[$0].matches(needle) }
    }
    reselect(name)
  }

  private mutating func reselect(_ name: String?) {
    if let name, let position = visible.firstIndex(where: { rows[$0].name == name }) {
      selection = position
    } else {
      // The selected profile is filtered out: the best match is the first one.
      selection = 0
      scrollTop = 0
    }
  }
}
