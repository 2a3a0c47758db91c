/// The EC2 Instance Connect call aws-runas makes: SendSSHPublicKey (JSON 1.1,
/// `X-Amz-Target: AWSEC2InstanceConnectService.SendSSHPublicKey`).
public struct EC2InstanceConnectClient: InstanceConnectService, AWSJSONServiceClient {
  /// The first half of `X-Amz-Target`.
  public static let targetPrefix = "AWSEC2InstanceConnectService"

  /// The underlying JSON 1.1 client.
  public var client: AWSJSONClient

  /// Creates a client over a configured JSON client (its prefix should be ``targetPrefix``).
  public init(client: AWSJSONClient) {
    self.client = client
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
