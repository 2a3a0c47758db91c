/// An IAM role ARN, `arn:<partition>:iam::<12-digit account>:role/<optional path/><name>`, checked
/// as IAM checks it.
///
/// Profile resolution validates every `role_arn` and `jump_role_arn` with ``problem(in:)``, which
/// allocates nothing for a valid ARN; code that needs the parts (cache names, the TUI's account
/// column) parses with ``init(parsing:)``.
public struct RoleARN: Sendable, Hashable, CustomStringConvertible {
  /// The ARN as written.
  public let description: String
  // UTF-8 offsets into `description`; a role ARN is ASCII once validated, but offsets keep any
  // text safe.
  private let partitionRange: Range<Int>
  private let accountRange: Range<Int>
  private let pathRange: Range<Int>
  private let nameRange: Range<Int>

  /// Shown as a hint after a malformed ARN.
  public static let example = "a role ARN looks like arn:aws:iam::123456789012:role/name"

  /// Parses `text`.
  ///
  /// - Throws: ``RoleARNError`` saying what is wrong, e.g. `account ID must be 12 digits, found "12"`.
  public init(parsing text: String) throws(RoleARNError) {
    var contiguous = text
    let layout = contiguous.withUTF8 { Self.layout(of: $0) }
    switch layout {
    case .success(let layout):
      description = text
      partitionRange = layout.partition
      accountRange = layout.account
      pathRange = layout.path
      nameRange = layout.name
    case .failure(let problem):
      throw RoleARNError(arn: text, problem: problem.text)
    }
  }

  /// The partition: `aws`, `aws-cn`, `aws-us-gov`…
  public var partition: String { part(partitionRange) }
  /// The 12-digit account ID.
  public var account: String { part(accountRange) }
  /// The role's path, `/` when it has none, else e.g. `/team/ops/`.
  public var path: String { pathRange.isEmpty ? "/" : "/" + part(pathRange) + "/" }
  /// The role's name, after the path.
  public var roleName: String { part(nameRange) }

  private func part(_ range: Range<Int>) -> String {
    let utf8 = description.utf8
    let start = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
    let end = utf8.index(start, offsetBy: range.count)
    return String(description[start..<end])
  }

  /// What is wrong with `arn`, or `nil` when it is a well-formed IAM role ARN.
  public static func problem(in arn: String) -> String? {
    var arn = arn
    return arn.withUTF8 { bytes in
      if case .failure(let problem) = layout(of: bytes) { return problem.text }
      return nil
    }
  }

  // MARK: - Parsing

  /// Where the parts of a valid role ARN are.
  private struct Layout {
    var partition: Range<Int>
    var account: Range<Int>
    /// The path between `role/` and the name, without its outer slashes; empty for none.
    var path: Range<Int>
    var name: Range<Int>
  }

  /// What is wrong, worded only when asked: the check itself allocates nothing.
  private struct Problem: Error {
    let text: String
  }

  private static func layout(of bytes: UnsafeBufferPointer<UInt8>) -> Result<Layout, Problem> {
    guard let parts = ARNParts.Ranges(bytes) else {
      return .failure(Problem(text: "expected 6 colon-separated parts starting with \"arn:\""))
    }
    func text(_ range: Range<Int>) -> String {
      TerminalText.excerpt(String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self), limit: 64)
    }
    func equals(_ range: Range<Int>, _ expected: StaticString) -> Bool {
      guard range.count == expected.utf8CodeUnitCount else { return false }
      let pointer = expected.utf8Start
      for (offset, position) in range.enumerated() where bytes[position] != pointer[offset] {
        return false
      }
      return true
    }
    func isLowercaseLetter(_ byte: UInt8) -> Bool {
      byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")
    }
    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    guard equals(parts.prefix, "arn") else {
      return .failure(Problem(text: "expected 6 colon-separated parts starting with \"arn:\""))
    }
    let partition = parts.partition
    let partitionIsValid =
      equals(partition, "aws")
      || (partition.count > 4 && equals(partition.lowerBound..<partition.lowerBound + 4, "aws-")
        && partition.allSatisfy { isLowercaseLetter(bytes[$0]) || bytes[$0] == UInt8(ascii: "-") })
    guard partitionIsValid else { return .failure(Problem(text: "unknown partition \"\(text(partition))\"")) }
    guard equals(parts.service, "iam") else {
      return .failure(Problem(text: "service is \"\(text(parts.service))\", a role ARN's service is \"iam\""))
    }
    guard parts.region.isEmpty else {
      return .failure(Problem(text: "a role ARN has no region, found \"\(text(parts.region))\""))
    }
    let account = parts.account
    guard account.count == 12, account.allSatisfy({ isDigit(bytes[$0]) }) else {
      return .failure(Problem(text: "account ID must be 12 digits, found \"\(text(account))\""))
    }
    let resource = parts.resource
    guard resource.count >= 5, equals(resource.lowerBound..<resource.lowerBound + 5, "role/") else {
      return .failure(Problem(text: "resource must be role/<name>, found \"\(text(resource))\""))
    }
    let pathAndName = (resource.lowerBound + 5)..<resource.upperBound
    var nameStart = pathAndName.lowerBound
    for position in pathAndName where bytes[position] == UInt8(ascii: "/") {
      nameStart = position + 1
    }
    let nameLength = pathAndName.upperBound - nameStart
    guard nameLength > 0 else { return .failure(Problem(text: "role name is empty")) }
    guard nameLength <= 64 else { return .failure(Problem(text: "role name is longer than 64 characters")) }
    let allowed = pathAndName.allSatisfy { position in
      let byte = bytes[position]
      if isLowercaseLetter(byte) || isDigit(byte) { return true }
      if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { return true }
      switch byte {
      case UInt8(ascii: "+"), UInt8(ascii: "="), UInt8(ascii: ","), UInt8(ascii: "."),
        UInt8(ascii: "@"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "/"):
        return true
      default:
        return false
      }
    }
    guard allowed else {
      return .failure(Problem(text: "role path and name may contain only letters, digits and +=,.@_-/"))
    }
    // `role/a/b/name`: the path is `a/b` (shown as `/a/b/`), without the slash before the name.
    let path = pathAndName.lowerBound..<max(pathAndName.lowerBound, nameStart - 1)
    return .success(
      Layout(partition: partition, account: account, path: path, name: nameStart..<pathAndName.upperBound))
  }
}

