#if canImport(Glibc)
import Glibc
#endif

/// Fixed sinusoidal position tables. Computed in double precision and rounded once, as the
/// reference implementations compute them in numpy/float64 (Marian) or float32 (fairseq).
/// Shapes: tables (positions, dim); one row (dim).
package enum Sinusoidal {
    /// Marian's / Pegasus's table (MarianSinusoidalPositionalEmbedding): position p, feature j:
    /// angle = p / 10000^(2·⌊j/2⌋/dim); sines of the even-j angles fill the first half,
    /// cosines of the odd-j angles the second half (not interleaved).
    package static func marian(positions: Int, dim: Int) -> FloatBuffer {
        let table = FloatBuffer(count: positions * dim)
        let sentinel = dim % 2 == 0 ? dim / 2 : dim / 2 + 1
        for p in 0..<positions {
            let row = table.pointer + p * dim
            var s = 0, c = sentinel
            for j in 0..<dim {
                let angle = Double(p) / pow(10000, Double(2 * (j / 2)) / Double(dim))
                if j % 2 == 0 {
                    row[s] = Float(sin(angle)); s += 1
                } else {
                    row[c] = Float(cos(angle)); c += 1
                }
            }
        }
        return table
    }

    /// fairseq's table (M2M100SinusoidalPositionalEmbedding.get_embedding): half = dim/2,
    /// freq_i = exp(-i · ln(10000)/(half - 1)), row p = [sin(p·freq), cos(p·freq)] (+ a zero
    /// column when dim is odd); the row `paddingIndex` is zero. Computed in float32 like torch.
    package static func fairseq(positions: Int, dim: Int, paddingIndex: Int?) -> FloatBuffer {
        let table = FloatBuffer(count: positions * dim)
        let freqs = fairseqFrequencies(dim: dim)
        for p in 0..<positions {
            fairseqRow(p, frequencies: freqs, dim: dim, into: table.pointer + p * dim)
        }
        if let paddingIndex, paddingIndex >= 0, paddingIndex < positions {
            (table.pointer + paddingIndex * dim).update(repeating: 0, count: dim)
        }
        return table
    }

    /// The `dim / 2` frequencies of fairseq's table.
    package static func fairseqFrequencies(dim: Int) -> [Float] {
        let half = dim / 2
        let step: Float = half > 1 ? Float(log(10000.0) / Double(half - 1)) : 0
        return (0..<half).map { expf(Float($0) * -step) }
    }

    /// Row `position` of fairseq's table (never the zeroed padding row), written to `row`
    /// (`dim` floats). M2M100 grows its table on demand, so rows past a precomputed table are
    /// made with this; a row does not depend on the table's size.
    package static func fairseqRow(_ position: Int, frequencies: [Float], dim: Int,
                                  into row: UnsafeMutablePointer<Float>) {
        let half = frequencies.count
        row.update(repeating: 0, count: dim)
        for i in 0..<half {
            let angle = Float(position) * frequencies[i]
            row[i] = sinf(angle)
            row[half + i] = cosf(angle)
        }
    }
}
