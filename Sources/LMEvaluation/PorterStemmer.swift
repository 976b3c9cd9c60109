// Follows NLTK 3.10.4 nltk/stem/porter.py (mode NLTK_EXTENSIONS), the stemmer rouge-score uses.
// Python indexes a `str` by code point, so words are handled as arrays of code points, never as
// grapheme clusters; suffix rules and tie-breaks are kept in NLTK's order because the first rule
// whose suffix matches decides, even when its condition then fails.

/// The Porter stemmer as NLTK implements it in the mode rouge-score uses.
public struct PorterStemmer: Sendable {
    public init() {}

    /// NLTK's `PorterStemmer().stem(word)`: the word is lowercased as Python's `str.lower()` does,
    /// irregular forms come from NLTK's table, and words of at most two code points are only
    /// lowercased.
    public func stem(_ word: String) -> String {
        let original = Array(word.unicodeScalars)
        let lowered = PythonText.lower(original).map(\.value)
        if let irregular = Self.irregular(lowered) { return irregular }
        // NLTK tests the length of the word as given, before lowercasing.
        if original.count <= 2 { return Self.string(lowered) }
        var w = lowered
        w = Self.step1a(w)
        w = Self.step1b(w)
        w = Self.step1c(w)
        w = Self.step2(w)
        w = Self.step3(w)
        w = Self.step4(w)
        w = Self.step5a(w)
        w = Self.step5b(w)
        return Self.string(w)
    }

    // MARK: Text helpers

    /// A word as Python sees it: code point values.
    fileprivate typealias Word = [UInt32]

    private static func string(_ w: Word) -> String {
        var view = String.UnicodeScalarView()
        for v in w { if let s = Unicode.Scalar(v) { view.append(s) } }
        return String(view)
    }

    private static func ascii(_ s: StaticString) -> Word {
        var w: Word = []
        s.withUTF8Buffer { for b in $0 { w.append(UInt32(b)) } }
        return w
    }

    private static let irregularForms: [String: String] = [
        "sky": "sky", "skies": "sky", "dying": "die", "lying": "lie", "tying": "tie",
        "news": "news", "innings": "inning", "inning": "inning", "outings": "outing",
        "outing": "outing", "cannings": "canning", "canning": "canning", "howe": "howe",
        "proceed": "proceed", "exceed": "exceed", "succeed": "succeed",
    ]

    private static func irregular(_ w: Word) -> String? {
        guard (3...8).contains(w.count), w.allSatisfy({ $0 < 0x80 }) else { return nil }
        return irregularForms[string(w)]
    }

    private static func endsWith(_ w: Word, _ suffix: Word) -> Bool {
        w.count >= suffix.count && w[(w.count - suffix.count)...].elementsEqual(suffix)
    }

    private static func dropLast(_ w: Word, _ n: Int) -> Word { Array(w.prefix(max(w.count - n, 0))) }

    // MARK: Consonants and measure

    private static let a: UInt32 = 0x61, e: UInt32 = 0x65, i: UInt32 = 0x69, o: UInt32 = 0x6F
    private static let u: UInt32 = 0x75, y: UInt32 = 0x79

    private static func isVowelLetter(_ c: UInt32) -> Bool { c == a || c == e || c == i || c == o || c == u }

    /// `_is_consonant`: a 'y' is a consonant unless it follows a consonant; a run of 'y's
    /// alternates, resolved from the letter before the run.
    private static func isConsonant(_ w: Word, _ index: Int) -> Bool {
        var k = index
        if isVowelLetter(w[k]) { return false }
        guard w[k] == y else { return true }
        var negate = false
        while k > 0 && w[k] == y {
            negate.toggle()
            k -= 1
        }
        return !isVowelLetter(w[k]) != negate
    }

    private static func consonantFlags(_ w: Word) -> [Bool] {
        var flags: [Bool] = []
        flags.reserveCapacity(w.count)
        for (k, c) in w.enumerated() {
            if isVowelLetter(c) {
                flags.append(false)
            } else if c == y {
                flags.append(k == 0 ? true : !flags[k - 1])
            } else {
                flags.append(true)
            }
        }
        return flags
    }

