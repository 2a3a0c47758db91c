import Testing
@testable import RunAsTUI
