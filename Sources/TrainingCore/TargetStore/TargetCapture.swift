import DataPipeline
import Distillation
import Foundation
import LanguageModels

/// The teacher's top-k targets for a store's blocks: the unit of work of `ddk capture`.
/// A block's sequences go through the teacher as one batch, whichever rank computes it,
/// so the bytes of a block do not depend on how many ranks capture.
///
/// Shapes: S = sequences of a block, T = sequence length, K = top-k.
public struct TargetCapture {
    public let manifest: TargetStoreManifest
    public let worker: TeacherWorker
    public let dataset: PreparedDataset

    /// `worker` must send top-k targets at the manifest's k and τ for up to S sequences.
    public init(manifest: TargetStoreManifest, worker: TeacherWorker, dataset: PreparedDataset) {
        precondition(worker.format.k == manifest.key.topK && worker.format.temperature == manifest.key.temperature,
                     "the teacher's message format must be the store's k and τ")
        self.manifest = manifest
        self.worker = worker
        self.dataset = dataset
    }

    /// A block of the store: domain `domain`'s block number `block`.
    public struct BlockAddress: Equatable, Sendable {
        public var domain: Int
        public var block: Int
    }

    /// The blocks still to capture, domain by domain, after `completedBlocks` of each.
    public func pendingBlocks(completedBlocks: [Int]) -> [BlockAddress] {
        manifest.domains.indices.flatMap { domain in
            (completedBlocks[domain]..<manifest.domains[domain].blockCount(blockSequences: manifest.blockSequences))
                .map { BlockAddress(domain: domain, block: $0) }
        }
    }

    /// Training sequences (and so label tokens, T each) in `address`'s block.
    public func sequenceCount(_ address: BlockAddress) -> Int {
        min(manifest.blockSequences, manifest.domains[address.domain].capturedSequences - address.block * manifest.blockSequences)
    }

    /// The teacher's targets for `address`'s block, encoded (`TargetStoreBlock`).
    public func encodeBlock(_ address: BlockAddress) throws -> [UInt8] {
        let T = manifest.key.sequenceLength, first = address.block * manifest.blockSequences
        let count = sequenceCount(address)
        var tokens = [Int32](repeating: 0, count: count * (T + 1))
        tokens.withUnsafeMutableBufferPointer { all in
            for s in 0..<count {
                dataset.domains[address.domain].train.copySequence(
                    first + s, into: UnsafeMutableBufferPointer(rebasing: all[s * (T + 1)..<(s + 1) * (T + 1)]))
            }
        }
        let outputs = try worker.outputs(for: SequenceBatch(sequences: tokens, batchSize: count, sequenceLength: T),
                                         step: 0, studentIndex: 0)
        guard let targets = outputs.topK else { throw DistillationError.missingTeacherData("top-k targets for the store") }
        return TargetStoreBlock.encode(domain: address.domain, firstSequence: first,
                                       sequences: manifest.codec.encodeSequences(targets, sequenceLength: T))
    }
}

extension TargetStoreManifest {
    /// The manifest of a job's store: its teacher (weights hashed), shards, T, k and τ, and
    /// the config's `[store]` settings.
    public static func forJob(_ config: DistillConfig, teacher: ModelSource, dataset: PreparedDataset,
                              tokenizerIdentity: String) throws -> TargetStoreManifest {
        guard let topK = config.objective.topK, let temperature = config.objective.temperature,
              try ObjectiveKind(name: config.objective.name) == .kd else {
            throw StoreRefusal("a teacher-target store holds top-k targets: it needs objective.name = \"kd\" with objective.top_k "
                + "and objective.temperature (got \(config.objective.name), top_k \(config.objective.topK.map(String.init) ?? "unset"))")
        }
        let key = TargetStoreKey(teacherHash: ContentHash.hex(try ContentHash.ofFiles(teacher.weightFiles).value), tokenizerIdentity: tokenizerIdentity,
                                 sequenceLength: dataset.sequenceLength, vocabularySize: teacher.architecture.vocabularySize,
                                 topK: topK, temperature: Float(temperature))
        let settings = config.store ?? DistillConfig.StoreSection()
        let domains = dataset.domains.map { domain in
            Domain(name: domain.name, trainSequences: domain.train.count,
                   capturedSequences: min(domain.train.count, settings.sequencesPerDomain ?? Int.max))
        }
        return TargetStoreManifest(key: key, teacher: teacher.path,
                                   logProbabilityBits: settings.logProbabilityBits ?? DistillConfig.StoreSection.defaultLogProbabilityBits,
                                   blockSequences: settings.blockSequences ?? DistillConfig.StoreSection.defaultBlockSequences,
                                   domains: domains)
    }

    /// The store folder of a config: `store.path`, else `teacher-store` beside `domains.json`.
    public static func folder(for config: DistillConfig) -> String {
        if let path = config.store?.path { return path }
        var isFolder: ObjCBool = false
        let shards = config.data.shards
        let base = FileManager.default.fileExists(atPath: shards, isDirectory: &isFolder) && isFolder.boolValue
            ? shards : (shards as NSString).deletingLastPathComponent
        return (base as NSString).appendingPathComponent("teacher-store")
    }
}

/// A config that cannot have a store, in one line.
public struct StoreRefusal: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
