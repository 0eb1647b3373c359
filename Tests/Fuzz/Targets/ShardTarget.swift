import DataPipeline
import MappedFiles

/// A token shard as `PreparedDataset` opens and reads one (every token, and the training
/// sequences of a short T), and the same bytes as a `domains.json`.
enum ShardTarget {
    static let shardPath = "fuzz-input.shard"
    static let summaryPath = "fuzz-domains.json"

    static func run(_ bytes: UnsafeRawBufferPointer) {
        if let shard = Finding.expectingErrors(naming: shardPath, { try Shard(file: MappedFile(copying: bytes, path: shardPath)) }) {
            read(shard)
        }
        Finding.expectingErrors(naming: summaryPath) { _ = try DatasetSummary.decode(FuzzInput.data(bytes), path: summaryPath) }
    }

    private static func read(_ shard: Shard) {
        var checksum: Int32 = 0
        for index in 0..<shard.tokenCount { checksum &+= shard.token(at: index) }
        _ = shard.tokens(0..<shard.tokenCount)
        let sequences = TokenSequences(shard: shard, sequenceLength: 3)
        if sequences.count > 0 {
            _ = sequences.sequence(0)
            _ = sequences.sequence(sequences.count - 1)
        }
        blackHole(checksum)
    }
}

/// Keeps a value the optimizer would otherwise drop with the reads that made it.
@inline(never)
func blackHole<T>(_ value: T) {}
