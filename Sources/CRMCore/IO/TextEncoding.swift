/// The character encoding of a text file crm reads (`import … encoding=…`) or writes
/// (`export … encoding=…`).
///
/// Inside crm all text is UTF-8; files in another encoding are converted as they stream
/// (glibc's iconv), so memory stays flat however large the file.
public enum TextEncoding: String, CaseIterable, Sendable {
    /// UTF-8 without a byte-order mark (the default).
    case utf8 = "utf-8"
    /// UTF-8 starting with a byte-order mark: what Excel needs to open a UTF-8 CSV right.
    case utf8BOM = "utf-8-bom"
    /// GB18030, the superset of GBK and GB2312 that Excel on a Chinese Windows saves CSV in.
    case gb18030
    /// UTF-16, little-endian (Windows' "Unicode").
    case utf16LE = "utf-16le"
    /// UTF-16, big-endian.
    case utf16BE = "utf-16be"

    /// Looks up a name as people write it: `gb18030`, `GBK`, `gb2312`, `cp936`, `utf8`,
    /// `UTF-8`, `utf-8-bom`, `utf-16` (little-endian unless the file's mark says otherwise).
    public init?(name: String) {
        let key = name.lowercased().replacingOccurrences(of: "_", with: "-")
        switch key {
        case "utf-8", "utf8": self = .utf8
        case "utf-8-bom", "utf8-bom", "utf-8-sig", "utf8-sig": self = .utf8BOM
        case "gb18030", "gbk", "gb2312", "cp936", "936", "gb-18030": self = .gb18030
        case "utf-16", "utf16", "utf-16le", "utf16le", "unicode": self = .utf16LE
        case "utf-16be", "utf16be": self = .utf16BE
        default: return nil
        }
    }

    /// The names `import` accepts, for error messages.
    public static let importNames = "utf-8, gb18030 (or gbk), utf-16le, utf-16be"
    /// The names `export` accepts, for error messages.
    public static let exportNames = "utf-8, utf-8-bom, gb18030 (or gbk)"

    /// True for the encodings `export` writes (CSV for Excel: UTF-16 CSV is not one of them).
    public var isExportable: Bool { self == .utf8 || self == .utf8BOM || self == .gb18030 }

    /// The name glibc's iconv knows it by, nil for UTF-8 (no conversion needed).
    var iconvName: String? {
        switch self {
        case .utf8, .utf8BOM: return nil
        case .gb18030: return "GB18030"
        case .utf16LE: return "UTF-16LE"
        case .utf16BE: return "UTF-16BE"
        }
    }

    /// The byte-order mark a file in this encoding starts with, if it has one.
    var byteOrderMark: [UInt8] {
        switch self {
        case .utf8: return []
        case .utf8BOM: return [0xEF, 0xBB, 0xBF]
        case .gb18030: return [0x84, 0x31, 0x95, 0x33]
        case .utf16LE: return [0xFF, 0xFE]
        case .utf16BE: return [0xFE, 0xFF]
        }
    }

    /// The encoding a file's first bytes declare with a byte-order mark, and the mark's length.
    static func sniffMark(_ bytes: ArraySlice<UInt8>) -> (TextEncoding, Int)? {
        let b = Array(bytes.prefix(4))
        if b.starts(with: [0xEF, 0xBB, 0xBF]) { return (.utf8BOM, 3) }
        if b.starts(with: [0xFF, 0xFE]) { return (.utf16LE, 2) }
        if b.starts(with: [0xFE, 0xFF]) { return (.utf16BE, 2) }
        if b.starts(with: [0x84, 0x31, 0x95, 0x33]) { return (.gb18030, 4) }
        return nil
    }
}
