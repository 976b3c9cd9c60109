import HTTPTypes
import Hummingbird
import LMCore
import LMInput

/// An error answered to the client as JSON: `{"error": "<message>"}`, LibreTranslate's shape, which
/// the native API shares so every client reads one kind of error. `retryAfter` adds the
/// Retry-After header (seconds) to 429 and 503 answers.
struct APIError: HTTPResponseError, CustomStringConvertible {
    let status: HTTPResponse.Status
    let message: String
    var retryAfter: Int? = nil

    init(_ status: HTTPResponse.Status, _ message: String, retryAfter: Int? = nil) {
        self.status = status
        self.message = message
        self.retryAfter = retryAfter
    }

    var description: String { "\(status.code) \(message)" }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONResponse.make(.object([("error", .string(message))]), status: status)
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }

    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }

    /// An engine error as the client should see it: its own fault (bad options, an unknown
    /// language, an input past the model's limit) is 400, a cancelled call 503, anything else 500.
    static func engine(_ error: LMCoreError) -> APIError {
        switch error.kind {
        case .invalidArgument, .unsupported: return APIError(.badRequest, error.message)
        case .cancelled: return APIError(.serviceUnavailable, error.message)
        default: return APIError(.internalServerError, "cannot translate text: \(error.message)")
        }
    }
}

/// JSON responses from `JSONValue` (LMInput's writer: one serializer for everything lmcore writes).
enum JSONResponse {
    static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        var bytes = value.serialized()
        bytes.append(UInt8(ascii: "\n"))
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
