// Per-objective scratch memory for the row kernels (grown on demand, reused
// across rows and chunks; not shared between threads).

/// Reusable scratch buffers for the row kernels; one per objective or caller.
public final class KernelScratch {
    @usableFromInline var floats: UnsafeMutablePointer<Float>
    @usableFromInline var floatCapacity: Int
    @usableFromInline var ints: UnsafeMutablePointer<Int>
    @usableFromInline var intCapacity: Int

    /// Empty scratch; buffers grow on first use.
    public init() {
        floats = .allocate(capacity: 64); floatCapacity = 64
        ints = .allocate(capacity: 64); intCapacity = 64
    }

    deinit { floats.deallocate(); ints.deallocate() }

    /// At least `count` floats.
    @inlinable
    func floatBuffer(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count > floatCapacity {
            floats.deallocate(); floats = .allocate(capacity: count); floatCapacity = count
        }
        return floats
    }

    /// At least `count` integers.
    @inlinable
    func intBuffer(_ count: Int) -> UnsafeMutablePointer<Int> {
        if count > intCapacity {
            ints.deallocate(); ints = .allocate(capacity: count); intCapacity = count
        }
        return ints
    }
}
