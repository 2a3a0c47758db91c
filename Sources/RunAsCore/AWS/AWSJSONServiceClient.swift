import Logging

/// A client of one AWS JSON 1.1 service (SSM, ECR, EC2 Instance Connect): an ``AWSJSONClient``
/// whose `X-Amz-Target` header starts with the service's ``targetPrefix``.
public protocol AWSJSONServiceClient: Sendable {
  /// The first half of `X-Amz-Target`, before the operation name.
  static var targetPrefix: String { get }

  /// Creates a client over a configured JSON client (its prefix should be ``targetPrefix``).
  init(client: AWSJSONClient)
}

extension AWSJSONServiceClient {
  /// Creates a client.
  ///
  /// - Parameters:
  ///   - endpoint: The service's endpoint (see ``EndpointResolver``).
  ///   - credentials: The signing credentials.
  ///   - transport: The HTTP transport.
  ///   - retryPolicy: The retry policy.
  ///   - logger: The logger for per-attempt debug lines.
  public init(
    endpoint: ServiceEndpoint,
    credentials: AWSCredentials,
    transport: any HTTPTransport = AsyncHTTPClientTransport(),
    retryPolicy: AWSRetryPolicy = .standard,
    logger: Logger = Logger(label: "aws-runas.aws", factory: { _ in SwiftLogNoOpLogHandler() })
  ) {
    self.init(
      client: AWSJSONClient(
        executor: AWSRequestExecutor(
          endpoint: endpoint, credentials: credentials, transport: transport, retryPolicy: retryPolicy,
          logger: logger),
        targetPrefix: Self.targetPrefix))
  }
}
