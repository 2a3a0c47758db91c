#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The cookie file shared with the Go aws-runas, `~/.aws/.aws_runas.cookies` (spec §6.4), so a
/// sign-in made by either tool is reused by the other.
///
/// The file is a JSON object from `"<scheme>://<hostname>"` (the URL a response came from) to the
/// array of Go `http.Cookie` objects that response set, as the server wrote them. Each `Set-Cookie`
/// re-reads the file, merges by `name|domain|path` and replaces it atomically with mode 0600 (the
/// project's one writer, under a ``FileLock`` so parallel runs do not lose each other's cookies).
///
/// Two differences from the Go tool, both invisible to it: a `Max-Age` cookie is written with the
/// absolute `Expires` it stands for (Go re-applies `Max-Age` from the moment it reads the file, so
/// such a cookie would never expire), and cookies that have expired are dropped instead of kept.
public struct CookieJarFile: Sendable, Equatable {
  /// The file's name inside the AWS configuration directory.
  public static let fileName = ".aws_runas.cookies"

  /// The file's path.
  public let path: String

  /// The cookie file at `path`.
  public init(path: String) {
    self.path = path
  }

  /// The cookie file in `directory` (usually `~/.aws`).
  public init(directory: String) {
    self.path = directory + "/" + Self.fileName
  }

  /// Why the cookie file could not be used.
  public struct Failure: UserFacingError, Sendable {
    /// What went wrong, naming the file.
    public let message: String
    /// What to do about it.
    public let hint: String?
    /// Whether the file exists but is not a cookie file (it is replaced on the next write).
    public let isMalformed: Bool
  }

  /// The records in the file by key, `[:]` when there is no file.
  ///
  /// - Throws: ``Failure`` when the file cannot be read or is not a cookie file.
  package func load() throws(Failure) -> [String: [SetCookie]] {
    let bytes: [UInt8]?
    do {
      bytes = try POSIXFile.read(path)
    } catch {
      throw Failure(message: error.description, hint: "check the cookie file's permissions", isMalformed: false)
    }
    // Go writes `{}` or nothing at all for an empty jar, and treats anything that short as empty.
    guard let bytes, bytes.count > 2 else { return [:] }
    guard let records = Self.decode(bytes) else {
      throw Failure(
        message: "\(path) is not a cookie file (invalid JSON)",
        hint: "it is replaced when the next sign-in saves its cookies", isMalformed: true)
    }
    return records
  }

  /// A jar holding the file's cookies that are still valid at `now`.
  ///
  /// Each record is stored as if the URL of its key had just set it, as the Go tool loads the
  /// file, so the jar's domain and path rules apply again.
  ///
  /// - Parameters:
  ///   - records: The file's records, from ``load()``.
  ///   - now: The current time.
  /// - Returns: The jar.
  package static func jar(from records: [String: [SetCookie]], now: Date) -> CookieJar {
    var jar = CookieJar()
    for key in records.keys.sorted() {
      guard let url = url(ofKey: key) else { continue }
      for record in records[key] ?? [] { jar.store(record, from: url, now: now) }
    }
    return jar
  }

  /// Re-reads the file, merges `cookies` (set by a response from `url`) into its records for that
  /// URL's key, and replaces the file.
  ///
  /// A cookie replaces the record with the same name, `Domain` and `Path` attributes; one that has
  /// already expired removes it. A file that is not a cookie file is replaced, as Go does.
  ///
  /// - Parameters:
  ///   - cookies: The cookies the response set (and the jar accepted).
  ///   - url: The URL of the request the response answered.
  ///   - now: When the response arrived.
  /// - Throws: ``Failure`` when the file cannot be read or written, or the lock cannot be taken.
  package func merge(_ cookies: [SetCookie], from url: String, now: Date) async throws {
    guard !cookies.isEmpty, let key = Self.key(of: url) else { return }
    try await FileLock(protecting: path).withLock {
      var records: [String: [SetCookie]] = [:]
      do throws(Failure) {
        records = try load()
      } catch {
        guard error.isMalformed else { throw error }
      }
      var list = records[key] ?? []
      for cookie in cookies {
        var record = cookie
        if record.maxAge > 0 {
          record.expires = record.expiry(receivedAt: now)
          record.maxAge = 0
        }
        let index = list.firstIndex {
          $0.name == record.name && $0.domain == record.domain && $0.path == record.path
        }
        if Self.isExpired(record, now: now) {
          if let index { list.remove(at: index) }
        } else if let index {
          list[index] = record
        } else {
          list.append(record)
        }
      }
      records[key] = list
      for (name, list) in records {
        let live = list.filter { !Self.isExpired($0, now: now) }
        records[name] = live.isEmpty ? nil : live
      }
      do {
        try POSIXFile.writeAtomically(Self.encode(records), to: path, mode: 0o600)
      } catch {
        throw Failure(
          message: "cannot save cookies: \(error)", hint: "check the cookie file's permissions", isMalformed: false)
      }
    }
  }

  // MARK: - The Go format

  /// The key of a URL in the file: `<scheme>://<hostname>`, without port or IPv6 brackets (Go's
  /// `url.Hostname()`).
  static func key(of url: String) -> String? {
    guard let parts = HTTPURLParts(url) else { return nil }
    return parts.scheme + "://" + CookieJar.canonicalHost(parts.host)
  }

  /// The URL a key stands for, with brackets put back around an IPv6 address.
  static func url(ofKey key: String) -> String? {
    guard let separator = key.range(of: "://") else { return nil }
    let host = key[separator.upperBound...]
    let url = host.contains(":") ? key[..<separator.upperBound] + "[" + host + "]/" : key + "/"
    return HTTPURLParts(url) == nil ? nil : url
  }

