import Hummingbird
import LMCore
import LMGeneration
import LMInput

/// The native JSON API: every generation option by its transformers name (`GenerationFields`),
/// ids as well as text, scores, embeddings, and streaming as Server-Sent Events.
extension TranslationServer {
    func addNativeRoutes(to router: Router<BasicRequestContext>) {
        router.post("v1/translate") { request, _ in
            try await self.watchingClient(request) { request, watch in try await self.nativeTranslate(request, watch: watch) }
        }
        router.post("v1/generate") { request, _ in
            try await self.watchingClient(request) { request, watch in try await self.nativeGenerate(request, watch: watch) }
        }
        router.post("v1/score") { request, _ in
            try await self.watchingClient(request) { request, watch in try await self.nativeScore(request, watch: watch) }
        }
        router.post("v1/embed") { request, _ in
            try await self.watchingClient(request) { request, watch in try await self.nativeEmbed(request, watch: watch) }
        }
        router.get("v1/model") { _, _ in self.modelDescription() }
    }

    /// `{"text": "..." | [...], "stream": false, <generation fields>}` →
    /// `{"translations": [[{"text", "ids", "score", "token_log_probs"}, ...], ...]}`, one list per input, best first.
    func nativeTranslate(_ request: Request, watch: ClientWatch) async throws -> Response {
        var fields = try await RequestFields.read(request, limit: options.maxBodyBytes)
        guard let (texts, isList) = try fields.texts("text") else {
            throw APIError.badRequest("Invalid request: missing text parameter")
        }
        let stream = try fields.bool("stream") ?? false
        let generation = try GenerationFields.read(&fields, inputs: texts.count, limits: options, model: model)
        try fields.rejectUnknown()
        let sources = try prepare(texts, request: generation.request)
        let operation = EngineOperation.translate(sources: sources, options: generation.options, request: generation.request)
        // A stream outlives this handler (its body is written after it returns), so it is not
        // watched through the request body: a write failing tells that its client went away.
        if stream { return try streamTranslation(operation, batchable: batchable(generation.options), watch: watch) }
        let job = EngineJob(operation, batchable: batchable(generation.options))
        guard case .translations(let results) = try await perform(job, watch: watch) else { throw Self.mismatch }
        let encoded = JSONValue.array(results.map { .array($0.map(Self.json)) })
        return JSONResponse.make(.object([("translations", isList ? encoded : encoded.items?.first ?? .null)]))
    }

