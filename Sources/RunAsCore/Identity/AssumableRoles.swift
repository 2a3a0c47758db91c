import Logging

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Reads the roles an IAM policy document allows to assume (spec §4.5).
///
/// A statement counts when its `Effect` is `Allow` and its `Action` is exactly `sts:AssumeRole`
/// (a string or one entry of an array; wildcards such as `sts:*` are not expanded, as in the Go
/// tool). Its `Resource` values (string or array) that are `*` or IAM role ARNs are collected.
public enum AssumableRoles {
  /// The role ARNs (and `*`) that `document` (JSON text) allows to assume; empty for a document
  /// that is not valid JSON.
  public static func roles(inPolicyDocument document: String) -> [String] {
    guard let value = try? JSONDecoder().decode(PolicyJSON.self, from: Data(document.utf8)) else { return [] }
    guard case .object(let policy) = value else { return [] }
    var statements: [[String: PolicyJSON]] = []
    switch policy["Statement"] {
    case .object(let statement): statements = [statement]
    case .array(let items):
      statements = items.compactMap { if case .object(let statement) = $0 { statement } else { nil } }
    default: break
    }
    var roles: [String] = []
    for statement in statements {
      guard statement["Effect"]?.strings == ["Allow"] else { continue }
      guard statement["Action"]?.strings.contains(where: { $0.lowercased() == "sts:assumerole" }) == true else {
        continue
      }
      for resource in statement["Resource"]?.strings ?? [] where resource == "*" || isRoleARN(resource) {
        roles.append(resource)
      }
    }
    return roles
  }

  /// Whether `text` is an ARN of service `iam` whose resource starts with `role/`.
  static func isRoleARN(_ text: String) -> Bool {
    guard let parts = ARNParts(text) else { return false }
    return parts.prefix == "arn" && parts.service == "iam" && parts.resource.hasPrefix("role/")
  }

  /// `roles` without duplicates and wildcard entries, sorted: what `list roles` prints.
  public static func printable(_ roles: [String]) -> [String] {
    Array(Set(roles.filter { !$0.contains("*") })).sorted()
  }
}

/// Crawls a user's IAM policies for assumable roles: inline and attached user policies, and the
/// inline and attached policies of each of the user's groups, every listing paginated, all in
/// parallel. A failing call is logged and skipped, as in the Go tool.
public struct IAMRoleCrawler: Sendable {
  /// The IAM client, signed with the user's credentials.
  public let iam: IAMClient
  /// Where failed calls are logged.
  public let logger: Logger

  /// Creates the crawler.
  public init(iam: IAMClient, logger: Logger) {
    self.iam = iam
    self.logger = logger
  }

  /// The roles `userName`'s policies allow to assume, deduplicated and sorted (wildcards included).
  public func roles(forUser userName: String) async -> [String] {
    let iam = self.iam
    let found = await withTaskGroup(of: [String].self) { group in
      group.addTask {
        await attempt("ListUserPolicies") { try await iam.listUserPolicies(userName: userName) }
          .asyncFlatMap { name in
            await attempt("GetUserPolicy \(name)") {
              AssumableRoles.roles(inPolicyDocument: try await iam.getUserPolicy(userName: userName, policyName: name))
            }
          }
      }
      group.addTask {
        await attempt("ListAttachedUserPolicies") { try await iam.listAttachedUserPolicies(userName: userName) }
          .asyncFlatMap { arn in await managedPolicyRoles(arn) }
      }
      group.addTask {
        await attempt("ListGroupsForUser") { try await iam.listGroupsForUser(userName: userName) }
          .asyncFlatMap { groupName in
            let inline = await attempt("ListGroupPolicies \(groupName)") {
              try await iam.listGroupPolicies(groupName: groupName)
            }.asyncFlatMap { name in
              await attempt("GetGroupPolicy \(groupName)/\(name)") {
                AssumableRoles.roles(
                  inPolicyDocument: try await iam.getGroupPolicy(groupName: groupName, policyName: name))
              }
            }
            let attached = await attempt("ListAttachedGroupPolicies \(groupName)") {
              try await iam.listAttachedGroupPolicies(groupName: groupName)
            }.asyncFlatMap { arn in await managedPolicyRoles(arn) }
            return inline + attached
          }
      }
      var all: [String] = []
      for await roles in group { all += roles }
      return all
    }
    return Array(Set(found)).sorted()
  }

  private func managedPolicyRoles(_ arn: String) async -> [String] {
    await attempt("GetPolicy \(arn)") {
      AssumableRoles.roles(inPolicyDocument: try await iam.defaultPolicyDocument(policyARN: arn))
    }
  }

  private func attempt(_ what: String, _ body: () async throws -> [String]) async -> [String] {
    do {
      return try await body()
    } catch {
      logger.warning("\(what) failed: \(error)")
      return []
    }
  }
}

extension Array where Element: Sendable {
  /// Concatenates what `transform` returns for each element, in order.
  fileprivate func asyncFlatMap(_ transform: (Element) async -> [String]) async -> [String] {
    var result: [String] = []
    for element in self { result += await transform(element) }
    return result
  }
}

/// A JSON value, for reading policy documents.
enum PolicyJSON: Decodable, Sendable {
  case string(String)
  case array([PolicyJSON])
  case object([String: PolicyJSON])
  case other

  init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if let text = try? container.decode(String.self) {
      self = .string(text)
    } else if let items = try? container.decode([PolicyJSON].self) {
      self = .array(items)
    } else if let object = try? container.decode([String: PolicyJSON].self) {
      self = .object(object)
    } else {
      self = .other
    }
  }

  /// A string as a one-element list, an array's strings, otherwise nothing.
  var strings: [String] {
    switch self {
    case .string(let text): [text]
    case .array(let items): items.compactMap { if case .string(let text) = $0 { text } else { nil } }
    default: []
    }
  }
}
