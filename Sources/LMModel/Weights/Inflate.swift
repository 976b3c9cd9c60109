import LMInput

/// A raw DEFLATE decoder (no zlib or gzip wrapper): what a zip entry of method 8 holds, as
/// `numpy.savez_compressed` writes it.
///
/// The output has a fixed size, the one the zip directory declares, written into a buffer the caller
/// provides: a stream that would produce more is refused the moment it tries, so a hostile stream can
/// make the decoder neither allocate nor write beyond that size, and every step consumes input or
/// produces output, so time is linear in the two. Every malformed stream (reserved block type, bad
/// stored-block length, over-subscribed or incomplete code, bad code lengths, invalid symbol, distance
/// before the start of the output, truncation, wrong size) is an `InputError.format` prefixed by `what`
/// (the file and entry).
// Follows RFC 1951 (DEFLATE 1.3). zlib's inflate and Mark Adler's puff.c were the algorithm reference,
// notably for which incomplete codes a valid stream may use; the code here is lmcore's own.
package enum Inflate {
    /// Inflates `input` into exactly `output.count` bytes.
    static func inflate(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer,
                        what: String) throws {
        var decoder = InflateDecoder(input: input, output: output, what: what)
        try decoder.run()
    }

    /// Inflates `input`, which must decode to exactly `uncompressedSize` bytes (tests and tools).
    package static func inflate(_ input: [UInt8], uncompressedSize: Int, what: String) throws -> [UInt8] {
        guard uncompressedSize >= 0 else {
            throw InputError.invalidArgument("\(what): negative uncompressed size \(uncompressedSize)")
        }
        return try input.withUnsafeBytes { source in
            try [UInt8](unsafeUninitializedCapacity: uncompressedSize) { buffer, initialized in
                try inflate(source, into: UnsafeMutableRawBufferPointer(buffer), what: what)
                initialized = uncompressedSize
            }
        }
    }
}

/// A canonical Huffman code, decoded through a lookup table indexed by the next `bits` input bits
/// (deflate packs codes from the least significant bit, so each code is stored bit-reversed): an entry
/// holds `symbol << 4 | code length`, or 0 where the code is longer than `bits` or no code starts with
/// those bits (possible only in the incomplete codes RFC 1951 streams may use, see `build`). Those go
/// to the canonical decoding over `counts` and `symbols`, one bit at a time, as puff.c decodes.
///
/// The table has at most 2^10 entries whatever the code: filling it per dynamic block then costs at most
/// about a thousand steps for the few bytes of input a block header needs, which keeps a stream of
/// hostile, empty blocks linear in time with a small constant (a full 15-bit table would cost 32768).
struct HuffmanTable {
    static let maxTableBits = 10

    var entries: [UInt16] = []
    var bits = 1
    /// Number of codes of each length, 0...15.
    var counts = [Int](repeating: 0, count: 16)
    /// The symbols in canonical order (by code length, then symbol).
    var symbols: [UInt16] = []

    enum Kind {
        /// The code-length code of a dynamic block: must be complete.
        case codeLengths
        /// Literal/length and distance codes: may be incomplete only with one code of one bit (a block
        /// using a single distance), or empty for distances (a block of literals only).
        case symbols
    }

