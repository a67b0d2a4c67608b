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

    /// Creates the index table, filling it from existing rows; rebuilds it if the
    /// searched fields changed.
    static func install(_ e: EntityDefinition, _ db: Database) throws {
        let name = table(e.name)
        let key = "find:\(e.name)"
        let fields = e.searchFields.joined(separator: ",")
        let current = try String.fetchOne(db, sql: "SELECT value FROM _crm_meta WHERE key = ?", arguments: [key])
        if try db.tableExists(name), current == fields { return }
        try db.execute(sql: "DROP TABLE IF EXISTS \(quoted(name))")
        try db.execute(sql: "CREATE VIRTUAL TABLE \(quoted(name)) USING fts5(grams, tokenize = 'unicode61 remove_diacritics 0')")
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
        let insert = try db.cachedStatement(sql: "INSERT INTO \(quoted(table(e.name))) (rowid, grams) VALUES (?, ?)")
        try insert.execute(arguments: [id, grams(of: texts)])
    }

    static func remove(_ e: EntityDefinition, id: Int64, _ db: Database) throws {
        try db.cachedStatement(sql: "DELETE FROM \(quoted(table(e.name))) WHERE rowid = ?").execute(arguments: [id])
    }

    enum CharClass { case cjk, word, separator }

    static func charClass(_ c: Character) -> CharClass {
        guard let s = c.unicodeScalars.first else { return .separator }
        let v = s.value
        if s.properties.isIdeographic || (0x3040...0x30FF).contains(v) || (0xAC00...0xD7A3).contains(v) { return .cjk }
        if c.isLetter || c.isNumber { return .word }
        return .separator
    }

    /// Runs of same-class characters, lowercased.
    static func runs(_ text: String) -> [(CharClass, [Character])] {
        var result: [(CharClass, [Character])] = []
        var current: [Character] = []
        var currentClass = CharClass.separator
        for c in text.lowercased() {
            let k = charClass(c)
            if k != currentClass {
                if currentClass != .separator && !current.isEmpty { result.append((currentClass, current)) }
                current = []
                currentClass = k
            }
            if k != .separator { current.append(c) }
        }
        if currentClass != .separator && !current.isEmpty { result.append((currentClass, current)) }
        return result
    }

    /// The grams stored for a record's searched texts, space separated.
    static func grams(of texts: [String]) -> String {
        var seen = Set<String>()
        var out: [String] = []
        for text in texts {
            for (kind, chars) in runs(text) {
                let n = kind == .cjk ? 2 : 3
                if chars.count < n {
                    let g = String(chars)
                    if seen.insert(g).inserted { out.append(g) }
                    continue
                }
                for i in 0...(chars.count - n) {
                    let g = String(chars[i..<(i + n)])
                    if seen.insert(g).inserted { out.append(g) }
                }
            }
        }
        return out.joined(separator: " ")
    }

    /// The grams a query needs; empty when it is too short to use the index.
    static func queryGrams(_ text: String) -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        for (kind, chars) in runs(text) {
            let n = kind == .cjk ? 2 : 3
            guard chars.count >= n else { continue }
            for i in 0...(chars.count - n) {
                let g = String(chars[i..<(i + n)])
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
