/// How `lmcore-cli serve` runs: where it listens, what one request may ask, how requests are
/// batched and queued. Every limit is checked before the work it bounds.
public struct ServerOptions: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080

    // Per request.
    /// Largest request body read, in bytes (413 beyond).
    public var maxBodyBytes = 1 << 20
    /// Texts (or id lists) in one request (LibreTranslate's --batch-limit).
    public var maxInputsPerRequest = 128
    /// Characters in one request, all texts together (LibreTranslate's --char-limit).
    public var maxCharactersPerRequest = 100_000
    /// Source tokens in one request, after tokenizing and truncation.
    public var maxTokensPerRequest = 32_768
    /// Largest max_new_tokens / max_length a request may ask for.
    public var maxNewTokens = 1024
    /// Largest num_beams / num_return_sequences a request may ask for.
    public var maxBeams = 16
    /// Seconds a request may wait and run before it is answered 503 (its share of work stops then).
    public var requestTimeoutSeconds = 60.0

    // Dynamic batching and the queue.
    /// Inputs decoded together at most (several requests' inputs in one batch).
    public var maxBatchInputs = 32
    /// How long the first request of a batch waits for others to join, in milliseconds; 0 never waits.
    public var batchWaitMilliseconds = 5.0
    /// false: every request is decoded alone, in arrival order (the baseline the load test compares).
    public var batching = true
    /// Requests waiting for the engine at most; beyond it new ones get 503 (429 on the LibreTranslate
    /// API) with Retry-After.
    public var maxQueuedRequests = 256
    /// The Retry-After seconds given with a full-queue answer.
    public var retryAfterSeconds = 1

    // Languages.
    /// Source language codes the LibreTranslate API accepts. Empty: any code, and `auto` (the model
    /// reads the text as it is; lmcore has no language detector).
    public var sourceLanguages: [String] = []
    /// Target language codes. Empty: the model's own language tokens (`Model.targetLanguages`).
    /// A model without them (one pair, e.g. opus-mt-en-de) needs this to serve LibreTranslate
    /// clients; its codes are then accepted and not passed to the model.
    public var targetLanguages: [String] = []

    public init() {}

    /// Checks values an operator may get wrong.
    public func validate() throws(ServerError) {
        func positive(_ name: String, _ value: Int) throws(ServerError) {
            guard value >= 1 else { throw ServerError("\(name) is \(value); it must be at least 1") }
        }
        guard (0...65535).contains(port) else { throw ServerError("port \(port) is not in 0...65535") }
        try positive("max body bytes", maxBodyBytes)
        try positive("max inputs per request", maxInputsPerRequest)
        try positive("max characters per request", maxCharactersPerRequest)
        try positive("max tokens per request", maxTokensPerRequest)
        try positive("max new tokens", maxNewTokens)
        try positive("max beams", maxBeams)
        try positive("max batch inputs", maxBatchInputs)
        try positive("max queued requests", maxQueuedRequests)
        guard requestTimeoutSeconds > 0, requestTimeoutSeconds.isFinite else {
            throw ServerError("the request timeout must be a positive number of seconds")
        }
        guard batchWaitMilliseconds >= 0, batchWaitMilliseconds <= 10_000 else {
            throw ServerError("the batch wait must be 0...10000 ms")
        }
    }
}

/// A server that cannot start: bad options, a port in use.
public struct ServerError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
