import Foundation
import MPI
import TrainingCore

/// `ddk capture` on every rank: each rank is a teacher. The blocks still missing from the
/// store are dealt out in rounds (block i of a round to rank i); rank 0 gathers each
/// round's encoded blocks and appends them in order, so the store's bytes are the same
/// for any number of ranks. A capture stopped at any point continues from the store's
/// intact blocks (`TargetStoreWriter`).
public struct TargetCaptureJob {
    let world: Communicator
    let capture: TargetCapture
    let deadline: CollectiveDeadline
    /// Rank 0's writer (nil elsewhere).
    let writer: TargetStoreWriter?
    let hooks: TestHooks

    /// `writer` on rank 0 only.
    public init(world: Communicator, capture: TargetCapture, writer: TargetStoreWriter?, collectiveTimeoutSeconds: Double,
                hooks: TestHooks = TestHooks()) {
        precondition((world.rank == 0) == (writer != nil), "rank 0 and only rank 0 writes the store")
        self.world = world
        self.capture = capture
        self.writer = writer
        self.hooks = hooks
        deadline = CollectiveDeadline(seconds: collectiveTimeoutSeconds, worldRank: world.rank, role: "teacher")
    }

    /// What a capture did (`ddk capture --json`: the names in snake_case, as in the README).
    public struct Summary: Codable {
        public var store: String
        public var ranks: Int
        /// Blocks in the store when done, and of them captured by this run.
        public var blocks: Int
        public var blocksCaptured: Int
        /// Label tokens whose targets this run captured, and the seconds it took.
        public var tokensCaptured: Int
        public var seconds: Double
        public var tokensPerSecond: Double
        public var tokensPerSecondPerRank: Double
        /// The store's target bytes (blocks, headers included) per stored token.
        public var storeBytes: Int
        public var bytesPerToken: Double
    }

    /// Captures every missing block; the summary on rank 0 (nil elsewhere). `progress`
    /// gets one line per round on rank 0.
    public func run(progress: (String) -> Void) throws -> Summary? {
        let started = Date()
        let completed = try world.broadcastVariable((writer?.completedBlocks ?? capture.manifest.domains.map { _ in 0 }).map(Int64.init),
                                            root: 0, within: deadline, on: "world", for: "capture resume point broadcast")
        let pending = capture.pendingBlocks(completedBlocks: completed.map(Int.init))
        let total = capture.manifest.domains.reduce(0) { $0 + $1.blockCount(blockSequences: capture.manifest.blockSequences) }
        if let writer, !pending.isEmpty, pending.count < total {
            progress("capture: continuing \(writer.folder): \(total - pending.count) of \(total) blocks already stored")
        }
        var tokens = 0
        for round in stride(from: 0, to: pending.count, by: world.size) {
            let mine = round + world.rank
            let bytes = mine < pending.count ? try capture.encodeBlock(pending[mine]) : []
            let gathered = try world.gatherVariable(bytes, root: 0, within: deadline, on: "world",
                                                    for: "capture round \(round / world.size) gather")
            let dealt = pending[round..<min(round + world.size, pending.count)]
            tokens += dealt.reduce(0) { $0 + capture.sequenceCount($1) * capture.manifest.key.sequenceLength }
            if let writer, let gathered {
                for (member, address) in dealt.enumerated() {
                    try writer.append(domain: address.domain, block: address.block, bytes: gathered[member])
                }
                progress(Self.progressLine(done: round + dealt.count, of: pending.count, tokens: tokens,
                                           seconds: Date().timeIntervalSince(started), ranks: world.size))
                if let stall = hooks.captureStall, (round..<round + dealt.count).contains(stall.blocks - 1) {
                    Thread.sleep(forTimeInterval: stall.seconds)
                }
            }
        }
        guard let writer else { return nil }
        try writer.close()
        return try summary(writer: writer, blocks: total, captured: pending.count, tokens: tokens,
                           seconds: Date().timeIntervalSince(started))
    }

    static func progressLine(done: Int, of total: Int, tokens: Int, seconds: Double, ranks: Int) -> String {
        let rate = Double(tokens) / max(seconds, 1e-9)
        return String(format: "capture: %d/%d blocks (%.0f%%), %d tokens, %.0f tokens/s (%.0f per rank), ETA %@", done, total,
                      100 * Double(done) / Double(max(total, 1)), tokens, rate, rate / Double(ranks),
                      ProgressPrinter.clock(seconds / Double(max(done, 1)) * Double(total - done)))
    }

    private func summary(writer: TargetStoreWriter, blocks: Int, captured: Int, tokens: Int, seconds: Double) throws -> Summary {
        let manifest = capture.manifest
        let storeBytes = try manifest.domains.indices.reduce(0) { sum, index in
            let path = TargetStoreManifest.domainFile(index, in: writer.folder)
            let size = FileManager.default.fileExists(atPath: path)
                ? (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0) : 0
            return sum + size
        }
        let storedTokens = manifest.domains.reduce(0) { $0 + $1.capturedSequences } * manifest.key.sequenceLength
        let rate = Double(tokens) / max(seconds, 1e-9)
        return Summary(store: writer.folder, ranks: world.size, blocks: blocks, blocksCaptured: captured, tokensCaptured: tokens,
                       seconds: seconds, tokensPerSecond: rate, tokensPerSecondPerRank: rate / Double(world.size),
                       storeBytes: storeBytes, bytesPerToken: Double(storeBytes) / Double(max(storedTokens, 1)))
    }
}
