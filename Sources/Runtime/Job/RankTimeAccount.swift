import Foundation

/// Where one rank's time went while the job trained (`ddk bench distill`): the wall time and
/// this process's CPU time (every thread: a communication thread spinning in MPI counts),
/// and the parts of the wall time the rank itself measured.
///
/// A student counts its steps after the run's first (which fills the teacher pipeline, as
/// `steps_measured` leaves it out); a teacher counts all of its serving.
struct RankTimeAccount {
    var wallSeconds = 0.0
    var cpuSeconds = 0.0
    /// Student: forward, loss, backward, optimizer (the step less its waits). Teacher:
    /// computing outputs.
    var computeSeconds = 0.0
    /// Student: waiting for teacher outputs.
    var teacherWaitSeconds = 0.0
    /// Student: waiting for the gradient all-reduce after backward.
    var syncWaitSeconds = 0.0
    /// Teacher: waiting for students' credits (back-pressure).
    var creditWaitSeconds = 0.0

    /// Runs `body`, adding its wall and CPU time.
    mutating func timing<T>(_ body: () throws -> T) rethrows -> T {
        let wallStarted = Date(), cpuStarted = Self.processCPUSeconds()
        defer {
            wallSeconds += Date().timeIntervalSince(wallStarted)
            cpuSeconds += Self.processCPUSeconds() - cpuStarted
        }
        return try body()
    }

    /// CPU seconds this process has used, all threads (`CLOCK_PROCESS_CPUTIME_ID`).
    static func processCPUSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
    }

    /// Adds one student step: `step`'s wall and CPU time (the step, its checkpoint if due,
    /// the figures gather) split by what the trainer measured.
    mutating func add(step: RankTimeAccount, _ figures: RankStepFigures) {
        wallSeconds += step.wallSeconds
        cpuSeconds += step.cpuSeconds
        teacherWaitSeconds += figures.teacherWaitSeconds
        syncWaitSeconds += figures.allreduceSeconds
        computeSeconds += figures.stepSeconds - figures.teacherWaitSeconds - figures.allreduceSeconds
    }
}