    /// Porter's m: the number of vowel-to-consonant transitions ("vc" in the c/v pattern).
    private static func measure(_ w: Word) -> Int {
        var m = 0
        var previousVowel = false
        for isCons in consonantFlags(w) {
            if isCons && previousVowel { m += 1 }
            previousVowel = !isCons
        }
        return m
    }

    private static func containsVowel(_ w: Word) -> Bool { consonantFlags(w).contains(false) }

    private static func endsDoubleConsonant(_ w: Word) -> Bool {
        w.count >= 2 && w[w.count - 1] == w[w.count - 2] && isConsonant(w, w.count - 1)
    }

    /// Condition *o, with NLTK's extension that a two-letter vowel-consonant word also counts.
    private static func endsCVC(_ w: Word) -> Bool {
        let n = w.count
        if n >= 3 && isConsonant(w, n - 3) && !isConsonant(w, n - 2) && isConsonant(w, n - 1) {
            let last = w[n - 1]
            if last != 0x77 && last != 0x78 && last != y { return true }
        }
        return n == 2 && !isConsonant(w, 0) && isConsonant(w, 1)
    }

    // MARK: Rule lists

    private enum Condition { case none, positiveMeasure, measureAbove1, ionRule, logiRule }

    private struct Rule {
        var suffix: Word
        var replacement: Word
        var condition: Condition
        init(_ suffix: StaticString, _ replacement: StaticString, _ condition: Condition) {
            self.suffix = PorterStemmer.ascii(suffix)
            self.replacement = PorterStemmer.ascii(replacement)
            self.condition = condition
        }
    }

    private static func holds(_ condition: Condition, stem: Word, word: Word) -> Bool {
        switch condition {
        case .none: return true
        case .positiveMeasure: return measure(stem) > 0
        case .measureAbove1: return measure(stem) > 1
        case .ionRule:
            guard measure(stem) > 1, let last = stem.last else { return false }
            return last == 0x73 || last == 0x74
        case .logiRule:
            // NLTK keeps the 'l' of 'logi' with the stem, so short stems like 'geo' qualify.
            return measure(dropLast(word, 3)) > 0
        }
    }

    /// `_apply_rule_list` without the step 1b special rules: the first matching suffix decides.
    private static func apply(_ rules: [Rule], to w: Word) -> Word {
        for rule in rules where endsWith(w, rule.suffix) {
            let stem = dropLast(w, rule.suffix.count)
            return holds(rule.condition, stem: stem, word: w) ? stem + rule.replacement : w
        }
        return w
    }

    private static let step1aRules = [
        Rule("sses", "ss", .none), Rule("ies", "i", .none), Rule("ss", "ss", .none), Rule("s", "", .none),
    ]

    private static let step2Rules = [
        Rule("ational", "ate", .positiveMeasure), Rule("tional", "tion", .positiveMeasure),
        Rule("enci", "ence", .positiveMeasure), Rule("anci", "ance", .positiveMeasure),
        Rule("izer", "ize", .positiveMeasure), Rule("bli", "ble", .positiveMeasure),
        Rule("alli", "al", .positiveMeasure), Rule("entli", "ent", .positiveMeasure),
        Rule("eli", "e", .positiveMeasure), Rule("ousli", "ous", .positiveMeasure),
        Rule("ization", "ize", .positiveMeasure), Rule("ation", "ate", .positiveMeasure),
        Rule("ator", "ate", .positiveMeasure), Rule("alism", "al", .positiveMeasure),
        Rule("iveness", "ive", .positiveMeasure), Rule("fulness", "ful", .positiveMeasure),
        Rule("ousness", "ous", .positiveMeasure), Rule("aliti", "al", .positiveMeasure),
        Rule("iviti", "ive", .positiveMeasure), Rule("biliti", "ble", .positiveMeasure),
        Rule("fulli", "ful", .positiveMeasure), Rule("logi", "log", .logiRule),
    ]

    private static let step3Rules = [
        Rule("icate", "ic", .positiveMeasure), Rule("ative", "", .positiveMeasure),
        Rule("alize", "al", .positiveMeasure), Rule("iciti", "ic", .positiveMeasure),
        Rule("ical", "ic", .positiveMeasure), Rule("ful", "", .positiveMeasure),
        Rule("ness", "", .positiveMeasure),
    ]

