import CRMCore

/// The options after `import <entity|series> FILE`: `map column=field …`, `from-line N`,
/// `encoding=NAME`, `on conflict skip|update`, in any order. Records and series read the same.
struct ImportOptions {
    /// File column → field; `-` skips the column.
    var mapping: [String: String] = [:]
    var fromLine = 0
    var onConflict = Importer.ConflictPolicy.reject
    var encoding: TextEncoding?

    static func parse(_ args: inout TokenCursor, usage: String) throws -> ImportOptions {
        var o = ImportOptions()
        while !args.atEnd {
            if args.consumeKeyword("map") {
                let before = o.mapping.count
                while let t = args.peek, t.kind != .symbol, !args.isKeyword("from-line"), !args.isKeyword("on"),
                      !args.isKeyword("encoding") {
                    let column = args.next()!
                    guard let eq = args.peek, eq.kind == .symbol, eq.text == "=" else {
                        throw SyntaxError(message: "expected '=' after '\(column.text)' (write map column=field)", position: args.position)
                    }
                    _ = args.next()
                    let field = (args.atEnd || args.peek!.spaceBefore) ? "" : args.gluedValue().text
                    o.mapping[column.text] = field.isEmpty ? "-" : field
                }
                if o.mapping.count == before { throw SyntaxError(message: "expected column=field after 'map'", position: args.position) }
            } else if args.consumeKeyword("from-line") {
                let position = args.position
                o.fromLine = try args.count("from-line")
                if o.fromLine < 2 { throw SyntaxError(message: "from-line is a line of the file after the header (2 or more)", position: position) }
            } else if args.consumeKeyword("encoding") {
                o.encoding = try ImportVerb.encoding(&args, accepting: TextEncoding.importNames)
                if o.encoding == .utf8BOM { o.encoding = .utf8 }
            } else if args.consumeKeyword("on") {
                try args.expectKeyword("conflict", after: "'on'")
                let t = try args.word("skip or update after 'on conflict'")
                guard let policy = Importer.ConflictPolicy(rawValue: t.text.lowercased()), policy != .reject else {
                    throw SyntaxError(message: "expected skip or update after 'on conflict', got '\(t.text)'", position: t.position)
                }
                o.onConflict = policy
            } else {
                try args.expectEnd(usage)
            }
        }
        return o
    }
}
