import Foundation
import TestSupport
import Testing

@testable import RunAsCore

/// Config and credentials files that are too big, not files, or hold secrets in odd places.
@Suite("Config files: hostile input")
struct ConfigFileHostileInputTests {
  /// This test's files, removed when it ends.
  let temporary: TemporaryDirectory
  var directory: String { temporary.path }

  init() throws { temporary = try TemporaryDirectory(prefix: "config") }

  func load(config: String, credentials: String? = nil) throws(ConfigFileError) -> AWSConfigFiles {
    try AWSConfigFiles.load(environment: [
      "HOME": directory, "AWS_CONFIG_FILE": config,
      "AWS_SHARED_CREDENTIALS_FILE": credentials ?? directory + "/credentials",
    ])
  }

  func loadError(config: String, credentials: String? = nil) -> ConfigFileError? {
    do {
      _ = try load(config: config, credentials: credentials)
      return nil
    } catch {
      return error
    }
  }

  // MARK: Size and file type

  @Test func anEndlessDeviceIsCutOffWithAClearError() {
    let error = loadError(config: "/dev/zero")
    #expect(error?.description == "/dev/zero: cannot read: it is larger than 4 MiB")
  }

  @Test func aFileOverTheLimitIsRefusedBeforeItIsRead() throws {
    let path = directory + "/huge"
    #expect(FileManager.default.createFile(atPath: path, contents: nil))
    #expect(truncate(path, off_t(AWSConfigFiles.maximumFileSize + 1)) == 0)
    #expect(loadError(config: path)?.reason == "cannot read: it is larger than 4 MiB")
  }

  @Test func devNullReadsAsAnEmptyFile() throws {
    let files = try load(config: "/dev/null", credentials: "/dev/null")
    #expect(files.config.sections.isEmpty)
    #expect(files.credentials.sections.isEmpty)
  }

  @Test func aDirectoryIsAnError() {
    #expect(loadError(config: directory)?.reason == "cannot read: it is a directory")
  }

  @Test func aFIFOWithoutAWriterReadsAsEmpty() throws {
    let fifo = directory + "/fifo"
    #expect(mkfifo(fifo, 0o600) == 0)
    #expect(try POSIXFile.read(fifo) == [])
  }

  @Test func aFIFOWhoseWriterNeverWritesEndsInAnError() async throws {
    let fifo = directory + "/silent"
    #expect(mkfifo(fifo, 0o600) == 0)
    // Opening for reading and writing holds a writer without blocking (Linux).
    let writer = open(fifo, O_RDWR | O_NONBLOCK)
    #expect(writer >= 0)
    defer { close(writer) }
    // The read waits in poll; a dedicated thread keeps that wait off the concurrency pool.
    let outcome = try await DedicatedThread.run { () -> String in
      do {
        _ = try POSIXFile.read(fifo, waitingAtMost: .milliseconds(50))
        return "read"
      } catch {
        return "\(error)"
      }
    }
    #expect(outcome.hasPrefix("cannot read \(fifo): nothing to read within"))
  }

  @Test func aFIFOThatIsWrittenIsRead() async throws {
    let fifo = directory + "/written"
    #expect(mkfifo(fifo, 0o600) == 0)
    let text = "[default]\nregion = eu-west-1\n"
    let writer = open(fifo, O_RDWR | O_NONBLOCK)
    #expect(writer >= 0)
    #expect(write(writer, text, text.utf8.count) == text.utf8.count)
    // A reader keeps the written bytes in the FIFO once the writer is gone; with no writer left,
    // the load sees the end of the file after them.
    let reader = open(fifo, O_RDONLY | O_NONBLOCK)
    defer { close(reader) }
    close(writer)
    let files = try await DedicatedThread.run { try load(config: fifo) }
    #expect(files.config.section("default")?.entry("region")?.value == "eu-west-1")
  }

  // MARK: Secrets in the credentials file

  static let path = "/home/u/.aws/credentials"

  func credentials(_ text: String) throws(ConfigFileError) -> INIFile {
    try INIFile(parsing: text, path: Self.path, stripsInlineComments: true, holdsSecrets: true)
  }

  @Test func anIndentedKeyLineIsAKeyOfItsOwnNotPartOfTheLineAbove() throws {
    let file = try credentials("[default]\naws_access_key_id = AKIAEXAMPLE\n    aws_secret_access_key = s3cr3t\n")
    let section = try #require(file.section("default"))
    #expect(section.entry("aws_access_key_id")?.value == "AKIAEXAMPLE")
    #expect(section.entry("aws_secret_access_key")?.value == "s3cr3t")
    #expect(section.entry("aws_secret_access_key")?.line == 3)
  }

  @Test func theConfigFileKeepsBotocoresContinuationLines() throws {
    let file = try INIFile(
      parsing: "[default]\nrole_arn = a\n  b\ns3 =\n  max_concurrent_requests = 10\n", path: "config",
      stripsInlineComments: false)
    #expect(file.section("default")?.entry("role_arn")?.value == "a\nb")
    #expect(file.section("default")?.entry("s3")?.subEntry("max_concurrent_requests")?.value == "10")
  }

  @Test(arguments: [
    "[default]\naws_access_key_id = AKIA\n  s3cr3tVALUE\n",
    "[default]\ns3cr3tVALUE\n",
    "[default]\naws_secret_access_key s3cr3tVALUE\n",
    "[default]\n[s3cr3tVALUE\n",
  ])
  func errorsNameTheFileLineAndSectionButNeverShowTheLine(_ text: String) {
    do {
      _ = try credentials(text)
      Issue.record("parsed: \(text)")
    } catch {
      #expect(!error.description.contains("s3cr3t"), "\(error)")
      #expect(error.description.hasPrefix(Self.path + ":"))
      #expect(error.description.contains("in [default]"))
      #expect(error.description.contains("not shown"))
    }
  }

  @Test func aConfigLineNamingASecretIsNotQuotedEither() {
    do {
      _ = try INIFile(
        parsing: "[default]\naws_secret_access_key s3cr3tVALUE\n", path: "config", stripsInlineComments: false)
      Issue.record("parsed")
    } catch {
      #expect(!error.description.contains("s3cr3t"), "\(error)")
    }
  }

  @Test func otherConfigLinesAreQuotedEscapedAndCut() {
    do {
      _ = try INIFile(
        parsing: "[default]\nregion \u{1B}[2J" + String(repeating: "x", count: 100) + "\n", path: "config",
        stripsInlineComments: false)
      Issue.record("parsed")
    } catch {
      #expect(error.description.contains(#"found "region \u{1B}[2Jxxx"#), "\(error)")
      #expect(!error.description.contains("\u{1B}"))
      #expect(error.description.hasSuffix("… (111 characters)\""))
    }
  }
}
