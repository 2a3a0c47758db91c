#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Asks questions on the controlling terminal (`/dev/tty`), never on stdin or stdout.
///
/// Reading `/dev/tty` rather than stdin makes prompts work under `credential_process` and in
/// pipelines, where stdin and stdout belong to another program; the TUI uses it too while a
/// launched shell owns the screen. Questions from parallel tasks are asked one at a time, and the
/// blocking read happens on a thread of its own, never on the concurrency pool.
public struct TTYPrompter: Prompter {
  private static let turns = PromptTurns()
  private let startsOnNewLine: Bool

  /// Creates the prompter.
  ///
  /// - Parameter startsOnNewLine: Whether to start each question on a line of its own, for when
  ///   another program (a shell) may have left the cursor mid-line.
  public init(startsOnNewLine: Bool = false) {
    self.startsOnNewLine = startsOnNewLine
  }

  /// Asks `question` on `/dev/tty`; with `isSecret`, the answer is not echoed.
  ///
  /// - Throws: ``PromptUnavailable`` when there is no terminal or it reaches end of input before
  ///   an answer.
  public func ask(_ question: String, isSecret: Bool) async throws -> String {
    let text = startsOnNewLine ? "\n" + question : question
    await Self.turns.acquire()
    do {
      let answer = try await DedicatedThread.run { try Self.askNow(text, isSecret: isSecret) }
      await Self.turns.release()
      return answer
    } catch {
      await Self.turns.release()
      throw error
    }
  }

  /// Lists `options` numbered from 1 on `/dev/tty` and reads a number; asks again (three tries in
  /// all) when the answer is not one of them.
  ///
  /// - Throws: ``PromptUnavailable`` without a terminal, ``InvalidAnswer`` after three wrong answers.
  public func choose(_ question: String, from options: [String]) async throws -> Int {
    guard !options.isEmpty else {
      throw InvalidAnswer(message: "nothing to choose from for \"\(question.trimmingPrompt())\"")
    }
    var listing = question.trimmingPrompt() + ":\n"
    for (index, option) in options.enumerated() { listing += "  \(index + 1)) \(option)\n" }
    var text = listing + "choice [1-\(options.count)]: "
    for _ in 1...3 {
      let answer = try await ask(text, isSecret: false).filter { !$0.isWhitespace }
      if let number = Int(answer), options.indices.contains(number - 1) { return number - 1 }
      text = "\"\(answer)\" is not between 1 and \(options.count); choice: "
    }
    throw InvalidAnswer(message: "no valid choice for \"\(question.trimmingPrompt())\" after three tries")
  }

  /// Writes `notice` to `/dev/tty` (saying Ctrl-C cancels) and runs `work`.
  public func showing<Value: Sendable>(
    _ notice: String, while work: @escaping @Sendable () async throws -> Value
  ) async throws -> Value {
    let text = (startsOnNewLine ? "\n" : "") + notice + " (Ctrl-C cancels)\n"
    try? await DedicatedThread.run { Self.writeToTerminal(text) }
    return try await work()
  }

  private static func writeToTerminal(_ text: String) {
    var fd: Int32
    repeat { fd = open("/dev/tty", O_WRONLY | O_CLOEXEC | O_NOCTTY) } while fd < 0 && errno == EINTR
    guard fd >= 0 else { return }
    writeAll(fd, text)
    close(fd)
  }

  private static func askNow(_ question: String, isSecret: Bool) throws -> String {
    let name = question.trimmingPrompt()
    var fd: Int32
    repeat { fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY) } while fd < 0 && errno == EINTR
    guard fd >= 0 else {
      // No hint: the caller knows how else the value can be given (for MFA: -o or MFA_CODE).
      throw PromptUnavailable(message: "cannot ask \"\(name)\": no terminal")
    }
    defer { close(fd) }
    var saved = termios()
    let hidesEcho = isSecret && tcgetattr(fd, &saved) == 0
    if hidesEcho {
      var quiet = saved
      quiet.c_lflag &= ~tcflag_t(ECHO)
      tcsetattr(fd, TCSAFLUSH, &quiet)
    }
    defer {
      if hidesEcho {
        tcsetattr(fd, TCSAFLUSH, &saved)
        writeAll(fd, "\n")
      }
    }
    writeAll(fd, question)
    var line: [UInt8] = []
    var byte: UInt8 = 0
    while true {
      let count = read(fd, &byte, 1)
      if count < 0 && errno == EINTR { continue }
      if count <= 0 {
        // End of input (or an error) before the line ended is no answer, not an empty one.
        throw PromptUnavailable(message: "no answer to \"\(name)\" (end of input)")
      }
      if byte == UInt8(ascii: "\n") { break }
      line.append(byte)
    }
    if line.last == UInt8(ascii: "\r") { line.removeLast() }
    return String(decoding: line, as: UTF8.self)
  }

  private static func writeAll(_ fd: Int32, _ text: String) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
      let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
      if written < 0 && errno == EINTR { continue }
      guard written > 0 else { return }
      bytes = bytes.dropFirst(written)
    }
  }
}

/// Hands out turns to ask, one at a time, in the order they were asked for, without holding a
/// thread while waiting.
actor PromptTurns {
  private var isBusy = false
  private var waiting: [CheckedContinuation<Void, Never>] = []

  func acquire() async {
    if isBusy {
      await withCheckedContinuation { waiting.append($0) }
    } else {
      isBusy = true
    }
  }

  func release() {
    if waiting.isEmpty {
      isBusy = false
    } else {
      waiting.removeFirst().resume()
    }
  }
}
