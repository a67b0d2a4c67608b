/// A small chart drawn in the terminal under a report: bars or a line, one or more
/// series over labelled points.
public struct Chart: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable { case bar, line }

    public var kind: Kind
    public var title: String?
    /// The label of each point (a salesperson, a month).
    public var labels: [String]
    /// Each series: its name and one value per label.
    public var series: [Series]

    public struct Series: Sendable, Equatable {
        public var name: String
        public var values: [Double]
        public init(name: String, values: [Double]) {
            self.name = name
            self.values = values
        }
    }

    public init(kind: Kind, title: String? = nil, labels: [String], series: [Series]) {
        self.kind = kind
        self.title = title
        self.labels = labels
        self.series = series
    }
}
