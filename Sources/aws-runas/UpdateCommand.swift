import RunAsCore

/// `aws-runas update` (also `-u`): says whether a newer release exists (spec §7.4, §12.2).
enum UpdateCommand {
  static func run(environment: [String: String]) async throws -> Int32 {
    switch try await UpdateCheck(environment: environment).run() {
    case .upToDate(let version):
      writeToStandardOutput("aws-runas is up to date (\(version))\n")
    case .newVersion(let version, let url):
      // Both come from the release server's redirect.
      writeToStandardOutput(
        "New version of aws-runas available: \(TerminalText.excerpt(version, limit: 100))\n"
          + "Download available at: \(TerminalText.excerpt(url, limit: 500))\n")
    }
    return 0
  }
}
