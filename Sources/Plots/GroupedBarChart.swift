/// Bars grouped by category (e.g. one group per domain), one bar per series in each group
/// (e.g. one per experiment arm), each with an optional error bar: a whisker from
/// value − error to value + error with caps. Category labels slant when they do not fit.
public struct GroupedBarChart: Sendable {
    public struct Bar: Sendable {
        public var value: Double
        /// Half the whisker's length (e.g. a standard deviation); nil draws no whisker.
        public var error: Double?

        public init(value: Double, error: Double? = nil) {
            self.value = value
            self.error = error
        }
    }

    public struct Series: Sendable {
        public var name: String
        /// One bar per category, in the chart's category order.
        public var bars: [Bar]

        public init(name: String, bars: [Bar]) {
            self.name = name
            self.bars = bars
        }
    }

    public var frame: ChartFrame
    public var categories: [String]
    public var series: [Series]
    public var yKind: Scale.Kind

    public init(title: String, xTitle: String, yTitle: String, categories: [String], series: [Series],
                yKind: Scale.Kind = .linear) {
        frame = ChartFrame(title: title, xTitle: xTitle, yTitle: yTitle)
        self.categories = categories
        self.series = series
        self.yKind = yKind
        if slantsLabels { frame.bottomMargin = 64 + 0.5 * longestLabelWidth }
        frame.makeRoom(forLegend: series.map(\.name))
    }

    public var yScale: Scale {
        let values = series.flatMap { $0.bars.flatMap { [$0.value - ($0.error ?? 0), $0.value + ($0.error ?? 0)] } }
        return Scale(kind: yKind, covering: yKind == .linear ? [0] + values : values,
                     pixels: (frame.plotBottom, frame.plotTop))
    }

    /// The width of one category's group of bars.
    public var groupWidth: Double { (frame.plotRight - frame.plotLeft) / Double(max(categories.count, 1)) }

    /// The left edge and the width of series `seriesIndex`'s bar in category `categoryIndex`.
    public func barSpan(category categoryIndex: Int, series seriesIndex: Int) -> (left: Double, width: Double) {
        let inner = groupWidth * 0.8, width = inner / Double(max(series.count, 1))
        return (frame.plotLeft + groupWidth * (Double(categoryIndex) + 0.1) + width * Double(seriesIndex), width)
    }

    public func document() -> SVGDocument {
        let y = yScale
        var document = frame.document()
        frame.drawYAxis(y, into: &document)
        for (seriesIndex, series) in series.enumerated() {
            for (categoryIndex, bar) in series.bars.enumerated() where categoryIndex < categories.count {
                drawBar(bar, category: categoryIndex, series: seriesIndex, scale: y, into: &document)
            }
        }
        frame.drawAxisLines(into: &document)
        drawCategoryLabels(into: &document)
        frame.drawXTitle(into: &document)
        let entries = series.indices.map { LegendEntry(name: series[$0].name, color: Palette.color($0), swatch: .block) }
        frame.drawLegend(entries, into: &document)
        return document
    }

    private func drawBar(_ bar: Bar, category: Int, series seriesIndex: Int, scale y: Scale,
                         into document: inout SVGDocument) {
        let span = barSpan(category: category, series: seriesIndex)
        let base = y.pixel(yKind == .linear ? max(0, y.lowerBound) : y.lowerBound), top = y.pixel(bar.value)
        document.rectangle(x: span.left, y: min(base, top), width: span.width, height: abs(base - top),
                           fill: Palette.color(seriesIndex))
        guard let error = bar.error, error > 0 else { return }
        let center = span.left + span.width / 2, cap = min(span.width * 0.3, 8)
        let low = y.pixel(yKind == .linear ? bar.value - error : max(bar.value - error, y.lowerBound))
        let high = y.pixel(bar.value + error)
        document.line(from: Point(x: center, y: low), to: Point(x: center, y: high), stroke: Palette.axis, width: 1.5)
        for end in [low, high] {
            document.line(from: Point(x: center - cap, y: end), to: Point(x: center + cap, y: end),
                          stroke: Palette.axis, width: 1.5)
        }
    }

    private var longestLabelWidth: Double {
        Double(categories.map(\.count).max() ?? 0) * ChartFrame.fontSize * 0.6
    }

    private var slantsLabels: Bool { longestLabelWidth > groupWidth * 0.95 }

    private func drawCategoryLabels(into document: inout SVGDocument) {
        for (index, category) in categories.enumerated() {
            let center = frame.plotLeft + groupWidth * (Double(index) + 0.5)
            if slantsLabels {
                document.text(category, at: Point(x: center + 4, y: frame.plotBottom + 16), size: ChartFrame.fontSize,
                              anchor: .end, rotation: -30)
            } else {
                document.text(category, at: Point(x: center, y: frame.plotBottom + 20), size: ChartFrame.fontSize,
                              anchor: .middle)
            }
        }
    }
}
