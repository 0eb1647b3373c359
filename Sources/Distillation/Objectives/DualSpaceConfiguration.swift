/// Settings of `dskd` and `dskd-cma` (DSKD scripts' defaults: τ = 2, λ = 0.5, projector LR 1e-3).
public struct DualSpaceConfiguration: Sendable, Equatable {
    /// Distance of the student-space term `kd_t2s` (the teacher-space term is always FKL).
    public var distance: Distance
    /// KD temperature τ of both KD terms (CE terms are at τ = 1).
    public var temperature: Float
    /// λ in `(1 − λ)·CE + λ·(kd_t2s + ce_t2s + kd_s2t)`.
    public var lambda: Float
    /// Learning rate of the projectors.
    public var projectorLearningRate: Float
    /// `dskd-cma` only: extra teacher temperature on z_t2s in the `kd_t2s` term (DSKD's `tea_temp`).
    public var teacherTemperature: Float

    /// A configuration; τ, τ_teacher and the learning rate must be positive, λ in [0, 1].
    public init(distance: Distance = .forwardKL, temperature: Float = 2, lambda: Float = 0.5,
                projectorLearningRate: Float = 1e-3, teacherTemperature: Float = 1) throws {
        guard temperature > 0 else { throw DistillationError.invalidParameter("dskd temperature", Double(temperature), "must be positive") }
        guard teacherTemperature > 0 else { throw DistillationError.invalidParameter("dskd teacher temperature", Double(teacherTemperature), "must be positive") }
        guard (0...1).contains(lambda) else { throw DistillationError.invalidParameter("dskd lambda", Double(lambda), "must lie in [0, 1]") }
        guard projectorLearningRate > 0 else { throw DistillationError.invalidParameter("projector learning rate", Double(projectorLearningRate), "must be positive") }
        self.distance = distance; self.temperature = temperature; self.lambda = lambda
        self.projectorLearningRate = projectorLearningRate; self.teacherTemperature = teacherTemperature
    }
}
