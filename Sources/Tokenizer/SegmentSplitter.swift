#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Cuts escaped text (spaces already "▁") into segments that SentencePiece BPE can encode
/// one by one, so that repeated words hit the workspace cache: a cut goes before each "▁".
///
/// Why that is exact: every merge forms a token, so a token that crossed a cut would hold
/// that "▁" after its first character and would occur in the text right there. Such
/// "bridge" tokens are rare (Gemma 3 has one, ">▁</"); a cut is skipped where one occurs
/// around it. A vocabulary with many bridges is encoded without cuts.
struct SegmentSplitter: Sendable {
    private struct Bridge: Sendable {
        let bytes: [UInt8]
        /// Byte offsets of the "▁" after the first character.
        let spaceOffsets: [Int]
    }

    private let bridges: [Bridge]
    /// False when the vocabulary has too many bridges: then nothing is cut.
    let cutsAtSpaces: Bool
    private static let maximumBridges = 64

    init(tokens: [String]) {
        var bridges: [Bridge] = []
        for token in tokens {
            let bytes = Array(token.utf8)
            var offsets: [Int] = []
            var index = 1
            while index + 3 <= bytes.count {
                if bytes[index] == 0xE2 && bytes[index + 1] == 0x96 && bytes[index + 2] == 0x81 { offsets.append(index) }
                index += 1
            }
            if !offsets.isEmpty { bridges.append(Bridge(bytes: bytes, spaceOffsets: offsets)) }
        }
        cutsAtSpaces = bridges.count <= Self.maximumBridges
        self.bridges = cutsAtSpaces ? bridges : []
    }

    /// Whether the text may be cut before the "▁" at `index` of the `count` bytes at `text`.
    @inline(__always)
    func allowsCut(_ text: UnsafePointer<UInt8>, count: Int, at index: Int) -> Bool {
        cutsAtSpaces && (bridges.isEmpty || !isBridged(text, count: count, at: index))
    }

    /// True when a bridge token occurs in the text with one of its inner "▁" at `index`.
    private func isBridged(_ text: UnsafePointer<UInt8>, count: Int, at index: Int) -> Bool {
        for bridge in bridges {
            for offset in bridge.spaceOffsets {
                let first = index - offset
                guard first >= 0, first + bridge.bytes.count <= count else { continue }
                if bridge.bytes.withUnsafeBufferPointer({ memcmp($0.baseAddress!, text + first, $0.count) }) == 0 {
                    return true
                }
            }
        }
        return false
    }
}
