/// The verbs of the sales modules: segments, quotes, the deal team and their reports.
enum SalesVerbs {
    static var all: [Verb] { [SegmentVerb(), QuoteVerb(), TeamVerb()] + SalesReports.all.map { $0 as Verb } }
}
