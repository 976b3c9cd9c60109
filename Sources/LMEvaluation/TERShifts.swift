// Follows sacrebleu 2.6.0 metrics/lib_ter.py (a port of tercom 0.7.25's shift search with a beam
// edit distance). The limits, tie-breaking and quirks below are sacrebleu's: scores depend on them.

extension TER {
    /// `translation_edit_rate` over words interned as integers.
    enum EditRate {
        // Tercom-inspired limits.
        private static let maxShiftSize = 10
        private static let maxShiftDist = 50
        fileprivate static let beamWidth = 25
        // sacrebleu's own limit; it counts candidates over all shift rounds of one hypothesis/reference pair.
        private static let maxShiftCandidates = 1000

        /// (number of edits including shifts, reference length).
        static func compute(hypothesis: [Int], reference: [Int]) -> (edits: Int, referenceLength: Int) {
            if reference.isEmpty { return (hypothesis.count, 0) }
            // Shifts keep the hypothesis length, so one band layout serves every candidate.
            var distance = BeamEditDistance(reference: reference, hypothesisLength: hypothesis.count)
            var shifts = 0
            var words = hypothesis
            var checked = 0
            while true {
                let (delta, shifted) = bestShift(words, reference, &distance, &checked)
                // sacrebleu drops the round that crossed the candidate limit, even if it improved.
                if checked >= maxShiftCandidates || delta <= 0 { break }
                shifts += 1
                words = shifted
            }
            return (shifts + distance.distance(words), reference.count)
        }

        /// `_shift`: the shift that reduces the edit distance the most, ranked as Tercom does.
        private static func bestShift(_ h: [Int], _ r: [Int], _ distance: inout BeamEditDistance,
                                      _ checked: inout Int) -> (delta: Int, words: [Int]) {
            let preScore = distance.distance(h)
            // The trace rewrites the hypothesis into the reference; the alignment wants the inverse,
            // i.e. insertions and deletions swapped.
            let trace = distance.trace()
            let nH = h.count, nR = r.count
            var align = [Int](repeating: Int.min, count: nR)  // Int.min: reference position not aligned
            var hypErr = [Int](repeating: 0, count: nH + 1)  // prefix sums of error flags
            var refErr = [Int](repeating: 0, count: nR + 1)
            var posH = -1, posR = -1
            for op in trace {
                switch op {
                case BeamEditDistance.opNop, BeamEditDistance.opSub:
                    let e = op == BeamEditDistance.opSub ? 1 : 0
                    posH += 1; posR += 1
                    if posR < nR { align[posR] = posH; refErr[posR + 1] = e }
                    if posH < nH { hypErr[posH + 1] = e }
                case BeamEditDistance.opDel:  // flipped: an insertion consumes a hypothesis word
                    posH += 1
                    if posH < nH { hypErr[posH + 1] = 1 }
                case BeamEditDistance.opIns:  // flipped: a deletion consumes a reference word
                    posR += 1
                    if posR < nR { align[posR] = posH; refErr[posR + 1] = 1 }
                default:
                    break
                }
            }
            for i in 0..<nH { hypErr[i + 1] += hypErr[i] }
            for i in 0..<nR { refErr[i + 1] += refErr[i] }

            var best: (key: (Int, Int, Int, Int), words: [Int])? = nil

            /// Evaluates the shift targets of one matching pair; false when the pair is filtered out
            /// (sacrebleu only tests the candidate limit after pairs that reach the target loop).
            func tryPair(_ startH: Int, _ startR: Int, _ length: Int) -> Bool {
                // Only shift words that are wrong in the hypothesis to where the reference is unmatched.
                if hypErr[startH + length] - hypErr[startH] == 0 { return false }
                if refErr[startR + length] - refErr[startR] == 0 { return false }
                let aligned = align[startR]
                if startH <= aligned && aligned < startH + length { return false }
                var previous = -1
                for offset in -1..<length {
                    let idx: Int
                    if startR + offset == -1 {
                        idx = 0
                    } else if startR + offset < nR && align[startR + offset] != Int.min {
                        // Unlike Tercom, which inserts after the index, sacrebleu inserts before it.
                        idx = align[startR + offset] + 1
                    } else {
                        break
                    }
                    if idx == previous { continue }
                    previous = idx
                    let shifted = performShift(h, startH, length, idx)
                    let key = (preScore - distance.distance(shifted), length, -startH, -idx)
                    checked += 1
                    // A tie on all four keys means the same shift, so the later one is never taken.
                    if best.map({ key > $0.key }) ?? true { best = (key, shifted) }
                }
                return true
            }

            search: for startH in 0..<nH {
                let lowR = max(0, startH - maxShiftDist), highR = min(nR - 1, startH + maxShiftDist)
                if lowR > highR { continue }
                for startR in lowR...highR {
                    // `_find_shifted_pairs` yields every prefix length of a match separately.
                    var length = 0
                    while length < maxShiftSize && h[startH + length] == r[startR + length] {
                        length += 1
                        if tryPair(startH, startR, length) && checked >= maxShiftCandidates { break search }
                        if nH == startH + length || nR == startR + length { break }
                    }
                }
            }

            guard let found = best else { return (0, h) }
            return (found.key.0, found.words)
        }

