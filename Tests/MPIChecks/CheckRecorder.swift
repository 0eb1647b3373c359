import MPI
#if canImport(Glibc)
import Glibc
#endif

/// Records the outcome of each check on this rank.
final class CheckRecorder {
    /// This rank's world rank, prefixed to failure lines.
    let rank: Int
    private(set) var passed = 0
    private(set) var failures: [String] = []

    init(rank: Int) {
        self.rank = rank
    }

    /// Records one check: `condition` must hold; `detail` explains a failure.
    func expect(_ condition: Bool, _ name: String, _ detail: @autoclosure () -> String = "") {
        if condition {
            passed += 1
        } else {
            failures.append("rank \(rank): \(name): \(detail())")
        }
    }

    /// Records `actual == expected`.
    func expectEqual<T: Equatable>(_ actual: T, _ expected: T, _ name: String) {
        expect(actual == expected, name, "got \(actual), expected \(expected)")
    }

    /// Runs a group of checks; an error thrown out of it is one failure.
    func group(_ name: String, _ body: () throws -> Void) {
        if getenv("MPI_CHECKS_TRACE") != nil { fputs("rank \(rank): \(name)\n", stderr) }
        do {
            try body()
        } catch {
            failures.append("rank \(rank): \(name): unexpected error: \(error)")
        }
    }

    /// Records that `body` throws an `MPIError` accepted by `accept`.
    func expectMPIError(_ name: String, _ accept: (MPIError) -> Bool, _ body: () throws -> Void) {
        do {
            try body()
            failures.append("rank \(rank): \(name): no error was thrown")
        } catch let error as MPIError {
            expect(accept(error), name, "unexpected MPIError: \(error)")
        } catch {
            failures.append("rank \(rank): \(name): not an MPIError: \(error)")
        }
    }
}
