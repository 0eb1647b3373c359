import Engine
import Foundation
import LanguageModels

/// The teacher's per-domain validation perplexity, computed once by the pool and kept on
/// disk: `<shards>/cache/teacher-perplexity-<key>.json`, where the key hashes the teacher's
/// weight files and every validation token (and T, V). A different teacher or validation
/// set gets a different file; the file is written atomically (`AtomicFileWriter`: temp name, fsync, rename).
public struct TeacherPerplexityCache {
    public let folder: String

    public init(shardsFolder: String) {
        folder = (shardsFolder as NSString).appendingPathComponent("cache")
    }

    /// One cached measurement.
    public struct Entry: Codable, Equatable {
        public var key: String
        public var teacher: String
        public var domains: [String]
        /// `[sum_0 … sum_{N−1}, count_0 … count_{N−1}]` as reduced on rank 0.
        public var sums: [Double]
        public var perplexities: [Double]

        /// The entry of the teacher's per-domain validation sums (perplexities derived from them).
        public init(key: String, teacher: String, domains: [String], sums: [Double]) {
            self.key = key
            self.teacher = teacher
            self.domains = domains
            self.sums = sums
            perplexities = ValidationSharding.perplexities(sums)
        }
    }

    /// The cache key of a teacher (its weight files' bytes) and a validation-token hash.
    public static func key(teacherWeightFiles: [String], validationHash: UInt64) throws -> String {
        var hash = try ContentHash.ofFiles(teacherWeightFiles)
        hash.combine(ContentHash.hex(validationHash))
        return ContentHash.hex(hash.value)
    }

    /// The key of a job's measurement: the teacher's weights, every validation token and,
    /// per byte, the unit and the student's tokenizer (the same tokens then give other figures).
    public static func key(teacher: ModelSource, sharding: ValidationSharding, vocabularies: JobVocabularies) throws -> String {
        var validation = ContentHash()
        validation.combine(ContentHash.hex(try sharding.tokenHash()))
        if vocabularies.perplexityUnit == .byte {
            validation.combine("per byte, student tokenizer \(try vocabularies.studentSource.requiredTokenizerIdentity())")
        }
        return try key(teacherWeightFiles: teacher.weightFiles, validationHash: validation.value)
    }

    func path(_ key: String) -> String { (folder as NSString).appendingPathComponent("teacher-perplexity-\(key).json") }

    /// The cached entry for `key`, or nil (a missing or unreadable file is a miss).
    public func read(key: String, domains: [String]) -> Entry? {
        guard let data = FileManager.default.contents(atPath: path(key)),
              let entry = try? JSONDecoder().decode(Entry.self, from: data),
              entry.key == key, entry.domains == domains, entry.sums.count == 2 * domains.count else { return nil }
        return entry
    }

    /// Stores an entry.
    public func write(_ entry: Entry) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        try AtomicFileWriter.write(try encoder.encode(entry), to: path(entry.key))
    }
}
