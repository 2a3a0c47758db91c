import Testing

@testable import RunAsCore

@Suite("INI files")
struct INIFileTests {
  private let path = "/home/u/.aws/config"

  private func parse(_ text: String, strippingInlineComments: Bool = false) throws(ConfigFileError)
    -> INIFile
  {
    try INIFile(parsing: text, path: path, stripsInlineComments: strippingInlineComments)
  }

  private func parseError(_ text: String) -> ConfigFileError? {
    do {
      _ = try parse(text)
      return nil
    } catch {
      return error
    }
  }

  @Test("sections and entries keep their line numbers")
  func keepsLineNumbers() throws {
    let file = try parse(
      """
      [default]
      region = us-east-1

      [profile prod]
      role_arn = arn:aws:iam::123456789012:role/prod
      """)
    #expect(file.sections.map(\.name) == ["default", "profile prod"])
    #expect(file.section("default")?.line == 1)
    #expect(file.section("default")?.entry("region")?.line == 2)
    #expect(file.section("profile prod")?.line == 4)
    #expect(
      file.section("profile prod")?.entry("role_arn")?.value
        == "arn:aws:iam::123456789012:role/prod")
    #expect(file.section("profile prod")?.entry("role_arn")?.line == 5)
  }

  @Test("accepts key=value without spaces and a colon separator")
  func acceptsSeparators() throws {
    let file = try parse("[a]\nregion=eu-west-1\noutput: json\nurl = https://x.example/a=b")
    let section = try #require(file.section("a"))
    #expect(section.entry("region")?.value == "eu-west-1")
    #expect(section.entry("output")?.value == "json")
    #expect(section.entry("url")?.value == "https://x.example/a=b")
  }

  @Test("section names are trimmed and inner whitespace collapses")
  func normalisesSectionNames() throws {
    let file = try parse("[  profile \t  prod  ]\nregion = x")
    #expect(file.section("profile prod")?.entry("region")?.value == "x")
  }

  @Test("comments and blank lines are skipped")
  func skipsCommentsAndBlankLines() throws {
    let file = try parse("# top\n; also\n\n[a]\n  # indented comment\nkey = v\n\n; end")
    #expect(file.section("a")?.entries.map(\.key) == ["key"])
  }

  @Test("the last of repeated keys wins, compared case-insensitively")
  func lastKeyWins() throws {
    let file = try parse("[a]\nRegion = one\nregion = two")
    #expect(file.section("a")?.entry("REGION")?.value == "two")
    #expect(file.section("a")?.entry("region")?.line == 3)
  }

  @Test("a repeated section header continues the first section")
  func mergesRepeatedSections() throws {
    let file = try parse("[a]\nx = 1\n[b]\ny = 2\n[a]\nx = 3\nz = 4")
    #expect(file.sections.map(\.name) == ["a", "b"])
    let section = try #require(file.section("a"))
    #expect(section.line == 1)
    #expect(section.entry("x")?.value == "3")
    #expect(section.entry("z")?.value == "4")
  }

  @Test("indented lines under a key with an empty value are nested entries")
  func parsesNestedEntries() throws {
    let file = try parse(
      """
      [services local]
      sts =
        endpoint_url = http://127.0.0.1:5000
      s3 =
        max_concurrent_requests = 10
        addressing_style = path
      """)
    let section = try #require(file.section("services local"))
    let sts = try #require(section.entry("sts"))
    #expect(sts.value == "")
    #expect(
      sts.subEntries == [INIEntry(key: "endpoint_url", value: "http://127.0.0.1:5000", line: 3)])
    #expect(section.entry("s3")?.subEntry("addressing_style")?.value == "path")
    #expect(section.entry("s3")?.subEntries.count == 2)
  }

  @Test("an indented line after a value continues it")
  func joinsContinuationLines() throws {
    let file = try parse("[a]\nlist = one\n  two\n  three\nnext = x")
    #expect(file.section("a")?.entry("list")?.value == "one\ntwo\nthree")
    #expect(file.section("a")?.entry("next")?.value == "x")
  }

  @Test("inline comments stay part of config-file values")
  func keepsInlineCommentsInConfig() throws {
    let file = try parse("[a]\nregion = us-east-1 # primary")
    #expect(file.section("a")?.entry("region")?.value == "us-east-1 # primary")
  }

  @Test("inline comments after whitespace are removed from credentials-file values")
  func stripsInlineCommentsInCredentials() throws {
    let file = try parse(
      "[a]\naws_access_key_id = AKIA1 # work\naws_secret_access_key = abc#def;ghi ; old key",
      strippingInlineComments: true)
    #expect(file.section("a")?.entry("aws_access_key_id")?.value == "AKIA1")
    #expect(file.section("a")?.entry("aws_secret_access_key")?.value == "abc#def;ghi")
  }

  @Test("a byte order mark and CRLF line endings are tolerated")
  func toleratesBOMAndCRLF() throws {
    let file = try parse("\u{FEFF}[default]\r\nregion = us-east-1\r\n\r\n[b]\r\nx = y\r\n")
    #expect(file.section("default")?.entry("region")?.value == "us-east-1")
    #expect(file.section("b")?.entry("x")?.line == 5)
  }

  @Test("one pair of matching quotes around a value is removed")
  func stripsSurroundingQuotes() throws {
    let file = try parse("[a]\nx = \"us-east-1\"\ny = 'single'\nz = \"a\"b\"\nw = \"open")
    let section = try #require(file.section("a"))
    #expect(section.entry("x")?.value == "us-east-1")
    #expect(section.entry("y")?.value == "single")
    #expect(section.entry("z")?.value == "\"a\"b\"")
    #expect(section.entry("w")?.value == "\"open")
  }

  @Test("a line that is not key = value is an error naming the file, line and text")
  func rejectsMalformedLine() {
    let error = parseError(
      "[default]\nregion = us-east-1\n\n[profile prod]\nsource_profile = default\n\nrole_arn arn:aws:iam::123456789012:role/prod"
    )
    #expect(
      error?.description
        == "/home/u/.aws/config:7: expected \"key = value\", found \"role_arn arn:aws:iam::123456789012:role… (44 characters)\""
    )
    #expect(error?.line == 7)
  }

  @Test("a key before any section header is an error")
  func rejectsKeyBeforeSection() {
    #expect(
      parseError("\nregion = us-east-1\n[default]")?.description
        == "/home/u/.aws/config:2: \"region\" comes before any [section] header; put it under [default] or [profile name]"
    )
  }

  @Test("a section header without a closing bracket is an error")
  func rejectsUnterminatedHeader() {
    #expect(
      parseError("[default]\nregion = x\n[profile prod\nrole_arn = y")?.description
        == "/home/u/.aws/config:3: section header has no closing \"]\": \"[profile prod\"")
  }

  @Test("a section name runs to the last closing bracket of its line")
  func sectionNameRunsToTheLastBracket() throws {
    let file = try parse("[a]b]\nx = 1\n[ profile  c]d ] trailing\ny = 2")
    #expect(file.sections.map(\.name) == ["a]b", "profile c]d"])
    #expect(file.section("a") == nil)
  }

  @Test(
    "a header line names the same section for the reader and the writer's grammar",
    arguments: [
      "[a]b]", "[a]", "  [ spaced \t name ]  ", "[x] ; comment", "[p]]", "[[q]", "[a]\r", "[tab\tbed]",
      "[ünïcode ✓]",
    ])
  func headerGrammarIsShared(_ line: String) throws {
    let read = try parse(line + "\nk = v").sections.first?.name
    #expect(read != nil)
    #expect(INISectionHeader.sectionName(ofLine: line) == read)
    #expect(INISectionHeader.sectionName(ofLine: line + "\n") == read)
    #expect(INISectionHeader.sectionName(ofLine: "\u{FEFF}" + line, atStartOfFile: true) == read)
  }

  @Test("lines that are not well-formed headers name no section", arguments: ["[abc", "[ ]", "x = [a]", "# [a]", ""])
  func nonHeadersNameNoSection(_ line: String) {
    #expect(INISectionHeader.sectionName(ofLine: line) == nil)
  }

  @Test("an empty section name is an error")
  func rejectsEmptySectionName() {
    #expect(parseError("[  ]")?.description == "/home/u/.aws/config:1: empty section name \"[]\"")
  }

  @Test("a key containing whitespace is an error")
  func rejectsKeyWithWhitespace() {
    #expect(parseError("[a]\nrole arn = x")?.line == 2)
  }

  @Test("looking up a missing section or key gives nil")
  func missingLookupsAreNil() throws {
    let file = try parse("[a]\nx = 1")
    #expect(file.section("b") == nil)
    #expect(file.section("A") == nil)
    #expect(file.section("a")?.entry("y") == nil)
  }

  @Test("an empty file has no sections")
  func emptyFileHasNoSections() throws {
    #expect(try parse("").sections.isEmpty)
    #expect(INIFile.empty(path: path).sections.isEmpty)
  }

  @Test("a file-level error omits the line")
  func fileLevelErrorOmitsLine() {
    let error = ConfigFileError(
      path: "/home/u/.aws/config", line: nil, reason: "cannot read: Permission denied")
    #expect(error.description == "/home/u/.aws/config: cannot read: Permission denied")
  }
}
