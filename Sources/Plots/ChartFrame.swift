/// What every chart shares: the canvas, the plot area inside its margins, the title, the
/// axes with their ticks, grid lines and names, and the legend to the right of the plot
/// (outside it, so it never covers data).
public struct ChartFrame: Sendable {
    public var width: Double = 960
    public var height: Double = 540
    public var title: String
    public var xTitle: String
    public var yTitle: String
    /// Room below the plot for tick labels and the x axis name (more for slanted labels).
    public var bottomMargin = 64.0
    /// Room right of the plot for the legend (more for long names).
    public var rightMargin = 210.0
    static let margin = (top: 48.0, left: 84.0)
    static let fontSize = 13.0

    public init(title: String, xTitle: String, yTitle: String) {
        self.title = title
        self.xTitle = xTitle
        self.yTitle = yTitle
    }

    /// The plot area's pixel edges.
    public var plotLeft: Double { Self.margin.left }
    public var plotRight: Double { width - rightMargin }
    public var plotTop: Double { Self.margin.top }
    public var plotBottom: Double { height - bottomMargin }

    /// Widens the canvas (the plot area keeps its size) when the longest legend name would
    /// not fit the right margin, and makes it taller when the entries would not fit its height.
    mutating func makeRoom(forLegend names: [String], heading: Bool = false) {
        let neededWidth = 20 + 30 + Double(names.map(\.count).max() ?? 0) * Self.fontSize * 0.62 + 10
        if neededWidth > rightMargin {
            width += neededWidth - rightMargin
            rightMargin = neededWidth
        }
        let neededHeight = plotTop + 12 + Double(names.count + (heading ? 1 : 0)) * 21 + bottomMargin
        if neededHeight > height { height = neededHeight }
    }

    /// A blank document with the title drawn.
    func document() -> SVGDocument {
        var document = SVGDocument(width: width, height: height)
        document.text(title, at: Point(x: (plotLeft + plotRight) / 2, y: 28), size: 17, anchor: .middle, bold: true)
        return document
    }

    /// Horizontal grid lines and labels at `y`'s ticks, the y axis name, and the left and bottom axis lines.
    func drawYAxis(_ y: Scale, into document: inout SVGDocument) {
        for value in y.minorTicks {
            let pixel = y.pixel(value)
            document.line(from: Point(x: plotLeft, y: pixel), to: Point(x: plotRight, y: pixel), stroke: Palette.minorGrid)
        }
        let labels = y.tickLabels
        for (tick, label) in zip(y.ticks, labels) {
            let pixel = y.pixel(tick)
            document.line(from: Point(x: plotLeft, y: pixel), to: Point(x: plotRight, y: pixel), stroke: Palette.grid)
            document.line(from: Point(x: plotLeft - 5, y: pixel), to: Point(x: plotLeft, y: pixel), stroke: Palette.axis)
            document.text(label, at: Point(x: plotLeft - 8, y: pixel + 4.5), size: Self.fontSize, anchor: .end)
        }
        let widest = Double(labels.map(\.count).max() ?? 1) * Self.fontSize * 0.6
        let titleX = max(plotLeft - 8 - widest - 12, 16)
        document.text(yTitle, at: Point(x: titleX, y: (plotTop + plotBottom) / 2), size: 14, anchor: .middle,
                      rotation: -90)
        drawAxisLines(into: &document)
    }

    /// Ticks and labels at `x`'s ticks, and the x axis name.
    func drawXAxis(_ x: Scale, into document: inout SVGDocument) {
        for (tick, label) in zip(x.ticks, x.tickLabels) {
            let pixel = x.pixel(tick)
            document.line(from: Point(x: pixel, y: plotBottom), to: Point(x: pixel, y: plotBottom + 5), stroke: Palette.axis)
            document.text(label, at: Point(x: pixel, y: plotBottom + 20), size: Self.fontSize, anchor: .middle)
        }
        drawXTitle(into: &document)
    }

    func drawXTitle(into document: inout SVGDocument) {
        document.text(xTitle, at: Point(x: (plotLeft + plotRight) / 2, y: height - 16), size: 14, anchor: .middle)
    }

    func drawAxisLines(into document: inout SVGDocument) {
        document.line(from: Point(x: plotLeft, y: plotTop), to: Point(x: plotLeft, y: plotBottom), stroke: Palette.axis)
        document.line(from: Point(x: plotLeft, y: plotBottom), to: Point(x: plotRight, y: plotBottom), stroke: Palette.axis)
    }

    /// The legend, one entry a line, top-aligned right of the plot area.
    func drawLegend(_ entries: [LegendEntry], heading: String? = nil, into document: inout SVGDocument) {
        let left = plotRight + 20
        var baseline = plotTop + 12
        if let heading {
            document.text(heading, at: Point(x: left, y: baseline), size: Self.fontSize, bold: true)
            baseline += 22
        }
        for entry in entries {
            switch entry.swatch {
            case .line:
                document.line(from: Point(x: left, y: baseline - 4.5), to: Point(x: left + 22, y: baseline - 4.5),
                              stroke: entry.color, width: 3)
            case .block:
                document.rectangle(x: left, y: baseline - 11, width: 22, height: 13, fill: entry.color)
            }
            document.text(entry.name, at: Point(x: left + 30, y: baseline), size: Self.fontSize)
            baseline += 21
        }
    }
}
