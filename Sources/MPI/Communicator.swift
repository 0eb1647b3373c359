import CMPI

/// A group of ranks that talk to each other: the world, or one made from it by
/// `split(color:key:)`, `splitByNode()` or `duplicate()`.
///
/// Every communicator returns errors (`MPI_ERRORS_RETURN`), so a failing call
/// throws `MPIError`. User communicators are freed (`MPI_Comm_free`) in deinit
/// while MPI is still initialized — each holds its environment, which therefore
/// cannot finalize before them; after an explicit `MPIEnvironment.finalize()`
/// the deinit makes no MPI call. The world communicator is never freed.
///
/// Like MPI itself, a communicator may be used from several threads only when
/// the environment's `providedThreadLevel` allows it.
public final class Communicator {
    /// The MPI handle (`MPI_Comm`); never leaves the module.
    let handle: MPI_Comm
    /// The environment, kept alive so MPI is not finalized under this communicator.
    public let environment: MPIEnvironment
    /// False for the world communicator, which is never freed.
    private let ownsHandle: Bool
    /// This process's rank in the communicator, from 0 to `size - 1`.
    public let rank: Int
    /// The number of ranks in the communicator.
    public let size: Int

    /// The world communicator of `environment`.
    init(world environment: MPIEnvironment) {
        self.handle = MPI_COMM_WORLD
        self.environment = environment
        self.ownsHandle = false
        self.rank = environment.worldRank
        self.size = environment.worldSize
    }

    /// Takes ownership of a newly created communicator `handle`: sets its error
    /// handler to return errors and reads rank and size. Frees it on failure.
    init(adopting handle: MPI_Comm, environment: MPIEnvironment) throws {
        var rank: Int32 = 0
        var size: Int32 = 0
        do {
            try environment.check("MPI_Comm_set_errhandler") { MPI_Comm_set_errhandler(handle, MPI_ERRORS_RETURN) }
            try environment.check("MPI_Comm_rank") { MPI_Comm_rank(handle, &rank) }
            try environment.check("MPI_Comm_size") { MPI_Comm_size(handle, &size) }
        } catch {
            var owned: MPI_Comm? = handle
            _ = MPI_Comm_free(&owned)
            throw error
        }
        self.handle = handle
        self.environment = environment
        self.ownsHandle = true
        self.rank = Int(rank)
        self.size = Int(size)
    }

    /// Frees a user communicator while MPI is initialized; never the world.
    deinit {
        if ownsHandle && !environment.isFinalized {
            var handle: MPI_Comm? = self.handle
            _ = MPI_Comm_free(&handle)
        }
    }

    /// True for the world communicator.
    public var isWorld: Bool { !ownsHandle }

    /// Splits the communicator (`MPI_Comm_split`, collective): ranks giving the
    /// same `color` land in the same new communicator, ordered by `key` (then
    /// by their rank here).
    ///
    /// - Parameters:
    ///   - color: a non-negative colour, or nil (`MPI_UNDEFINED`) to join no
    ///     new communicator.
    ///   - key: the ordering key; defaults to this rank.
    /// - Returns: the new communicator, or nil when `color` is nil.
    public func split(color: Int?, key: Int? = nil) throws -> Communicator? {
        let mpiColor = try color.map { try mpiInt($0, "colour", "MPI_Comm_split") } ?? MPI_UNDEFINED
        let mpiKey = try mpiInt(key ?? rank, "key", "MPI_Comm_split")
        var newHandle: MPI_Comm? = MPI_COMM_NULL
        try environment.check("MPI_Comm_split") { MPI_Comm_split(handle, mpiColor, mpiKey, &newHandle) }
        guard let created = newHandle, created != MPI_COMM_NULL else { return nil }
        return try Communicator(adopting: created, environment: environment)
    }

    /// Splits the communicator by shared-memory node (`MPI_Comm_split_type`
    /// with `MPI_COMM_TYPE_SHARED`, collective): the ranks of the result are the
    /// ranks of this communicator on the same host, so its `size` is the number
    /// of ranks per host (useful to choose thread counts).
    ///
    /// - Parameter key: the ordering key; defaults to this rank.
    public func splitByNode(key: Int? = nil) throws -> Communicator {
        let mpiKey = try mpiInt(key ?? rank, "key", "MPI_Comm_split_type")
        var newHandle: MPI_Comm? = MPI_COMM_NULL
        try environment.check("MPI_Comm_split_type") {
            MPI_Comm_split_type(handle, Int32(MPI_COMM_TYPE_SHARED), mpiKey, MPI_INFO_NULL, &newHandle)
        }
        guard let created = newHandle, created != MPI_COMM_NULL else {
            throw MPIError.refused("MPI_Comm_split_type", "MPI returned no communicator for the shared-memory split")
        }
        return try Communicator(adopting: created, environment: environment)
    }

    /// A new communicator with the same ranks in the same order and a separate
    /// message space (`MPI_Comm_dup`, collective).
    public func duplicate() throws -> Communicator {
        var newHandle: MPI_Comm? = MPI_COMM_NULL
        try environment.check("MPI_Comm_dup") { MPI_Comm_dup(handle, &newHandle) }
        guard let created = newHandle, created != MPI_COMM_NULL else {
            throw MPIError.refused("MPI_Comm_dup", "MPI returned no communicator for the duplicate")
        }
        return try Communicator(adopting: created, environment: environment)
    }

    /// Blocks until every rank of the communicator has called it (`MPI_Barrier`).
    public func barrier() throws {
        try environment.check("MPI_Barrier") { MPI_Barrier(handle) }
    }

    /// MPI's source argument for an optional rank: nil means any source.
    func sourceArgument(_ source: Int?, _ operation: StaticString) throws -> Int32 {
        try source.map { try mpiInt($0, "source rank", operation) } ?? MPI_ANY_SOURCE
    }

    /// MPI's tag argument for an optional tag: nil means any tag.
    func tagArgument(_ tag: Int?, _ operation: StaticString) throws -> Int32 {
        try tag.map { try mpiInt($0, "tag", operation) } ?? MPI_ANY_TAG
    }
}
