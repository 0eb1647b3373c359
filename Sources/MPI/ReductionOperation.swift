import CMPI

/// A predefined reduction applied element-wise by `allReduce`, `reduce` and `immediateAllReduce`.
public enum ReductionOperation: Sendable, CustomStringConvertible {
    /// Element-wise sum (`MPI_SUM`).
    case sum
    /// Element-wise maximum (`MPI_MAX`).
    case max
    /// Element-wise minimum (`MPI_MIN`).
    case min

    /// The MPI handle (`MPI_Op`).
    var handle: MPI_Op {
        switch self {
        case .sum: return MPI_SUM
        case .max: return MPI_MAX
        case .min: return MPI_MIN
        }
    }

    /// MPI's name for the operation, for example `MPI_SUM`.
    public var description: String {
        switch self {
        case .sum: return "MPI_SUM"
        case .max: return "MPI_MAX"
        case .min: return "MPI_MIN"
        }
    }
}
