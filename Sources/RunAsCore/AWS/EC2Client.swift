import Logging

/// One EC2 `DescribeInstances` filter: a name such as `tag:Name` or `private-ip-address` and the
/// values any of which may match.
public struct EC2Filter: Sendable, Equatable {
  /// The filter name.
  public var name: String
  /// The accepted values.
  public var values: [String]

  /// Creates a filter.
  public init(name: String, values: [String]) {
    self.name = name
    self.values = values
  }
}

/// What aws-runas reads of an EC2 instance.
public struct EC2Instance: Sendable, Equatable {
  /// The instance ID, e.g. `i-0123456789abcdef0`.
  public var instanceID: String
  /// The state name: `pending`, `running`, `stopped`, …
  public var state: String
  /// The primary private IPv4 address.
  public var privateIPAddress: String?
  /// The public IPv4 address, if any.
  public var publicIPAddress: String?
  /// The private DNS name, e.g. `ip-10-0-0-5.ec2.internal`.
  public var privateDNSName: String?
  /// The public DNS name, if any.
  public var publicDNSName: String?
  /// The availability zone, e.g. `us-east-1a`.
  public var availabilityZone: String?
  /// The tags in the order EC2 listed them.
  public var tags: [(key: String, value: String)]

  /// Creates an instance description.
  public init(
    instanceID: String, state: String, privateIPAddress: String? = nil, publicIPAddress: String? = nil,
    privateDNSName: String? = nil, publicDNSName: String? = nil, availabilityZone: String? = nil,
    tags: [(key: String, value: String)] = []
  ) {
    self.instanceID = instanceID
    self.state = state
    self.privateIPAddress = privateIPAddress
    self.publicIPAddress = publicIPAddress
    self.privateDNSName = privateDNSName
    self.publicDNSName = publicDNSName
    self.availabilityZone = availabilityZone
    self.tags = tags
  }

  /// The value of the `Name` tag, if any.
  public var name: String? {
    tags.first { $0.key == "Name" }?.value
  }

  public static func == (lhs: EC2Instance, rhs: EC2Instance) -> Bool {
    lhs.instanceID == rhs.instanceID && lhs.state == rhs.state && lhs.privateIPAddress == rhs.privateIPAddress
      && lhs.publicIPAddress == rhs.publicIPAddress && lhs.privateDNSName == rhs.privateDNSName
      && lhs.publicDNSName == rhs.publicDNSName && lhs.availabilityZone == rhs.availabilityZone
      && lhs.tags.map(\.key) == rhs.tags.map(\.key) && lhs.tags.map(\.value) == rhs.tags.map(\.value)
  }
}

/// Finds EC2 instances; ``EC2Client`` over HTTP, or a fixed list in tests.
public protocol EC2InstanceDirectory: Sendable {
  /// Every instance that matches all `filters` (each filter: any of its values), every page.
  func describeInstances(filters: [EC2Filter]) async throws -> [EC2Instance]
}

/// The EC2 calls aws-runas makes. EC2 speaks its own dialect of the query protocol: the answer's
/// root holds the result directly (no `<ActionResult>`), lists are `<item>`s, and errors come as
/// `<Response><Errors><Error>`, all of which ``AWSQueryClient`` and ``AWSServiceError`` read.
public struct EC2Client: EC2InstanceDirectory {
  /// The EC2 API version.
  public static let apiVersion = "2016-11-15"
  /// Instances per page: EC2's largest page.
  public static let defaultPageSize = 1000
  /// The most pages followed before giving up, against a server that never stops.
  public static let maximumPages = 1000

  /// The underlying query-protocol client.
  public var client: AWSQueryClient
  /// `MaxResults` of each DescribeInstances page.
  public var pageSize: Int

  /// Creates a client over a configured query client (its `apiVersion` should be ``apiVersion``).
  public init(client: AWSQueryClient, pageSize: Int = defaultPageSize) {
    self.client = client
    self.pageSize = pageSize
  }

