import Crypto

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Signs HTTP requests with AWS Signature Version 4 (`AWS4-HMAC-SHA256`, header form).
///
/// ```swift
/// var request = HTTPRequestData(method: "POST", url: "https://sts.us-east-1.amazonaws.com/",
///                               headers: [("Content-Type", "application/x-www-form-urlencoded")],
///                               body: Array("Action=GetCallerIdentity&Version=2011-06-15".utf8))
/// SigV4Signer(credentials: credentials, region: "us-east-1", service: "sts")
///   .sign(&request, at: .now)
/// ```
///
/// Signing adds `Host` (when absent), `X-Amz-Date`, `X-Amz-Security-Token` (for temporary
/// credentials), optionally `X-Amz-Content-Sha256`, and `Authorization`. Every other header already
/// on the request is signed too, except `Authorization`, `User-Agent`, `X-Amzn-Trace-Id`, `Expect`,
/// `Transfer-Encoding` and `Connection`, which proxies and HTTP stacks may change.
public struct SigV4Signer: Sendable {
  /// The credentials that sign.
  public var credentials: AWSCredentials
  /// The signing region, e.g. `us-east-1`.
  public var region: String
  /// The signing name of the service, e.g. `sts` or `iam`.
  public var service: String

  /// The algorithm name that starts the string to sign and the `Authorization` header.
  package static let algorithm = "AWS4-HMAC-SHA256"

  /// Creates a signer.
  ///
  /// - Parameters:
  ///   - credentials: The credentials that sign.
  ///   - region: The signing region.
  ///   - service: The service's signing name.
  public init(credentials: AWSCredentials, region: String, service: String) {
    self.credentials = credentials
    self.region = region
    self.service = service
  }

  /// Signs `request` in place for the moment `date`.
  ///
  /// - Parameters:
  ///   - request: The request; its URL must be absolute `http(s)`. An unparsable URL is signed with
  ///     host and path empty, and the server will reject it.
  ///   - date: The signing time (the server allows about five minutes of clock difference).
  ///   - addContentSHA256Header: Also send and sign `X-Amz-Content-Sha256`, as S3 requires.
  public func sign(_ request: inout HTTPRequestData, at date: Date, addContentSHA256Header: Bool = false) {
    let amzDate = Timestamp.amzDate(date)
    if request.header("Host") == nil, let parts = HTTPURLParts(request.url) {
      request.headers.insert(("Host", parts.hostHeader), at: 0)
    }
    request.setHeader("X-Amz-Date", amzDate)
    if let token = credentials.sessionToken, !token.isEmpty {
      request.setHeader("X-Amz-Security-Token", token)
    } else {
      request.headers.removeAll { HTTPFieldName.equal($0.name, "X-Amz-Security-Token") }
    }
    let payloadHash = Self.hexSHA256(request.body)
    if addContentSHA256Header {
      request.setHeader("X-Amz-Content-Sha256", payloadHash)
    }
    request.headers.removeAll { HTTPFieldName.equal($0.name, "Authorization") }
    request.headers.append(("Authorization", authorization(for: request, at: date, payloadHash: payloadHash)))
  }

  /// The `Authorization` header value for a request that already carries every header to sign
  /// (including `Host` and `X-Amz-Date`).
  ///
  /// - Parameters:
  ///   - request: The request.
  ///   - date: The signing time; must be the time in `X-Amz-Date`.
  ///   - payloadHash: The lower-case hex SHA-256 of the body; computed when `nil`.
  /// - Returns: `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.
  package func authorization(for request: HTTPRequestData, at date: Date, payloadHash: String? = nil) -> String {
    let canonical = canonicalRequest(for: request, payloadHash: payloadHash ?? Self.hexSHA256(request.body))
    let signature = signature(stringToSign: stringToSign(canonicalRequest: canonical.text, at: date), at: date)
    return "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(credentialScope(at: date)), "
      + "SignedHeaders=\(canonical.signedHeaders), Signature=\(signature)"
  }

