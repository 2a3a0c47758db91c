import Logging

/// The AWS clients of one profile, signing with one set of credentials: endpoints resolved like
/// the SDKs (`AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, the profile's `services` section and
/// `endpoint_url`), the profile's region, the environment's timeouts and retries.
public struct ProfileServiceClients: SSMSessionServices {
  /// The profile's settings.
  public let settings: ProfileSettings
  /// The signing credentials.
  public let credentials: AWSCredentials
  /// The process environment.
  public let environment: [String: String]
  /// Receives the clients' per-attempt debug lines.
  public let logger: Logger
  /// Where host-name targets are looked up.
  public var hostNames: any HostNameLookup

  /// The clients for `profile` with `credentials`.
  public init(profile: ResolvedProfile, credentials: AWSCredentials, environment: [String: String], logger: Logger) {
    self.settings = profile.settings
    self.credentials = credentials
    self.environment = environment
    self.logger = logger
    self.hostNames = SystemHostNameLookup()
  }

  /// The profile's region, if it has one.
  public var region: String? { settings.region?.value }

  /// The endpoint of `service` (`ec2`, `ssm`, `ecr`, `ec2-instance-connect`) in `region`.
  ///
  /// - Throws: ``EndpointConfigurationError`` for a bad configured URL or region, or no region.
  public func endpoint(for service: String, region: String? = nil) throws -> ServiceEndpoint {
    let servicesKey = String(service.map { $0 == "-" ? "_" : $0 })
    return try EndpointResolver.resolve(
      service: service, region: region ?? self.region, regionOrigin: region == nil ? settings.region?.origin : nil,
      environment: environment, servicesEndpointURL: settings.serviceEndpoints[servicesKey]?.value,
      profileEndpointURL: settings.endpointURL?.value)
  }

  /// EC2 in the profile's region.
  public func ec2() throws -> EC2Client {
    EC2Client(
      endpoint: try endpoint(for: "ec2"), credentials: credentials,
      transport: AsyncHTTPClientTransport(environment: environment),
      retryPolicy: AWSRetryPolicy(environment: environment), logger: logger)
  }

  /// SSM in the profile's region.
  public func ssm() throws -> SSMClient {
    SSMClient(
      endpoint: try endpoint(for: "ssm"), credentials: credentials,
      transport: AsyncHTTPClientTransport(environment: environment),
      retryPolicy: AWSRetryPolicy(environment: environment), logger: logger)
  }

  /// EC2 Instance Connect in the profile's region.
  public func ec2InstanceConnect() throws -> EC2InstanceConnectClient {
    EC2InstanceConnectClient(
      endpoint: try endpoint(for: "ec2-instance-connect"), credentials: credentials,
      transport: AsyncHTTPClientTransport(environment: environment),
      retryPolicy: AWSRetryPolicy(environment: environment), logger: logger)
  }

  /// ECR in `region` (a registry's region, which may differ from the profile's).
  public func ecr(region: String) throws -> ECRClient {
    ECRClient(
      endpoint: try endpoint(for: "ecr", region: region), credentials: credentials,
      transport: AsyncHTTPClientTransport(environment: environment),
      retryPolicy: AWSRetryPolicy(environment: environment), logger: logger)
  }

  public func sessionManager() throws -> any SessionManagerService {
    try ssm()
  }

  public func targetResolver() throws -> SessionTargetResolver {
    let ec2 = try ec2()
    return SessionTargetResolver(
      instances: ec2, hostNames: hostNames, region: ec2.client.endpoint.signingRegion, logger: logger)
  }

  public func instanceConnect() throws -> any InstanceConnectService {
    try ec2InstanceConnect()
  }
}
