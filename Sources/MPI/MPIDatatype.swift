import CMPI

/// An MPI datatype, opaque to users of the module: obtained only from an
/// `MPIDatatypeConvertible` type's `mpiDatatype`.
public struct MPIDatatype: @unchecked Sendable {
    /// The MPI handle (`MPI_Datatype`); never leaves the module.
    let handle: MPI_Datatype
    /// A readable name, used in error messages.
    let name: String
    /// The size of one element of the MPI datatype in bytes (fixed by MPI's definition).
    let size: Int
}

/// A Swift type whose values MPI sends as one element of a predefined MPI datatype.
///
/// Conforming types are plain fixed-size numbers; the module provides `Float`,
/// `Double`, `Int32`, `Int64`, `Int`, `UInt8`, `UInt16`, `UInt32` and `UInt64`.
/// Another bitwise-copyable type may reuse one of their datatypes when its
/// stride equals that datatype's size; every operation checks this and throws
/// `MPIError` otherwise, so MPI never reads or writes past a buffer.
public protocol MPIDatatypeConvertible: BitwiseCopyable {
    /// The MPI datatype of one value of this type.
    static var mpiDatatype: MPIDatatype { get }
}

extension MPIDatatypeConvertible {
    /// `mpiDatatype`, after checking that one element of MPI's datatype has
    /// exactly this type's stride.
    @inline(__always)
    static func checkedDatatype(_ operation: StaticString) throws -> MPIDatatype {
        let datatype = mpiDatatype
        guard datatype.size == MemoryLayout<Self>.stride else {
            throw MPIError.refused("\(operation)", "\(Self.self) has a stride of \(MemoryLayout<Self>.stride) bytes but its MPI datatype (\(datatype.name)) has \(datatype.size)")
        }
        return datatype
    }
}

extension Float: MPIDatatypeConvertible {
    /// `MPI_FLOAT`.
    public static var mpiDatatype: MPIDatatype { MPIDatatype(handle: MPI_FLOAT, name: "Float", size: 4) }
}

extension Double: MPIDatatypeConvertible {
    /// `MPI_DOUBLE`.
    public static var mpiDatatype: MPIDatatype { MPIDatatype(handle: MPI_DOUBLE, name: "Double", size: 8) }
}

extension Int32: MPIDatatypeConvertible {
    /// `MPI_INT32_T`.
    public static var mpiDatatype: MPIDatatype { MPIDatatype(handle: MPI_INT32_T, name: "Int32", size: 4) }
}

extension Int64: MPIDatatypeConvertible {
    /// `MPI_INT64_T`.
    public static var mpiDatatype: MPIDatatype { MPIDatatype(handle: MPI_INT64_T, name: "Int64", size: 8) }
}

extension Int: MPIDatatypeConvertible {
    /// `MPI_INT64_T` on 64-bit platforms, `MPI_INT32_T` on 32-bit ones.
    public static var mpiDatatype: MPIDatatype {
        MemoryLayout<Int>.size == 8
            ? MPIDatatype(handle: MPI_INT64_T, name: "Int", size: 8)
            : MPIDatatype(handle: MPI_INT32_T, name: "Int", size: 4)
    }
}

extension UInt8: MPIDatatypeConvertible {
    /// `MPI_UINT8_T`.
    public static var mpiDatatype: MPIDatatype { MPIDatatype(handle: MPI_UINT8_T, name: "UInt8", size: 1) }
}

extension UInt16: MPIDatatypeConvertible {
    /// `MPI_UINT16_T`.
    public static var mpiDatatype: MPIDatatype { MPIDatatype(handle: MPI_UINT16_T, name: "UInt16", size: 2) }
}

extension UInt32: MPIDatatypeConvertible {
    /// `MPI_UINT32_T`.
    public static var mpiDatatype: MPIDatatype { MPIDatatype(handle: MPI_UINT32_T, name: "UInt32", size: 4) }
}

extension UInt64: MPIDatatypeConvertible {
    /// `MPI_UINT64_T`.
    public static var mpiDatatype: MPIDatatype { MPIDatatype(handle: MPI_UINT64_T, name: "UInt64", size: 8) }
}
