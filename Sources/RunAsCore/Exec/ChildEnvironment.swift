#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// How a wrapped command receives its credentials.
public enum CredentialDelivery: Sendable {
  /// Through the local credential endpoint (refreshes by itself): its URL and token.
  case endpoint(url: String, token: String)
  /// As environment variables (`-E`): fixed until the command ends.
  case environmentVariables(AWSCredentials)
}

/// Builds the environment of a command run under a role.
public enum ChildEnvironment {
  /// Variables removed from every child: static keys (they would win over the endpoint),
  /// profile selection (the role is already chosen), and other container-endpoint settings.
  static let removed: [String] =
    CredentialEnvironment.keyVariables + [
      "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
      "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
      "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    ]

  /// `parent` with credentials delivered as `delivery`, region variables, `AWSRUNAS_PROFILE` and
  /// `AWSRUNAS_EXPIRATION` set.
  ///
  /// With the endpoint, the credentials file is hidden (`AWS_SHARED_CREDENTIALS_FILE=/dev/null`):
  /// SDKs read that file's static keys before asking a container endpoint.
  public static func make(
    parent: [String: String], delivery: CredentialDelivery, region: String?, profileName: String?,
    expiration: Date?
  ) -> [String: String] {
    var environment = parent
    for name in removed { environment[name] = nil }
    switch delivery {
    case .endpoint(let url, let token):
      environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = url
      environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = token
      environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
      environment["AWS_CREDENTIAL_PROFILES_FILE"] = "/dev/null"
      for (name, value) in CredentialEnvironment.regionVariables(region) { environment[name] = value }
      if let expiration { environment["AWSRUNAS_EXPIRATION"] = Timestamp.formatRFC3339(expiration) }
      if let profileName, !profileName.isEmpty { environment["AWSRUNAS_PROFILE"] = profileName }
    case .environmentVariables(let credentials):
      for (name, value) in CredentialEnvironment.variables(
        for: credentials, region: region, profileName: profileName)
      {
        environment[name] = value
      }
    }
    return environment
  }
}
