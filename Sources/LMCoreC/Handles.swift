#if canImport(Glibc)
import Glibc
#endif
import CLMCore
import LMCore

/// The object behind an `lmcore_model *`.
final class ModelHandle {
    let model: Model
    /// C strings the model hands out (model_type, compute_type), alive as long as the handle.
    let modelType: UnsafeMutablePointer<CChar>
    let computeType: UnsafeMutablePointer<CChar>
    /// The model's tokenizer as a borrowed `lmcore_tokenizer *`.
    let tokenizer: TokenizerHandle?

    init(model: Model) {
        self.model = model
        modelType = strdup(model.info.modelType)
        computeType = strdup(model.info.computeType)
        tokenizer = model.tokenizer.map { TokenizerHandle($0, borrowed: true) }
    }

    deinit {
        free(modelType)
        free(computeType)
    }
}

/// The object behind an `lmcore_tokenizer *`. A borrowed one (the model's) ignores
/// lmcore_tokenizer_free, so a mistaken free cannot release the model's tokenizer.
final class TokenizerHandle {
    let tokenizer: any TextTokenizer
    let borrowed: Bool

    init(_ tokenizer: any TextTokenizer, borrowed: Bool) {
        self.tokenizer = tokenizer
        self.borrowed = borrowed
    }
}

/// The object behind an `lmcore_result *`: per input, its hypotheses with ids (and texts when
/// the call produced text), kept in memory the getters can point into.
final class ResultHandle {
    struct Entry {
        let ids: UnsafeMutableBufferPointer<Int32>
        let score: Float
        let tokenScores: UnsafeMutableBufferPointer<Float>?
        let text: UnsafeMutablePointer<CChar>?
    }
    let inputs: [[Entry]]

    convenience init(_ translations: [[Translation]]) {
        self.init(translations.map { $0.map { Hypothesis(ids: $0.ids, score: $0.score, tokenLogProbs: $0.tokenLogProbs) } },
                  texts: translations.map { $0.map(\.text) })
    }

    /// Scoring results: one "hypothesis" per input holding the target, its total and per-token scores.
    convenience init(scoredTargets targets: [[Int32]], scores: [SequenceScore]) {
        self.init(zip(targets, scores).map { [Hypothesis(ids: $0, score: $1.total, tokenLogProbs: $1.tokenLogProbs)] })
    }

    init(_ hypotheses: [[Hypothesis]], texts: [[String]]? = nil) {
        inputs = hypotheses.enumerated().map { i, hyps in
            hyps.enumerated().map { j, h in
                let ids = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(1, h.ids.count))
                _ = ids.initialize(from: h.ids)
                var tokenScores: UnsafeMutableBufferPointer<Float>? = nil
                if let t = h.tokenLogProbs {
                    let b = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, t.count))
                    _ = b.initialize(from: t)
                    tokenScores = UnsafeMutableBufferPointer(rebasing: b[0..<t.count])
                }
                let text = texts.map { strdup($0[i][j]) } ?? nil
                return Entry(ids: UnsafeMutableBufferPointer(rebasing: ids[0..<h.ids.count]),
                             score: h.score ?? .nan, tokenScores: tokenScores, text: text)
            }
        }
    }

    deinit {
        for hyps in inputs {
            for e in hyps {
                UnsafeMutableRawPointer(e.ids.baseAddress)?.deallocate()
                UnsafeMutableRawPointer(e.tokenScores?.baseAddress)?.deallocate()
                free(e.text)
            }
        }
    }

    func entry(_ i: Int, _ j: Int) throws(LMCoreError) -> Entry {
        guard i >= 0, i < inputs.count else {
            throw LMCoreError(.invalidArgument, "input index \(i) is out of range (\(inputs.count) inputs)")
        }
        guard j >= 0, j < inputs[i].count else {
            throw LMCoreError(.invalidArgument, "hypothesis index \(j) is out of range (\(inputs[i].count) "
                + "hypotheses for input \(i))")
        }
        return inputs[i][j]
    }
}

/// Opaque-pointer conversions. A handle is retained once when handed out and released by _free.
enum Handles {
    static func retain<T: AnyObject>(_ object: T) -> OpaquePointer {
        OpaquePointer(Unmanaged.passRetained(object).toOpaque())
    }

    static func borrow<T: AnyObject>(_ pointer: OpaquePointer?, as: T.Type, name: String) throws(LMCoreError) -> T {
        guard let pointer else { throw nullArgument(name) }
        return Unmanaged<T>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue()
    }

    static func release<T: AnyObject>(_ pointer: OpaquePointer?, as: T.Type) {
        guard let pointer else { return }
        Unmanaged<T>.fromOpaque(UnsafeRawPointer(pointer)).release()
    }
}
