import Distillation
import Engine
import Foundation
@testable import TrainingCore
import XCTest

/// The teacher-target store: its bit streams, both row codecs, blocks, and what a damaged,
/// cut or foreign store does.
final class TargetStoreTests: XCTestCase {
    let T = 6, k = 5, V = 300

    func testBitStreamsRoundTripValuesAndUnaryCounts() throws {
        var writer = BitWriter()
        let values: [(UInt32, Int)] = [(1, 1), (0x1F, 5), (0xABCD, 16), (0xFFFF_FFFF, 32), (0, 3), (77, 7)]
        for (value, bits) in values { writer.write(value, bits: bits) }
        for count in [0, 1, 7, 8, 9, 31, 32, 33, 100] { writer.writeUnary(count) }
        let bytes = writer.finish()
        try bytes.withUnsafeBytes { raw in
            var reader = BitReader(raw)
            for (value, bits) in values { XCTAssertEqual(try reader.read(bits: bits), value) }
            for count in [0, 1, 7, 8, 9, 31, 32, 33, 100] { XCTAssertEqual(try reader.readUnary(), count) }
            XCTAssertThrowsError(try reader.read(bits: 16))
        }
    }

    func testExactCodecGivesBackTheTargetsBitForBit() throws {
        let targets = try randomTargets(rows: T, seed: 1)
        let decoded = try roundTrip(targets, bits: 32)
        XCTAssertEqual(decoded, targets)
    }

    func testQuantizedCodecKeepsIdsAndBoundsTheProbabilityError() throws {
        let targets = try randomTargets(rows: T, seed: 2)
        for bits in [8, 12] {
            let decoded = try roundTrip(targets, bits: bits)
            var worst = 0.0
            for r in 0..<T {
                let row = r * k..<(r + 1) * k
                XCTAssertEqual(Set(decoded.ids[row]), Set(targets.ids[row]), "row \(r) keeps its ids")
                for j in row {
                    let original = targets.logProbabilities[targets.ids[row].firstIndex(of: decoded.ids[j])!]
                    worst = max(worst, abs(Double(Foundation.exp(decoded.logProbabilities[j]) - Foundation.exp(original))))
                }
                XCTAssertEqual(decoded.tailMass[r], targets.tailMass[r], accuracy: 0.01 * targets.tailMass[r] + 1e-6)
                XCTAssertGreaterThanOrEqual(decoded.logProbabilities[r * k], decoded.logProbabilities[r * k + k - 1], "descending")
            }
            XCTAssertLessThan(worst, bits == 8 ? 0.01 : 0.001, "\(bits) bits")
        }
    }

    /// Log-probabilities beyond float16's range and an empty tail still round-trip: the range
    /// saturates, the far entries stay far, the others keep their probability.
    func testQuantizedCodecSaturatesBeyondFloat16() throws {
        let row: [Float] = [-0.01, -5, -70_000, -1e6, -Float.greatestFiniteMagnitude]
        let targets = try TopKTargets(rowCount: T, k: k, vocabularySize: V, temperature: 2,
                                      ids: (0..<T).flatMap { r in (0..<Int32(k)).map { Int32(r) * 7 + $0 * 50 } },
                                      logProbabilities: Array((0..<T).map { _ in row }.joined()),
                                      tailMass: Array(repeating: 0, count: T))
        let decoded = try roundTrip(targets, bits: 8)
        for r in 0..<T {
            XCTAssertEqual(Foundation.exp(decoded.logProbabilities[r * k]), Foundation.exp(-0.01), accuracy: 0.01)
            XCTAssertLessThan(decoded.logProbabilities[r * k + 2], -60_000)
            XCTAssertEqual(decoded.tailMass[r], 0)
        }
    }

