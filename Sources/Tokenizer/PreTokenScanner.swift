/// Splits UTF-8 text into pre-tokens, the pieces BPE is applied to, exactly like the
/// two-stage pre-tokenizer of SmolLM2 (and the Hugging Face `tokenizers` pipeline
/// Digits(individual_digits) → ByteLevel):
///
/// 1. every \p{N} scalar is a piece of its own;
/// 2. each piece in between is split with the GPT-2 pattern
///    `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
///
/// The scanner implements the pattern by hand on bytes (leftmost alternative wins, runs are
/// greedy). The piece boundaries of stage 1 show up in two places: a space before a digit
/// never joins it, and `(?!\S)` succeeds before a digit (the piece ends there), so a
/// whitespace run followed by a digit stays whole. Bytes that are not valid UTF-8 count as
/// one "other" scalar each.
struct PreTokenScanner {
    private let bytes: UnsafePointer<UInt8>
    private let end: Int
    private let basicPlane: UnsafePointer<UInt8>
    private(set) var position = 0

    /// Scans `count` bytes at `bytes`; `basicPlane` is `CharacterClassTable.basicPlane`.
    init(bytes: UnsafePointer<UInt8>, count: Int, basicPlane: UnsafePointer<UInt8>) {
        self.bytes = bytes
        self.end = count
        self.basicPlane = basicPlane
    }

    /// The class and byte length of the scalar starting at `index` (< end).
    @inline(__always)
    private func scalar(at index: Int) -> (cls: CharacterClass, length: Int) {
        let b0 = bytes[index]
        if b0 < 0x80 { return (CharacterClass(rawValue: basicPlane[Int(b0)])!, 1) }
        let (value, length) = decodeMultibyte(at: index, lead: b0)
        guard length > 0 else { return (.other, 1) }
        if value < 0x10000 { return (CharacterClass(rawValue: basicPlane[Int(value)])!, length) }
        return (CharacterClass.classify(value), length)
    }

    /// Decodes a multi-byte UTF-8 sequence; length 0 when it is not valid UTF-8.
    @inline(__always)
    private func decodeMultibyte(at index: Int, lead: UInt8) -> (UInt32, Int) {
        let remaining = end - index
        @inline(__always) func continuation(_ offset: Int) -> UInt32? {
            let byte = bytes[index + offset]
            return byte & 0xC0 == 0x80 ? UInt32(byte & 0x3F) : nil
        }
        switch lead {
        case 0xC2...0xDF:
            guard remaining >= 2, let c1 = continuation(1) else { return (0, 0) }
            return (UInt32(lead & 0x1F) << 6 | c1, 2)
        case 0xE0...0xEF:
            guard remaining >= 3, let c1 = continuation(1), let c2 = continuation(2) else { return (0, 0) }
            let value = UInt32(lead & 0x0F) << 12 | c1 << 6 | c2
            guard value >= 0x800, !(0xD800...0xDFFF).contains(value) else { return (0, 0) }
            return (value, 3)
        case 0xF0...0xF4:
            guard remaining >= 4, let c1 = continuation(1), let c2 = continuation(2), let c3 = continuation(3)
            else { return (0, 0) }
            let value = UInt32(lead & 0x07) << 18 | c1 << 12 | c2 << 6 | c3
            guard (0x10000...0x10FFFF).contains(value) else { return (0, 0) }
            return (value, 4)
        default:
            return (0, 0)
        }
    }

    /// End of the maximal run of `cls` scalars starting at `index`.
    @inline(__always)
    private func endOfRun(_ cls: CharacterClass, from index: Int) -> Int {
        var index = index
        while index < end {
            let next = scalar(at: index)
            guard next.cls == cls else { break }
            index += next.length
        }
        return index
    }

    /// Length of the contraction ('s 't 're 've 'm 'll 'd) at `index` (an apostrophe), or 0.
    @inline(__always)
    private func contractionLength(at index: Int) -> Int {
        guard index + 1 < end else { return 0 }
        switch bytes[index + 1] {
        case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "m"), UInt8(ascii: "d"):
            return 2
        case UInt8(ascii: "r"), UInt8(ascii: "v"):
            return index + 2 < end && bytes[index + 2] == UInt8(ascii: "e") ? 3 : 0
        case UInt8(ascii: "l"):
            return index + 2 < end && bytes[index + 2] == UInt8(ascii: "l") ? 3 : 0
        default:
            return 0
        }
    }

    /// The byte range of the next pre-token, or nil at the end of the text.
    @inline(__always)
    mutating func next() -> Range<Int>? {
        let start = position
        guard start < end else { return nil }
        let first = scalar(at: start)
        var stop: Int
        if first.cls == .number {
            stop = start + first.length                                    // stage 1: a digit alone
        } else if bytes[start] == UInt8(ascii: "'"), case let length = contractionLength(at: start), length > 0 {
            stop = start + length                                          // 's 't 're 've 'm 'll 'd
        } else if first.cls == .letter || first.cls == .other {
            stop = endOfRun(first.cls, from: start + first.length)         // \p{L}+ or [^\s\p{L}\p{N}]+
        } else {
            if bytes[start] == UInt8(ascii: " "), start + 1 < end {        // " ?\p{L}+", " ?[^\s…]+"
                let second = scalar(at: start + 1)
                if second.cls == .letter || second.cls == .other {
                    position = endOfRun(second.cls, from: start + 1 + second.length)
                    return start..<position
                }
            }
            // \s+(?!\S) | \s+ : a whitespace run; if a letter or other scalar follows in the
            // same piece, the run's last scalar is left to prefix it (unless it is alone).
            var lastStart = start
            stop = start + first.length
            while stop < end {
                let next = scalar(at: stop)
                if next.cls != .whitespace {
                    if next.cls != .number && lastStart > start { stop = lastStart }
                    break
                }
                lastStart = stop
                stop += next.length
            }
        }
        position = stop
        return start..<stop
    }
}
