import GRDB

extension SQLiteStore {
    /// A hash of the stored entity definitions as they are in the database (not decoded):
    /// it changes whenever any definition, or their order, does.
    public func schemaFingerprint() throws -> String {
        try access { db in
            var hash = Fingerprint()
            let rows = try Row.fetchCursor(db, sql: "SELECT entity, definition, position FROM _crm_schema ORDER BY position")
            while let row = try rows.next() {
                let entity: String = row[0], definition: String = row[1], position: Int64 = row[2]
                hash.add(entity)
                hash.add(definition)
                hash.add(String(position))
            }
            return hash.text
        }
    }
}

/// FNV-1a (64 bits) over a sequence of strings, each ended by a 0 byte so that
/// ("ab", "c") and ("a", "bc") differ. For change detection, not for security.
public struct Fingerprint {
    var value: UInt64 = 0xcbf2_9ce4_8422_2325
    var count = 0

    public init() {}

    public mutating func add(_ text: String) {
        var v = value
        for byte in text.utf8 {
            v ^= UInt64(byte)
            v &*= 0x0000_0100_0000_01b3
        }
        v &*= 0x0000_0100_0000_01b3  // the 0 separator
        value = v
        count += 1
    }

    /// The hash and how many strings went into it.
    public var text: String { String(value, radix: 16) + "/" + String(count) }
}
