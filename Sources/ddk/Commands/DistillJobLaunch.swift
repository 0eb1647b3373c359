import ArgumentParser
import Foundation
import LanguageModels
import MPI
import Runtime
import TrainingCore

/// What `ddk distill` and `ddk bench distill` share: agreeing on the run config with the
/// teacher opened, and how a failed job ends.
enum DistillJobLaunch {
    /// Rank 0 alone reads the config and makes the start-up checks every rank would make
    /// alike: a refusal is one line, rank 0's (StartupRefusal on every rank). Then every rank
    /// opens the teacher of the agreed config.
    static func agree(world: Communicator, configPath: String, overrides: [String],
                      resume: String? = nil) throws -> (config: DistillConfig, hash: String, teacher: ModelSource) {
        let agreed = try ConfigAgreement.agree(world: world) {
            let loaded = try DistillConfig.load(path: configPath, overrides: overrides)
            let teacher = try ModelSource(path: loaded.teacher.model, role: .teacher)
            let resolved = try DistillJob.resolveDefaults(loaded, worldSize: world.size, teacher: teacher)
            try DistillJob.checkStartup(resolved, worldSize: world.size, teacher: teacher, resume: resume)
            return resolved
        }
        return (agreed.config, agreed.hash, try ModelSource(path: agreed.config.teacher.model, role: .teacher))
    }

    /// Says why the job failed, after `prefix` ("ddk distill: rank 3 (student)"), and ends
    /// it: a start-up refusal is known to every rank and said once, by rank 0, and no rank
    /// waits in a collective, so every rank finalizes; any other error is this rank's line,
    /// then the job aborts (more than one rank).
    static func fail(_ error: Error, prefix: String, environment: MPIEnvironment) -> ExitCode {
        if let refusal = error as? StartupRefusal {
            if let reason = refusal.reason {
                FileHandle.standardError.write(Data("\(prefix): error: \(reason)\n".utf8))
            }
            try? environment.finalize()
            return ExitCode.failure
        }
        ErrorLine.write("\(prefix): error: \(error)")
        if environment.world.size > 1 && !environment.isFinalized { environment.abort(code: 1) }
        return ExitCode.failure
    }
}
