import Foundation
import TrainingCore
import XCTest

/// `ScalingModel` on round figures, each case computed by hand: 1 ms per student token,
/// 500 teacher tokens/s, a 100 MB gradient whose local all-reduce takes 0.1 s (α 0,
/// β 1 GB/s), a 10 s validation pass every K = 10 steps, a global batch of 2,000 tokens.
final class ScalingModelTests: XCTestCase {
    func figures(teacher: Bool = true) -> MeasuredFigures {
        MeasuredFigures(config: "test.toml", needsTeacher: teacher, coordinatorTrains: true, globalBatchTokens: 2000,
                        studentBatchTokens: 1000, studentStepSecondsPerToken: 0.001, teacherTokensPerSecond: teacher ? 500 : 0,
                        teacherMessageBytesPerToken: teacher ? 100 : 0, validationSecondsPerBoundary: 10, intervalSteps: 10,
                        gradientBytes: 100_000_000, allreduceBucketBytes: 8_388_608, allreduceLatencySeconds: 0,
                        allreduceBytesPerSecond: 1e9)
    }

    /// Nodes with a 1 Gbit/s link whose bits all carry payload (round numbers), no latency.
    func cluster(nodes: Int = 1, ranksPerNode: Int = 4, cores: Double = 4, shared: Bool = false) -> ClusterDescription {
        ClusterDescription(nodes: nodes, ranksPerNode: ranksPerNode, coresPerNode: cores, linkBitsPerSecond: 1e9,
                           linkLatencySeconds: 0, sharedCores: shared, linkPayloadFraction: 1)
    }

    func model(teacher: Bool = true, cluster: ClusterDescription, algorithm: AllReduceAlgorithm = .binomial) throws -> ScalingModel {
        try ScalingModel(figures: figures(teacher: teacher), cluster: cluster, algorithm: algorithm, globalBatchTokens: 2000)
    }

    func testTeacherBound() throws {
        // 1 teacher, 2 students of 1,000 tokens: student 1.0 s + all-reduce 0.1 s (one round up and
        // down on one node) against the teacher's 2,000 tokens at 500/s = 4.0 s.
        let prediction = try model(cluster: cluster()).predict(PlannedLayout(ranks: 3, teacherRanks: 1))
        XCTAssertEqual(prediction.bottleneck, .teacherThroughput)
        XCTAssertEqual(prediction.stepSeconds, 4.0, accuracy: 1e-9)
        XCTAssertEqual(prediction.studentComputeSeconds, 1.0, accuracy: 1e-9)
        XCTAssertEqual(prediction.gradientAllreduceSeconds, 0.1, accuracy: 1e-9)
        // Boundary: validation 10 s / 2 students + one teacher step to refill, over K = 10.
        XCTAssertEqual(prediction.stepSecondsWithBoundaries, 4.0 + (5 + 4) / 10, accuracy: 1e-9)
        XCTAssertEqual(prediction.studentTokensPerSecond, 2000 / 4.9, accuracy: 1e-9)
        XCTAssertEqual(prediction.computeSlowdown, 1)
    }

    func testComputeBound() throws {
        // ce, 2 students on one node: 1.0 s compute + 0.1 s all-reduce; boundary 10 / 2 / 10.
        let prediction = try model(teacher: false, cluster: cluster()).predict(PlannedLayout(ranks: 2, teacherRanks: 0))
        XCTAssertEqual(prediction.bottleneck, .studentCompute)
        XCTAssertEqual(prediction.stepSeconds, 1.1, accuracy: 1e-9)
        XCTAssertEqual(prediction.stepSecondsWithBoundaries, 1.6, accuracy: 1e-9)
        XCTAssertEqual(prediction.gradientAllreduceLinkSeconds, 0)
    }

    func testLinkBoundBinomial() throws {
        // ce, 2 nodes × 1 rank: one link round, up then down: 2 × 100 MB / 125 MB/s = 1.6 s, plus 0.1 s local.
        let prediction = try model(teacher: false, cluster: cluster(nodes: 2, ranksPerNode: 1, cores: 1))
            .predict(PlannedLayout(ranks: 2, teacherRanks: 0))
        XCTAssertEqual(prediction.bottleneck, .gradientAllreduce)
        XCTAssertEqual(prediction.gradientAllreduceLinkSeconds, 1.6, accuracy: 1e-9)
        XCTAssertEqual(prediction.stepSeconds, 1.0 + 1.7, accuracy: 1e-9)
    }

