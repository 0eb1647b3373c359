import Foundation

/// A thread that runs collectives handed to it, one after another in the order given, so
/// that blocking MPI calls (which use MPI's tuned algorithms and progress without being
/// polled) go on while the training thread keeps computing. Needs `MPI_THREAD_MULTIPLE`.
///
/// The training thread never blocks on it without a deadline: `waitForAll` returns false
/// when the deadline passes (the job then reports the hang and aborts; the thread may be
/// left inside MPI, which the abort ends).
final class CommunicationThread {
    private let condition = NSCondition()
    private var queue: [() throws -> Void] = []
    private var submitted = 0, completed = 0
    private var failure: Error?
    private var stopping = false

    init(name: String) {
        let thread = Thread { [self] in runLoop() }
        thread.name = name
        thread.start()
    }

    /// Queues `work` behind what was queued before.
    func submit(_ work: @escaping () throws -> Void) {
        condition.lock()
        queue.append(work)
        submitted += 1
        condition.signal()
        condition.unlock()
    }

    /// Waits until everything submitted has run; calls `whileWaiting` about every
    /// millisecond. Returns false when `seconds` pass first; rethrows the first failure.
    func waitForAll(seconds: Double, whileWaiting: () -> Void) throws -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while true {
            condition.lock()
            if let failure {
                self.failure = nil
                condition.unlock()
                throw failure
            }
            if completed == submitted {
                condition.unlock()
                return true
            }
            _ = condition.wait(until: min(deadline, Date(timeIntervalSinceNow: 0.001)))
            condition.unlock()
            if Date() >= deadline { return false }
            whileWaiting()
        }
    }

    /// Ends the thread once its queue is empty.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func runLoop() {
        while let work = nextWork() {
            var thrown: Error?
            do { try work() } catch { thrown = error }
            condition.lock()
            completed += 1
            if failure == nil, let thrown { failure = thrown }
            condition.broadcast()
            condition.unlock()
        }
    }

    /// The next queued work, or nil once stopped with nothing queued.
    private func nextWork() -> (() throws -> Void)? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !stopping { condition.wait() }
        return queue.isEmpty ? nil : queue.removeFirst()
    }
}
