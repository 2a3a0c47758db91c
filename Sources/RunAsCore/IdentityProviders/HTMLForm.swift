/// An HTML form read from a sign-in page: where it goes, how, and its controls with their values.
///
/// Identity providers that have no API are driven by their pages: read the login form, fill in
/// the user name and password, post it, read the next page. ``forms(in:pageURL:)`` finds the forms
/// of a page (hidden inputs included), ``fill(_:with:)`` sets a control, and
/// ``IdentityProviderSession/submit(_:submitter:redirects:timeout:)`` sends it.
public struct HTMLForm: Sendable, Equatable {
  /// Where the form is submitted: its `action` resolved against the page's URL (the page itself
  /// when `action` is absent or empty).
  public var action: String
  /// `GET` or `POST` (an unknown or missing `method` is `GET`, as in HTML).
  public var method: String
  /// The form's `id` attribute, empty when absent.
  public var id: String
  /// The form's `name` attribute, empty when absent.
  public var name: String
  /// The controls in document order.
  public var fields: [Field]

  /// One control of a form.
  public struct Field: Sendable, Equatable {
    /// The control's `name`.
    public var name: String
    /// Its value: `value` of an input or button, the text of a textarea, the selected option's
    /// value; `on` for a checkbox or radio button without one.
    public var value: String
    /// Its kind, lower-case: an input's `type` (`text` when absent or unknown, `hidden`,
    /// `password`, `checkbox`, `submit`, …), `button`-element types, `select-one`,
    /// `select-multiple` or `textarea`.
    public var type: String
    /// The control's `id` attribute, empty when absent.
    public var id: String
    /// Whether a checkbox or radio button is checked.
    public var isChecked: Bool
    /// Whether the control is disabled (it is then never submitted).
    public var isDisabled: Bool

    /// Creates a control.
    public init(
      name: String, value: String, type: String = "text", id: String = "", isChecked: Bool = false,
      isDisabled: Bool = false
    ) {
      self.name = name
      self.value = value
      self.type = type
      self.id = id
      self.isChecked = isChecked
      self.isDisabled = isDisabled
    }

    /// Whether this control submits the form when activated (it is sent only as the submitter).
    public var isButton: Bool {
      ["submit", "image", "button", "reset"].contains(type)
    }
  }

  /// Creates a form.
  public init(action: String, method: String = "POST", id: String = "", name: String = "", fields: [Field] = []) {
    self.action = action
    self.method = method
    self.id = id
    self.name = name
    self.fields = fields
  }

  /// The first control named `name`.
  public func field(named name: String) -> Field? {
    fields.first { $0.name == name }
  }

  /// The value of the first control named `name`.
  public func value(of name: String) -> String? {
    field(named: name)?.value
  }

  /// Sets a control's value, adding a hidden control when the form has none of that name.
  ///
  /// For a group of checkboxes or radio buttons, the one whose value is `value` is checked (and,
  /// for radio buttons, the others unchecked). Otherwise the first control of that name takes the
  /// value.
  ///
  /// - Parameters:
  ///   - name: The control's name, e.g. `username`.
  ///   - value: Its new value.
  public mutating func fill(_ name: String, with value: String) {
    guard let first = fields.firstIndex(where: { $0.name == name }) else {
      fields.append(Field(name: name, value: value, type: "hidden"))
      return
    }
    let type = fields[first].type
    guard type == "checkbox" || type == "radio" else {
      fields[first].value = value
      return
    }
    guard let match = fields.firstIndex(where: { $0.name == name && $0.type == type && $0.value == value }) else {
      fields.append(Field(name: name, value: value, type: "hidden"))
      return
    }
    if type == "radio" {
      for index in fields.indices where fields[index].name == name && fields[index].type == "radio" {
        fields[index].isChecked = false
      }
    }
    fields[match].isChecked = true
  }

