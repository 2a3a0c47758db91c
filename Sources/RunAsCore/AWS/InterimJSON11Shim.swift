// INTERIM (branch ssm-ecr): a minimal stand-in for the JSON 1.1 codec of branch seams-a
// (`AWSJSONClient`, `AWSRequestExecutor`, `AWSJSONResponse`, `JSONValue`), with the same names and
// the subset of their API that SSMClient, ECRClient and EC2InstanceConnectClient use. Delete this
// file when seams-a is merged; nothing else changes. No retries here, and JSON errors are decoded
// locally instead of by AWSServiceError.

import Logging

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Signs and sends requests to one endpoint (interim; see the file's header).
public struct AWSRequestExecutor: Sendable {
  /// The endpoint, signing region and signing name.
  public var endpoint: ServiceEndpoint
  /// The signing credentials.
  public var credentials: AWSCredentials?
  /// Sends the requests.
  public var transport: any HTTPTransport
  /// The retry policy (only its timeout is used here).
  public var retryPolicy: AWSRetryPolicy
  /// Receives one debug line per request.
  public var logger: Logger

  /// Creates an executor.
  public init(
    endpoint: ServiceEndpoint, credentials: AWSCredentials?, transport: any HTTPTransport = AsyncHTTPClientTransport(),
    retryPolicy: AWSRetryPolicy = .standard,
    logger: Logger = Logger(label: "aws-runas.aws", factory: { _ in SwiftLogNoOpLogHandler() })
  ) {
    self.endpoint = endpoint
    self.credentials = credentials
    self.transport = transport
    self.retryPolicy = retryPolicy
    self.logger = logger
  }
}

/// A JSON 1.1 client (interim; see the file's header).
public struct AWSJSONClient: Sendable {
  /// Signs and sends.
  public var executor: AWSRequestExecutor
  /// The first half of `X-Amz-Target`.
  public var targetPrefix: String

  /// Creates a client.
  public init(executor: AWSRequestExecutor, targetPrefix: String) {
    self.executor = executor
    self.targetPrefix = targetPrefix
  }

  /// Calls `operation` with `input` and decodes the answer.
  public func call(_ operation: String, input: JSONValue = [:]) async throws -> AWSJSONResponse {
    let endpoint = executor.endpoint
    var request = HTTPRequestData(
      method: "POST", url: endpoint.url,
      headers: [
        ("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "\(targetPrefix).\(operation)"),
        ("User-Agent", "aws-runas/\(RunAsCore.version)"),
      ],
      body: Array(input.serialized.utf8))
    if let credentials = executor.credentials {
      SigV4Signer(credentials: credentials, region: endpoint.signingRegion, service: endpoint.service)
        .sign(&request, at: Date())
    }
    executor.logger.debug("AWS request", metadata: ["service": "\(endpoint.service)", "action": "\(operation)"])
    let transport = executor.transport
    let outgoing = request
    let response: HTTPResponseData
    do {
      response = try await withTimeout(executor.retryPolicy.timeout) { try await transport.send(outgoing) }
    } catch let error as CancellationError {
      throw error
    } catch {
      let classified = AsyncHTTPClientTransport.classify(error, timeout: .zero)
      throw AWSTransportError(
        service: endpoint.service, operation: operation, url: endpoint.url, kind: classified.kind,
        detail: classified.detail, attempts: 1)
    }
    let body = (try? JSONDecoder().decode(JSONValue.self, from: Data(response.body))) ?? .object([:])
    guard (200...299).contains(response.status) else {
      let type = body["__type"]?.stringValue ?? response.header("x-amzn-errortype") ?? "HTTP\(response.status)"
      let code = String(type.split(separator: "#").last ?? Substring(type)).split(separator: ":").first.map(String.init)
      throw AWSServiceError(
        service: endpoint.service, operation: operation, statusCode: response.status, code: code ?? type,
        message: body["message"]?.stringValue ?? body["Message"]?.stringValue ?? "",
        requestID: response.header("x-amzn-RequestId"))
    }
    return AWSJSONResponse(body: body)
  }
}

/// A decoded JSON 1.1 answer (interim; see the file's header).
public struct AWSJSONResponse: Sendable {
  /// The body.
  public var body: JSONValue
}

/// A JSON value (interim; see the file's header).
public enum JSONValue: Sendable, Equatable, Decodable, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
  ExpressibleByDictionaryLiteral
{
  /// `null`.
  case null
  /// `true` or `false`.
  case bool(Bool)
  /// A number.
  case number(Double)
  /// A string.
  case string(String)
  /// An array.
  case array([JSONValue])
  /// An object.
  case object([String: JSONValue])

  /// A string literal.
  public init(stringLiteral value: String) { self = .string(value) }
  /// An array literal.
  public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
  /// A dictionary literal.
  public init(dictionaryLiteral elements: (String, JSONValue)...) {
    self = .object(Dictionary(elements, uniquingKeysWith: { $1 }))
  }

  /// Decodes any JSON value.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let value = try? container.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? container.decode(Double.self) {
      self = .number(value)
    } else if let value = try? container.decode(String.self) {
      self = .string(value)
    } else if let value = try? container.decode([JSONValue].self) {
      self = .array(value)
    } else {
      self = .object(try container.decode([String: JSONValue].self))
    }
  }

  /// The member `key` of an object.
  public subscript(key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members[key]
  }

  /// The text of a string.
  public var stringValue: String? {
    guard case .string(let text) = self else { return nil }
    return text
  }

  /// A Boolean.
  public var boolValue: Bool? {
    guard case .bool(let value) = self else { return nil }
    return value
  }

  /// The elements of an array.
  public var arrayValue: [JSONValue]? {
    guard case .array(let elements) = self else { return nil }
    return elements
  }

  /// Compact JSON text, object keys sorted.
  public var serialized: String {
    switch self {
    case .null: return "null"
    case .bool(let value): return value ? "true" : "false"
    case .number(let value): return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    case .string(let text):
      var result = ""
      JSONObjectWriter.appendQuoted(text, to: &result)
      return result
    case .array(let elements): return "[" + elements.map(\.serialized).joined(separator: ",") + "]"
    case .object(let members):
      return "{"
        + members.keys.sorted().map { key in
          var result = ""
          JSONObjectWriter.appendQuoted(key, to: &result)
          return result + ":" + (members[key] ?? .null).serialized
        }.joined(separator: ",") + "}"
    }
  }
}
