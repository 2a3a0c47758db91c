import Foundation
import Testing

@testable import RunAsCore

@Suite("SAML assertion")
struct SAMLAssertionTests {
  static func response(
    roles: [String] = [
      "arn:aws:iam::123456789012:role/admin,arn:aws:iam::123456789012:saml-provider/kc",
      "arn:aws:iam::123456789012:saml-provider/kc,arn:aws:iam::210987654321:role/reader",
    ], sessionName: String? = "alice", duration: String? = "7200", status: String = "Success",
    notOnOrAfter: String = "2030-01-01T00:05:00Z"
  ) -> String {
    let values = roles.map { "<saml:AttributeValue>\($0)</saml:AttributeValue>" }.joined()
    let name = sessionName.map {
      "<saml:Attribute Name=\"https://aws.amazon.com/SAML/Attributes/RoleSessionName\"><saml:AttributeValue>\($0)</saml:AttributeValue></saml:Attribute>"
    }
    let lifetime = duration.map {
      "<saml:Attribute Name=\"https://aws.amazon.com/SAML/Attributes/SessionDuration\"><saml:AttributeValue>\($0)</saml:AttributeValue></saml:Attribute>"
    }
    let xml = """
      <?xml version="1.0"?>
      <samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="r1" Version="2.0">
        <samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:\(status)"/></samlp:Status>
        <saml:Assertion ID="a1" IssueInstant="2030-01-01T00:00:00Z" Version="2.0">
          <saml:Subject><saml:NameID>alice</saml:NameID>
            <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
              <saml:SubjectConfirmationData NotOnOrAfter="\(notOnOrAfter)" Recipient="https://signin.aws.amazon.com/saml"/>
            </saml:SubjectConfirmation>
          </saml:Subject>
          <saml:Conditions NotBefore="2030-01-01T00:00:00Z" NotOnOrAfter="2030-01-01T00:10:00Z"/>
          <saml:AttributeStatement>
            <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role">\(values)</saml:Attribute>
            \(name ?? "")\(lifetime ?? "")
          </saml:AttributeStatement>
        </saml:Assertion>
      </samlp:Response>
      """
    return Data(xml.utf8).base64EncodedString()
  }

  @Test func rolesArePairedWithTheirProviderInEitherOrder() throws {
    let assertion = try SAMLAssertion(encoded: Self.response(), source: "idp")
    #expect(
      assertion.roles == [
        .init(
          roleARN: "arn:aws:iam::123456789012:role/admin",
          principalARN: "arn:aws:iam::123456789012:saml-provider/kc"),
        .init(
          roleARN: "arn:aws:iam::210987654321:role/reader",
          principalARN: "arn:aws:iam::123456789012:saml-provider/kc"),
      ])
    #expect(assertion.roleSessionName == "alice")
    #expect(assertion.sessionDuration == .seconds(7200))
  }

  @Test func theEarliestNotOnOrAfterLimitsItsUse() throws {
    let assertion = try SAMLAssertion(encoded: Self.response(), source: "idp")
    let limit = try #require(Timestamp.parseISO8601("2030-01-01T00:05:00Z"))
    #expect(assertion.notOnOrAfter == limit)
    #expect(assertion.isUsable(at: limit.addingTimeInterval(-60)))
    #expect(!assertion.isUsable(at: limit.addingTimeInterval(-10)))
  }

  @Test func aRoleTheAssertionDoesNotGrantIsAnErrorListingTheGrantedOnes() throws {
    let assertion = try SAMLAssertion(encoded: Self.response(), source: "idp")
    let error = #expect(throws: IdentityProviderError.self) {
      try assertion.role("arn:aws:iam::123456789012:role/other")
    }
    #expect(
      error?.message
        == "the SAML assertion does not grant role arn:aws:iam::123456789012:role/other; it grants: "
        + "arn:aws:iam::123456789012:role/admin, arn:aws:iam::210987654321:role/reader")
  }

  @Test func whitespaceInTheBase64IsIgnored() throws {
    let encoded = Self.response()
    let wrapped = stride(from: 0, to: encoded.count, by: 76).map { offset in
      String(encoded.dropFirst(offset).prefix(76))
    }.joined(separator: "\r\n")
    #expect(try SAMLAssertion(encoded: wrapped, source: "idp").encoded == encoded)
  }

  @Test(arguments: [
    ("not base64!", "the SAMLResponse from idp is not base64"),
    (Data("<html/>".utf8).base64EncodedString(), "the SAMLResponse from idp is a <html>, not a <Response>"),
  ])
  func whatIsNotASAMLResponseIsOneClearError(_ encoded: String, message: String) {
    let error = #expect(throws: IdentityProviderError.self) { try SAMLAssertion(encoded: encoded, source: "idp") }
    #expect(error?.message == message)
  }

  @Test func aFailedStatusNamesTheStatus() {
    let error = #expect(throws: IdentityProviderError.self) {
      try SAMLAssertion(encoded: Self.response(status: "Responder"), source: "idp")
    }
    #expect(error?.message == "idp answered with SAML status Responder")
  }
}
