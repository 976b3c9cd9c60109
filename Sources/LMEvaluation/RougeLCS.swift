// Follows rouge-score 0.1.2 rouge_scorer.py: _summary_level_lcs, _union_lcs, _find_union, lcs_ind,
// _lcs_table and _backtrack_norec (ROUGE-Lsum). The LCS that the backtrack reads out depends on
// its tie-break, so the same table values and the same walk are reproduced exactly.

extension Rouge {
    /// _summary_level_lcs: for each reference sentence, the union of its LCS positions with every
    /// candidate sentence; hits are capped by the token counts on both sides (ROUGE 1.5.5).
    static func summaryLevelLCS(reference: [[Int]], candidate: [[Int]]) -> RougeScore {
        guard !reference.isEmpty, !candidate.isEmpty else { return .zero }
        let m = reference.reduce(0) { $0 + $1.count }
        let n = candidate.reduce(0) { $0 + $1.count }
        guard m > 0, n > 0 else { return .zero }
        var referenceCounts: [Int: Int] = [:]
        var candidateCounts: [Int: Int] = [:]
        for sentence in reference { for t in sentence { referenceCounts[t, default: 0] += 1 } }
        for sentence in candidate { for t in sentence { candidateCounts[t, default: 0] += 1 } }

        // A candidate sentence sharing no token with a reference sentence has an empty LCS with
        // it and adds nothing to the union, so only sentences listed under its tokens are tried.
        var sentencesWithToken: [Int: [Int]] = [:]
        for (k, sentence) in candidate.enumerated() {
            for t in sentence where sentencesWithToken[t]?.last != k { sentencesWithToken[t, default: []].append(k) }
        }
        var lastVisit = [Int](repeating: -1, count: candidate.count)
        var workspace = LCSWorkspace()
        var hits = 0
        for (ri, r) in reference.enumerated() where !r.isEmpty {
            var inUnion = [Bool](repeating: false, count: r.count)
            for t in r {
                for k in sentencesWithToken[t] ?? [] where lastVisit[k] != ri {
                    lastVisit[k] = ri
                    workspace.markLCS(r, candidate[k], into: &inUnion)
                }
            }
            // The union's tokens in reference order, as sorted(set().union(...)).
            for (index, t) in r.enumerated() where inUnion[index] {
                if let cc = candidateCounts[t], cc > 0, let rc = referenceCounts[t], rc > 0 {
                    hits += 1
                    candidateCounts[t] = cc - 1
                    referenceCounts[t] = rc - 1
                }
            }
        }
        let recall = Double(hits) / Double(m)
        let precision = Double(hits) / Double(n)
        return RougeScore(precision: precision, recall: recall, fmeasure: fmeasure(precision, recall))
    }

    /// Buffers reused across the sentence pairs of one score.
    struct LCSWorkspace {
        private var table: [UInt32] = []
        private var checkpoints: [UInt32] = []
        private var rows2: [UInt32] = []

        /// Tables up to this many cells are kept whole, as rouge-score does (64 MiB of UInt32).
        private static let wholeTableCells = 1 << 24

        /// lcs_ind: marks in `inUnion` the positions in `ref` of the LCS that _backtrack_norec
        /// reads out of the table of `ref` (rows) against `can` (columns).
        ///
        /// The walk only moves up, so it needs rows in decreasing order. Small tables are filled
        /// whole. For large ones, every `block`-th row is kept and each block is refilled from
        /// its checkpoint when the walk enters it: memory near 2 * sqrt(rows) rows instead of
        /// rows, for filling the table twice.
        mutating func markLCS(_ ref: [Int], _ can: [Int], into inUnion: inout [Bool]) {
            let rows = ref.count, cols = can.count
            guard rows > 0, cols > 0 else { return }
            let width = cols + 1
            let (cells, overflow) = (rows + 1).multipliedReportingOverflow(by: width)
            let block = !overflow && cells <= Self.wholeTableCells ? rows : max(Int(Double(rows).squareRoot()), 1)

            // checkpoints holds rows 0, block, 2 * block, ... below rows, one after another.
            let stored = (rows - 1) / block + 1
            Self.resize(&checkpoints, to: stored * width)
            for j in 0..<width { checkpoints[j] = 0 }
            if stored > 1 {
                // Two rows, alternating, for the pass that only keeps checkpoints.
                Self.resize(&rows2, to: 2 * width)
                for j in 0..<width { rows2[j] = 0 }
                for k in 1..<((stored - 1) * block + 1) {
                    let at = (k % 2) * width
                    Self.fill(&rows2, at: at, aboveAt: width - at, token: ref[k - 1], can)
                    if k % block == 0 {
                        let to = (k / block) * width
                        for j in 0..<width { checkpoints[to + j] = rows2[at + j] }
                    }
                }
            }

            var blockStart = -1
            var ri = rows, cj = cols
            while ri > 0 && cj > 0 {
                if ref[ri - 1] == can[cj - 1] {
                    inUnion[ri - 1] = true
                    ri -= 1
                    cj -= 1
                    continue
                }
                // Rows ri - 1 and ri lie in [base, base + block], base being a checkpoint.
                let base = ((ri - 1) / block) * block
                if base != blockStart {
                    blockStart = base
                    let last = min(base + block, rows)
                    Self.resize(&table, to: (last - base + 1) * width)
                    let from = (base / block) * width
                    for j in 0..<width { table[j] = checkpoints[from + j] }
                    for k in (base + 1)..<(last + 1) {
                        let at = (k - base) * width
                        Self.fill(&table, at: at, aboveAt: at - width, token: ref[k - 1], can)
                    }
                }
                let here = (ri - base) * width
                if table[here + cj - 1] > table[here - width + cj] { cj -= 1 } else { ri -= 1 }
            }
        }

        private static func resize(_ buffer: inout [UInt32], to count: Int) {
            if buffer.count < count { buffer.append(contentsOf: repeatElement(0, count: count - buffer.count)) }
        }

        /// One row of _lcs_table (at `at` in `t`) from the row above it (at `aboveAt`). Lengths
        /// are bounded by the sentence length, far below UInt32's range for any that fits in memory.
        private static func fill(_ t: inout [UInt32], at: Int, aboveAt: Int, token: Int, _ can: [Int]) {
            t[at] = 0
            for j in stride(from: 1, through: can.count, by: 1) {
                t[at + j] = token == can[j - 1] ? t[aboveAt + j - 1] &+ 1 : max(t[aboveAt + j], t[at + j - 1])
            }
        }
    }
}
