import Foundation
import Hummingbird
import LMCore
import LMGeneration
import LMInput

// Follows LibreTranslate's HTTP API (libretranslate/app.py, v1.6): the fields, the answer shapes
// and the error messages its clients (libretranslatepy, the web UI, browser extensions) expect.
extension TranslationServer {
    func addLibreTranslateRoutes(to router: Router<BasicRequestContext>) {
        router.post("translate") { request, _ in
            try await self.watchingClient(request) { request, watch in
                try await self.libreTranslate(request, watch: watch)
            }
        }
        router.get("languages") { _, _ in self.libreLanguages() }
        router.post("languages") { _, _ in self.libreLanguages() }
        router.post("detect") { _, _ -> Response in
            throw APIError(.notImplemented, "Language detection is not available: lmcore has no language detector "
                + "(give the source language, or source=auto to translate the text as it is)")
        }
    }

    /// `[{"code", "name", "targets"}]`, one entry per language a client may send.
    func libreLanguages() -> Response {
        let codes = (languages.listedSources + languages.targets).reduce(into: [String]()) { all, c in
            if !all.contains(c) { all.append(c) }
        }
        let targets = JSONValue.array(languages.targets.map { .string($0) })
        return JSONResponse.make(.array(codes.map { code in
            .object([("code", .string(code)), ("name", .string(LanguageNames.name(code))), ("targets", targets)])
        }))
    }

    func libreTranslate(_ request: Request, watch: ClientWatch) async throws -> Response {
        var fields = try await RequestFields.read(request, limit: options.maxBodyBytes)
        // LibreTranslate's `if not q`: a missing, empty or empty-list q is missing.
        guard let (sent, isList) = try fields.texts("q"), !sent.isEmpty, isList || !sent[0].isEmpty else {
            throw APIError.badRequest("Invalid request: missing q parameter")
        }
        var texts = sent
        guard let source = try fields.string("source"), !source.isEmpty else {
            throw APIError.badRequest("Invalid request: missing source parameter")
        }
        guard let target = try fields.string("target"), !target.isEmpty else {
            throw APIError.badRequest("Invalid request: missing target parameter")
        }
        if !fields.isJSON {
            // As LibreTranslate: form text gets UNIX line endings before limits are counted.
            texts = texts.map { $0.replacingOccurrences(of: "\r\n", with: "\n") }
        }
        let format = try fields.string("format") ?? "text"
        let alternatives = try fields.int("alternatives", in: 0...(options.maxBeams - 1)) ?? 0
        _ = try fields.string("api_key")  // accepted; this server has no keys
        try fields.rejectUnknown()
        try checkInputCount(texts.count)
        let detected = try languages.checkSource(source)
        var requestOptions = RequestOptions()
        requestOptions.targetLanguage = try languages.modelLanguage(forTarget: target)
        guard format == "text" else {
            throw APIError.badRequest(format == "html" ? "html format is not supported by this server (send text)"
                : "\(format) format is not supported")
        }
        var generation = GenerationOptions()
        if alternatives > 0 {
            // n best from beam search, at least as many beams as the model's default.
            let beams = model.generationDefaults.numBeams ?? 1
            generation.numBeams = max(beams, alternatives + 1)
            generation.numReturnSequences = alternatives + 1
        }
        let sources = try prepare(texts, request: requestOptions)
        let job = EngineJob(.translate(sources: sources, options: generation, request: requestOptions),
                            batchable: batchable(generation))
        let outcome: EngineOutcome
        do {
            outcome = try await perform(job, watch: watch)
        } catch let error as APIError where error.retryAfter != nil {
            // LibreTranslate's clients know 429 ("Slow down") as the answer to retry later.
            throw APIError(.tooManyRequests, error.message, retryAfter: error.retryAfter)
        }
        guard case .translations(let results) = outcome else { throw Self.mismatch }
        let best = results.map { JSONValue.string($0.first?.text ?? "") }
        let others = results.map { JSONValue.array($0.dropFirst().map { .string($0.text) }) }
        var answer: [(key: String, value: JSONValue)] = [("translatedText", isList ? .array(best) : best[0])]
        if alternatives > 0 { answer.append(("alternatives", isList ? .array(others) : others[0])) }
        if source == "auto", let detected {
            let one = JSONValue.object([("confidence", .number(100)), ("language", .string(detected))])
            answer.append(("detectedLanguage", isList ? .array(Array(repeating: one, count: texts.count)) : one))
        }
        return JSONResponse.make(.object(answer))
    }
}
