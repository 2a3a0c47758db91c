import Foundation
import RunAsCore
import Testing

/// Vectors from AWS's published aws-sig-v4-test-suite (as shipped in the AWS SDKs and aws-c-auth)
/// and from the "Signature Version 4 signing process" documentation (IAM ListUsers). The expected
/// signatures were also recomputed independently with Python's hmac/hashlib.
@Suite("SigV4Signer")
struct SigV4SignerTests {
  static let suiteCredentials = AWSCredentials(
    accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
  /// 2015-08-30T12:36:00Z
  static let suiteDate = Date(timeIntervalSince1970: 1_440_938_160)
  static let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
  static let suiteSigner = SigV4Signer(credentials: suiteCredentials, region: "us-east-1", service: "service")

  @Test("get-vanilla")
  func getVanilla() {
    var request = HTTPRequestData(method: "GET", url: "https://example.amazonaws.com/")
    Self.suiteSigner.sign(&request, at: Self.suiteDate)
    #expect(
      request.header("Authorization")
        == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        + "SignedHeaders=host;x-amz-date, "
        + "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    #expect(request.header("Host") == "example.amazonaws.com")
    #expect(request.header("X-Amz-Date") == "20150830T123600Z")
    #expect(request.header("X-Amz-Security-Token") == nil)
  }

  @Test("get-vanilla canonical request and string to sign")
  func getVanillaIntermediates() {
    var request = HTTPRequestData(method: "GET", url: "https://example.amazonaws.com/")
    request.headers = [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")]
    let canonical = Self.suiteSigner.canonicalRequest(for: request, payloadHash: Self.emptyHash)
    #expect(
      canonical.text
        == "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
        + Self.emptyHash)
    #expect(
      Self.suiteSigner.stringToSign(canonicalRequest: canonical.text, at: Self.suiteDate)
        == "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
        + "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63")
  }

