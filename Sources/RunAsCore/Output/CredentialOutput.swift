#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The shell dialect of `-O env` output.
public enum ShellDialect: String, Sendable, CaseIterable {
  /// POSIX shells: `export NAME='value'`.
  case posix
  /// fish: `set -gx NAME 'value'`.
  case fish
  /// PowerShell: `$env:NAME = 'value'`.
  case powershell

  /// The dialect of the user's shell, from `$SHELL` (PowerShell also when `SHELL` is unset and
  /// `PSModulePath` is set, as on Windows).
  public static func detect(environment: [String: String]) -> ShellDialect {
    guard let shell = environment["SHELL"], !shell.isEmpty else {
      return environment["PSModulePath"] != nil ? .powershell : .posix
    }
    let name = shell.split(separator: "/").last.map { $0.lowercased() } ?? ""
    if name.hasPrefix("fish") { return .fish }
    if name.hasPrefix("pwsh") || name.hasPrefix("powershell") { return .powershell }
    return .posix
  }

  /// One statement that sets `name` to `value`, quoted so any character survives `eval`.
  ///
  /// Quoting works on UTF-8 bytes, not characters: a quote followed by a combining mark is one
  /// `Character` but still ends the string for the shell.
  public func assignment(_ name: String, _ value: String) -> String {
    switch self {
    case .posix:
      return "export \(name)='" + escaped(value) + "'"
    case .fish:
      return "set -gx \(name) '" + escaped(value) + "'"
    case .powershell:
      return "$env:\(name) = '" + escaped(value) + "'"
    }
  }

  /// `value` made safe inside this dialect's single quotes: POSIX closes, escapes and reopens at
  /// `'`; fish puts `\` before `\` and `'`; PowerShell doubles each of the five characters its
  /// grammar ends a single-quoted string at (`'` and U+2018–U+201B).
  ///
  /// Works on UTF-8 bytes, not `Character`s: a quote followed by a combining mark is one
  /// `Character` but still a quote to the shell. (No `String.replacing` or `Set` either, whose
  /// generic code costs runtime conformance lookups on the cached-credential path.)
  private func escaped(_ value: String) -> String {
    // Keys, secrets and tokens hold none of these bytes: the usual value is returned as it is.
    guard value.utf8.contains(where: { $0 == UInt8(ascii: "'") || $0 == UInt8(ascii: "\\") || $0 == 0xE2 })
    else { return value }
    let bytes = Array(value.utf8)
    var output: [UInt8] = []
    output.reserveCapacity(bytes.count + 16)
    var index = 0
    while index < bytes.count {
      let length = quoteLength(in: bytes, at: index)
      guard length > 0 else {
        output.append(bytes[index])
        index += 1
        continue
      }
      let quote = bytes[index..<index + length]
      switch self {
      case .posix: output += #"'\''"#.utf8
      case .fish: output += [UInt8(ascii: "\\")] + quote
      case .powershell: output += quote + quote
      }
      index += length
    }
    return String(decoding: output, as: UTF8.self)
  }

  /// How many bytes at `index` form a character this dialect must escape in single quotes; 0
  /// when the byte there is plain text.
  private func quoteLength(in bytes: [UInt8], at index: Int) -> Int {
    let byte = bytes[index]
    if byte == UInt8(ascii: "'") { return 1 }
    switch self {
    case .posix:
      return 0
    case .fish:
      return byte == UInt8(ascii: "\\") ? 1 : 0
    case .powershell:
      // U+2018–U+201B are E2 80 98 to E2 80 9B in UTF-8.
      guard byte == 0xE2, index + 2 < bytes.count, bytes[index + 1] == 0x80, bytes[index + 2] >= 0x98,
        bytes[index + 2] <= 0x9B
      else { return 0 }
      return 3
    }
  }
}

/// The environment variables that carry credentials to a child process or a shell.
public enum CredentialEnvironment {
  /// Variables that hold static keys and must not leak into a child that gets other credentials.
  public static let keyVariables = [
    "AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY",
    "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
  ]

