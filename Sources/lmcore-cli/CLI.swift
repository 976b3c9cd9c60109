import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import LMCore

/// Shared plumbing of the subcommands.
enum CLI {
    /// Runs `body`; an lmcore error becomes one line on stderr and exit status 1.
    static func run<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as LMCoreError {
            fail(error.message)
        } catch let error as ValidationError {
            throw error
        } catch {
            fail("\(error)")
        }
    }

    static func fail(_ message: String) -> Never {
        var stderr = StandardError()
        print("lmcore-cli: \(message)", to: &stderr)
        exit(1)
    }

    /// Space-separated non-negative integers.
    static func parseIds(_ line: String, line number: Int, what: String? = nil) throws -> [Int32] {
        var ids: [Int32] = []
        for field in line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }) {
            guard let id = Int32(field), id >= 0 else {
                throw LMCoreError(.invalidArgument, "\(what ?? "line \(number)"): '\(field)' is not a token id")
            }
            ids.append(id)
        }
        return ids
    }
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        var bytes = Array(string.utf8)
        bytes.withUnsafeMutableBytes { raw in
            _ = Glibc.write(2, raw.baseAddress, raw.count)
        }
    }
}

extension CLI {
    static var stdinIsTerminal: Bool { isatty(0) != 0 }

    /// Makes printed lines visible now (stdout is block-buffered when it is a pipe).
    static func flushStdout() { fflush(nil) }
    static var stderrIsTerminal: Bool { isatty(2) != 0 }
}
