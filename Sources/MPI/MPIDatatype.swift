import CMPI

/// An MPI datatype, opaque to users of the module: obtained only from an
/// `MPIDatatypeConvertible` type's `mpiDatatype`.
public struct MPIDatatype: @unchecked Sendable {
    /// The MPI handle (`MPI_Datatype`); never leaves the module.
    let handle: MPI_Datatype
    /// A readable name, used in error messages.
    let name: String
}

/// A Swift type whose values MPI sends as one element of a predefined MPI datatype.
///
/// Conforming types are plain fixed-size numbers; the module provides `Float`,
/// `Double`, `Int32`, `Int64`, `Int`, `UInt8`, `UInt16`, `UInt32` and `UInt64`.
public protocol MPIDatatypeConvertible {
    /// The MPI datatype of one value of this type.
    static var mpiDatatype: MPIDatatype { get }
}

extension Float: MPIDatatypeConvertible {
    /// `MPI_FLOAT`.
    public static var mpiDatatype: MPIDatatype { MPIDatatype(handle: MPI_FLOAT, name: "Float") }
}

extension Double: MPIDatatypeConvertible {
    /// `MPI_DOUBLE`.
    public static var mpiDatatype: MPIDatatype { MPIDatatype(handle: MPI_DOUBLE, name: "Double") }
}

extension Int32: MPIDatatypeConvertible {
    /// `MPI_INT32_T`.
    public static var mpiDatatype: MPIDatatype { MPIDatatype(handle: MPI_INT32_T, name: "Int32") }
}

extension Int64: MPIDatatypeConvertible {
    /// `MPI_INT64_T`.
    public static var mpiDatatype: MPIDatatype { MPIDatatype(handle: MPI_INT64_T, name: "Int64") }
}

extension Int: MPIDatatypeConvertible {
    /// `MPI_INT64_T` on 64-bit platforms, `MPI_INT32_T` on 32-bit ones.
    public static var mpiDatatype: MPIDatatype {
        MemoryLayout<Int>.size == 8
            ? MPIDatatype(handle: MPI_INT64_T, name: "Int")
            : MPIDatatype(handle: MPI_INT32_T, name: "Int")
    }
}

extension UInt8: MPIDatatypeConvertible {
    /// `MPI_UINT8_T`.
    public static var mpiDatatype: MPIDatatype { MPIDatatype(handle: MPI_UINT8_T, name: "UInt8") }
}

extension UInt16: MPIDatatypeConvertible {
    /// `MPI_UINT16_T`.
    public static var mpiDatatype: MPIDatatype { MPIDatatype(handle: MPI_UINT16_T, name: "UInt16") }
}

extension UInt32: MPIDatatypeConvertible {
    /// `MPI_UINT32_T`.
    public static var mpiDatatype: MPIDatatype { MPIDatatype(handle: MPI_UINT32_T, name: "UInt32") }
}

extension UInt64: MPIDatatypeConvertible {
    /// `MPI_UINT64_T`.
    public static var mpiDatatype: MPIDatatype { MPIDatatype(handle: MPI_UINT64_T, name: "UInt64") }
}
