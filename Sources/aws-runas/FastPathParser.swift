/// Reads the few argument shapes that run on every `credential_process` call and `eval` —
/// `aws-runas [-O json|env] [-o CODE] [-s] profile [command…]` — and `aws-runas -V|--version`
/// without ArgumentParser.
///
/// ArgumentParser's reflection costs several milliseconds of start-up in a binary this size (each
/// first dynamic cast scans every protocol conformance). Anything outside these shapes returns
/// `nil` and goes through ArgumentParser; `FastPathParserTests` checks both agree.
enum FastPathParser {
  /// The flags and positional arguments, or `nil` when the full parser is needed.
  static func parse(_ arguments: [String]) -> (flags: CommandLineFlags, arguments: [String])? {
    var flags = CommandLineFlags()
    var index = 0
    while index < arguments.count {
      let word = arguments[index]
      guard word.hasPrefix("-") else { break }
      switch word {
      case "-O", "--output", "-o", "--otp":
        guard index + 1 < arguments.count else { return nil }
        let value = arguments[index + 1]
        if value.hasPrefix("-") { return nil }
        if word == "-O" || word == "--output" { flags.output = value } else { flags.otp = value }
        index += 2
      case "-s", "--session":
        flags.session = true
        index += 1
      case "-V", "--version":
        flags.version = true
        index += 1
      default:
        if word.hasPrefix("--output=") {
          flags.output = String(word.dropFirst("--output=".count))
        } else if word.hasPrefix("--otp=") {
          flags.otp = String(word.dropFirst("--otp=".count))
        } else {
          return nil
        }
        index += 1
      }
    }
    guard index < arguments.count else { return flags.version ? (flags, []) : nil }
    let first = arguments[index]
    if first.isEmpty || AWSRunAs.subcommandWords.contains(first) { return nil }
    return (flags, Array(arguments[index...]))
  }
}
