// swift-tools-version:6.1
import PackageDescription

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
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    .executableTarget(
      name: "aws-runas",
      dependencies: [
        "RunAsCore",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      // SwiftPM exports every symbol of an executable (for @testable tests). 30,000 dynamic symbols
      // slow every start-up in the dynamic loader, which `credential_process` pays on each call.
      linkerSettings: [.unsafeFlags(["-Xlinker", "--no-export-dynamic"])]
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
      dependencies: ["RunAsTUI", "RunAsCore"]
    ),
    .testTarget(
      name: "RunAsTUITests",
      dependencies: ["RunAsTUI"],
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
        "RunAsCore",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
      ]
    ),
    .testTarget(
      name: "IntegrationTests",
      dependencies: [
        "RunAsCore", "aws-runas", "aws-runas-tui",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
      ]
    ),
  ],
  swiftLanguageModes: [.v6]
)
