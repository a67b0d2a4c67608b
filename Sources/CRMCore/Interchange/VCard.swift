import Foundation

/// One contact card in vCard 4 (RFC 6350): the fields a CRM contact has.
///
///     let card = VCard(formattedName: "王芳", organisation: "华联超市", phone: "138 0013 8000")
///     file += card.text
public struct VCard: Equatable, Sendable {
    /// `FN`: the name as shown.
    public var formattedName: String
    /// `N`: family and given names (derived from the formatted name when written).
    public var familyName: String?
    public var givenName: String?
    /// `ORG`: the organisation (in a CRM, the customer's name).
    public var organisation: String?
    /// `TITLE`: the job title.
    public var title: String?
    public var phone: String?
    public var email: String?
    /// `NOTE`: free text, newlines kept.
    public var note: String?
    /// `UID`: stays the same each time the same contact is written, so a contacts app
    /// updates the card instead of adding it again.
    public var uid: String?
    /// The lines of the file the card begins and ends on (cards read from a file).
    public var line = 0
    public var endLine = 0
    /// The line of each property read, by name (`ORG` → 14), for messages about it.
    public var lines: [String: Int] = [:]

    public init(formattedName: String, familyName: String? = nil, givenName: String? = nil, organisation: String? = nil,
                title: String? = nil, phone: String? = nil, email: String? = nil, note: String? = nil, uid: String? = nil) {
        self.formattedName = formattedName
        self.familyName = familyName
        self.givenName = givenName
        self.organisation = organisation
        self.title = title
        self.phone = phone
        self.email = email
        self.note = note
        self.uid = uid
    }

    /// The card as vCard 4 text, CRLF line ends, folded at 75 octets.
    public var text: String {
        let split: (family: String, given: String) = (familyName == nil && givenName == nil)
            ? VCard.nameParts(formattedName) : (familyName ?? "", givenName ?? "")
        var out = "BEGIN:VCARD\r\nVERSION:4.0\r\n"
        out += ContentLine.line("FN", value: ContentLine.escape(formattedName))
        out += ContentLine.line("N", value: [split.family, split.given, "", "", ""].map(ContentLine.escape).joined(separator: ";"))
        if let organisation, !organisation.isEmpty { out += ContentLine.line("ORG", value: ContentLine.escape(organisation)) }
        if let title, !title.isEmpty { out += ContentLine.line("TITLE", value: ContentLine.escape(title)) }
        if let phone, !phone.isEmpty { out += ContentLine.line("TEL", parameters: ["TYPE=voice"], value: ContentLine.escape(phone)) }
        if let email, !email.isEmpty { out += ContentLine.line("EMAIL", value: ContentLine.escape(email)) }
        if let note, !note.isEmpty { out += ContentLine.line("NOTE", value: ContentLine.escape(note)) }
        if let uid { out += ContentLine.line("UID", value: ContentLine.escape(uid)) }
        return out + "END:VCARD\r\n"
    }

    /// Family and given names from a formatted name: a name in Chinese or Korean script is
    /// family name first (王芳 → 王, 芳; 欧阳 娜娜 → 欧阳, 娜娜); otherwise the last word is
    /// the family name (Anna Smith → Smith, Anna).
    public static func nameParts(_ name: String) -> (family: String, given: String) {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        let words = trimmed.split(separator: " ", omittingEmptySubsequences: true)
        let han = trimmed.unicodeScalars.first.map(isHan) ?? false
        if words.count > 1 {
            return han ? (String(words[0]), words.dropFirst().joined(separator: " "))
                       : (String(words.last!), words.dropLast().joined(separator: " "))
        }
        if han, trimmed.count > 1 {
            // 欧阳娜娜 → 欧阳, 娜娜: a compound surname takes two characters (a name of three or more).
            let length = trimmed.count >= 3 && compoundSurnames.contains(String(trimmed.prefix(2))) ? 2 : 1
            return (String(trimmed.prefix(length)), String(trimmed.dropFirst(length)))
        }
        return (trimmed, "")
    }

