import Engine
import MPI
import Runtime
import TrainingCore

/// The job's gradient all-reduce (`GradientSynchronizer` in the config's `training.gradient_sync`:
/// buckets of the config's size, all started after a barrier, as after backward) over buffers
/// of 4 KB to 64 MB between the ranks of `students`, median of `repetitions`.
enum AllReduceProbe {
    static let sizes = stride(from: 12, through: 26, by: 2).map { 1 << $0 }  // 4 KB … 64 MB

    static func measure(on students: Communicator, bucketBytes: Int, mode: GradientSyncMode, repetitions: Int,
                        log: (String) -> Void) throws -> [AllReduceSample] {
        let deadline = CollectiveDeadline(seconds: 600, configKey: "plan measure", worldRank: students.rank)
        var samples: [AllReduceSample] = []
        for bytes in sizes {
            let gradients = FloatBuffer(count: bytes / MemoryLayout<Float>.stride)
            gradients.buffer.update(repeating: 1)
            let synchronizer = try GradientSynchronizer(communicator: students, gradients: gradients, bucketBytes: bucketBytes,
                                                        deadline: deadline, mode: mode)
            var times: [Double] = []
            for _ in 0...repetitions {  // the first, which sets up the connections and schedules, is dropped
                try students.barrier(within: deadline, on: "plan measure", for: "all-reduce probe barrier")
                times.append(try synchronizer.sumGradients(purpose: "all-reduce probe of \(bytes) bytes"))
            }
            let seconds = median(Array(times.dropFirst()))
            log(String(format: "plan measure: all-reduce %9d bytes in %d buckets: %.6f s", bytes, synchronizer.buckets.count, seconds))
            samples.append(AllReduceSample(bytes: bytes, seconds: seconds))
        }
        return samples
    }
}
