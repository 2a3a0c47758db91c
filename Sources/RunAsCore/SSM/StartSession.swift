/// One parameter of an SSM session document, e.g. `portNumber = ["22"]`.
public struct SessionDocumentParameter: Sendable, Equatable {
  /// The parameter's name.
  public var name: String
  /// Its values (SSM parameters are lists of strings).
  public var values: [String]

  /// Creates a parameter.
  public init(_ name: String, _ values: [String]) {
    self.name = name
    self.values = values
  }
}

/// What SSM StartSession is asked for: a target, the session document and its parameters.
public struct StartSessionRequest: Sendable, Equatable {
  /// The SSH document (spec §8.2).
  public static let sshDocument = "AWS-StartSSHSession"
  /// The port forwarding document.
  public static let portForwardingDocument = "AWS-StartPortForwardingSession"
  /// The document that forwards to a host reachable from the instance.
  public static let remoteHostPortForwardingDocument = "AWS-StartPortForwardingSessionToRemoteHost"

  /// The instance ID.
  public var target: String
  /// The session document; `nil` for the account's default shell document.
  public var documentName: String?
  /// The document's parameters, in order.
  public var parameters: [SessionDocumentParameter]

  /// Creates a request.
  public init(target: String, documentName: String? = nil, parameters: [SessionDocumentParameter] = []) {
    self.target = target
    self.documentName = documentName
    self.parameters = parameters
  }

  /// An interactive shell on `target`.
  public static func shell(target: String) -> StartSessionRequest {
    StartSessionRequest(target: target)
  }

  /// SSH to `port` on `target`.
  public static func ssh(target: String, port: Int) -> StartSessionRequest {
    StartSessionRequest(
      target: target, documentName: sshDocument, parameters: [SessionDocumentParameter("portNumber", [String(port)])])
  }

  /// Forwarding from `localPort` (0: the plugin picks one) to `remotePort` on `target`, or on
  /// `remoteHost` as the instance reaches it.
  public static func portForwarding(
    target: String, remotePort: Int, localPort: Int, remoteHost: String? = nil
  ) -> StartSessionRequest {
    var parameters: [SessionDocumentParameter] = []
    if let remoteHost { parameters.append(SessionDocumentParameter("host", [remoteHost])) }
    parameters.append(SessionDocumentParameter("portNumber", [String(remotePort)]))
    parameters.append(SessionDocumentParameter("localPortNumber", [String(localPort)]))
    return StartSessionRequest(
      target: target, documentName: remoteHost == nil ? portForwardingDocument : remoteHostPortForwardingDocument,
      parameters: parameters)
  }

  /// The request as the AWS CLI hands it to the plugin: Python's `json.dumps` layout (`", "` and
  /// `": "`), members in the order Target, DocumentName, Parameters, only those that are set.
  public var pluginJSON: String {
    var members: [(String, String)] = [("Target", PythonStyleJSON.string(target))]
    if let documentName { members.append(("DocumentName", PythonStyleJSON.string(documentName))) }
    if !parameters.isEmpty {
      members.append(
        (
          "Parameters",
          PythonStyleJSON.object(
            parameters.map { ($0.name, PythonStyleJSON.array($0.values.map(PythonStyleJSON.string))) })
        ))
    }
    return PythonStyleJSON.object(members)
  }
}

/// SSM's answer to StartSession: what the plugin needs to open the session's data channel.
public struct StartSessionResponse: Sendable, Equatable {
  /// The session's ID, for TerminateSession.
  public var sessionID: String
  /// The token that authenticates the data channel: a secret, never logged or put in argv.
  public var tokenValue: String
  /// The data channel's WebSocket URL.
  public var streamURL: String

  /// Creates a response.
  public init(sessionID: String, tokenValue: String, streamURL: String) {
    self.sessionID = sessionID
    self.tokenValue = tokenValue
    self.streamURL = streamURL
  }

  /// The answer as the AWS CLI hands it to the plugin (in `AWS_SSM_START_SESSION_RESPONSE`).
  public var pluginJSON: String {
    PythonStyleJSON.object([
      ("SessionId", PythonStyleJSON.string(sessionID)), ("TokenValue", PythonStyleJSON.string(tokenValue)),
      ("StreamUrl", PythonStyleJSON.string(streamURL)),
    ])
  }
}

/// JSON laid out as Python's `json.dumps` does by default, which is what the plugin receives
/// from the AWS CLI.
enum PythonStyleJSON {
  static func string(_ value: String) -> String {
    var text = ""
    JSONObjectWriter.appendQuoted(value, to: &text)
    return text
  }

  static func array(_ elements: [String]) -> String {
    "[" + elements.joined(separator: ", ") + "]"
  }

  static func object(_ members: [(String, String)]) -> String {
    "{" + members.map { string($0.0) + ": " + $0.1 }.joined(separator: ", ") + "}"
  }
}
