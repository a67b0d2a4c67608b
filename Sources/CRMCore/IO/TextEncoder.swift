/// Converts UTF-8 text to a file's encoding, chunk by chunk, for exports.
public final class TextEncoder {
    public let encoding: TextEncoding
    let converter: Iconv?
    /// The bytes a file in this encoding starts with (a byte-order mark for `utf-8-bom`).
    public let preamble: [UInt8]
    /// The start of a character cut at the end of the last chunk.
    var carry: [UInt8] = []

    /// A converter to `encoding`; throws if this system's iconv lacks it.
    public init(_ encoding: TextEncoding) throws {
        self.encoding = encoding
        if let name = encoding.iconvName {
            guard let c = Iconv(from: "UTF-8", to: name) else {
                throw DecodingError(message: "this system cannot write \(encoding.rawValue) text (iconv)")
            }
            converter = c
        } else {
            converter = nil
        }
        preamble = encoding == .utf8BOM ? encoding.byteOrderMark : []
    }

    /// The UTF-8 bytes `utf8` in the target encoding (the preamble is not included).
    public func encode(_ utf8: [UInt8]) throws -> [UInt8] {
        guard let converter else { return utf8 }
        let input = carry + utf8
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        let (consumed, outcome) = converter.convert(input[...], into: &out)
        if outcome == .invalid {
            throw DecodingError(message: "text that \(encoding.rawValue) cannot hold")
        }
        carry = Array(input[consumed...])
        return out
    }
}
