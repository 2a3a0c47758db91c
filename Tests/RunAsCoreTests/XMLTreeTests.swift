import RunAsCore
import Testing

@Suite("XMLTree")
struct XMLTreeTests {
  static let assumeRoleResponse = """
    <?xml version="1.0" encoding="UTF-8"?>
    <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
      <AssumeRoleResult>
        <Credentials>
          <AccessKeyId>ASIAEXAMPLE</AccessKeyId>
          <SecretAccessKey>secret/with+chars</SecretAccessKey>
          <SessionToken>token==</SessionToken>
          <Expiration>2024-05-01T12:34:56Z</Expiration>
        </Credentials>
        <AssumedRoleUser>
          <Arn>arn:aws:sts::123456789012:assumed-role/demo/session</Arn>
        </AssumedRoleUser>
      </AssumeRoleResult>
      <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
    </AssumeRoleResponse>
    """

  @Test("parses an AWS query response, ignoring the default namespace")
  func parsesAWSResponse() throws {
    let root = try XMLTree.parse(Self.assumeRoleResponse)
    #expect(root.name == "AssumeRoleResponse")
    #expect(root.attributes.isEmpty)
    let credentials = try #require(root.child("AssumeRoleResult")?.child("Credentials"))
    #expect(credentials.childText("AccessKeyId") == "ASIAEXAMPLE")
    #expect(credentials.childText("SecretAccessKey") == "secret/with+chars")
    #expect(credentials.children.map(\.name) == ["AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"])
    #expect(root.descendant("RequestId")?.text == "c6104cbe-af31-11e0-8154-cbc7ccf896c7")
    #expect(root.descendant("Arn")?.text == "arn:aws:sts::123456789012:assumed-role/demo/session")
    #expect(root.child("Credentials") == nil)
  }

  @Test("matches elements and attributes by local name")
  func localNames() throws {
    let root = try XMLTree.parse(
      #"<s:Envelope xmlns:s="urn:s" xmlns:x="urn:x"><s:Body x:id="7" plain='p'>v</s:Body></s:Envelope>"#)
    #expect(root.name == "Envelope")
    let body = try #require(root.child("Body"))
    #expect(body.attributes == ["id": "7", "plain": "p"])
    #expect(body.text == "v")
  }

  @Test("decodes the five entities and numeric character references")
  func entities() throws {
    let root = try XMLTree.parse(
      "<m a=\"&lt;&quot;&amp;&apos;&gt;\">&lt;b&gt; &amp; &quot;q&quot; &apos;s&apos; &#65;&#x42;&#x1F600;</m>")
    #expect(root.text == "<b> & \"q\" 's' AB😀")
    #expect(root.attributes["a"] == "<\"&'>")
  }

  @Test("keeps CDATA verbatim and skips comments and processing instructions")
  func cdataAndComments() throws {
    let root = try XMLTree.parse(
      "<!-- lead --><?pi data?><r>a<!-- c --><![CDATA[<not> &amp; markup]]>b<?inner pi?></r><!-- tail -->")
    #expect(root.text == "a<not> &amp; markupb")
    #expect(root.children.isEmpty)
  }

  @Test("handles self-closing elements, a BOM and whitespace between attributes")
  func selfClosing() throws {
    let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("<r><e k = \"1\"\n/><e/></r>".utf8)
    let root = try XMLTree.parse(bytes)
    #expect(root.children(named: "e").count == 2)
    #expect(root.children.first?.attributes == ["k": "1"])
  }

  @Test("text is only the element's own character data")
  func ownText() throws {
    let root = try XMLTree.parse("<a>x<b>inner</b>y</a>")
    #expect(root.text == "xy")
    #expect(root.child("b")?.text == "inner")
  }

  @Test("descendant searches depth-first in document order")
  func descendantOrder() throws {
    let root = try XMLTree.parse("<a><b><c>1</c></b><c>2</c></a>")
    #expect(root.descendant("c")?.text == "1")
    #expect(root.descendant("a") == nil)
  }

  @Test(
    "throws on malformed documents",
    arguments: [
      "", "   ", "text", "<a>", "<a></b>", "<a><b></a></b>", "<a/><b/>", "<a/>trailing",
      "<a>&unknown;</a>", "<a>&#0;</a>", "<a>&#xD800;</a>", "<a>&amp</a>", "<a x=1/>",
      "<a x=\"1\" x=\"2\"/>", "<a x=\"1\"y=\"2\"/>", "<a x=\"<\"/>", "<!DOCTYPE a><a/>",
      "<a><!-- open</a>", "<a><![CDATA[open</a>", "<1a/>", "</a>", "<a><!ENTITY x></a>",
      "<a",
    ])
  func malformed(document: String) {
    #expect(throws: XMLParseError.self) { try XMLTree.parse(document) }
  }

  @Test("rejects invalid UTF-8")
  func invalidUTF8() {
    #expect(throws: XMLParseError.self) { try XMLTree.parse([UInt8]("<a>".utf8) + [0xFF, 0xFE] + Array("</a>".utf8)) }
  }

  @Test("refuses nesting deeper than the limit instead of overflowing the stack")
  func depthLimit() throws {
    let deep = String(repeating: "<a>", count: 10_000) + String(repeating: "</a>", count: 10_000)
    #expect(throws: XMLParseError.self) { try XMLTree.parse(deep) }
    let fine = String(repeating: "<a>", count: 100) + "x" + String(repeating: "</a>", count: 100)
    #expect(try XMLTree.parse(fine).name == "a")
  }

  @Test("errors say where the problem is")
  func errorOffset() {
    do {
      _ = try XMLTree.parse("<a><b></c></a>")
      Issue.record("expected an error")
    } catch {
      #expect(error.offset > 0)
      #expect(error.description.hasPrefix("malformed XML at byte"))
      #expect(error.description.contains("</c>"))
    }
  }
}
