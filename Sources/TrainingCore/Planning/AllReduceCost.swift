/// The seconds of the students' gradient all-reduce per step.
///
/// The job sums the gradient in place with `MPI_Iallreduce` in buckets. Open MPI 4.1's
/// non-blocking collectives (coll/libnbc) choose the binomial algorithm for every in-place
/// all-reduce (`nbc_iallreduce.c`: `p < 4 || … || inplace` → `NBC_ARED_BINOMIAL`): the
/// whole bucket goes up a binomial tree to rank 0 and back down, ⌈log₂ p⌉ rounds each way.
/// Ranks fill nodes in order, so only the ⌈log₂ n⌉ rounds between the n student nodes
/// cross the link, one message per node per round (the other ranks of a node are done by
/// then). Up and down are two passes over the link, one after the other per bucket; the
/// buckets overlap a little (`linkPasses` below, from the measurements). `ring` is the
/// textbook ring over the slowest link: 2(p−1)/p · bytes/bandwidth + 2(p−1) · latency,
/// what a tuned blocking `MPI_Allreduce` of large buffers approaches (not what the job runs).
public enum AllReduceAlgorithm: String, Codable, Sendable, CaseIterable {
    case binomial
    case ring
}

public struct AllReduceCost: Codable, Equatable, Sendable {
    /// On this machine's transport: the fitted α + bytes/β, once per round trip up and down the tree.
    public var localSeconds: Double
    /// On the link between nodes (0 when every student is on one node).
    public var linkSeconds: Double

    public var seconds: Double { localSeconds + linkSeconds }

    /// Link passes of the binomial tree per link round: up, then down, the buckets started
    /// together do not overlap the two directions: over a 100 Mbit/s tbf link between two
    /// hosts the job's 68 MB in 9 buckets took 11.53 s, 2.03 × a blocking `MPI_Allreduce`
    /// of the same bytes (5.70 s, which uses both directions at once).
    public static let binomialLinkPasses = 2.0

    /// The cost for `students` ranks spread over `studentNodes` nodes, at most
    /// `studentsPerNode` on one node.
    public static func estimate(bytes: Double, students: Int, studentNodes: Int, studentsPerNode: Int,
                                figures: MeasuredFigures, cluster: ClusterDescription,
                                algorithm: AllReduceAlgorithm) -> AllReduceCost {
        guard students > 1 else { return AllReduceCost(localSeconds: 0, linkSeconds: 0) }
        let local = figures.localAllReduceSeconds(bytes: bytes)
        let latency = cluster.linkLatencySeconds, bandwidth = cluster.linkBytesPerSecond
        switch algorithm {
        case .binomial:
            let rounds = Double(ceilLog2(students))
            let linkRounds = Double(ceilLog2(studentNodes))
            let link = linkRounds * binomialLinkPasses * (latency + bytes / bandwidth)
            return AllReduceCost(localSeconds: rounds * local, linkSeconds: link)
        case .ring:
            let p = Double(students)
            let localRing = 2 * (p - 1) / p * (local - figures.allreduceLatencySeconds) + (p - 1) * figures.allreduceLatencySeconds
            guard studentNodes > 1 else { return AllReduceCost(localSeconds: localRing, linkSeconds: 0) }
            let link = 2 * (p - 1) / p * bytes / bandwidth + 2 * (p - 1) * latency
            return AllReduceCost(localSeconds: localRing, linkSeconds: link)
        }
    }

    /// ⌈log₂ n⌉ for n ≥ 1.
    static func ceilLog2(_ n: Int) -> Int {
        var rounds = 0, reach = 1
        while reach < n { reach *= 2; rounds += 1 }
        return rounds
    }
}
