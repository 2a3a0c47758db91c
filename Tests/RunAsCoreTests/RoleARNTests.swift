import Testing

@testable import RunAsCore

@Suite("Role ARNs")
struct RoleARNTests {
  @Test func aRoleARNWithoutPathHasPathSlash() throws {
    let role = try RoleARN(parsing: "arn:aws:iam::123456789012:role/admin")
    #expect(role.partition == "aws")
    #expect(role.account == "123456789012")
    #expect(role.path == "/")
    #expect(role.roleName == "admin")
    #expect(role.description == "arn:aws:iam::123456789012:role/admin")
  }

  @Test func aRoleARNWithPathSplitsPathAndName() throws {
    let role = try RoleARN(parsing: "arn:aws-us-gov:iam::210987654321:role/team/ops/Name+=,.@_-")
    #expect(role.partition == "aws-us-gov")
    #expect(role.account == "210987654321")
    #expect(role.path == "/team/ops/")
    #expect(role.roleName == "Name+=,.@_-")
  }

  @Test(arguments: [
    "arn:aws:iam::123456789012:user/bob", "arn:aws:iam:us-east-1:123456789012:role/x",
    "arn:azure:iam::123456789012:role/x", "arn:aws:iam::123456789012:role/", "arn:aws:iam::12:role/x",
    "arn:aws:sts::123456789012:role/x", "my-role", "arn:aws:iam::123456789012:role/a b",
  ])
  func aMalformedARNThrowsTheValidationProblem(_ text: String) throws {
    let problem = try #require(RoleARN.problem(in: text))
    #expect(throws: RoleARNError(arn: text, problem: problem)) { try RoleARN(parsing: text) }
  }

  @Test func theErrorQuotesTheARNAndHintsAtTheShape() {
    let error = RoleARNError(arn: "arn:aws:iam::123456789012:rol/x", problem: "resource must be role/<name>")
    #expect(error.message == "invalid role ARN \"arn:aws:iam::123456789012:rol/x\": resource must be role/<name>")
    #expect(error.hint == "a role ARN looks like arn:aws:iam::123456789012:role/name")
  }

  @Test func aNameOfSixtyFiveCharactersIsTooLong() {
    let arn = "arn:aws:iam::123456789012:role/" + String(repeating: "n", count: 65)
    #expect(RoleARN.problem(in: arn) == "role name is longer than 64 characters")
    #expect(RoleARN.problem(in: String(arn.dropLast())) == nil)
  }

  @Test func arnPartsKeepColonsInTheResource() throws {
    let parts = try #require(ARNParts("arn:aws:sts::123456789012:assumed-role/r/s:extra"))
    #expect(parts.prefix == "arn")
    #expect(parts.partition == "aws")
    #expect(parts.service == "sts")
    #expect(parts.region == "")
    #expect(parts.account == "123456789012")
    #expect(parts.resource == "assumed-role/r/s:extra")
    #expect(ARNParts("arn:aws:iam::123456789012") == nil)
  }

  @Test func policiesNameRolesLoosely() {
    // Policy resources may hold wildcards; they are collected, and `printable` leaves them out.
    #expect(AssumableRoles.isRoleARN("arn:aws:iam::*:role/x"))
    #expect(AssumableRoles.isRoleARN("arn:aws:iam::123456789012:role/*"))
    #expect(!AssumableRoles.isRoleARN("arn:aws:iam::123456789012:user/x"))
    #expect(!AssumableRoles.isRoleARN("arn:aws:iam::role/x"))
  }
}
