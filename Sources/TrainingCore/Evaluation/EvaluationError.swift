/// A checkpoint that cannot be evaluated against a run config, in one line naming the
/// folder or file and what is wrong.
public enum EvaluationError: Error, Equatable, CustomStringConvertible {
    /// The checkpoint folder does not exist (or is a file).
    case missingCheckpoint(folder: String)
    /// A file every checkpoint holds is missing.
    case missingFile(folder: String, file: String)
    /// No config was given and the checkpoint is not inside a run folder with `config.toml`.
    case missingConfig(looked: String)
    /// The checkpoint's tokenizer is not the one that made the shards.
    case tokenizerMismatch(checkpoint: String, checkpointIdentity: String, shards: String, shardIdentity: String)
    /// The checkpoint's vocabulary size is not the shards'.
    case vocabularyMismatch(checkpoint: String, checkpointVocabulary: Int, shards: String, shardVocabulary: Int)
    /// `run_state.json` names other domains than the shards hold.
    case domainMismatch(runState: String, runStateDomains: [String], shardDomains: [String])
    /// The `step` recorded in the checkpoint's metadata is not an integer.
    case badStep(file: String, value: String)

    public var description: String {
        switch self {
        case let .missingCheckpoint(folder):
            return "checkpoint \(folder): no such folder (a checkpoint is a folder holding model.safetensors and config.json, e.g. runs/NAME/checkpoints/step-N)"
        case let .missingFile(folder, file):
            return "checkpoint \(folder): has no \(file) (a checkpoint folder holds model.safetensors and config.json, written by ddk distill, ddk init-student or ddk init-model)"
        case let .missingConfig(looked):
            return "no run config: \(looked) does not exist (the checkpoint is not inside a run folder); pass --config FILE"
        case let .tokenizerMismatch(checkpoint, checkpointIdentity, shards, shardIdentity):
            return "checkpoint \(checkpoint) was trained with tokenizer \(checkpointIdentity), the shards \(shards) were made by \(shardIdentity); evaluate it on shards prepared with its tokenizer"
        case let .vocabularyMismatch(checkpoint, checkpointVocabulary, shards, shardVocabulary):
            return "checkpoint \(checkpoint) has a vocabulary of \(checkpointVocabulary) tokens, the shards \(shards) one of \(shardVocabulary); evaluate it on shards prepared with its tokenizer"
        case let .domainMismatch(runState, runStateDomains, shardDomains):
            return "\(runState) names the domains \(runStateDomains), the shards hold \(shardDomains); use the run's own config (--config)"
        case let .badStep(file, value):
            return "\(file): metadata step '\(value)' is not an integer"
        }
    }
}