  /// The variables for `credentials`, in a fixed order: keys, token (also as the legacy
  /// `AWS_SECURITY_TOKEN`), region, `AWSRUNAS_EXPIRATION`, `AWSRUNAS_PROFILE`.
  public static func variables(
    for credentials: AWSCredentials, region: String?, profileName: String?
  ) -> [(name: String, value: String)] {
    var result: [(name: String, value: String)] = [
      ("AWS_ACCESS_KEY_ID", credentials.accessKeyID),
      ("AWS_SECRET_ACCESS_KEY", credentials.secretAccessKey),
    ]
    if let token = credentials.sessionToken, !token.isEmpty {
      result.append(("AWS_SESSION_TOKEN", token))
      result.append(("AWS_SECURITY_TOKEN", token))
    }
    result += regionVariables(region)
    if let expiration = credentials.expiration {
      result.append(("AWSRUNAS_EXPIRATION", Timestamp.formatRFC3339(expiration)))
    }
    if let profileName, !profileName.isEmpty { result.append(("AWSRUNAS_PROFILE", profileName)) }
    return result
  }

  /// `AWS_REGION` and `AWS_DEFAULT_REGION` when a region is known.
  public static func regionVariables(_ region: String?) -> [(name: String, value: String)] {
    guard let region, !region.isEmpty else { return [] }
    return [("AWS_REGION", region), ("AWS_DEFAULT_REGION", region)]
  }
}

/// Renders credentials as the tool prints them.
public enum CredentialOutput {
  /// `eval`-able assignments, one per line, in `dialect`.
  public static func environmentScript(
    _ credentials: AWSCredentials, region: String?, profileName: String?, dialect: ShellDialect
  ) -> String {
    // A loop, not `map` and `joined()`: the generic `joined` costs a runtime conformance lookup
    // (a scan of every conformance in the binary) on the cached-credential path.
    var script = ""
    for variable in CredentialEnvironment.variables(for: credentials, region: region, profileName: profileName) {
      script += dialect.assignment(variable.name, variable.value) + "\n"
    }
    return script
  }

  /// The `credential_process` (version 1) document, one line.
  public static func credentialProcessJSON(_ credentials: AWSCredentials) -> String {
    var json = JSONObjectWriter()
    json.add("AccessKeyId", credentials.accessKeyID)
    json.add("SecretAccessKey", credentials.secretAccessKey)
    json.addIfPresent("SessionToken", credentials.sessionToken)
    json.add("Version", 1)
    if let expiration = credentials.expiration { json.add("Expiration", Timestamp.formatRFC3339(expiration)) }
    return json.result
  }

  /// The ECS container credential endpoint document.
  public static func containerEndpointJSON(_ credentials: AWSCredentials) -> String {
    var json = JSONObjectWriter()
    json.add("AccessKeyId", credentials.accessKeyID)
    json.add("SecretAccessKey", credentials.secretAccessKey)
    json.addIfPresent("Token", credentials.sessionToken)
    if let expiration = credentials.expiration { json.add("Expiration", Timestamp.formatRFC3339(expiration)) }
    return json.result
  }

  /// `Credentials will expire on 2024-05-01 12:34:56 (59 minutes from now)`, as the Go tool prints it.
  public static func expirationLine(_ credentials: AWSCredentials, now: Date) -> String {
    guard let expiration = credentials.expiration else { return "credentials will not expire" }
    let stamp = Timestamp.formatRFC3339(expiration)
    // 2024-05-01T12:34:56Z → 2024-05-01 12:34:56
    let shown = String(stamp.prefix(19)).replacing("T", with: " ")
    let seconds = expiration.timeIntervalSince(now)
    if seconds >= 0 {
      return "Credentials will expire on \(shown) (\(humanizedInterval(seconds)) from now)"
    }
    return "Credentials expired on \(shown) (\(humanizedInterval(-seconds)) ago)"
  }

  /// A rough human interval in go-humanize's words: `59 minutes`, `2 hours`, `1 second`.
  public static func humanizedInterval(_ seconds: Double) -> String {
    let s = Int(seconds)
    func unit(_ n: Int, _ name: String) -> String { n == 1 ? "1 \(name)" : "\(n) \(name)s" }
    if s < 60 { return unit(max(s, 1), "second") }
    if s < 3600 { return unit(s / 60, "minute") }
    if s < 86400 { return unit(s / 3600, "hour") }
    return unit(s / 86400, "day")
  }
}
