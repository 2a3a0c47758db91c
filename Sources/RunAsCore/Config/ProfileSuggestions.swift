/// The hint after an unknown profile name: the names it is probably a typo of, else some of
/// the names that exist.
enum ProfileSuggestions {
  /// Up to five of the `known` profile names close to `name` (`did you mean: …`), else the first
  /// five known names; when there are none, says that the two files (as shown to the user)
  /// define no profiles.
  static func hint(for name: String, among known: [String], configFile: String, credentialsFile: String)
    -> String
  {
    if known.isEmpty {
      return "no profiles are defined in \(configFile) or \(credentialsFile)"
    }
    let target = Array(name.lowercased().utf8)
    let threshold = max(2, target.count / 3)
    let close =
      known
      .map { candidate -> (name: String, distance: Int) in
        let lowered = candidate.lowercased()
        let related = lowered.hasPrefix(name.lowercased()) || name.lowercased().hasPrefix(lowered)
        return (
          candidate, related ? 0 : editDistance(target, Array(lowered.utf8), limit: threshold)
        )
      }
      .filter { $0.distance <= threshold }
      .sorted { ($0.distance, $0.name) < ($1.distance, $1.name) }
    if !close.isEmpty {
      return "did you mean: " + close.prefix(5).map { TerminalText.excerpt($0.name, limit: 64) }.joined(separator: ", ")
    }
    let shown = known.prefix(5).map { TerminalText.excerpt($0, limit: 64) }.joined(separator: ", ")
    return "known profiles: " + shown + (known.count > 5 ? ", …" : "")
  }

  /// Levenshtein distance, giving up (returning `limit + 1`) once it must exceed `limit`.
  private static func editDistance(_ lhs: [UInt8], _ rhs: [UInt8], limit: Int) -> Int {
    if abs(lhs.count - rhs.count) > limit { return limit + 1 }
    var previous = Array(0...rhs.count)
    var current = [Int](repeating: 0, count: rhs.count + 1)
    for (row, left) in lhs.enumerated() {
      current[0] = row + 1
      var rowMinimum = current[0]
      for (column, right) in rhs.enumerated() {
        let substitution = previous[column] + (left == right ? 0 : 1)
        current[column + 1] = min(substitution, previous[column + 1] + 1, current[column] + 1)
        rowMinimum = min(rowMinimum, current[column + 1])
      }
      if rowMinimum > limit { return limit + 1 }
      swap(&previous, &current)
    }
    return previous[rhs.count]
  }
}
