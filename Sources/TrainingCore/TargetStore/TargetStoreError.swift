/// Why a teacher-target store cannot be written or read; every case names the file.
public enum TargetStoreError: Error, CustomStringConvertible, Equatable {
    case missing(path: String)
    case invalidManifest(path: String, problem: String)
    /// The store holds targets of another job (`difference`: store's vs the job's value).
    case keyMismatch(path: String, difference: String)
    /// A block whose header, bounds or checksum is wrong: never read as data.
    case damagedBlock(path: String, block: Int, byteOffset: Int, problem: String)
    /// A sequence the store does not hold.
    case notCaptured(path: String, domain: String, sequence: Int, captured: Int)
    case io(path: String, problem: String)

    public var description: String {
        switch self {
        case .missing(let path):
            return "\(path): no teacher-target store here (make one with `ddk capture`)"
        case .invalidManifest(let path, let problem):
            return "\(path): not a valid teacher-target store manifest: \(problem)"
        case .keyMismatch(let path, let difference):
            return "\(path): the store holds another job's teacher targets (\(difference), store vs this job)"
        case .damagedBlock(let path, let block, let offset, let problem):
            return "\(path): block \(block) at byte \(offset) is damaged: \(problem)"
        case .notCaptured(let path, let domain, let sequence, let captured):
            return "\(path): domain \(domain) sequence \(sequence) is not in the store (it holds the first \(captured))"
        case .io(let path, let problem):
            return "\(path): \(problem)"
        }
    }
}
