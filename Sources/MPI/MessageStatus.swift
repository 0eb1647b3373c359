/// What MPI reports about a received or probed message.
public struct MessageStatus: Sendable, Equatable, CustomStringConvertible {
    /// The rank of the sender in the communicator.
    public let source: Int
    /// The message's tag.
    public let tag: Int
    /// The number of elements of the datatype it was received or probed as.
    public let count: Int

    /// Creates a status; the module fills these from MPI's `MPI_Status`.
    public init(source: Int, tag: Int, count: Int) {
        self.source = source
        self.tag = tag
        self.count = count
    }

    /// `source S, tag T, count C`.
    public var description: String { "source \(source), tag \(tag), count \(count)" }
}
