import CMPI

/// The thread support level of MPI (`MPI_THREAD_*`), ordered from least to most support.
public enum MPIThreadLevel: Int32, Comparable, Sendable, CustomStringConvertible {
    /// Only one thread exists in the process (`MPI_THREAD_SINGLE`).
    case single
    /// Many threads, but only the main thread calls MPI (`MPI_THREAD_FUNNELED`).
    case funneled
    /// Many threads call MPI, never two at once (`MPI_THREAD_SERIALIZED`).
    case serialized
    /// Any thread calls MPI at any time (`MPI_THREAD_MULTIPLE`).
    case multiple

    /// MPI's constant for this level.
    var mpiValue: Int32 {
        switch self {
        case .single: return Int32(MPI_THREAD_SINGLE)
        case .funneled: return Int32(MPI_THREAD_FUNNELED)
        case .serialized: return Int32(MPI_THREAD_SERIALIZED)
        case .multiple: return Int32(MPI_THREAD_MULTIPLE)
        }
    }

    /// The level for MPI's constant `value`, or nil for an unknown value.
    init?(mpiValue value: Int32) {
        switch value {
        case Int32(MPI_THREAD_SINGLE): self = .single
        case Int32(MPI_THREAD_FUNNELED): self = .funneled
        case Int32(MPI_THREAD_SERIALIZED): self = .serialized
        case Int32(MPI_THREAD_MULTIPLE): self = .multiple
        default: return nil
        }
    }

    /// Orders levels by the support they give (`single` < `funneled` < `serialized` < `multiple`).
    public static func < (lhs: MPIThreadLevel, rhs: MPIThreadLevel) -> Bool {
        lhs.mpiValue < rhs.mpiValue
    }

    /// MPI's name for the level, for example `MPI_THREAD_FUNNELED`.
    public var description: String {
        switch self {
        case .single: return "MPI_THREAD_SINGLE"
        case .funneled: return "MPI_THREAD_FUNNELED"
        case .serialized: return "MPI_THREAD_SERIALIZED"
        case .multiple: return "MPI_THREAD_MULTIPLE"
        }
    }
}
