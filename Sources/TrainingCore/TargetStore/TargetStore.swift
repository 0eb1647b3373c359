import Distillation
import Foundation
import MappedFiles

/// A teacher-target store opened for reading: `store.json` and each domain's file mapped.
/// A block's checksum is checked the first time one of its sequences is read; a damaged
/// block is named, never decoded.
public final class TargetStore {
    public let folder: String
    public let manifest: TargetStoreManifest
    let codec: TargetRowCodec
    private let files: [MappedFile?]
    /// Each domain file's path, for messages.
    private let paths: [String]
    /// Per domain, its complete blocks in sequence order.
    private let blocks: [[TargetStoreBlock]]
    private var checked: [[Bool]]

    /// Opens the store in `folder`; `key`, when given, must be the store's.
    public convenience init(folder: String, key: TargetStoreKey? = nil) throws {
        let manifest = try TargetStoreManifest.read(folder: folder)
        if let key, let difference = manifest.key.firstDifference(from: key) {
            throw TargetStoreError.keyMismatch(path: (folder as NSString).appendingPathComponent(TargetStoreManifest.fileName),
                                               difference: difference)
        }
        let files = try manifest.domains.indices.map { index -> MappedFile? in
            let path = TargetStoreManifest.domainFile(index, in: folder)
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            do { return try MappedFile(path: path) } catch { throw TargetStoreError.io(path: path, problem: "\(error)") }
        }
        try self.init(manifest: manifest, folder: folder, files: files)
    }

    /// A store of `manifest` whose domain files are `files` (nil: nothing captured yet);
    /// errors name each file by its path.
    public init(manifest: TargetStoreManifest, folder: String, files: [MappedFile?]) throws {
        precondition(files.count == manifest.domains.count, "one file (or nil) per domain")
        self.folder = folder
        self.manifest = manifest
        codec = manifest.codec
        self.files = files
        paths = files.indices.map { files[$0]?.path ?? TargetStoreManifest.domainFile($0, in: folder) }
        blocks = try files.indices.map { index in
            guard let file = files[index] else { return [] }
            return try Self.scan(file.bytes, path: file.path, domain: index, manifest: manifest)
        }
        checked = blocks.map { Array(repeating: false, count: $0.count) }
    }

    /// The complete blocks at the start of a domain file, each where the manifest puts it
    /// (a short last block only at the domain's end); stops at a block cut off by the end of
    /// the file (a capture stopped while writing it). A block out of place throws, or with
    /// `keepingIntactPrefix` (a capture resuming) ends the scan, as does a failed checksum.
    static func scan(_ bytes: UnsafeRawBufferPointer, path: String, domain: Int, manifest: TargetStoreManifest,
                     keepingIntactPrefix: Bool = false) throws -> [TargetStoreBlock] {
        let expectedBlocks = manifest.domains[domain].blockCount(blockSequences: manifest.blockSequences)
        var blocks = [TargetStoreBlock](), offset = 0
        while blocks.count < expectedBlocks {
            do {
                guard let block = try TargetStoreBlock.header(in: bytes, at: offset, path: path, index: blocks.count) else { break }
                let first = blocks.count * manifest.blockSequences
                let count = min(manifest.blockSequences, manifest.domains[domain].capturedSequences - first)
                guard block.domain == domain, block.firstSequence == first, block.sequenceCount == count else {
                    throw TargetStoreError.damagedBlock(path: path, block: blocks.count, byteOffset: offset, problem:
                        "holds domain \(block.domain) sequences from \(block.firstSequence) (\(block.sequenceCount)), "
                        + "expected domain \(domain) from \(first) (\(count))")
                }
                if keepingIntactPrefix && !block.isIntact(in: bytes) { break }
                blocks.append(block)
                offset = block.end
            } catch where keepingIntactPrefix {
                break
            }
        }
        return blocks
    }

    /// Sequences of domain `domain` the store holds (the first ones, in the shards' order).
    public func capturedSequences(domain: Int) -> Int {
        min(blocks[domain].count * manifest.blockSequences, manifest.domains[domain].capturedSequences)
    }

