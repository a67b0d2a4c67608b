import Glibc

/// One direction of glibc's iconv (`iconv_open(to, from)`), converting a stream chunk by chunk.
///
/// A character cut at the end of a chunk is kept for the next one, so callers can feed
/// any slicing of the input.
final class Iconv {
    let handle: iconv_t

    /// Opens a converter; nil if glibc does not know one of the encodings.
    init?(from: String, to: String) {
        let h = iconv_open(to, from)
        guard let h, Int(bitPattern: h) != -1 else { return nil }
        handle = h
    }

    deinit { iconv_close(handle) }

    /// How a conversion of one chunk ended.
    enum Outcome: Equatable {
        /// Everything converted (`consumed` may stop short of the end inside a cut character).
        case converted
        /// A byte sequence that is not a character of the source encoding, at `consumed`.
        case invalid
    }

    /// Converts as much of `input` as makes whole characters, appending to `output`;
    /// returns how many input bytes were used and why it stopped.
    func convert(_ input: ArraySlice<UInt8>, into output: inout [UInt8]) -> (consumed: Int, outcome: Outcome) {
        var source = Array(input)
        var consumed = 0
        let total = source.count
        while consumed < total {
            let room = (total - consumed) * 2 + 16
            let start = output.count
            output.append(contentsOf: [UInt8](repeating: 0, count: room))  // a memset, not a loop of appends
            var inLeft = total - consumed, outLeft = room
            let result = source.withUnsafeMutableBytes { ib in
                output.withUnsafeMutableBytes { ob -> Int in
                    var ip: UnsafeMutablePointer<CChar>? = (ib.baseAddress! + consumed).assumingMemoryBound(to: CChar.self)
                    var op: UnsafeMutablePointer<CChar>? = (ob.baseAddress! + start).assumingMemoryBound(to: CChar.self)
                    return iconv(handle, &ip, &inLeft, &op, &outLeft)
                }
            }
            let error = result == -1 ? errno : 0
            output.removeLast(outLeft)
            consumed = total - inLeft
            if result != -1 { continue }
            switch error {
            case E2BIG: continue
            case EINVAL: return (consumed, .converted)  // a character cut at the end: kept for later
            default: return (consumed, .invalid)
            }
        }
        source.removeAll()
        return (consumed, .converted)
    }
}
