import RunAsCore
import Testing

@Suite("AWSServiceError from JSON bodies")
struct AWSServiceErrorJSONTests {
  private func decode(
    _ body: String, status: Int = 400, headers: [(name: String, value: String)] = []
  ) -> AWSServiceError {
    AWSServiceError(
      service: "ssm", operation: "GetParameter", statusCode: status, body: Array(body.utf8), headers: headers)
  }

  @Test("__type names the code, without its namespace")
  func typeWithNamespace() {
    let error = decode(#"{"__type":"com.amazonaws.ssm#ParameterNotFound","message":"Parameter /x not found."}"#)
    #expect(error.code == "ParameterNotFound")
    #expect(error.message == "Parameter /x not found.")
    #expect(error.type == nil)
    #expect(error.description == "ssm GetParameter failed: ParameterNotFound: Parameter /x not found. (HTTP 400)")
  }

  @Test("__type with a namespace and a URL suffix")
  func typeWithSuffix() {
    let error = decode(
      #"{"__type":"aws.protocoltests.restjson#FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/"}"#)
    #expect(error.code == "FooError")
    #expect(error.message == "")
  }

  @Test("code and Message, or Code and message, in any mix")
  func codeAndMessageSpellings() {
    let lower = decode(#"{"code":"ValidationException","Message":"1 validation error detected"}"#)
    #expect(lower.code == "ValidationException")
    #expect(lower.message == "1 validation error detected")
    let upper = decode(#"{"Code":"InvalidRequest","message":"bad"}"#)
    #expect(upper.code == "InvalidRequest")
    #expect(upper.message == "bad")
  }

  @Test("a nested Error object is read too")
  func nestedError() {
    let error = decode(#"{"Error":{"Code":"AccessDenied","Message":"no"},"RequestId":"r"}"#, status: 403)
    #expect(error.code == "AccessDenied")
    #expect(error.message == "no")
  }

  @Test("X-Amzn-ErrorType wins over the body, its URL suffix cut off")
  func headerFirst() {
    let error = decode(
      #"{"__type":"SomethingElse","message":"Function not found"}"#, status: 404,
      headers: [
        ("X-Amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.lambda/"),
        ("x-amzn-RequestId", "req-9"),
      ])
    #expect(error.code == "ResourceNotFoundException")
    #expect(error.message == "Function not found")
    #expect(error.requestID == "req-9")
  }

  @Test(
    "OAuth errors from SSO-OIDC: error is the code, error_description the message",
    arguments: ["authorization_pending", "slow_down", "expired_token", "access_denied", "invalid_grant"])
  func oauthErrors(name: String) {
    let error = decode(#"{"error":"\#(name)","error_description":"see the device page"}"#)
    #expect(error.code == name)
    #expect(error.oauthError == name)
    #expect(error.message == "see the device page")
    #expect(!error.isRetryable)
  }

  @Test("the OAuth error is kept when the header names the exception")
  func oauthErrorBesideHeader() {
    let error = decode(
      #"{"error":"authorization_pending","error_description":null}"#,
      headers: [("x-amzn-ErrorType", "AuthorizationPendingException:")])
    #expect(error.code == "AuthorizationPendingException")
    #expect(error.oauthError == "authorization_pending")
    #expect(error.message == "")
  }

  @Test("throttling named in __type is throttling and retryable; a 5xx JSON error is retryable")
  func retryable() {
    let throttled = decode(#"{"__type":"com.amazonaws.ssm#ThrottlingException","message":"Rate exceeded"}"#)
    #expect(throttled.isThrottling)
    #expect(throttled.isRetryable)
    #expect(decode(#"{"__type":"InternalServerError"}"#, status: 500).isRetryable)
    #expect(!decode(#"{"__type":"ParameterNotFound"}"#).isRetryable)
  }

  @Test("a JSON object without a code gives HTTP<status>")
  func noCode() {
    let error = decode(#"{"Message":"Missing Authentication Token"}"#, status: 403)
    #expect(error.code == "HTTP403")
    #expect(error.message == "Missing Authentication Token")
  }

  @Test("an HTML page or broken JSON still gives a code from the status and a readable message")
  func garbageBodies() {
    let html = decode("<!DOCTYPE html>\n<html><body><h1>502 Bad Gateway</h1></body></html>", status: 502)
    #expect(html.code == "HTTP502")
    #expect(html.isRetryable)
    #expect(html.message.contains("502 Bad Gateway"))

    let broken = decode(#"{"__type": "Throttl"#, status: 400)
    #expect(broken.code == "HTTP400")
    #expect(broken.message == #"{"__type": "Throttl"#)
    #expect(!broken.isRetryable)

    let text = decode("Service Unavailable", status: 503, headers: [("X-Amzn-ErrorType", "ServiceUnavailable")])
    #expect(text.code == "ServiceUnavailable")
    #expect(text.message == "Service Unavailable")
  }
}
