import Foundation
import Testing

@testable import RunAsCore

/// A command run by aws-runas gets standard input, output and error, and no other descriptor:
/// not the credential endpoint's sockets, nor anything a library opened without close-on-exec.
@Suite("Child process descriptors")
struct ChildProcessDescriptorTests {
  struct Hello: EndpointHandler {
    func respond(to request: EndpointRequest) async -> EndpointResponse { .text("hello", status: 200) }
  }

  /// The descriptors this process has open above standard error.
  func openDescriptors() throws -> [Int32] {
    try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").compactMap { Int32($0) }.filter { $0 > 2 }
  }

  @Test func theChildInheritsOnlyTheStandardDescriptors() async throws {
    // A descriptor opened without close-on-exec, as SwiftNIO opens its listening socket.
    let leaky = open("/dev/null", O_RDONLY)
    #expect(leaky > 2)
    defer { close(leaky) }
    let server = try await LoopbackHTTPServer.start(handler: Hello())
    defer { Task { await server.stop() } }
    let ours = try openDescriptors()
    #expect(ours.contains(leaky))
    let check = ours.map { "[ -e /proc/self/fd/\($0) ] && exit 1" }.joined(separator: "; ") + "; exit 0"
    let termination = try await ChildProcess.run(["/bin/sh", "-c", check], environment: ["PATH": "/usr/bin:/bin"])
    #expect(termination == .exited(0))
  }

  @Test func withoutClosefromEveryDescriptorIsMarkedCloseOnExec() {
    // The fallback for C libraries older than glibc 2.34.
    let leaky = open("/dev/null", O_RDONLY)
    #expect(leaky > 2)
    defer { close(leaky) }
    #expect(fcntl(leaky, F_GETFD) & FD_CLOEXEC == 0)
    ChildProcess.markInheritedDescriptorsCloseOnExec()
    #expect(fcntl(leaky, F_GETFD) & FD_CLOEXEC != 0)
    #expect(fcntl(0, F_GETFD) & FD_CLOEXEC == 0, "standard input stays inheritable")
  }
}
