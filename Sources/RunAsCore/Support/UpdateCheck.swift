/// `aws-runas -u` (spec §7.4, §12.2): asks the release page which version is the latest.
///
/// A `HEAD` of the "latest release" URL answers with a redirect whose `Location` ends in the
/// latest version's tag. Redirects are not followed; the check has the same HTTP timeout as every
/// other call (`AWS_RUNAS_HTTP_TIMEOUT`).
public struct UpdateCheck: Sendable {
  /// The release page checked unless `RUNAS_UPDATE_URL` names another.
  public static let defaultURL = "https://github.com/mmmorris1975/aws-runas/releases/latest"
  /// The environment variable that overrides ``defaultURL``.
  public static let urlVariable = "RUNAS_UPDATE_URL"

  /// What the check found.
  public enum Outcome: Sendable, Equatable {
    /// The running version is the latest.
    case upToDate(version: String)
    /// A different version is the latest, downloadable at `url`.
    case newVersion(version: String, url: String)
  }

  /// The URL checked.
  public let url: String
  /// The running version.
  public let currentVersion: String
  private let transport: any HTTPTransport

  /// Creates the check for `environment` (`RUNAS_UPDATE_URL`, and `AWS_RUNAS_HTTP_TIMEOUT` when no
  /// `transport` is given).
  public init(
    environment: [String: String], currentVersion: String = RunAsCore.version,
    transport: (any HTTPTransport)? = nil
  ) {
    let configured = environment[Self.urlVariable] ?? ""
    self.url = configured.isEmpty ? Self.defaultURL : configured
    self.currentVersion = currentVersion
    self.transport = transport ?? AsyncHTTPClientTransport(environment: environment)
  }

  /// Asks the release page.
  ///
  /// - Throws: ``UpdateCheckError`` when the answer is not a redirect to a release, or the
  ///   transport's error.
  public func run() async throws -> Outcome {
    let response = try await transport.send(HTTPRequestData(method: "HEAD", url: url))
    guard [301, 302, 303, 307, 308].contains(response.status), let location = response.header("Location"),
      let tag = location.split(separator: "/").last.map(String.init), !tag.isEmpty
    else {
      throw UpdateCheckError(message: "version check failed, bad HTTP Status: \(response.status)")
    }
    let latest = tag.split(separator: "?").first.map(String.init) ?? tag
    if Self.normalized(latest) == Self.normalized(currentVersion) { return .upToDate(version: currentVersion) }
    return .newVersion(version: latest, url: Self.absolute(location, relativeTo: url))
  }

  static func normalized(_ version: String) -> String {
    version.hasPrefix("v") ? String(version.dropFirst()) : version
  }

  /// `location` made absolute against `base` (scheme and host) when it is a path.
  static func absolute(_ location: String, relativeTo base: String) -> String {
    guard location.hasPrefix("/"), let scheme = base.range(of: "://") else { return location }
    let afterScheme = base[scheme.upperBound...]
    let host = afterScheme.prefix { $0 != "/" }
    return base[..<scheme.upperBound] + host + location
  }
}

/// The release page did not name a version.
public struct UpdateCheckError: UserFacingError, Sendable {
  /// What went wrong.
  public let message: String

  /// Creates the error.
  public init(message: String) {
    self.message = message
  }
}