  /// The canonical request (task 1 of the signing process) and the signed-header list.
  ///
  /// - Parameters:
  ///   - request: The request, headers as they will be sent.
  ///   - payloadHash: The lower-case hex SHA-256 of the body.
  /// - Returns: The canonical request text and the `;`-joined lower-case signed header names.
  package func canonicalRequest(for request: HTTPRequestData, payloadHash: String) -> (
    text: String, signedHeaders: String
  ) {
    let parts = HTTPURLParts(request.url)
    var fields: [String: [String]] = [:]
    for (name, value) in request.headers {
      let lower = HTTPFieldName.lowercased(name)
      guard !Self.unsignedHeaders.contains(lower) else { continue }
      fields[lower, default: []].append(Self.normalizedHeaderValue(value))
    }
    if fields["host"] == nil, let parts {
      fields["host"] = [parts.hostHeader]
    }
    let names = fields.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    var canonicalHeaders = ""
    for name in names {
      canonicalHeaders += name + ":" + (fields[name] ?? []).joined(separator: ",") + "\n"
    }
    let signedHeaders = names.joined(separator: ";")
    let text = [
      request.method.uppercased(),
      Self.canonicalURI(parts?.path ?? "/"),
      Self.canonicalQuery(parts?.query),
      canonicalHeaders,
      signedHeaders,
      payloadHash,
    ].joined(separator: "\n")
    return (text, signedHeaders)
  }

  /// The string to sign (task 2): algorithm, time, credential scope and the canonical request's hash.
  ///
  /// - Parameters:
  ///   - canonicalRequest: The canonical request text.
  ///   - date: The signing time.
  /// - Returns: The four-line string to sign.
  package func stringToSign(canonicalRequest: String, at date: Date) -> String {
    [
      Self.algorithm, Timestamp.amzDate(date), credentialScope(at: date),
      Self.hexSHA256(Array(canonicalRequest.utf8)),
    ].joined(separator: "\n")
  }

  /// The credential scope, `yyyyMMdd/region/service/aws4_request`.
  ///
  /// - Parameter date: The signing time.
  /// - Returns: The scope string.
  package func credentialScope(at date: Date) -> String {
    "\(Timestamp.dateStamp(date))/\(region)/\(service)/aws4_request"
  }

  /// The hex signature of a string to sign (tasks 3 and 4).
  ///
  /// - Parameters:
  ///   - stringToSign: The string to sign.
  ///   - date: The signing time, whose UTC day keys the derivation.
  /// - Returns: The lower-case hex HMAC-SHA256.
  package func signature(stringToSign: String, at date: Date) -> String {
    let key = Self.signingKey(
      secretAccessKey: credentials.secretAccessKey, dateStamp: Timestamp.dateStamp(date),
      region: region, service: service)
    return Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
  }

