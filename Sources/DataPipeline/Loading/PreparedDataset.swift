import Foundation

/// The prepared dataset: `domains.json` and every domain's memory-mapped shards,
/// checked against the tokenizer of the run.
///
/// Training sequences are addressed by a domain's running *position* (how many
/// sequences that domain has served so far, as counted by `DomainSampler`):
/// position p is in epoch p / n (n = the domain's sequence count) and maps to
/// sequence `EpochPermutation(n, seed, domain, epoch)(p mod n)` — so a domain
/// that runs out wraps around, reshuffled at every epoch, deterministically.
/// Validation sequences are fixed: the first V sequences of the validation shard.
public final class PreparedDataset: Sendable {
    /// One domain's shards.
    public struct Domain: Sendable {
        /// The domain's name.
        public let name: String
        /// Training sequences (T+1 tokens each).
        public let train: TokenSequences
        /// Validation sequences (T+1 tokens each).
        public let validation: TokenSequences
    }

    /// The summary read from `domains.json`.
    public let summary: DatasetSummary
    /// The domains, in summary order (the domain index used by the sampler).
    public let domains: [Domain]
    /// T.
    public let sequenceLength: Int
    /// Seed of the per-epoch reshuffle.
    public let shuffleSeed: UInt64
    /// Per domain, the training sequences the sampler draws from: all of them, or the first
    /// ones (`restrictingTraining(to:)`).
    public let drawnTrainSequences: [Int]

    /// Opens `domains.json` at `summaryPath` (or the folder holding it) and all its
    /// shards. A dataset made by another tokenizer (identity or vocabulary size) is
    /// refused, as is a domain too small for one training sequence or for
    /// `validationSequences` validation sequences.
    public init(summaryPath: String, tokenizerIdentity: String, vocabularySize: Int,
                sequenceLength: Int, validationSequences: Int? = nil, shuffleSeed: UInt64) throws {
        var isDirectory: ObjCBool = false
        let path = FileManager.default.fileExists(atPath: summaryPath, isDirectory: &isDirectory) && isDirectory.boolValue
            ? (summaryPath as NSString).appendingPathComponent(DatasetSummary.fileName) : summaryPath
        let summary = try DatasetSummary.read(from: path)
        guard summary.tokenizer.identity == tokenizerIdentity else {
            throw ShardError.tokenizerMismatch(path: path, shardIdentity: summary.tokenizer.identity, expectedIdentity: tokenizerIdentity)
        }
        guard summary.tokenizer.vocabularySize == vocabularySize else {
            throw ShardError.vocabularyMismatch(path: path, shardVocabulary: summary.tokenizer.vocabularySize, expectedVocabulary: vocabularySize)
        }
        guard sequenceLength >= 1 else { throw DatasetError(path: path, problem: "sequence length must be at least 1") }
        let folder = (path as NSString).deletingLastPathComponent
        var domains: [Domain] = []
        for entry in summary.domains {
            func open(_ split: DatasetSummary.Split) throws -> TokenSequences {
                let shard = try Shard(path: (folder as NSString).appendingPathComponent(split.path),
                                      expectedIdentity: tokenizerIdentity, expectedVocabularySize: vocabularySize)
                guard shard.tokenCount == split.tokens, shard.documentCount == split.documents else {
                    throw DatasetError(path: shard.path, problem: "shard holds \(shard.tokenCount) tokens in \(shard.documentCount) documents, \(DatasetSummary.fileName) says \(split.tokens) in \(split.documents); re-run `ddk prepare`")
                }
                return TokenSequences(shard: shard, sequenceLength: sequenceLength)
            }
            let domain = Domain(name: entry.name, train: try open(entry.train), validation: try open(entry.validation))
            guard domain.train.count >= 1 else {
                throw DatasetError(path: domain.train.shard.path, problem: "domain '\(entry.name)' has no training sequence of \(sequenceLength + 1) tokens")
            }
            let wanted = validationSequences ?? summary.validationSequences
            guard domain.validation.count >= wanted else {
                throw DatasetError(path: domain.validation.shard.path, problem: "domain '\(entry.name)' has \(domain.validation.count) validation sequences of \(sequenceLength + 1) tokens, \(wanted) wanted; re-run `ddk prepare` with --sequence-length \(sequenceLength) --validation-sequences \(wanted)")
            }
            domains.append(domain)
        }
        self.summary = summary
        self.domains = domains
        self.sequenceLength = sequenceLength
        self.shuffleSeed = shuffleSeed
        drawnTrainSequences = domains.map(\.train.count)
    }