  /// The name/value pairs a browser would submit (the form data set of HTML): enabled, named
  /// controls; checkboxes and radio buttons only when checked; buttons only as the submitter; no
  /// file inputs.
  ///
  /// - Parameter submitter: The name of the button that submits the form, when one should be
  ///   sent (Keycloak's `login`); `nil` sends no button, as when a script submits.
  /// - Returns: The pairs in document order.
  public func formData(submitter: String? = nil) -> [(name: String, value: String)] {
    var pairs: [(name: String, value: String)] = []
    var submitterUsed = false
    for field in fields where !field.isDisabled && !field.name.isEmpty {
      switch field.type {
      case "checkbox", "radio":
        if field.isChecked { pairs.append((field.name, field.value)) }
      case "submit", "image":
        guard !submitterUsed, field.name == submitter else { continue }
        submitterUsed = true
        if field.type == "image" {
          pairs.append((field.name + ".x", "0"))
          pairs.append((field.name + ".y", "0"))
        } else {
          pairs.append((field.name, field.value))
        }
      case "button", "reset", "file":
        continue
      default:
        pairs.append((field.name, field.value))
      }
    }
    return pairs
  }

  /// Pairs encoded as `application/x-www-form-urlencoded`.
  ///
  /// Every byte but `A–Z a–z 0–9 - _ . ~` is percent-encoded (a space as `%20`), which every form
  /// decoder reads the same as the browser's `+`.
  public static func urlEncoded(_ pairs: [(name: String, value: String)]) -> String {
    pairs.map { SigV4Signer.uriEncode($0.name) + "=" + SigV4Signer.uriEncode($0.value) }.joined(separator: "&")
  }

  // MARK: - Reading pages

  /// The forms of a page, in document order.
  ///
  /// Controls outside any form are not included; a `<form>` inside another is ignored, and a form
  /// without `</form>` runs to the end of the page, as browsers parse them. A `<base href>` before
  /// the forms changes what their actions are resolved against.
  ///
  /// - Parameters:
  ///   - html: The page.
  ///   - pageURL: The page's URL (after redirects), for resolving relative actions.
  /// - Returns: The forms.
  public static func forms(in html: String, pageURL: String) -> [HTMLForm] {
    var reader = FormReader(pageURL: pageURL)
    var scanner = HTMLScanner(html)
    while let token = scanner.next() { reader.take(token) }
    return reader.finish()
  }

  /// The value of the first `<input>` named `name` anywhere on the page, inside a form or not:
  /// how SAML clients find `SAMLResponse`.
  ///
  /// - Parameters:
  ///   - name: The input's name, e.g. `SAMLResponse`.
  ///   - html: The page.
  /// - Returns: The decoded value (`&#x2b;` is `+`), or `nil` when there is no such input.
  public static func inputValue(named name: String, in html: String) -> String? {
    var scanner = HTMLScanner(html)
    while let token = scanner.next() {
      guard case .start("input", let attributes) = token, HTMLScanner.attribute("name", in: attributes) == name
      else { continue }
      return HTMLScanner.attribute("value", in: attributes) ?? ""
    }
    return nil
  }

  /// The page's `<title>`, whitespace collapsed; `nil` when it has none (for messages such as
  /// "the provider answered with the page 'Update password'").
  public static func title(in html: String) -> String? {
    var scanner = HTMLScanner(html)
    while let token = scanner.next() {
      guard case .start("title", _) = token else { continue }
      guard case .text(let text) = scanner.next() else { return nil }
      let words = text.split(whereSeparator: \.isWhitespace)
      return words.isEmpty ? nil : words.joined(separator: " ")
    }
    return nil
  }
}

/// Builds forms from the tokens of a page, keeping the state HTML's form-owner rules need.
private struct FormReader {
  var baseURL: String
  var sawForm = false
  var forms: [HTMLForm] = []
  var current: HTMLForm?
  var select: (name: String, id: String, multiple: Bool, disabled: Bool, options: [(value: String, selected: Bool)])?
  var option: (value: String?, selected: Bool, text: String)?
  var textarea: (name: String, id: String, disabled: Bool, text: String)?

  init(pageURL: String) {
    baseURL = pageURL
  }

  mutating func take(_ token: HTMLScanner.Token) {
    switch token {
    case .start(let name, let attributes):
      start(name, attributes)
    case .end(let name):
      end(name)
    case .text(let text):
      if option != nil { option?.text += text }
      if textarea != nil { textarea?.text += text }
    }
  }