  /// The derived signing key: HMAC-SHA256 chained over date, region, service and `aws4_request`,
  /// starting from `"AWS4" + secret`.
  ///
  /// - Parameters:
  ///   - secretAccessKey: The secret access key.
  ///   - dateStamp: The UTC day, `yyyyMMdd`.
  ///   - region: The signing region.
  ///   - service: The service's signing name.
  /// - Returns: The key that signs strings to sign for that scope.
  package static func signingKey(
    secretAccessKey: String, dateStamp: String, region: String, service: String
  ) -> SymmetricKey {
    var key = SymmetricKey(data: Array(("AWS4" + secretAccessKey).utf8))
    for part in [dateStamp, region, service, "aws4_request"] {
      key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key))
    }
    return key
  }

  /// The lower-case hex SHA-256 of some bytes.
  ///
  /// - Parameter bytes: The bytes to hash.
  /// - Returns: 64 hex digits.
  package static func hexSHA256(_ bytes: [UInt8]) -> String {
    hex(SHA256.hash(data: bytes))
  }

  /// Percent-encodes per RFC 3986 as AWS requires: everything but `A–Z a–z 0–9 - _ . ~` becomes
  /// `%XY` with upper-case hex, UTF-8 byte by byte.
  ///
  /// - Parameters:
  ///   - text: The text to encode.
  ///   - encodeSlash: Whether `/` is encoded too (`false` for URI paths).
  /// - Returns: The encoded text.
  package static func uriEncode(_ text: some StringProtocol, encodeSlash: Bool = true) -> String {
    var output: [UInt8] = []
    output.reserveCapacity(text.utf8.count)
    for byte in text.utf8 {
      if isUnreserved(byte) || (!encodeSlash && byte == UInt8(ascii: "/")) {
        output.append(byte)
      } else {
        output.append(UInt8(ascii: "%"))
        output.append(hexDigitsUpper[Int(byte >> 4)])
        output.append(hexDigitsUpper[Int(byte & 0x0F)])
      }
    }
    return String(decoding: output, as: UTF8.self)
  }

  // MARK: - Canonicalisation details

  private static let unsignedHeaders: Set<String> = [
    "authorization", "user-agent", "x-amzn-trace-id", "expect", "transfer-encoding", "connection",
  ]

  private static let hexDigitsUpper = Array("0123456789ABCDEF".utf8)
  private static let hexDigitsLower = Array("0123456789abcdef".utf8)

  private static func isUnreserved(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
      UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
      UInt8(ascii: "."), UInt8(ascii: "~"):
      return true
    default:
      return false
    }
  }

  /// Trims the value and collapses runs of spaces and tabs into one space.
  private static func normalizedHeaderValue(_ value: String) -> String {
    var output: [UInt8] = []
    var pendingSpace = false
    for byte in value.utf8 {
      if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
        pendingSpace = !output.isEmpty
      } else {
        if pendingSpace { output.append(0x20) }
        pendingSpace = false
        output.append(byte)
      }
    }
    return String(decoding: output, as: UTF8.self)
  }

  /// The path with `.` and `..` segments removed, each segment URI-encoded (so an already
  /// percent-encoded path is encoded a second time, as AWS requires for every service but S3).
  private static func canonicalURI(_ path: String) -> String {
    var segments: [Substring] = []
    let raw = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
    for segment in raw {
      switch segment {
      case ".": continue
      case "..": if !segments.isEmpty { segments.removeLast() }
      default: segments.append(segment)
      }
    }
    let endsWithDirectory = path.hasSuffix("/") || path.hasSuffix("/.") || path.hasSuffix("/..")
    var encoded = "/" + segments.map { uriEncode($0) }.joined(separator: "/")
    if endsWithDirectory, !encoded.hasSuffix("/") { encoded += "/" }
    return encoded
  }

  /// The query decoded into pairs, re-encoded per RFC 3986, and sorted by key then value.
  private static func canonicalQuery(_ query: String?) -> String {
    guard let query, !query.isEmpty else { return "" }
    var pairs: [(String, String)] = []
    for item in query.split(separator: "&", omittingEmptySubsequences: true) {
      let key: Substring
      let value: Substring
      if let equals = item.firstIndex(of: "=") {
        key = item[..<equals]
        value = item[item.index(after: equals)...]
      } else {
        key = item
        value = ""
      }
      pairs.append((uriEncode(percentDecode(key)), uriEncode(percentDecode(value))))
    }
    pairs.sort { lhs, rhs in
      lhs.0 == rhs.0
        ? lhs.1.utf8.lexicographicallyPrecedes(rhs.1.utf8)
        : lhs.0.utf8.lexicographicallyPrecedes(rhs.0.utf8)
    }
    return pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
  }

  /// Decodes `%XY` escapes and `+` (as a space, like the SDKs' query parsers). Invalid escapes stay.
  static func percentDecode(_ text: some StringProtocol) -> String {
    let bytes = Array(text.utf8)
    var output: [UInt8] = []
    output.reserveCapacity(bytes.count)
    var index = 0
    while index < bytes.count {
      let byte = bytes[index]
      if byte == UInt8(ascii: "%"), index + 2 < bytes.count,
        let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
      {
        output.append(high << 4 | low)
        index += 3
      } else {
        output.append(byte == UInt8(ascii: "+") ? 0x20 : byte)
        index += 1
      }
    }
    return String(decoding: output, as: UTF8.self)
  }

  private static func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
    default: return nil
    }
  }

  private static func hex(_ bytes: some Sequence<UInt8>) -> String {
    var output: [UInt8] = []
    for byte in bytes {
      output.append(hexDigitsLower[Int(byte >> 4)])
      output.append(hexDigitsLower[Int(byte & 0x0F)])
    }
    return String(decoding: output, as: UTF8.self)
  }
}
