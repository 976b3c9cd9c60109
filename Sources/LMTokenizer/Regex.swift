// The only file that sees Oniguruma. HF tokenizers compiles its Split / ByteLevel / Replace
// patterns with the `onig` crate (Oniguruma, UTF-8, default syntax, no options), so lmcore does
// the same to get identical matches.
import COniguruma
import LMInput

/// A compiled Oniguruma pattern. Immutable after creation; searching allocates its own match
/// region, so one instance is safe to share across threads (Oniguruma's search is reentrant).
package final class OnigurumaPattern: @unchecked Sendable {
    /// The pattern source, as written in tokenizer.json.
    package let source: String
    private let regex: OnigRegex

    private static let initialized: Bool = {
        var encodings: [OnigEncoding?] = [lmcore_onig_encoding_utf8()]
        return encodings.withUnsafeMutableBufferPointer { buffer in
            onig_initialize(buffer.baseAddress, 1) == ONIG_NORMAL
        }
    }()

    /// Compiles `pattern`; a syntax error throws `InputError.format` naming `context`.
    package init(_ pattern: String, context: String) throws {
        guard OnigurumaPattern.initialized else {
            throw InputError.format("\(context): Oniguruma failed to initialize")
        }
        source = pattern
        var compiled: OnigRegex? = nil
        var info = OnigErrorInfo()
        let bytes = Array(pattern.utf8)
        let status = bytes.withUnsafeBufferPointer { buffer -> Int32 in
            // An empty pattern still needs a valid (non-null) start pointer.
            guard let base = buffer.baseAddress else {
                var empty: UInt8 = 0
                return withUnsafeMutablePointer(to: &empty) { p in
                    onig_new(&compiled, p, p, ONIG_OPTION_NONE, lmcore_onig_encoding_utf8(),
                             lmcore_onig_syntax_default(), &info)
                }
            }
            return onig_new(&compiled, base, base + buffer.count, ONIG_OPTION_NONE,
                            lmcore_onig_encoding_utf8(), lmcore_onig_syntax_default(), &info)
        }
        guard status == ONIG_NORMAL, let regex = compiled else {
            throw InputError.format(
                "\(context): invalid regex \(pattern.debugDescription): \(OnigurumaPattern.message(status, &info))")
        }
        self.regex = regex
    }

    deinit { onig_free(regex) }

    private static func message(_ code: Int32, _ info: UnsafeMutablePointer<OnigErrorInfo>?) -> String {
        var buffer = [UInt8](repeating: 0, count: Int(ONIG_MAX_ERROR_MESSAGE_LEN) + 1)
        let length = buffer.withUnsafeMutableBufferPointer {
            lmcore_onig_error_string($0.baseAddress, code, info)
        }
        return String(decoding: buffer.prefix(max(0, min(Int(length), buffer.count))), as: UTF8.self)
    }

    /// All non-overlapping matches in `text` (UTF-8), as byte ranges, following the `onig`
    /// crate's `find_iter`: an empty match right after the previous match is skipped by
    /// advancing one character.
    package func matches(in text: UnsafeBufferPointer<UInt8>) throws -> [Range<Int>] {
        guard let base = text.baseAddress, !text.isEmpty else {
            return try matchesInEmpty()
        }
        guard let region = onig_region_new() else {
            throw InputError.format("regex \(source.debugDescription): out of memory")
        }
        defer { onig_region_free(region, 1) }
        var result: [Range<Int>] = []
        let end = base + text.count
        var lastEnd = 0
        var lastMatchEnd = -1
        while lastEnd <= text.count {
            let found = onig_search(regex, base, end, base + lastEnd, end, region, ONIG_OPTION_NONE)
            if found == ONIG_MISMATCH { break }
            if found < 0 {
                throw InputError.invalidArgument(
                    "regex \(source.debugDescription): search failed: \(OnigurumaPattern.message(found, nil))")
            }
            guard region.pointee.num_regs > 0, let begs = region.pointee.beg, let ends = region.pointee.end else {
                break
            }
            let s = Int(begs[0]), e = Int(ends[0])
            if s == e && e == lastMatchEnd {
                if lastEnd >= text.count { break }
                lastEnd += UTF8Scalar.length(leadByte: text[lastEnd])
                continue
            }
            result.append(s..<e)
            lastEnd = e
            lastMatchEnd = e
        }
        return result
    }

    private func matchesInEmpty() throws -> [Range<Int>] {
        guard let region = onig_region_new() else { return [] }
        defer { onig_region_free(region, 1) }
        var empty: UInt8 = 0
        let found = withUnsafeMutablePointer(to: &empty) { p in
            onig_search(regex, p, p, p, p, region, ONIG_OPTION_NONE)
        }
        return found >= 0 ? [0..<0] : []
    }
}
