import Synchronization
import TestSupport
import Testing

@testable import RunAsCore

/// What a connection under test sent, one command text per entry.
private final class SentCommands: Sendable {
  private let texts = Mutex<[String]>([])

  func append(_ text: String) { texts.withLock { $0.append(text) } }

  var all: [JSONValue] { texts.withLock { $0 }.compactMap { try? JSONValue.parse($0) } }

  /// Waits (suspending) until `count` commands were sent.
  func waitFor(_ count: Int) async throws {
    let reached = try await poll(every: .milliseconds(5), timeout: .seconds(10)) {
      texts.withLock { $0.count } >= count ? true : nil
    }
    try #require(reached == true, "only \(texts.withLock { $0.count }) of \(count) commands were sent")
  }
}

@Suite struct DevToolsMessageTests {
  @Test func aCommandCarriesItsIDMethodParamsAndSession() throws {
    let text = DevToolsMessage.command(
      id: 7, method: "Fetch.enable", params: ["patterns": []], sessionID: "S1")
    let value = try JSONValue.parse(text)
    #expect(value["id"]?.intValue == 7)
    #expect(value["method"]?.stringValue == "Fetch.enable")
    #expect(value["params"]?["patterns"]?.arrayValue?.isEmpty == true)
    #expect(value["sessionId"]?.stringValue == "S1")
  }

  @Test func aBrowserCommandHasNoSession() throws {
    let value = try JSONValue.parse(
      DevToolsMessage.command(id: 1, method: "Browser.close", params: [:], sessionID: nil))
    #expect(value["sessionId"] == nil)
  }

