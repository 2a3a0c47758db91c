import Testing

@testable import RunAsCore

@Test func versionIsSet() { #expect(!RunAsCore.version.isEmpty) }
