/// A JSON number as written. The text is kept (Swift stores up to 15 bytes inline, so ids cost no
/// allocation) and converted on use: exactly, when it is an integer — a safetensors offset past 2^53
/// stays exact — and to the nearest Double otherwise. Error messages quote it as the file has it.
package struct JSONNumber: Sendable, Equatable {
    /// Valid RFC 8259 number syntax (the lexer checked it, or one of the initializers wrote it).
    package let text: String

    init(validText text: String) {
        self.text = text
    }

    package init(_ value: Int64) {
        text = String(value)
    }

    /// A finite Double, in Swift's shortest round-trip form (as Python's repr writes floats).
    package init?(_ value: Double) {
        guard value.isFinite else { return nil }
        text = "\(value)"
    }

    /// The nearest Double; ±infinity when the number overflows it. Swift's parser, not strtod, so the
    /// host process's LC_NUMERIC (a decimal comma) cannot change it.
    package var double: Double {
        if let i = exactInteger { return Double(i) }
        return Double(text) ?? .nan
    }

    /// The exact value of a number written as an integer (no fraction or exponent) that fits in Int64.
    package var exactInteger: Int64? {
        var utf8 = text.utf8[...]
        let negative = utf8.first == UInt8(ascii: "-")
        if negative { utf8 = utf8.dropFirst() }
        guard !utf8.isEmpty, utf8.count <= 19 else { return nil }
        var value: Int64 = 0
        for c in utf8 {
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            // Accumulated negatively, so Int64.min is reachable.
            let (next, o2) = times10.subtractingReportingOverflow(Int64(c - UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            value = next
        }
        if negative { return value }
        return value == .min ? nil : -value
    }
}
