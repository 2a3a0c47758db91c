import Logging

/// The SSM calls a session needs; ``SSMClient`` over HTTP.
public protocol SessionManagerService: Sendable {
  /// The endpoint URL sessions are started at (handed to the plugin).
  var endpointURL: String { get }
  /// The region sessions are started in.
  var region: String { get }
  /// StartSession.
  func startSession(_ request: StartSessionRequest) async throws -> StartSessionResponse
  /// TerminateSession.
  func terminateSession(sessionID: String) async throws
}

/// Opens an SSM session and hands it to the plugin: StartSession, then `session-manager-plugin`
/// with the session in its environment, then TerminateSession once the plugin has ended, however
/// it ended (it exited, failed, or aws-runas was interrupted and passed the signal on).
public struct SSMSessionLauncher: Sendable {
  /// The plugin that carries the session.
  public var plugin: SessionManagerPlugin
  /// Where sessions are started and terminated.
  public var ssm: any SessionManagerService
  /// The plugin's environment, without the session (credentials, region, the user's own).
  public var pluginEnvironment: [String: String]
  /// Receives what happens, at debug level; a failed TerminateSession as a warning.
  public var logger: Logger

  /// Creates a launcher.
  public init(
    plugin: SessionManagerPlugin, ssm: any SessionManagerService, pluginEnvironment: [String: String],
    logger: Logger
  ) {
    self.plugin = plugin
    self.ssm = ssm
    self.pluginEnvironment = pluginEnvironment
    self.logger = logger
  }

  /// The plugin's arguments (after argv[0]) and environment for a started session. The session's
  /// token is only in the environment.
  public func invocation(
    for request: StartSessionRequest, session: StartSessionResponse
  ) -> (arguments: [String], environment: [String: String]) {
    var environment = pluginEnvironment
    environment[SessionManagerPlugin.sessionResponseVariable] = session.pluginJSON
    let arguments = SessionManagerPlugin.arguments(region: ssm.region, request: request, endpointURL: ssm.endpointURL)
    return (arguments, environment)
  }

  /// Runs one session to its end.
  ///
  /// - Returns: How the plugin ended: status 0, or the status after aws-runas passed it a signal.
  /// - Throws: What StartSession throws; ``SessionManagerPluginError/failed(status:sessionID:)``
  ///   when the plugin fails on its own; ``ChildProcess/LaunchError`` when it cannot start.
  public func run(_ request: StartSessionRequest) async throws -> SessionPluginProcess.Outcome {
    let session = try await ssm.startSession(request)
    let document = request.documentName ?? "shell"
    logger.debug(
      "SSM session \(session.sessionID) started on \(request.target) (\(document)); running \(plugin.path) \(plugin.version)"
    )
    let (arguments, environment) = invocation(for: request, session: session)
    let outcome: SessionPluginProcess.Outcome
    do {
      outcome = try await SessionPluginProcess.run(path: plugin.path, arguments: arguments, environment: environment)
    } catch {
      await terminate(session.sessionID)
      throw error
    }
    let after = outcome.forwardedSignal.map { " after signal \($0)" } ?? ""
    logger.debug("\(SessionManagerPlugin.programName) exited with status \(outcome.exitStatus)\(after)")
    await terminate(session.sessionID)
    if outcome.exitStatus != 0, outcome.forwardedSignal == nil {
      throw SessionManagerPluginError.failed(status: outcome.exitStatus, sessionID: session.sessionID)
    }
    return outcome
  }

  /// TerminateSession; a failure is a warning, since the plugin usually ended the session itself.
  private func terminate(_ sessionID: String) async {
    do {
      try await ssm.terminateSession(sessionID: sessionID)
      logger.debug("SSM session \(sessionID) terminated")
    } catch {
      logger.warning("could not terminate SSM session \(sessionID): \(error)")
    }
  }
}
