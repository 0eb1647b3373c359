import Foundation
import MPI
import XCTest

/// MPI can be initialized once per process, so every test case shares one
/// environment, created on first use and finalized when the test bundle ends.
final class SharedEnvironment: NSObject, XCTestObservation {
    /// The one shared instance (test target only; the MPI module has no globals).
    static let shared = SharedEnvironment()

    /// The environment, or the error that prevented its creation.
    let result: Result<MPIEnvironment, Error>

    override private init() {
        result = Result { try MPIEnvironment(threadLevel: .funneled) }
        super.init()
        XCTestObservationCenter.shared.addTestObserver(self)
    }

    /// The shared environment; throws (failing the test) when MPI did not initialize.
    static func environment() throws -> MPIEnvironment {
        try shared.result.get()
    }

    func testBundleDidFinish(_ testBundle: Bundle) {
        if case .success(let environment) = result {
            try? environment.finalize()
        }
    }
}
