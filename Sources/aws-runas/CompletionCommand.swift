import RunAsCore

/// Profile names for shell completion (`--generate-bash-completion`, as the Go tool's CLI
/// library spells it): every profile of the config and credentials files, sorted, one a line.
enum CompletionCommand {
  static let flag = "--generate-bash-completion"

  static func run(environment: [String: String]) -> Int32 {
    guard let files = try? AWSConfigFiles.load(environment: environment) else { return 0 }
    let names = ProfileResolver(files: files, environment: environment).profileNames
    writeToStandardOutput(names.map { $0 + "\n" }.joined())
    return 0
  }
}