    private init(_ dataset: PreparedDataset, drawnTrainSequences: [Int]) {
        summary = dataset.summary
        domains = dataset.domains
        sequenceLength = dataset.sequenceLength
        shuffleSeed = dataset.shuffleSeed
        self.drawnTrainSequences = drawnTrainSequences
    }

    /// The same dataset with the sampler drawing only from the first `counts[d]` training
    /// sequences of each domain (those a teacher-target store holds), cycling through them
    /// as through a domain that runs out.
    public func restrictingTraining(to counts: [Int]) throws -> PreparedDataset {
        guard counts.count == domains.count else {
            throw DatasetError(path: summary.domains.first?.train.path ?? "", problem: "\(counts.count) counts for \(domains.count) domains")
        }
        for (domain, count) in zip(domains, counts) where count < 1 || count > domain.train.count {
            throw DatasetError(path: domain.train.shard.path, problem: "domain '\(domain.name)': cannot draw from \(count) of its \(domain.train.count) training sequences")
        }
        return PreparedDataset(self, drawnTrainSequences: counts)
    }

    /// Domain names, in index order.
    public var domainNames: [String] { domains.map(\.name) }

    /// The training sequence index served at `position` of `domain` (wraps around,
    /// reshuffled per epoch).
    public func trainSequenceIndex(domain: Int, position: UInt64) -> Int {
        let drawn = drawnTrainSequences[domain]
        let count = UInt64(drawn)
        let permutation = EpochPermutation(count: drawn, seed: shuffleSeed,
                                           key: CounterRNG.key(domains[domain].name), epoch: position / count)
        return permutation(Int(position % count))
    }

    /// Copies the training sequence at `position` of `domain` into `destination` (T+1 tokens).
    public func copyTrainSequence(domain: Int, position: UInt64, into destination: UnsafeMutableBufferPointer<Int32>) {
        domains[domain].train.copySequence(trainSequenceIndex(domain: domain, position: position), into: destination)
    }

    /// Copies the sequences of a sampler's assignments into `destination`, one after
    /// the other ((assignments.count, T+1) tokens).
    public func copyBatch(_ assignments: [SequenceAssignment], into destination: UnsafeMutableBufferPointer<Int32>) {
        let width = sequenceLength + 1
        precondition(destination.count == assignments.count * width, "batch buffer must hold \(assignments.count) × \(width) tokens")
        for (row, assignment) in assignments.enumerated() {
            copyTrainSequence(domain: assignment.domain, position: assignment.position,
                              into: UnsafeMutableBufferPointer(rebasing: destination[row * width..<(row + 1) * width]))
        }
    }

    /// The fixed validation sequences of `domain`: `count` sequences of its validation shard
    /// from sequence `first` (DDK measures the first ones; a held-out evaluation the ones
    /// after them), the same at every evaluation. (count, T+1) tokens, row-major.
    public func validationBatch(domain: Int, count: Int, first: Int = 0) throws -> [Int32] {
        let sequences = domains[domain].validation
        guard first >= 0, first + count <= sequences.count else {
            throw DatasetError(path: sequences.shard.path, problem: "domain '\(domains[domain].name)' has only \(sequences.count) validation sequences, "
                + "\(first + count) needed (\(count) from sequence \(first))")
        }
        var tokens: [Int32] = []
        tokens.reserveCapacity(count * (sequenceLength + 1))
        for index in first..<first + count { tokens.append(contentsOf: sequences.sequence(index)) }
        return tokens
    }
}