    /// Rebuilds the code from code lengths (0 = symbol unused); returns what is wrong with them, if
    /// anything.
    mutating func build(_ lengths: ArraySlice<UInt8>, kind: Kind) -> String? {
        for length in 0...15 { counts[length] = 0 }
        for length in lengths { counts[Int(length & 15)] += 1 }
        // Kraft's inequality, one length at a time: `left` codes of the current length remain.
        var left = 1
        var longest = 0
        for length in 1...15 {
            left = left * 2 - counts[length]
            if left < 0 { return "over-subscribed Huffman code (more codes than bit patterns)" }
            if counts[length] > 0 { longest = length }
        }
        let used = lengths.count - counts[0]
        if left > 0 {
            let allowed = kind == .symbols && (used == 0 || (used == 1 && counts[1] == 1))
            if !allowed { return "incomplete Huffman code (\(used) codes leave bit patterns unused)" }
        }
        // Canonical order: where each length's symbols start in `symbols`.
        var offsets = [Int](repeating: 0, count: 16)
        for length in 1..<15 { offsets[length + 1] = offsets[length] + counts[length] }
        symbols.removeAll(keepingCapacity: true)
        symbols.append(contentsOf: repeatElement(0, count: used))
        bits = min(max(longest, 1), HuffmanTable.maxTableBits)
        let size = 1 << bits
        entries.removeAll(keepingCapacity: true)
        entries.append(contentsOf: repeatElement(0, count: size))
        // The first code of each length (RFC 1951 3.2.2), then codes in symbol order.
        var next = [Int](repeating: 0, count: 16)
        var code = 0
        for length in 1...15 {
            let shorter = length == 1 ? 0 : counts[length - 1]  // counts[0] counts unused symbols
            code = (code + shorter) << 1
            next[length] = code
        }
        var symbol = 0
        for raw in lengths {
            let length = Int(raw & 15)
            defer { symbol += 1 }
            guard length > 0 else { continue }
            symbols[offsets[length]] = UInt16(truncatingIfNeeded: symbol)
            offsets[length] += 1
            let value = next[length]
            next[length] += 1
            guard length <= bits else { continue }  // decoded bit by bit
            var reversed = 0
            for b in 0..<length where value & (1 << b) != 0 { reversed |= 1 << (length - 1 - b) }
            let entry = UInt16(truncatingIfNeeded: symbol << 4 | length)
            var index = reversed
            while index < size {
                entries[index] = entry
                index += 1 << length
            }
        }
        return nil
    }
}

/// The decoder's state over one stream: input bits, output position, the current codes.
struct InflateDecoder {
    private let input: UnsafeRawBufferPointer
    private let output: UnsafeMutablePointer<UInt8>?
    private let outCount: Int
    private let what: String
    private var inPos = 0
    private var outPos = 0
    /// Input bits not yet consumed, least significant first; `bitCount` of them are valid. Bits above
    /// `bitCount` may hold a copy of the byte at `inPos` (the 8-byte refill below), never anything else.
    private var bitBuffer: UInt64 = 0
    private var bitCount = 0
    private var literals = HuffmanTable()
    private var distances = HuffmanTable()
    private var codeLengths = HuffmanTable()
    private var fixed: (literals: HuffmanTable, distances: HuffmanTable)?

    init(input: UnsafeRawBufferPointer, output: UnsafeMutableRawBufferPointer, what: String) {
        self.input = input
        self.output = output.baseAddress?.assumingMemoryBound(to: UInt8.self)
        self.outCount = output.count
        self.what = what
    }

