import Foundation
import MPI
import TrainingCore

extension DistillJob {
    /// The end of the run on every rank: a run stopped early by the time limit keeps where it
    /// stopped (student 0's checkpoint), then rank 0's gradient check, the benchmark's
    /// figures, and the final weights' checksum (equal on every student), so runs can be
    /// compared by one line.
    func finish(_ parts: RankParts, _ ledger: IntervalLedger, stoppedAfter step: Int, lastDDK: DDKRecord?) throws -> Summary {
        parts.coordinator?.progress.finish()
        if case .teacher(let teacher) = parts.role, teacher.worker.truncatedSequences > 0 {
            // Said by the teacher rank itself: only it knows, and it is rare enough not to gather.
            FileHandle.standardError.write(Data(("ddk distill: rank \(world.rank) (teacher): \(teacher.worker.truncatedSequences) "
                + "sequences needed more than teacher.sequence_length = \(teacher.worker.crossTokenization?.teacherSequenceLength ?? 0) "
                + "teacher tokens and were cut (their last student positions had no teacher positions to attend to)\n").utf8))
        }
        let student = parts.role.student
        if let student, student.index == 0, ledger.lastCheckpoint != step, !options.benchmark {
            try writeCheckpoint(student, plan: parts.plan, afterStep: step)
        }
        let gradientCheck = try checkGradient(parts, ledger)
        let benchmark = options.benchmark ? try measureBenchmark(parts, ledger) : nil
        let finalChecksums = try parts.communicators.trainers?.gather(
            student?.trainer.weightChecksum() ?? 0, root: 0, within: collectiveDeadline,
            on: "trainers", for: "final weights checksum gather")
        // The last collective of the run is done: no more heartbeats (MPI_Finalize follows).
        world.environment.whilePolling = nil
        liveness?.stop()
        let metricsPath = config.resolvedRunDirectory + "/metrics.jsonl"
        if let coordinator = parts.coordinator, let finalChecksums,
           let firstStudent = parts.communicators.trainerRanks.firstIndex(of: layout.studentRanks[0]) {
            coordinator.progress.line("distill \(config.name): done after step \(step); final weights checksum "
                + "\(ContentHash.hex(finalChecksums[firstStudent])); metrics in \(metricsPath)")
        }
        return Summary(stepsRun: step, lastDDK: lastDDK, gradientCheck: gradientCheck,
                       metricsPath: parts.coordinator == nil ? nil : metricsPath, benchmark: benchmark)
    }
}
