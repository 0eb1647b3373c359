import Foundation

/// Hooks for the test scripts, read from the environment so that no production option type
/// (the config, the command line, `DistillJob.Options`) carries them.
public struct TestHooks {
    /// `DDK_TEST_CHECKPOINT_STALL=STEP:SECONDS`: student 0 sleeps with the checkpoint of STEP
    /// half written, so a test can kill it mid-write.
    public var checkpointStall: (step: Int, seconds: Double)?

    public init(checkpointStall: (step: Int, seconds: Double)? = nil) {
        self.checkpointStall = checkpointStall
    }

    /// The hooks set in `environment` (none when no variable is set).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> TestHooks {
        var hooks = TestHooks()
        if let value = environment["DDK_TEST_CHECKPOINT_STALL"], !value.isEmpty {
            let parts = value.split(separator: ":")
            guard parts.count == 2, let step = Int(parts[0]), let seconds = Double(parts[1]) else {
                throw TestHookError("DDK_TEST_CHECKPOINT_STALL must be STEP:SECONDS, not '\(value)'")
            }
            hooks.checkpointStall = (step, seconds)
        }
        return hooks
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
