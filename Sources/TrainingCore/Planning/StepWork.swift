/// One layout's work per step, before the compute slowdown: what `ScalingModel` iterates on.
struct StepWork {
    let layout: PlannedLayout
    let model: ScalingModel
    let studentRanks: [Int]
    let tokensPerStudent: Double
    /// Unslowed seconds of one student's step and of each teacher's share.
    let studentSeconds: Double
    let teacherSeconds: [Double]
    let allreduce: AllReduceCost
    let messageSeconds: Double

    var figures: MeasuredFigures { model.figures }
    var cluster: ClusterDescription { model.cluster }
    var globalTokens: Double { tokensPerStudent * Double(studentRanks.count) }

    init(layout: PlannedLayout, model: ScalingModel) {
        self.layout = layout
        self.model = model
        studentRanks = layout.studentRankList
        tokensPerStudent = model.tokensPerStudent(students: studentRanks.count)
        let figures = model.figures
        let teacherRate = figures.needsTeacher ? figures.teacherTokensPerSecond : .infinity
        if layout.isSingleProcess {
            // One process: the teacher's forward and the student's step, one after the other.
            studentSeconds = tokensPerStudent * figures.studentStepSecondsPerToken
            teacherSeconds = figures.needsTeacher ? [tokensPerStudent / teacherRate] : []
            allreduce = AllReduceCost(localSeconds: 0, linkSeconds: 0)
            messageSeconds = 0
            return
        }
        studentSeconds = tokensPerStudent * figures.studentStepSecondsPerToken
        var served = [Double](repeating: 0, count: layout.teacherRanks)
        for student in studentRanks.indices where layout.teacherRanks > 0 {
            served[layout.teacherIndex(servingStudent: student)] += tokensPerStudent
        }
        teacherSeconds = served.map { $0 / teacherRate }
        let nodes = studentRanks.map(model.cluster.node(ofRank:))
        let perNode = Dictionary(grouping: nodes, by: { $0 }).mapValues(\.count)
        allreduce = AllReduceCost.estimate(bytes: Double(figures.gradientBytes), students: studentRanks.count,
                                           studentNodes: perNode.count, studentsPerNode: perNode.values.max() ?? 1,
                                           figures: figures, cluster: model.cluster, algorithm: model.algorithm)
        messageSeconds = Self.messageSeconds(layout: layout, studentRanks: studentRanks, tokensPerStudent: tokensPerStudent,
                                             figures: figures, cluster: model.cluster)
    }

    /// The busiest node link's teacher messages per step: each student's share crosses the
    /// link when its teacher is on another node (out of the teacher's node, into the student's).
    static func messageSeconds(layout: PlannedLayout, studentRanks: [Int], tokensPerStudent: Double,
                               figures: MeasuredFigures, cluster: ClusterDescription) -> Double {
        guard figures.needsTeacher, layout.teacherRanks > 0 else { return 0 }
        let bytes = tokensPerStudent * figures.teacherMessageBytesPerToken
        var outgoing: [Int: Double] = [:], incoming: [Int: Double] = [:]
        for (index, rank) in studentRanks.enumerated() {
            let teacherNode = cluster.node(ofRank: layout.teacherRank(layout.teacherIndex(servingStudent: index)))
            let studentNode = cluster.node(ofRank: rank)
            guard teacherNode != studentNode else { continue }
            outgoing[teacherNode, default: 0] += bytes
            incoming[studentNode, default: 0] += bytes
        }
        let busiest = max(outgoing.values.max() ?? 0, incoming.values.max() ?? 0)
        return busiest > 0 ? busiest / cluster.linkBytesPerSecond + cluster.linkLatencySeconds : 0
    }

    /// Step times at compute slowdown `slowdown`.
    func times(slowdown: Double) -> StepTimes {
        let student = studentSeconds * slowdown
        let teacher = (teacherSeconds.max() ?? 0) * slowdown
        let validation = figures.validationSecondsPerBoundary / Double(studentRanks.count) * slowdown
        let boundary = (validation + teacher) / Double(figures.intervalSteps)
        if layout.isSingleProcess {
            let step = student + teacher
            return StepTimes(student: student, teacher: teacher, allreduce: allreduce, messages: 0, stepSeconds: step,
                             boundaryPerStep: validation / Double(figures.intervalSteps))
        }
        let step = max(student + allreduce.seconds, teacher, messageSeconds)
        return StepTimes(student: student, teacher: teacher, allreduce: allreduce, messages: messageSeconds,
                         stepSeconds: step, boundaryPerStep: boundary)
    }

    /// Each node's busy ranks: a rank counts by the share of the step it computes (all 1
    /// when `stepSeconds` is nil: the plain ranks/cores bound).
    func busyRanksPerNode(stepSeconds: Double?, slowdown: Double) -> [Double] {
        var busy = [Double](repeating: 0, count: cluster.nodes)
        func share(_ seconds: Double) -> Double {
            guard let stepSeconds, stepSeconds > 0 else { return 1 }
            return min(1, seconds * slowdown / stepSeconds)
        }
        if layout.isSingleProcess {
            busy[0] = 1
            return busy
        }
        for rank in studentRanks { busy[cluster.node(ofRank: rank)] += share(studentSeconds) }
        for (index, seconds) in teacherSeconds.enumerated() { busy[cluster.node(ofRank: layout.teacherRank(index))] += share(seconds) }
        return busy
    }
}
