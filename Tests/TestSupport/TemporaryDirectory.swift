import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A new, private (0700) directory under `$TMPDIR`, removed with everything in it when released.
///
/// Test suites hold one per test (Swift Testing makes a suite value for every test), so tests
/// that run in parallel never share files.
package final class TemporaryDirectory: Sendable {
  /// The directory's absolute path, `$TMPDIR/aws-runas-<prefix>-XXXXXX`.
  package let path: String

  /// Creates the directory, named after `prefix` to tell in a listing which tests left it.
  package init(prefix: String) throws {
    let template = FileManager.default.temporaryDirectory.appendingPathComponent("aws-runas-\(prefix)-XXXXXX").path
    var buffer = Array(template.utf8CString)
    let created = buffer.withUnsafeMutableBufferPointer { buffer -> String? in
      guard let baseAddress = buffer.baseAddress, mkdtemp(baseAddress) != nil else { return nil }
      return String(cString: baseAddress)
    }
    guard let created else {
      throw HarnessError("mkdtemp(\(template)): \(String(cString: strerror(errno)))")
    }
    path = created
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }

  /// The directory as a file URL.
  package var url: URL { URL(fileURLWithPath: path, isDirectory: true) }

  /// The absolute path of `relative` inside the directory.
  package func path(_ relative: String) -> String {
    url.appendingPathComponent(relative).path
  }
}
