import RunAsCore

/// `aws-runas update` (also `-u`): says whether a newer release exists (spec §7.4, §12.2).
enum UpdateCommand {
  static func run(environment: [String: String]) async throws -> Int32 {
    switch try await UpdateCheck(environment: environment).run() {
    case .upToDate(let version):
      writeToStandardOutput("aws-runas is up to date (\(version))\n")
    case .newVersion(let version, let url):
      writeToStandardOutput("New version of aws-runas available: \(version)\nDownload available at: \(url)\n")
    }
    return 0
  }
}
