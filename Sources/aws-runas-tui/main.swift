import RunAsTUI

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
#if canImport(Glibc)
  import Glibc
#endif

// aws-runas-tui: the full-screen profile manager. Everything lives in RunAsTUI; this wires the
// real terminal and the process environment to it.
let arguments = CommandLine.arguments.dropFirst()
if arguments.contains("-h") || arguments.contains("--help") {
  print(
    """
    usage: aws-runas-tui

    A full-screen manager for the profiles in AWS_CONFIG_FILE (default ~/.aws/config):
    live credential countdowns, whoami, diagnose, MFA prompts, a shell under any role (Enter),
    and a switchboard credential endpoint whose profile you pick with `a`. Press ? inside for keys.
    """)
  exit(0)
}
if arguments.contains("-V") || arguments.contains("--version") {
  print("aws-runas-tui \(TUIApplication.version)")
  exit(0)
}
do {
  let application = try TUIApplication(
    environment: ProcessInfo.processInfo.environment, terminal: NcursesTerminal())
  exit(application.run())
} catch {
  let message = "aws-runas-tui: \(error)\n"
  _ = message.withCString { write(STDERR_FILENO, $0, strlen($0)) }
  exit(1)
}
