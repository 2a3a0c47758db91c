#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The AWS config and credentials files, located and parsed.
///
/// The config file keeps inline comments as part of values (like the Go tool); the credentials
/// file strips them, has no continuation lines and is never quoted in errors (see ``INIFile``). A missing file is an empty ``INIFile``; an unreadable or malformed one is an
/// error.
public struct AWSConfigFiles: Sendable {
  /// Path of the config file: `AWS_CONFIG_FILE`, else `$HOME/.aws/config`, `~` expanded.
  public let configPath: String
  /// Path of the credentials file: `AWS_SHARED_CREDENTIALS_FILE`, else `$HOME/.aws/credentials`.
  public let credentialsPath: String
  /// The parsed config file (empty if it does not exist).
  public let config: INIFile
  /// The parsed credentials file (empty if it does not exist).
  public let credentials: INIFile

  /// Wraps already parsed files, e.g. in tests that build them from strings.
  public init(configPath: String, credentialsPath: String, config: INIFile, credentials: INIFile) {
    self.configPath = configPath
    self.credentialsPath = credentialsPath
    self.config = config
    self.credentials = credentials
  }

  /// The directory that holds the config file, where aws-runas keeps its caches.
  public var cacheDirectory: String {
    guard let slash = configPath.lastIndex(of: "/") else { return "." }
    if slash == configPath.startIndex { return "/" }
    return String(configPath[..<slash])
  }

  /// Locates and parses both files.
  ///
  /// - Parameter environment: The process environment; `AWS_CONFIG_FILE`,
  ///   `AWS_SHARED_CREDENTIALS_FILE` and `HOME` are read from it.
  /// - Throws: ``ConfigFileError`` when a file exists but cannot be read or parsed.
  public static func load(environment: [String: String]) throws(ConfigFileError) -> AWSConfigFiles {
    let home = homeDirectory(environment: environment)
    let configPath = path(
      environment["AWS_CONFIG_FILE"], defaultingTo: ".aws/config", home: home)
    let credentialsPath = path(
      environment["AWS_SHARED_CREDENTIALS_FILE"], defaultingTo: ".aws/credentials", home: home)
    let config = try readINIFile(at: configPath, stripsInlineComments: false, holdsSecrets: false)
    let credentials = try readINIFile(at: credentialsPath, stripsInlineComments: true, holdsSecrets: true)
    return AWSConfigFiles(
      configPath: configPath, credentialsPath: credentialsPath, config: config,
      credentials: credentials)
  }

  /// Expands a leading `~` or `~/` to `home`.
  static func expandingTilde(_ path: String, home: String) -> String {
    if path == "~" { return home }
    if path.hasPrefix("~/") { return home + path.dropFirst() }
    return path
  }

  private static func path(_ configured: String?, defaultingTo relative: String, home: String)
    -> String
  {
    if let configured, !configured.isEmpty { return expandingTilde(configured, home: home) }
    return home.hasSuffix("/") ? home + relative : home + "/" + relative
  }

  /// `$HOME`, else the password database's entry for this user.
  private static func homeDirectory(environment: [String: String]) -> String {
    if let home = environment["HOME"], !home.isEmpty { return home }
    if let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir {
      return String(cString: directory)
    }
    return "."
  }

  /// The largest config or credentials file read; real ones are far smaller, and a mistaken
  /// `AWS_CONFIG_FILE=/dev/zero` must end in an error, not in exhausted memory.
  public static let maximumFileSize = 4 * 1024 * 1024

  private static func readINIFile(at path: String, stripsInlineComments: Bool, holdsSecrets: Bool)
    throws(ConfigFileError) -> INIFile
  {
    let bytes: [UInt8]?
    do {
      bytes = try POSIXFile.read(path, limit: maximumFileSize)
    } catch {
      throw ConfigFileError(
        path: path, line: nil, reason: "cannot read: \(error.reason ?? String(cString: strerror(error.code)))")
    }
    guard let bytes else { return INIFile.empty(path: path) }
    return try INIFile(
      parsing: String(decoding: bytes, as: UTF8.self), path: path, stripsInlineComments: stripsInlineComments,
      holdsSecrets: holdsSecrets)
  }
}
