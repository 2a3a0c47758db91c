#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes credentials into the AWS credentials file as `[<profile>-awsrunas]` (`-c`, spec §3.6).
///
/// Only that section changes: its key lines are replaced (its comments stay), and every other
/// byte of the file, other sections, comments and alignment included, is kept. The file is read,
/// edited and replaced (temporary file, rename, mode 0600) under an exclusive lock on
/// `<file>.lock`, so parallel runs never lose each other's sections. A symbolic link is followed
/// and the file it points to is replaced.
public struct CredentialsFileWriter: Sendable {
  /// The credentials file, as configured (`AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`).
  public let path: String

  /// Creates a writer for the file at `path`.
  public init(path: String) {
    self.path = path
  }

  /// The section name for `profileName`: `<profile>-awsrunas`.
  public static func sectionName(for profileName: String) -> String {
    profileName + "-awsrunas"
  }

  /// Writes `credentials` under `[section]`.
  ///
  /// - Returns: The path of the file written (the symbolic link's target when `path` is a link).
  /// - Throws: ``CredentialError`` for an unusable section name; ``POSIXFile/Failure`` or
  ///   ``FileLock/Failure`` when the file cannot be read, locked or replaced.
  @discardableResult
  public func write(_ credentials: AWSCredentials, section: String) async throws -> String {
    guard !section.isEmpty, !section.contains(where: { $0 == "]" || $0 == "[" || $0.isNewline }) else {
      throw CredentialError(message: "cannot write credentials under the section name \"\(section)\"")
    }
    let target = Self.resolvingSymbolicLinks(path)
    try POSIXFile.makeDirectories(POSIXFile.directoryName(target), mode: 0o750)
    var entries = [
      ("aws_access_key_id", credentials.accessKeyID), ("aws_secret_access_key", credentials.secretAccessKey),
    ]
    if let token = credentials.sessionToken, !token.isEmpty { entries.append(("aws_session_token", token)) }
    try await FileLock(protecting: target).withLock {
      let text = try POSIXFile.readText(target) ?? ""
      let updated = Self.replacingSection(section, with: entries, in: text)
      try POSIXFile.writeAtomically(Array(updated.utf8), to: target, mode: 0o600)
    }
    return target
  }

  /// `text` with the keys of `[section]` replaced by `entries`, or the section appended.
  ///
  /// Lines and section headers are found with the grammar ``INIFile`` reads the file with (lines
  /// end at `\n`; a header's name runs to its last `]`, trimmed, blanks collapsed), so the
  /// section replaced is the one the reader would find under `section`. Lines outside it are
  /// returned unchanged, byte for byte; inside it, comment and blank lines stay and key lines are
  /// replaced.
  public static func replacingSection(
    _ section: String, with entries: [(key: String, value: String)], in text: String
  ) -> String {
    let newKeys = entries.map { "\($0.key) = \($0.value)\n" }.joined()
    var lines = splitLines(text)
    func sectionName(ofLineAt index: Int) -> String? {
      INISectionHeader.sectionName(ofLine: lines[index], atStartOfFile: index == 0)
    }
    let wanted = INISectionHeader.normalised(section)
    guard let header = lines.indices.first(where: { sectionName(ofLineAt: $0) == wanted }) else {
      var result = text
      if !result.isEmpty && !result.hasSuffix("\n") { result += "\n" }
      if !result.isEmpty && !result.hasSuffix("\n\n") { result += "\n" }
      return result + "[\(section)]\n" + newKeys
    }
    if !lines[header].hasSuffix("\n") { lines[header] += "\n" }
    var end = header + 1
    while end < lines.count && sectionName(ofLineAt: end) == nil { end += 1 }
    let kept = lines[(header + 1)..<end].filter(isCommentOrBlank)
    return lines[...header].joined() + newKeys + kept.joined() + lines[end...].joined()
  }

  /// The lines of `text` as ``INIFile`` reads them: each up to and including its `\n`; the last
  /// one may have none.
  static func splitLines(_ text: String) -> [String] {
    var lines: [String] = []
    let utf8 = text.utf8
    var start = utf8.startIndex
    for index in utf8.indices where utf8[index] == UInt8(ascii: "\n") {
      let next = utf8.index(after: index)
      lines.append(String(text[start..<next]))
      start = next
    }
    if start != utf8.endIndex { lines.append(String(text[start...])) }
    return lines
  }

  /// Whether ``INIFile`` skips `line`: nothing but spaces and tabs before its line ending, or a
  /// comment (`#` or `;` after them).
  static func isCommentOrBlank(_ line: String) -> Bool {
    var content = Substring(line).utf8
    if content.last == UInt8(ascii: "\n") { content = content.dropLast() }
    if content.last == UInt8(ascii: "\r") { content = content.dropLast() }
    guard let first = content.first(where: { !INISectionHeader.isBlank($0) }) else { return true }
    return first == UInt8(ascii: "#") || first == UInt8(ascii: ";")
  }

  /// `path` with symbolic links resolved; `path` itself when it does not exist yet.
  static func resolvingSymbolicLinks(_ path: String) -> String {
    guard let resolved = realpath(path, nil) else { return path }
    defer { free(resolved) }
    return String(cString: resolved)
  }
}
