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

/// The AWS access portal API over HTTP (botocore's `sso`: unsigned REST-JSON with the access
/// token in `x-amz-sso_bearer_token`).
public struct SSOPortalClient: IdentityCenterPortal {
  private let exchange: SSORESTJSONExchange
  /// Page size asked of the list operations (the service allows 1–100).
  public var pageSize = 100

  /// A client for `endpoint` (see ``EndpointResolver``, service `sso`).
  public init(
    endpoint: ServiceEndpoint, transport: any HTTPTransport, retryPolicy: AWSRetryPolicy = .standard,
    logger: Logger
  ) {
    self.exchange = SSORESTJSONExchange(
      endpoint: endpoint, transport: transport, retryPolicy: retryPolicy, logger: logger)
  }

  private static let tokenHeader = "x-amz-sso_bearer_token"

  public func roleCredentials(accessToken: String, accountID: String, roleName: String) async throws
    -> AWSCredentials
  {
    let answer = try await exchange.call(
      "GetRoleCredentials", method: "GET", path: "/federation/credentials",
      query: [("role_name", roleName), ("account_id", accountID)], headers: [(Self.tokenHeader, accessToken)],
      as: RoleCredentialsAnswer.self)
    guard let credentials = answer.roleCredentials, let keyID = credentials.accessKeyId, !keyID.isEmpty,
      let secret = credentials.secretAccessKey, !secret.isEmpty, let token = credentials.sessionToken,
      let expiration = credentials.expiration
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
    let answer = try await exchange.call(
      "ListAccounts", method: "GET", path: "/assignment/accounts",
      query: [("next_token", nextToken), ("max_result", String(pageSize))],
      headers: [(Self.tokenHeader, accessToken)], as: AccountsAnswer.self)
    let accounts = (answer.accountList ?? []).compactMap { account -> IdentityCenterAccount? in
      guard let id = account.accountId, !id.isEmpty else { return nil }
      return IdentityCenterAccount(
        accountID: id, accountName: account.accountName ?? "", emailAddress: account.emailAddress ?? "")
    }
    return IdentityCenterPage(items: accounts, nextToken: answer.nextToken.flatMap { $0.isEmpty ? nil : $0 })
  }

  public func roles(accessToken: String, accountID: String, nextToken: String?) async throws
    -> IdentityCenterPage<String>
  {
    let answer = try await exchange.call(
      "ListAccountRoles", method: "GET", path: "/assignment/roles",
      query: [("account_id", accountID), ("next_token", nextToken), ("max_result", String(pageSize))],
      headers: [(Self.tokenHeader, accessToken)], as: RolesAnswer.self)
    let roles = (answer.roleList ?? []).compactMap { $0.roleName.flatMap { $0.isEmpty ? nil : $0 } }
    return IdentityCenterPage(items: roles, nextToken: answer.nextToken.flatMap { $0.isEmpty ? nil : $0 })
  }

  public func logout(accessToken: String) async throws {
    _ = try await exchange.send("Logout", method: "POST", path: "/logout", headers: [(Self.tokenHeader, accessToken)])
  }

  private struct RoleCredentialsAnswer: Decodable {
    struct Credentials: Decodable {
      var accessKeyId: String?
      var secretAccessKey: String?
      var sessionToken: String?
      var expiration: Double?
    }
    var roleCredentials: Credentials?
  }

  private struct AccountsAnswer: Decodable {
    struct Account: Decodable {
      var accountId: String?
      var accountName: String?
      var emailAddress: String?
    }
    var nextToken: String?
    var accountList: [Account]?
  }

  private struct RolesAnswer: Decodable {
    struct Role: Decodable {
      var roleName: String?
      var accountId: String?
    }
    var nextToken: String?
    var roleList: [Role]?
  }
}
