import Hummingbird
import LMCore
import LMInput
import Logging
import NIOConcurrencyHelpers

/// `lmcore-cli serve`: one loaded model behind HTTP. A LibreTranslate-compatible API
/// (`POST /translate`, `GET /languages`, LibreTranslate's error shapes) so its clients work
/// unchanged, a native JSON API with every generation option (`/v1/translate` with Server-Sent
/// Events streaming, `/v1/generate`, `/v1/score`, `/v1/embed`, `/v1/model`), and `/health`,
/// `/metrics`. Requests go through `BatchScheduler` (dynamic batching, a bounded queue); SIGTERM
/// or SIGINT stops accepting connections, finishes the requests in flight, then exits.
/// Built on Hummingbird 2: SwiftNIO underneath, async handlers, graceful shutdown through
/// swift-service-lifecycle, and far fewer dependencies than Vapor.
public final class TranslationServer: Sendable {
    let model: Model
    let options: ServerOptions
    let metrics = ServerMetrics()
    let scheduler: BatchScheduler
    let languages: LanguageCatalog

    public init(model: Model, options: ServerOptions) throws(ServerError) {
        try options.validate()
        guard model.tokenizer != nil else {
            throw ServerError("the model has no tokenizer: the server translates text")
        }
        self.model = model
        self.options = options
        scheduler = BatchScheduler(model: model, options: options, metrics: metrics)
        languages = try LanguageCatalog(model: model, options: options)
    }

    /// Serves until SIGTERM or SIGINT, then drains. `onListening` gets the bound port (useful with port 0).
    public func run(onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        scheduler.start()
        defer { scheduler.stop() }
        var logger = Logger(label: "lmcore-serve")
        logger.logLevel = .warning
        let app = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "lmcore"),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ErrorShapeMiddleware(metrics: metrics))
        router.get("health") { _, _ in self.health() }
        router.get("metrics") { _, _ in
            let depth = self.scheduler.depth
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: self.metrics.render(queued: depth.queued,
                                                                                           running: depth.running))))
        }
        addLibreTranslateRoutes(to: router)
        addNativeRoutes(to: router)
        return router
    }

    func health() -> Response {
        let depth = scheduler.depth
        return JSONResponse.make(.object([
            ("status", .string("ok")), ("model", .string(model.info.modelType)),
            ("queued", .number(Double(depth.queued))), ("running", .number(Double(depth.running))),
        ]))
    }

    /// Reads the request body while watching the connection: if the client goes away before the
    /// answer, the job is abandoned (its share of a batch stops, a queued job is skipped).
    /// The request is announced to the scheduler until it is submitted, so a batch waits for it.
    func watchingClient(_ request: Request,
                        _ body: @escaping (Request, ClientWatch) async throws -> Response) async throws -> Response {
        let watch = ClientWatch()
        scheduler.announce()
        defer { if watch.takeAnnouncement() { scheduler.withdraw() } }
        return try await request.body.consumeWithInboundCloseHandler({ inbound in
            var copy = request
            copy.body = inbound
            return try await body(copy, watch)
        }, onInboundClosed: { watch.close() })
    }

    /// Queues `job` for the request `watch` follows.
    func submit(_ job: EngineJob, watch: ClientWatch) throws(APIError) {
        try scheduler.submit(job, announced: watch.takeAnnouncement())
    }

    /// Queues `job` and waits for it, within the request timeout.
    func perform(_ job: EngineJob, watch: ClientWatch) async throws -> EngineOutcome {
        try submit(job, watch: watch)
        watch.attach(job)
        return try await outcome(of: job)
    }

    /// Waits for a queued job; past the request timeout it is answered 503 and its work stops.
    func outcome(of job: EngineJob) async throws -> EngineOutcome {
        let seconds = options.requestTimeoutSeconds
        let retry = options.retryAfterSeconds
        let timer = Task {
            try await Task.sleep(for: .seconds(seconds))
            job.finish(.failure(APIError(.serviceUnavailable, "the request took longer than the server's "
                + "timeout (\(ServerMetrics.format(seconds)) s)", retryAfter: retry)))
        }
        defer { timer.cancel() }
        return try await job.outcome()
    }

    /// Sources for text inputs, with the server's per-request limits checked before and after tokenizing.
    func prepare(_ texts: [String], request: RequestOptions) throws(APIError) -> [[Int32]] {
        try checkInputCount(texts.count)
        try checkCharacters(texts)
        let sources: [[Int32]]
        do {
            sources = try model.prepareSources(texts, request: request)
        } catch {
            throw .engine(error)
        }
        try checkTokens(sources)
        return sources
    }

    /// LibreTranslate's --char-limit: characters (Unicode scalars, Python's len) of all texts together.
    func checkCharacters(_ texts: [String]) throws(APIError) {
        let characters = texts.reduce(0) { $0 + $1.unicodeScalars.count }
        guard characters <= options.maxCharactersPerRequest else {
            throw .badRequest("Invalid request: request (\(characters)) exceeds text limit (\(options.maxCharactersPerRequest))")
        }
    }

    func checkInputCount(_ n: Int) throws(APIError) {
        guard n >= 1 else { throw .badRequest("Invalid request: no inputs") }
        guard n <= options.maxInputsPerRequest else {
            throw .badRequest("Invalid request: request (\(n)) exceeds batch limit (\(options.maxInputsPerRequest))")
        }
    }

    func checkTokens(_ sources: [[Int32]]) throws(APIError) {
        let tokens = sources.reduce(0) { $0 + $1.count }
        guard tokens <= options.maxTokensPerRequest else {
            throw .badRequest("Invalid request: \(tokens) source tokens exceed this server's limit of "
                + "\(options.maxTokensPerRequest) per request")
        }
    }

    /// Whether a request with these options may share a batch, with the model's defaults applied:
    /// sampling draws per batch row, so a sampled request is decoded alone (its seed then
    /// reproduces it exactly).
    func batchable(_ options: GenerationOptions) -> Bool {
        options.merged(over: model.generationDefaults).doSample != true
    }
}

