/// Text made safe to put in an HTML or SVG page: markup characters become entities and
/// control characters are written out (`CellText.terminalSafe`), so data from the database
/// (a customer named `<script>…`) is always shown as text, never run or parsed as markup.
enum HTMLText {
    /// Escapes `& < > " '`; newlines are kept (`lines` turns them into `<br>`).
    static func escape(_ s: String) -> String {
        let safe = CellText.terminalSafe(s, keepingLines: true)
        guard safe.contains(where: { "&<>\"'".contains($0) }) else { return safe }
        var out = ""
        out.reserveCapacity(safe.utf8.count + 16)
        for c in safe {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// Escaped text with its line breaks as `<br>` (notes that span lines).
    static func lines(_ s: String) -> String {
        escape(s.replacingOccurrences(of: "\r\n", with: "\n")).replacingOccurrences(of: "\n", with: "<br>")
    }
}
