import Foundation

/// Tick values a reader can take in at a glance: multiples of 1, 2 or 5 times a power of
/// ten on a linear axis, powers of ten (with 2× and 5× between them when the data spans
/// few decades) on a logarithmic one. The first tick is at or below the data and the last
/// at or above it, so the ticks bound the axis.
public enum AxisTicks {
    /// About `count` evenly spaced nice ticks covering `lower...upper`.
    public static func linear(from lower: Double, to upper: Double, count: Int = 6) -> [Double] {
        var (low, high) = (min(lower, upper), max(lower, upper))
        if high - low < 1e-12 {
            let pad = max(abs(low) * 0.1, 1)
            (low, high) = (low - pad, high + pad)
        }
        let step = niceStep(rough: (high - low) / Double(max(count - 1, 1)))
        let first = (low / step).rounded(.down), last = (high / step).rounded(.up)
        // Multiplying the integer index by the step (not adding steps) keeps 0.1 * 3 from drifting.
        return stride(from: first, through: last, by: 1).map { cleaned($0 * step, step: step) }
    }

    /// Ticks for a logarithmic axis covering `lower...upper` (both positive).
    public static func logarithmic(from lower: Double, to upper: Double) -> [Double] {
        let low = max(min(lower, upper), .leastNormalMagnitude), high = max(max(lower, upper), low)
        let firstDecade = Int(log10(low).rounded(.down)), lastDecade = max(Int(log10(high).rounded(.up)), firstDecade + 1)
        let multiples: [Double] = lastDecade - firstDecade <= 2 ? [1, 2, 5] : [1]
        var ticks: [Double] = []
        for decade in firstDecade...lastDecade {
            for multiple in multiples {
                let tick = multiple * pow(10, Double(decade))
                if decade == lastDecade && multiple > 1 { break }
                ticks.append(tick)
            }
        }
        // Trim multiples outside the data but keep a bounding tick at either end.
        while ticks.count > 2, ticks[1] <= low { ticks.removeFirst() }
        while ticks.count > 2, ticks[ticks.count - 2] >= high { ticks.removeLast() }
        return ticks
    }

    /// The label of `tick` on an axis whose ticks are `ticks`: as many decimals as the
    /// spacing needs, and powers of ten from 100 000 up as "1e5".
    public static func label(_ tick: Double, among ticks: [Double]) -> String {
        if tick == 0 { return "0" }
        if abs(tick) >= 1e5 || abs(tick) < 1e-4 {
            let exponent = Int(log10(abs(tick)).rounded(.down))
            let mantissa = tick / pow(10, Double(exponent))
            let mantissaText = abs(mantissa - 1) < 1e-9 ? "" : "\(trimmed(mantissa, decimals: 2))"
            return mantissaText.isEmpty ? "1e\(exponent)" : "\(mantissaText)e\(exponent)"
        }
        let spacing = zip(ticks, ticks.dropFirst()).map { abs($1 - $0) }.filter { $0 > 0 }.min() ?? abs(tick)
        let decimals = max(0, min(6, Int((-log10(min(spacing, abs(tick)))).rounded(.up))))
        return trimmed(tick, decimals: decimals)
    }

    /// The nice step (1, 2, 5 or 10 times a power of ten) nearest `rough` (Heckbert's rule).
    static func niceStep(rough: Double) -> Double {
        let magnitude = pow(10, log10(rough).rounded(.down))
        let fraction = rough / magnitude
        let nice: Double = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        return nice * magnitude
    }

    private static func cleaned(_ value: Double, step: Double) -> Double {
        let decimals = max(0, Int((-log10(step)).rounded(.up)) + 1)
        let factor = pow(10, Double(decimals))
        return (value * factor).rounded() / factor
    }

    private static func trimmed(_ value: Double, decimals: Int) -> String {
        var text = String(format: "%.\(decimals)f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }
}
