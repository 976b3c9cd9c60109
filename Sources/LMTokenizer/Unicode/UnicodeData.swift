/// Unicode properties and mappings exactly as HF tokenizers sees them, decoded once from the
/// generated `UnicodeTables` (see Tests/Generator/gen_unicode_tables.py). Basic Multilingual
/// Plane lookups are direct table reads; other planes binary-search range lists.
struct UnicodeData: Sendable {
    static let shared = UnicodeData()

    struct Property: OptionSet, Sendable {
        let rawValue: UInt16
        static let whiteSpace = Property(rawValue: 1 << 0)
        static let other = Property(rawValue: 1 << 1)
        static let nonspacingMark = Property(rawValue: 1 << 2)
        static let combiningMark = Property(rawValue: 1 << 3)
        static let punctuation = Property(rawValue: 1 << 4)
        static let numeric = Property(rawValue: 1 << 5)
        static let word = Property(rawValue: 1 << 6)
        static let hasCanonical = Property(rawValue: 1 << 7)
        static let hasCompatibility = Property(rawValue: 1 << 8)
        static let hasLowercase = Property(rawValue: 1 << 9)
        static let compositionSecond = Property(rawValue: 1 << 10)
    }

    private struct RangeList: Sendable {
        var lows: [UInt32] = []
        var highs: [UInt32] = []
        var values: [UInt32] = []

        func value(_ cp: UInt32) -> UInt32? {
            var lo = 0, hi = lows.count
            while lo < hi {
                let mid = (lo + hi) >> 1
                if highs[mid] < cp { lo = mid + 1 } else { hi = mid }
            }
            return lo < lows.count && lows[lo] <= cp ? values[lo] : nil
        }
    }

    private var bmpProperties: [UInt16]
    private var bmpCombiningClass: [UInt8]
    private var bmpScript: [UInt8]
    private var astralProperties: [(Property, RangeList)] = []
    private var astralCombiningClass = RangeList()
    private var astralScript = RangeList()
    private var astralMappingFlags: [UInt32: Property] = [:]
    private var canonical: [UInt32: (Int, Int)] = [:]
    private var compatibility: [UInt32: (Int, Int)] = [:]
    private var lowercaseMap: [UInt32: (Int, Int)] = [:]
    private var storage: [UInt32] = []
    private var compositions: [UInt64: UInt32] = [:]

    private init() {
        bmpProperties = [UInt16](repeating: 0, count: 0x10000)
        bmpCombiningClass = [UInt8](repeating: 0, count: 0x10000)
        bmpScript = [UInt8](repeating: 0, count: 0x10000)
        let props: [(Property, String)] = [
            (.whiteSpace, UnicodeTables.whiteSpace), (.other, UnicodeTables.other),
            (.nonspacingMark, UnicodeTables.nonspacingMark), (.combiningMark, UnicodeTables.combiningMark),
            (.punctuation, UnicodeTables.punctuation), (.numeric, UnicodeTables.numeric),
            (.word, UnicodeTables.word),
        ]
        for (prop, table) in props {
            var astral = RangeList()
            for fields in UnicodeData.records(table) where fields.count >= 2 {
                let lo = fields[0], hi = fields[1]
                guard lo <= hi else { continue }
                if lo <= 0xFFFF {
                    for cp in lo...min(hi, 0xFFFF) { bmpProperties[Int(cp)] |= prop.rawValue }
                }
                if hi > 0xFFFF {
                    astral.lows.append(max(lo, 0x10000)); astral.highs.append(hi); astral.values.append(1)
                }
            }
            astralProperties.append((prop, astral))
        }
        for fields in UnicodeData.records(UnicodeTables.combiningClasses) where fields.count >= 3 {
            UnicodeData.fill(fields, bmp: &bmpCombiningClass, astral: &astralCombiningClass)
        }
        for fields in UnicodeData.records(UnicodeTables.scripts) where fields.count >= 3 {
            UnicodeData.fill(fields, bmp: &bmpScript, astral: &astralScript)
        }
        canonical = loadMapping(UnicodeTables.canonicalDecompositions, flag: .hasCanonical)
        compatibility = loadMapping(UnicodeTables.compatibilityDecompositions, flag: .hasCompatibility)
        lowercaseMap = loadMapping(UnicodeTables.lowercase, flag: .hasLowercase)
        for fields in UnicodeData.records(UnicodeTables.compositions) where fields.count >= 3 {
            compositions[UInt64(fields[0]) << 32 | UInt64(fields[1])] = fields[2]
            mark(fields[1], .compositionSecond)
        }
        // Hangul vowels and trailing consonants compose algorithmically.
        for cp in UInt32(0x1161)...0x1175 { mark(cp, .compositionSecond) }
        for cp in UInt32(0x11A8)...0x11C2 { mark(cp, .compositionSecond) }
    }

