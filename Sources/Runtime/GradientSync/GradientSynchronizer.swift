import Engine
import Foundation
import MPI
import TrainingCore

/// Sums the students' gradients in place over the student communicator, in fused buckets
/// of `bucketBytes`, each a non-blocking all-reduce (`MPI_Iallreduce` on a zero-copy view
/// of the engine's one flat gradient buffer).
///
/// The engine's `backward()` has no per-layer hook, so the buckets start after the whole
/// backward pass; they are all started at once and waited for together, so MPI pipelines
/// them. (With a hook, the buckets of the last layers could start while earlier layers
/// are still back-propagating: the bucket ranges already follow the reverse layer order.)
///
/// Every student starts the same buckets in the same order: the bucket list is a pure
/// function of the parameter count and the bucket size.
public final class GradientSynchronizer: GradientSummation {
    let communicator: Communicator
    let gradients: MPIBuffer<Float>
    /// Element ranges of the buckets, from the end of the buffer (last layers) to the start.
    public let buckets: [Range<Int>]
    /// How long the all-reduces may wait for the other students (`teacher.timeout_seconds`).
    let deadline: CollectiveDeadline

    public init(communicator: Communicator, gradients: FloatBuffer, bucketBytes: Int, deadline: CollectiveDeadline) {
        self.communicator = communicator
        self.gradients = MPIBuffer(unsafeWrapping: gradients.buffer, owner: gradients)
        let bucketElements = max(1, bucketBytes / MemoryLayout<Float>.stride)
        var ranges: [Range<Int>] = []
        var end = gradients.count
        while end > 0 {
            let start = max(0, end - bucketElements)
            ranges.append(start..<end)
            end = start
        }
        buckets = ranges
        self.deadline = deadline
    }

    /// Sums the gradients over every student; returns the seconds spent. `purpose` names
    /// the all-reduce in a `CollectiveTimeoutError` ("gradient all-reduce at step 12").
    @discardableResult
    public func sumGradients(purpose: @autoclosure () -> String = "gradient all-reduce") throws -> Double {
        guard communicator.size > 1 else { return 0 }
        let started = Date()
        var requests: [Request] = []
        requests.reserveCapacity(buckets.count)
        for range in buckets {
            requests.append(try communicator.immediateAllReduce(gradients, range: range, op: .sum))
        }
        try deadline.wait(forAll: requests, on: communicator, named: "students", purpose: purpose)
        return Date().timeIntervalSince(started)
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
