/// Where to send requests for one AWS service, and how to sign them.
public struct ServiceEndpoint: Sendable, Equatable {
  /// The base URL, e.g. `https://sts.eu-west-1.amazonaws.com` or a configured `http://127.0.0.1:5000`.
  public var url: String
  /// The region that goes into the SigV4 credential scope.
  public var signingRegion: String
  /// The service's signing name, e.g. `sts`.
  public var service: String

  /// Creates an endpoint.
  ///
  /// - Parameters:
  ///   - url: The base URL.
  ///   - signingRegion: The signing region.
  ///   - service: The signing name.
  public init(url: String, signingRegion: String, service: String) {
    self.url = url
    self.signingRegion = signingRegion
    self.service = service
  }
}

/// A configured endpoint URL or region that cannot be used, or a service that needs a region and
/// has none.
public struct EndpointConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What the value is: `endpoint URL` or `region`.
  public var setting: String
  /// Where the bad value came from, e.g. `AWS_ENDPOINT_URL_STS` or `endpoint_url in the profile`.
  public var source: String
  /// The value as configured.
  public var value: String
  /// What is wrong with it.
  public var reason: String

  /// Creates the error.
  ///
  /// - Parameters:
  ///   - setting: What the value is.
  ///   - source: Where the value came from.
  ///   - value: The value.
  ///   - reason: What is wrong.
  public init(setting: String = "endpoint URL", source: String, value: String, reason: String) {
    self.setting = setting
    self.source = source
    self.value = value
    self.reason = reason
  }

  /// `invalid endpoint URL "ftp://x" from AWS_ENDPOINT_URL_STS: <reason>`, or the missing-region text.
  public var description: String {
    if value.isEmpty { return "\(reason) (\(source))" }
    return "invalid \(setting) \"\(TerminalText.excerpt(value, limit: 100))\" from \(source): \(reason)"
  }
}

/// Region names as the AWS SDKs accept them: one DNS label (letters, digits and hyphens, 1–63
/// characters, no hyphen at either end), since the region becomes part of endpoint host names.
public enum RegionName {
  /// Whether `region` is a valid region name.
  public static func isValid(_ region: String) -> Bool {
    let bytes = region.utf8
    guard (1...63).contains(bytes.count), bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-")
    else { return false }
    return bytes.allSatisfy { byte in
      (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
        || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
        || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
    }
  }

  /// What is wrong with an invalid region name, for messages.
  public static let rule = "a region name is letters, digits and hyphens, such as us-east-1"
}

/// Chooses a service endpoint the way the AWS SDKs and CLI do.
///
/// Precedence, highest first:
/// 1. `AWS_ENDPOINT_URL_<SERVICE>` (service ID upper-cased, spaces and dashes as `_`),
/// 2. `AWS_ENDPOINT_URL`,
/// 3. `endpoint_url` in the profile's `[services]` section for this service,
/// 4. `endpoint_url` in the profile,
/// 5. the default endpoint for the service, region and partition.
///
/// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` (or `ignore_configured_endpoint_urls = true` in the
/// profile, unless the variable says `false`) skips 1–4. Empty values count as unset.
///
/// Defaults: STS is regional (`https://sts.<region>.amazonaws.com`, `.amazonaws.com.cn` in China),
/// global `https://sts.amazonaws.com` (signed for us-east-1) without a region, and also for the
/// legacy regions when `AWS_STS_REGIONAL_ENDPOINTS=legacy`. IAM is global per partition. Other
/// services are `https://<service>.<region>.<dns suffix>` and need a region.
public enum EndpointResolver {
  /// The regions that `sts_regional_endpoints = legacy` sends to the global endpoint (the list in
  /// botocore and the other SDKs).
  public static let legacyGlobalSTSRegions: Set<String> = [
    "ap-northeast-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "aws-global",
    "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3",
    "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
  ]

