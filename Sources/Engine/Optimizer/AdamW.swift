/// AdamW (Loshchilov & Hutter): Adam with bias correction and DECOUPLED weight
/// decay, applied only to tensors whose layout entry has `weightDecay` (matrices,
/// not norm weights). Both moments live in one flat buffer each, in the
/// parameter layout, so an update is one pass over contiguous memory.
public final class AdamW {
    /// Hyper-parameters besides the learning rate.
    public struct Settings: Codable, Equatable, Sendable {
        public var beta1: Float
        public var beta2: Float
        public var epsilon: Float
        public var weightDecay: Float
        public init(beta1: Float = 0.9, beta2: Float = 0.95, epsilon: Float = 1e-8, weightDecay: Float = 0.1) {
            self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon; self.weightDecay = weightDecay
        }
    }

    /// The parameter layout the moments follow.
    public let layout: ParameterLayout
    public var settings: Settings
    /// First moment (layout.count).
    public let firstMoment: FloatBuffer
    /// Second moment (layout.count).
    public let secondMoment: FloatBuffer
    /// Number of updates applied so far (bias correction uses step + 1).
    public var stepCount: Int = 0

    public init(layout: ParameterLayout, settings: Settings = Settings()) {
        self.layout = layout
        self.settings = settings
        firstMoment = FloatBuffer(count: layout.count)
        secondMoment = FloatBuffer(count: layout.count)
    }

    /// Applies one update to `parameters` from `gradients` (both layout.count).
    public func update(parameters: FloatBuffer, gradients: FloatBuffer, learningRate: Float) {
        precondition(parameters.count == layout.count && gradients.count == layout.count,
                     "AdamW: buffers do not match the layout")
        stepCount += 1
        let b1 = settings.beta1, b2 = settings.beta2, eps = settings.epsilon
        let t = Double(stepCount)
        let c1 = Float(1 / (1 - Double(b1).pow(t))), c2 = Float(1 / (1 - Double(b2).pow(t)))
        let p = parameters.pointer, g = gradients.pointer, m = firstMoment.pointer, v = secondMoment.pointer
        for tensor in layout.tensors {
            let decay: Float = tensor.weightDecay ? 1 - learningRate * settings.weightDecay : 1
            for i in tensor.offset..<tensor.end {
                let gi = g[i]
                let mi = b1 * m[i] + (1 - b1) * gi
                let vi = b2 * v[i] + (1 - b2) * gi * gi
                m[i] = mi; v[i] = vi
                p[i] = p[i] * decay - learningRate * (mi * c1) / ((vi * c2).squareRoot() + eps)
            }
        }
    }
}

extension Double {
    @inline(__always) func pow(_ e: Double) -> Double { _pow(self, e) }
}

#if canImport(Glibc)
import Glibc
@inline(__always) func _pow(_ a: Double, _ b: Double) -> Double { Glibc.pow(a, b) }
#elseif canImport(Darwin)
import Darwin
@inline(__always) func _pow(_ a: Double, _ b: Double) -> Double { Darwin.pow(a, b) }
#endif
