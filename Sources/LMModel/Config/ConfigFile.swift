#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Typed, checked access to the fields of a config.json or generation_config.json.
///
/// Every accessor names the file and the field in its error, and distinguishes "absent or
/// null" (the default applies) from "present with the wrong type" (an error: a config that
/// says `"d_model": "512"` is broken, not defaulted).
public struct ConfigFile: Sendable {
    public let path: String
    let fields: [String: JSONValue]

    init(path: String, fields: [String: JSONValue]) {
        self.path = path
        self.fields = fields
    }

    /// Reads `path`; a missing file is an io error, malformed JSON (including duplicate keys,
    /// which Python's json would silently resolve) a format error.
    public static func read(_ path: String) throws -> ConfigFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelError.io("\(path): cannot read the file")
        }
        return try parse([UInt8](data), path: path)
    }

    /// Parses JSON text; `path` names it in errors.
    public static func parse(_ bytes: [UInt8], path: String) throws -> ConfigFile {
        let value: JSONValue
        do {
            value = try WeightsJSON.parse(bytes)
        } catch {
            throw ModelError.format("\(path): invalid JSON at byte \(error.offset): \(error.message)")
        }
        guard case .object(let members) = value else {
            throw ModelError.format("\(path): expected a JSON object at the top level, found \(value.kind)")
        }
        var fields: [String: JSONValue] = [:]
        for (key, member) in members { fields[key] = member }
        return ConfigFile(path: path, fields: fields)
    }

    /// The field names present.
    public var keys: [String] { fields.keys.sorted() }

    public func has(_ key: String) -> Bool {
        if let v = fields[key], !v.isNull { return true }
        return false
    }

    /// The number in a field as a Double, if it is a number.
    private static func number(_ v: JSONValue) -> Double? {
        guard case .number(let text) = v else { return nil }
        return Double(text)
    }

    /// An integer field; absent/null gives nil. Non-integral numbers are errors.
    public func int(_ key: String) throws -> Int? {
        guard let v = fields[key], !v.isNull else { return nil }
        guard let d = ConfigFile.number(v), d.rounded() == d, abs(d) < 9.0e15 else {
            throw ModelError.format("\(path): field '\(key)' must be an integer, found \(v.kind)")
        }
        return Int(d)
    }

    /// An integer field that must be present and at least `minimum`.
    public func requiredInt(_ key: String, minimum: Int = 1) throws -> Int {
        guard let v = try int(key) else {
            throw ModelError.format("\(path): required field '\(key)' is missing")
        }
        guard v >= minimum else {
            throw ModelError.format("\(path): field '\(key)' is \(v), must be at least \(minimum)")
        }
        return v
    }

    /// An integer field with a default when absent, checked against `minimum`.
    public func int(_ key: String, default value: Int, minimum: Int = 0) throws -> Int {
        let v = try int(key) ?? value
        guard v >= minimum else {
            throw ModelError.format("\(path): field '\(key)' is \(v), must be at least \(minimum)")
        }
        return v
    }

    public func double(_ key: String) throws -> Double? {
        guard let v = fields[key], !v.isNull else { return nil }
        guard let d = ConfigFile.number(v), d.isFinite else {
            throw ModelError.format("\(path): field '\(key)' must be a number, found \(v.kind)")
        }
        return d
    }

    public func bool(_ key: String) throws -> Bool? {
        guard let v = fields[key], !v.isNull else { return nil }
        guard case .bool(let b) = v else {
            throw ModelError.format("\(path): field '\(key)' must be true or false, found \(v.kind)")
        }
        return b
    }

    public func bool(_ key: String, default value: Bool) throws -> Bool {
        try bool(key) ?? value
    }

    public func string(_ key: String) throws -> String? {
        guard let v = fields[key], !v.isNull else { return nil }
        guard case .string(let s) = v else {
            throw ModelError.format("\(path): field '\(key)' must be a string, found \(v.kind)")
        }
        return s
    }

    /// An id or a list of ids (as `eos_token_id` may be); absent/null gives [].
    public func intList(_ key: String) throws -> [Int] {
        guard let v = fields[key], !v.isNull else { return [] }
        switch v {
        case .number:
            return [try int(key) ?? 0]
        case .array(let items):
            return try items.map { item in
                guard let d = ConfigFile.number(item), d.rounded() == d, abs(d) < 9.0e15 else {
                    throw ModelError.format("\(path): field '\(key)' must hold integers, found \(item.kind)")
                }
                return Int(d)
            }
        default:
            throw ModelError.format("\(path): field '\(key)' must be an integer or a list of integers, "
                + "found \(v.kind)")
        }
    }
}

extension JSONValue {
    var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}
