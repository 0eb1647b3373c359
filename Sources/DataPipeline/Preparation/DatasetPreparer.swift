import Foundation

/// Settings of `ddk prepare`.
public struct PreparationOptions: Sendable {
    /// Folder receiving `domains.json` and `<domain>/{train,validation}.shard`.
    public var outputDirectory: String
    /// T: the validation split holds enough tokens for `validationSequences`
    /// sequences of T+1 tokens.
    public var sequenceLength: Int
    /// Validation sequences per domain.
    public var validationSequences: Int
    /// Seed of the train/validation split.
    public var seed: UInt64
    /// Domains tokenized at once.
    public var parallelDomains: Int
    /// When set, each domain reads documents (in input order) only until this many
    /// input bytes are consumed: a quick, small dataset from a large corpus.
    public var maximumBytesPerDomain: Int?

    public init(outputDirectory: String, sequenceLength: Int = 256, validationSequences: Int = 64,
                seed: UInt64 = 1234, parallelDomains: Int = ProcessInfo.processInfo.activeProcessorCount,
                maximumBytesPerDomain: Int? = nil) {
        self.outputDirectory = outputDirectory
        self.sequenceLength = sequenceLength
        self.validationSequences = validationSequences
        self.seed = seed
        self.parallelDomains = max(1, parallelDomains)
        self.maximumBytesPerDomain = maximumBytesPerDomain
    }
}

/// Progress of one domain during preparation (reported from worker threads).
public struct PreparationProgress: Sendable {
    /// The domain being tokenized.
    public var domain: String
    /// Input bytes of this domain consumed so far.
    public var bytesDone: Int
    /// Input bytes of this domain.
    public var bytesTotal: Int
    /// Tokens produced so far for this domain.
    public var tokens: Int
    /// True once the domain is completely tokenized.
    public var finished: Bool
}

/// A domain that cannot be prepared, or an output folder that must not be overwritten.
public struct PreparationError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Tokenizes every domain of a manifest, splits it into train and validation
/// by document, and writes the shards and `domains.json`.
public enum DatasetPreparer {
    /// One tokenized domain, before it is split.
    struct TokenizedDomain {
        var documents: [[Int32]]
        var tokenCount: Int { documents.reduce(0) { $0 + $1.count + 1 } }
    }

    /// Prepares the dataset; `progress` is called from worker threads.
    ///
    /// Nothing is written until every domain is tokenized and split; shards are
    /// written under temporary names and renamed, `domains.json` comes last.
    /// An output folder prepared with another tokenizer is refused.
    @discardableResult
    public static func prepare(manifest: DomainManifest, encoder: some TextEncoder, options: PreparationOptions,
                               progress: @escaping @Sendable (PreparationProgress) -> Void = { _ in }) throws -> DatasetSummary {
        guard options.sequenceLength >= 1 else { throw PreparationError("--sequence-length must be at least 1") }
        guard options.validationSequences >= 1 else { throw PreparationError("--validation-sequences must be at least 1") }
        guard let eos = encoder.eosTokenID else {
            throw PreparationError("tokenizer \(encoder.identity) has no EOS token; shards need one between documents")
        }
        let summaryPath = (options.outputDirectory as NSString).appendingPathComponent(DatasetSummary.fileName)
        if FileManager.default.fileExists(atPath: summaryPath) {
            let existing = try DatasetSummary.read(from: summaryPath)
            guard existing.tokenizer.identity == encoder.identity, existing.tokenizer.vocabularySize == encoder.vocabularySize else {
                throw PreparationError("\(summaryPath): shards there were made by tokenizer \(existing.tokenizer.identity) (vocabulary \(existing.tokenizer.vocabularySize)), not \(encoder.identity) (vocabulary \(encoder.vocabularySize)); choose another --out or delete that folder")
            }
        }
        let sources = try manifest.domains.map { try DocumentSource(domain: $0) }
        if let limit = options.maximumBytesPerDomain, limit < 1 {
            throw PreparationError("the per-domain input limit must be positive, got \(limit) bytes")
        }
        let tokenized = try tokenize(sources, encoder: encoder, parallelism: options.parallelDomains,
                                     byteLimit: options.maximumBytesPerDomain ?? Int.max, progress: progress)

        var splits: [(train: [[Int32]], validation: [[Int32]])] = []
        for (source, domain) in zip(sources, tokenized) {
            splits.append(try split(domain, name: source.domain.name, options: options))
        }

        try createDirectory(options.outputDirectory)
        var domains: [DatasetSummary.Domain] = []
        for (source, parts) in zip(sources, splits) {
            let name = source.domain.name
            try createDirectory((options.outputDirectory as NSString).appendingPathComponent(name))
            func write(_ documents: [[Int32]], _ file: String) throws -> DatasetSummary.Split {
                let relative = "\(name)/\(file)"
                let writer = try ShardWriter(path: (options.outputDirectory as NSString).appendingPathComponent(relative),
                                             vocabularySize: encoder.vocabularySize, eosTokenID: eos,
                                             tokenizerIdentity: encoder.identity)
                for document in documents { try writer.append(document: document) }
                let header = try writer.finish()
                return .init(path: relative, documents: header.documentCount, tokens: header.tokenCount)
            }
            let train = try write(parts.train, "train.shard")
            let validation = try write(parts.validation, "validation.shard")
            domains.append(.init(name: name, documents: train.documents + validation.documents, train: train, validation: validation))
        }
        let summary = DatasetSummary(
            tokenizer: .init(identity: encoder.identity, vocabularySize: encoder.vocabularySize, eosTokenID: eos),
            sequenceLength: options.sequenceLength, validationSequences: options.validationSequences,
            seed: options.seed, manifest: manifest.path, domains: domains)
        try summary.write(to: summaryPath)
        return summary
    }

