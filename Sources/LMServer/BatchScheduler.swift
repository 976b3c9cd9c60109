#if canImport(FoundationEssentials)
import FoundationEssentials
#endif
import Foundation
import LMCore
import LMGeneration
import NIOConcurrencyHelpers

/// Dynamic batching: requests wait in one bounded FIFO queue; one engine thread takes the oldest,
/// lets compatible requests that arrive within `batchWaitMilliseconds` join it (same operation and
/// options, up to `maxBatchInputs` inputs; it waits only while another request is being read or
/// tokenized, so a lone client pays no window), decodes them as one call and hands each request its own
/// share. lmcore's search is padding-free and per row, so a request's answer is the same alone or
/// batched; sampled requests still run alone, since their random draws follow the batch row. The
/// engine runs on its own thread, not Swift's cooperative pool, so a long decode never stalls the
/// HTTP event loops. (The shape of CTranslate2's and TGI's batching queues, in one process.)
final class BatchScheduler: Sendable {
    let model: Model
    let options: ServerOptions
    let metrics: ServerMetrics

    private struct Queue {
        var jobs: [EngineJob] = []
        var stopping = false
        var running = 0
        /// Requests whose handlers are reading or preparing them: the ones a batch may wait for.
        var arriving = 0
    }
    private let queue = NIOLockedValueBox(Queue())
    private let wake = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)

    init(model: Model, options: ServerOptions, metrics: ServerMetrics) {
        self.model = model
        self.options = options
        self.metrics = metrics
    }

    func start() {
        let thread = Thread { [self] in
            run()
            stopped.signal()
        }
        thread.name = "lmcore-engine"
        thread.start()
    }

    /// Requests waiting or running.
    var depth: (queued: Int, running: Int) { queue.withLockedValue { ($0.jobs.count, $0.running) } }

    /// A request is on its way (its handler started); `submit(_:announced: true)` or `withdraw` ends that.
    func announce() { queue.withLockedValue { $0.arriving += 1 } }

    /// An announced request will not be submitted (it failed validation).
    func withdraw() {
        queue.withLockedValue { $0.arriving -= 1 }
        wake.signal()
    }

    /// Queues `job`, or refuses it when the queue is full or the server is stopping.
    func submit(_ job: EngineJob, announced: Bool = false) throws(APIError) {
        let refusal: APIError? = queue.withLockedValue { q in
            if announced { q.arriving -= 1 }
            if q.stopping { return APIError(.serviceUnavailable, "the server is shutting down") }
            if q.jobs.count >= options.maxQueuedRequests {
                return APIError(.serviceUnavailable, "Slow down: \(q.jobs.count) requests are waiting "
                    + "(the server's queue holds \(options.maxQueuedRequests))", retryAfter: options.retryAfterSeconds)
            }
            q.jobs.append(job)
            return nil
        }
        if let refusal {
            metrics.recordRejected()
            throw refusal
        }
        wake.signal()
    }

    /// Lets the queue empty, then ends the engine thread (after the HTTP server has drained).
    func stop() {
        queue.withLockedValue { $0.stopping = true }
        wake.signal()
        stopped.wait()
    }

    // MARK: - The engine thread

    private func run() {
        while let batch = nextBatch() {
            execute(batch)
            queue.withLockedValue { $0.running = 0 }
        }
    }

    /// Blocks until there is work; nil when stopping with nothing left.
    private func nextBatch() -> [EngineJob]? {
        var head: EngineJob?
        while head == nil {
            let state: (EngineJob?, Bool) = queue.withLockedValue { q in
                let before = q.jobs.count
                q.jobs.removeAll { $0.isFinished }
                for _ in q.jobs.count..<before { metrics.recordAbandoned() }
                return (q.jobs.first, q.stopping)
            }
            head = state.0
            if head == nil {
                if state.1 { return nil }
                wake.wait()
            }
        }
        guard let head else { return nil }
        if options.batching, head.batchable, options.batchWaitMilliseconds > 0 {
            let deadline = DispatchTime.now() + .microseconds(Int(options.batchWaitMilliseconds * 1000))
            while queue.withLockedValue({ q in
                q.arriving > 0 && compatible(with: head, in: q.jobs).inputs < options.maxBatchInputs
            }), DispatchTime.now() < deadline {
                _ = wake.wait(timeout: deadline)
            }
        }
        return queue.withLockedValue { q in
            let chosen = compatible(with: head, in: q.jobs).jobs
            let ids = Set(chosen.map { ObjectIdentifier($0) })
            q.jobs.removeAll { ids.contains(ObjectIdentifier($0)) }
            q.running = chosen.count
            return chosen
        }
    }

    /// `head` and the queued jobs that can share its batch, in arrival order, within the batch size.
    private func compatible(with head: EngineJob, in jobs: [EngineJob]) -> (jobs: [EngineJob], inputs: Int) {
        var chosen = [head]
        var inputs = head.operation.inputCount
        guard options.batching, head.batchable else { return (chosen, inputs) }
        for job in jobs where job !== head && !job.isFinished && job.batchable {
            let n = job.operation.inputCount
            guard inputs + n <= options.maxBatchInputs else { continue }
            if BatchScheduler.canShare(head.operation, job.operation) {
                chosen.append(job)
                inputs += n
            }
        }
        return (chosen, inputs)
    }

    /// Whether two operations can run as one call with the same result for each.
    static func canShare(_ a: EngineOperation, _ b: EngineOperation) -> Bool {
        func sameRequest(_ x: RequestOptions, _ y: RequestOptions) -> Bool {
            var x = x, y = y
            guard (x.targetPrefixes == nil) == (y.targetPrefixes == nil) else { return false }
            x.targetPrefixes = nil
            y.targetPrefixes = nil
            return x == y
        }
        switch (a, b) {
        case (.translate(_, let o1, let r1), .translate(_, let o2, let r2)),
             (.generate(_, let o1, let r1), .generate(_, let o2, let r2)):
            return o1 == o2 && sameRequest(r1, r2)
        case (.score, .score), (.embed, .embed):
            return true
        default:
            return false
        }
    }

    /// Runs a batch; when a shared call fails, each request is retried alone so one bad request
    /// does not fail the others.
    private func execute(_ batch: [EngineJob]) {
        let live = batch.filter { !$0.isFinished }
        for _ in live.count..<batch.count { metrics.recordAbandoned() }
        guard !live.isEmpty else { return }
        do {
            let outcomes = try run(live)
            var generated = 0
            for (job, outcome) in zip(live, outcomes) {
                if case .translations(let t) = outcome { generated += t.joined().reduce(0) { $0 + $1.ids.count } }
                if case .hypotheses(let h) = outcome { generated += h.joined().reduce(0) { $0 + $1.ids.count } }
                if !job.finish(.success(outcome)) { metrics.recordAbandoned() }
            }
            metrics.recordBatch(requests: live.count, inputs: live.reduce(0) { $0 + $1.operation.inputCount },
                                generatedTokens: generated)
        } catch {
            if live.count > 1 {
                for job in live { execute([job]) }
            } else {
                if !live[0].finish(.failure(APIError.engine(error))) { metrics.recordAbandoned() }
            }
        }
    }

    /// One engine call for `jobs` (which `canShare`), split back into one outcome per job.
    private func run(_ jobs: [EngineJob]) throws(LMCoreError) -> [EngineOutcome] {
        var offsets: [Int] = []
        var total = 0
        for job in jobs {
            offsets.append(total)
            total += job.operation.inputCount
        }
        func split<T>(_ all: [T]) -> [[T]] {
            jobs.indices.map { k in Array(all[offsets[k]..<(offsets[k] + jobs[k].operation.inputCount)]) }
        }
        // Stop decoding once every request of the batch has been answered otherwise (timeout, gone).
        let abandoned: TokenCallback = { _ in !jobs.allSatisfy(\.isFinished) }
        switch jobs[0].operation {
        case .translate(_, let options, let request):
            var combined = request
            combined.targetPrefixes = BatchScheduler.prefixes(jobs)
            let owner = jobs.indices.flatMap { k in (0..<jobs[k].operation.inputCount).map { (k, $0) } }
            let streaming = jobs.contains { $0.onText != nil }
            let onText: TextCallback? = streaming ? { event in
                let (k, local) = owner[event.input]
                if !jobs[k].isFinished, let emit = jobs[k].onText {
                    var mine = event
                    mine.input = local
                    emit(mine)
                }
                return true
            } : nil
            let results = try model.translate(preparedSources: jobs.flatMap(\.operation.sources), options: options,
                                              request: combined, onTokens: abandoned, onText: onText)
            return split(results).map { .translations($0) }
        case .generate(_, let options, let request):
            var combined = request
            combined.targetPrefixes = BatchScheduler.prefixes(jobs)
            let results = try model.generate(jobs.flatMap(\.operation.sources), options: options, request: combined,
                                             onTokens: abandoned)
            return split(results).map { .hypotheses($0) }
        case .score:
            var targets: [[Int32]] = []
            for job in jobs { if case .score(_, let t) = job.operation { targets += t } }
            return split(try model.score(sources: jobs.flatMap(\.operation.sources), targets: targets)).map { .scores($0) }
        case .embed:
            let all = try model.embed(jobs.flatMap(\.operation.sources))
            return jobs.indices.map { k in
                let range = offsets[k]..<(offsets[k] + jobs[k].operation.inputCount)
                return .embeddings(EncoderEmbeddings(tokenStates: Array(all.tokenStates[range]),
                                                     sentenceVectors: Array(all.sentenceVectors[range]),
                                                     dModel: all.dModel))
            }
        }
    }

    /// Every input's target prefix, when the jobs have them (one list per job stands for all its inputs).
    private static func prefixes(_ jobs: [EngineJob]) -> [[Int32]]? {
        var all: [[Int32]] = []
        for job in jobs {
            switch job.operation {
            case .translate(let s, _, let r), .generate(let s, _, let r):
                guard let p = r.targetPrefixes else { return nil }
                all += p.count == 1 ? Array(repeating: p[0], count: s.count) : p
            case .score, .embed:
                return nil
            }
        }
        return all
    }
}
