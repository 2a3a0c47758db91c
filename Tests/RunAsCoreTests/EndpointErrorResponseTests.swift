import Foundation
import Testing

@testable import RunAsCore

/// The HTTP status every credential endpoint answers a failed credential request with.
@Suite("Endpoint error responses")
struct EndpointErrorResponseTests {
  struct Failing: CredentialProvider {
    let error: any Error & Sendable
    func credentials(validFor margin: Duration) async throws -> AWSCredentials { throw error }
    func cachedCredentials(validFor margin: Duration) -> AWSCredentials? { nil }
    var cacheFile: CredentialCacheFile? { nil }
  }

  static let unreachable = AWSTransportError(
    service: "sts", operation: "AssumeRole", url: "http://127.0.0.1:9", kind: .connectionRefused,
    detail: "connection refused", attempts: 3)

  static let cases: [(error: any Error & Sendable, status: Int)] = [
    (unreachable, 502),
    (HTTPTransportError(kind: .timedOut, detail: "no response within 30 s"), 502),
    (
      AWSServiceError(service: "sts", operation: "AssumeRole", statusCode: 403, code: "AccessDenied", message: "no"),
      502
    ),
    (ProfileError(message: "profile \"x\" not found"), 404),
    (NoActiveProfile(), 404),
    (PromptUnavailable(message: "an MFA code is needed"), 401),
    (CredentialError(message: "something else"), 500),
  ]

  @Test(arguments: 0..<cases.count)
  func statusSaysWhoseFaultItIs(_ index: Int) {
    let (error, status) = Self.cases[index]
    #expect(EndpointErrorResponse.response(for: error).status == status, "\(type(of: error))")
  }

  @Test func anUnreachableSTSIsABadGatewayForTheWrappedCommand() async {
    let source = RefreshingCredentials(
      quietProvider: Failing(error: Self.unreachable), interactiveProvider: Failing(error: Self.unreachable),
      initial: nil)
    let handler = ContainerCredentialHandler(token: "t", source: source)
    let response = await handler.respond(
      to: EndpointRequest(method: "GET", path: "/credentials", headers: [("Authorization", "t")]))
    #expect(response.status == 502)
    #expect(String(decoding: response.body, as: UTF8.self).hasPrefix("cannot reach AWS: "))
  }
}
