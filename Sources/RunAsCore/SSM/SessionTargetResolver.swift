import Logging

/// The instance a ``SessionTarget`` named.
public struct ResolvedSessionTarget: Sendable, Equatable {
  /// The instance ID to start the session with.
  public var instanceID: String
  /// The instance as EC2 described it; `nil` when the target was an ID (used without a look-up)
  /// or came from a DNS TXT record.
  public var instance: EC2Instance?

  /// Creates a resolved target.
  public init(instanceID: String, instance: EC2Instance? = nil) {
    self.instanceID = instanceID
    self.instance = instance
  }
}

/// Turns a ``SessionTarget`` into one running instance (spec §8.1), in the order that needs the
/// fewest look-ups:
///
/// - an instance ID is used as it is (SSM says if it is not connected);
/// - `tag:value` matches the instance's tags;
/// - an IPv4 address matches the private address when it is in a private block, else the public one;
/// - a host name matches EC2's public, then private DNS names, then a DNS TXT record holding an
///   instance ID, then the name's IPv4 addresses.
///
/// Only running instances count, every page of DescribeInstances is read, and more than one match
/// is an error that lists them: a session on the wrong machine is worse than none.
public struct SessionTargetResolver: Sendable {
  /// Where instances are looked up.
  public var instances: any EC2InstanceDirectory
  /// Where host names are looked up.
  public var hostNames: any HostNameLookup
  /// The region searched, for messages.
  public var region: String
  /// Receives a debug line per look-up.
  public var logger: Logger

  /// Creates a resolver.
  public init(
    instances: any EC2InstanceDirectory, hostNames: any HostNameLookup, region: String,
    logger: Logger = Logger(label: "aws-runas.ssm", factory: { _ in SwiftLogNoOpLogHandler() })
  ) {
    self.instances = instances
    self.hostNames = hostNames
    self.region = region
    self.logger = logger
  }

  /// The instance `target` names.
  ///
  /// - Throws: ``SessionTargetResolutionError`` when no running instance or several match; what
  ///   EC2 throws.
  public func resolve(_ target: SessionTarget) async throws -> ResolvedSessionTarget {
    switch target {
    case .instanceID(let id):
      return ResolvedSessionTarget(instanceID: id)
    case .tag(let key, let value):
      guard let found = try await unique(target, [EC2Filter(name: "tag:\(key)", values: [value])]) else {
        throw noMatch(target)
      }
      return found
    case .ipv4Address(let address):
      guard let found = try await unique(target, [Self.addressFilter([address])]) else { throw noMatch(target) }
      return found
    case .hostName(let name):
      return try await resolveHostName(name, target: target)
    }
  }

  private func resolveHostName(_ name: String, target: SessionTarget) async throws -> ResolvedSessionTarget {
    let lowered = name.lowercased()
    for filterName in ["dns-name", "private-dns-name"] {
      if let found = try await unique(target, [EC2Filter(name: filterName, values: [lowered])]) { return found }
    }
    do {
      let records = try await hostNames.textRecords(for: name)
      logger.debug("DNS TXT records of \(name): \(records)")
      for record in records {
        let text = SessionTarget.trimmed(record)
        if SessionTarget.isInstanceID(text) { return ResolvedSessionTarget(instanceID: text) }
      }
    } catch {
      logger.debug("DNS TXT look-up of \(name) failed: \(error)")
    }
    let addresses = (try? await hostNames.ipv4Addresses(for: name)) ?? []
    logger.debug("\(name) resolves to \(addresses)")
    if !addresses.isEmpty, let found = try await unique(target, [Self.addressFilter(addresses)]) {
      return found
    }
    throw noMatch(target)
  }

  /// `ip-address` when any address is public (private blocks overlap across VPCs, public
  /// addresses do not), else `private-ip-address`.
  static func addressFilter(_ addresses: [String]) -> EC2Filter {
    let publicAddresses = addresses.filter { !IPv4Address.isPrivate($0) }
    if !publicAddresses.isEmpty { return EC2Filter(name: "ip-address", values: publicAddresses) }
    return EC2Filter(name: "private-ip-address", values: addresses)
  }

  /// The one running instance matching `filters`; `nil` for none.
  private func unique(_ target: SessionTarget, _ filters: [EC2Filter]) async throws -> ResolvedSessionTarget? {
    let running = EC2Filter(name: "instance-state-name", values: ["running"])
    let found = try await instances.describeInstances(filters: filters + [running]).filter { $0.state == "running" }
    logger.debug("DescribeInstances \(filters.map { "\($0.name)=\($0.values)" }): \(found.map(\.instanceID))")
    switch found.count {
    case 0: return nil
    case 1: return ResolvedSessionTarget(instanceID: found[0].instanceID, instance: found[0])
    default: throw SessionTargetResolutionError.severalMatches(target: target, region: region, instances: found)
    }
  }

  private func noMatch(_ target: SessionTarget) -> SessionTargetResolutionError {
    .noMatch(target: target, region: region)
  }
}

/// A target that names no running instance, or more than one.
public enum SessionTargetResolutionError: UserFacingError, Sendable, Equatable {
  /// No running instance matched.
  case noMatch(target: SessionTarget, region: String)
  /// Several running instances matched.
  case severalMatches(target: SessionTarget, region: String, instances: [EC2Instance])

  /// The most instances a message lists.
  static let listedInstances = 10

  /// `no running EC2 instance in us-east-1 matches tag Name = web` or
  /// `tag Name = web matches 2 running EC2 instances in us-east-1: i-1 (web-a, 10.0.0.1), …`.
  public var message: String {
    switch self {
    case .noMatch(let target, let region):
      return "no running EC2 instance in \(region) matches \(target)"
    case .severalMatches(let target, let region, let instances):
      var listed = instances.prefix(Self.listedInstances).map(Self.describe).joined(separator: ", ")
      if instances.count > Self.listedInstances { listed += ", …" }
      return "\(target) matches \(instances.count) running EC2 instances in \(region): \(listed)"
    }
  }

  /// What to do.
  public var hint: String? {
    switch self {
    case .noMatch:
      return "check the target, the profile's region and that the instance is running"
    case .severalMatches:
      return "name one of them by its instance ID"
    }
  }

  private static func describe(_ instance: EC2Instance) -> String {
    let details = [instance.name, instance.privateIPAddress].compactMap { $0 }.map {
      TerminalText.excerpt($0, limit: 60)
    }
    let id = TerminalText.excerpt(instance.instanceID, limit: 40)
    return details.isEmpty ? id : "\(id) (\(details.joined(separator: ", ")))"
  }
}
