/// AWS's `session-manager-plugin`, which carries SSM sessions (shell, port forwarding, SSH) once
/// StartSession has opened them, called with the argument contract the AWS CLI uses.
public struct SessionManagerPlugin: Sendable, Equatable {
  /// The program's name on `PATH`.
  public static let programName = "session-manager-plugin"
  /// The newest plugin that only takes the session in argv; aws-runas refuses it and older ones,
  /// since argv is visible to every user of the machine (`ps`) and the session's token is a secret.
  public static let lastArgvOnlyVersion = PluginVersion(components: [1, 2, 497, 0])
  /// The environment variable that carries the StartSession answer (the AWS CLI's name; the
  /// plugin unsets it once read).
  public static let sessionResponseVariable = "AWS_SSM_START_SESSION_RESPONSE"
  /// Where AWS explains how to install the plugin.
  public static let installURL =
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html"

  /// The plugin's path.
  public var path: String
  /// Its version, as `--version` printed it.
  public var version: PluginVersion

  /// Creates a plugin description.
  public init(path: String, version: PluginVersion) {
    self.path = path
    self.version = version
  }

  /// Finds the plugin on `environment`'s `PATH` and asks its version, as the AWS CLI does.
  ///
  /// - Throws: ``SessionManagerPluginError`` when it is not on `PATH`, its version cannot be read,
  ///   or it is too old to take the session through the environment.
  public static func locate(environment: [String: String]) async throws -> SessionManagerPlugin {
    guard let path = ChildProcess.findExecutable(programName, path: environment["PATH"]) else {
      throw SessionManagerPluginError.notFound
    }
    let result: CapturedProcess.Outcome
    do {
      result = try await CapturedProcess.run(
        [path, "--version"], environment: environment, standardError: .discard, timeLimit: .seconds(10))
    } catch let failure as ChildProcess.LaunchError {
      throw SessionManagerPluginError.unreadableVersion(path: path, output: failure.message)
    }
    if result.timedOut {
      throw SessionManagerPluginError.unreadableVersion(path: path, output: "it did not answer --version within 10s")
    }
    let output = SessionTarget.trimmed(result.outputText)
    guard result.exitStatus == 0, let version = PluginVersion(output) else {
      throw SessionManagerPluginError.unreadableVersion(path: path, output: output)
    }
    guard version > lastArgvOnlyVersion else {
      throw SessionManagerPluginError.tooOld(path: path, version: version)
    }
    return SessionManagerPlugin(path: path, version: version)
  }

  /// The arguments after `argv[0]` for a session, the AWS CLI's contract:
  /// `AWS_SSM_START_SESSION_RESPONSE <region> StartSession <profile> <request JSON> <endpoint>`.
  ///
  /// The profile is empty: aws-runas hands the plugin credentials in its environment.
  ///
  /// - Parameters:
  ///   - region: The session's region.
  ///   - request: The StartSession request.
  ///   - endpointURL: The SSM endpoint the session was started at.
  public static func arguments(region: String, request: StartSessionRequest, endpointURL: String) -> [String] {
    var endpoint = endpointURL
    while endpoint.hasSuffix("/") { endpoint.removeLast() }
    return [sessionResponseVariable, region, "StartSession", "", request.pluginJSON, endpoint]
  }
}

/// A dotted version number such as `1.2.707.0`.
public struct PluginVersion: Sendable, Equatable, Comparable, CustomStringConvertible {
  /// The numbers between the dots.
  public var components: [Int]

  /// Creates a version from its numbers.
  public init(components: [Int]) {
    self.components = components
  }

  /// Parses `1.2.707.0` (a leading `v` and surrounding whitespace allowed); `nil` for anything else.
  public init?(_ text: String) {
    var text = SessionTarget.trimmed(text)
    if text.hasPrefix("v") { text.removeFirst() }
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard !parts.isEmpty, parts.count <= 6 else { return nil }
    var numbers: [Int] = []
    for part in parts {
      guard !part.isEmpty, part.count <= 9, part.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(part)
      else { return nil }
      numbers.append(number)
    }
    components = numbers
  }

  public static func < (lhs: PluginVersion, rhs: PluginVersion) -> Bool {
    let count = max(lhs.components.count, rhs.components.count)
    for index in 0..<count {
      let left = index < lhs.components.count ? lhs.components[index] : 0
      let right = index < rhs.components.count ? rhs.components[index] : 0
      if left != right { return left < right }
    }
    return false
  }

  /// `1.2.707.0`.
  public var description: String {
    components.map(String.init).joined(separator: ".")
  }
}

/// The plugin is missing, unusable, or failed.
public enum SessionManagerPluginError: UserFacingError, Sendable, Equatable {
  /// Not on `PATH`.
  case notFound
  /// `--version` failed or printed something that is not a version.
  case unreadableVersion(path: String, output: String)
  /// Too old to take the session through the environment.
  case tooOld(path: String, version: PluginVersion)
  /// The plugin ran and exited with a failure status.
  case failed(status: Int32, sessionID: String)

  /// What went wrong.
  public var message: String {
    switch self {
    case .notFound:
      return "\(SessionManagerPlugin.programName) was not found on PATH; SSM sessions need AWS's Session Manager plugin"
    case .unreadableVersion(let path, let output):
      let shown = output.isEmpty ? "nothing" : "\"\(TerminalText.excerpt(output, limit: 100))\""
      return "cannot read the version of \(path): --version printed \(shown)"
    case .tooOld(let path, let version):
      return "\(path) is version \(version), which takes the session token only in its arguments "
        + "(visible to every user in ps); aws-runas needs a plugin newer than \(SessionManagerPlugin.lastArgvOnlyVersion)"
    case .failed(let status, let sessionID):
      return "\(SessionManagerPlugin.programName) failed with exit status \(status) (session "
        + "\(TerminalText.excerpt(sessionID, limit: 100)) terminated)"
    }
  }

  /// What to do.
  public var hint: String? {
    switch self {
    case .notFound: return "install it, see \(SessionManagerPlugin.installURL)"
    case .unreadableVersion, .tooOld: return "upgrade it, see \(SessionManagerPlugin.installURL)"
    case .failed: return nil
    }
  }
}
