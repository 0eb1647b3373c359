import Foundation

/// `domains.json`: what `ddk prepare` wrote, read by everything that trains or
/// evaluates. A documented interface (field names in snake_case):
///
///     {
///       "format": "swiftddk-domains", "version": 1,
///       "tokenizer": {"identity": "...", "vocabulary_size": 49152, "eos_token_id": 0},
///       "shard_format_version": 1,
///       "sequence_length": 256,          // T used to size the validation split
///       "validation_sequences": 64,      // sequences of T+1 tokens per domain
///       "seed": 1234,                    // seed of the train/validation split
///       "manifest": "/abs/path/domains.toml",
///       "domains": [
///         {"name": "legal", "documents": 1184,
///          "train":      {"path": "legal/train.shard",      "documents": 1150, "tokens": 2012345},
///          "validation": {"path": "legal/validation.shard", "documents": 34,   "tokens": 16449}}
///       ]
///     }
///
/// Shard paths are relative to the folder holding domains.json; token counts
/// include the EOS after every document. Domain order is the domain index.
public struct DatasetSummary: Codable, Sendable, Equatable {
    /// The tokenizer that made the shards.
    public struct TokenizerInfo: Codable, Sendable, Equatable {
        public var identity: String
        public var vocabularySize: Int
        public var eosTokenID: Int32

        enum CodingKeys: String, CodingKey {
            case identity
            case vocabularySize = "vocabulary_size"
            case eosTokenID = "eos_token_id"
        }
    }

    /// One split (train or validation) of a domain.
    public struct Split: Codable, Sendable, Equatable {
        /// The shard, relative to the summary's folder.
        public var path: String
        public var documents: Int
        public var tokens: Int
    }

    /// One domain.
    public struct Domain: Codable, Sendable, Equatable {
        public var name: String
        public var documents: Int
        public var train: Split
        public var validation: Split
    }

    /// The value of "format".
    public static let formatName = "swiftddk-domains"
    /// The summary format version.
    public static let formatVersion = 1
    /// The usual file name.
    public static let fileName = "domains.json"

    public var format: String = DatasetSummary.formatName
    public var version: Int = DatasetSummary.formatVersion
    public var tokenizer: TokenizerInfo
    public var shardFormatVersion: Int = Int(ShardHeader.formatVersion)
    public var sequenceLength: Int
    public var validationSequences: Int
    public var seed: UInt64
    public var manifest: String
    public var domains: [Domain]

    enum CodingKeys: String, CodingKey {
        case format, version, tokenizer
        case shardFormatVersion = "shard_format_version"
        case sequenceLength = "sequence_length"
        case validationSequences = "validation_sequences"
        case seed, manifest, domains
    }

    /// Reads and checks `domains.json` at `path`.
    public static func read(from path: String) throws -> DatasetSummary {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError(path: path, problem: "no dataset summary here; run `ddk prepare` first")
        }
        return try decode(data, path: path)
    }

    /// Decodes and checks the bytes of a `domains.json` (`path` names it in errors).
    public static func decode(_ data: Data, path: String) throws -> DatasetSummary {
        let summary: DatasetSummary
        do {
            summary = try JSONDecoder().decode(DatasetSummary.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw DatasetError(path: path, problem: "missing field '\(key.stringValue)'")
        } catch {
            throw DatasetError(path: path, problem: "not a valid dataset summary (\(error))")
        }
        guard summary.format == formatName else {
            throw DatasetError(path: path, problem: "'format' is '\(summary.format)', expected '\(formatName)'")
        }
        guard summary.version == formatVersion else {
            throw DatasetError(path: path, problem: "summary version \(summary.version) is not supported (this build reads \(formatVersion))")
        }
        return summary
    }

    /// Writes the summary atomically (temporary file, then rename).
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(self)
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw DatasetError(path: path, problem: "cannot write: \(error.localizedDescription)")
        }
    }
}

/// A dataset (domains.json and its shards) that cannot be used.
public struct DatasetError: Error, CustomStringConvertible, Equatable {
    /// The file or folder at fault.
    public let path: String
    /// What is wrong.
    public let problem: String

    public var description: String { "\(path): \(problem)" }
}