    private static func fill(_ fields: [UInt32], bmp: inout [UInt8], astral: inout RangeList) {
        let lo = fields[0], hi = fields[1], value = fields[2]
        guard lo <= hi else { return }
        if lo <= 0xFFFF {
            for cp in lo...min(hi, 0xFFFF) { bmp[Int(cp)] = UInt8(truncatingIfNeeded: value) }
        }
        if hi > 0xFFFF {
            astral.lows.append(max(lo, 0x10000)); astral.highs.append(hi); astral.values.append(value)
        }
    }

    private mutating func mark(_ cp: UInt32, _ flag: Property) {
        if cp <= 0xFFFF {
            bmpProperties[Int(cp)] |= flag.rawValue
        } else {
            astralMappingFlags[cp, default: []].insert(flag)
        }
    }

    private mutating func loadMapping(_ table: String, flag: Property) -> [UInt32: (Int, Int)] {
        var map: [UInt32: (Int, Int)] = [:]
        for entry in table.split(separator: ";") {
            guard let colon = entry.firstIndex(of: ":"), let key = UInt32(entry[..<colon], radix: 16) else { continue }
            let values = entry[entry.index(after: colon)...].split(separator: " ").compactMap { UInt32($0, radix: 16) }
            map[key] = (storage.count, values.count)
            storage.append(contentsOf: values)
            mark(key, flag)
        }
        return map
    }

    private static func records(_ table: String) -> [[UInt32]] {
        table.split(separator: ";").map { $0.split(separator: " ").compactMap { UInt32($0, radix: 16) } }
    }

    // MARK: Lookups

    @inline(__always)
    func has(_ cp: UInt32, _ prop: Property) -> Bool {
        if cp <= 0xFFFF { return bmpProperties[Int(cp)] & prop.rawValue != 0 }
        return astralHas(cp, prop)
    }

    private func astralHas(_ cp: UInt32, _ prop: Property) -> Bool {
        if let flags = astralMappingFlags[cp], flags.contains(prop) { return true }
        for (p, list) in astralProperties where p == prop {
            return list.value(cp) != nil
        }
        return false
    }

    @inline(__always)
    func combiningClass(_ cp: UInt32) -> UInt8 {
        if cp <= 0xFFFF { return bmpCombiningClass[Int(cp)] }
        return UInt8(truncatingIfNeeded: astralCombiningClass.value(cp) ?? 0)
    }

    /// HF UnicodeScripts class (0 = "Any": never splits).
    @inline(__always)
    func scriptClass(_ cp: UInt32) -> UInt32 {
        if cp <= 0xFFFF { return UInt32(bmpScript[Int(cp)]) }
        return astralScript.value(cp) ?? 0
    }

    /// Appends the full decomposition of `cp` (itself if none), as unicode-normalization does.
    @inline(__always)
    func decompose(_ cp: UInt32, compatibility compat: Bool, into body: (UInt32) -> Void) {
        if cp >= 0xAC00 && cp <= 0xD7A3 {
            // Hangul syllables: algorithmic decomposition (Unicode 3.12).
            let s = cp - 0xAC00
            body(0x1100 + s / 588)
            body(0x1161 + (s % 588) / 28)
            if s % 28 != 0 { body(0x11A7 + s % 28) }
            return
        }
        if compat && has(cp, .hasCompatibility), let (start, count) = compatibility[cp] {
            for i in start..<start + count { body(storage[i]) }
            return
        }
        if has(cp, .hasCanonical), let (start, count) = canonical[cp] {
            for i in start..<start + count { body(storage[i]) }
            return
        }
        body(cp)
    }

    /// The primary composite of `a` followed by `b`, if any.
    @inline(__always)
    func compose(_ a: UInt32, _ b: UInt32) -> UInt32? {
        guard has(b, .compositionSecond) else { return nil }
        // Hangul LV and LVT.
        if a >= 0x1100 && a <= 0x1112 && b >= 0x1161 && b <= 0x1175 {
            return 0xAC00 + ((a - 0x1100) * 21 + (b - 0x1161)) * 28
        }
        if a >= 0xAC00 && a <= 0xD7A3 && (a - 0xAC00) % 28 == 0 && b >= 0x11A8 && b <= 0x11C2 {
            return a + (b - 0x11A7)
        }
        return compositions[UInt64(a) << 32 | UInt64(b)]
    }

    /// Rust's `char::to_lowercase`.
    @inline(__always)
    func lowercase(_ cp: UInt32, into body: (UInt32) -> Void) {
        if cp < 0x80 {
            body(cp >= 0x41 && cp <= 0x5A ? cp + 32 : cp)
            return
        }
        if has(cp, .hasLowercase), let (start, count) = lowercaseMap[cp] {
            for i in start..<start + count { body(storage[i]) }
            return
        }
        body(cp)
    }
}
