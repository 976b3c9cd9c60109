#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension JSONReader {
    /// Parses a document held in `Data` (a file read by Foundation) without copying it.
    package static func parse(_ data: Data, options: Options) throws(ParseError) -> JSONValue {
        // `withUnsafeBytes` cannot forward a typed throw, so the error is carried out in a Result.
        let result: Result<JSONValue, ParseError> = data.withUnsafeBytes { raw in
            do throws(ParseError) { return .success(try parse(raw, options: options)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}

extension JSONReader {
    /// `parse(_:options:capturing:)` over `Data`, without copying it.
    package static func parse(_ data: Data, options: Options, capturing paths: [[String]])
        throws(ParseError) -> (value: JSONValue, captured: [[String]: JSONBulk]) {
        let result: Result<(value: JSONValue, captured: [[String]: JSONBulk]), ParseError> = data.withUnsafeBytes { raw in
            do throws(ParseError) {
                return .success(try parse(raw, options: options, capturing: paths))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
