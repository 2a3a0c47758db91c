import Logging
import RunAsCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes log lines to stderr in the Go tool's format: `YYYY/MM/DD HH:MM:SS LEVEL message`.
struct StandardErrorLogHandler: LogHandler {
  var logLevel: Logger.Level
  var metadata: Logger.Metadata = [:]

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  func log(event: LogEvent) {
    var text = "\(event.message)"
    let fields = metadata.merging(event.metadata ?? [:]) { $1 }
    if !fields.isEmpty {
      text += " " + fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }
    let line = "\(Self.timestamp()) \(Self.levelName(event.level)) \(Self.terminalSafe(text, level: event.level))\n"
    writeToStandardError(line)
  }

  /// The longest message printed above debug level; the values messages quote are cut long
  /// before this, so only a message built from many of them reaches it.
  static let maximumMessageLength = 4000

  /// `text` with control characters escaped and, above debug level, cut to
  /// ``maximumMessageLength`` (debug output with `-vv` may carry a long session token whole).
  static func terminalSafe(_ text: String, level: Logger.Level) -> String {
    level <= .debug ? TerminalText.sanitized(text) : TerminalText.excerpt(text, limit: maximumMessageLength)
  }

  static func levelName(_ level: Logger.Level) -> String {
    switch level {
    case .trace, .debug: "DEBUG"
    case .info, .notice: "INFO"
    case .warning: "WARN"
    case .error, .critical: "ERROR"
    }
  }

  /// Local time as `2006/01/02 15:04:05`.
  static func timestamp() -> String {
    var now = time(nil)
    var parts = tm()
    localtime_r(&now, &parts)
    var buffer = [CChar](repeating: 0, count: 32)
    let count = strftime(&buffer, buffer.count, "%Y/%m/%d %H:%M:%S", &parts)
    return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}