    func testStoreReadsWhatTheWriterWroteAndResumesAfterACutBlock() throws {
        let folder = try temporaryFolder()
        let manifest = makeManifest(bits: 32, captured: [5, 3])
        let blocks = try makeBlocks(manifest)
        var writer = try TargetStoreWriter(folder: folder, manifest: manifest)
        for (address, bytes) in blocks { try writer.append(domain: address.domain, block: address.block, bytes: bytes.bytes) }
        try writer.close()
        let store = try TargetStore(folder: folder, key: manifest.key)
        XCTAssertTrue(store.isComplete)
        let read = try store.targets(of: [SequenceOrigin(domain: 1, index: 2), SequenceOrigin(domain: 0, index: 4)])
        let expected = blocks.first { $0.0 == .init(domain: 1, block: 1) }!.1.targets[0]
        XCTAssertEqual(Array(read.ids[0..<T * k]), expected.ids)
        XCTAssertThrowsError(try store.targets(of: [SequenceOrigin(domain: 1, index: 3)])) { error in
            XCTAssertTrue("\(error)".contains("sequence 3 is not in the store"), "\(error)")
        }

        // A capture killed while writing domain 0's last block: the reader stops before it,
        // the writer cuts it off and asks for it again.
        let path = TargetStoreManifest.domainFile(0, in: folder)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        XCTAssertEqual(truncate(path, off_t(size - 3)), 0)
        XCTAssertEqual(try TargetStore(folder: folder).capturedSequences(domain: 0), 4)
        writer = try TargetStoreWriter(folder: folder, manifest: manifest)
        XCTAssertEqual(writer.completedBlocks, [2, 2])
        try writer.append(domain: 0, block: 2, bytes: blocks.first { $0.0 == .init(domain: 0, block: 2) }!.1.bytes)
        try writer.close()
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)).count, size)
        XCTAssertTrue(try TargetStore(folder: folder).isComplete)
    }

    func testAFlippedByteIsNamedWithItsFileAndBlock() throws {
        let folder = try temporaryFolder()
        let manifest = makeManifest(bits: 8, captured: [6, 2])
        let writer = try TargetStoreWriter(folder: folder, manifest: manifest)
        for (address, block) in try makeBlocks(manifest) { try writer.append(domain: address.domain, block: address.block, bytes: block.bytes) }
        try writer.close()
        let path = TargetStoreManifest.domainFile(0, in: folder)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let secondBlock = bytes.count / 2 + 40  // inside block 1's payload (blocks of 2 sequences)
        bytes[secondBlock] ^= 0x10
        try bytes.write(to: URL(fileURLWithPath: path))
        let store = try TargetStore(folder: folder)
        XCTAssertNoThrow(try store.targets(of: [SequenceOrigin(domain: 0, index: 0)]))
        XCTAssertThrowsError(try store.targets(of: [SequenceOrigin(domain: 0, index: 3)])) { error in
            XCTAssertEqual("\(error)".contains("\(path): block 1 at byte"), true, "\(error)")
            XCTAssertTrue("\(error)".contains("checksum mismatch"), "\(error)")
        }
        // The writer captures the damaged block again, and the ones after it.
        XCTAssertEqual(try TargetStoreWriter(folder: folder, manifest: manifest).completedBlocks, [1, 1])
    }

    func testAStoreOfAnotherJobIsRefusedInOneLine() throws {
        let folder = try temporaryFolder()
        let manifest = makeManifest(bits: 8, captured: [2, 2])
        try TargetStoreWriter(folder: folder, manifest: manifest).close()
        var other = manifest.key
        other.topK = 64
        XCTAssertThrowsError(try TargetStore(folder: folder, key: other)) { error in
            XCTAssertEqual("\(error)", "\(folder)/store.json: the store holds another job's teacher targets (top-k k 5 vs 64, store vs this job)")
        }
        var otherTeacher = manifest
        otherTeacher.key.teacherHash = "0123"
        XCTAssertThrowsError(try TargetStoreWriter(folder: folder, manifest: otherTeacher)) { error in
            XCTAssertTrue("\(error)".contains("teacher weights hash 00ff vs 0123"), "\(error)")
        }
        var otherBits = manifest
        otherBits.logProbabilityBits = 12
        XCTAssertThrowsError(try TargetStoreWriter(folder: folder, manifest: otherBits)) { error in
            XCTAssertTrue("\(error)".contains("the store was started with other settings"), "\(error)")
        }
    }

    /// `store+live`: the store's rows for the sequences it holds, the teacher's for the
    /// others (and the teacher is asked for those only), merged in batch order.
    func testHybridChannelMergesStoredAndComputedTargetsInBatchOrder() throws {
        let folder = try temporaryFolder()
        let manifest = makeManifest(bits: 32, captured: [4, 2])
        let writer = try TargetStoreWriter(folder: folder, manifest: manifest)
        for (address, block) in try makeBlocks(manifest) { try writer.append(domain: address.domain, block: address.block, bytes: block.bytes) }
        try writer.close()
        let truth = { (origin: SequenceOrigin) in try self.randomTargets(rows: self.T, seed: UInt64(100 * origin.domain + origin.index)) }
        final class Teacher: TeacherChannel {
            let truth: (SequenceOrigin) throws -> TopKTargets
            var asked: [SequenceOrigin] = []
            init(truth: @escaping (SequenceOrigin) throws -> TopKTargets) { self.truth = truth }
            func beginInterval(steps: Range<Int>) throws {}
            func endInterval() throws {}
            func outputs(step: Int, batch: SequenceBatch) throws -> TeacherOutputs {
                asked += batch.origins!
                return TeacherOutputs(step: step, studentIndex: 0, rows: batch.labelCount,
                                      topK: try TopKTargets.concatenated(try batch.origins!.map(truth)))
            }
        }
        let teacher = Teacher(truth: truth)
        let channel = HybridTeacherChannel(store: try TargetStore(folder: folder), live: teacher)
        let origins = [(0, 1), (1, 5), (0, 3), (1, 1), (0, 7)].map { SequenceOrigin(domain: $0.0, index: $0.1) }
        var batch = SequenceBatch(sequences: [Int32](repeating: 1, count: origins.count * (T + 1)), batchSize: origins.count, sequenceLength: T)
        batch.origins = origins
        let outputs = try channel.outputs(step: 0, batch: batch)
        XCTAssertEqual(outputs.topK, try TopKTargets.concatenated(try origins.map(truth)))
        XCTAssertEqual(outputs.rows, origins.count * T)
        XCTAssertEqual(teacher.asked, [SequenceOrigin(domain: 1, index: 5), SequenceOrigin(domain: 0, index: 7)])
        XCTAssertEqual([channel.storeSequences, channel.liveSequences], [3, 2])
    }

    // MARK: - Helpers

    func randomTargets(rows: Int, seed: UInt64) throws -> TopKTargets {
        var generator = SeededGenerator(seed: seed)
        var logits = [Float](repeating: 0, count: rows * V)
        logits.withUnsafeMutableBufferPointer { generator.fillNormal($0, standardDeviation: 3) }
        return try TopKTargets(teacherLogits: logits, rowCount: rows, vocabularySize: V, k: k, temperature: 2)
    }

    func roundTrip(_ targets: TopKTargets, bits: Int) throws -> TopKTargets {
        let codec = TargetRowCodec(k: k, vocabularySize: V, temperature: 2, logProbabilityBits: bits)
        return try codec.decodeSequences(codec.encodeSequences(targets, sequenceLength: T), sequenceLength: T)
    }

    func makeManifest(bits: Int, captured: [Int]) -> TargetStoreManifest {
        let key = TargetStoreKey(teacherHash: "00ff", tokenizerIdentity: "test", sequenceLength: T, vocabularySize: V,
                                 topK: k, temperature: 2)
        return TargetStoreManifest(key: key, teacher: "teacher.gguf", logProbabilityBits: bits, blockSequences: 2,
                                   domains: captured.enumerated().map { .init(name: "d\($0.offset)", trainSequences: 10, capturedSequences: $0.element) })
    }

    /// Every block of `manifest` with random targets per sequence.
    func makeBlocks(_ manifest: TargetStoreManifest) throws -> [(TargetCapture.BlockAddress, (bytes: [UInt8], targets: [TopKTargets]))] {
        var result: [(TargetCapture.BlockAddress, (bytes: [UInt8], targets: [TopKTargets]))] = []
        for (domain, entry) in manifest.domains.enumerated() {
            for block in 0..<entry.blockCount(blockSequences: 2) {
                let count = min(2, entry.capturedSequences - 2 * block)
                let targets = try (0..<count).map { try randomTargets(rows: T, seed: UInt64(100 * domain + 2 * block + $0)) }
                let sequences = targets.flatMap { manifest.codec.encodeSequences($0, sequenceLength: T) }
                result.append((.init(domain: domain, block: block),
                               (TargetStoreBlock.encode(domain: domain, firstSequence: 2 * block, sequences: sequences), targets)))
            }
        }
        return result
    }

    func temporaryFolder() throws -> String {
        let folder = NSTemporaryDirectory() + "target-store-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: folder) }
        return folder
    }
}
