#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes into the AWS credentials file: credentials as `[<profile>-awsrunas]` (`-c`, spec §3.6),
/// and an identity provider's obfuscated password under `[<its URL>]` (`password`, spec §6.6).
///
/// Only that section changes (credentials replace its key lines, a password sets its one key;
/// comments stay), and every other byte of the file, other sections, comments and alignment
/// included, is kept. The file is read,
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
    var entries = [
      ("aws_access_key_id", credentials.accessKeyID), ("aws_secret_access_key", credentials.secretAccessKey),
    ]
    if let token = credentials.sessionToken, !token.isEmpty { entries.append(("aws_session_token", token)) }
    guard !section.contains(where: { $0 == "]" || $0 == "[" }) else {
      throw CredentialError(message: "cannot write credentials under the section name \"\(section)\"")
    }
    let lines = entries
    return try await rewrite(section: section) { Self.replacingSection(section, with: lines, in: $0) }
  }

  /// Sets `key = value` in `[section]`, keeping the section's other keys.
  ///
  /// The section name may hold brackets (an identity provider's URL with an IPv6 host): the
  /// reader takes a header's name up to its last `]`, as go-ini did.
  ///
  /// - Returns: The path of the file written (the symbolic link's target when `path` is a link).
  /// - Throws: ``CredentialError`` for an unusable section name; ``POSIXFile/Failure`` or
  ///   ``FileLock/Failure`` when the file cannot be read, locked or replaced.
  @discardableResult
  public func setValue(_ value: String, forKey key: String, section: String) async throws -> String {
    try await rewrite(section: section) { Self.settingKey(key, to: value, inSection: section, in: $0) }
  }

  /// Reads the file, applies `edit` and replaces the file (temporary file, rename, 0600), all
  /// under the lock.
  private func rewrite(section: String, _ edit: @escaping @Sendable (String) -> String) async throws -> String {
    guard !section.isEmpty, !section.contains(where: \.isNewline) else {
      throw CredentialError(message: "cannot write credentials under the section name \"\(section)\"")
    }
    let target = Self.resolvingSymbolicLinks(path)
    try POSIXFile.makeDirectories(POSIXFile.directoryName(target), mode: 0o750)
    try await FileLock(protecting: target).withLock {
      let text = try POSIXFile.readText(target) ?? ""
      try POSIXFile.writeAtomically(Array(edit(text).utf8), to: target, mode: 0o600)
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
    let newKeys = entries.map { "\($0.key) = \($0.value)\n" }
    return editingSection(section, in: text) { body in newKeys + body.filter(isCommentOrBlank) }
  }

  /// `text` with `key = value` set in `[section]`: the key's first line replaced and its repeats
  /// removed, or the line added after the section's last key; the section appended when absent.
  /// Other lines stay byte for byte.
  public static func settingKey(_ key: String, to value: String, inSection section: String, in text: String)
    -> String
  {
    let line = "\(key) = \(value)\n"
    return editingSection(section, in: text) { body in
      var edited: [String] = []
      var replaced = false
      for bodyLine in body {
        guard let existing = self.key(ofLine: bodyLine), asciiCaseInsensitiveEquals(existing, key) else {
          edited.append(bodyLine)
          continue
        }
        if !replaced { edited.append(line) }
        replaced = true
      }
      if !replaced {
        let lastKey = edited.lastIndex { !isCommentOrBlank($0) }
        if let lastKey, !edited[lastKey].hasSuffix("\n") { edited[lastKey] += "\n" }
        edited.insert(line, at: lastKey.map { $0 + 1 } ?? 0)
      }
      return edited
    }
  }

  /// `text` with the lines between `[section]`'s header and the next header replaced by what
  /// `edit` makes of them; when there is no such section, it is appended (after a blank line)
  /// with `edit([])` as its lines.
  ///
  /// Lines and section headers are found with the grammar ``INIFile`` reads the file with, so
  /// the section edited is the one the reader would find under `section`.
  static func editingSection(_ section: String, in text: String, edit: ([String]) -> [String]) -> String {
    var lines = splitLines(text)
    func sectionName(ofLineAt index: Int) -> String? {
      INISectionHeader.sectionName(ofLine: lines[index], atStartOfFile: index == 0)
    }
    let wanted = INISectionHeader.normalised(section)
    guard let header = lines.indices.first(where: { sectionName(ofLineAt: $0) == wanted }) else {
      var result = text
      if !result.isEmpty && !result.hasSuffix("\n") { result += "\n" }
      if !result.isEmpty && !result.hasSuffix("\n\n") { result += "\n" }
      return result + "[\(section)]\n" + edit([]).joined()
    }
    if !lines[header].hasSuffix("\n") { lines[header] += "\n" }
    var end = header + 1
    while end < lines.count && sectionName(ofLineAt: end) == nil { end += 1 }
    return lines[...header].joined() + edit(Array(lines[(header + 1)..<end])).joined() + lines[end...].joined()
  }

  /// The key of a `key = value` (or `key: value`) line, as ``INIFile`` reads it; `nil` for
  /// comments, blanks and anything else.
  static func key(ofLine line: String) -> String? {
    guard !isCommentOrBlank(line) else { return nil }
    let content = line.drop { $0 == " " || $0 == "\t" }
    guard let separator = content.firstIndex(where: { $0 == "=" || $0 == ":" }) else { return nil }
    var key = content[..<separator]
    while key.last == " " || key.last == "\t" { key = key.dropLast() }
    return key.isEmpty || key.contains(where: { $0 == " " || $0 == "\t" }) ? nil : String(key)
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
