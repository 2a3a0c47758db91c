/// The Amazon ECR call aws-runas makes: GetAuthorizationToken (JSON 1.1,
/// `X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken`).
public struct ECRClient: ECRAuthorizationService, AWSJSONServiceClient {
  /// The first half of `X-Amz-Target`.
  public static let targetPrefix = "AmazonEC2ContainerRegistry_V20150921"

  /// The underlying JSON 1.1 client.
  public var client: AWSJSONClient

  /// Creates a client over a configured JSON client (its prefix should be ``targetPrefix``).
  public init(client: AWSJSONClient) {
    self.client = client
  }

  /// GetAuthorizationToken: a Docker password for each registry (the caller's own when
  /// `registryIDs` is empty), valid for 12 hours.
  ///
  /// - Throws: ``AWSServiceError``, ``AWSTransportError``, or ``AWSResponseDecodingError`` when
  ///   the answer holds no token.
  public func getAuthorizationToken(registryIDs: [String]) async throws -> [ECRAuthorization] {
    let input: JSONValue = registryIDs.isEmpty ? [:] : ["registryIds": .array(registryIDs.map { .string($0) })]
    let answer = try await client.call("GetAuthorizationToken", input: input)
    let authorizations = (answer.body["authorizationData"]?.arrayValue ?? []).compactMap { data -> ECRAuthorization? in
      guard let token = data["authorizationToken"]?.stringValue, !token.isEmpty else { return nil }
      return ECRAuthorization(authorizationToken: token, proxyEndpoint: data["proxyEndpoint"]?.stringValue)
    }
    guard !authorizations.isEmpty else {
      throw AWSResponseDecodingError(
        service: client.executor.endpoint.service, operation: "GetAuthorizationToken",
        reason: "no authorizationData with an authorizationToken")
    }
    return authorizations
  }
}
