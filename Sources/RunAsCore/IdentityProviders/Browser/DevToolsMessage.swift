/// The JSON-RPC messages of the Chrome DevTools Protocol, one per WebSocket text frame: commands
/// `{"id", "method", "params", "sessionId"}` from the client, and from the browser responses
/// `{"id", "result"}` or `{"id", "error": {"code", "message"}}` and events `{"method", "params"}`,
/// each with the `sessionId` of the target session it concerns (flat sessions).
enum DevToolsMessage: Sendable, Equatable {
  /// The answer to the command with this `id`.
  case response(id: Int, DevToolsResult)
  /// Something that happened.
  case event(DevToolsEvent)

  /// The text of the command `method` with `params`, numbered `id`, for `sessionID`'s target
  /// (the browser itself when `nil`).
  static func command(id: Int, method: String, params: JSONValue, sessionID: String?) -> String {
    var members: [String: JSONValue] = ["id": .number(Double(id)), "method": .string(method), "params": params]
    if let sessionID { members["sessionId"] = .string(sessionID) }
    return JSONValue.object(members).serialized
  }

  /// Reads a message from the browser.
  ///
  /// - Throws: ``DevToolsProtocolError`` for text that is not one of the three shapes.
  init(text: String) throws(DevToolsProtocolError) {
    let value: JSONValue
    do {
      value = try JSONValue.parse(text)
    } catch {
      throw DevToolsProtocolError(message: "the browser sent a DevTools message that is not JSON")
    }
    guard case .object = value else {
      throw DevToolsProtocolError(message: "the browser sent a DevTools message that is not a JSON object")
    }
    let sessionID = value["sessionId"]?.stringValue
    if let id = value["id"]?.intValue {
      if let error = value["error"] {
        let code = error["code"]?.intValue ?? 0
        let message = error["message"]?.stringValue ?? "unknown error"
        self = .response(id: id, .failure(DevToolsCommandError(code: code, message: message)))
      } else {
        self = .response(id: id, .success(value["result"] ?? .object([:])))
      }
      return
    }
    guard let method = value["method"]?.stringValue else {
      throw DevToolsProtocolError(message: "the browser sent a DevTools message with neither an id nor a method")
    }
    self = .event(DevToolsEvent(method: method, params: value["params"] ?? .object([:]), sessionID: sessionID))
  }
}

/// A command's result object, or the browser's error.
typealias DevToolsResult = Result<JSONValue, DevToolsCommandError>

/// An event from the browser (`Fetch.requestPaused`, `Target.targetDestroyed`, …).
struct DevToolsEvent: Sendable, Equatable {
  /// The event's name, `Domain.event`.
  var method: String
  /// Its parameters.
  var params: JSONValue
  /// The target session it concerns; `nil` for the browser's own.
  var sessionID: String?
}

/// The browser refused a command (an unknown method, a bad parameter, a closed target).
struct DevToolsCommandError: Error, Sendable, Equatable {
  /// The JSON-RPC error code.
  var code: Int
  /// The browser's message.
  var message: String
}

/// The DevTools connection broke its protocol or ended.
struct DevToolsProtocolError: Error, Sendable, Equatable {
  /// What happened.
  var message: String
}
