import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import LMCore
import LMServer

/// `lmcore-cli serve`: the model behind HTTP (LibreTranslate-compatible and native JSON APIs).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the model over HTTP: LibreTranslate's API, a native JSON API, /health and /metrics.",
        discussion: """
            LibreTranslate clients work unchanged (POST /translate, GET /languages). The native API \
            (POST /v1/translate, /v1/generate, /v1/score, /v1/embed; GET /v1/model) takes every \
            generation option by its transformers name and streams with "stream": true (Server-Sent \
            Events). Concurrent requests are decoded together (dynamic batching). SIGTERM or Ctrl-C \
            stops accepting connections and finishes the requests in flight. Prints \
            "listening on http://HOST:PORT" once it is ready.
            """)

    @OptionGroup var modelFlags: ModelFlags

    @Option(help: "Address to listen on (0.0.0.0 for every interface).")
    var host = "127.0.0.1"
    @Option(help: "Port (0: any free port, printed at start).")
    var port = 8080

    @Option(name: .customLong("source-lang"), parsing: .upToNextOption,
            help: "Source language codes to accept (default: any, and auto).")
    var sourceLanguages: [String] = []
    @Option(name: .customLong("target-lang"), parsing: .upToNextOption,
            help: "Target language codes to offer (default: the model's language tokens; a one-pair model needs its target here).")
    var targetLanguages: [String] = []

    @Option(name: .customLong("max-batch-size"), help: "Inputs decoded together at most.")
    var maxBatchInputs = 32
    @Option(name: .customLong("batch-wait-ms"), help: "How long a batch waits for more requests to join (ms).")
    var batchWaitMilliseconds = 5.0
    @Flag(name: .customLong("no-batching"), help: "Decode every request alone, in arrival order.")
    var noBatching = false
    @Option(name: .customLong("max-queue"), help: "Requests waiting at most; more get 503 (429 on /translate) with Retry-After.")
    var maxQueuedRequests = 256
    @Option(name: .customLong("timeout"), help: "Seconds a request may wait and run.")
    var requestTimeoutSeconds = 60.0

    @Option(name: .customLong("max-body-bytes"), help: "Largest request body (bytes).")
    var maxBodyBytes = 1 << 20
    @Option(name: .customLong("max-inputs"), help: "Texts or id lists per request.")
    var maxInputsPerRequest = 128
    @Option(name: .customLong("max-chars"), help: "Characters per request, all texts together.")
    var maxCharactersPerRequest = 100_000
    @Option(name: .customLong("max-tokens"), help: "Source tokens per request.")
    var maxTokensPerRequest = 32_768
    @Option(name: .customLong("max-new-tokens"), help: "Largest max_new_tokens / max_length a request may ask for.")
    var maxNewTokens = 1024
    @Option(name: .customLong("max-beams"), help: "Largest num_beams / num_return_sequences a request may ask for.")
    var maxBeams = 16

    func run() async throws {
        var options = ServerOptions()
        options.host = host
        options.port = port
        options.sourceLanguages = sourceLanguages
        options.targetLanguages = targetLanguages
        options.maxBatchInputs = maxBatchInputs
        options.batchWaitMilliseconds = batchWaitMilliseconds
        options.batching = !noBatching
        options.maxQueuedRequests = maxQueuedRequests
        options.requestTimeoutSeconds = requestTimeoutSeconds
        options.maxBodyBytes = maxBodyBytes
        options.maxInputsPerRequest = maxInputsPerRequest
        options.maxCharactersPerRequest = maxCharactersPerRequest
        options.maxTokensPerRequest = maxTokensPerRequest
        options.maxNewTokens = maxNewTokens
        options.maxBeams = maxBeams
        let model = try modelFlags.load()
        let server: TranslationServer
        do {
            server = try TranslationServer(model: model, options: options)
        } catch {
            CLI.fail(error.description)
        }
        let host = self.host
        do {
            try await server.run { port in
                print("lmcore-cli serve: listening on http://\(host):\(port)")
                fflush(nil)
            }
        } catch {
            CLI.fail("serve: \(error)")
        }
        print("lmcore-cli serve: stopped")
    }
}
