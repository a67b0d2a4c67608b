/// The numbers each numeric field type can hold, for refusals that name the range.
///
/// Integers are 64-bit; decimals and money have at most `Fixed.maxDigits` (18) digits in
/// all, so money goes up to 9999999999999999.99.
public enum NumericRange {
    /// `money holds -9999999999999999.99 to 9999999999999999.99`; nil for other types.
    public static func text(for type: FieldType) -> String? {
        switch type {
        case .integer:
            return "an integer holds \(Int64.min) to \(Int64.max)"
        case .decimal, .money:
            let largest = Fixed.largest(scale: type.scale ?? 0)
            return "\(type.name) holds -\(largest) to \(largest)"
        default:
            return nil
        }
    }
}
