import Engine
import Foundation

/// What a teacher-target store holds targets *of*: a store is read only by a job whose
/// teacher, shards, T, k and τ are these (any difference changes every target).
public struct TargetStoreKey: Codable, Equatable, Sendable {
    /// Hash of the teacher's weight files (`ContentHash.ofFile` of each).
    public var teacherHash: String
    /// The tokenizer identity of the shards' ids.
    public var tokenizerIdentity: String
    /// T: positions per training sequence.
    public var sequenceLength: Int
    public var vocabularySize: Int
    /// k of the top-k targets.
    public var topK: Int
    /// τ of their log-probabilities.
    public var temperature: Float

    enum CodingKeys: String, CodingKey {
        case teacherHash = "teacher_hash"
        case tokenizerIdentity = "tokenizer_identity"
        case sequenceLength = "sequence_length"
        case vocabularySize = "vocabulary_size"
        case topK = "top_k"
        case temperature
    }

    public init(teacherHash: String, tokenizerIdentity: String, sequenceLength: Int, vocabularySize: Int,
                topK: Int, temperature: Float) {
        self.teacherHash = teacherHash
        self.tokenizerIdentity = tokenizerIdentity
        self.sequenceLength = sequenceLength
        self.vocabularySize = vocabularySize
        self.topK = topK
        self.temperature = temperature
    }

    /// The first field that differs from `other`, as "name: this vs other"; nil when equal.
    public func firstDifference(from other: TargetStoreKey) -> String? {
        let fields: [(String, String, String)] = [
            ("teacher weights hash", teacherHash, other.teacherHash),
            ("tokenizer", tokenizerIdentity, other.tokenizerIdentity),
            ("sequence length T", "\(sequenceLength)", "\(other.sequenceLength)"),
            ("vocabulary size", "\(vocabularySize)", "\(other.vocabularySize)"),
            ("top-k k", "\(topK)", "\(other.topK)"),
            ("temperature τ", "\(temperature)", "\(other.temperature)"),
        ]
        return fields.first { $0.1 != $0.2 }.map { "\($0.0) \($0.1) vs \($0.2)" }
    }
}

/// `store.json`: a teacher-target store's key, encoding and domains. The targets are in one
/// file per domain (`domain-<i>.targets`, `TargetStoreBlock`s in sequence order).
public struct TargetStoreManifest: Codable, Equatable, Sendable {
    public static let currentVersion = 1
    public static let fileName = "store.json"

    public var formatVersion: Int
    public var key: TargetStoreKey
    /// The teacher file the targets came from (for people; the key holds its hash).
    public var teacher: String
    /// 32: float32, exact; 4...16: the square-root code (`TargetRowCodec`).
    public var logProbabilityBits: Int
    /// Sequences per block (the unit of capture, checksum and resume).
    public var blockSequences: Int
    public var domains: [Domain]

    /// One domain's training sequences and how many of them the store is to hold (the
    /// first ones, in the shards' order).
    public struct Domain: Codable, Equatable, Sendable {
        public var name: String
        public var trainSequences: Int
        public var capturedSequences: Int

        enum CodingKeys: String, CodingKey {
            case name
            case trainSequences = "train_sequences"
            case capturedSequences = "captured_sequences"
        }

        public init(name: String, trainSequences: Int, capturedSequences: Int) {
            self.name = name
            self.trainSequences = trainSequences
            self.capturedSequences = capturedSequences
        }

        /// Blocks of `blockSequences` that hold the captured sequences (the last may be short).
        public func blockCount(blockSequences: Int) -> Int {
            (capturedSequences + blockSequences - 1) / blockSequences
        }
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case key, teacher
        case logProbabilityBits = "log_probability_bits"
        case blockSequences = "block_sequences"
        case domains
    }

    public init(key: TargetStoreKey, teacher: String, logProbabilityBits: Int, blockSequences: Int, domains: [Domain]) {
        formatVersion = Self.currentVersion
        self.key = key
        self.teacher = teacher
        self.logProbabilityBits = logProbabilityBits
        self.blockSequences = blockSequences
        self.domains = domains
    }

    /// The file of domain `index` in `folder`.
    public static func domainFile(_ index: Int, in folder: String) -> String {
        (folder as NSString).appendingPathComponent("domain-\(index).targets")
    }

    /// Reads `folder/store.json`.
    public static func read(folder: String) throws -> TargetStoreManifest {
        let path = (folder as NSString).appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TargetStoreError.missing(path: path)
        }
        return try decode(data, path: path)
    }

    /// A manifest from the bytes of `path`, checked.
    public static func decode(_ data: Data, path: String) throws -> TargetStoreManifest {
        let manifest: TargetStoreManifest
        do { manifest = try JSONDecoder().decode(TargetStoreManifest.self, from: data) } catch {
            throw TargetStoreError.invalidManifest(path: path, problem: "\(error)")
        }
        try manifest.check(path: path)
        return manifest
    }

    /// The values a reader relies on.
    func check(path: String) throws {
        guard formatVersion == Self.currentVersion else {
            throw TargetStoreError.invalidManifest(path: path, problem: "format version \(formatVersion); this ddk reads \(Self.currentVersion)")
        }
        guard TargetRowCodec.allowedBits.contains(logProbabilityBits) else {
            throw TargetStoreError.invalidManifest(path: path, problem: "log_probability_bits \(logProbabilityBits) is not 4...16 or 32")
        }
        guard key.topK >= 1, key.topK <= key.vocabularySize, key.vocabularySize <= Int(Int32.max), key.sequenceLength >= 1,
              key.temperature > 0, blockSequences >= 1 else {
            throw TargetStoreError.invalidManifest(path: path, problem: "k \(key.topK), V \(key.vocabularySize), T \(key.sequenceLength), "
                + "τ \(key.temperature) or block_sequences \(blockSequences) out of range")
        }
        for domain in domains where domain.capturedSequences < 0 || domain.capturedSequences > domain.trainSequences {
            throw TargetStoreError.invalidManifest(path: path, problem: "domain \(domain.name) captures \(domain.capturedSequences) "
                + "of \(domain.trainSequences) sequences")
        }
    }

    /// Writes `folder/store.json` atomically.
    public func write(folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        try AtomicFileWriter.write(try encoder.encode(self), to: (folder as NSString).appendingPathComponent(Self.fileName))
    }

    var codec: TargetRowCodec {
        TargetRowCodec(k: key.topK, vocabularySize: key.vocabularySize, temperature: key.temperature,
                       logProbabilityBits: logProbabilityBits)
    }
}
