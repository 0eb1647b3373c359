import Foundation
import MappedFiles

/// A teacher-target store being captured: blocks are appended to each domain's file in
/// sequence order. Opening an existing store continues it: its manifest must be the one
/// asked for, and each domain file is cut back to its intact blocks (a capture killed
/// while writing leaves a partial block; a damaged one is captured again).
public final class TargetStoreWriter {
    public let folder: String
    public let manifest: TargetStoreManifest
    /// Per domain, the blocks already in the store.
    public private(set) var completedBlocks: [Int]
    private var handles: [Int: FileHandle] = [:]

    public init(folder: String, manifest: TargetStoreManifest) throws {
        self.folder = folder
        self.manifest = manifest
        let manifestPath = (folder as NSString).appendingPathComponent(TargetStoreManifest.fileName)
        if FileManager.default.fileExists(atPath: manifestPath) {
            let existing = try TargetStoreManifest.read(folder: folder)
            if let difference = existing.key.firstDifference(from: manifest.key) {
                throw TargetStoreError.keyMismatch(path: manifestPath, difference: difference)
            }
            guard existing == manifest else {
                throw TargetStoreError.invalidManifest(path: manifestPath, problem: "the store was started with other settings "
                    + "(log-probability bits \(existing.logProbabilityBits), \(existing.blockSequences) sequences per block, "
                    + "domains \(existing.domains.map { "\($0.name) \($0.capturedSequences)" }.joined(separator: ", "))); "
                    + "remove it or capture elsewhere")
            }
        } else {
            try manifest.write(folder: folder)
        }
        completedBlocks = try manifest.domains.indices.map { try Self.keepIntactBlocks(domain: $0, folder: folder, manifest: manifest) }
    }

    /// Cuts domain `index`'s file after its intact blocks; their count.
    private static func keepIntactBlocks(domain index: Int, folder: String, manifest: TargetStoreManifest) throws -> Int {
        let path = TargetStoreManifest.domainFile(index, in: folder)
        guard FileManager.default.fileExists(atPath: path) else { return 0 }
        let (blocks, end): (Int, Int) = try {
            let file = try MappedFile(path: path)
            let blocks = try TargetStore.scan(file.bytes, path: path, domain: index, manifest: manifest, keepingIntactPrefix: true)
            return (blocks.count, blocks.last?.end ?? 0)
        }()
        guard truncate(path, off_t(end)) == 0 else {
            throw TargetStoreError.io(path: path, problem: "cannot cut the file to its \(blocks) intact blocks: \(String(cString: strerror(errno)))")
        }
        return blocks
    }

    /// Appends block `bytes` (`TargetStoreBlock.encode`) to domain `domain`'s file: it must be the next one.
    public func append(domain: Int, block: Int, bytes: [UInt8]) throws {
        precondition(block == completedBlocks[domain], "blocks are appended in order")
        let path = TargetStoreManifest.domainFile(domain, in: folder)
        do {
            if handles[domain] == nil {
                if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
                try handle.seekToEnd()
                handles[domain] = handle
            }
            try handles[domain]!.write(contentsOf: bytes)
        } catch {
            throw TargetStoreError.io(path: path, problem: "cannot write block \(block): \(error)")
        }
        completedBlocks[domain] += 1
    }

    /// Flushes every file to disk and closes it.
    public func close() throws {
        for (domain, handle) in handles.sorted(by: { $0.key < $1.key }) {
            do {
                try handle.synchronize()
                try handle.close()
            } catch {
                throw TargetStoreError.io(path: TargetStoreManifest.domainFile(domain, in: folder), problem: "cannot flush: \(error)")
            }
        }
        handles = [:]
    }
}
