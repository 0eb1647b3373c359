/// Layers stacked on top of each other over a shared x axis (e.g. weights that sum to one):
/// each layer fills the band between the layers below it and itself. The legend lists the
/// top layer first, as the bands read from top to bottom.
public struct StackedAreaChart: Sendable {
    public struct Layer: Sendable {
        public var name: String
        /// One value per x, at or above zero.
        public var values: [Double]

        public init(name: String, values: [Double]) {
            self.name = name
            self.values = values
        }
    }

    public var frame: ChartFrame
    /// The x positions, non-decreasing; a repeated x draws a vertical step.
    public var x: [Double]
    public var layers: [Layer]

    public init(title: String, xTitle: String, yTitle: String, x: [Double], layers: [Layer]) {
        frame = ChartFrame(title: title, xTitle: xTitle, yTitle: yTitle)
        self.x = x
        self.layers = layers
        frame.makeRoom(forLegend: layers.map(\.name))
    }

    /// The running totals: `tops[layer][i]` is the sum of layers 0...layer at x[i].
    public var tops: [[Double]] {
        var running = [Double](repeating: 0, count: x.count)
        return layers.map { layer in
            for index in running.indices { running[index] += index < layer.values.count ? max(layer.values[index], 0) : 0 }
            return running
        }
    }

    public var xScale: Scale { Scale(kind: .linear, covering: x, pixels: (frame.plotLeft, frame.plotRight)) }

    public var yScale: Scale {
        Scale(kind: .linear, covering: [0] + (tops.last ?? [1]), pixels: (frame.plotBottom, frame.plotTop))
    }

    public func document() -> SVGDocument {
        let xScale = xScale, yScale = yScale
        var document = frame.document()
        frame.drawYAxis(yScale, into: &document)
        var below = [Double](repeating: 0, count: x.count)
        for (index, top) in tops.enumerated() {
            let upper = zip(x, top).map { Point(x: xScale.pixel($0), y: yScale.pixel($1)) }
            let lower = zip(x, below).map { Point(x: xScale.pixel($0), y: yScale.pixel($1)) }
            document.polygon(upper + lower.reversed(), fill: Palette.color(index), opacity: 0.9)
            below = top
        }
        frame.drawAxisLines(into: &document)
        frame.drawXAxis(xScale, into: &document)
        let entries = layers.indices.reversed().map {
            LegendEntry(name: layers[$0].name, color: Palette.color($0), swatch: .block)
        }
        frame.drawLegend(entries, into: &document)
        return document
    }
}