  @Test("get-vanilla-query-order-key-case sorts the query")
  func sortsQuery() {
    var request = HTTPRequestData(
      method: "GET", url: "https://example.amazonaws.com/?Param2=value2&Param1=value1")
    Self.suiteSigner.sign(&request, at: Self.suiteDate)
    #expect(
      request.header("Authorization")?.hasSuffix(
        "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500") == true)
  }

  @Test("post-x-www-form-urlencoded")
  func postFormURLEncoded() {
    var request = HTTPRequestData(
      method: "POST", url: "https://example.amazonaws.com/",
      headers: [("Content-Type", "application/x-www-form-urlencoded")],
      body: Array("Param1=value1".utf8))
    Self.suiteSigner.sign(&request, at: Self.suiteDate)
    #expect(
      request.header("Authorization")
        == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        + "SignedHeaders=content-type;host;x-amz-date, "
        + "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a")
  }

  @Test("post-x-www-form-urlencoded with a signed payload header (aws-c-auth variant)")
  func postFormURLEncodedSignedBody() {
    let bodyHash = "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"
    var request = HTTPRequestData(
      method: "POST", url: "https://example.amazonaws.com/",
      headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Content-Length", "13")],
      body: Array("Param1=value1".utf8))
    Self.suiteSigner.sign(&request, at: Self.suiteDate, addContentSHA256Header: true)
    #expect(request.header("X-Amz-Content-Sha256") == bodyHash)
    let canonical = Self.suiteSigner.canonicalRequest(for: request, payloadHash: bodyHash)
    #expect(
      canonical.text
        == "POST\n/\n\ncontent-length:13\ncontent-type:application/x-www-form-urlencoded\n"
        + "host:example.amazonaws.com\nx-amz-content-sha256:\(bodyHash)\nx-amz-date:20150830T123600Z\n\n"
        + "content-length;content-type;host;x-amz-content-sha256;x-amz-date\n\(bodyHash)")
    #expect(
      Self.suiteSigner.stringToSign(canonicalRequest: canonical.text, at: Self.suiteDate)
        .hasSuffix("\nb1edd1d03544c25390e32085d55b57acc9a3961bb59415ff86c45c3d89d16cfb"))
    #expect(
      request.header("Authorization")?.hasSuffix(
        "Signature=d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b") == true)
  }

  @Test("IAM ListUsers example from the AWS documentation")
  func iamListUsersDocumentationExample() {
    let signer = SigV4Signer(credentials: Self.suiteCredentials, region: "us-east-1", service: "iam")
    var request = HTTPRequestData(
      method: "GET", url: "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08",
      headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")])
    signer.sign(&request, at: Self.suiteDate)
    let canonical = signer.canonicalRequest(for: request, payloadHash: Self.emptyHash)
    #expect(
      canonical.text
        == "GET\n/\nAction=ListUsers&Version=2010-05-08\n"
        + "content-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\n"
        + "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n" + Self.emptyHash)
    #expect(
      signer.stringToSign(canonicalRequest: canonical.text, at: Self.suiteDate)
        == "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n"
        + "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59")
    #expect(
      request.header("Authorization")
        == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
        + "SignedHeaders=content-type;host;x-amz-date, "
        + "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
  }

  @Test("the documented string to sign gives the documented signature (key derivation)")
  func keyDerivation() {
    let signer = SigV4Signer(credentials: Self.suiteCredentials, region: "us-east-1", service: "iam")
    let stringToSign =
      "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n"
      + "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59"
    #expect(
      signer.signature(stringToSign: stringToSign, at: Self.suiteDate)
        == "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
  }

  @Test("a session token is sent and signed")
  func sessionTokenIsSigned() {
    var credentials = Self.suiteCredentials
    credentials.sessionToken = "FQoGZXIvYXdzEXAMPLE"
    let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "sts")
    var request = HTTPRequestData(method: "POST", url: "https://sts.amazonaws.com/")
    signer.sign(&request, at: Self.suiteDate)
    #expect(request.header("X-Amz-Security-Token") == "FQoGZXIvYXdzEXAMPLE")
    #expect(
      request.header("Authorization")?.contains(
        "SignedHeaders=host;x-amz-date;x-amz-security-token,") == true)
  }

  @Test("a non-default port is part of the signed Host header")
  func hostWithPort() {
    var request = HTTPRequestData(method: "POST", url: "http://127.0.0.1:5000/")
    Self.suiteSigner.sign(&request, at: Self.suiteDate)
    #expect(request.header("Host") == "127.0.0.1:5000")
    var https = HTTPRequestData(method: "POST", url: "https://example.amazonaws.com:443/")
    Self.suiteSigner.sign(&https, at: Self.suiteDate)
    #expect(https.header("Host") == "example.amazonaws.com")
  }

  @Test("signing twice replaces the previous signature")
  func resigningReplaces() {
    var request = HTTPRequestData(method: "GET", url: "https://example.amazonaws.com/")
    Self.suiteSigner.sign(&request, at: Self.suiteDate.addingTimeInterval(-3600))
    Self.suiteSigner.sign(&request, at: Self.suiteDate)
    #expect(request.headers.filter { $0.name == "Authorization" }.count == 1)
    #expect(request.headers.filter { $0.name == "X-Amz-Date" }.count == 1)
    #expect(
      request.header("Authorization")?.hasSuffix(
        "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31") == true)
  }

  @Test("User-Agent is not signed, so proxies may change it")
  func userAgentUnsigned() {
    var request = HTTPRequestData(
      method: "GET", url: "https://example.amazonaws.com/", headers: [("User-Agent", "aws-runas/1")])
    Self.suiteSigner.sign(&request, at: Self.suiteDate)
    #expect(request.header("Authorization")?.contains("SignedHeaders=host;x-amz-date,") == true)
  }

  @Test("header values are trimmed and inner whitespace collapsed")
  func headerValueNormalisation() {
    let request = HTTPRequestData(
      method: "GET", url: "https://example.amazonaws.com/",
      headers: [
        ("Host", "example.amazonaws.com"), ("My-Header1", "  value1   with  spaces "),
        ("X-Amz-Date", "20150830T123600Z"),
      ])
    let canonical = Self.suiteSigner.canonicalRequest(for: request, payloadHash: Self.emptyHash)
    #expect(canonical.text.contains("\nmy-header1:value1 with spaces\n"))
    #expect(canonical.signedHeaders == "host;my-header1;x-amz-date")
  }

  @Test("URI encoding follows RFC 3986 with upper-case hex")
  func uriEncoding() {
    #expect(SigV4Signer.uriEncode("AZaz09-_.~") == "AZaz09-_.~")
    #expect(SigV4Signer.uriEncode("a b+c=d&e/f*") == "a%20b%2Bc%3Dd%26e%2Ff%2A")
    #expect(SigV4Signer.uriEncode("a/b", encodeSlash: false) == "a/b")
    #expect(SigV4Signer.uriEncode("ሴ") == "%E1%88%B4")
  }

  @Test("hex SHA-256 of the empty payload")
  func emptyPayloadHash() {
    #expect(SigV4Signer.hexSHA256([]) == Self.emptyHash)
  }
}