        /// `_perform_shift`, including its Python slice clamping when the target lies inside the block.
        private static func performShift(_ w: [Int], _ start: Int, _ length: Int, _ target: Int) -> [Int] {
            func slice(_ a: Int, _ b: Int) -> ArraySlice<Int> {
                let lo = min(max(a, 0), w.count), hi = min(max(b, 0), w.count)
                return lo < hi ? w[lo..<hi] : []
            }
            var out: [Int] = []
            out.reserveCapacity(w.count)
            if target < start {
                out += slice(0, target); out += slice(start, start + length)
                out += slice(target, start); out += slice(start + length, w.count)
            } else if target > start + length {
                out += slice(0, start); out += slice(start + length, target)
                out += slice(start, start + length); out += slice(target, w.count)
            } else {
                out += slice(0, start); out += slice(start + length, length + target)
                out += slice(start, start + length); out += slice(length + target, w.count)
            }
            return out
        }
    }

    /// `BeamEditDistance`: Levenshtein distance restricted to a band around the (length-ratio)
    /// diagonal, with the last row complete. sacrebleu caches rows by hypothesis prefix; rows depend
    /// only on that prefix, so keeping the rows of the previous call and recomputing after the common
    /// prefix gives the same results. Only the band is stored: cells outside it are "infinite" in
    /// sacrebleu and never written.
    fileprivate struct BeamEditDistance {
        static let opNop: UInt8 = 0, opSub: UInt8 = 1, opIns: UInt8 = 2, opDel: UInt8 = 3, opUndef: UInt8 = 4
        static let infinity = 10_000_000_000_000_000  // sacrebleu's int(1e16)

        private let reference: [Int]
        private let rows: Int  // hypothesis length
        private var low: [Int], high: [Int], rowStart: [Int]
        private var cost: [Int]
        private var op: [UInt8]
        private var stored: [Int] = []  // hypothesis whose rows are in `cost`/`op`

        init(reference: [Int], hypothesisLength n: Int) {
            self.reference = reference
            rows = n
            let nR = reference.count
            low = [0]; high = [nR + 1]; rowStart = [0]
            var total = nR + 1
            if n > 0 {
                let ratio = Double(nR) / Double(n)
                // Very unequal lengths would leave consecutive bands without overlap.
                var beam = EditRate.beamWidth
                if Double(beam) < ratio / 2 {
                    // ceil() by hand: the values are non-negative and small, and this keeps libm out.
                    let x = ratio / 2 + Double(EditRate.beamWidth)
                    beam = Int(x) + (Double(Int(x)) < x ? 1 : 0)
                }
                for i in 1...n {
                    let diagonal = Int(Double(i) * ratio)  // floor of a non-negative value
                    let lo = max(0, diagonal - beam)
                    let hi = i == n ? nR + 1 : min(nR + 1, diagonal + beam)
                    low.append(lo); high.append(max(lo, hi)); rowStart.append(total)
                    total += max(lo, hi) - lo
                }
            }
            cost = [Int](repeating: Self.infinity, count: total)
            op = [UInt8](repeating: Self.opUndef, count: total)
            for j in 0...nR { cost[j] = j; op[j] = Self.opIns }
        }

        @inline(__always)
        private func cell(_ i: Int, _ j: Int) -> (cost: Int, op: UInt8) {
            guard j >= low[i] && j < high[i] else { return (Self.infinity, Self.opUndef) }
            let k = rowStart[i] + j - low[i]
            return (cost[k], op[k])
        }

        /// Edit distance from `h` (of the length given at init) to the reference.
        mutating func distance(_ h: [Int]) -> Int {
            var common = 0
            let limit = min(h.count, stored.count, rows)
            while common < limit && h[common] == stored[common] { common += 1 }
            if common < rows {
                for i in (common + 1)...rows { computeRow(i, word: h[i - 1]) }
            }
            stored = h
            return cell(rows, reference.count).cost
        }

        private mutating func computeRow(_ i: Int, word: Int) {
            let lo = low[i], hi = high[i], previousLow = low[i - 1], previousHigh = high[i - 1]
            let current = rowStart[i] - lo, previous = rowStart[i - 1] - previousLow
            let infinity = Self.infinity
            var left = infinity  // cell (i, j - 1): outside the band at j == lo
            // cell (i - 1, j - 1), carried over from the previous column's `up`
            var diagonal = lo >= 1 && lo - 1 >= previousLow && lo - 1 < previousHigh ? cost[previous + lo - 1] : infinity
            for j in lo..<hi {
                let up = j >= previousLow && j < previousHigh ? cost[previous + j] : infinity
                var best = infinity, bestOp = Self.opUndef
                if j == 0 {
                    best = up + 1; bestOp = Self.opDel
                } else {
                    // Tercom prefers match/substitution, then insertion, then deletion; sacrebleu swaps
                    // the last two because the trace is flipped before aligning.
                    let match = word == reference[j - 1]
                    if best > diagonal + (match ? 0 : 1) { best = diagonal + (match ? 0 : 1); bestOp = match ? Self.opNop : Self.opSub }
                    if best > up + 1 { best = up + 1; bestOp = Self.opDel }
                    if best > left + 1 { best = left + 1; bestOp = Self.opIns }
                }
                cost[current + j] = best
                op[current + j] = bestOp
                left = best
                diagonal = up
            }
        }

        /// Operations of the last `distance` call, first to last. Every finite cell points to a
        /// computed one, so the undefined case (an exception in sacrebleu) cannot occur; it stops the walk.
        func trace() -> [UInt8] {
            var ops: [UInt8] = []
            var i = rows, j = reference.count
            walk: while i > 0 || j > 0 {
                let o = cell(i, j).op
                ops.append(o)
                switch o {
                case Self.opNop, Self.opSub: i -= 1; j -= 1
                case Self.opIns: j -= 1
                case Self.opDel: i -= 1
                default: break walk
                }
            }
            return ops.reversed()
        }
    }
}