  mutating func finish() -> [HTMLForm] {
    end("form")
    return forms
  }

  private mutating func start(_ name: String, _ attributes: [(name: String, value: String)]) {
    func attribute(_ key: String) -> String? { HTMLScanner.attribute(key, in: attributes) }
    switch name {
    case "base":
      if !sawForm, let href = attribute("href"), let resolved = URLReference.resolve(href, against: baseURL) {
        baseURL = resolved
      }
    case "form":
      guard current == nil else { return }
      sawForm = true
      let method = (attribute("method") ?? "").uppercased()
      current = HTMLForm(
        action: URLReference.resolve(attribute("action") ?? "", against: baseURL) ?? baseURL,
        method: method == "POST" ? "POST" : "GET", id: attribute("id") ?? "", name: attribute("name") ?? "")
    case "input":
      var type = (attribute("type") ?? "text").lowercased()
      if !Self.inputTypes.contains(type) { type = "text" }
      let isToggle = type == "checkbox" || type == "radio"
      add(
        HTMLForm.Field(
          name: attribute("name") ?? "", value: attribute("value") ?? (isToggle ? "on" : ""), type: type,
          id: attribute("id") ?? "", isChecked: isToggle && attribute("checked") != nil,
          isDisabled: attribute("disabled") != nil))
    case "button":
      let type = (attribute("type") ?? "submit").lowercased()
      add(
        HTMLForm.Field(
          name: attribute("name") ?? "", value: attribute("value") ?? "",
          type: type == "reset" || type == "button" ? type : "submit", id: attribute("id") ?? "",
          isDisabled: attribute("disabled") != nil))
    case "select":
      endSelect()
      select = (
        attribute("name") ?? "", attribute("id") ?? "", attribute("multiple") != nil, attribute("disabled") != nil, []
      )
    case "option":
      endOption()
      if select != nil { option = (attribute("value"), attribute("selected") != nil, "") }
    case "textarea":
      textarea = (attribute("name") ?? "", attribute("id") ?? "", attribute("disabled") != nil, "")
    default:
      break
    }
  }

  private mutating func end(_ name: String) {
    switch name {
    case "form":
      endSelect()
      if let form = current { forms.append(form) }
      current = nil
    case "option":
      endOption()
    case "select":
      endSelect()
    case "textarea":
      if let area = textarea {
        // HTML drops one newline right after `<textarea>`.
        var text = Substring(area.text)
        if text.hasPrefix("\r\n") { text = text.dropFirst(2) } else if text.hasPrefix("\n") { text = text.dropFirst() }
        add(
          HTMLForm.Field(name: area.name, value: String(text), type: "textarea", id: area.id, isDisabled: area.disabled)
        )
      }
      textarea = nil
    default:
      break
    }
  }

  private mutating func endOption() {
    guard let pending = option else { return }
    option = nil
    // An option without `value` submits its text, whitespace collapsed.
    let value = pending.value ?? pending.text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    select?.options.append((value, pending.selected))
  }

  private mutating func endSelect() {
    endOption()
    guard let list = select else { return }
    select = nil
    var chosen = list.options.filter(\.selected).map(\.value)
    if !list.multiple {
      // A single select submits its last selected option, or its first one when none is.
      chosen = chosen.last.map { [$0] } ?? list.options.first.map { [$0.value] } ?? []
    }
    for value in chosen {
      add(
        HTMLForm.Field(
          name: list.name, value: value, type: list.multiple ? "select-multiple" : "select-one", id: list.id,
          isDisabled: list.disabled))
    }
  }

  private mutating func add(_ field: HTMLForm.Field) {
    current?.fields.append(field)
  }

  /// Input types HTML knows; others are text inputs.
  private static let inputTypes: Set<String> = [
    "hidden", "text", "search", "tel", "url", "email", "password", "date", "month", "week", "time",
    "datetime-local", "number", "range", "color", "checkbox", "radio", "file", "submit", "image", "reset", "button",
  ]
}
