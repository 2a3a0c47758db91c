import RunAsCore
import Testing

@Suite("EndpointResolver")
struct EndpointResolverTests {
  private func resolve(
    _ service: String, region: String?, environment: [String: String] = [:],
    services: String? = nil, profile: String? = nil, profileIgnores: Bool = false,
    profileSTS: String? = nil
  ) throws(EndpointConfigurationError) -> ServiceEndpoint {
    try EndpointResolver.resolve(
      service: service, region: region, environment: environment, servicesEndpointURL: services,
      profileEndpointURL: profile, profileIgnoresConfiguredEndpointURLs: profileIgnores,
      profileSTSRegionalEndpoints: profileSTS)
  }

  @Test("STS is regional by default")
  func stsRegional() throws {
    #expect(
      try resolve("sts", region: "eu-west-1")
        == ServiceEndpoint(url: "https://sts.eu-west-1.amazonaws.com", signingRegion: "eu-west-1", service: "sts"))
    #expect(try resolve("sts", region: "us-east-1").url == "https://sts.us-east-1.amazonaws.com")
  }

  @Test("STS uses the partition's DNS suffix")
  func stsPartitions() throws {
    #expect(try resolve("sts", region: "cn-north-1").url == "https://sts.cn-north-1.amazonaws.com.cn")
    #expect(try resolve("sts", region: "cn-northwest-1").signingRegion == "cn-northwest-1")
    #expect(try resolve("sts", region: "us-gov-west-1").url == "https://sts.us-gov-west-1.amazonaws.com")
  }

  @Test("STS without a region uses the global endpoint signed for us-east-1")
  func stsGlobal() throws {
    let expected = ServiceEndpoint(url: "https://sts.amazonaws.com", signingRegion: "us-east-1", service: "sts")
    #expect(try resolve("sts", region: nil) == expected)
    #expect(try resolve("sts", region: "") == expected)
    #expect(try resolve("sts", region: "aws-global") == expected)
  }

  @Test("legacy STS mode sends the legacy regions to the global endpoint")
  func stsLegacy() throws {
    let legacy = ["AWS_STS_REGIONAL_ENDPOINTS": "legacy"]
    #expect(try resolve("sts", region: "us-east-1", environment: legacy).url == "https://sts.amazonaws.com")
    #expect(try resolve("sts", region: "eu-west-1", environment: legacy).signingRegion == "us-east-1")
    #expect(try resolve("sts", region: "us-east-2", environment: legacy).url == "https://sts.amazonaws.com")
    #expect(
      try resolve("sts", region: "af-south-1", environment: legacy).url
        == "https://sts.af-south-1.amazonaws.com")
    #expect(
      try resolve("sts", region: "ap-east-1", environment: ["AWS_STS_REGIONAL_ENDPOINTS": "LEGACY"]).url
        == "https://sts.ap-east-1.amazonaws.com")
  }

  @Test("the environment's STS mode overrides the profile's")
  func stsModePrecedence() throws {
    #expect(try resolve("sts", region: "us-west-2", profileSTS: "legacy").url == "https://sts.amazonaws.com")
    #expect(
      try resolve(
        "sts", region: "us-west-2", environment: ["AWS_STS_REGIONAL_ENDPOINTS": "regional"],
        profileSTS: "legacy"
      ).url == "https://sts.us-west-2.amazonaws.com")
  }

  @Test("IAM is global per partition")
  func iamGlobal() throws {
    #expect(
      try resolve("iam", region: "eu-central-1")
        == ServiceEndpoint(url: "https://iam.amazonaws.com", signingRegion: "us-east-1", service: "iam"))
    #expect(try resolve("iam", region: nil).url == "https://iam.amazonaws.com")
    #expect(
      try resolve("iam", region: "cn-northwest-1")
        == ServiceEndpoint(
          url: "https://iam.cn-north-1.amazonaws.com.cn", signingRegion: "cn-north-1", service: "iam"))
    #expect(
      try resolve("iam", region: "us-gov-east-1")
        == ServiceEndpoint(url: "https://iam.us-gov.amazonaws.com", signingRegion: "us-gov-west-1", service: "iam"))
  }

  @Test("regional services need a region")
  func regionalServices() throws {
    #expect(try resolve("ssm", region: "eu-west-1").url == "https://ssm.eu-west-1.amazonaws.com")
    #expect(try resolve("ec2", region: "cn-north-1").url == "https://ec2.cn-north-1.amazonaws.com.cn")
    #expect(throws: EndpointConfigurationError.self) { try resolve("ssm", region: nil) }
  }

  @Test("AWS_ENDPOINT_URL_<SERVICE> beats every other configured URL")
  func serviceVariableWins() throws {
    let endpoint = try resolve(
      "sts", region: "eu-west-1",
      environment: ["AWS_ENDPOINT_URL_STS": "http://127.0.0.1:5001", "AWS_ENDPOINT_URL": "http://127.0.0.1:5002"],
      services: "http://127.0.0.1:5003", profile: "http://127.0.0.1:5004")
    #expect(endpoint == ServiceEndpoint(url: "http://127.0.0.1:5001", signingRegion: "eu-west-1", service: "sts"))
  }

  @Test("AWS_ENDPOINT_URL beats the config file")
  func globalVariableBeatsConfig() throws {
    let endpoint = try resolve(
      "iam", region: nil, environment: ["AWS_ENDPOINT_URL": "http://localhost:4566"],
      services: "http://127.0.0.1:5003", profile: "http://127.0.0.1:5004")
    #expect(endpoint == ServiceEndpoint(url: "http://localhost:4566", signingRegion: "us-east-1", service: "iam"))
  }

  @Test("the services section beats the profile's endpoint_url, which beats the default")
  func configPrecedence() throws {
    #expect(
      try resolve("sts", region: "eu-west-1", services: "http://127.0.0.1:5003", profile: "http://127.0.0.1:5004").url
        == "http://127.0.0.1:5003")
    #expect(try resolve("sts", region: "eu-west-1", profile: "http://127.0.0.1:5004").url == "http://127.0.0.1:5004")
  }

  @Test("another service's variable does not apply")
  func otherServiceVariable() throws {
    #expect(
      try resolve("sts", region: "eu-west-1", environment: ["AWS_ENDPOINT_URL_IAM": "http://127.0.0.1:1"]).url
        == "https://sts.eu-west-1.amazonaws.com")
  }

  @Test("empty values count as unset")
  func emptyValues() throws {
    #expect(
      try resolve("sts", region: "eu-west-1", environment: ["AWS_ENDPOINT_URL_STS": "", "AWS_ENDPOINT_URL": "  "]).url
        == "https://sts.eu-west-1.amazonaws.com")
  }

  @Test("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true ignores every configured URL")
  func ignoreConfigured() throws {
    let environment = [
      "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "TRUE", "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:5001",
      "AWS_ENDPOINT_URL": "http://127.0.0.1:5002",
    ]
    #expect(
      try resolve("sts", region: "eu-west-1", environment: environment, services: "http://x", profile: "http://y").url
        == "https://sts.eu-west-1.amazonaws.com")
  }

  @Test("the profile's ignore_configured_endpoint_urls yields to the variable")
  func ignoreFromProfile() throws {
    #expect(
      try resolve("sts", region: "eu-west-1", profile: "http://127.0.0.1:5004", profileIgnores: true).url
        == "https://sts.eu-west-1.amazonaws.com")
    #expect(
      try resolve(
        "sts", region: "eu-west-1", environment: ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "false"],
        profile: "http://127.0.0.1:5004", profileIgnores: true
      ).url == "http://127.0.0.1:5004")
  }

  @Test("an unusable configured URL is an error naming its source")
  func invalidConfiguredURL() throws {
    do {
      _ = try resolve("sts", region: "eu-west-1", environment: ["AWS_ENDPOINT_URL_STS": "ftp://example.com"])
      Issue.record("expected an error")
    } catch {
      #expect(error.source == "AWS_ENDPOINT_URL_STS")
      #expect(error.value == "ftp://example.com")
      #expect(error.description.contains("AWS_ENDPOINT_URL_STS"))
    }
    #expect(throws: EndpointConfigurationError.self) {
      try resolve("sts", region: nil, environment: ["AWS_ENDPOINT_URL": "http://"])
    }
    #expect(throws: EndpointConfigurationError.self) {
      try resolve("sts", region: nil, environment: ["AWS_ENDPOINT_URL": "localhost:4566"])
    }
    #expect(throws: EndpointConfigurationError.self) {
      try resolve("sts", region: nil, environment: ["AWS_ENDPOINT_URL": "http://host:99999"])
    }
    do {
      _ = try resolve("iam", region: nil, profile: "iam.example.com")
      Issue.record("expected an error")
    } catch {
      #expect(error.source == "endpoint_url in the profile")
    }
  }

  @Test("IPv6 and bracketed hosts are accepted")
  func ipv6() throws {
    #expect(
      try resolve("sts", region: nil, environment: ["AWS_ENDPOINT_URL": "http://[::1]:5000"]).url == "http://[::1]:5000"
    )
  }

  @Test("service variable names follow the SDK rule")
  func variableNames() {
    #expect(EndpointResolver.environmentVariableName(forService: "sts") == "AWS_ENDPOINT_URL_STS")
    #expect(
      EndpointResolver.environmentVariableName(forService: "Elastic Beanstalk")
        == "AWS_ENDPOINT_URL_ELASTIC_BEANSTALK")
  }

  // MARK: Region names

  @Test(arguments: ["evil.example/x?", "us-east-1.evil.example", "us east 1", "-us-east-1", "us-east-1-", "", "é"])
  func regionsThatAreNotOneHostLabelAreRefused(_ region: String) {
    #expect(!RegionName.isValid(region))
    guard !region.isEmpty else { return }
    #expect(
      throws: EndpointConfigurationError(
        setting: "region", source: "env AWS_REGION", value: region, reason: RegionName.rule)
    ) {
      try EndpointResolver.resolve(
        service: "sts", region: region, regionOrigin: .environment("AWS_REGION"), environment: [:])
    }
  }

  @Test func aBadRegionIsRefusedEvenWithAConfiguredEndpoint() {
    // The region also goes into the signature's scope.
    #expect(throws: EndpointConfigurationError.self) {
      try EndpointResolver.resolve(
        service: "sts", region: "a/b", environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:1"])
    }
  }

  @Test(arguments: ["us-east-1", "cn-north-1", "us-gov-west-1", "us-isob-east-1", "eu-central-2", "local"])
  func realRegionNamesAreAccepted(_ region: String) throws {
    #expect(RegionName.isValid(region))
    _ = try EndpointResolver.resolve(service: "sts", region: region, environment: [:])
  }

  @Test func theRegionErrorSaysWhereTheValueCameFrom() {
    let error = EndpointConfigurationError(
      setting: "region", source: "env AWS_REGION", value: "evil.example/x?", reason: RegionName.rule)
    #expect(
      error.description
        == "invalid region \"evil.example/x?\" from env AWS_REGION: a region name is letters, digits and hyphens, such as us-east-1"
    )
  }
}
