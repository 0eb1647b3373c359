import DataPipeline
import Foundation
import XCTest

final class SamplerTests: XCTestCase {
    let names = ["code", "legal", "math", "prose"]

    func weights(_ values: [Double]) -> DomainWeights { try! DomainWeights(values) }

    func testBadWeightsAreRefused() {
        assertThrows(try DomainWeights([0.5, -0.1, 0.6], domainNames: ["a", "b", "c"]), containing: ["domain 'b'", "negative"])
        assertThrows(try DomainWeights([0.5, 0.4]), containing: ["sum to 0.9"])
        assertThrows(try DomainWeights([0.5, .nan, 0.5]), containing: ["domain #1", "nan"])
        assertThrows(try DomainWeights([0.5, 0.5], domainNames: names), containing: ["2 weights for 4 domains"])
        assertThrows(try DomainWeights([]), containing: ["empty"])
        XCTAssertNoThrow(try DomainWeights([0.3, 0.3, 0.4 + 1e-9]))
        var history = WeightHistory(initial: weights([0.5, 0.5]))
        assertThrows(try history.set(weights([0.2, 0.3, 0.5]), fromStep: 3), containing: ["3 weights for 2 domains"])
        XCTAssertNoThrow(try history.set(weights([0.2, 0.8]), fromStep: 5))
        assertThrows(try history.set(weights([0.6, 0.4]), fromStep: 4), containing: ["from step 4", "from step 5"])
    }

    func testBadLayoutIsRefused() throws {
        let sampler = try DomainSampler(seed: 1, globalBatchSize: 12, domainCount: 4)
        assertThrows(try sampler.slots(rank: 0, worldSize: 5), containing: ["12", "5 student ranks"])
        assertThrows(try sampler.slots(rank: 3, worldSize: 3), containing: ["rank 3"])
        assertThrows(try DomainSampler(seed: 1, globalBatchSize: 0, domainCount: 4), containing: ["global batch"])
        assertThrows(try sampler.domains(step: 0, weights: weights([0.5, 0.5])), containing: ["2 domain weights for 4 domains"])
        assertThrows(try sampler.plan(cursor: SamplerCursor(domainCount: 3), history: WeightHistory(initial: .uniform(count: 4))),
                     containing: ["cursor has 3 domains"])
    }

    func testPlanIsAPureFunctionOfSeedStepAndHistory() throws {
        let history = WeightHistory(initial: weights([0.1, 0.2, 0.3, 0.4]))
        let a = try DomainSampler(seed: 42, globalBatchSize: 16, domainCount: 4)
        let b = try DomainSampler(seed: 42, globalBatchSize: 16, domainCount: 4)
        var cursorA = SamplerCursor(domainCount: 4)
        var cursorB = SamplerCursor(domainCount: 4)
        var plansA: [[SequenceAssignment]] = []
        for _ in 0..<50 {
            let (planA, nextA) = try a.plan(cursor: cursorA, history: history)
            let (planB, nextB) = try b.plan(cursor: cursorB, history: history)
            XCTAssertEqual(planA, planB)
            plansA.append(planA)
            cursorA = nextA
            cursorB = nextB
        }
        // a resumed run: the cursor recomputed from the history continues identically
        let resumed = try a.cursor(atStep: 30, history: history)
        var cursor = resumed
        for step in 30..<50 {
            let (plan, next) = try a.plan(cursor: cursor, history: history)
            XCTAssertEqual(plan, plansA[step], "step \(step)")
            cursor = next
        }
        XCTAssertEqual(cursor, cursorA)
        // another seed gives other choices
        let c = try DomainSampler(seed: 43, globalBatchSize: 16, domainCount: 4)
        XCTAssertNotEqual(try c.plan(cursor: SamplerCursor(domainCount: 4), history: history).assignments, plansA[0])
    }

    func testPositionsCountEachDomainsServedSequences() throws {
        let history = WeightHistory(initial: weights([0.25, 0.25, 0.25, 0.25]))
        let sampler = try DomainSampler(seed: 5, globalBatchSize: 8, domainCount: 4)
        var cursor = SamplerCursor(domainCount: 4)
        var seen: [[UInt64]] = Array(repeating: [], count: 4)
        for _ in 0..<40 {
            let (plan, next) = try sampler.plan(cursor: cursor, history: history)
            for assignment in plan { seen[assignment.domain].append(assignment.position) }
            cursor = next
        }
        for domain in 0..<4 {
            XCTAssertEqual(seen[domain], (0..<UInt64(seen[domain].count)).map { $0 }, "domain \(domain) positions must be 0, 1, 2, …")
            XCTAssertEqual(cursor.served[domain], UInt64(seen[domain].count))
        }
    }

    func testRanksGetDisjointPartsCoveringTheGlobalBatch() throws {
        let history = WeightHistory(initial: weights([0.1, 0.2, 0.3, 0.4]))
        let sampler = try DomainSampler(seed: 9, globalBatchSize: 24, domainCount: 4)
        var cursor = SamplerCursor(domainCount: 4)
        for _ in 0..<10 {
            let whole = try sampler.plan(cursor: cursor, history: history)
            for worldSize in [1, 2, 3, 4, 6] {
                var union: [SequenceAssignment] = []
                var slotsSeen = Set<Int>()
                for rank in 0..<worldSize {
                    let (part, next) = try sampler.plan(cursor: cursor, history: history, rank: rank, worldSize: worldSize)
                    XCTAssertEqual(part.count, 24 / worldSize)
                    XCTAssertEqual(next, whole.next, "every rank advances the same cursor")
                    for assignment in part { XCTAssertTrue(slotsSeen.insert(assignment.slot).inserted, "slot given twice") }
                    union += part
                }
                XCTAssertEqual(union, whole.assignments, "world size \(worldSize)")
                let keys = Set(union.map { "\($0.domain)/\($0.position)" })
                XCTAssertEqual(keys.count, 24, "no sequence is drawn twice in one step")
            }
            cursor = whole.next
        }
    }

