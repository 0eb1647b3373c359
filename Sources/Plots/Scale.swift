import Foundation

/// Maps data values on one axis to pixels: linearly or by their logarithm, with the axis
/// spanning its first to its last tick.
public struct Scale: Sendable {
    public enum Kind: Sendable { case linear, logarithmic }

    public let kind: Kind
    public let ticks: [Double]
    /// The pixel of the first tick and of the last tick (for a y axis: bottom, then top).
    public let pixels: (start: Double, end: Double)

    /// A scale whose nice ticks cover `values` (for a log scale, their positive ones).
    public init(kind: Kind, covering values: [Double], pixels: (start: Double, end: Double)) {
        let finite = values.filter { $0.isFinite && (kind == .linear || $0 > 0) }
        let lower = finite.min() ?? (kind == .linear ? 0 : 1), upper = finite.max() ?? (kind == .linear ? 1 : 10)
        self.init(kind: kind, ticks: kind == .linear ? AxisTicks.linear(from: lower, to: upper)
                                                      : AxisTicks.logarithmic(from: lower, to: upper),
                  pixels: pixels)
    }

    /// A scale with the given ticks (at least two, increasing).
    public init(kind: Kind, ticks: [Double], pixels: (start: Double, end: Double)) {
        self.kind = kind
        self.ticks = ticks
        self.pixels = pixels
    }

    public var lowerBound: Double { ticks.first ?? 0 }
    public var upperBound: Double { ticks.last ?? 1 }

    /// The pixel of `value`; values outside the ticks land outside the axis.
    public func pixel(_ value: Double) -> Double {
        let fraction: Double
        switch kind {
        case .linear:
            fraction = (value - lowerBound) / (upperBound - lowerBound)
        case .logarithmic:
            let clamped = max(value, lowerBound * 1e-3)
            fraction = (log10(clamped) - log10(lowerBound)) / (log10(upperBound) - log10(lowerBound))
        }
        return pixels.start + fraction * (pixels.end - pixels.start)
    }

    /// Unlabelled grid values between the ticks of a log scale whose ticks are whole decades:
    /// 2× and 5× each decade, so values between decades can be read off.
    public var minorTicks: [Double] {
        guard kind == .logarithmic, ticks.count >= 2, ticks[1] / ticks[0] >= 9.99 else { return [] }
        return ticks.dropLast().flatMap { [2 * $0, 5 * $0] }
    }

    /// The label of each tick.
    public var tickLabels: [String] { ticks.map { AxisTicks.label($0, among: ticks) } }
}
