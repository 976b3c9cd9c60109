// Follows sacrebleu 2.6.0 metrics/bleu.py (BLEU.compute_bleu, _extract_reference_info,
// _compute_segment_statistics, _get_closest_ref_len) and metrics/helpers.py
// (extract_all_word_ngrams).

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// BLEU's smoothing methods (Chen and Cherry 2014), as sacrebleu names them.
public enum BLEUSmoothing: String, Sendable, CaseIterable {
    case none
    /// Method 1: zero-match precisions become `value / total` (default value 0.1).
    case floor
    /// Method 2: add `value` to counts and totals of orders above 1 (default value 1).
    case addK = "add-k"
    /// Method 3, mteval-v13a's: the k-th zero-match precision becomes 1 / (2^k total) (the default).
    case exp

    /// sacrebleu's SMOOTH_DEFAULTS.
    var defaultValue: Double? {
        switch self {
        case .floor: return 0.1
        case .addK: return 1
        case .none, .exp: return nil
        }
    }
}

/// BLEU as sacrebleu computes it: corpus statistics [hyp_len, ref_len, correct_1..n, total_1..n].
public struct BLEU: CorpusMetric {
    public var tokenizer: BLEUTokenizer
    public var lowercase: Bool
    public var smoothing: BLEUSmoothing
    /// The smoothing value for `floor` and `add-k`; nil takes the method's default.
    public var smoothValue: Double?
    /// 1...4 (sacrebleu's default, and the most an n-gram key packs).
    public var maxOrder: Int
    /// Drop n-gram orders with no hypothesis n-grams (sacrebleu enables it for sentence BLEU).
    public var effectiveOrder: Bool

    public init(tokenizer: BLEUTokenizer = .thirteenA, lowercase: Bool = false, smoothing: BLEUSmoothing = .exp,
                smoothValue: Double? = nil, maxOrder: Int = 4, effectiveOrder: Bool = false) {
        self.tokenizer = tokenizer
        self.lowercase = lowercase
        self.smoothing = smoothing
        self.smoothValue = smoothValue
        self.maxOrder = max(1, min(maxOrder, NGramKey.maxWords))
        self.effectiveOrder = effectiveOrder
    }

    public var name: String { "BLEU" }

    /// The tokens of a segment as BLEU sees them (lowercased if asked, right-stripped, tokenized).
    public func tokens(_ text: String) -> [String] {
        preprocess(text).map { String(codePoints: $0) }
    }

    func preprocess(_ text: String) -> [CodePoints] {
        var line = text.codePoints
        if lowercase { line = PythonText.lower(line) }
        return tokenizer.tokens(PythonText.rstrip(line))
    }

    /// Every word n-gram of orders 1...maxOrder, counted.
    func ngrams(_ ids: [UInt32]) -> NGramBag {
        var keys: [NGramKey] = []
        keys.reserveCapacity(ids.count * maxOrder)
        ids.withUnsafeBufferPointer { p in
            for n in 1...maxOrder where p.count >= n {
                for i in 0...(p.count - n) { keys.append(.words(p, i, n)) }
            }
        }
        return NGramBag(counting: &keys)
    }

    public func statistics(hypothesis: String, references: [String]) -> [Double] {
        var words = WordInterner()
        let hyp = preprocess(hypothesis)
        let hypNgrams = ngrams(words.ids(hyp))
        var refNgrams = NGramBag()
        var refLengths: [Int] = []
        for (k, reference) in references.enumerated() {
            let ref = preprocess(reference)
            refLengths.append(ref.count)
            let bag = ngrams(words.ids(ref))
            refNgrams = k == 0 ? bag : refNgrams.maximum(bag)
        }
        let correct = hypNgrams.matchesByWordOrder(refNgrams, orders: maxOrder).map(Double.init)
        let total = (1...maxOrder).map { Double(max(0, hyp.count - $0 + 1)) }
        return [Double(hyp.count), Double(Self.closestReferenceLength(hyp.count, refLengths))] + correct + total
    }

