extension Fixed {
    /// Units at a scale as a Double (shares and means, never stored).
    static func double(_ units: Int64, scale: Int) -> Double {
        var d = Double(units)
        for _ in 0..<scale { d /= 10 }
        return d
    }
}
