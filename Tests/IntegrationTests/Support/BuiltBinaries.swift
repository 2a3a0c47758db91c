import Foundation

/// Path of the built `aws-runas`: `$RUNAS_BIN_DIR/aws-runas` if set, else next to the running
/// test binary (SwiftPM puts test bundles and executables in the same products directory).
func runAsBinary() -> String {
  if let dir = ProcessInfo.processInfo.environment["RUNAS_BIN_DIR"], !dir.isEmpty {
    return URL(fileURLWithPath: dir).appendingPathComponent("aws-runas").path
  }
  #if os(Linux)
    let testBinary =
      (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
      ?? CommandLine.arguments[0]
    let productsDir = URL(fileURLWithPath: testBinary).deletingLastPathComponent()
  #else
    // On macOS the tests run inside a host tool; the .xctest bundle sits in the products dir.
    let bundle = Bundle.allBundles.first { $0.bundlePath.hasSuffix(".xctest") } ?? Bundle.main
    let productsDir = bundle.bundleURL.deletingLastPathComponent()
  #endif
  return productsDir.appendingPathComponent("aws-runas").path
}
