import RunAsCore

extension AWSConfigFiles {
  /// `<home>/.aws/config` and `<home>/.aws/credentials` given as text: what `load` would find,
  /// for tests of resolution, diagnostics and the TUI that touch no file.
  ///
  /// - Throws: ``ConfigFileError`` when either text does not parse.
  package static func parsing(
    config: String, credentials: String = "", home: String = "/home/u"
  ) throws(ConfigFileError) -> AWSConfigFiles {
    let configPath = home + "/.aws/config"
    let credentialsPath = home + "/.aws/credentials"
    return AWSConfigFiles(
      configPath: configPath, credentialsPath: credentialsPath,
      config: try INIFile(parsing: config, path: configPath, stripsInlineComments: false),
      credentials: try INIFile(parsing: credentials, path: credentialsPath, stripsInlineComments: true))
  }
}