/// A malformed role ARN: what is wrong with it, with an example of a good one.
public struct RoleARNError: UserFacingError, Sendable, Equatable {
  /// The text that was given, as written.
  public let arn: String
  /// What is wrong, e.g. `role name is empty`.
  public let problem: String

  /// Creates the error for `arn`.
  public init(arn: String, problem: String) {
    self.arn = arn
    self.problem = problem
  }

  /// `invalid role ARN "<arn, cut and escaped>": <problem>`.
  public var message: String {
    "invalid role ARN \"\(TerminalText.excerpt(arn, limit: 100))\": \(problem)"
  }

  /// ``RoleARN/example``.
  public var hint: String? { RoleARN.example }
}

/// The six colon-separated parts of an ARN, `arn:partition:service:region:account:resource`, as
/// written (the resource keeps any further colons). The one ARN splitter: ``RoleARN`` checks its
/// parts, and readers of other ARNs (an IAM user's, a policy's resources) look at them.
package struct ARNParts: Sendable, Equatable {
  /// `arn` in any well-formed ARN.
  package let prefix: Substring
  /// `aws`, `aws-cn`…
  package let partition: Substring
  /// `iam`, `sts`…
  package let service: Substring
  /// Empty for global services such as IAM.
  package let region: Substring
  /// The account ID.
  package let account: Substring
  /// `role/path/name`, `user/alice`…
  package let resource: Substring

  /// The parts of `text`; `nil` when it has fewer than six.
  package init?(_ text: String) {
    var contiguous = text
    guard let ranges = contiguous.withUTF8({ Ranges($0) }) else { return nil }
    let utf8 = text.utf8
    func part(_ range: Range<Int>) -> Substring {
      let start = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
      return text[start..<utf8.index(start, offsetBy: range.count)]
    }
    prefix = part(ranges.prefix)
    partition = part(ranges.partition)
    service = part(ranges.service)
    region = part(ranges.region)
    account = part(ranges.account)
    resource = part(ranges.resource)
  }

  /// The byte ranges of the six parts, found without allocating.
  struct Ranges {
    let prefix: Range<Int>
    let partition: Range<Int>
    let service: Range<Int>
    let region: Range<Int>
    let account: Range<Int>
    let resource: Range<Int>

    /// The parts of the UTF-8 `bytes`; `nil` when there are fewer than five colons.
    init?(_ bytes: UnsafeBufferPointer<UInt8>) {
      var colons = (0, 0, 0, 0, 0)
      var found = 0
      var position = 0
      while position < bytes.count && found < 5 {
        if bytes[position] == UInt8(ascii: ":") {
          switch found {
          case 0: colons.0 = position
          case 1: colons.1 = position
          case 2: colons.2 = position
          case 3: colons.3 = position
          default: colons.4 = position
          }
          found += 1
        }
        position += 1
      }
      guard found == 5 else { return nil }
      prefix = 0..<colons.0
      partition = (colons.0 + 1)..<colons.1
      service = (colons.1 + 1)..<colons.2
      region = (colons.2 + 1)..<colons.3
      account = (colons.3 + 1)..<colons.4
      resource = (colons.4 + 1)..<bytes.count
    }
  }
}
