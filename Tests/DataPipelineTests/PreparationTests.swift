import DataPipeline
import Foundation
import XCTest

final class PreparationTests: XCTestCase {
    func testPrepareWritesShardsThatDecodeToTheDocuments() throws {
        let folder = try temporaryFolder(self)
        let manifestPath = try makeCorpus(folder)
        // a JSONL file in a third domain, with a custom text field
        var lines = ""
        for i in 0..<50 { lines += "{\"body\": \"entry \(i): \(String(repeating: "gamma words ", count: 30))\", \"id\": \(i)}\n" }
        try write(lines + "\n", to: "\(folder)/corpus/gamma/part.jsonl")
        try write(String(contentsOfFile: manifestPath) + "\n[[domain]]\nname = \"gamma\"\npaths = [\"gamma/part.jsonl\"]\ntext_field = \"body\"\n", to: manifestPath)

        let encoder = ByteEncoder()
        let manifest = try DomainManifest(contentsOf: manifestPath)
        let options = PreparationOptions(outputDirectory: "\(folder)/shards", sequenceLength: 16, validationSequences: 8, seed: 7)
        let summary = try DatasetPreparer.prepare(manifest: manifest, encoder: encoder, options: options)

        XCTAssertEqual(summary.domains.map(\.name), ["alpha", "beta", "gamma"])
        XCTAssertEqual(summary.tokenizer.identity, "test-bytes-v1")
        XCTAssertEqual(summary.tokenizer.vocabularySize, 300)
        XCTAssertEqual(try DatasetSummary.read(from: "\(folder)/shards/domains.json"), summary)
        for (domain, expected) in zip(summary.domains, [40, 40, 50]) {
            XCTAssertEqual(domain.documents, expected)
            XCTAssertEqual(domain.train.documents + domain.validation.documents, expected)
            XCTAssertGreaterThanOrEqual(domain.validation.tokens, 8 * 16 + 1)
        }
        // every document comes back exactly once, EOS-separated
        let alpha = summary.domains[0]
        var decoded: [String] = []
        for split in [alpha.train, alpha.validation] {
            let shard = try Shard(path: "\(folder)/shards/\(split.path)", expectedIdentity: "test-bytes-v1", expectedVocabularySize: 300)
            XCTAssertEqual(shard.tokenCount, split.tokens)
            let tokens = shard.tokens(0..<shard.tokenCount)
            XCTAssertEqual(tokens.last, 0)
            decoded += tokens.split(separator: 0).map { encoder.decode(Array($0)) }
        }
        let originals = try (0..<40).map { try String(contentsOfFile: "\(folder)/corpus/alpha/d\(String(format: "%03d", $0)).txt") }
        XCTAssertEqual(decoded.sorted(), originals.sorted())
        XCTAssertEqual(files(in: "\(folder)/shards", containing: "partial"), [])

        // the split is a function of the seed
        let again = try DatasetPreparer.prepare(manifest: manifest, encoder: encoder,
            options: PreparationOptions(outputDirectory: "\(folder)/shards2", sequenceLength: 16, validationSequences: 8, seed: 7))
        XCTAssertEqual(again.domains, summary.domains)
        let other = try DatasetPreparer.prepare(manifest: manifest, encoder: encoder,
            options: PreparationOptions(outputDirectory: "\(folder)/shards3", sequenceLength: 16, validationSequences: 8, seed: 8))
        let first = try Shard(path: "\(folder)/shards/alpha/validation.shard").tokens(0..<20)
        let second = try Shard(path: "\(folder)/shards3/alpha/validation.shard").tokens(0..<20)
        XCTAssertEqual(other.domains.count, 3)
        XCTAssertNotEqual(first, second)
    }

    func testPerDomainInputLimitTakesTheFirstDocuments() throws {
        let folder = try temporaryFolder(self)
        let manifest = try DomainManifest(contentsOf: try makeCorpus(folder, documents: 40))
        let firstTen = try (0..<10).reduce(0) {
            $0 + (try FileManager.default.attributesOfItem(atPath: "\(folder)/corpus/alpha/d\(String(format: "%03d", $1)).txt")[.size] as! Int)
        }
        let summary = try DatasetPreparer.prepare(manifest: manifest, encoder: ByteEncoder(),
            options: .init(outputDirectory: "\(folder)/out", sequenceLength: 16, validationSequences: 4,
                           maximumBytesPerDomain: firstTen + 1))
        // ten whole documents reach the limit minus one byte; the eleventh crosses it
        XCTAssertEqual(summary.domains[0].documents, 11)
        XCTAssertLessThan(summary.domains[1].documents, 40, "the limit applies to every domain")
        assertThrows(try DatasetPreparer.prepare(manifest: manifest, encoder: ByteEncoder(),
                                                 options: .init(outputDirectory: "\(folder)/out", maximumBytesPerDomain: 0)),
                     containing: ["limit must be positive"])
    }

