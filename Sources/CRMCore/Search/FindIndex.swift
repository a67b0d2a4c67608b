import GRDB

/// The substring index behind `find`: an FTS5 table per searchable entity holding
/// n-grams of the searched fields.
///
/// Text is split into runs of CJK characters and runs of other letters and digits.
/// CJK runs are indexed as bigrams (so a two-character name like 王芳 is one lookup),
/// other runs as trigrams. A query's grams are a subset of the grams of any text that
/// contains it, so the index narrows the candidates and a LIKE check confirms them.
/// A query too short to have grams (one character, or two Latin letters) falls back to
/// a scan.
enum FindIndex {
    static func table(_ entity: String) -> String { "_crm_find_\(entity)" }

    /// Lookups need only which records hold a gram: no positions (`detail = none`) and no
    /// column sizes (nothing is ranked), which makes the index a third smaller and its
    /// writes, one per created record, cheaper.
    static let options = "grams, tokenize = 'unicode61 remove_diacritics 0', detail = none, columnsize = 0"
    static let layout = "v2"

    /// Creates the index table, filling it from existing rows; rebuilds it if the
    /// searched fields changed.
    static func install(_ e: EntityDefinition, _ db: Database) throws {
        let name = table(e.name)
        let key = "find:\(e.name)"
        // The layout version is part of the key: a database made with another is rebuilt once.
        let fields = e.searchFields.joined(separator: ",") + ";" + layout
        let current = try String.fetchOne(db, sql: "SELECT value FROM _crm_meta WHERE key = ?", arguments: [key])
        if try db.tableExists(name), current == fields { return }
        try db.execute(sql: "DROP TABLE IF EXISTS \(quoted(name))")
        try db.execute(sql: "CREATE VIRTUAL TABLE \(quoted(name)) USING fts5(\(options))")
        let columns = e.searchFields.map(quoted).joined(separator: ", ")
        let insert = try db.makeStatement(sql: "INSERT INTO \(quoted(name)) (rowid, grams) VALUES (?, ?)")
        let rows = try Row.fetchCursor(db, sql: "SELECT id, \(columns) FROM \(quoted(e.name))")
        while let row = try rows.next() {
            let texts = (1...e.searchFields.count).map { (row[$0] as String?) ?? "" }
            try insert.execute(arguments: [row[0] as Int64, grams(of: texts)])
        }
        try db.execute(sql: "INSERT OR REPLACE INTO _crm_meta (key, value) VALUES (?, ?)", arguments: [key, fields])
    }

    /// Replaces a record's grams.
    static func update(_ e: EntityDefinition, id: Int64, texts: [String], _ db: Database) throws {
        try remove(e, id: id, db)
        try insert(e, id: id, texts: texts, db)
    }

    /// Adds a new record's grams (nothing to remove first: the id is new).
    static func insert(_ e: EntityDefinition, id: Int64, texts: [String], _ db: Database) throws {
        let insert = try db.cachedStatement(sql: "INSERT INTO \(quoted(table(e.name))) (rowid, grams) VALUES (?, ?)")
        try RawStatement.execute(insert, [id.databaseValue, grams(of: texts).databaseValue])
    }

    static func remove(_ e: EntityDefinition, id: Int64, _ db: Database) throws {
        try db.cachedStatement(sql: "DELETE FROM \(quoted(table(e.name))) WHERE rowid = ?").execute(arguments: [id])
    }

    enum CharClass { case cjk, word, separator }

    /// The class of one scalar: ASCII and CJK decided by ranges (this runs for every
    /// character of every imported record), the rest by Unicode properties.
    static func charClass(_ s: Unicode.Scalar) -> CharClass {
        let v = s.value
        if v < 0x80 {
            let b = UInt8(v)
            return (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) ? .word : .separator
        }
        if isCommonCJK(v) { return .cjk }
        if s.properties.isIdeographic { return .cjk }
        if s.properties.isAlphabetic || s.properties.numericType != nil { return .word }
        return .separator
    }

    /// The CJK blocks decided by range: unified ideographs and extensions, kana, hangul
    /// syllables, compatibility ideographs (none of them changes when lowercased).
    @inline(__always)
    static func isCommonCJK(_ v: UInt32) -> Bool {
        (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) || (0x3040...0x30FF).contains(v)
            || (0xAC00...0xD7A3).contains(v) || (0xF900...0xFAFF).contains(v) || (0x20000...0x3134F).contains(v)
    }

    static func lowered(_ s: Unicode.Scalar) -> [Unicode.Scalar] {
        if s.value < 0x80 {
            return s.value >= 65 && s.value <= 90 ? [Unicode.Scalar(s.value + 32)!] : [s]
        }
        if !s.properties.changesWhenLowercased { return [s] }
        return Array(s.properties.lowercaseMapping.unicodeScalars)
    }

