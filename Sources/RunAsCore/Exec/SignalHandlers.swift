#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Signal handlers installed for a while (the session plugin's run, a browser sign-in) and put
/// back as they were afterwards.
enum SignalHandlers {
  /// A handler given the signal's `siginfo_t` (`SA_SIGINFO`).
  typealias Handler = @convention(c) (Int32, UnsafeMutablePointer<siginfo_t>?, UnsafeMutableRawPointer?) -> Void

  /// Installs `handler` (`SA_SIGINFO | SA_RESTART`) for each of `signals`.
  ///
  /// - Returns: The actions replaced, for ``restore(_:)``.
  static func install(_ handler: Handler, for signals: [Int32]) -> [Int32: sigaction] {
    var previous: [Int32: sigaction] = [:]
    for signalNumber in signals {
      var action = sigaction()
      #if canImport(Glibc)
        action.__sigaction_handler.sa_sigaction = handler
      #else
        action.__sigaction_u.__sa_sigaction = handler
      #endif
      action.sa_flags = SA_SIGINFO | SA_RESTART
      sigemptyset(&action.sa_mask)
      var old = sigaction()
      sigaction(signalNumber, &action, &old)
      previous[signalNumber] = old
    }
    return previous
  }

  /// Puts back the actions ``install(_:for:)`` replaced.
  static func restore(_ previous: [Int32: sigaction]) {
    for (signalNumber, var action) in previous { sigaction(signalNumber, &action, nil) }
  }
}
