import Testing

@testable import aws_runas

/// The fast argv path must read exactly what ArgumentParser reads, or decline.
@Suite("Fast path parser")
struct FastPathParserTests {
  static let accepted: [[String]] = [
    ["dev"],
    ["-O", "json", "dev"],
    ["--output", "json", "dev"],
    ["--output=json", "dev"],
    ["-O", "env", "dev", "aws", "s3", "ls", "--region", "x"],
    ["-o", "123456", "-O", "json", "prod"],
    ["--otp=654321", "prod", "-e"],
    ["-s", "dev"],
    ["--session", "-O", "json", "dev"],
    ["-O", "json", "-O", "env", "dev"],
    ["arn:aws:iam::123456789012:role/x", "terraform", "plan"],
    ["-V"],
    ["--version"],
    ["-V", "dev"],
    ["-O", "json", "--version"],
    ["--version", "dev", "aws", "--version"],
  ]

  static let declined: [[String]] = [
    [],
    ["-v", "dev"],
    ["-vse", "dev"],
    ["-O"],
    ["-O", "json"],
    ["diagnose", "dev"],
    ["list", "roles"],
    ["--help"],
    ["-a", "2h", "dev"],
    ["-O", "-v", "dev"],
    ["-V", "list"],
    ["-v", "--version"],
  ]

  @Test(arguments: accepted)
  func acceptedArgumentsParseLikeArgumentParser(_ arguments: [String]) throws {
    let fast = try #require(FastPathParser.parse(arguments))
    let full = try RunAsCommand.parse(arguments)
    #expect(fast.flags == full.options.flags)
    #expect(fast.arguments == full.arguments)
  }

  @Test(arguments: declined)
  func otherArgumentsAreLeftToArgumentParser(_ arguments: [String]) {
    #expect(FastPathParser.parse(arguments) == nil)
  }
}
