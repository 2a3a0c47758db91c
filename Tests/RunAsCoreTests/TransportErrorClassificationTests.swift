import AsyncHTTPClient
import Testing

@testable import RunAsCore

/// AsyncHTTPClient's errors in the words users read.
@Suite("Transport error classification")
struct TransportErrorClassificationTests {
  @Test func aBusyConnectionPoolIsNotCalledASilentServer() {
    let error = AsyncHTTPClientTransport.classify(HTTPClientError.getConnectionFromPoolTimeout, timeout: .seconds(20))
    #expect(error.kind == .timedOut)
    #expect(error.detail == "no free connection to the server (too many calls to it at once)")
  }

  @Test func aReadTimeoutSaysNoCompleteResponse() {
    let error = AsyncHTTPClientTransport.classify(HTTPClientError.readTimeout, timeout: .seconds(20))
    #expect(error.detail == "no complete response within 20 s")
  }

  @Test func aConnectTimeoutNamesTheConnection() {
    let error = AsyncHTTPClientTransport.classify(HTTPClientError.connectTimeout, timeout: .seconds(20))
    #expect(error.detail.hasPrefix("connection not established within"))
  }
}
