import Foundation
import MappedFiles
import TrainingCore

/// A teacher-target store: the bytes as a domain's target file (its blocks scanned, every
/// checksum checked and every held sequence decoded) under a fixed manifest, once with
/// quantized rows and once with float32 rows; and the same bytes as a `store.json`.
enum TeacherStoreTarget {
    static let manifestPath = "fuzz-store.json"
    static let domainPath = "fuzz-domain-0.targets"

    /// The manifests the seeds were written for: 3 positions, k = 4 of 300 ids, blocks of 2,
    /// 5 sequences captured.
    static let manifests = [8, 32].map { bits in
        TargetStoreManifest(key: TargetStoreKey(teacherHash: "fuzz", tokenizerIdentity: "fuzz", sequenceLength: 3,
                                                vocabularySize: 300, topK: 4, temperature: 1),
                            teacher: "fuzz", logProbabilityBits: bits, blockSequences: 2,
                            domains: [.init(name: "fuzz", trainSequences: 8, capturedSequences: 5)])
    }

    static func run(_ bytes: UnsafeRawBufferPointer) {
        Finding.expectingErrors(naming: manifestPath) { _ = try TargetStoreManifest.decode(FuzzInput.data(bytes), path: manifestPath) }
        for manifest in manifests {
            let file = MappedFile(copying: bytes, path: domainPath)
            if let store = Finding.expectingErrors(naming: domainPath, { try TargetStore(manifest: manifest, folder: "fuzz", files: [file]) }) {
                Finding.expectingErrors(naming: domainPath) { blackHole(try store.verify()) }
            }
        }
    }
}
