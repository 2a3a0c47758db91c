import Synchronization

/// Resolved profiles by name, shared between resolutions and threads: a source profile is
/// resolved once however many profiles (and later calls) name it.
final class ResolvedProfileCache: Sendable {
  private let profiles = Mutex<[String: ResolvedProfile]>([:])

  /// The profile resolved earlier under `name`, if any; setting stores one.
  subscript(name: String) -> ResolvedProfile? {
    get { profiles.withLock { $0[name] } }
    set { profiles.withLock { $0[name] = newValue } }
  }
}