  /// Creates a client.
  ///
  /// - Parameters:
  ///   - endpoint: The EC2 endpoint (see ``EndpointResolver``).
  ///   - credentials: The signing credentials.
  ///   - transport: The HTTP transport.
  ///   - retryPolicy: The retry policy.
  ///   - logger: The logger for per-attempt debug lines.
  public init(
    endpoint: ServiceEndpoint,
    credentials: AWSCredentials,
    transport: any HTTPTransport = AsyncHTTPClientTransport(),
    retryPolicy: AWSRetryPolicy = .standard,
    logger: Logger = Logger(label: "aws-runas.ec2", factory: { _ in SwiftLogNoOpLogHandler() })
  ) {
    self.init(
      client: AWSQueryClient(
        endpoint: endpoint, apiVersion: Self.apiVersion, credentials: credentials, transport: transport,
        retryPolicy: retryPolicy, logger: logger))
  }

  /// DescribeInstances with `filters`, following `NextToken` through every page.
  ///
  /// - Throws: ``AWSServiceError``, ``AWSTransportError``, or ``AWSResponseDecodingError`` when the
  ///   pages never end.
  public func describeInstances(filters: [EC2Filter]) async throws -> [EC2Instance] {
    var instances: [EC2Instance] = []
    var nextToken: String?
    var seenTokens: Set<String> = []
    for _ in 0..<Self.maximumPages {
      let response = try await client.call(
        "DescribeInstances",
        parameters: Self.parameters(filters: filters, pageSize: pageSize, nextToken: nextToken))
      instances += Self.instances(in: response.result)
      guard let token = response.result.childText("nextToken"), !token.isEmpty else { return instances }
      guard seenTokens.insert(token).inserted else {
        throw AWSResponseDecodingError(
          service: client.endpoint.service, operation: "DescribeInstances",
          reason: "the same nextToken was returned twice")
      }
      nextToken = token
    }
    throw AWSResponseDecodingError(
      service: client.endpoint.service, operation: "DescribeInstances",
      reason: "more than \(Self.maximumPages) pages")
  }

  /// The query parameters: `Filter.N.Name`, `Filter.N.Value.M` (from 1), `MaxResults`, `NextToken`.
  public static func parameters(filters: [EC2Filter], pageSize: Int, nextToken: String?) -> [(String, String?)] {
    var parameters: [(String, String?)] = []
    for (index, filter) in filters.enumerated() {
      parameters.append(("Filter.\(index + 1).Name", filter.name))
      for (valueIndex, value) in filter.values.enumerated() {
        parameters.append(("Filter.\(index + 1).Value.\(valueIndex + 1)", value))
      }
    }
    parameters.append(("MaxResults", String(pageSize)))
    parameters.append(("NextToken", nextToken))
    return parameters
  }

  /// The instances of every reservation in a DescribeInstances answer.
  package static func instances(in result: XMLElement) -> [EC2Instance] {
    var instances: [EC2Instance] = []
    for reservation in result.child("reservationSet")?.children(named: "item") ?? [] {
      for item in reservation.child("instancesSet")?.children(named: "item") ?? [] {
        guard let id = item.childText("instanceId"), !id.isEmpty else { continue }
        let tags = (item.child("tagSet")?.children(named: "item") ?? []).compactMap {
          tag -> (key: String, value: String)? in
          guard let key = tag.childText("key") else { return nil }
          return (key, tag.childText("value") ?? "")
        }
        instances.append(
          EC2Instance(
            instanceID: id, state: item.child("instanceState")?.childText("name") ?? "",
            privateIPAddress: nonEmpty(item.childText("privateIpAddress")),
            publicIPAddress: nonEmpty(item.childText("ipAddress")),
            privateDNSName: nonEmpty(item.childText("privateDnsName")),
            publicDNSName: nonEmpty(item.childText("dnsName")),
            availabilityZone: nonEmpty(item.child("placement")?.childText("availabilityZone")), tags: tags))
      }
    }
    return instances
  }

  private static func nonEmpty(_ text: String?) -> String? {
    guard let text, !text.isEmpty else { return nil }
    return text
  }
}
