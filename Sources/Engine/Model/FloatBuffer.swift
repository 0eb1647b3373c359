#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One owned, 64-byte aligned, zero-initialised contiguous buffer of Floats:
/// the storage of parameters, gradients, optimizer moments and activations.
public final class FloatBuffer: @unchecked Sendable {
    /// First element.
    public let pointer: UnsafeMutablePointer<Float>
    /// Number of elements.
    public let count: Int

    /// Allocates `count` zeroed Floats.
    public init(count: Int) {
        precondition(count >= 0, "FloatBuffer: negative count")
        var raw: UnsafeMutableRawPointer?
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        let status = posix_memalign(&raw, 64, bytes)
        precondition(status == 0 && raw != nil, "FloatBuffer: cannot allocate \(bytes) bytes")
        memset(raw!, 0, bytes)
        pointer = raw!.bindMemory(to: Float.self, capacity: max(count, 1))
        self.count = count
    }

    deinit { free(pointer) }

    /// The whole buffer as a buffer pointer.
    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }

    /// A view of `count` elements starting at `offset`.
    public func slice(offset: Int, count: Int) -> UnsafeMutableBufferPointer<Float> {
        precondition(offset >= 0 && offset + count <= self.count, "FloatBuffer: slice out of range")
        return UnsafeMutableBufferPointer(start: pointer + offset, count: count)
    }

    /// Sets every element to zero.
    public func zero() { memset(pointer, 0, count * MemoryLayout<Float>.stride) }

    /// A copy of the contents as an array.
    public func toArray() -> [Float] { Array(buffer) }
}
