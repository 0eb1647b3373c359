import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension DistillJob {
    /// The students that share a host with teacher ranks where the host has more ranks than
    /// cores (`cores`: rank 0's count; hosts are assumed alike); none with
    /// `training.student_niceness = 0`.
    ///
    /// Those students lower their scheduling priority (`lowerStudentPriority`): when a teacher
    /// and a student both want a core, the teacher — the pool is the bottleneck whenever the
    /// students wait for it — gets the larger share (at nice 5, CFS weights 1024 : 335), and
    /// whenever the teacher sleeps (its students have not sent credits) the student has the
    /// core alone, so the students lose nothing when they are the bottleneck.
    func studentsYieldingToTeachers(hostnames: [String], cores: Int) -> [Int] {
        guard config.training.resolvedStudentNiceness > 0 else { return [] }
        return layout.studentRanks.filter { student in
            let sameHost = hostnames.indices.filter { hostnames[$0] == hostnames[student] }
            return sameHost.count > cores && sameHost.contains { layout.teacherIndex(ofRank: $0) != nil }
        }
    }

    /// Lowers this rank's priority when it is one of `studentsYieldingToTeachers`.
    func lowerStudentPriority(hostnames: [String]) {
        let yielding = studentsYieldingToTeachers(hostnames: hostnames, cores: ProcessInfo.processInfo.activeProcessorCount)
        guard yielding.contains(world.rank) else { return }
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Int32(config.training.resolvedStudentNiceness))
    }
}