    func testLinkBoundRingAndPayloadFraction() throws {
        // ce, 4 nodes × 1 rank, ring: 2·3/4 · 100 MB / 125 MB/s = 1.2 s on the link, 2·3/4 · 0.1 s local;
        // 500 tokens per student: 0.5 s.
        let ring = try model(teacher: false, cluster: cluster(nodes: 4, ranksPerNode: 1, cores: 1), algorithm: .ring)
            .predict(PlannedLayout(ranks: 4, teacherRanks: 0))
        XCTAssertEqual(ring.gradientAllreduceLinkSeconds, 1.2, accuracy: 1e-9)
        XCTAssertEqual(ring.stepSeconds, 0.5 + 1.2 + 0.15, accuracy: 1e-9)
        // The same binomial: ⌈log₂ 4⌉ = 2 link rounds × 2 passes × 0.8 s, 2 × 0.1 s local.
        let binomial = try model(teacher: false, cluster: cluster(nodes: 4, ranksPerNode: 1, cores: 1))
            .predict(PlannedLayout(ranks: 4, teacherRanks: 0))
        XCTAssertEqual(binomial.gradientAllreduceSeconds, 3.2 + 0.2, accuracy: 1e-9)
        // TCP over Ethernet: 1448 of every 1514 bytes on the wire are MPI's.
        var wire = cluster(nodes: 2, ranksPerNode: 1, cores: 1)
        wire.linkPayloadFraction = ClusterDescription.tcpOverEthernetPayloadFraction
        let framed = try model(teacher: false, cluster: wire).predict(PlannedLayout(ranks: 2, teacherRanks: 0))
        XCTAssertEqual(framed.gradientAllreduceLinkSeconds, 1.6 * 1514 / 1448, accuracy: 1e-9)
    }

    func testTeacherMessagesOverTheLink() throws {
        // kd, 3 nodes × 1 rank, a 1 Mbit/s link, no gradient and a fast teacher: the teacher's node
        // sends both students' 1,000 tokens × 100 bytes = 200 kB per step: 1.6 s > the 1.0 s step.
        var noGradient = figures()
        noGradient.gradientBytes = 0
        var slow = cluster(nodes: 3, ranksPerNode: 1, cores: 1)
        slow.linkBitsPerSecond = 1e6
        noGradient.teacherTokensPerSecond = 1e6
        let prediction = try ScalingModel(figures: noGradient, cluster: slow, globalBatchTokens: 2000)
            .predict(PlannedLayout(ranks: 3, teacherRanks: 1))
        XCTAssertEqual(prediction.teacherMessageSeconds, 1.6, accuracy: 1e-9)
        XCTAssertEqual(prediction.bottleneck, .teacherMessages)
        XCTAssertEqual(prediction.stepSeconds, 1.6, accuracy: 1e-9)
    }

    func testEfficiencyIsOneAtOneRank() throws {
        // One process: teacher and student in turn, 2,000 × (1 ms + 2 ms) = 6 s; boundary 10 s / 10.
        let prediction = try model(cluster: cluster()).predict(PlannedLayout(ranks: 1, teacherRanks: 0))
        XCTAssertEqual(prediction.stepSeconds, 6.0, accuracy: 1e-9)
        XCTAssertEqual(prediction.stepSecondsWithBoundaries, 7.0, accuracy: 1e-9)
        XCTAssertEqual(prediction.scalingEfficiency, 1, accuracy: 1e-12)
        XCTAssertEqual(try model(cluster: cluster()).table().rows.first?.scalingEfficiency ?? 0, 1, accuracy: 1e-12)
    }

    func testBestSplit() throws {
        // 4 ranks on one node: 1 teacher → 4.0 s (+ (10/3 + 4)/10); 2 teachers, each serving one
        // student of 1,000 tokens → 2.0 s (+ (5 + 2)/10 = 2.7 s); 3 teachers leave one student
        // whose teacher does all 2,000 tokens → 4.0 s (+ 1.4).
        let best = try model(cluster: cluster()).bestSplit(ranks: 4)
        XCTAssertEqual(best.teacherRanks, 2)
        XCTAssertEqual(best.stepSecondsWithBoundaries, 2.7, accuracy: 1e-9)
        XCTAssertEqual(best.studentTokensPerSecond, 2000 / 2.7, accuracy: 1e-9)
        XCTAssertEqual(best.scalingEfficiency, (2000 / 2.7) / (4 * 2000 / 7.0), accuracy: 1e-9)
    }

