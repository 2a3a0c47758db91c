import RunAsCore

/// One account and role an IAM Identity Center session can reach: a line of the account browser.
public struct AccountRoleEntry: Sendable, Equatable {
  /// The account ID.
  public var accountID: String
  /// The account's name.
  public var accountName: String
  /// The role (permission set) name.
  public var roleName: String

  /// Creates an entry.
  public init(accountID: String, accountName: String, roleName: String) {
    self.accountID = accountID
    self.accountName = accountName
    self.roleName = roleName
  }

  /// Every account and role of a listing, accounts in the listing's order, one line per role.
  public static func entries(of directory: [IdentityCenterAccountRoles]) -> [AccountRoleEntry] {
    directory.flatMap { entry in
      entry.roles.map {
        AccountRoleEntry(accountID: entry.account.accountID, accountName: entry.account.accountName, roleName: $0)
      }
    }
  }

  /// The profile name the browser suggests, e.g. `production-readonlyaccess`.
  public var suggestedProfileName: String {
    IdentityCenterProfileWriter.suggestedName(accountName: accountName, accountID: accountID, roleName: roleName)
  }

  /// Whether the lower-cased `needle` occurs in the ID, the name or the role.
  func matches(_ needle: String) -> Bool {
    needle.isEmpty || accountID.contains(needle) || accountName.lowercased().contains(needle)
      || roleName.lowercased().contains(needle)
  }
}

/// The account browser (`b` on an Identity Center profile): every account and role of the
/// profile's session, filterable, with keys that write a profile for the selected line, open a
/// shell as it, or open the console.
public struct AccountBrowser: Sendable {
  /// What happens after a profile is written for the selected line.
  public enum FollowUp: Sendable, Equatable {
    /// Nothing more (`p`).
    case nothing
    /// Open a shell as it (⏎).
    case shell
    /// Open the console as it (`o`).
    case console
  }

  /// The profile whose session is browsed (its endpoints and region are used).
  public var profileName: String
  /// The listing, while it loads and once it is there.
  public var entries: AppState.Loadable<[AccountRoleEntry]> = .loading
  /// The filter text.
  public private(set) var filter: String = ""
  /// Whether keys go to the filter.
  public var isFiltering = false
  /// Position in ``visible`` of the selected line.
  public var selection = 0
  /// First visible position shown.
  public var scrollTop = 0

  /// A browser for `profileName`'s session, loading.
  public init(profileName: String) {
    self.profileName = profileName
  }

  /// The loaded entries, or none.
  public var loadedEntries: [AccountRoleEntry] {
    if case .loaded(let entries) = entries { return entries }
    return []
  }

  /// The entries that match the filter, in order.
  public var visible: [AccountRoleEntry] {
    let needle = filter.lowercased()
    return loadedEntries.filter { $0.matches(needle) }
  }

  /// The selected entry, if any.
  public var selected: AccountRoleEntry? {
    let shown = visible
    return shown.indices.contains(selection) ? shown[selection] : nil
  }

  /// Sets the filter and keeps the selection in range.
  public mutating func setFilter(_ text: String) {
    filter = text
    selection = min(selection, max(0, visible.count - 1))
    scrollTop = 0
  }
}
