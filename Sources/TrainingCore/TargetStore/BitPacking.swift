// Bit streams of the teacher-target store: values written most significant bit first,
// a sequence's rows padded to a whole byte at its end.

/// Appends values of 0...32 bits, and unary counts, to a byte array.
struct BitWriter {
    private(set) var bytes: [UInt8] = []
    /// Bits not yet flushed, in the low `pendingBits` bits.
    private var accumulator: UInt64 = 0
    private var pendingBits = 0

    /// The low `bits` bits of `value`.
    mutating func write(_ value: UInt32, bits: Int) {
        precondition(bits >= 0 && bits <= 32, "BitWriter writes 0...32 bits at a time")
        guard bits > 0 else { return }
        let mask: UInt64 = (1 << UInt64(bits)) - 1
        accumulator = (accumulator << UInt64(bits)) | (UInt64(value) & mask)
        pendingBits += bits
        while pendingBits >= 8 {
            pendingBits -= 8
            bytes.append(UInt8(truncatingIfNeeded: accumulator >> UInt64(pendingBits)))
        }
        accumulator &= (1 << UInt64(pendingBits)) - 1
    }

    /// `count` one bits and a zero (Rice codes' quotient).
    mutating func writeUnary(_ count: Int) {
        var remaining = count
        while remaining >= 32 {
            write(UInt32.max, bits: 32)
            remaining -= 32
        }
        write(UInt32((1 << UInt64(remaining)) - 1) << 1, bits: remaining + 1)
    }

    /// Pads the last byte with zeros; the bytes written.
    mutating func finish() -> [UInt8] {
        if pendingBits > 0 { write(0, bits: 8 - pendingBits) }
        return bytes
    }
}

/// Reads what `BitWriter` wrote; reading past the end throws (damaged data is never read
/// as data beyond its bytes).
struct BitReader {
    let bytes: UnsafeRawBufferPointer
    /// The next bit.
    private(set) var position = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    struct Overrun: Error {}

    /// The next `bits` bits (0...32) as an unsigned value.
    mutating func read(bits: Int) throws -> UInt32 {
        guard bits > 0 else { return 0 }
        guard position + bits <= bytes.count * 8 else { throw Overrun() }
        var value: UInt64 = 0
        var remaining = bits
        while remaining > 0 {
            let offset = position & 7, available = 8 - offset
            let take = min(available, remaining)
            let byte = UInt64(bytes[position >> 3])
            value = (value << UInt64(take)) | ((byte >> UInt64(available - take)) & ((1 << UInt64(take)) - 1))
            remaining -= take
            position += take
        }
        return UInt32(value)
    }

    /// A unary count: the one bits before the next zero.
    mutating func readUnary() throws -> Int {
        var count = 0
        while true {
            guard position < bytes.count * 8 else { throw Overrun() }
            let offset = position & 7
            let rest = UInt8(truncatingIfNeeded: Int(bytes[position >> 3]) << offset)  // unread bits, left aligned
            let ones = (~rest).leadingZeroBitCount  // leading ones of the unread bits (8 when all are)
            let available = 8 - offset
            if ones < available {
                count += ones
                position += ones + 1
                return count
            }
            count += available
            position += available
        }
    }
}