    /// Runs of same-class characters, lowercased.
    static func runs(_ text: String) -> [(CharClass, [Unicode.Scalar])] {
        var result: [(CharClass, [Unicode.Scalar])] = []
        var current: [Unicode.Scalar] = []
        var currentClass = CharClass.separator
        for scalar in text.unicodeScalars {
            for c in lowered(scalar) {
                let k = charClass(c)
                if k != currentClass {
                    if currentClass != .separator && !current.isEmpty { result.append((currentClass, current)) }
                    current.removeAll(keepingCapacity: true)
                    currentClass = k
                }
                if k != .separator { current.append(c) }
            }
        }
        if currentClass != .separator && !current.isEmpty { result.append((currentClass, current)) }
        return result
    }

    static func gram(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    /// The grams stored for a record's searched texts, space separated.
    ///
    /// This runs for every imported record, so it streams: one pass over the scalars with
    /// a window of the last three, no per-run arrays, grams deduplicated as packed integers
    /// (a gram is at most 3 scalars of 21 bits) in a short list, output built as UTF-8.
    static func grams(of texts: [String]) -> String {
        var builder = GramBuilder()
        for text in texts { builder.append(text) }
        return builder.text()
    }

    /// The streaming state of `grams(of:)`; `reset` keeps its buffers for the next record.
    struct GramBuilder {
        var out: [UInt8] = []
        var seen: [UInt64] = []
        var window: (Unicode.Scalar, Unicode.Scalar, Unicode.Scalar) = ("\0", "\0", "\0")
        var runLength = 0
        var runClass = CharClass.separator

        init() {
            out.reserveCapacity(160)
            seen.reserveCapacity(48)
        }

        /// Back to no grams, keeping the buffers' capacity.
        mutating func reset() {
            out.removeAll(keepingCapacity: true)
            seen.removeAll(keepingCapacity: true)
            runLength = 0
            runClass = .separator
        }

        /// Adds the grams of one searched text (each text ends a run).
        mutating func append(_ text: String) {
            for scalar in text.unicodeScalars {
                let v = scalar.value
                if v < 0x80 {
                    let b = UInt8(truncatingIfNeeded: v)
                    let isWord = (b >= 48 && b <= 57) || (b >= 97 && b <= 122) || (b >= 65 && b <= 90)
                    if isWord {
                        add(b >= 65 && b <= 90 ? Unicode.Scalar(b + 32) : scalar, .word)
                    } else {
                        endRun()
                    }
                } else if FindIndex.isCommonCJK(v) {
                    // Han, kana and hangul have no case: no lowercase mapping to look up.
                    add(scalar, .cjk)
                } else if !scalar.properties.changesWhenLowercased {
                    let k = FindIndex.charClass(scalar)
                    if k == .separator { endRun() } else { add(scalar, k) }
                } else {
                    for c in FindIndex.lowered(scalar) {
                        let k = FindIndex.charClass(c)
                        if k == .separator { endRun() } else { add(c, k) }
                    }
                }
            }
            endRun()
        }

        var gramLength: Int { runClass == .cjk ? 2 : 3 }

        mutating func add(_ c: Unicode.Scalar, _ k: CharClass) {
            if k != runClass { endRun(); runClass = k }
            window = (window.1, window.2, c)
            runLength += 1
            if runLength >= gramLength { emit(gramLength) }
        }

        /// Ends a run: a run shorter than a gram is indexed whole.
        mutating func endRun() {
            if runLength > 0 && runLength < gramLength { emit(runLength) }
            runLength = 0
            runClass = .separator
        }

        /// Emits the last `n` scalars of the window unless already emitted.
        mutating func emit(_ n: Int) {
            let first = 3 - n
            var key = UInt64(n)
            for i in first..<3 { key = key << 21 | UInt64(scalar(i).value) }
            if seen.contains(key) { return }
            seen.append(key)
            if !out.isEmpty { out.append(32) }
            for i in first..<3 { UTF8.encode(scalar(i)) { out.append($0) } }
        }

        func scalar(_ i: Int) -> Unicode.Scalar { i == 0 ? window.0 : i == 1 ? window.1 : window.2 }

        func text() -> String { String(decoding: out, as: UTF8.self) }
    }

    /// The grams a query needs; empty when it is too short to use the index.
    static func queryGrams(_ text: String) -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        for (kind, chars) in runs(text) {
            let n = kind == .cjk ? 2 : 3
            guard chars.count >= n else { continue }
            for i in 0...(chars.count - n) {
                let g = gram(chars[i..<(i + n)])
                if seen.insert(g).inserted { out.append(g) }
            }
        }
        return out
    }

    /// The FTS5 MATCH expression requiring every gram.
    static func matchExpression(_ grams: [String]) -> String {
        grams.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: " AND ")
    }
}
