import DataPipeline
import Foundation
import XCTest

final class LoaderTests: XCTestCase {
    func prepared(_ folder: String, sequenceLength: Int = 16) throws -> PreparedDataset {
        let manifest = try DomainManifest(contentsOf: try makeCorpus(folder))
        try DatasetPreparer.prepare(manifest: manifest, encoder: ByteEncoder(),
                                    options: .init(outputDirectory: "\(folder)/out", sequenceLength: sequenceLength, validationSequences: 4, seed: 3))
        return try PreparedDataset(summaryPath: "\(folder)/out/domains.json", tokenizerIdentity: "test-bytes-v1",
                                   vocabularySize: 300, sequenceLength: sequenceLength, shuffleSeed: 99)
    }

    func testSequencesAreWindowsOfTheTrainShard() throws {
        let folder = try temporaryFolder(self)
        let dataset = try prepared(folder)
        let domain = dataset.domains[0]
        let shard = try Shard(path: "\(folder)/out/alpha/train.shard")
        XCTAssertEqual(domain.train.count, (shard.tokenCount - 1) / 16)
        for index in [0, 1, domain.train.count - 1] {
            XCTAssertEqual(domain.train.sequence(index), shard.tokens(index * 16..<index * 16 + 17))
        }
    }

    func testADomainWrapsAroundReshuffledPerEpoch() throws {
        let folder = try temporaryFolder(self)
        let dataset = try prepared(folder)
        let n = dataset.domains[1].train.count
        let epoch0 = (0..<n).map { dataset.trainSequenceIndex(domain: 1, position: UInt64($0)) }
        let epoch1 = (n..<2 * n).map { dataset.trainSequenceIndex(domain: 1, position: UInt64($0)) }
        XCTAssertEqual(epoch0.sorted(), Array(0..<n), "an epoch visits every sequence once")
        XCTAssertEqual(epoch1.sorted(), Array(0..<n))
        XCTAssertNotEqual(epoch0, epoch1, "the next epoch is reshuffled")
        // deterministic: reopening gives the same order
        let reopened = try PreparedDataset(summaryPath: "\(folder)/out", tokenizerIdentity: "test-bytes-v1",
                                           vocabularySize: 300, sequenceLength: 16, shuffleSeed: 99)
        XCTAssertEqual((0..<n).map { reopened.trainSequenceIndex(domain: 1, position: UInt64($0)) }, epoch0)
    }

    func testARestrictedDomainCyclesThroughItsFirstSequences() throws {
        let folder = try temporaryFolder(self)
        let dataset = try prepared(folder)
        let n = dataset.domains[1].train.count
        let restricted = try dataset.restrictingTraining(to: [dataset.domains[0].train.count, 3])
        let epoch0 = (0..<3).map { restricted.trainSequenceIndex(domain: 1, position: UInt64($0)) }
        let epoch1 = (3..<6).map { restricted.trainSequenceIndex(domain: 1, position: UInt64($0)) }
        XCTAssertEqual(epoch0.sorted(), [0, 1, 2])
        XCTAssertEqual(epoch1.sorted(), [0, 1, 2], "the next epoch cycles through the same 3")
        XCTAssertEqual((0..<20).map { restricted.trainSequenceIndex(domain: 0, position: UInt64($0)) },
                       (0..<20).map { dataset.trainSequenceIndex(domain: 0, position: UInt64($0)) }, "an unrestricted domain is unchanged")
        assertThrows(try dataset.restrictingTraining(to: [1, n + 1]), containing: ["beta", "cannot draw from"])
        assertThrows(try dataset.restrictingTraining(to: [1, 0]), containing: ["cannot draw from 0"])
    }

    func testBatchFromSamplerAssignments() throws {
        let folder = try temporaryFolder(self)
        let dataset = try prepared(folder)
        let sampler = try DomainSampler(seed: 1, globalBatchSize: 6, domainCount: dataset.domains.count)
        let history = WeightHistory(initial: try DomainWeights([0.5, 0.5], domainNames: dataset.domainNames))
        let (assignments, _) = try sampler.plan(cursor: SamplerCursor(domainCount: 2), history: history, rank: 1, worldSize: 2)
        var batch = [Int32](repeating: -1, count: 3 * 17)
        batch.withUnsafeMutableBufferPointer { dataset.copyBatch(assignments, into: $0) }
        for (row, assignment) in assignments.enumerated() {
            let index = dataset.trainSequenceIndex(domain: assignment.domain, position: assignment.position)
            XCTAssertEqual(Array(batch[row * 17..<(row + 1) * 17]), dataset.domains[assignment.domain].train.sequence(index))
        }
    }

    func testValidationBatchesAreFixed() throws {
        let folder = try temporaryFolder(self)
        let dataset = try prepared(folder)
        let first = try dataset.validationBatch(domain: 0, count: 4)
        XCTAssertEqual(first.count, 4 * 17)
        XCTAssertEqual(try dataset.validationBatch(domain: 0, count: 4), first)
        let shard = try Shard(path: "\(folder)/out/alpha/validation.shard")
        XCTAssertEqual(first, (0..<4).flatMap { shard.tokens($0 * 16..<$0 * 16 + 17) })
        XCTAssertNotEqual(try dataset.validationBatch(domain: 1, count: 4), first)
        assertThrows(try dataset.validationBatch(domain: 0, count: 10_000), containing: ["alpha", "validation sequences"])
    }

    func testMoreValidationThanPreparedForIsRefused() throws {
        let folder = try temporaryFolder(self)
        _ = try prepared(folder)
        assertThrows(try PreparedDataset(summaryPath: "\(folder)/out", tokenizerIdentity: "test-bytes-v1", vocabularySize: 300,
                                         sequenceLength: 64, validationSequences: 1000, shuffleSeed: 1),
                     containing: ["alpha/validation.shard", "validation sequences", "--sequence-length 64 --validation-sequences 1000"])
    }

    func testTruncatedShardInDatasetIsNamed() throws {
        let folder = try temporaryFolder(self)
        _ = try prepared(folder)
        let path = "\(folder)/out/beta/train.shard"
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))
        assertThrows(try PreparedDataset(summaryPath: "\(folder)/out", tokenizerIdentity: "test-bytes-v1", vocabularySize: 300,
                                         sequenceLength: 16, shuffleSeed: 1), containing: ["beta/train.shard", "truncated"])
    }
}
