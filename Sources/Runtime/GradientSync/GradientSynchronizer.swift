import Engine
import Foundation
import MPI
import TrainingCore

/// Sums the students' gradients in place over the student communicator, in fused buckets
/// of `bucketBytes` over the engine's one flat gradient buffer, from the end of the buffer
/// (the last layers, whose gradients backward finishes first) to the start.
///
/// `GradientSyncMode` says how (README, "Gradient sync", has the measurements):
/// - `overlapped`: `gradientsFinal(from:)`, called by backward after each block, hands every
///   bucket now wholly final to a `CommunicationThread`, which runs a blocking
///   `MPI_Allreduce` on it (on a duplicate of the communicator, so it never meets the
///   training thread's collectives) while backward goes on; `sumGradients` hands over the
///   rest and waits for the thread with the deadline.
/// - `afterBackward`: the same thread and buckets, all handed over in `sumGradients`.
/// - `nonblocking`: `sumGradients` starts an `MPI_Iallreduce` per bucket and polls them.
///
/// Every student runs the same buckets in the same order: the bucket list is a pure
/// function of the parameter count and the bucket size, and the final offsets backward
/// reports are the same on every student.
public final class GradientSynchronizer: GradientSummation {
    let communicator: Communicator
    let gradients: MPIBuffer<Float>
    /// Element ranges of the buckets, from the end of the buffer (last layers) to the start.
    public let buckets: [Range<Int>]
    /// How long the all-reduces may wait for the other students (`teacher.timeout_seconds`).
    let deadline: CollectiveDeadline
    public let mode: GradientSyncMode
    /// The thread and its own communicator (nil in `nonblocking` mode).
    private let thread: CommunicationThread?
    private let threadCommunicator: Communicator?
    /// Buckets handed to the thread in this step (a prefix of `buckets`).
    private var bucketsHandedOver = 0

    public init(communicator: Communicator, gradients: FloatBuffer, bucketBytes: Int, deadline: CollectiveDeadline,
                mode: GradientSyncMode) throws {
        self.communicator = communicator
        self.gradients = MPIBuffer(unsafeWrapping: gradients.buffer, owner: gradients)
        buckets = Self.bucketRanges(count: gradients.count, bucketElements: max(1, bucketBytes / MemoryLayout<Float>.stride))
        self.deadline = deadline
        self.mode = mode
        if mode.usesCommunicationThread && communicator.size > 1 {
            threadCommunicator = try communicator.duplicate()
            thread = CommunicationThread(name: "gradient all-reduce")
        } else {
            threadCommunicator = nil
            thread = nil
        }
    }

    deinit { thread?.stop() }

    /// The mode a job runs with `configured`: `nonblocking` when MPI did not grant the
    /// `MPI_THREAD_MULTIPLE` the communication thread needs.
    public static func mode(_ configured: GradientSyncMode, granted threadLevel: MPIThreadLevel) -> GradientSyncMode {
        configured.usesCommunicationThread && threadLevel < .multiple ? .nonblocking : configured
    }

    /// Ranges of `bucketElements` from the end of a buffer of `count` elements to its start.
    static func bucketRanges(count: Int, bucketElements: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var end = count
        while end > 0 {
            let start = max(0, end - bucketElements)
            ranges.append(start..<end)
            end = start
        }
        return ranges
    }

    public func gradientsFinal(from offset: Int) {
        guard mode == .overlapped else { return }
        handOver(bucketsStartingAtOrAfter: offset)
    }

    /// Completes the sum over every student; returns the seconds this call waited.
    /// `purpose` names the all-reduce in a `CollectiveTimeoutError` ("gradient all-reduce at step 12").
    @discardableResult
    public func sumGradients(purpose: @autoclosure () -> String = "gradient all-reduce") throws -> Double {
        guard communicator.size > 1 else { return 0 }
        let started = Date()
        if let thread {
            handOver(bucketsStartingAtOrAfter: 0)
            bucketsHandedOver = 0
            try deadline.wait(for: thread, operation: "MPI_Allreduce", on: communicator, named: "students", purpose: purpose)
        } else {
            let requests = try buckets.map { try communicator.immediateAllReduce(gradients, range: $0, op: .sum) }
            try deadline.wait(forAll: requests, on: communicator, named: "students", purpose: purpose)
        }
        return Date().timeIntervalSince(started)
    }

    /// Hands the thread every bucket not handed over yet that starts at or after `offset`.
    private func handOver(bucketsStartingAtOrAfter offset: Int) {
        guard let thread, let threadCommunicator else { return }
        while bucketsHandedOver < buckets.count && buckets[bucketsHandedOver].lowerBound >= offset {
            let range = buckets[bucketsHandedOver]
            let gradients = gradients
            thread.submit {
                try Self.awaitEveryStudent(on: threadCommunicator)
                try threadCommunicator.allReduce(gradients, range: range, op: .sum)
            }
            bucketsHandedOver += 1
        }
    }

    /// Returns once every student has reached this point (`MPI_Ibarrier`, polled with short
    /// sleeps). A blocking collective spins on the CPU while it waits for a peer, and on
    /// cores shared with the peers that spin slows the very rank it waits for; so the thread
    /// enters each blocking all-reduce only when every student is there. No deadline here:
    /// the training thread holds it, and a timeout aborts the job.
    private static func awaitEveryStudent(on communicator: Communicator) throws {
        let arrival = try communicator.immediateBarrier()
        var pause: UInt32 = 20
        while try !arrival.test() {
            usleep(pause)
            pause = min(pause * 2, 200)
        }
    }

    /// Sums a small extra gradient array (the dskd projectors) over every student.
    public func sum(_ values: inout [Float], purpose: @autoclosure () -> String = "projector gradient all-reduce") throws -> Double {
        guard communicator.size > 1 else { return 0 }
        let started = Date()
        let buffer = MPIBuffer(values)
        try deadline.wait(for: try communicator.immediateAllReduce(buffer, op: .sum), on: communicator, named: "students",
                          purpose: purpose)
        values = buffer.array
        return Date().timeIntervalSince(started)
    }

    /// A blocking `MPI_Allreduce` of a scratch buffer of the same size, for the benchmark's
    /// comparison (bare MPI against the bucketed path).
    public func bareAllReduceSeconds() throws -> Double {
        guard communicator.size > 1 else { return 0 }
        let scratch = MPIBuffer<Float>(repeating: 1, count: gradients.count)
        let started = Date()
        try communicator.allReduce(scratch, op: .sum)
        return Date().timeIntervalSince(started)
    }
}
