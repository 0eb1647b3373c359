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

    /// Step times at the compute slowdowns `slowdown`.
    func times(slowdown: ComputeSlowdown) -> StepTimes {
        let student = studentSeconds * slowdown.students
        let teacher = (teacherSeconds.max() ?? 0) * slowdown.teachers
        let validation = figures.validationSecondsPerBoundary / Double(studentRanks.count) * slowdown.students
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

    /// The slowdowns that follow from the ranks' shares of the step at `slowdown` (every rank
    /// busy when `stepSeconds` is nil: the plain ranks/cores bound). While the students
    /// compute they all do (they step in lockstep), so each counts fully against the cores
    /// then; a teacher computes independently of them and of the other teachers, so those
    /// count by the share of the step they compute.
    func nextSlowdown(stepSeconds: Double?, slowdown: ComputeSlowdown) -> ComputeSlowdown {
        if layout.isSingleProcess {
            let one = cluster.computeSlowdown(busyRanksPerNode: [1])
            return ComputeSlowdown(students: one, teachers: one)
        }
        func share(_ seconds: Double, _ factor: Double) -> Double {
            guard let stepSeconds, stepSeconds > 0 else { return 1 }
            return min(1, seconds * factor / stepSeconds)
        }
        var studentsRunning = [Double](repeating: 0, count: cluster.nodes)
        var studentShares = studentsRunning, teacherShares = studentsRunning
        for rank in studentRanks {
            studentsRunning[cluster.node(ofRank: rank)] += 1
            studentShares[cluster.node(ofRank: rank)] += share(studentSeconds, slowdown.students)
        }
        let shares = teacherSeconds.map { share($0, slowdown.teachers) }
        for (index, value) in shares.enumerated() { teacherShares[cluster.node(ofRank: layout.teacherRank(index))] += value }
        let students = cluster.computeSlowdown(busyRanksPerNode: zip(studentsRunning, teacherShares).map(+))
        var teachers = 1.0
        for (index, value) in shares.enumerated() {  // teacher `index` itself counts fully
            var running = zip(studentShares, teacherShares).map(+)
            running[cluster.node(ofRank: layout.teacherRank(index))] += 1 - value
            teachers = max(teachers, cluster.computeSlowdown(busyRanksPerNode: running))
        }
        return ComputeSlowdown(students: students, teachers: teachers)
    }
}

/// How much slower the students and the teachers compute than alone on a core.
struct ComputeSlowdown: Equatable {
    var students: Double
    var teachers: Double

    func distance(to other: ComputeSlowdown) -> Double {
        max(abs(students - other.students), abs(teachers - other.teachers))
    }

    func halfWay(to other: ComputeSlowdown) -> ComputeSlowdown {
        ComputeSlowdown(students: (students + other.students) / 2, teachers: (teachers + other.teachers) / 2)
    }
}