    /// Whether the store holds `sequence`'s targets.
    public func holds(_ sequence: SequenceOrigin) -> Bool {
        manifest.domains.indices.contains(sequence.domain) && sequence.index >= 0 && sequence.index < capturedSequences(domain: sequence.domain)
    }

    /// Whether the store holds every sequence it was made for.
    public var isComplete: Bool {
        manifest.domains.indices.allSatisfy { capturedSequences(domain: $0) == manifest.domains[$0].capturedSequences }
    }

    /// The targets of `sequences`, one sequence's T rows after the other: (B·T) rows, what
    /// the teacher sends for that batch (within the quantization).
    public func targets(of sequences: [SequenceOrigin]) throws -> TopKTargets {
        let T = manifest.key.sequenceLength, k = manifest.key.topK
        var ids = [Int32](), logProbabilities = [Float](), tailMass = [Float]()
        ids.reserveCapacity(sequences.count * T * k); logProbabilities.reserveCapacity(sequences.count * T * k)
        tailMass.reserveCapacity(sequences.count * T)
        for sequence in sequences {
            let path = paths.indices.contains(sequence.domain) ? paths[sequence.domain]
                : TargetStoreManifest.domainFile(sequence.domain, in: folder)
            let rows = try sequenceRows(domain: sequence.domain, index: sequence.index, path: path)
            var reader = BitReader(rows)
            let first = tailMass.count
            do {
                try codec.decode(rowCount: T, from: &reader, ids: &ids, logProbabilities: &logProbabilities, tailMass: &tailMass)
                _ = try TopKTargets(rowCount: T, k: k, vocabularySize: manifest.key.vocabularySize, temperature: manifest.key.temperature,
                                    ids: Array(ids[(first * k)..<ids.count]),
                                    logProbabilities: Array(logProbabilities[(first * k)..<logProbabilities.count]),
                                    tailMass: Array(tailMass[first..<tailMass.count]))
            } catch {
                let block = sequence.index / manifest.blockSequences
                throw TargetStoreError.damagedBlock(path: path, block: block, byteOffset: blocks[sequence.domain][block].offset,
                                                    problem: "sequence \(sequence.index)'s rows are not top-k rows (\(error))")
            }
        }
        return try TopKTargets(rowCount: sequences.count * T, k: k, vocabularySize: manifest.key.vocabularySize,
                               temperature: manifest.key.temperature, ids: ids, logProbabilities: logProbabilities,
                               tailMass: tailMass)
    }

    /// Reads every held sequence (checksums and rows); the blocks and sequences read.
    public func verify() throws -> (blocks: Int, sequences: Int) {
        var sequences = 0
        for domain in manifest.domains.indices {
            for index in 0..<capturedSequences(domain: domain) {
                _ = try targets(of: [SequenceOrigin(domain: domain, index: index)])
                sequences += 1
            }
        }
        return (blocks.reduce(0) { $0 + $1.count }, sequences)
    }

    /// A held sequence's encoded rows, its block's checksum checked.
    private func sequenceRows(domain: Int, index: Int, path: String) throws -> UnsafeRawBufferPointer {
        guard manifest.domains.indices.contains(domain), index >= 0, index < capturedSequences(domain: domain),
              let file = files[domain] else {
            let name = manifest.domains.indices.contains(domain) ? manifest.domains[domain].name : "#\(domain)"
            throw TargetStoreError.notCaptured(path: path, domain: name, sequence: index,
                                               captured: manifest.domains.indices.contains(domain) ? capturedSequences(domain: domain) : 0)
        }
        let blockIndex = index / manifest.blockSequences
        let block = blocks[domain][blockIndex]
        if !checked[domain][blockIndex] {
            guard block.isIntact(in: file.bytes) else {
                throw TargetStoreError.damagedBlock(path: path, block: blockIndex, byteOffset: block.offset, problem: "checksum mismatch")
            }
            checked[domain][blockIndex] = true
        }
        return try block.rows(ofSequence: index - block.firstSequence, in: file.bytes, path: path, index: blockIndex)
    }
}