    func testMissingFolderIsNamed() throws {
        let folder = try temporaryFolder(self)
        let manifest = DomainManifest(path: "m.toml", domains: [.init(name: "ghost", paths: ["\(folder)/nowhere"])])
        assertThrows(try DatasetPreparer.prepare(manifest: manifest, encoder: ByteEncoder(), options: .init(outputDirectory: "\(folder)/out")),
                     containing: ["domain 'ghost'", "\(folder)/nowhere", "no such file"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(folder)/out"))
    }

    func testEmptyDomainIsNamed() throws {
        let folder = try temporaryFolder(self)
        let manifestPath = try makeCorpus(folder)
        try FileManager.default.createDirectory(atPath: "\(folder)/corpus/void", withIntermediateDirectories: true)
        var manifest = try DomainManifest(contentsOf: manifestPath)
        manifest.domains.append(.init(name: "void", paths: ["\(folder)/corpus/void"]))
        let options = PreparationOptions(outputDirectory: "\(folder)/out", sequenceLength: 16, validationSequences: 4)
        assertThrows(try DatasetPreparer.prepare(manifest: manifest, encoder: ByteEncoder(), options: options),
                     containing: ["domain 'void'", "empty domain"])
        try write("   \n\n", to: "\(folder)/corpus/void/blank.txt")
        assertThrows(try DatasetPreparer.prepare(manifest: manifest, encoder: ByteEncoder(), options: options),
                     containing: ["domain 'void'", "empty domain"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(folder)/out"), "nothing may be written when a domain fails")
    }

    func testTooSmallDomainIsNamed() throws {
        let folder = try temporaryFolder(self)
        let manifestPath = try makeCorpus(folder, domains: ["tiny"], documents: 3, wordsPerDocument: 5)
        let manifest = try DomainManifest(contentsOf: manifestPath)
        assertThrows(try DatasetPreparer.prepare(manifest: manifest, encoder: ByteEncoder(),
                                                 options: .init(outputDirectory: "\(folder)/out", sequenceLength: 64, validationSequences: 64)),
                     containing: ["domain 'tiny'", "too small", "--validation-sequences"])
    }

    func testUntokenizableTextAndBadJSONLAreNamed() throws {
        let folder = try temporaryFolder(self)
        let manifestPath = try makeCorpus(folder)
        try write("fine text\u{04}with a control byte", to: "\(folder)/corpus/beta/zz-bad.txt")
        let manifest = try DomainManifest(contentsOf: manifestPath)
        let options = PreparationOptions(outputDirectory: "\(folder)/out", sequenceLength: 16, validationSequences: 4)
        assertThrows(try DatasetPreparer.prepare(manifest: manifest, encoder: ByteEncoder(), options: options),
                     containing: ["domain 'beta'", "zz-bad.txt", "0x04"])
        try FileManager.default.removeItem(atPath: "\(folder)/corpus/beta/zz-bad.txt")
        try write("{\"text\": \"ok\"}\n{\"txt\": \"typo\"}\n", to: "\(folder)/corpus/beta/records.jsonl")
        assertThrows(try DatasetPreparer.prepare(manifest: manifest, encoder: ByteEncoder(), options: options),
                     containing: ["domain 'beta'", "records.jsonl:2", "'text'"])
        try write("{\"text\": \"ok\"}\nnot json\n", to: "\(folder)/corpus/beta/records.jsonl")
        assertThrows(try DatasetPreparer.prepare(manifest: manifest, encoder: ByteEncoder(), options: options),
                     containing: ["records.jsonl:2", "not a JSON object"])
        try FileManager.default.removeItem(atPath: "\(folder)/corpus/beta/records.jsonl")
        try Data([0x66, 0xFF, 0xFE, 0x41]).write(to: URL(fileURLWithPath: "\(folder)/corpus/beta/latin.txt"))
        assertThrows(try DatasetPreparer.prepare(manifest: manifest, encoder: ByteEncoder(), options: options),
                     containing: ["domain 'beta'", "latin.txt", "UTF-8"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(folder)/out"))
    }

    func testOutputOfAnotherTokenizerIsRefused() throws {
        let folder = try temporaryFolder(self)
        let manifest = try DomainManifest(contentsOf: try makeCorpus(folder))
        let options = PreparationOptions(outputDirectory: "\(folder)/out", sequenceLength: 16, validationSequences: 4)
        try DatasetPreparer.prepare(manifest: manifest, encoder: ByteEncoder(), options: options)
        let before = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/out/domains.json"))
        assertThrows(try DatasetPreparer.prepare(manifest: manifest, encoder: ByteEncoder(identity: "other-tok"), options: options),
                     containing: ["domains.json", "test-bytes-v1", "other-tok"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: "\(folder)/out/domains.json")), before)
        // the same tokenizer may re-prepare in place
        XCTAssertNoThrow(try DatasetPreparer.prepare(manifest: manifest, encoder: ByteEncoder(), options: options))
    }

    func testDatasetOfAnotherTokenizerIsRefusedByTheLoader() throws {
        let folder = try temporaryFolder(self)
        let manifest = try DomainManifest(contentsOf: try makeCorpus(folder))
        try DatasetPreparer.prepare(manifest: manifest, encoder: ByteEncoder(),
                                    options: .init(outputDirectory: "\(folder)/out", sequenceLength: 16, validationSequences: 4))
        assertThrows(try PreparedDataset(summaryPath: "\(folder)/out", tokenizerIdentity: "smollm2", vocabularySize: 300,
                                         sequenceLength: 16, shuffleSeed: 1), containing: ["domains.json", "smollm2"])
        assertThrows(try PreparedDataset(summaryPath: "\(folder)/out", tokenizerIdentity: "test-bytes-v1", vocabularySize: 49152,
                                         sequenceLength: 16, shuffleSeed: 1), containing: ["domains.json", "49152"])
        // a shard swapped for one of another tokenizer is caught by its own header
        let writer = try ShardWriter(path: "\(folder)/out/beta/train.shard", vocabularySize: 300, eosTokenID: 0, tokenizerIdentity: "impostor")
        try writer.append(document: Array(repeating: 5, count: 100))
        try writer.finish()
        assertThrows(try PreparedDataset(summaryPath: "\(folder)/out", tokenizerIdentity: "test-bytes-v1", vocabularySize: 300,
                                         sequenceLength: 16, shuffleSeed: 1), containing: ["beta/train.shard", "impostor"])
    }
}
