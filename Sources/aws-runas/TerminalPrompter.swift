import RunAsCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Asks questions on the controlling terminal (`/dev/tty`), never on stdout.
///
/// Reading `/dev/tty` rather than stdin makes prompts work under `credential_process` and in
/// pipelines, where stdin and stdout belong to another program.
struct TerminalPrompter: Prompter {
  /// A lock so parallel tasks in one process never interleave two prompts.
  private static let serial = PromptSerializer()

  func ask(_ question: String, isSecret: Bool) async throws -> String {
    try await Self.serial.run { try Self.askNow(question, isSecret: isSecret) }
  }

  private static func askNow(_ question: String, isSecret: Bool) throws -> String {
    let fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)
    guard fd >= 0 else {
      throw PromptUnavailable(message: "cannot ask \"\(question.trimmedPrompt)\": no terminal")
    }
    defer { close(fd) }
    var saved = termios()
    let canHideEcho = isSecret && tcgetattr(fd, &saved) == 0
    if canHideEcho {
      var quiet = saved
      quiet.c_lflag &= ~tcflag_t(ECHO)
      tcsetattr(fd, TCSAFLUSH, &quiet)
    }
    defer {
      if canHideEcho {
        tcsetattr(fd, TCSAFLUSH, &saved)
        _ = "\n".withCString { write(fd, $0, 1) }
      }
    }
    _ = question.withCString { write(fd, $0, strlen($0)) }
    var line: [UInt8] = []
    var byte: UInt8 = 0
    while true {
      let n = read(fd, &byte, 1)
      if n < 0 && errno == EINTR { continue }
      if n <= 0 {
        if line.isEmpty {
          throw PromptUnavailable(message: "no answer to \"\(question.trimmedPrompt)\" (end of input)")
        }
        break
      }
      if byte == UInt8(ascii: "\n") { break }
      line.append(byte)
    }
    if line.last == UInt8(ascii: "\r") { line.removeLast() }
    return String(decoding: line, as: UTF8.self)
  }
}

/// Runs prompts one at a time.
actor PromptSerializer {
  func run<T: Sendable>(_ body: @Sendable () throws -> T) throws -> T { try body() }
}

extension String {
  fileprivate var trimmedPrompt: String {
    var result = Substring(self)
    while let last = result.last, last == " " || last == ":" { result = result.dropLast() }
    return String(result)
  }
}
