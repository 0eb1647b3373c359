import DataPipeline
import Foundation
import TOMLKit
import TrainingCore

/// An experiment (`ddk experiment --plan FILE`, TOML): arms that are each an ordinary
/// `ddk distill` config with overrides, run with several seeds on one token budget and
/// evaluated on one held-out set.
///
///     [experiment]
///     name = "kd-vs-ce"                         # runs/NAME/ARM/seed-S
///     config = "launch/configs/demo.toml"       # the base config of every arm
///     tokens_per_arm = 61440                    # → training.steps = ⌈tokens / (global batch · T)⌉
///     held_out_sequences = 32                   # per domain, after DDK's validation sequences
///     launcher = ["mpirun", "-np", "4"]         # how each run starts (empty: one process)
///     set = ["data.validation_sequences=4"]     # overrides of every arm (before the arm's own)
///
///     [[arm]]
///     name = "kd-smooth"
///     seeds = [1, 2, 3]
///     set = ["objective.name=kd", "ddk.mode=smooth"]
struct ExperimentPlan: Codable, Equatable {
    struct Settings: Codable, Equatable {
        var name: String
        var config: String
        var tokensPerArm: Int
        var heldOutSequences: Int
        var launcher: [String]?
        /// Overrides of every arm, applied before the arm's own.
        var set: [String]?

        enum CodingKeys: String, CodingKey {
            case name, config, launcher, set
            case tokensPerArm = "tokens_per_arm"
            case heldOutSequences = "held_out_sequences"
        }
    }

    struct Arm: Codable, Equatable {
        var name: String
        var seeds: [UInt64]
        /// `section.key=value` overrides on the base config (as `ddk distill --set`).
        var set: [String]?
    }

    var experiment: Settings
    var arm: [Arm]

    /// Reads and checks a plan; every problem is one line naming the file and the key.
    static func load(path: String) throws -> ExperimentPlan {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ExperimentError("\(path): cannot be read") }
        let plan: ExperimentPlan
        do {
            let json = Data(try TOMLText.parse(text).convert(to: .json).utf8)
            plan = try JSONDecoder().decode(ExperimentPlan.self, from: json)
        } catch let error as TOMLSyntaxError {
            throw ExperimentError("\(path):\(error.line): \(error.message)")
        } catch let error as DecodingError {
            throw ExperimentError("\(path): \(DistillConfig.describe(error))")
        }
        try plan.validate(path: path)
        return plan
    }

    func validate(path: String) throws {
        func fail(_ key: String, _ problem: String) -> ExperimentError { ExperimentError("\(path): \(key) \(problem)") }
        guard !experiment.name.isEmpty, !experiment.name.contains("/") else { throw fail("experiment.name", "must be a name without '/'") }
        guard experiment.tokensPerArm > 0 else { throw fail("experiment.tokens_per_arm", "must be positive") }
        guard experiment.heldOutSequences > 0 else { throw fail("experiment.held_out_sequences", "must be positive") }
        guard !arm.isEmpty else { throw fail("arm", "lists no arm ([[arm]] tables)") }
        var names = Set<String>()
        for arm in arm {
            guard !arm.name.isEmpty, !arm.name.contains("/"), names.insert(arm.name).inserted else {
                throw fail("arm.name", "'\(arm.name)' is empty, has a '/' or is used twice")
            }
            guard !arm.seeds.isEmpty, Set(arm.seeds).count == arm.seeds.count else {
                throw fail("arm \(arm.name): seeds", "must list distinct seeds")
            }
        }
    }

    /// The folder of one run.
    func runDirectory(arm: Arm, seed: UInt64) -> String { "runs/\(experiment.name)/\(arm.name)/seed-\(seed)" }

    /// The folder of the whole experiment.
    var directory: String { "runs/\(experiment.name)" }

    /// The overrides that make the base config one run of an arm: the arm's, then the seed,
    /// the name, the folder and the steps the token budget buys.
    func overrides(arm: Arm, seed: UInt64, steps: Int) -> [String] {
        armOverrides(arm) + ["seed=\(seed)", "name=\"\(experiment.name)-\(arm.name)-s\(seed)\"",
                           "run_directory=\"\(runDirectory(arm: arm, seed: seed))\"", "training.steps=\(steps)"]
    }

    /// The experiment's overrides, then the arm's.
    func armOverrides(_ arm: Arm) -> [String] { (experiment.set ?? []) + (arm.set ?? []) }

    /// The run config of an arm and seed, and the steps of the token budget.
    func config(arm: Arm, seed: UInt64) throws -> (config: DistillConfig, steps: Int, overrides: [String]) {
        let shape = try DistillConfig.load(path: experiment.config, overrides: armOverrides(arm))
        let tokensPerStep = shape.data.globalBatchSequences * shape.data.sequenceLength
        let steps = (experiment.tokensPerArm + tokensPerStep - 1) / tokensPerStep
        let overrides = overrides(arm: arm, seed: seed, steps: steps)
        return (try DistillConfig.load(path: experiment.config, overrides: overrides), steps, overrides)
    }
}

/// A plan or an experiment that cannot go on, in one line.
struct ExperimentError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
