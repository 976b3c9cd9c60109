import Foundation
import NIOConcurrencyHelpers

/// The server's counters, rendered in Prometheus' text exposition format (version 0.0.4) for
/// `GET /metrics`: requests by route and status, request latency and batch-size histograms,
/// queue depth, generated tokens and their recent rate.
final class ServerMetrics: Sendable {
    /// A cumulative histogram with fixed upper bounds, as Prometheus' `histogram` type.
    struct Histogram {
        let bounds: [Double]
        var counts: [Int]
        var sum = 0.0
        var count = 0

        init(bounds: [Double]) {
            self.bounds = bounds
            counts = Array(repeating: 0, count: bounds.count)
        }

        mutating func observe(_ value: Double) {
            for (i, bound) in bounds.enumerated() where value <= bound { counts[i] += 1 }
            sum += value
            count += 1
        }

        func render(_ name: String, labels: String = "", into out: inout String) {
            let sep = labels.isEmpty ? "" : ","
            for (bound, n) in zip(bounds, counts) {
                out += "\(name)_bucket{\(labels)\(sep)le=\"\(ServerMetrics.format(bound))\"} \(n)\n"
            }
            out += "\(name)_bucket{\(labels)\(sep)le=\"+Inf\"} \(count)\n"
            let braces = labels.isEmpty ? "" : "{\(labels)}"
            out += "\(name)_sum\(braces) \(ServerMetrics.format(sum))\n\(name)_count\(braces) \(count)\n"
        }
    }

    private struct State {
        var requests: [String: Int] = [:]  // "route\u{0}status"
        var latency = Histogram(bounds: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60])
        var batchInputs = Histogram(bounds: [1, 2, 4, 8, 16, 32, 64, 128])
        var batchRequests = Histogram(bounds: [1, 2, 4, 8, 16, 32, 64])
        var generatedTokens = 0
        var rejected = 0
        var abandoned = 0
        /// (end of batch, generated tokens) for the last 10 s, for the tokens/s gauge.
        var recent: [(end: ContinuousClock.Instant, tokens: Int)] = []
    }
    private let state = NIOLockedValueBox(State())
    let started = ContinuousClock.now

    func recordRequest(route: String, status: Int, seconds: Double) {
        state.withLockedValue { s in
            s.requests["\(route)\u{0}\(status)", default: 0] += 1
            s.latency.observe(seconds)
        }
    }

    func recordBatch(requests: Int, inputs: Int, generatedTokens: Int) {
        let now = ContinuousClock.now
        state.withLockedValue { s in
            s.batchRequests.observe(Double(requests))
            s.batchInputs.observe(Double(inputs))
            s.generatedTokens += generatedTokens
            s.recent.append((now, generatedTokens))
            s.recent.removeAll { now - $0.end > .seconds(10) }
        }
    }

    func recordRejected() { state.withLockedValue { $0.rejected += 1 } }

    /// A request answered before the engine finished it (timeout, client gone, cancelled).
    func recordAbandoned() { state.withLockedValue { $0.abandoned += 1 } }

    /// The exposition text; `queued`/`running` are read from the scheduler at scrape time.
    func render(queued: Int, running: Int) -> String {
        let now = ContinuousClock.now
        return state.withLockedValue { s in
            var out = ""
            out += "# HELP lmcore_requests_total HTTP requests answered, by route and status.\n"
            out += "# TYPE lmcore_requests_total counter\n"
            for key in s.requests.keys.sorted() {
                let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false)
                out += "lmcore_requests_total{route=\"\(ServerMetrics.escape(String(parts[0])))\",status=\"\(parts[1])\"} "
                    + "\(s.requests[key] ?? 0)\n"
            }
            out += "# HELP lmcore_request_duration_seconds Time from request to answer (streams: to the start of the stream).\n"
            out += "# TYPE lmcore_request_duration_seconds histogram\n"
            s.latency.render("lmcore_request_duration_seconds", into: &out)
            out += "# HELP lmcore_batch_inputs Inputs decoded together per engine call.\n"
            out += "# TYPE lmcore_batch_inputs histogram\n"
            s.batchInputs.render("lmcore_batch_inputs", into: &out)
            out += "# HELP lmcore_batch_requests Requests sharing one engine call.\n"
            out += "# TYPE lmcore_batch_requests histogram\n"
            s.batchRequests.render("lmcore_batch_requests", into: &out)
            out += "# HELP lmcore_queue_depth Requests waiting for the engine.\n# TYPE lmcore_queue_depth gauge\n"
            out += "lmcore_queue_depth \(queued)\n"
            out += "# HELP lmcore_requests_running Requests in the engine call now running.\n"
            out += "# TYPE lmcore_requests_running gauge\nlmcore_requests_running \(running)\n"
            out += "# HELP lmcore_requests_rejected_total Requests refused because the queue was full.\n"
            out += "# TYPE lmcore_requests_rejected_total counter\nlmcore_requests_rejected_total \(s.rejected)\n"
            out += "# HELP lmcore_requests_abandoned_total Requests whose client went away or that timed out "
                + "before the engine finished them.\n"
            out += "# TYPE lmcore_requests_abandoned_total counter\nlmcore_requests_abandoned_total \(s.abandoned)\n"
            out += "# HELP lmcore_generated_tokens_total Tokens generated (all returned sequences).\n"
            out += "# TYPE lmcore_generated_tokens_total counter\nlmcore_generated_tokens_total \(s.generatedTokens)\n"
            let rate = Double(s.recent.filter { now - $0.end <= .seconds(10) }.reduce(0) { $0 + $1.tokens }) / 10
            out += "# HELP lmcore_generated_tokens_per_second Tokens generated per second over the last 10 s.\n"
            out += "# TYPE lmcore_generated_tokens_per_second gauge\n"
            out += "lmcore_generated_tokens_per_second \(ServerMetrics.format(rate))\n"
            out += "# HELP lmcore_uptime_seconds Seconds since the server started.\n# TYPE lmcore_uptime_seconds gauge\n"
            out += "lmcore_uptime_seconds \(ServerMetrics.format((now - started).seconds))\n"
            return out
        }
    }

    static func format(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    }

    /// Label values: backslash, quote and newline escaped, as the format requires.
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
