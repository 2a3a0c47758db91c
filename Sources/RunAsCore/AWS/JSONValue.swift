/// A JSON value: the bodies of AWS JSON 1.1 and REST-JSON calls, in both directions.
///
/// ```swift
/// let body: JSONValue = ["Name": "/app/db-password", "WithDecryption": true]
/// let answer = try JSONValue.parse(bytes)
/// let value = answer["Parameter"]?["Value"]?.stringValue
/// ```
///
/// Numbers are `Double`s, which hold every integer AWS sends (epoch milliseconds, versions, counts)
/// exactly. Objects are dictionaries; ``serialized`` writes their keys sorted, so a body's bytes
/// (and its signature) do not depend on hashing.
public enum JSONValue: Sendable, Equatable {
  /// `null`.
  case null
  /// `true` or `false`.
  case bool(Bool)
  /// A number.
  case number(Double)
  /// A string, unescaped.
  case string(String)
  /// An array.
  case array([JSONValue])
  /// An object; a repeated key keeps its last value.
  case object([String: JSONValue])

  /// The member `key` of an object; `nil` for a missing member or a value that is not an object.
  public subscript(key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members[key]
  }

  /// The element at `index` of an array; `nil` when out of range or not an array.
  public subscript(index: Int) -> JSONValue? {
    guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
    return elements[index]
  }

  /// The text of a string; `nil` for any other value.
  public var stringValue: String? {
    guard case .string(let text) = self else { return nil }
    return text
  }

  /// A number that is a whole number within `Int`'s range; `nil` for anything else.
  public var intValue: Int? {
    guard case .number(let number) = self, number == number.rounded(), abs(number) < 0x1p63 else { return nil }
    return Int(number)
  }

  /// A number; `nil` for any other value.
  public var doubleValue: Double? {
    guard case .number(let number) = self else { return nil }
    return number
  }

  /// A Boolean; `nil` for any other value.
  public var boolValue: Bool? {
    guard case .bool(let value) = self else { return nil }
    return value
  }

  /// The elements of an array; `nil` for any other value.
  public var arrayValue: [JSONValue]? {
    guard case .array(let elements) = self else { return nil }
    return elements
  }

  /// The members of an object; `nil` for any other value.
  public var objectValue: [String: JSONValue]? {
    guard case .object(let members) = self else { return nil }
    return members
  }

  /// The value as compact JSON text, object keys sorted by their UTF-8 bytes. Numbers that are
  /// whole are written without a fraction; infinities and NaN (which JSON cannot hold) as `null`.
  public var serialized: String {
    var text = ""
    write(to: &text)
    return text
  }

  private func write(to text: inout String) {
    switch self {
    case .null:
      text += "null"
    case .bool(let value):
      text += value ? "true" : "false"
    case .number(let number):
      text += Self.literal(number)
    case .string(let value):
      JSONObjectWriter.appendQuoted(value, to: &text)
    case .array(let elements):
      text += "["
      for (index, element) in elements.enumerated() {
        if index > 0 { text += "," }
        element.write(to: &text)
      }
      text += "]"
    case .object(let members):
      text += "{"
      let keys = members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
      for (index, key) in keys.enumerated() {
        if index > 0 { text += "," }
        JSONObjectWriter.appendQuoted(key, to: &text)
        text += ":"
        members[key]?.write(to: &text)
      }
      text += "}"
    }
  }

  private static func literal(_ number: Double) -> String {
    guard number.isFinite else { return "null" }
    // Whole numbers below 2^53 are exact as integers; Swift would write them as `12.0`.
    if number == number.rounded(), abs(number) < 0x1p53 { return String(Int64(number)) }
    return "\(number)"
  }
}

// Not `ExpressibleByNilLiteral`: `value["key"] == nil` must keep meaning "no such member".
extension JSONValue: ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
  ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
  /// A Boolean.
  public init(booleanLiteral value: Bool) { self = .bool(value) }
  /// A whole number.
  public init(integerLiteral value: Int) { self = .number(Double(value)) }
  /// A number.
  public init(floatLiteral value: Double) { self = .number(value) }
  /// A string.
  public init(stringLiteral value: String) { self = .string(value) }
  /// An array.
  public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
  /// An object; a repeated key keeps its last value.
  public init(dictionaryLiteral members: (String, JSONValue)...) {
    self = .object(Dictionary(members, uniquingKeysWith: { _, last in last }))
  }
}
