import LMCore
import LMGeneration
import NIOConcurrencyHelpers

/// What the engine is asked to do for one request.
enum EngineOperation: Sendable {
    /// Text out: `sources` from `Model.prepareSources` under `request`.
    case translate(sources: [[Int32]], options: GenerationOptions, request: RequestOptions)
    /// Ids out.
    case generate(sources: [[Int32]], options: GenerationOptions, request: RequestOptions)
    case score(sources: [[Int32]], targets: [[Int32]])
    case embed(sources: [[Int32]])

    /// The encoder inputs, one per input of the request.
    var sources: [[Int32]] {
        switch self {
        case .translate(let s, _, _), .generate(let s, _, _), .score(let s, _), .embed(let s): return s
        }
    }

    var inputCount: Int { sources.count }

    var name: String {
        switch self {
        case .translate: return "translate"
        case .generate: return "generate"
        case .score: return "score"
        case .embed: return "embed"
        }
    }
}

/// What the engine answered.
enum EngineOutcome: Sendable {
    case translations([[Translation]])
    case hypotheses([[Hypothesis]])
    case scores([SequenceScore])
    case embeddings(EncoderEmbeddings)
}

/// One request's work, from the handler that submits it to the engine thread that runs it.
/// Finishes exactly once, with the engine's outcome or an error (timeout, the client going away,
/// shutdown): whichever comes first wins, and a finished job is skipped or, inside a running
/// batch, its share of the answers dropped.
final class EngineJob: Sendable {
    let operation: EngineOperation
    /// Whether the job may share a batch (sampled requests run alone: their draws depend on the batch).
    let batchable: Bool
    /// Streaming translate: each stable text piece, input index local to this job.
    let onText: (@Sendable (TextEvent) -> Void)?
    let submitted = ContinuousClock.now

    private enum State {
        case waiting(CheckedContinuation<EngineOutcome, any Error>?)
        case finished(Result<EngineOutcome, APIError>)
    }
    private let state = NIOLockedValueBox<State>(.waiting(nil))

    init(_ operation: EngineOperation, batchable: Bool, onText: (@Sendable (TextEvent) -> Void)? = nil) {
        self.operation = operation
        self.batchable = batchable
        self.onText = onText
    }

    var isFinished: Bool {
        state.withLockedValue { if case .finished = $0 { return true } else { return false } }
    }

    /// Sets the outcome if none is set yet; true when this call set it.
    @discardableResult
    func finish(_ result: Result<EngineOutcome, APIError>) -> Bool {
        let continuation: CheckedContinuation<EngineOutcome, any Error>?? = state.withLockedValue { s in
            guard case .waiting(let c) = s else { return .none }
            s = .finished(result)
            return .some(c)
        }
        guard case .some(let waiter) = continuation else { return false }
        waiter?.resume(with: result.mapError { $0 as any Error })
        return true
    }

    /// Waits for the outcome; a cancelled task finishes the job as abandoned.
    func outcome() async throws -> EngineOutcome {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<EngineOutcome, any Error>) in
                let ready: Result<EngineOutcome, APIError>? = state.withLockedValue { s in
                    if case .finished(let r) = s { return r }
                    s = .waiting(c)
                    return nil
                }
                if let ready { c.resume(with: ready.mapError { $0 as any Error }) }
            }
        } onCancel: {
            finish(.failure(APIError(.serviceUnavailable, "the request was cancelled")))
        }
    }
}