/// The connection of one request, and the job answering it, so a client going away abandons it.
final class ClientWatch: Sendable {
    private let state = NIOLockedValueBox<(job: EngineJob?, closed: Bool)>((nil, false))
    private let announced = NIOLockedValueBox(true)

    /// true once: whether the request still counts as arriving at the scheduler.
    func takeAnnouncement() -> Bool {
        announced.withLockedValue { a in
            defer { a = false }
            return a
        }
    }

    func attach(_ job: EngineJob) {
        let closed = state.withLockedValue { s in
            s.job = job
            return s.closed
        }
        if closed { job.finish(.failure(APIError(.serviceUnavailable, "the client went away"))) }
    }

    func close() {
        let job = state.withLockedValue { s in
            s.closed = true
            return s.job
        }
        job?.finish(.failure(APIError(.serviceUnavailable, "the client went away")))
    }
}

/// Every error answered as `{"error": "..."}` (Hummingbird's own errors too: unknown route, body
/// too large), and every answer counted in the metrics by route and status.
struct ErrorShapeMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch let error as APIError {
            response = try error.response(from: request, context: context)
        } catch let error as HTTPError {
            let message = error.body ?? (error.status == .notFound
                ? "Not found: \(request.method.rawValue) \(request.uri.path)" : error.status.reasonPhrase)
            response = try APIError(error.status, message).response(from: request, context: context)
        } catch is CancellationError {
            response = try APIError(.serviceUnavailable, "the request was cancelled").response(from: request, context: context)
        } catch {
            response = try APIError(.internalServerError, "\(error)").response(from: request, context: context)
        }
        let route = context.endpointPath ?? "unmatched"
        metrics.recordRequest(route: route, status: response.status.code, seconds: (ContinuousClock.now - start).seconds)
        return response
    }
}