    private static let lengthBase: [Int] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51,
                                            59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4,
                                             5, 5, 5, 5, 0]
    private static let distanceBase: [Int] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385,
                                              513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385,
                                              24577]
    private static let distanceExtra: [Int] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10,
                                               10, 11, 11, 12, 12, 13, 13]
    /// The order in which a dynamic block lists the code-length code's lengths.
    private static let codeLengthOrder: [Int] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    mutating func run() throws {
        var final = 0
        repeat {
            final = try bits(1)
            switch try bits(2) {
            case 0: try storedBlock()
            case 1: try fixedBlock()
            case 2: try dynamicBlock()
            default: throw corrupt("reserved block type 3")
            }
        } while final == 0
        // Bytes after the final block are not looked at, as zlib and Python's zipfile do not.
        guard outPos == outCount else {
            throw InputError.format("\(what): the deflate stream ends after \(outPos) bytes, but the zip "
                + "directory declares \(outCount)")
        }
    }

    // MARK: Bits

    private func corrupt(_ reason: String) -> InputError {
        let byte = max(0, inPos - bitCount / 8)
        return InputError.format("\(what): corrupt deflate stream: \(reason) (at input byte \(byte) of \(input.count))")
    }

    private func truncated() -> InputError {
        InputError.format("\(what): truncated deflate stream (\(input.count) bytes end in the middle of a block)")
    }

    private func tooLong() -> InputError {
        InputError.format("\(what): the deflate stream inflates to more than the \(outCount) bytes the zip "
            + "directory declares")
    }

    /// Tops the bit buffer up to at least 56 bits, or to whatever input is left.
    @inline(__always)
    private mutating func refill() {
        if input.count - inPos >= 8 {
            // Eight bytes at once; the bytes that do not fit whole stay unconsumed and are loaded again.
            bitBuffer |= input.loadUnaligned(fromByteOffset: inPos, as: UInt64.self).littleEndian << UInt64(bitCount)
            inPos += (63 - bitCount) >> 3
            bitCount |= 56
        } else {
            while bitCount <= 56 && inPos < input.count {
                bitBuffer |= UInt64(input[inPos]) << UInt64(bitCount)
                inPos += 1
                bitCount += 8
            }
        }
    }

    /// The next `n` (at most 16) bits as an integer, first bit least significant.
    @inline(__always)
    private mutating func bits(_ n: Int) throws -> Int {
        if bitCount < n {
            refill()
            guard bitCount >= n else { throw truncated() }
        }
        let value = Int(truncatingIfNeeded: bitBuffer & ((1 << UInt64(n)) &- 1))
        bitBuffer >>= UInt64(n)
        bitCount -= n
        return value
    }

    /// The next symbol of `code`, whose lookup table is `table` (2^code.bits entries).
    @inline(__always)
    private mutating func decode(_ table: UnsafeBufferPointer<UInt16>, _ code: HuffmanTable) throws -> Int {
        if bitCount < code.bits { refill() }
        let entry = Int(table[Int(truncatingIfNeeded: bitBuffer) & (table.count - 1)])
        let length = entry & 15
        guard length != 0, length <= bitCount else { return try decodeLong(code) }
        bitBuffer >>= UInt64(length)
        bitCount -= length
        return entry >> 4
    }

    /// A code the table does not hold (longer than its bits), or no code, or the end of the input.
    private mutating func decodeLong(_ table: HuffmanTable) throws -> Int {
        if bitCount < 15 { refill() }
        // Canonical decoding: `first` is the first code of the current length, `index` its symbols' start.
        var code = 0
        var first = 0
        var index = 0
        for length in 1...15 {
            guard length <= bitCount else { throw truncated() }
            code |= Int(truncatingIfNeeded: (bitBuffer >> UInt64(length - 1)) & 1)
            let count = table.counts[length]
            if code - first < count {
                bitBuffer >>= UInt64(length)
                bitCount -= length
                return Int(table.symbols[index + code - first])
            }
            index += count
            first = (first + count) << 1
            code <<= 1
        }
        throw corrupt("a bit pattern that is no code of the block's Huffman code")
    }

    // MARK: Blocks

    private mutating func storedBlock() throws {
        // LEN and NLEN start at the next byte boundary.
        bitBuffer >>= UInt64(bitCount & 7)
        bitCount -= bitCount & 7
        let length = try bits(16)
        let complement = try bits(16)
        guard length == ~complement & 0xFFFF else {
            throw corrupt("stored block length \(length) does not match its complement \(complement)")
        }
        guard length <= outCount - outPos else { throw tooLong() }
        guard let output else { return }  // length is 0 here: outCount is 0
        var remaining = length
        // Whole bytes already in the bit buffer come first.
        while remaining > 0 && bitCount >= 8 {
            output[outPos] = UInt8(truncatingIfNeeded: bitBuffer)
            bitBuffer >>= 8
            bitCount -= 8
            outPos += 1
            remaining -= 1
        }
        guard remaining > 0 else { return }
        // The buffer is empty: drop the preloaded copy of the byte at inPos, then copy straight.
        bitBuffer = 0
        guard input.count - inPos >= remaining, let base = input.baseAddress else { throw truncated() }
        (output + outPos).update(from: base.assumingMemoryBound(to: UInt8.self) + inPos, count: remaining)
        inPos += remaining
        outPos += remaining
    }

    private mutating func fixedBlock() throws {
        if fixed == nil {
            // RFC 1951 3.2.6. All 288 literal/length and 32 distance patterns get codes, as the format
            // reserves them; the symbols 286, 287, 30 and 31 are refused when they occur.
            var lengths = [UInt8](repeating: 8, count: 288)
            for i in 144..<256 { lengths[i] = 9 }
            for i in 256..<280 { lengths[i] = 7 }
            var lit = HuffmanTable()
            var dist = HuffmanTable()
            _ = lit.build(lengths[...], kind: .symbols)
            _ = dist.build([UInt8](repeating: 5, count: 32)[...], kind: .symbols)
            fixed = (lit, dist)
        }
        guard let fixed else { return }
        try codes(literals: fixed.literals, distances: fixed.distances)
    }

    private mutating func dynamicBlock() throws {
        let literalCount = try bits(5) + 257
        let distanceCount = try bits(5) + 1
        let codeLengthCount = try bits(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else {
            throw corrupt("dynamic block declares \(literalCount) literal/length and \(distanceCount) distance "
                + "codes (at most 286 and 30)")
        }
        var codeLengthLengths = [UInt8](repeating: 0, count: 19)
        for i in 0..<codeLengthCount {
            codeLengthLengths[InflateDecoder.codeLengthOrder[i]] = UInt8(try bits(3))
        }
        if let problem = codeLengths.build(codeLengthLengths[...], kind: .codeLengths) {
            throw corrupt("code-length code: \(problem)")
        }
        let total = literalCount + distanceCount
        var lengths = [UInt8](repeating: 0, count: total)
        let code = codeLengths
        try code.entries.withUnsafeBufferPointer { codeLengthTable in
            var i = 0
            while i < total {
                let symbol = try decode(codeLengthTable, code)
                if symbol < 16 {
                    lengths[i] = UInt8(symbol)
                    i += 1
                    continue
                }
                var value: UInt8 = 0
                let repeatCount: Int
                switch symbol {
                case 16:
                    guard i > 0 else { throw corrupt("code length 16 (repeat the previous) comes first") }
                    value = lengths[i - 1]
                    repeatCount = 3 + (try bits(2))
                case 17: repeatCount = 3 + (try bits(3))
                default: repeatCount = 11 + (try bits(7))
                }
                guard repeatCount <= total - i else {
                    throw corrupt("code lengths repeat past the \(total) codes the block declares")
                }
                for j in i..<(i + repeatCount) { lengths[j] = value }
                i += repeatCount
            }
        }
        guard lengths[256] != 0 else { throw corrupt("dynamic block has no end-of-block code") }
        if let problem = literals.build(lengths[0..<literalCount], kind: .symbols) {
            throw corrupt("literal/length code: \(problem)")
        }
        if let problem = distances.build(lengths[literalCount...], kind: .symbols) {
            throw corrupt("distance code: \(problem)")
        }
        try codes(literals: literals, distances: distances)
    }

    /// The symbols of a Huffman-coded block, up to its end-of-block code.
    private mutating func codes(literals: HuffmanTable, distances: HuffmanTable) throws {
        // `literals` and `distances` are copies (sharing storage) of the decoder's tables: the loop can
        // hold their pointers while it mutates the decoder.
        try literals.entries.withUnsafeBufferPointer { literalTable in
            try distances.entries.withUnsafeBufferPointer { distanceTable in
                while true {
                    let symbol = try decode(literalTable, literals)
                    if symbol < 256 {
                        guard outPos < outCount, let output else { throw tooLong() }
                        output[outPos] = UInt8(truncatingIfNeeded: symbol)
                        outPos += 1
                        continue
                    }
                    if symbol == 256 { return }
                    let lengthIndex = symbol - 257
                    guard lengthIndex < 29 else { throw corrupt("invalid length symbol \(symbol)") }
                    let length = InflateDecoder.lengthBase[lengthIndex]
                        + (try bits(InflateDecoder.lengthExtra[lengthIndex]))
                    let distanceSymbol = try decode(distanceTable, distances)
                    guard distanceSymbol < 30 else { throw corrupt("invalid distance symbol \(distanceSymbol)") }
                    let distance = InflateDecoder.distanceBase[distanceSymbol]
                        + (try bits(InflateDecoder.distanceExtra[distanceSymbol]))
                    guard distance <= outPos else {
                        throw corrupt("distance \(distance) reaches before the start of the output "
                            + "(\(outPos) bytes written)")
                    }
                    guard length <= outCount - outPos, let output else { throw tooLong() }
                    let to = output + outPos
                    let from = to - distance
                    if distance >= length {
                        to.update(from: from, count: length)
                    } else {
                        // Overlapping copy (a run): each byte may be one this copy just wrote.
                        for k in 0..<length { to[k] = from[k] }
                    }
                    outPos += length
                }
            }
        }
    }
}
