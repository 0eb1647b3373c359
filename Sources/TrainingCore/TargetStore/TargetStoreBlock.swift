// One block of a domain's target file.
//
//     header (32 bytes, little-endian)  magic "DKTB", domain u32, first sequence u32,
//                                       sequence count u32, payload bytes u64, checksum u64
//     payload                           (count + 1) u32 offsets into the rows, then each
//                                       sequence's rows (`TargetRowCodec`), byte-aligned
//
// The checksum (64-bit FNV-1a, `ContentHash`) covers the header's first 24 bytes and the payload, so a
// flipped bit anywhere in the block is caught before its rows are decoded.

/// Where a block lies in its file, read from its header.
public struct TargetStoreBlock {
    static let headerBytes = 32
    static let magic: UInt32 = 0x4254_4B44  // "DKTB" in file order

    let domain: Int
    let firstSequence: Int
    let sequenceCount: Int
    /// File offset of the header.
    let offset: Int
    let payloadBytes: Int
    let checksum: UInt64

    /// The file offset after the block.
    var end: Int { offset + Self.headerBytes + payloadBytes }

    /// A block's bytes: header and payload for the rows of each of `sequences`.
    public static func encode(domain: Int, firstSequence: Int, sequences: [[UInt8]]) -> [UInt8] {
        var offsets = [UInt32](), position = 0
        for sequence in sequences {
            offsets.append(UInt32(position))
            position += sequence.count
        }
        offsets.append(UInt32(position))
        var payload = [UInt8]()
        payload.reserveCapacity(4 * offsets.count + position)
        for offset in offsets { append(offset, to: &payload) }
        for sequence in sequences { payload += sequence }
        var header = [UInt8]()
        for word in [magic, UInt32(domain), UInt32(firstSequence), UInt32(sequences.count)] { append(word, to: &header) }
        append(UInt64(payload.count), to: &header)
        let sum = header.withUnsafeBytes { h in payload.withUnsafeBytes { checksum(header: h, payload: $0) } }
        append(sum, to: &header)
        return header + payload
    }

    /// The header at `offset` of `file` (nil when fewer bytes remain than the block needs:
    /// a capture stopped while writing it). Throws when the header is not one.
    static func header(in file: UnsafeRawBufferPointer, at offset: Int, path: String, index: Int) throws -> TargetStoreBlock? {
        guard file.count - offset >= headerBytes else { return nil }
        func word(_ at: Int) -> UInt32 { UInt32(littleEndian: file.loadUnaligned(fromByteOffset: offset + at, as: UInt32.self)) }
        let payloadBytes = UInt64(littleEndian: file.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self))
        guard word(0) == magic else {
            throw TargetStoreError.damagedBlock(path: path, block: index, byteOffset: offset, problem: "no block header (magic)")
        }
        guard payloadBytes <= UInt64(Int.max - headerBytes - offset) else {
            throw TargetStoreError.damagedBlock(path: path, block: index, byteOffset: offset, problem: "payload length \(payloadBytes)")
        }
        let block = TargetStoreBlock(domain: Int(word(4)), firstSequence: Int(word(8)), sequenceCount: Int(word(12)),
                                     offset: offset, payloadBytes: Int(payloadBytes),
                                     checksum: UInt64(littleEndian: file.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self)))
        return block.end <= file.count ? block : nil
    }

    /// Whether the block's checksum matches its bytes.
    func isIntact(in file: UnsafeRawBufferPointer) -> Bool {
        let header = UnsafeRawBufferPointer(rebasing: file[offset..<offset + 24])
        let payload = UnsafeRawBufferPointer(rebasing: file[offset + Self.headerBytes..<end])
        return Self.checksum(header: header, payload: payload) == checksum
    }

    /// Sequence `i`'s rows (after the checksum passed); throws when the offsets are not inside the payload.
    func rows(ofSequence i: Int, in file: UnsafeRawBufferPointer, path: String, index: Int) throws -> UnsafeRawBufferPointer {
        let table = offset + Self.headerBytes, data = table + 4 * (sequenceCount + 1)
        func outside() -> TargetStoreError {
            .damagedBlock(path: path, block: index, byteOffset: offset, problem: "sequence offsets outside the block")
        }
        guard data <= end else { throw outside() }
        func entry(_ j: Int) -> Int { Int(UInt32(littleEndian: file.loadUnaligned(fromByteOffset: table + 4 * j, as: UInt32.self))) }
        let start = data + entry(i), stop = data + entry(i + 1)
        guard start <= stop, stop <= end else { throw outside() }
        return UnsafeRawBufferPointer(rebasing: file[start..<stop])
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    private static func checksum(header: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) -> UInt64 {
        var hash = ContentHash()
        hash.combine(bytes: UnsafeRawBufferPointer(rebasing: header.prefix(24)))
        hash.combine(bytes: payload)
        return hash.value
    }
}
