import Logging

/// The AWS Identity and Access Management calls aws-runas makes.
public struct IAMClient: Sendable {
  /// The IAM API version.
  public static let apiVersion = "2010-05-08"
  /// The most pages a listing follows before giving up, against a server that never stops.
  public static let maximumPages = 1000

  /// The underlying query-protocol client.
  public var client: AWSQueryClient

  /// Creates a client over a configured query client (its `apiVersion` should be ``apiVersion``).
  ///
  /// - Parameter client: The query client.
  public init(client: AWSQueryClient) {
    self.client = client
  }

  /// Creates a client.
  ///
  /// - Parameters:
  ///   - endpoint: The IAM endpoint (see ``EndpointResolver``).
  ///   - credentials: The signing credentials.
  ///   - transport: The HTTP transport.
  ///   - retryPolicy: The retry policy.
  ///   - logger: The logger for per-attempt debug lines.
  public init(
    endpoint: ServiceEndpoint,
    credentials: AWSCredentials,
    transport: any HTTPTransport = AsyncHTTPClientTransport(),
    retryPolicy: AWSRetryPolicy = .standard,
    logger: Logger = Logger(label: "aws-runas.iam", factory: { _ in SwiftLogNoOpLogHandler() })
  ) {
    self.client = AWSQueryClient(
      endpoint: endpoint, apiVersion: Self.apiVersion, credentials: credentials,
      transport: transport, retryPolicy: retryPolicy, logger: logger)
  }

  /// ListMFADevices: the serial numbers (ARNs for virtual devices) of a user's MFA devices, all pages.
  ///
  /// - Parameter userName: The IAM user; `nil` for the user whose credentials sign the call.
  /// - Returns: The serial numbers in the order IAM lists them.
  /// - Throws: ``AWSServiceError``, ``AWSTransportError`` or ``AWSResponseDecodingError``.
  public func listMFADevices(userName: String? = nil) async throws -> [String] {
    try await paginate("ListMFADevices", parameters: [("UserName", userName)]) { result in
      (result.child("MFADevices")?.children(named: "member") ?? []).compactMap {
        $0.childText("SerialNumber")
      }
    }
  }

  /// ListUserPolicies: the names of a user's inline policies, all pages.
  public func listUserPolicies(userName: String) async throws -> [String] {
    try await paginate("ListUserPolicies", parameters: [("UserName", userName)]) { Self.members($0, "PolicyNames") }
  }

  /// GetUserPolicy: an inline user policy's document, URL-decoded.
  public func getUserPolicy(userName: String, policyName: String) async throws -> String {
    let response = try await client.call(
      "GetUserPolicy", parameters: [("UserName", userName), ("PolicyName", policyName)])
    return try document(response.result.childText("PolicyDocument"), action: "GetUserPolicy")
  }

  /// ListAttachedUserPolicies: the ARNs of the managed policies attached to a user, all pages.
  public func listAttachedUserPolicies(userName: String) async throws -> [String] {
    try await paginate("ListAttachedUserPolicies", parameters: [("UserName", userName)]) {
      Self.attachedPolicyARNs($0)
    }
  }

  /// ListGroupsForUser: the names of the groups a user belongs to, all pages.
  public func listGroupsForUser(userName: String) async throws -> [String] {
    try await paginate("ListGroupsForUser", parameters: [("UserName", userName)]) { result in
      (result.child("Groups")?.children(named: "member") ?? []).compactMap { $0.childText("GroupName") }
    }
  }

  /// ListGroupPolicies: the names of a group's inline policies, all pages.
  public func listGroupPolicies(groupName: String) async throws -> [String] {
    try await paginate("ListGroupPolicies", parameters: [("GroupName", groupName)]) {
      Self.members($0, "PolicyNames")
    }
  }

  /// GetGroupPolicy: an inline group policy's document, URL-decoded.
  public func getGroupPolicy(groupName: String, policyName: String) async throws -> String {
    let response = try await client.call(
      "GetGroupPolicy", parameters: [("GroupName", groupName), ("PolicyName", policyName)])
    return try document(response.result.childText("PolicyDocument"), action: "GetGroupPolicy")
  }

  /// ListAttachedGroupPolicies: the ARNs of the managed policies attached to a group, all pages.
  public func listAttachedGroupPolicies(groupName: String) async throws -> [String] {
    try await paginate("ListAttachedGroupPolicies", parameters: [("GroupName", groupName)]) {
      Self.attachedPolicyARNs($0)
    }
  }

  /// The document of a managed policy's default version (GetPolicy, then GetPolicyVersion), URL-decoded.
  public func defaultPolicyDocument(policyARN: String) async throws -> String {
    let policy = try await client.call("GetPolicy", parameters: [("PolicyArn", policyARN)])
    guard let version = policy.result.child("Policy")?.childText("DefaultVersionId"), !version.isEmpty else {
      throw AWSResponseDecodingError(
        service: client.endpoint.service, operation: "GetPolicy", reason: "no DefaultVersionId")
    }
    let response = try await client.call(
      "GetPolicyVersion", parameters: [("PolicyArn", policyARN), ("VersionId", version)])
    return try document(response.result.child("PolicyVersion")?.childText("Document"), action: "GetPolicyVersion")
  }

  private func document(_ text: String?, action: String) throws -> String {
    guard let text, !text.isEmpty else {
      throw AWSResponseDecodingError(service: client.endpoint.service, operation: action, reason: "no policy document")
    }
    // IAM returns documents URL-encoded (RFC 3986); a document that does not decode is used as sent.
    return Self.percentDecoded(text) ?? text
  }

  private static func members(_ result: XMLElement, _ list: String) -> [String] {
    (result.child(list)?.children(named: "member") ?? []).map(\.text)
  }

  private static func attachedPolicyARNs(_ result: XMLElement) -> [String] {
    (result.child("AttachedPolicies")?.children(named: "member") ?? []).compactMap { $0.childText("PolicyArn") }
  }

  static func percentDecoded(_ text: String) -> String? {
    guard text.contains("%") else { return text }
    return PercentDecoding.decode(text)
  }

  /// Follows `Marker` / `IsTruncated` pagination and collects what `extract` takes from each page.
  ///
  /// - Parameters:
  ///   - action: The List action.
  ///   - parameters: The parameters other than `Marker`.
  ///   - extract: Reads the items of one page from its result element.
  /// - Returns: The items of every page, in order.
  /// - Throws: What the calls throw, or ``AWSResponseDecodingError`` when pages never end.
  package func paginate<Item: Sendable>(
    _ action: String, parameters: [(String, String?)],
    extract: (XMLElement) throws -> [Item]
  ) async throws -> [Item] {
    var items: [Item] = []
    var marker: String?
    var seenMarkers: Set<String> = []
    for _ in 0..<Self.maximumPages {
      let response = try await client.call(action, parameters: parameters + [("Marker", marker)])
      items += try extract(response.result)
      guard response.result.childText("IsTruncated") == "true",
        let next = response.result.childText("Marker"), !next.isEmpty
      else { return items }
      guard seenMarkers.insert(next).inserted else {
        throw AWSResponseDecodingError(
          service: client.endpoint.service, operation: action, reason: "the same Marker was returned twice")
      }
      marker = next
    }
    throw AWSResponseDecodingError(
      service: client.endpoint.service, operation: action,
      reason: "more than \(Self.maximumPages) pages")
  }
}
