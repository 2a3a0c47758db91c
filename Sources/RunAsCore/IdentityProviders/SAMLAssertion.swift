#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The SAML response an identity provider posts to AWS, read as AWS reads it
/// (identity-providers.md §6.1): the roles it offers, the session name and duration, and how long
/// it may be used.
///
/// The signature is not checked here: STS checks it against the provider's metadata, and the
/// response only ever goes to STS.
package struct SAMLAssertion: Sendable, Equatable {
  /// One `Role` attribute value: a role and the SAML provider that may assume it.
  package struct RoleChoice: Sendable, Equatable {
    /// `arn:aws:iam::<account>:role/<name>`.
    package var roleARN: String
    /// `arn:aws:iam::<account>:saml-provider/<name>`.
    package var principalARN: String
  }

  /// The base64 text of the response, as posted by the provider and as STS takes it.
  package let encoded: String
  /// The roles of the `https://aws.amazon.com/SAML/Attributes/Role` attribute, in order.
  package let roles: [RoleChoice]
  /// The `RoleSessionName` attribute, if any.
  package let roleSessionName: String?
  /// The `SessionDuration` attribute, if any.
  package let sessionDuration: Duration?
  /// The assertion's `IssueInstant`.
  package let issueInstant: Date?
  /// The earliest `NotOnOrAfter` of the subject confirmation and the conditions.
  package let notOnOrAfter: Date?

  /// How long an assertion without `NotOnOrAfter` counts as usable after it was issued (the Go
  /// tool's rule).
  static let lifetimeWithoutExpiry: TimeInterval = 240

  private static let attributePrefix = "https://aws.amazon.com/SAML/Attributes/"

  /// Reads a base64-encoded `<samlp:Response>`.
  ///
  /// - Parameters:
  ///   - encoded: The `SAMLResponse` form value.
  ///   - source: Where it came from (the provider's URL, without its query), for messages.
  /// - Throws: ``IdentityProviderError`` when it is not base64, not XML, not a successful
  ///   response, or has no assertion.
  package init(encoded: String, source: String) throws(IdentityProviderError) {
    let compact = encoded.filter { !$0.isWhitespace }
    guard let bytes = Data(base64Encoded: compact), !bytes.isEmpty else {
      throw IdentityProviderError(message: "the SAMLResponse from \(source) is not base64")
    }
    let root: XMLElement
    do {
      root = try XMLTree.parse([UInt8](bytes))
    } catch {
      throw IdentityProviderError(message: "the SAMLResponse from \(source) is not well-formed XML: \(error)")
    }
    guard root.name == "Response" else {
      throw IdentityProviderError(message: "the SAMLResponse from \(source) is a <\(root.name)>, not a <Response>")
    }
    if let status = root.child("Status")?.child("StatusCode")?.attributes["Value"],
      !status.hasSuffix(":Success")
    {
      let detail = root.child("Status")?.childText("StatusMessage").map { ": \($0)" } ?? ""
      throw IdentityProviderError(
        message: "\(source) answered with SAML status \(status.split(separator: ":").last ?? "")\(detail)")
    }
    guard let assertion = root.child("Assertion") else {
      let hint = root.child("EncryptedAssertion") == nil ? nil : "AWS sign-in needs an unencrypted assertion here"
      throw IdentityProviderError(message: "the SAMLResponse from \(source) holds no assertion", hint: hint)
    }
    var roles: [RoleChoice] = []
    var sessionName: String?
    var duration: Duration?
    for attribute in assertion.child("AttributeStatement")?.children(named: "Attribute") ?? [] {
      let values = attribute.children(named: "AttributeValue").map { XMLTree.trimmingXMLWhitespace($0.text) }
      switch attribute.attributes["Name"] {
      case Self.attributePrefix + "Role":
        roles += values.compactMap(Self.roleChoice)
      case Self.attributePrefix + "RoleSessionName":
        sessionName = values.first.flatMap { $0.isEmpty ? nil : $0 }
      case Self.attributePrefix + "SessionDuration":
        duration = values.first.flatMap { Int($0) }.map { .seconds($0) }
      default:
        continue
      }
    }
    let confirmation =
      assertion.child("Subject")?.children(named: "SubjectConfirmation")
      .compactMap { $0.child("SubjectConfirmationData")?.attributes["NotOnOrAfter"] } ?? []
    let limits = (confirmation + [assertion.child("Conditions")?.attributes["NotOnOrAfter"]].compactMap { $0 })
      .compactMap(Timestamp.parseISO8601)
    self.encoded = compact
    self.roles = roles
    self.roleSessionName = sessionName
    self.sessionDuration = duration
    self.issueInstant = assertion.attributes["IssueInstant"].flatMap(Timestamp.parseISO8601)
    self.notOnOrAfter = limits.min()
  }

  /// `role,principal` in either order (AWS accepts both), spaces ignored.
  static func roleChoice(_ value: String) -> RoleChoice? {
    let parts = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    guard parts.count == 2 else { return nil }
    func isRole(_ arn: String) -> Bool { arn.hasPrefix("arn:") && arn.contains(":role/") }
    func isProvider(_ arn: String) -> Bool { arn.hasPrefix("arn:") && arn.contains(":saml-provider/") }
    if isRole(parts[0]), isProvider(parts[1]) { return RoleChoice(roleARN: parts[0], principalARN: parts[1]) }
    if isRole(parts[1]), isProvider(parts[0]) { return RoleChoice(roleARN: parts[1], principalARN: parts[0]) }
    return nil
  }

  /// When the assertion stops being usable: its `NotOnOrAfter`, else four minutes after it was
  /// issued; `nil` when it says neither.
  package var usableUntil: Date? {
    notOnOrAfter ?? issueInstant.map { $0.addingTimeInterval(Self.lifetimeWithoutExpiry) }
  }

  /// Whether the assertion can still be sent to STS at `now`, with `margin` to spare.
  package func isUsable(at now: Date, margin: TimeInterval = 30) -> Bool {
    guard let usableUntil else { return true }
    return now.addingTimeInterval(margin) < usableUntil
  }

  /// The role `roleARN` as the assertion offers it.
  ///
  /// - Throws: ``IdentityProviderError`` listing the roles the assertion does offer.
  package func role(_ roleARN: String) throws(IdentityProviderError) -> RoleChoice {
    if let match = roles.first(where: { $0.roleARN == roleARN }) { return match }
    let offered = roles.isEmpty ? "none" : roles.map(\.roleARN).sorted().joined(separator: ", ")
    throw IdentityProviderError(
      message: "the SAML assertion does not grant role \(roleARN); it grants: \(offered)",
      hint: "set role_arn to one of these, or ask the identity provider's administrators for access")
  }
}