    func testSharedCoresCountRanksComputingTogether() throws {
        // 2 ce students on one core compute in lockstep: both run at once, s = 2; step 2.0 + 0.1.
        let crowded = try model(teacher: false, cluster: cluster(ranksPerNode: 2, cores: 1)).predict(PlannedLayout(ranks: 2, teacherRanks: 0))
        XCTAssertEqual(crowded.computeSlowdown, 2, accuracy: 1e-9)
        XCTAssertEqual(crowded.stepSeconds, 2.1, accuracy: 1e-9)
        // Teacher-bound, 3 ranks on 2 cores: the students compute together while the teacher
        // runs: (2 + 1) / 2 = 1.5 for them (1.5 s + 0.1 s, still under 4 s); the teacher competes
        // with students computing 1.5 s of its 4 s step: (1 + 2 × 0.375) / 2 < 1: no slowdown,
        // where ranks / cores would say 1.5.
        let teacherBound = try model(cluster: cluster(ranksPerNode: 3, cores: 2)).predict(PlannedLayout(ranks: 3, teacherRanks: 1))
        XCTAssertEqual(teacherBound.computeSlowdown, 1.5, accuracy: 1e-9)
        XCTAssertEqual(teacherBound.teacherSlowdown, 1, accuracy: 1e-9)
        XCTAssertEqual(teacherBound.stepSeconds, 4.0, accuracy: 1e-9)
        // Namespace hosts: 3 nodes of 2/3 core sharing one machine's 2 cores, the same.
        let hosts = try model(cluster: cluster(nodes: 3, ranksPerNode: 1, cores: 2.0 / 3, shared: true))
            .predict(PlannedLayout(ranks: 3, teacherRanks: 1))
        XCTAssertEqual(hosts.computeSlowdown, 1.5, accuracy: 1e-9)
        XCTAssertEqual(hosts.teacherSlowdown, 1, accuracy: 1e-9)
        // Other work keeping both cores of that machine busy: 2 ce students on 2 namespace hosts
        // run with 2 busy cores: (2 + 2) / 2 = 2; the step 2 × 1.0 s + the link all-reduce 1.7 s.
        var loaded = cluster(nodes: 2, ranksPerNode: 1, cores: 1, shared: true)
        loaded.otherBusyCores = 2
        let contended = try model(teacher: false, cluster: loaded).predict(PlannedLayout(ranks: 2, teacherRanks: 0))
        XCTAssertEqual(contended.computeSlowdown, 2, accuracy: 1e-9)
        XCTAssertEqual(contended.stepSeconds, 3.7, accuracy: 1e-9)
    }

    func testAllReduceFitRecoversLatencyAndBandwidth() {
        let samples = [4096, 65536, 1 << 20, 1 << 24, 1 << 26].map { AllReduceSample(bytes: $0, seconds: 1e-4 + Double($0) / 2e9) }
        let fit = AllReduceFit.fit(samples)
        XCTAssertEqual(fit.latencySeconds, 1e-4, accuracy: 1e-9)
        XCTAssertEqual(fit.bytesPerSecond, 2e9, accuracy: 1)
    }

    func testRefusals() throws {
        XCTAssertThrowsError(try model(cluster: cluster()).predict(PlannedLayout(ranks: 3, teacherRanks: 0)))  // kd without teacher
        XCTAssertThrowsError(try model(teacher: false, cluster: cluster()).predict(PlannedLayout(ranks: 3, teacherRanks: 1)))
        XCTAssertThrowsError(try model(cluster: cluster()).predict(PlannedLayout(ranks: 5, teacherRanks: 1)))  // 4 slots
        var bad = figures()
        bad.studentStepSecondsPerToken = 0
        XCTAssertThrowsError(try ScalingModel(figures: bad, cluster: cluster()))
    }

    func testFiguresRoundTripWithSnakeCaseKeys() throws {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let data = try encoder.encode(figures())
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(text.contains("\"student_step_seconds_per_token\""))
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        XCTAssertEqual(try decoder.decode(MeasuredFigures.self, from: data), figures())
    }
}