  @Test func aResultIsTheAnswerToItsID() throws {
    let message = try DevToolsMessage(text: #"{"id":3,"result":{"targetId":"T"}}"#)
    #expect(message == .response(id: 3, .success(["targetId": "T"])))
  }

  @Test func anErrorAnswerKeepsTheBrowsersCodeAndMessage() throws {
    let message = try DevToolsMessage(text: #"{"id":4,"error":{"code":-32601,"message":"'X.y' wasn't found"}}"#)
    #expect(message == .response(id: 4, .failure(DevToolsCommandError(code: -32601, message: "'X.y' wasn't found"))))
  }

  @Test func anEventKeepsItsSession() throws {
    let message = try DevToolsMessage(
      text: #"{"method":"Fetch.requestPaused","params":{"requestId":"interception-1"},"sessionId":"S2"}"#)
    #expect(
      message
        == .event(
          DevToolsEvent(method: "Fetch.requestPaused", params: ["requestId": "interception-1"], sessionID: "S2")))
  }

  @Test(arguments: ["not json", "[1,2]", #"{"params":{}}"#])
  func textThatIsNoDevToolsMessageIsRejected(_ text: String) {
    #expect(throws: DevToolsProtocolError.self) { try DevToolsMessage(text: text) }
  }
}

@Suite struct DevToolsConnectionTests {
  @Test func answersReachTheirCommandsInAnyOrder() async throws {
    let sent = SentCommands()
    let connection = DevToolsConnection { sent.append($0) }
    let first = Task { try await connection.send("Target.getTargets") }
    let second = Task { try await connection.send("Browser.getVersion") }
    try await sent.waitFor(2)
    let ids = sent.all.compactMap { $0["id"]?.intValue }
    let byMethod = Dictionary(uniqueKeysWithValues: sent.all.map { ($0["method"]!.stringValue!, $0["id"]!.intValue!) })
    #expect(Set(ids).count == 2)
    await connection.receive(#"{"id":\#(byMethod["Browser.getVersion"]!),"result":{"product":"Chrome/1"}}"#)
    await connection.receive(#"{"id":\#(byMethod["Target.getTargets"]!),"result":{"targetInfos":[]}}"#)
    #expect(try await second.value["product"]?.stringValue == "Chrome/1")
    #expect(try await first.value["targetInfos"]?.arrayValue?.isEmpty == true)
  }

  @Test func anAnswerThatArrivesWhileTheCommandIsStillBeingSentIsKept() async throws {
    let connection = DevToolsConnection { _ in }
    // The transmit closure returns at once; answer before the sender gets back onto the actor.
    let answer = Task { try await connection.send("Target.getTargets") }
    await Task.yield()
    await connection.receive(#"{"id":1,"result":{"ok":true}}"#)
    #expect(try await answer.value["ok"]?.boolValue == true)
  }

  @Test func aRefusedCommandThrowsTheBrowsersError() async throws {
    let sent = SentCommands()
    let connection = DevToolsConnection { sent.append($0) }
    let answer = Task { try await connection.send("Nope.nothing") }
    try await sent.waitFor(1)
    await connection.receive(#"{"id":1,"error":{"code":-32601,"message":"'Nope.nothing' wasn't found"}}"#)
    await #expect(throws: DevToolsCommandError(code: -32601, message: "'Nope.nothing' wasn't found")) {
      try await answer.value
    }
  }

  @Test func eventsArriveInOrderAndEndWithTheConnection() async throws {
    let connection = DevToolsConnection { _ in }
    await connection.receive(#"{"method":"Target.targetCreated","params":{"targetInfo":{}}}"#)
    await connection.receive("garbage")
    await connection.receive(#"{"method":"Target.targetDestroyed","params":{"targetId":"T"},"sessionId":"S"}"#)
    await connection.close(DevToolsProtocolError(message: "gone"))
    var methods: [String] = []
    for await event in connection.events { methods.append(event.method) }
    #expect(methods == ["Target.targetCreated", "Target.targetDestroyed"])
  }

  @Test func closingFailsTheWaitingCommandsAndLaterOnes() async throws {
    let sent = SentCommands()
    let connection = DevToolsConnection { sent.append($0) }
    let waiting = Task { try await connection.send("Page.navigate", ["url": "https://example.com/"], sessionID: "S") }
    try await sent.waitFor(1)
    await connection.close(DevToolsProtocolError(message: "the browser closed the DevTools connection"))
    await #expect(throws: DevToolsProtocolError.self) { try await waiting.value }
    await #expect(throws: DevToolsProtocolError.self) { try await connection.send("Browser.close") }
    #expect(sent.all.count == 1)
  }

  @Test func aCommandThatCannotBeSentEndsWithAProtocolError() async throws {
    struct Broken: Error {}
    let connection = DevToolsConnection { _ in throw Broken() }
    await #expect(throws: DevToolsProtocolError.self) { try await connection.send("Browser.close") }
  }
}

@Suite struct BrowserClientRequestTests {
  @Test func theSAMLResponseIsReadFromTheFormBody() {
    let body = "SAMLResponse=PHNhbWxwOlJlc3BvbnNl%2Bx%3D%3D&RelayState=a+b"
    #expect(BrowserClient.formField("SAMLResponse", in: body) == "PHNhbWxwOlJlc3BvbnNl+x==")
    #expect(BrowserClient.formField("RelayState", in: body) == "a b")
    #expect(BrowserClient.formField("Missing", in: body) == nil)
  }

  @Test func postDataEntriesAreUsedWhenThereIsNoPostData() {
    let request: JSONValue = ["postDataEntries": [["bytes": "U0FNTFJlc3Bv"], ["bytes": "bnNlPWFi"]]]
    #expect(BrowserClient.postData(of: request) == "SAMLResponse=ab")
  }

  @Test(arguments: [
    ("https://signin.aws.amazon.com/saml", true), ("https://us-east-1.signin.aws.amazon.com/saml", true),
    ("https://signin.amazonaws-us-gov.com/saml", true), ("https://signin.aws.amazon.com/samlx", false),
    ("http://signin.aws.amazon.com/saml", false), ("https://evil.example/signin.aws.amazon.com/saml", false),
  ])
  func onlyAWSSignInEndpointsAreCaptured(_ url: String, _ captured: Bool) {
    #expect(BrowserClient.isSAMLEndpoint(url) == captured)
  }

  @Test func theRedirectIsTheRedirectURIWithAQuery() {
    #expect(BrowserClient.isRedirect("http://127.0.0.1:9/cb?code=c&state=s", to: "http://127.0.0.1:9/cb"))
    #expect(!BrowserClient.isRedirect("http://127.0.0.1:9/cbx?code=c", to: "http://127.0.0.1:9/cb"))
    #expect(BrowserClient.urlPattern(prefix: "http://h/a?b*c") == #"http://h/a\?b\*c*"#)
  }

  @Test func aMissingBrowserNamesWhatWasLookedFor() throws {
    let none = #expect(throws: BrowserSignInError.self) {
      try ChromiumProcess.program(authBrowser: nil, path: "/nonexistent")
    }
    #expect(none?.message.contains("none of chromium, chromium-browser, google-chrome, google-chrome-stable") == true)
    let named = #expect(throws: BrowserSignInError.self) {
      try ChromiumProcess.program(authBrowser: "my-browser", path: "/nonexistent")
    }
    #expect(named?.message.contains("auth_browser \"my-browser\" is not a program on PATH") == true)
    #expect(try ChromiumProcess.program(authBrowser: "/opt/chrome/chrome", path: nil) == "/opt/chrome/chrome")
  }
}