    /// Tokenizes the domains, `parallelism` at a time.
    static func tokenize(_ sources: [DocumentSource], encoder: some TextEncoder, parallelism: Int, byteLimit: Int,
                         progress: @escaping @Sendable (PreparationProgress) -> Void) throws -> [TokenizedDomain] {
        let results = LockedResults<TokenizedDomain>(count: sources.count)
        let next = LockedCounter()
        DispatchQueue.concurrentPerform(iterations: min(parallelism, sources.count)) { _ in
            while let index = next.take(below: sources.count), !results.failed {
                let source = sources[index]
                do {
                    var documents: [[Int32]] = []
                    var tokens = 0
                    var lastReport = 0
                    let bytesTotal = min(source.byteCount, byteLimit)
                    try source.forEachDocument(upToBytes: byteLimit) { text, location, consumed in
                        let ids: [Int32]
                        do {
                            ids = try encoder.encode(text)
                        } catch {
                            throw DocumentError(domain: source.domain.name, location: location, problem: "cannot tokenize: \(error)")
                        }
                        if !ids.isEmpty { documents.append(ids) }
                        tokens += ids.count + 1
                        if consumed - lastReport >= 1 << 18 {
                            lastReport = consumed
                            progress(.init(domain: source.domain.name, bytesDone: consumed, bytesTotal: bytesTotal, tokens: tokens, finished: false))
                        }
                    }
                    guard !documents.isEmpty else {
                        throw DocumentError(domain: source.domain.name, location: source.domain.paths.joined(separator: ", "),
                                            problem: "empty domain: no non-empty documents")
                    }
                    progress(.init(domain: source.domain.name, bytesDone: bytesTotal, bytesTotal: bytesTotal, tokens: tokens, finished: true))
                    results.set(index, .success(TokenizedDomain(documents: documents)))
                } catch {
                    results.set(index, .failure(error))
                }
            }
        }
        return try results.values()
    }

    /// Chooses validation documents in a seeded random order until they hold
    /// V·T + 1 tokens; the rest, in input order, is the training split.
    ///
    /// So that one long document cannot make up a whole validation set, a first
    /// pass takes only documents of at most a quarter of the needed tokens; a
    /// second pass (same order) takes any document if that was not enough.
    static func split(_ domain: TokenizedDomain, name: String, options: PreparationOptions) throws -> (train: [[Int32]], validation: [[Int32]]) {
        let needed = options.validationSequences * options.sequenceLength + 1
        let total = domain.tokenCount
        let order = EpochPermutation(count: domain.documents.count, seed: options.seed, key: CounterRNG.key(name), epoch: 0)
        var chosen = Set<Int>()
        var validation: [[Int32]] = []
        var validationTokens = 0
        for largestAllowed in [needed / 4, Int.max] {
            var index = 0
            while validationTokens < needed, index < domain.documents.count {
                let document = order(index)
                index += 1
                let size = domain.documents[document].count + 1
                guard size <= largestAllowed, !chosen.contains(document) else { continue }
                chosen.insert(document)
                validation.append(domain.documents[document])
                validationTokens += size
            }
        }
        let trainTokens = total - validationTokens
        guard validationTokens >= needed, validationTokens <= total / 2, trainTokens >= options.sequenceLength + 1 else {
            throw PreparationError("domain '\(name)': too small: \(total) tokens in \(domain.documents.count) documents, but \(options.validationSequences) validation sequences of \(options.sequenceLength + 1) tokens need \(needed) tokens and must stay under half of the domain; add text or lower --validation-sequences")
        }
        let train = domain.documents.indices.filter { !chosen.contains($0) }.map { domain.documents[$0] }
        return (train, validation)
    }

    static func createDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw PreparationError("\(path): cannot create the output folder: \(error.localizedDescription)")
        }
    }
}

/// Results of parallel work, one slot per task, guarded by a lock.
final class LockedResults<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<Value, Error>?]
    private var anyFailure = false

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    var failed: Bool { lock.withLock { anyFailure } }

    func set(_ index: Int, _ result: Result<Value, Error>) {
        lock.withLock {
            slots[index] = result
            if case .failure = result { anyFailure = true }
        }
    }

    /// The values in order; rethrows the first failure (by task order).
    func values() throws -> [Value] {
        try lock.withLock {
            for slot in slots { if case let .failure(error)? = slot { throw error } }
            return try slots.enumerated().map { index, slot in
                guard case let .success(value)? = slot else { throw PreparationError("internal: task \(index) produced no result") }
                return value
            }
        }
    }
}

/// Hands out task indices to worker threads.
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func take(below limit: Int) -> Int? {
        lock.withLock {
            guard value < limit else { return nil }
            defer { value += 1 }
            return value
        }
    }
}
