import Logging

/// The EC2 Instance Connect call aws-runas makes: SendSSHPublicKey (JSON 1.1,
/// `X-Amz-Target: AWSEC2InstanceConnectService.SendSSHPublicKey`).
public struct EC2InstanceConnectClient: InstanceConnectService {
  /// The first half of `X-Amz-Target`.
  public static let targetPrefix = "AWSEC2InstanceConnectService"

  /// The underlying JSON 1.1 client.
  public var client: AWSJSONClient

  /// Creates a client over a configured JSON client (its prefix should be ``targetPrefix``).
  public init(client: AWSJSONClient) {
    self.client = client
  }

  /// Creates a client.
  ///
  /// - Parameters:
  ///   - endpoint: The EC2 Instance Connect endpoint (see ``EndpointResolver``).
  ///   - credentials: The signing credentials.
  ///   - transport: The HTTP transport.
  ///   - retryPolicy: The retry policy.
  ///   - logger: The logger for per-attempt debug lines.
  public init(
    endpoint: ServiceEndpoint,
    credentials: AWSCredentials,
    transport: any HTTPTransport = AsyncHTTPClientTransport(),
    retryPolicy: AWSRetryPolicy = .standard,
    logger: Logger = Logger(label: "aws-runas.ec2-instance-connect", factory: { _ in SwiftLogNoOpLogHandler() })
  ) {
    self.init(
      client: AWSJSONClient(
        executor: AWSRequestExecutor(
          endpoint: endpoint, credentials: credentials, transport: transport, retryPolicy: retryPolicy,
          logger: logger),
        targetPrefix: Self.targetPrefix))
  }

  /// SendSSHPublicKey: `osUser` may log in to `instanceID` with `publicKey` (OpenSSH format) for
  /// the next 60 seconds.
  ///
  /// - Throws: ``AWSServiceError``, ``AWSTransportError``, or ``AWSResponseDecodingError`` when
  ///   the answer does not say `Success`.
  public func sendSSHPublicKey(
    instanceID: String, osUser: String, publicKey: String, availabilityZone: String?
  ) async throws {
    var input: [String: JSONValue] = [
      "InstanceId": .string(instanceID), "InstanceOSUser": .string(osUser), "SSHPublicKey": .string(publicKey),
    ]
    if let availabilityZone { input["AvailabilityZone"] = .string(availabilityZone) }
    let answer = try await client.call("SendSSHPublicKey", input: .object(input))
    guard answer.body["Success"]?.boolValue == true else {
      throw AWSResponseDecodingError(
        service: client.executor.endpoint.service, operation: "SendSSHPublicKey", reason: "Success is not true")
    }
  }
}
