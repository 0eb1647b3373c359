import ArgumentParser
import Engine
import Foundation
import LanguageModels
import MPI
import Runtime
import TrainingCore

/// `ddk distill`: the distillation job. Under `mpirun` every rank runs this same command
/// and takes its role from the config and the world size; started alone it runs every
/// role in one process.
struct DistillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distill",
        abstract: "Distill the teacher into a student across MPI ranks (DDK domain weighting).",
        discussion: """
        Rank 0 coordinates (and trains unless training.coordinator_trains = false), ranks \
        1…P serve the teacher, the others train data-parallel. Metrics go to \
        <run folder>/metrics.jsonl (see the README). Example: \
        mpirun -np 3 ddk distill --config launch/configs/tiny.toml --set training.steps=20
        """)

    @Option(help: "The run config (TOML, see launch/configs/).")
    var config: String

    @OptionGroup var overrides: ConfigOverridesOption

    @Option(help: ArgumentHelp("Continue a run from a checkpoint folder written by ddk distill; 'latest': the run folder's newest (which must exist); 'auto': the newest if there is one, else start at step 0.",
                               valueName: "folder|latest|auto"))
    var resume: String?

    @Flag(help: "After step 0, compare the students' summed gradient with one process computing the whole global batch (writes gradient_check.json; fails the run when they differ).")
    var checkGradient = false

    func run() throws {
        let environment = try MPIEnvironment(threadLevel: .multiple)
        let world = environment.world
        if world.size > 1 { BLASThreads.set(1) }
        var roles = "starting"
        do {
            let agreed = try DistillJobLaunch.agree(world: world, configPath: config, overrides: overrides.overrides, resume: resume)
            let job = try DistillJob(world: world, config: agreed.config, configHash: agreed.hash, teacher: agreed.teacher,
                                     options: .init(checkGradient: checkGradient, versions: DDK.runVersions,
                                                    resume: resume))
            roles = DistillJob.roleName(job.layout.roles(ofRank: world.rank))
            let summary = try job.run()
            try environment.finalize()
            if let check = summary.gradientCheck, !check.passed {
                throw ExitCode(2)
            }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw DistillJobLaunch.fail(error, prefix: "ddk distill: rank \(world.rank) (\(roles))", environment: environment)
        }
    }
}
