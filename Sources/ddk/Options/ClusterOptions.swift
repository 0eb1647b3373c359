import ArgumentParser
import TrainingCore

/// The cluster `ddk plan` predicts for: identical nodes joined by one kind of link.
struct ClusterOptions: ParsableArguments {
    @Option(name: .long, help: "Nodes.")
    var nodes: Int

    @Option(name: .long, help: "Ranks (slots) per node; ranks fill the nodes in order.")
    var ranksPerNode: Int

    @Option(name: .long, help: "Cores per node (fractional for namespace hosts sharing one machine: cores / hosts).")
    var coresPerNode: Double

    @Option(name: .long, help: "Link bandwidth, Gbit/s each way.")
    var linkGbps: Double

    @Option(name: .long, help: "Link latency, microseconds one way.")
    var linkLatencyUs: Double = 50

    @Flag(name: .long, help: "The nodes are namespace hosts on one machine: their cores form one pool.")
    var sharedCores = false

    @Option(name: .long, help: "Cores busy with other work (another job on a shared machine; with --shared-cores of the pool, else of each node).")
    var otherBusyCores: Double = 0

    var cluster: ClusterDescription {
        var cluster = ClusterDescription(nodes: nodes, ranksPerNode: ranksPerNode, coresPerNode: coresPerNode,
                                         linkBitsPerSecond: linkGbps * 1e9, linkLatencySeconds: linkLatencyUs * 1e-6,
                                         sharedCores: sharedCores)
        cluster.otherBusyCores = otherBusyCores
        return cluster
    }
}