  /// Resolves the endpoint of a service.
  ///
  /// - Parameters:
  ///   - service: The service ID as the SDKs spell it lower-cased, e.g. `sts`, `iam`, `ssm`, `ec2`.
  ///   - region: The configured region, if any.
  ///   - regionOrigin: Where the region came from, for the message when it is invalid.
  ///   - environment: The process environment.
  ///   - servicesEndpointURL: `endpoint_url` from the profile's `[services]` section for `service`.
  ///   - profileEndpointURL: `endpoint_url` from the profile.
  ///   - profileIgnoresConfiguredEndpointURLs: `ignore_configured_endpoint_urls` from the profile.
  ///   - profileSTSRegionalEndpoints: `sts_regional_endpoints` from the profile
  ///     (`AWS_STS_REGIONAL_ENDPOINTS` wins).
  /// - Returns: The URL, signing region and signing name to use.
  /// - Throws: ``EndpointConfigurationError`` for a configured URL that is not `http(s)://host…`,
  ///   a region that is not a valid region name (it goes into host names and signatures), or when
  ///   a regional service has no region.
  public static func resolve(
    service: String,
    region: String?,
    regionOrigin: SettingOrigin? = nil,
    environment: [String: String],
    servicesEndpointURL: String? = nil,
    profileEndpointURL: String? = nil,
    profileIgnoresConfiguredEndpointURLs: Bool = false,
    profileSTSRegionalEndpoints: String? = nil
  ) throws(EndpointConfigurationError) -> ServiceEndpoint {
    let service = service.lowercased()
    let region = nonEmpty(region)
    let signingName = service
    if let region, !RegionName.isValid(region) {
      throw EndpointConfigurationError(
        setting: "region", source: regionOrigin?.description ?? "the profile or AWS_REGION", value: region,
        reason: RegionName.rule)
    }

    if !ignoresConfiguredEndpoints(environment: environment, profile: profileIgnoresConfiguredEndpointURLs) {
      let variable = environmentVariableName(forService: service)
      let candidates: [(source: String, value: String?)] = [
        (variable, environment[variable]),
        ("AWS_ENDPOINT_URL", environment["AWS_ENDPOINT_URL"]),
        ("endpoint_url in the [services] section for \(service)", servicesEndpointURL),
        ("endpoint_url in the profile", profileEndpointURL),
      ]
      for candidate in candidates {
        guard let value = nonEmpty(candidate.value) else { continue }
        try validate(value, source: candidate.source)
        return ServiceEndpoint(
          url: value, signingRegion: region ?? "us-east-1",
          service: signingName)
      }
    }

    let partition = Partition(region: region)
    switch service {
    case "sts":
      let mode =
        nonEmpty(environment["AWS_STS_REGIONAL_ENDPOINTS"])?.lowercased()
        ?? nonEmpty(profileSTSRegionalEndpoints)?.lowercased() ?? "regional"
      guard let region, region != "aws-global",
        !(mode == "legacy" && legacyGlobalSTSRegions.contains(region))
      else {
        return ServiceEndpoint(url: "https://sts.amazonaws.com", signingRegion: "us-east-1", service: "sts")
      }
      return ServiceEndpoint(
        url: "https://sts.\(region).\(partition.dnsSuffix)", signingRegion: region, service: "sts")
    case "iam":
      return ServiceEndpoint(
        url: partition.iamURL, signingRegion: partition.iamSigningRegion, service: "iam")
    case "sso", "sso-oidc":
      // IAM Identity Center: the access portal and SSO-OIDC have their own host names.
      guard let region else {
        throw EndpointConfigurationError(
          source: "set sso_region", value: "", reason: "no region configured for \(service)")
      }
      let host = service == "sso" ? "portal.sso" : "oidc"
      return ServiceEndpoint(
        url: "https://\(host).\(region).\(partition.dnsSuffix)", signingRegion: region,
        service: service == "sso" ? "awsssoportal" : "sso-oauth")
    default:
      guard let region else {
        throw EndpointConfigurationError(
          source: "set AWS_REGION or region in the profile", value: "",
          reason: "no region configured for \(service)")
      }
      return ServiceEndpoint(
        url: "https://\(defaultHostPrefixes[service] ?? service).\(region).\(partition.dnsSuffix)",
        signingRegion: region, service: signingName)
    }
  }

  /// Services whose default host name does not start with their signing name (ECR's API is
  /// `api.ecr.<region>.amazonaws.com`, signed as `ecr`).
  static let defaultHostPrefixes = ["ecr": "api.ecr"]

  /// The service-specific variable, e.g. `AWS_ENDPOINT_URL_STS` or `AWS_ENDPOINT_URL_ELASTIC_BEANSTALK`.
  ///
  /// - Parameter service: The service ID.
  /// - Returns: The environment variable name.
  public static func environmentVariableName(forService service: String) -> String {
    let normalized = service.uppercased().map { $0 == " " || $0 == "-" ? "_" : $0 }
    return "AWS_ENDPOINT_URL_" + String(normalized)
  }

  // MARK: - Internals

  private static func ignoresConfiguredEndpoints(environment: [String: String], profile: Bool) -> Bool {
    if let value = nonEmpty(environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]) {
      return value.lowercased() == "true"
    }
    return profile
  }

  private static func validate(_ value: String, source: String) throws(EndpointConfigurationError) {
    let lowered = value.lowercased()
    guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else {
      throw EndpointConfigurationError(
        source: source, value: value, reason: "the URL must start with http:// or https://")
    }
    guard HTTPURLParts(value) != nil else {
      throw EndpointConfigurationError(
        source: source, value: value, reason: "the URL needs a valid host (and port, if any)")
    }
  }

  private static func nonEmpty(_ value: String?) -> String? {
    guard let value else { return nil }
    // Plain index walking: generic wrappers such as `reversed()` cost runtime metadata lookups at
    // start-up, which the cached-credential path would pay.
    var start = value.startIndex
    var end = value.endIndex
    while start < end, value[start].isWhitespace { start = value.index(after: start) }
    while end > start, value[value.index(before: end)].isWhitespace { end = value.index(before: end) }
    return start == end ? nil : String(value[start..<end])
  }

  /// The partitions this tool knows, derived from the region name.
  private enum Partition {
    case aws, china, govCloud, iso, isoB

    init(region: String?) {
      guard let region else {
        self = .aws
        return
      }
      if region.hasPrefix("cn-") {
        self = .china
      } else if region.hasPrefix("us-gov-") {
        self = .govCloud
      } else if region.hasPrefix("us-isob-") {
        self = .isoB
      } else if region.hasPrefix("us-iso-") {
        self = .iso
      } else {
        self = .aws
      }
    }

    var dnsSuffix: String {
      switch self {
      case .aws, .govCloud: return "amazonaws.com"
      case .china: return "amazonaws.com.cn"
      case .iso: return "c2s.ic.gov"
      case .isoB: return "sc2s.sgov.gov"
      }
    }

    var iamURL: String {
      switch self {
      case .aws: return "https://iam.amazonaws.com"
      case .china: return "https://iam.cn-north-1.amazonaws.com.cn"
      case .govCloud: return "https://iam.us-gov.amazonaws.com"
      case .iso: return "https://iam.us-iso-east-1.c2s.ic.gov"
      case .isoB: return "https://iam.us-isob-east-1.sc2s.sgov.gov"
      }
    }

    var iamSigningRegion: String {
      switch self {
      case .aws: return "us-east-1"
      case .china: return "cn-north-1"
      case .govCloud: return "us-gov-west-1"
      case .iso: return "us-iso-east-1"
      case .isoB: return "us-isob-east-1"
      }
    }
  }
}
