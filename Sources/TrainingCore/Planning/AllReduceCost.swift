/// The seconds of the students' gradient all-reduce per step.
///
/// The job sums the gradient in place in buckets (`training.allreduce_bucket_megabytes`).
/// `binomial` is what was measured for both `training.gradient_sync` paths between two
/// hosts: Open MPI 4.1's non-blocking collectives (coll/libnbc) run every in-place
/// `MPI_Iallreduce` as a binomial tree (`nbc_iallreduce.c`: `p < 4 || … || inplace` →
/// `NBC_ARED_BINOMIAL`), the whole bucket up to rank 0 and back down, ⌈log₂ p⌉ rounds each
/// way; the communication thread's blocking `MPI_Allreduce` of the same 8 MB buckets moved
/// the bytes nearly one direction at a time too (11.1 s for 68 MB at 100 Mbit/s; one
/// blocking all-reduce of all 68 MB took 5.7 s). Ranks fill nodes in order, so only the
/// ⌈log₂ n⌉ rounds between the n student nodes cross the link, one message per node per round; up
/// and down cross the link as measured (`linkPasses`). Counted after backward:
/// the buckets summed during backward are the blocks' (a quarter of the demo student's
/// bytes; a tied embedding is final last), which hides at most the blocks' backward time.
/// `ring` is the textbook ring over the slowest link, 2(p−1)/p · bytes/bandwidth + 2(p−1) ·
/// latency, both directions at once: what large buffers can reach, for comparison.
public enum AllReduceAlgorithm: String, Codable, Sendable, CaseIterable {
    case binomial
    case ring
}

public struct AllReduceCost: Codable, Equatable, Sendable {
    /// On this machine's transport: the fitted α + bytes/β, once per round trip up and down the tree.
    public var localSeconds: Double
    /// On the link between nodes beyond the software's own time (0 when every student is on
    /// one node).
    public var linkSeconds: Double

    public var seconds: Double { localSeconds + linkSeconds }

    /// Link passes per link round, measured between two hosts over `tc tbf` links (68 MB in
    /// 8 MB buckets; one pass = the bytes once over the link): `MPI_Iallreduce`'s binomial
    /// tree 2.03 (up, then down); the communication thread's blocking `MPI_Allreduce` 1.95 at
    /// 100 Mbit/s, 1.86 at 300 Mbit/s, 1.54 at 1 Gbit/s — taken as 1.75. (One blocking
    /// all-reduce of all 68 MB is a single pass, both directions at once.)
    public static func linkPasses(_ mode: GradientSyncMode?) -> Double {
        (mode ?? .nonblocking).usesCommunicationThread ? 1.75 : 2.0
    }

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
            let link = linkRounds * linkPasses(figures.gradientSync) * (latency + bytes / bandwidth)
            guard (figures.gradientSync ?? .nonblocking).usesCommunicationThread else {
                return AllReduceCost(localSeconds: rounds * local, linkSeconds: link)
            }
            // The thread's blocking all-reduce copies and sums while the wire sends (MPI
            // progresses it all the time): a link round costs the slower of the two.
            return AllReduceCost(localSeconds: rounds * local, linkSeconds: link - min(link, linkRounds * local))
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
