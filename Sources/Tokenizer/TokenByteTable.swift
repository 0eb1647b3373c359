/// One byte string per token id, back to back: token i is `bytes[offsets[i]..<offsets[i+1]]`.
/// Built once; read-only afterwards.
struct TokenByteTable: Sendable {
    let bytes: [UInt8]
    let offsets: [Int32]

    /// Appends each element's bytes through `append`, in order; element i becomes token i.
    init<Elements: Sequence>(_ elements: Elements, bytes append: (Elements.Element, inout [UInt8]) -> Void) {
        var bytes: [UInt8] = []
        var offsets: [Int32] = [0]
        offsets.reserveCapacity(elements.underestimatedCount + 1)
        for element in elements {
            append(element, &bytes)
            offsets.append(Int32(bytes.count))
        }
        self.bytes = bytes
        self.offsets = offsets
    }

    /// Number of tokens.
    var count: Int { offsets.count - 1 }

    /// The bytes of `ids`, concatenated; an id outside the table gives the UTF-8 of U+FFFD.
    func concatenated(_ ids: [Int32]) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(ids.count * 4)
        bytes.withUnsafeBufferPointer { all in
            offsets.withUnsafeBufferPointer { offsets in
                for id in ids {
                    guard id >= 0, Int(id) < offsets.count - 1 else {
                        result.append(contentsOf: [0xEF, 0xBF, 0xBD])
                        continue
                    }
                    result.append(contentsOf: all[Int(offsets[Int(id)])..<Int(offsets[Int(id) + 1])])
                }
            }
        }
        return result
    }

    /// The bytes of one token (empty for an id outside the table).
    func bytes(ofToken id: Int32) -> ArraySlice<UInt8> {
        guard id >= 0, Int(id) < count else { return [] }
        return bytes[Int(offsets[Int(id)])..<Int(offsets[Int(id) + 1])]
    }
}
