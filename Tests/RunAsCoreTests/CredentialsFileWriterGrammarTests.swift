import Testing

@testable import RunAsCore

/// The writer finds sections as the reader reads them (``INIFile``'s grammar).
@Suite("Credentials file writer: the reader's grammar")
struct CredentialsFileWriterGrammarTests {
  let entries = [(key: "aws_access_key_id", value: "ASIANEW"), (key: "aws_secret_access_key", value: "new")]

  /// The credentials file `text` as aws-runas reads it.
  func read(_ text: String) throws -> INIFile {
    try INIFile(parsing: text, path: "/c", stripsInlineComments: true, holdsSecrets: true)
  }

  func keys(of section: String, in text: String) throws -> [String] {
    try #require(try read(text).section(section)).entries.map { "\($0.key)=\($0.value)" }
  }

  @Test func aHeaderWithABracketInsideIsNotTakenForItsPrefix() throws {
    let original = "[a]b]\naws_access_key_id = KEEP\n"
    let updated = CredentialsFileWriter.replacingSection("a", with: entries, in: original)
    #expect(updated == original + "\n[a]\naws_access_key_id = ASIANEW\naws_secret_access_key = new\n")
    #expect(try keys(of: "a]b", in: updated) == ["aws_access_key_id=KEEP"])
    #expect(try keys(of: "a", in: updated) == ["aws_access_key_id=ASIANEW", "aws_secret_access_key=new"])
  }

  @Test func aSectionWhoseNameHoldsABracketIsReplacedInPlace() throws {
    let original = "[a]b]\naws_access_key_id = OLD\n[c]\nx = 1\n"
    let updated = CredentialsFileWriter.replacingSection("a]b", with: entries, in: original)
    #expect(updated == "[a]b]\naws_access_key_id = ASIANEW\naws_secret_access_key = new\n[c]\nx = 1\n")
  }

  @Test(
    arguments: [
      "[  p-awsrunas ]\naws_access_key_id = OLD\n",
      "[my \t profile-awsrunas]\naws_access_key_id = OLD\n",
      "\u{FEFF}[p-awsrunas]\naws_access_key_id = OLD\n",
      "[a]\r\nx = 1\r\n[p-awsrunas] ; mine\r\naws_access_key_id = OLD\r\n\r\n[b]\r\ny = 2\r\n",
    ])
  func theSectionTheReaderFindsIsTheOneReplaced(_ original: String) throws {
    let name = original.contains("my") ? "my  profile-awsrunas" : "p-awsrunas"
    let readName = INISectionHeader.normalised(name)
    let before = try read(original).sections.count
    let updated = CredentialsFileWriter.replacingSection(name, with: entries, in: original)
    let after = try read(updated)
    #expect(after.sections.count == before)
    #expect(try keys(of: readName, in: updated) == ["aws_access_key_id=ASIANEW", "aws_secret_access_key=new"])
    #expect(!updated.contains("OLD"))
  }

  @Test func linesEndOnlyAtLineFeeds() throws {
    // A lone carriage return does not end a line for the reader, so it does not for the writer.
    let original = "[p]\naws_access_key_id = OLD\r[q]\n"
    #expect(try read(original).section("q") == nil)
    let updated = CredentialsFileWriter.replacingSection("p", with: entries, in: original)
    #expect(updated == "[p]\naws_access_key_id = ASIANEW\naws_secret_access_key = new\n")
  }
}
