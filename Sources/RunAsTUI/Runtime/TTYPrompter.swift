import RunAsCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Asks on `/dev/tty` while a launched shell owns the screen: the shell's credential endpoint uses
/// it when the role's credentials expire and renewing them needs an MFA code, as `aws-runas
/// <profile> <command>` does.
struct TTYPrompter: Prompter {
  func ask(_ question: String, isSecret: Bool) async throws -> String {
    let descriptor = open("/dev/tty", O_RDWR | O_CLOEXEC)
    guard descriptor >= 0 else {
      throw PromptUnavailable(message: "no terminal to ask on", hint: "run the command with MFA_CODE set")
    }
    defer { close(descriptor) }
    var saved = termios()
    let hasTermios = tcgetattr(descriptor, &saved) == 0
    if isSecret && hasTermios {
      var quiet = saved
      quiet.c_lflag &= ~tcflag_t(ECHO)
      tcsetattr(descriptor, TCSANOW, &quiet)
    }
    defer { if isSecret && hasTermios { tcsetattr(descriptor, TCSANOW, &saved) } }
    let text = "\n" + question
    _ = text.withCString { write(descriptor, $0, strlen($0)) }
    var bytes: [UInt8] = []
    var byte: UInt8 = 0
    while read(descriptor, &byte, 1) == 1, byte != 10 { bytes.append(byte) }
    if isSecret { _ = write(descriptor, "\n", 1) }
    return String(decoding: bytes, as: UTF8.self)
  }
}
