import CMPI

/// An error from the MPI module: an MPI call that returned a failure, a deadline
/// that passed while waiting on a request, or a call the wrapper refused
/// (MPI initialized twice, a count that does not fit, a range out of bounds).
///
/// Its `description` is one line naming the MPI operation and what went wrong.
public struct MPIError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Why the operation failed.
    public enum Reason: Sendable, Equatable {
        /// The MPI call returned `code` (error class `errorClass`) instead of `MPI_SUCCESS`.
        case returned(code: Int32, errorClass: Int32)
        /// A wait with a deadline gave up after this many seconds; the request is still pending.
        case timedOut(seconds: Double)
        /// The wrapper refused the call before reaching MPI (misuse or an argument out of range).
        case refused
    }

    /// The MPI operation that failed, as MPI names it (for example `"MPI_Bcast"`).
    public let operation: String
    /// Why it failed.
    public let reason: Reason
    /// MPI's own text for the error (`MPI_Error_string`), or the wrapper's explanation.
    public let message: String

    /// The MPI error code when MPI returned one, otherwise nil.
    public var code: Int32? {
        if case .returned(let code, _) = reason { return code }
        return nil
    }

    /// True when this error is a passed deadline (`Request.wait(timeout:)`, `Request.waitAll(_:timeout:)`).
    public var isTimeout: Bool {
        if case .timedOut = reason { return true }
        return false
    }

    /// One line: the operation, MPI's message and the code.
    public var description: String {
        switch reason {
        case .returned(let code, let errorClass):
            return "\(operation) failed: \(message) (MPI error code \(code), class \(errorClass))"
        case .timedOut(let seconds):
            return "\(operation) timed out after \(seconds) s: \(message)"
        case .refused:
            return "\(operation) refused: \(message)"
        }
    }

    init(operation: String, reason: Reason, message: String) {
        self.operation = operation
        self.reason = reason
        self.message = message
    }

    /// A deadline that passed while `operation` was waited for outside a request (for
    /// example a collective run by another thread); `waitingFor` says what was awaited.
    public static func timedOut(_ operation: String, after seconds: Double, waitingFor: String) -> MPIError {
        MPIError(operation: operation, reason: .timedOut(seconds: seconds), message: "still waiting for \(waitingFor)")
    }

    /// An error for a call the wrapper refuses before calling MPI.
    static func refused(_ operation: String, _ message: String) -> MPIError {
        MPIError(operation: operation, reason: .refused, message: message)
    }

    /// The error for a non-success return `code` of `operation`, with MPI's text for it.
    init(operation: String, code: Int32) {
        var errorClass: Int32 = code
        _ = MPI_Error_class(code, &errorClass)
        var text = [CChar](repeating: 0, count: Int(MPI_MAX_ERROR_STRING) + 1)
        var length: Int32 = 0
        let message: String
        if MPI_Error_string(code, &text, &length) == MPI_SUCCESS {
            message = String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        } else {
            message = "unknown MPI error"
        }
        self.init(operation: operation, reason: .returned(code: code, errorClass: errorClass), message: message)
    }
}

/// The one place where an MPI return code becomes a thrown error: every MPI call
/// of this module goes through here, directly (calls made before or without an
/// environment: `MPI_Initialized`, `MPI_Init_thread`, ...) or through
/// `MPIEnvironment.check(_:_:)`, which first refuses calls after finalization.
@inline(__always)
func checkMPI(_ operation: StaticString, _ code: Int32) throws {
    if code != MPI_SUCCESS {
        throw MPIError(operation: "\(operation)", code: code)
    }
}

/// Converts a Swift count, rank or tag to MPI's `int`, refusing values that do not fit.
@inline(__always)
func mpiInt(_ value: Int, _ what: String, _ operation: StaticString) throws -> Int32 {
    guard let converted = Int32(exactly: value) else {
        throw MPIError.refused("\(operation)", "\(what) \(value) does not fit in MPI's 32-bit int")
    }
    return converted
}