    private static let step4Rules = [
        Rule("al", "", .measureAbove1), Rule("ance", "", .measureAbove1), Rule("ence", "", .measureAbove1),
        Rule("er", "", .measureAbove1), Rule("ic", "", .measureAbove1), Rule("able", "", .measureAbove1),
        Rule("ible", "", .measureAbove1), Rule("ant", "", .measureAbove1), Rule("ement", "", .measureAbove1),
        Rule("ment", "", .measureAbove1), Rule("ent", "", .measureAbove1), Rule("ion", "", .ionRule),
        Rule("ou", "", .measureAbove1), Rule("ism", "", .measureAbove1), Rule("ate", "", .measureAbove1),
        Rule("iti", "", .measureAbove1), Rule("ous", "", .measureAbove1), Rule("ive", "", .measureAbove1),
        Rule("ize", "", .measureAbove1),
    ]

    private static let ies = ascii("ies"), ied = ascii("ied"), ie = ascii("ie"), eed = ascii("eed")
    private static let ee = ascii("ee"), ed = ascii("ed"), ing = ascii("ing"), alli = ascii("alli")
    private static let al = ascii("al"), ll = ascii("ll"), starD = ascii("*d")
    private static let step1bEndings = [Rule("at", "ate", .none), Rule("bl", "ble", .none), Rule("iz", "ize", .none)]

    // MARK: Steps

    private static func step1a(_ w: Word) -> Word {
        // NLTK: 'dies' -> 'die' but 'flies' -> 'fli'.
        if endsWith(w, ies) && w.count == 4 { return dropLast(w, 3) + ie }
        return apply(step1aRules, to: w)
    }

    private static func step1b(_ w: Word) -> Word {
        // NLTK: 'died' -> 'die' but 'spied' -> 'spi'.
        if endsWith(w, ied) { return dropLast(w, 3) + (w.count == 4 ? ie : [i]) }
        if endsWith(w, eed) {
            let stem = dropLast(w, 3)
            return measure(stem) > 0 ? stem + ee : w
        }
        var intermediate: Word? = nil
        for suffix in [ed, ing] where endsWith(w, suffix) {
            let candidate = dropLast(w, suffix.count)
            if containsVowel(candidate) {
                intermediate = candidate
                break
            }
        }
        guard let stem = intermediate, let last = stem.last else { return w }
        for rule in step1bEndings where endsWith(stem, rule.suffix) {
            return dropLast(stem, rule.suffix.count) + rule.replacement
        }
        let keepsDouble = last == 0x6C || last == 0x73 || last == 0x7A
        if endsDoubleConsonant(stem) {
            return keepsDouble ? stem : dropLast(stem, 1)
        }
        // NLTK's rule list spells the double-consonant rule as the suffix "*d"; a stem that
        // literally ends in "*d" matches it as a plain suffix and becomes stem[:-2] + 'd'.
        if endsWith(stem, starD) { return dropLast(stem, 2) + [last] }
        return measure(stem) == 1 && endsCVC(stem) ? stem + [e] : stem
    }

    private static func step1c(_ w: Word) -> Word {
        // NLTK: y -> i only after a consonant that is not the whole stem ('happy', not 'enjoy'/'by').
        guard w.last == y else { return w }
        let stem = dropLast(w, 1)
        return stem.count > 1 && isConsonant(stem, stem.count - 1) ? stem + [i] : w
    }

    private static func step2(_ w: Word) -> Word {
        // NLTK applies ALLI -> AL first and then runs step 2 again on the result.
        if endsWith(w, alli) && measure(dropLast(w, 4)) > 0 { return step2(dropLast(w, 4) + al) }
        return apply(step2Rules, to: w)
    }

    private static func step3(_ w: Word) -> Word { apply(step3Rules, to: w) }

    private static func step4(_ w: Word) -> Word { apply(step4Rules, to: w) }

    private static func step5a(_ w: Word) -> Word {
        // Unlike the other steps, both E rules are tried in turn.
        guard w.last == e else { return w }
        let stem = dropLast(w, 1)
        let m = measure(stem)
        if m > 1 || (m == 1 && !endsCVC(stem)) { return stem }
        return w
    }

    private static func step5b(_ w: Word) -> Word {
        guard endsWith(w, ll) else { return w }
        return measure(dropLast(w, 1)) > 1 ? dropLast(w, 1) : w
    }
}
