import Foundation
import TestSupport
import Testing

@testable import RunAsCore

/// One deadline per AWS call, whatever the server does: never answer, answer slowly, or fail in a
/// way worth retrying.
@Suite("Call deadlines")
struct CallDeadlineTests {
  /// Never answers; counts the requests it was given.
  actor SilentTransport: HTTPTransport {
    private(set) var requests = 0
    func send(_ request: HTTPRequestData) async throws -> HTTPResponseData {
      requests += 1
      try await Task.sleep(for: .seconds(3600))
      throw HTTPTransportError(kind: .other, detail: "woke up")
    }
  }

  /// Answers every request with `status` at once.
  actor FailingTransport: HTTPTransport {
    let status: Int
    private(set) var requests = 0
    init(status: Int) { self.status = status }
    func send(_ request: HTTPRequestData) async throws -> HTTPResponseData {
      requests += 1
      return HTTPResponseData(status: status, body: Array("<ErrorResponse/>".utf8))
    }
  }

  func client(_ transport: any HTTPTransport, policy: AWSRetryPolicy) -> AWSQueryClient {
    AWSQueryClient(
      endpoint: ServiceEndpoint(url: "http://127.0.0.1:9", signingRegion: "us-east-1", service: "sts"),
      apiVersion: STSClient.apiVersion, credentials: nil, transport: transport, retryPolicy: policy)
  }

  @Test func aServerThatNeverAnswersEndsTheCallAtItsDeadline() async throws {
    let transport = SilentTransport()
    let policy = AWSRetryPolicy(maxAttempts: 3, timeout: .milliseconds(100))
    do {
      _ = try await client(transport, policy: policy).call("GetCallerIdentity")
      Issue.record("expected a timeout")
    } catch let error as AWSTransportError {
      #expect(error.kind == .timedOut)
      #expect(error.description.contains("no complete answer within 0.1 s"), "\(error)")
      #expect(error.hint?.contains("AWS_RUNAS_CALL_TIMEOUT") == true)
    }
    // The deadline is for the whole call: no attempt starts after it.
    #expect(await transport.requests == 1)
  }

  @Test func aRetryThatCouldNotStartBeforeTheDeadlineIsNotWaitedFor() async throws {
    let transport = FailingTransport(status: 503)
    var client = client(
      transport,
      policy: AWSRetryPolicy(
        maxAttempts: 3, baseDelay: .seconds(7200), maximumDelay: .seconds(7200), timeout: .seconds(3600)))
    client.random = { 0.99 }
    client.sleep = { _ in Issue.record("slept although the backoff outlasts the deadline") }
    await #expect(throws: AWSServiceError.self) { try await client.call("GetCallerIdentity") }
    #expect(await transport.requests == 1)
  }

  @Test func retriesStillHappenWithinTheDeadline() async throws {
    let transport = FailingTransport(status: 503)
    var client = client(transport, policy: AWSRetryPolicy(maxAttempts: 3, timeout: .seconds(86_000)))
    client.sleep = { _ in }
    await #expect(throws: AWSServiceError.self) { try await client.call("GetCallerIdentity") }
    #expect(await transport.requests == 3)
  }

  @Test func theCallTimeoutComesFromTheEnvironment() {
    #expect(AWSRetryPolicy(environment: ["AWS_RUNAS_CALL_TIMEOUT": "2.5"]).timeout == .milliseconds(2500))
    #expect(AWSRetryPolicy(environment: ["AWS_RUNAS_CALL_TIMEOUT": "0"]).timeout == .seconds(30))
    #expect(AWSRetryPolicy(environment: ["AWS_RUNAS_CALL_TIMEOUT": "soon"]).timeout == .seconds(30))
    #expect(AWSRetryPolicy(environment: [:]).timeout == .seconds(30))
  }

  @Test func aBodySentOneByteAtATimeDoesNotOutlastTheTransportTimeout() async throws {
    let server = try DribblingServer()
    defer { server.stop() }
    let transport = AsyncHTTPClientTransport(totalTimeout: .milliseconds(500))
    do {
      _ = try await transport.send(HTTPRequestData(method: "GET", url: "http://127.0.0.1:\(server.port)/"))
      Issue.record("expected a timeout")
    } catch let error as HTTPTransportError {
      #expect(error.kind == .timedOut, "\(error)")
    }
    #expect(server.sentBodyBytes > 0, "the body had started")
  }
}
