/// The machines a job would run on: identical nodes joined by one kind of link.
///
/// `coresPerNode` may be fractional: network-namespace "hosts" on one machine share its
/// cores (2 cores, 3 hosts: 0.667 each). With `sharedCores` the nodes are such hosts: their
/// cores form one pool, so a busy rank on one "node" can use a core an idle rank on another
/// leaves free.
public struct ClusterDescription: Codable, Equatable, Sendable {
    public var nodes: Int
    public var ranksPerNode: Int
    public var coresPerNode: Double
    /// Link bandwidth, bits per second, each direction (full duplex).
    public var linkBitsPerSecond: Double
    /// One-way latency of a message over the link, seconds.
    public var linkLatencySeconds: Double
    /// The nodes share one machine's cores (namespace hosts).
    public var sharedCores: Bool
    /// The share of the link's bits that carry MPI's bytes: TCP over IPv4 with timestamps in
    /// Ethernet frames of MTU 1500 carries 1448 bytes of every 1514 a link (or `tc tbf`)
    /// counts. Over a 100 Mbit/s tbf link a blocking 68 MB `MPI_Allreduce` between two hosts
    /// took 5.70 s; 68.04 MB at 12.5 MB/s × 0.956 is 5.69 s.
    public var linkPayloadFraction: Double

    /// Cores of the machine(s) taken by work outside the job (another job on a shared
    /// machine), counted against the pool with `sharedCores`, else against each node.
    public var otherBusyCores: Double = 0

    /// 1448 / 1514: TCP/IPv4 (with timestamps) payload per Ethernet frame of MTU 1500.
    public static let tcpOverEthernetPayloadFraction = 1448.0 / 1514.0

    public init(nodes: Int, ranksPerNode: Int, coresPerNode: Double, linkBitsPerSecond: Double,
                linkLatencySeconds: Double, sharedCores: Bool = false,
                linkPayloadFraction: Double = ClusterDescription.tcpOverEthernetPayloadFraction) {
        self.nodes = nodes
        self.ranksPerNode = ranksPerNode
        self.coresPerNode = coresPerNode
        self.linkBitsPerSecond = linkBitsPerSecond
        self.linkLatencySeconds = linkLatencySeconds
        self.sharedCores = sharedCores
        self.linkPayloadFraction = linkPayloadFraction
    }

    /// Every rank the cluster holds.
    public var totalRanks: Int { nodes * ranksPerNode }

    /// MPI's bytes per second over the link (the payload share of its bits).
    public var linkBytesPerSecond: Double { linkBitsPerSecond / 8 * linkPayloadFraction }

    /// The node of `rank` when ranks fill the nodes in order (mpirun's `--map-by slot`).
    public func node(ofRank rank: Int) -> Int { rank / ranksPerNode }

    /// How much slower a rank computes than alone on a core: the ranks computing at the same
    /// moment (`runningRanksPerNode[n]` on node n, fractional for a rank that computes part of
    /// the time) and the other work's busy cores over the cores they share, at least 1. A
    /// node's ranks share its cores; with `sharedCores` every rank shares the pool of all
    /// nodes' cores.
    public func computeSlowdown(busyRanksPerNode runningRanksPerNode: [Double]) -> Double {
        // Another job's busy cores count like busy ranks: they take their share of the cores.
        if sharedCores {
            return max(1, (runningRanksPerNode.reduce(0, +) + otherBusyCores) / (coresPerNode * Double(nodes)))
        }
        return max(1, ((runningRanksPerNode.max() ?? 0) + otherBusyCores) / coresPerNode)
    }

    /// Refuses a cluster the model cannot describe, naming the value.
    public func validate() throws {
        guard nodes >= 1, ranksPerNode >= 1 else { throw ScalingModelError.invalidCluster("nodes and ranks per node must be ≥ 1") }
        guard coresPerNode > 0, otherBusyCores >= 0 else {
            throw ScalingModelError.invalidCluster("cores per node must be > 0 and other busy cores ≥ 0")
        }
        guard linkBitsPerSecond > 0, linkLatencySeconds >= 0, linkPayloadFraction > 0, linkPayloadFraction <= 1 else {
            throw ScalingModelError.invalidCluster("link bandwidth must be > 0, latency ≥ 0, payload fraction in (0, 1]")
        }
    }
}
