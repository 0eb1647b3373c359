/// One layout's seconds per step at a given compute slowdown, and what limits them.
struct StepTimes {
    var student: Double
    var teacher: Double
    var allreduce: AllReduceCost
    var messages: Double
    /// The steady step: max(student + all-reduce, teacher, messages); in one process
    /// student + teacher.
    var stepSeconds: Double
    /// One DDK boundary spread over its K steps.
    var boundaryPerStep: Double

    var stepSecondsWithBoundaries: Double { stepSeconds + boundaryPerStep }

    /// The largest part of the step: within the path that sets the steady step (the
    /// students' compute or their all-reduce, the teacher, the messages), or the boundary
    /// when its share per step is larger still.
    func bottleneck(singleProcess: Bool) -> ScalingBottleneck {
        var parts: [(ScalingBottleneck, Double)] = [(.boundaryValidation, boundaryPerStep)]
        if singleProcess {
            parts += [(.studentCompute, student), (.teacherThroughput, teacher)]
        } else if teacher >= student + allreduce.seconds && teacher >= messages {
            parts.append((.teacherThroughput, teacher))
        } else if messages > student + allreduce.seconds {
            parts.append((.teacherMessages, messages))
        } else {
            parts += [(.studentCompute, student), (.gradientAllreduce, allreduce.seconds)]
        }
        return parts.max { $0.1 < $1.1 }!.0
    }
}

extension StepWork {
    /// The prediction at the converged slowdown.
    func prediction(slowdown: ComputeSlowdown, singleRankTokensPerSecond: Double) -> ScalingPrediction {
        let times = times(slowdown: slowdown)
        let tokensPerSecond = globalTokens / times.stepSecondsWithBoundaries
        let nodes = Set((0..<layout.ranks).map(cluster.node(ofRank:))).count
        return ScalingPrediction(
            ranks: layout.ranks, teacherRanks: layout.isSingleProcess ? 0 : layout.teacherRanks,
            studentRanks: studentRanks.count, nodes: nodes, globalBatchTokens: Int(globalTokens.rounded()),
            stepSeconds: times.stepSeconds, stepSecondsWithBoundaries: times.stepSecondsWithBoundaries,
            studentTokensPerSecond: tokensPerSecond,
            scalingEfficiency: tokensPerSecond / (Double(layout.ranks) * singleRankTokensPerSecond),
            bottleneck: times.bottleneck(singleProcess: layout.isSingleProcess), computeSlowdown: slowdown.students,
            teacherSlowdown: slowdown.teachers,
            studentComputeSeconds: times.student, gradientAllreduceSeconds: times.allreduce.seconds,
            gradientAllreduceLinkSeconds: times.allreduce.linkSeconds, teacherComputeSeconds: times.teacher,
            teacherMessageSeconds: times.messages, boundarySecondsPerStep: times.boundaryPerStep)
    }
}
