#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// An ECR registry to log Docker in to (spec §8.4): `<account>.dkr.ecr.<region>.amazonaws.com`.
public struct ECRRegistry: Sendable, Equatable, CustomStringConvertible {
  /// The registry's host name, as `docker login` is given it.
  public var host: String
  /// The account that owns it (the first label).
  public var accountID: String
  /// Its region (the fourth label), where GetAuthorizationToken is called.
  public var region: String

  /// Creates a registry from its parts.
  public init(host: String, accountID: String, region: String) {
    self.host = host
    self.accountID = accountID
    self.region = region
  }

  /// The registry of `accountID` in `region`.
  ///
  /// - Throws: ``ECRLoginError`` when the account ID is not 12 digits or the region invalid.
  public init(accountID: String, region: String) throws(ECRLoginError) {
    guard accountID.count == 12, accountID.allSatisfy({ $0.isASCII && $0.isNumber }) else {
      throw ECRLoginError(
        message: "\"\(TerminalText.excerpt(accountID, limit: 100))\" is neither an ECR registry host nor an account ID",
        hint: "give a host such as 123456789012.dkr.ecr.us-east-1.amazonaws.com, or a 12-digit account ID")
    }
    guard RegionName.isValid(region) else {
      throw ECRLoginError(message: "invalid region \"\(TerminalText.excerpt(region, limit: 100))\" for ECR")
    }
    let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
    self.init(host: "\(accountID).dkr.ecr.\(region).\(suffix)", accountID: accountID, region: region)
  }

  /// Parses a command-line argument: a registry host (anything ending in `.amazonaws.com` or
  /// `.amazonaws.com.cn`, with or without `https://`) is used as it is, anything else is an
  /// account ID in `defaultRegion`.
  ///
  /// - Throws: ``ECRLoginError`` for a host that is not `<account>.dkr.ecr….<region>.…`, an
  ///   account ID that is not 12 digits, or an account ID without a region.
  public init(argument: String, defaultRegion: String?) throws(ECRLoginError) {
    var text = SessionTarget.trimmed(argument)
    for prefix in ["https://", "http://"] where text.lowercased().hasPrefix(prefix) {
      text = String(text.dropFirst(prefix.count))
    }
    while text.hasSuffix("/") { text.removeLast() }
    let lowered = text.lowercased()
    if lowered.hasSuffix(".amazonaws.com") || lowered.hasSuffix(".amazonaws.com.cn") {
      let labels = lowered.split(separator: ".", omittingEmptySubsequences: false)
      guard labels.count >= 6, labels[1] == "dkr", labels[2].hasPrefix("ecr"), RegionName.isValid(String(labels[3])),
        labels[0].count == 12, labels[0].allSatisfy({ $0.isASCII && $0.isNumber })
      else {
        throw ECRLoginError(
          message: "\"\(TerminalText.excerpt(argument, limit: 200))\" is not an ECR registry host",
          hint: "a registry host looks like 123456789012.dkr.ecr.us-east-1.amazonaws.com")
      }
      self.init(host: lowered, accountID: String(labels[0]), region: String(labels[3]))
      return
    }
    guard let defaultRegion, !defaultRegion.isEmpty else {
      throw ECRLoginError(
        message: "no region for the registry of account \(TerminalText.excerpt(text, limit: 100))",
        hint: "set region in the profile or AWS_REGION, or give the registry's full host name")
    }
    try self.init(accountID: text, region: defaultRegion)
  }

  /// The host name.
  public var description: String { host }
}

/// What ECR GetAuthorizationToken answered for one registry.
public struct ECRAuthorization: Sendable, Equatable {
  /// `base64("AWS:<password>")`.
  public var authorizationToken: String
  /// `https://<registry host>`.
  public var proxyEndpoint: String?

  /// Creates an authorization.
  public init(authorizationToken: String, proxyEndpoint: String?) {
    self.authorizationToken = authorizationToken
    self.proxyEndpoint = proxyEndpoint
  }

  /// The user name and password inside the token.
  ///
  /// - Throws: ``ECRLoginError`` when the token is not base64 of `user:password`.
  public func credentials() throws(ECRLoginError) -> (username: String, password: String) {
    guard let decoded = Data(base64Encoded: authorizationToken),
      case let text = String(decoding: decoded, as: UTF8.self), let colon = text.firstIndex(of: ":")
    else {
      throw ECRLoginError(message: "ECR returned an authorization token that is not base64 of user:password")
    }
    let username = String(text[..<colon])
    let password = String(text[text.index(after: colon)...])
    guard !username.isEmpty, !password.isEmpty else {
      throw ECRLoginError(message: "ECR returned an authorization token with an empty user name or password")
    }
    return (username, password)
  }
}

/// The ECR call `ecr login` makes; ``ECRClient`` over HTTP.
public protocol ECRAuthorizationService: Sendable {
  /// GetAuthorizationToken for the registries of `registryIDs` (all of the caller's when empty).
  func getAuthorizationToken(registryIDs: [String]) async throws -> [ECRAuthorization]
}

/// A registry `ecr login` could not log in to, or an argument that names none.
public struct ECRLoginError: UserFacingError, Sendable, Equatable {
  /// What went wrong.
  public let message: String
  /// What to do.
  public let hint: String?

  /// Creates the error.
  public init(message: String, hint: String? = nil) {
    self.message = message
    self.hint = hint
  }
}