  /// Go's zero `time.Time`, which the file uses for "no expiry".
  static let goZeroTime = "0001-01-01T00:00:00Z"

  private static func isExpired(_ record: SetCookie, now: Date) -> Bool {
    if record.maxAge < 0 { return true }
    guard record.maxAge == 0, let expires = record.expires else { return false }
    return expires <= now
  }

  /// The file's text as Go's `json.Encoder` writes it: keys sorted, fields in `http.Cookie` order,
  /// HTML-sensitive characters escaped, a final newline.
  static func encode(_ records: [String: [SetCookie]]) -> [UInt8] {
    var text = "{"
    for (index, key) in records.keys.sorted().enumerated() {
      if index > 0 { text += "," }
      text += goQuoted(key) + ":["
      for (position, cookie) in (records[key] ?? []).enumerated() {
        if position > 0 { text += "," }
        text += "{\"Name\":" + goQuoted(cookie.name)
        text += ",\"Value\":" + goQuoted(cookie.value)
        text += ",\"Path\":" + goQuoted(cookie.path)
        text += ",\"Domain\":" + goQuoted(cookie.domain)
        text += ",\"Expires\":" + goQuoted(cookie.expires.map(Timestamp.formatRFC3339) ?? goZeroTime)
        text += ",\"RawExpires\":" + goQuoted(cookie.rawExpires)
        text += ",\"MaxAge\":\(cookie.maxAge)"
        text += ",\"Secure\":\(cookie.secure)"
        text += ",\"HttpOnly\":\(cookie.httpOnly)"
        text += ",\"SameSite\":\(cookie.sameSite.rawValue)"
        text += ",\"Raw\":" + goQuoted(cookie.raw)
        text += ",\"Unparsed\":"
        text += cookie.unparsed.isEmpty ? "null" : "[" + cookie.unparsed.map(goQuoted).joined(separator: ",") + "]"
        text += "}"
      }
      text += "]"
    }
    return Array((text + "}\n").utf8)
  }

  /// Reads the file's JSON; `nil` when it is not an object of arrays of cookie objects.
  static func decode(_ bytes: [UInt8]) -> [String: [SetCookie]]? {
    guard let decoded = try? JSONDecoder().decode([String: [GoCookie]?].self, from: Data(bytes)) else { return nil }
    return decoded.mapValues { ($0 ?? []).compactMap(\.cookie) }
  }

  /// A JSON string as Go's encoder writes it (it also escapes `<`, `>`, `&`, U+2028 and U+2029).
  private static func goQuoted(_ value: String) -> String {
    var text = ""
    JSONObjectWriter.appendQuoted(value, to: &text)
    guard text.unicodeScalars.contains(where: { "<>&\u{2028}\u{2029}".unicodeScalars.contains($0) }) else {
      return text
    }
    var escaped = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "<": escaped += "\\u003c"
      case ">": escaped += "\\u003e"
      case "&": escaped += "\\u0026"
      case "\u{2028}": escaped += "\\u2028"
      case "\u{2029}": escaped += "\\u2029"
      default: escaped.unicodeScalars.append(scalar)
      }
    }
    return escaped
  }

  /// One `http.Cookie` object as Go's `encoding/json` writes it. Every field is optional and
  /// unknown fields (`Quoted`, `Partitioned` from newer Go) are ignored, as Go itself does.
  private struct GoCookie: Decodable {
    var cookie: SetCookie?

    enum CodingKeys: String, CodingKey {
      case name = "Name", value = "Value", path = "Path", domain = "Domain", expires = "Expires"
      case rawExpires = "RawExpires", maxAge = "MaxAge", secure = "Secure", httpOnly = "HttpOnly"
      case sameSite = "SameSite", raw = "Raw", unparsed = "Unparsed"
    }

    init(from decoder: any Decoder) throws {
      let container = try decoder.container(keyedBy: CodingKeys.self)
      guard let name = try container.decodeIfPresent(String.self, forKey: .name), !name.isEmpty else {
        cookie = nil
        return
      }
      let expiresText = try container.decodeIfPresent(String.self, forKey: .expires) ?? ""
      var expires = Timestamp.parseISO8601(expiresText)
      // Go's zero time (year 1) means "no Expires".
      if let date = expires, date.timeIntervalSince1970 <= -62_135_596_800 { expires = nil }
      cookie = SetCookie(
        name: name,
        value: try container.decodeIfPresent(String.self, forKey: .value) ?? "",
        path: try container.decodeIfPresent(String.self, forKey: .path) ?? "",
        domain: try container.decodeIfPresent(String.self, forKey: .domain) ?? "",
        expires: expires,
        rawExpires: try container.decodeIfPresent(String.self, forKey: .rawExpires) ?? "",
        maxAge: try container.decodeIfPresent(Int.self, forKey: .maxAge) ?? 0,
        secure: try container.decodeIfPresent(Bool.self, forKey: .secure) ?? false,
        httpOnly: try container.decodeIfPresent(Bool.self, forKey: .httpOnly) ?? false,
        sameSite: SetCookie.SameSite(rawValue: try container.decodeIfPresent(Int.self, forKey: .sameSite) ?? 0)
          ?? .defaultMode,
        raw: try container.decodeIfPresent(String.self, forKey: .raw) ?? "",
        unparsed: try container.decodeIfPresent([String].self, forKey: .unparsed) ?? [])
    }
  }
}
