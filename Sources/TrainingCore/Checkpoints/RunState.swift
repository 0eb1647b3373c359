import DataPipeline
import Foundation

/// The runtime's part of a checkpoint (`run_state.json`): everything besides the weights
/// and optimizer moments that a resumed run needs to derive the same batches and make
/// the same DDK decisions (docs/RUNTIME_DESIGN.md, "Checkpoints hold everything the
/// derivation in step 1 needs").
///
/// Random state: the sampler's draws are a counter-based function of (seed, step), the
/// student and projector initializations are seeded, and nothing else draws, so the
/// seed plus the sampler cursor is the whole RNG state.
public struct RunState: Codable, Equatable, Sendable {
    /// Format tag, checked on load.
    public static let formatName = "swiftddk-run-state/1"
    /// File name inside a checkpoint folder.
    public static let fileName = "run_state.json"

    public var format: String = RunState.formatName
    /// Steps completed: the resumed run continues with this step.
    public var step: Int
    /// Label tokens trained on so far (global batch).
    public var tokensSeen: Int
    /// The config hash of the run that wrote it (informational: a resume may change
    /// keys that do not affect the derivation, e.g. the world size or `training.steps`).
    public var configHash: String
    /// The seed every draw is keyed by.
    public var seed: UInt64
    /// Sequences per step over all students.
    public var globalBatchSequences: Int
    /// Tokens per sequence.
    public var sequenceLength: Int
    /// Student ranks of the run that wrote it (a resume may use another count that
    /// divides the global batch).
    public var studentCount: Int
    /// Domain names in dataset order (checked against the shards on resume).
    public var domainNames: [String]
    /// The sampler position before `step`.
    public var samplerCursor: SamplerCursor
    /// Every DDK decision so far, by the step it applies from.
    public var weightHistory: WeightHistory
    /// The DDK interval K (boundaries at multiples of K).
    public var intervalSteps: Int
    /// A hash (16 hex digits) of the student's weights before step 1, carried through every
    /// resume: runs that share it started from the same student (absent in checkpoints
    /// written before it existed).
    public var initialWeightsHash: String?

    /// The domain weights in force at `step` (the coordinator's current weights).
    public var currentWeights: [Double] { weightHistory.weights(atStep: step).values }

    enum CodingKeys: String, CodingKey {
        case format, step, seed
        case tokensSeen = "tokens_seen"
        case configHash = "config_hash"
        case globalBatchSequences = "global_batch_sequences"
        case sequenceLength = "sequence_length"
        case studentCount = "student_count"
        case domainNames = "domain_names"
        case samplerCursor = "sampler_cursor"
        case weightHistory = "weight_history"
        case intervalSteps = "interval_steps"
        case initialWeightsHash = "initial_weights_hash"
    }

    public init(step: Int, tokensSeen: Int, configHash: String, seed: UInt64, globalBatchSequences: Int,
                sequenceLength: Int, studentCount: Int, domainNames: [String], samplerCursor: SamplerCursor,
                weightHistory: WeightHistory, intervalSteps: Int, initialWeightsHash: String? = nil) {
        self.step = step
        self.tokensSeen = tokensSeen
        self.configHash = configHash
        self.seed = seed
        self.globalBatchSequences = globalBatchSequences
        self.sequenceLength = sequenceLength
        self.studentCount = studentCount
        self.domainNames = domainNames
        self.samplerCursor = samplerCursor
        self.weightHistory = weightHistory
        self.intervalSteps = intervalSteps
        self.initialWeightsHash = initialWeightsHash
    }

    /// Reads `run_state.json` from a checkpoint folder.
    public static func load(from folder: URL) throws -> RunState {
        let url = folder.appendingPathComponent(fileName)
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ResumeError("\(url.path): cannot be read (not a checkpoint folder written by ddk distill?)")
        }
        return try decode(data, path: url.path)
    }

    /// Decodes and checks the bytes of a `run_state.json` (`path` names it in errors).
    public static func decode(_ data: Data, path: String) throws -> RunState {
        let state: RunState
        do { state = try JSONDecoder().decode(RunState.self, from: data) } catch {
            throw ResumeError("\(path): not a valid run state: \(error)")
        }
        guard state.format == formatName else {
            throw ResumeError("\(path): format '\(state.format)', expected '\(formatName)'")
        }
        try state.check(path: path)
        return state
    }

    /// The JSON text (sorted keys, one value per line).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

/// A checkpoint that cannot be resumed from, or does not fit the run (one line).
public struct ResumeError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