    /// Server-Sent Events: `event: text` with `{"input", "sequence", "text"}` for each stable piece,
    /// then `event: done` with the whole answer (as the non-streaming one), or `event: error`.
    func streamTranslation(_ operation: EngineOperation, batchable: Bool, watch: ClientWatch) throws(APIError) -> Response {
        let (pieces, sink) = AsyncStream<TextEvent>.makeStream()
        let job = EngineJob(operation, batchable: batchable, onText: { sink.yield($0) })
        // Queued before the answer starts, so a full queue is a 503, not an error event.
        try submit(job, watch: watch)
        let body = ResponseBody { writer in
            let answer = Task { () -> Result<EngineOutcome, any Error> in
                defer { sink.finish() }
                do { return .success(try await self.outcome(of: job)) } catch { return .failure(error) }
            }
            do {
                for await piece in pieces {
                    let data = JSONValue.object([("input", .number(Double(piece.input))),
                                                 ("sequence", .number(Double(piece.sequence))),
                                                 ("text", .string(piece.text))])
                    try await writer.write(Self.event("text", data))
                }
                switch await answer.value {
                case .success(.translations(let results)):
                    let all = JSONValue.array(results.map { .array($0.map(Self.json)) })
                    try await writer.write(Self.event("done", .object([("translations", all)])))
                case .success:
                    try await writer.write(Self.event("error", .object([("error", .string("internal error"))])))
                case .failure(let error):
                    let message = (error as? APIError)?.message ?? "\(error)"
                    try await writer.write(Self.event("error", .object([("error", .string(message))])))
                }
                try await writer.finish(nil)
            } catch {
                // The client went away mid-stream: stop its share of the work.
                job.finish(.failure(APIError(.serviceUnavailable, "the client went away")))
                answer.cancel()
                throw error
            }
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }

    static func event(_ name: String, _ data: JSONValue) -> ByteBuffer {
        var bytes = Array("event: \(name)\ndata: ".utf8)
        bytes += data.serialized()
        bytes += Array("\n\n".utf8)
        return ByteBuffer(bytes: bytes)
    }

    /// `{"ids": [[...], ...], <generation fields>}` → `{"results": [[{"ids", "score", "token_log_probs"}, ...], ...]}`.
    func nativeGenerate(_ request: Request, watch: ClientWatch) async throws -> Response {
        var fields = try await RequestFields.read(request, limit: options.maxBodyBytes)
        guard let sources = try fields.idLists("ids") else { throw APIError.badRequest("Invalid request: missing ids parameter") }
        try checkInputCount(sources.count)
        try checkTokens(sources)
        let generation = try GenerationFields.read(&fields, inputs: sources.count, limits: options, model: model)
        try fields.rejectUnknown()
        let job = EngineJob(.generate(sources: sources, options: generation.options, request: generation.request),
                            batchable: batchable(generation.options))
        guard case .hypotheses(let results) = try await perform(job, watch: watch) else { throw Self.mismatch }
        return JSONResponse.make(.object([("results", .array(results.map { hyps in
            .array(hyps.map { h in Self.json(text: nil, ids: h.ids, score: h.score, tokenLogProbs: h.tokenLogProbs) })
        }))]))
    }

    /// Teacher-forced scores: `{"source": [...], "target": [...]}` texts (targets through the
    /// tokenizer's target side, EOS included) or `{"source_ids", "target_ids"}` →
    /// `{"scores": [{"total", "token_log_probs"}, ...]}`.
    func nativeScore(_ request: Request, watch: ClientWatch) async throws -> Response {
        var fields = try await RequestFields.read(request, limit: options.maxBodyBytes)
        let sources: [[Int32]], targets: [[Int32]]
        if let (s, _) = try fields.texts("source") {
            guard let (t, _) = try fields.texts("target") else { throw APIError.badRequest("Invalid request: missing target parameter") }
            try checkPairs(sources: s.count, targets: t.count)
            try checkCharacters(s + t)
            do { (sources, targets) = try model.tokenizePairs(sources: s, targets: t) } catch { throw APIError.engine(error) }
        } else if let s = try fields.idLists("source_ids") {
            guard let t = try fields.idLists("target_ids") else { throw APIError.badRequest("Invalid request: missing target_ids parameter") }
            try checkPairs(sources: s.count, targets: t.count)
            (sources, targets) = (s, t)
        } else {
            throw APIError.badRequest("Invalid request: missing source (texts) or source_ids parameter")
        }
        try fields.rejectUnknown()
        try checkTokens(sources)
        try checkTokens(targets)
        let job = EngineJob(.score(sources: sources, targets: targets), batchable: true)
        guard case .scores(let scores) = try await perform(job, watch: watch) else { throw Self.mismatch }
        return JSONResponse.make(.object([("scores", .array(scores.map { s in
            .object([("total", .number(Double(s.total))), ("token_log_probs", Self.floats(s.tokenLogProbs))])
        }))]))
    }

    /// Encoder states: `{"text": [...]}` or `{"ids": [[...]]}`, `"token_states": false` →
    /// `{"dim", "embeddings": [[...]], "token_states"?: [[...]]}` (mean-pooled vectors; token states row-major).
    func nativeEmbed(_ request: Request, watch: ClientWatch) async throws -> Response {
        var fields = try await RequestFields.read(request, limit: options.maxBodyBytes)
        let sources: [[Int32]]
        if let (texts, _) = try fields.texts("text") {
            sources = try prepare(texts, request: RequestOptions())
        } else if let ids = try fields.idLists("ids") {
            try checkInputCount(ids.count)
            try checkTokens(ids)
            sources = ids
        } else {
            throw APIError.badRequest("Invalid request: missing text or ids parameter")
        }
        let tokenStates = try fields.bool("token_states") ?? false
        try fields.rejectUnknown()
        let job = EngineJob(.embed(sources: sources), batchable: true)
        guard case .embeddings(let e) = try await perform(job, watch: watch) else { throw Self.mismatch }
        var answer: [(key: String, value: JSONValue)] = [
            ("dim", .number(Double(e.dModel))), ("embeddings", .array(e.sentenceVectors.map(Self.floats))),
        ]
        if tokenStates { answer.append(("token_states", .array(e.tokenStates.map(Self.floats)))) }
        return JSONResponse.make(.object(answer))
    }

    func modelDescription() -> Response {
        let info = model.info
        return JSONResponse.make(.object([
            ("model_type", .string(info.modelType)), ("compute_type", .string(info.computeType)),
            ("parameters", .number(Double(info.parameters))), ("max_positions", .number(Double(info.maxPositions))),
            ("target_languages", .array(languages.targets.map { .string($0) })),
            ("source_languages", .array(languages.sources.map { .string($0) })),
            ("batching", .bool(options.batching)), ("max_batch_inputs", .number(Double(options.maxBatchInputs))),
        ]))
    }

    func checkPairs(sources: Int, targets: Int) throws(APIError) {
        guard sources == targets else { throw .badRequest("Invalid request: \(sources) sources but \(targets) targets") }
        try checkInputCount(sources)
    }

    static let mismatch = APIError(.internalServerError, "the engine answered another operation")

    static func json(_ t: Translation) -> JSONValue {
        json(text: t.text, ids: t.ids, score: t.score, tokenLogProbs: t.tokenLogProbs)
    }

    /// One hypothesis: `text` (translate only), `ids`, `score` (null when not computed), `token_log_probs`.
    static func json(text: String?, ids: [Int32], score: Float?, tokenLogProbs: [Float]?) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = text.map { [("text", .string($0))] } ?? []
        members.append(("ids", .array(ids.map { .number(Double($0)) })))
        members.append(("score", score.map { .number(Double($0)) } ?? .null))
        if let lp = tokenLogProbs { members.append(("token_log_probs", floats(lp))) }
        return .object(members)
    }

    static func floats(_ values: [Float]) -> JSONValue { .array(values.map { .number(Double($0)) }) }
}
