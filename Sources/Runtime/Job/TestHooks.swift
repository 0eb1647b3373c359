import Foundation

/// Hooks for the test scripts, read from the environment so that no production option type
/// (the config, the command line, `DistillJob.Options`) carries them.
public struct TestHooks {
    /// `DDK_TEST_CHECKPOINT_STALL=STEP:SECONDS`: student 0 sleeps with the checkpoint of STEP
    /// half written, so a test can kill it mid-write.
    public var checkpointStall: (step: Int, seconds: Double)?
    /// `DDK_TEST_CAPTURE_STALL=BLOCKS:SECONDS`: `ddk capture`'s rank 0 sleeps once it has
    /// written BLOCKS blocks, so a test can kill the capture midway.
    public var captureStall: (blocks: Int, seconds: Double)?
    /// `DDK_TEST_STEP_STALL=RANK:STEP:SECONDS`: world rank RANK, a student, sleeps before
    /// step STEP, so the other students wait for it in that step's gradient all-reduce.
    public var stepStall: (rank: Int, step: Int, seconds: Double)?

    public init(checkpointStall: (step: Int, seconds: Double)? = nil, captureStall: (blocks: Int, seconds: Double)? = nil,
                stepStall: (rank: Int, step: Int, seconds: Double)? = nil) {
        self.checkpointStall = checkpointStall
        self.captureStall = captureStall
        self.stepStall = stepStall
    }

    /// The hooks set in `environment` (none when no variable is set).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> TestHooks {
        var hooks = TestHooks()
        hooks.checkpointStall = try countAndSeconds("DDK_TEST_CHECKPOINT_STALL", "STEP", environment)
        hooks.captureStall = try countAndSeconds("DDK_TEST_CAPTURE_STALL", "BLOCKS", environment)
        if let value = environment["DDK_TEST_STEP_STALL"], !value.isEmpty {
            let parts = value.split(separator: ":")
            guard parts.count == 3, let rank = Int(parts[0]), let step = Int(parts[1]), let seconds = Double(parts[2]) else {
                throw TestHookError("DDK_TEST_STEP_STALL must be RANK:STEP:SECONDS, not '\(value)'")
            }
            hooks.stepStall = (rank, step, seconds)
        }
        return hooks
    }

    /// A `COUNT:SECONDS` variable, nil when unset.
    private static func countAndSeconds(_ name: String, _ countName: String, _ environment: [String: String]) throws -> (Int, Double)? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let count = Int(parts[0]), let seconds = Double(parts[1]) else {
            throw TestHookError("\(name) must be \(countName):SECONDS, not '\(value)'")
        }
        return (count, seconds)
    }

    /// Seconds world rank `rank` sleeps before training `step` (0: none).
    func stepStallSeconds(rank: Int, step: Int) -> Double {
        stepStall.flatMap { $0.rank == rank && $0.step == step ? $0.seconds : nil } ?? 0
    }

    /// Seconds to stall the checkpoint after `step` (0: none).
    func checkpointStallSeconds(afterStep step: Int) -> Double {
        checkpointStall.flatMap { $0.step == step ? $0.seconds : nil } ?? 0
    }
}

/// A test hook's variable that does not parse.
public struct TestHookError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
