/// Lines over a shared x axis, one colour per series, with a legend. Series with few
/// points get a dot at each point; on a logarithmic y axis, points at or below zero are left out.
public struct LineChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var points: [Point]

        public init(name: String, points: [Point]) {
            self.name = name
            self.points = points
        }
    }

    public var frame: ChartFrame
    public var series: [Series]
    public var yKind: Scale.Kind
    /// Series with at most this many points get markers.
    public var markerLimit = 40

    public init(title: String, xTitle: String, yTitle: String, series: [Series], yKind: Scale.Kind = .linear) {
        frame = ChartFrame(title: title, xTitle: xTitle, yTitle: yTitle)
        self.series = series
        self.yKind = yKind
        frame.makeRoom(forLegend: series.map(\.name))
    }

    public var xScale: Scale {
        Scale(kind: .linear, covering: plotted.flatMap { $0.points.map(\.x) },
              pixels: (frame.plotLeft, frame.plotRight))
    }

    public var yScale: Scale {
        Scale(kind: yKind, covering: plotted.flatMap { $0.points.map(\.y) }, pixels: (frame.plotBottom, frame.plotTop))
    }

    /// The series as drawn: non-finite points (and, on a log axis, non-positive ones) dropped.
    var plotted: [Series] {
        series.map { series in
            Series(name: series.name, points: series.points.filter {
                $0.x.isFinite && $0.y.isFinite && (yKind == .linear || $0.y > 0)
            })
        }
    }

    public func document() -> SVGDocument {
        let x = xScale, y = yScale
        var document = frame.document()
        frame.drawYAxis(y, into: &document)
        frame.drawXAxis(x, into: &document)
        for (index, series) in plotted.enumerated() {
            let pixels = series.points.map { Point(x: x.pixel($0.x), y: y.pixel($0.y)) }
            document.polyline(pixels, stroke: Palette.color(index))
            if pixels.count <= markerLimit {
                for pixel in pixels { document.circle(center: pixel, radius: 3.5, fill: Palette.color(index)) }
            }
        }
        let entries = series.indices.map { LegendEntry(name: series[$0].name, color: Palette.color($0), swatch: .line) }
        frame.drawLegend(entries, into: &document)
        return document
    }
}