    /// Pearson's chi-square of observed counts against expected proportions.
    func chiSquare(_ counts: [Int], _ expected: [Double]) -> Double {
        let total = Double(counts.reduce(0, +))
        return zip(counts, expected).reduce(0) { sum, pair in
            let e = pair.1 * total
            return sum + (Double(pair.0) - e) * (Double(pair.0) - e) / e
        }
    }

    func testEmpiricalMixMatchesTheWeights() throws {
        let r = [0.05, 0.15, 0.3, 0.5]
        let history = WeightHistory(initial: weights(r))
        // 99.9% quantile of chi-square with 3 degrees of freedom
        let critical = 16.27
        for batch in [1, 7, 32] {
            let sampler = try DomainSampler(seed: 2024, globalBatchSize: batch, domainCount: 4)
            var counts = [0, 0, 0, 0]
            let steps = 20_000 / batch
            for step in 0..<steps {
                for domain in try sampler.domains(step: step, weights: history.weights(atStep: step)) { counts[domain] += 1 }
            }
            let statistic = chiSquare(counts, r)
            XCTAssertLessThan(statistic, critical, "batch \(batch): counts \(counts) vs \(r)")
            // the mix must also not be trivially wrong (e.g. all one domain)
            for (count, weight) in zip(counts, r) {
                XCTAssertEqual(Double(count) / Double(steps * batch), weight, accuracy: 0.02)
            }
        }
        // within one step, systematic sampling gives every domain ⌊r·B⌋ or ⌈r·B⌉ slots
        let sampler = try DomainSampler(seed: 1, globalBatchSize: 32, domainCount: 4)
        for step in 0..<200 {
            let counts = try sampler.domainCounts(step: step, weights: weights(r))
            for (count, weight) in zip(counts, r) {
                XCTAssertTrue(count == Int((weight * 32).rounded(.down)) || count == Int((weight * 32).rounded(.up)),
                              "step \(step): \(counts)")
            }
        }
        // a zero weight is never drawn
        let zero = try DomainSampler(seed: 3, globalBatchSize: 16, domainCount: 4)
        for step in 0..<500 {
            XCTAssertFalse(try zero.domains(step: step, weights: weights([0.5, 0, 0.5, 0])).contains { $0 == 1 || $0 == 3 })
        }
    }

    func testShuffledSlotsMixDomainsAcrossRanks() throws {
        // rank 0 (the first half of the slots) must not always get the same domains
        let sampler = try DomainSampler(seed: 11, globalBatchSize: 8, domainCount: 2)
        var firstHalfCounts = Set<Int>()
        for step in 0..<50 {
            let domains = try sampler.domains(step: step, weights: weights([0.5, 0.5]))
            firstHalfCounts.insert(domains[0..<4].filter { $0 == 0 }.count)
        }
        XCTAssertGreaterThan(firstHalfCounts.count, 1)
    }

    func testNewWeightsTakeEffectFromTheirStep() throws {
        let sampler = try DomainSampler(seed: 77, globalBatchSize: 16, domainCount: 4)
        let old = weights([0.25, 0.25, 0.25, 0.25])
        let new = weights([0, 0, 0, 1])
        let constant = WeightHistory(initial: old)
        var changed = WeightHistory(initial: old)
        // the coordinator decides after step 9; the change applies from step 10
        try changed.set(new, fromStep: 10)
        var cursorConstant = SamplerCursor(domainCount: 4)
        var cursorChanged = SamplerCursor(domainCount: 4)
        for step in 0..<20 {
            let (a, nextA) = try sampler.plan(cursor: cursorConstant, history: constant)
            let (b, nextB) = try sampler.plan(cursor: cursorChanged, history: changed)
            if step < 10 {
                XCTAssertEqual(a, b, "step \(step) precedes the change")
            } else {
                XCTAssertTrue(b.allSatisfy { $0.domain == 3 }, "step \(step) must use the new weights")
            }
            cursorConstant = nextA
            cursorChanged = nextB
        }
        // the positions after the change continue the counts from before it
        XCTAssertEqual(cursorChanged, try sampler.cursor(atStep: 20, history: changed))
        XCTAssertEqual(changed.weights(atStep: 9), old)
        XCTAssertEqual(changed.weights(atStep: 10), new)
        // the history survives a JSON round trip (checkpoints)
        let decoded = try JSONDecoder().decode(WeightHistory.self, from: try JSONEncoder().encode(changed))
        XCTAssertEqual(decoded, changed)
    }

    func testEpochPermutationIsAPermutation() {
        for count in [1, 2, 3, 5, 17, 64, 1000, 4097] {
            let a = EpochPermutation(count: count, seed: 1, key: 2, epoch: 0)
            let values = (0..<count).map { a($0) }
            XCTAssertEqual(values.sorted(), Array(0..<count), "count \(count)")
            if count >= 17 {
                let b = EpochPermutation(count: count, seed: 1, key: 2, epoch: 1)
                XCTAssertNotEqual(values, (0..<count).map { b($0) }, "epochs must be reshuffled")
                XCTAssertNotEqual(values, Array(0..<count), "must shuffle")
            }
        }
    }
}
