import Foundation
import MPI
import TrainingCore

extension DistillJob {
    /// The teacher's per-domain validation sums `[sum_0 … sum_{N−1}, count_0 … count_{N−1}]`
    /// on rank 0 (empty elsewhere): read from the cache when rank 0 finds them there (the
    /// hit/miss is broadcast on `world`), else evaluated by `workers` (the teacher ranks,
    /// or rank 0 when there are none), reduced on `world` and written to the cache.
    func teacherValidationSums(sharding: ValidationSharding, workers: [Int], worker: TeacherWorker?, maxBatch: Int,
                               progress: ProgressPrinter?) throws -> [Double] {
        let rank = world.rank
        let dataset = sharding.dataset
        let cache = TeacherPerplexityCache(shardsFolder: config.data.shards)
        var cacheKey = ""
        var cached: TeacherPerplexityCache.Entry?
        if rank == 0 {
            cacheKey = try TeacherPerplexityCache.key(teacher: teacher, sharding: sharding, vocabularies: vocabularies)
            cached = cache.read(key: cacheKey, domains: dataset.domainNames)
        }
        let cacheHit = try world.broadcast(Int32(cached == nil ? 0 : 1), root: 0, within: collectiveDeadline, on: "world",
                                           for: "teacher-perplexity cache broadcast") == 1
        var sums = cached?.sums ?? []
        if !cacheHit {
            var local = [Double](repeating: 0, count: 2 * dataset.domains.count)
            if let position = workers.firstIndex(of: rank), let worker {
                local = try sharding.evaluate(worker: position, of: workers.count, maxBatch: maxBatch,
                                              crossEntropy: worker.crossEntropy)
            }
            let reduced = try world.reduce(local, op: .sum, root: 0, within: collectiveDeadline, on: "world",
                                           for: "teacher-perplexity reduce (waits for the slowest teacher's share)")
            if let reduced {  // rank 0
                sums = reduced
                try cache.write(.init(key: cacheKey, teacher: teacher.path, domains: dataset.domainNames, sums: sums))
            }
        }
        if rank == 0 {
            progress?.line("teacher perplexity \(cacheHit ? "from cache" : "measured by ranks \(workers)") per \(vocabularies.perplexityUnit.rawValue): "
                + zip(dataset.domainNames, ValidationSharding.perplexities(sums)).map { String(format: "%@ %.2f", $0, $1) }.joined(separator: ", "))
        }
        return sums
    }
}
