/// `teacher.source`: where the students' teacher outputs come from.
public enum TeacherSource: String, Codable, Sendable {
    /// The teacher-inference pool computes them every step.
    case live
    /// A teacher-target store made by `ddk capture` (`[store]`); no rank runs the teacher.
    case store
    /// The store's targets for the sequences it holds, the pool's for the others.
    case storeAndLive = "store+live"

    /// Whether students read a teacher-target store.
    public var readsStore: Bool { self != .live }
}