    /// The Chinese compound surnames (复姓) in use today, simplified and traditional.
    static let compoundSurnames: Set<String> = [
        "欧阳", "歐陽", "司马", "司馬", "诸葛", "諸葛", "上官", "东方", "東方", "皇甫", "尉迟", "尉遲",
        "公孙", "公孫", "慕容", "令狐", "长孙", "長孫", "宇文", "司徒", "夏侯", "轩辕", "軒轅", "端木",
        "独孤", "獨孤", "南宫", "南宮", "西门", "西門", "百里", "呼延", "澹台", "公冶", "宗政", "濮阳",
        "濮陽", "淳于", "单于", "單于", "太叔", "申屠", "钟离", "鍾離", "闻人", "聞人", "万俟", "萬俟",
        "赫连", "赫連", "拓跋", "司空", "左丘", "东郭", "東郭", "梁丘", "公羊", "谷梁", "穀梁", "亓官",
        "仲孙", "仲孫", "巫马", "巫馬", "乐正", "樂正", "壤驷", "壤駟", "漆雕", "段干", "子车",
        "子車", "颛孙", "顓孫", "羊舌", "微生", "公西", "第五",
    ]

    static func isHan(_ s: Unicode.Scalar) -> Bool {
        (0x4E00...0x9FFF).contains(s.value) || (0x3400...0x4DBF).contains(s.value) || (0xAC00...0xD7A3).contains(s.value)
            || (0x20000...0x2FFFD).contains(s.value)
    }

    /// Reads every card of a file (vCard 3 or 4; `BEGIN:VCARD` … `END:VCARD`). A card
    /// without a name gets an empty `formattedName`; the caller rejects it with its line.
    public static func parse(_ text: String) throws -> [VCard] {
        var cards: [VCard] = []
        var current: VCard?
        var phones: [(String, Bool)] = [], emails: [(String, Bool)] = []
        for p in try ContentLine.parse(text) {
            switch p.name {
            case "BEGIN" where p.value.uppercased() == "VCARD":
                guard current == nil else { throw ContentLineError(line: p.line, message: "BEGIN:VCARD inside another card (missing END:VCARD)") }
                current = VCard(formattedName: "")
                current?.line = p.line
                phones = []
                emails = []
            case "END" where p.value.uppercased() == "VCARD":
                guard var card = current else { throw ContentLineError(line: p.line, message: "END:VCARD without BEGIN:VCARD") }
                card.endLine = p.line
                card.phone = preferred(phones)
                card.email = preferred(emails)
                cards.append(card)
                current = nil
            default:
                guard current != nil else {
                    throw ContentLineError(line: p.line, message: "\(p.name) outside a card (expected BEGIN:VCARD)")
                }
                if p.parameter("ENCODING").contains(where: { $0.uppercased() == "QUOTED-PRINTABLE" }) {
                    throw ContentLineError(line: p.line, message: "quoted-printable text (vCard 2.1) is not supported; export the cards as vCard 3 or 4")
                }
                if current?.lines[p.name] == nil { current?.lines[p.name] = p.line }
                let preferredFlag = p.parameter("PREF").contains { $0 == "1" } || p.parameter("TYPE").contains { $0.lowercased() == "pref" }
                switch p.name {
                case "FN": current?.formattedName = ContentLine.unescape(p.value).trimmingCharacters(in: .whitespaces)
                case "N":
                    let parts = ContentLine.components(p.value).map(ContentLine.unescape)
                    current?.familyName = parts.first
                    current?.givenName = parts.count > 1 ? parts[1] : nil
                case "ORG": current?.organisation = ContentLine.components(p.value).first.map(ContentLine.unescape)
                case "TITLE": current?.title = ContentLine.unescape(p.value)
                case "TEL": phones.append((telephone(ContentLine.unescape(p.value)), preferredFlag))
                case "EMAIL": emails.append((ContentLine.unescape(p.value), preferredFlag))
                case "NOTE": current?.note = ContentLine.unescape(p.value)
                case "UID": current?.uid = ContentLine.unescape(p.value)
                default: break
                }
            }
        }
        if let current { throw ContentLineError(line: current.line, message: "the card that begins here has no END:VCARD") }
        return cards
    }

    /// The name to store: `FN`, else the given and family names put together.
    public var name: String {
        if !formattedName.isEmpty { return formattedName }
        let family = familyName ?? "", given = givenName ?? ""
        if let first = family.unicodeScalars.first, VCard.isHan(first) { return family + given }
        return [given, family].filter { !$0.isEmpty }.joined(separator: " ")
    }

    static func preferred(_ values: [(String, Bool)]) -> String? {
        (values.first { $0.1 } ?? values.first)?.0
    }

    /// A `tel:` URI's number as plain text.
    static func telephone(_ value: String) -> String {
        guard value.lowercased().hasPrefix("tel:") else { return value }
        let number = value.dropFirst(4)
        return String(number.prefix { $0 != ";" })
    }
}
