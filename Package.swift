// swift-tools-version:6.1
import PackageDescription

// Start-up cost is what `credential_process` and shell prompts pay on every call (BENCHMARKS.md).
// The runtime instantiates generic types named by mangled strings, checking their requirements
// with a scan of every protocol conformance in the binary; metadata accessors pass the witness
// tables directly instead.
let directMetadataAccess: [SwiftSetting] = [
  .unsafeFlags(["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors"])
]
// - No exported dynamic symbols: SwiftPM exports every symbol of an executable (for @testable
//   tests), and 30,000 of them slow the dynamic loader.
// - Release builds (`make release`: the Swift runtime linked statically) are position-dependent:
//   a PIE this size has 114,000 relative relocations, written on every start (a copy-on-write
//   fault per page). Not with the Swift runtime as shared libraries (debug builds, tests): there
//   the loader warns on stderr about direct references to their protected functions.
// - Release builds link libstdc++ and libgcc statically too: loading libstdc++.so.6 costs more
//   than the whole of a static Swift "hello" (Linking/libstdc++.so).
// - Release builds are linked by lld, which puts the code and data a cache hit and `--version`
//   touch side by side (Linking/startup-order.txt, written by scripts/startup-order.py).
let fastStartLinking: [LinkerSetting] = [
  .unsafeFlags(["-Xlinker", "--no-export-dynamic"]),
  .unsafeFlags(
    [
      "-use-ld=lld", "-Xclang-linker", "-no-pie", "-Xclang-linker", "-static-libgcc",
      "-L", Context.packageDirectory + "/Linking",
      "-Xlinker", "--symbol-ordering-file=" + Context.packageDirectory + "/Linking/startup-order.txt",
      "-Xlinker", "--no-warn-symbol-ordering",
    ],
    .when(platforms: [.linux], configuration: .release)),
]

let package = Package(
  name: "aws-runas",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "aws-runas", targets: ["aws-runas"]),
    .executable(name: "aws-runas-tui", targets: ["aws-runas-tui"]),
    .library(name: "RunAsCore", targets: ["RunAsCore"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
  ],
  targets: [
    .target(
      name: "RunAsCore",
      dependencies: [
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "_CryptoExtras", package: "swift-crypto"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOWebSocket", package: "swift-nio"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: directMetadataAccess
    ),
    .executableTarget(
      name: "aws-runas",
      dependencies: [
        "RunAsCore",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: directMetadataAccess,
      linkerSettings: fastStartLinking
    ),
    .systemLibrary(
      name: "CNcurses",
      path: "Modules/CNcurses",
      providers: [.apt(["libncurses-dev"])]
    ),
    .target(
      name: "RunAsTUI",
      dependencies: ["RunAsCore", "CNcurses", .product(name: "Logging", package: "swift-log")]
    ),
    .executableTarget(
      name: "aws-runas-tui",
      dependencies: ["RunAsTUI", "RunAsCore"],
      linkerSettings: fastStartLinking
    ),
    // What the test targets share: temporary directories, child processes awaited without
    // blocking, raw loopback HTTP connections and listeners, config files given as text.
    .target(
      name: "TestSupport",
      dependencies: [
        "RunAsCore",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
      ],
      path: "Tests/TestSupport"
    ),
    .testTarget(
      name: "RunAsTUITests",
      dependencies: ["RunAsTUI", "TestSupport"],
      exclude: ["Snapshots"]
    ),
    .executableTarget(
      name: "runas-bench",
      dependencies: ["RunAsCore"],
      path: "Benchmarks/runas-bench"
    ),
    .testTarget(
      name: "RunAsCoreTests",
      dependencies: [
        "RunAsCore", "TestSupport",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "_CryptoExtras", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOCore", package: "swift-nio"),
      ]
    ),
    .testTarget(
      name: "IntegrationTests",
      dependencies: [
        "RunAsCore", "TestSupport", "aws-runas", "aws-runas-tui",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
      ]
    ),
  ],
  swiftLanguageModes: [.v6]
)
