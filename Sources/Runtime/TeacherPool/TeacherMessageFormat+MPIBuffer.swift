import MPI
import TrainingCore

/// A teacher message in an MPI buffer of 32-bit words (the layout and its reading and
/// writing: `TeacherMessageFormat`, `TeacherMessageFormat+Words` in the core).
extension TeacherMessageFormat {
    /// Writes `outputs` into `buffer` (at least `messageWords` long).
    public func encode(_ outputs: TeacherOutputs, into buffer: MPIBuffer<UInt32>) {
        encode(outputs, into: buffer.storage)
    }

    /// Reads a received message of `count` words, checking that it is the one expected.
    public func decode(_ buffer: MPIBuffer<UInt32>, count: Int, expectedStep: Int, expectedStudent: Int,
                       sourceRank: Int) throws -> TeacherOutputs {
        precondition(count >= 0 && count <= buffer.count, "received \(count) words into a buffer of \(buffer.count)")
        return try decode(UnsafeBufferPointer(rebasing: buffer.storage[..<count]), expectedStep: expectedStep,
                          expectedStudent: expectedStudent, sourceRank: sourceRank)
    }
}
