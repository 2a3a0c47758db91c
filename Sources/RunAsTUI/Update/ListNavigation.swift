/// The k9s/lazygit movement keys of every list (profiles, SSO accounts): `j`/`k` and arrows,
/// `g`/`G` and Home/End, PgUp/PgDn by a page.
enum ListNavigation {
  /// The row selected after `key` in a list of `count` rows showing `page` at a time, kept
  /// within the list; `current` when the key moves nothing.
  static func selection(after key: Key, from current: Int, count: Int, page: Int) -> Int {
    var target = current
    switch key {
    case .character("j"), .down: target += 1
    case .character("k"), .up: target -= 1
    case .character("g"), .home: target = 0
    case .character("G"), .end: target = count - 1
    case .pageDown: target += page
    case .pageUp: target -= page
    default: break
    }
    return min(max(0, target), count - 1)
  }
}