    /// The reference length closest to the hypothesis length; the shorter one on a tie.
    static func closestReferenceLength(_ hypLength: Int, _ refLengths: [Int]) -> Int {
        var closestDiff = -1, closestLength = -1
        for length in refLengths {
            let diff = abs(hypLength - length)
            if closestDiff == -1 || diff < closestDiff {
                closestDiff = diff
                closestLength = length
            } else if diff == closestDiff && length < closestLength {
                closestLength = length
            }
        }
        return closestLength
    }

    public func score(statistics: [Double], sentences: Int) -> Double {
        details(statistics: statistics).score
    }

    /// The score with sacrebleu's verbose parts: n-gram precisions (%), brevity penalty, lengths.
    public struct Details: Sendable {
        public var score: Double
        public var counts: [Double]
        public var totals: [Double]
        public var precisions: [Double]
        public var brevityPenalty: Double
        public var hypothesisLength: Double
        public var referenceLength: Double
        /// hyp_len / ref_len (0 without reference words).
        public var ratio: Double { referenceLength > 0 ? hypothesisLength / referenceLength : 0 }
    }

    /// compute_bleu on summed statistics.
    public func details(statistics stats: [Double]) -> Details {
        let n = maxOrder
        guard stats.count >= 2 + 2 * n else {
            return Details(score: 0, counts: [], totals: [], precisions: [], brevityPenalty: 0,
                           hypothesisLength: 0, referenceLength: 0)
        }
        var correct = Array(stats[2..<(2 + n)])
        var total = Array(stats[(2 + n)..<(2 + 2 * n)])
        let sysLength = stats[0], refLength = stats[1]
        var bp = 1.0
        if sysLength < refLength {
            bp = sysLength > 0 ? exp(1 - refLength / sysLength) : 0
        }
        var precisions = [Double](repeating: 0, count: n)
        if !correct.contains(where: { $0 != 0 }) {
            return Details(score: 0, counts: correct, totals: total, precisions: precisions, brevityPenalty: bp,
                           hypothesisLength: sysLength, referenceLength: refLength)
        }
        let value = smoothValue ?? smoothing.defaultValue ?? 0
        var smoothMteval = 1.0
        var effective = n
        for k in 1...n {
            if smoothing == .addK && k > 1 {
                correct[k - 1] += value
                total[k - 1] += value
            }
            if total[k - 1] == 0 { break }
            if effectiveOrder { effective = k }
            if correct[k - 1] == 0 {
                if smoothing == .exp {
                    smoothMteval *= 2
                    precisions[k - 1] = 100 / (smoothMteval * total[k - 1])
                } else if smoothing == .floor {
                    precisions[k - 1] = 100 * value / total[k - 1]
                }
            } else {
                precisions[k - 1] = 100 * correct[k - 1] / total[k - 1]
            }
        }
        // sacrebleu's my_log: log(0) is floored to -9999999999.
        let logSum = precisions[..<effective].reduce(0.0) { $0 + ($1 == 0 ? -9_999_999_999 : log($1)) }
        let score = bp * exp(logSum / Double(effective))
        return Details(score: score, counts: correct, totals: total, precisions: precisions, brevityPenalty: bp,
                       hypothesisLength: sysLength, referenceLength: refLength)
    }

    public func signature(references: Int) -> String {
        var smooth = smoothing.rawValue
        if let defaultValue = smoothing.defaultValue {
            smooth += "[" + formatFixed(smoothValue ?? defaultValue, digits: 2) + "]"
        }
        return "nrefs:\(references)|case:\(lowercase ? "lc" : "mixed")|eff:\(effectiveOrder ? "yes" : "no")"
            + "|tok:\(tokenizer.rawValue)|smooth:\(smooth)|version:\(sacrebleuVersion)"
    }
}
