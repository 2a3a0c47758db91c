import Logging

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// An AWS account the signed-in user can reach through IAM Identity Center.
public struct IdentityCenterAccount: Sendable, Equatable {
  /// `accountId`.
  public var accountID: String
  /// `accountName`.
  public var accountName: String
  /// `emailAddress`.
  public var emailAddress: String

  /// Creates an account.
  public init(accountID: String, accountName: String, emailAddress: String) {
    self.accountID = accountID
    self.accountName = accountName
    self.emailAddress = emailAddress
  }
}

/// One page of a listing and the token of the next page, if there is one.
public struct IdentityCenterPage<Item: Sendable & Equatable>: Sendable, Equatable {
  /// The items of this page.
  public var items: [Item]
  /// `nextToken`; `nil` on the last page.
  public var nextToken: String?

  /// Creates a page.
  public init(items: [Item], nextToken: String?) {
    self.items = items
    self.nextToken = nextToken
  }
}

/// The portal operations the credential provider and the account browser need;
/// ``SSOPortalClient`` over HTTP, fakes in tests.
public protocol IdentityCenterPortal: Sendable {
  /// GetRoleCredentials for `roleName` in `accountID`.
  func roleCredentials(accessToken: String, accountID: String, roleName: String) async throws -> AWSCredentials
  /// One page of ListAccounts.
  func accounts(accessToken: String, nextToken: String?) async throws -> IdentityCenterPage<IdentityCenterAccount>
  /// One page of ListAccountRoles for `accountID` (role names).
  func roles(accessToken: String, accountID: String, nextToken: String?) async throws -> IdentityCenterPage<String>
  /// Logout: ends the session the access token belongs to.
  func logout(accessToken: String) async throws
}

/// The AWS access portal API over HTTP (botocore's `sso`: anonymous REST-JSON on
/// ``AWSRESTJSONClient``, the access token in `x-amz-sso_bearer_token`).
public struct SSOPortalClient: IdentityCenterPortal {
  private let client: AWSRESTJSONClient
  /// Page size asked of the list operations (the service allows 1–100).
  public var pageSize = 100

  /// A client for `endpoint` (see ``EndpointResolver``, service `sso`).
  public init(
    endpoint: ServiceEndpoint, transport: any HTTPTransport, retryPolicy: AWSRetryPolicy = .standard,
    logger: Logger
  ) {
    self.client = AWSRESTJSONClient(
      executor: AWSRequestExecutor(
        endpoint: endpoint, credentials: nil, transport: transport, retryPolicy: retryPolicy, logger: logger))
  }

  private static let tokenHeader = "x-amz-sso_bearer_token"

  public func roleCredentials(accessToken: String, accountID: String, roleName: String) async throws
    -> AWSCredentials
  {
    let answer = try await call(
      "GetRoleCredentials", method: "GET", path: "/federation/credentials",
      query: [("role_name", roleName), ("account_id", accountID)], accessToken: accessToken)
    let credentials = answer["roleCredentials"]
    guard let keyID = credentials?["accessKeyId"]?.stringValue, !keyID.isEmpty,
      let secret = credentials?["secretAccessKey"]?.stringValue, !secret.isEmpty,
      let token = credentials?["sessionToken"]?.stringValue, let expiration = credentials?["expiration"]?.doubleValue
    else {
      throw AWSResponseDecodingError(
        service: "sso", operation: "GetRoleCredentials", reason: "no complete roleCredentials")
    }
    // Epoch milliseconds.
    return AWSCredentials(
      accessKeyID: keyID, secretAccessKey: secret, sessionToken: token,
      expiration: Date(timeIntervalSince1970: (expiration / 1000).rounded(.down)))
  }

  public func accounts(accessToken: String, nextToken: String?) async throws
    -> IdentityCenterPage<IdentityCenterAccount>
  {
    let answer = try await call(
      "ListAccounts", method: "GET", path: "/assignment/accounts",
      query: [("next_token", nextToken), ("max_result", String(pageSize))], accessToken: accessToken)
    let accounts = (answer["accountList"]?.arrayValue ?? []).compactMap { account -> IdentityCenterAccount? in
      guard let id = account["accountId"]?.stringValue, !id.isEmpty else { return nil }
      return IdentityCenterAccount(
        accountID: id, accountName: account["accountName"]?.stringValue ?? "",
        emailAddress: account["emailAddress"]?.stringValue ?? "")
    }
    return IdentityCenterPage(items: accounts, nextToken: Self.nextToken(of: answer))
  }

  public func roles(accessToken: String, accountID: String, nextToken: String?) async throws
    -> IdentityCenterPage<String>
  {
    let answer = try await call(
      "ListAccountRoles", method: "GET", path: "/assignment/roles",
      query: [("account_id", accountID), ("next_token", nextToken), ("max_result", String(pageSize))],
      accessToken: accessToken)
    let roles = (answer["roleList"]?.arrayValue ?? []).compactMap {
      $0["roleName"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
    }
    return IdentityCenterPage(items: roles, nextToken: Self.nextToken(of: answer))
  }

  public func logout(accessToken: String) async throws {
    _ = try await call("Logout", method: "POST", path: "/logout", query: [], accessToken: accessToken)
  }

  private func call(
    _ operation: String, method: String, path: String, query: [(String, String?)], accessToken: String
  ) async throws -> JSONValue {
    try await client.call(
      operation, method: method, path: path, query: query, headers: [(Self.tokenHeader, accessToken)], signed: false
    ).body
  }

  private static func nextToken(of answer: JSONValue) -> String? {
    answer["nextToken"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
  }
}
