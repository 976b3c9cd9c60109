import LMInput
import Testing

private func parse(_ text: String, _ options: JSONReader.Options = .python) throws -> JSONValue {
    try JSONReader.parse(Array(text.utf8), options: options)
}

private func syntaxError(_ text: String, _ options: JSONReader.Options = .python) -> JSONReader.ParseError? {
    do { _ = try parse(text, options); return nil } catch let e as JSONReader.ParseError { return e } catch { return nil }
}

@Suite struct JSONReaderTests {
    @Test func duplicateMembersFollowEachFilesReference() throws {
        // Python's json and serde maps keep the last value; safetensors headers reject the file.
        let doc = #"{"a": 1, "b": 2, "a": 3}"#
        #expect(try parse(doc, .python)["a"]?.integer == 3)
        #expect(try parse(doc, .serde)["a"]?.integer == 3)
        #expect(try parse(doc, .python).members?.count == 3)
        let e = syntaxError(doc, .uniqueKeys)
        #expect(e?.message == "duplicate member 'a'")
        #expect(e?.offset == 17)
    }

    @Test func loneSurrogatesFollowEachFilesReference() throws {
        #expect(try parse(#""\ud800x""#, .python).string == "\u{FFFD}x")
        #expect(try parse(#""\udc00\ud800\u0041""#, .python).string == "\u{FFFD}\u{FFFD}A")
        #expect(syntaxError(#""\ud800x""#, .serde)?.message == "unpaired surrogate in \\u escape")
        #expect(try parse(#""\ud83d\ude00""#, .serde).string == "😀")
    }

    @Test func memberNamesCompareByteForByte() throws {
        let v = try parse(#"{"é": 1, "e\u0301": 2}"#)
        #expect(v["é"]?.integer == 1)
        #expect(v["e\u{301}"]?.integer == 2)
    }

    @Test func strictSyntax() {
        for bad in ["{\"a\":1,}", "[1,]", "01", "1.", "-", "NaN", "{'a':1}", "[1] x", "\"a\u{01}\"", "tru", "{\"a\" 1}", ""] {
            #expect(syntaxError(bad) != nil, "accepted \(bad.debugDescription)")
        }
        #expect(syntaxError("\u{FEFF}{}")?.message.contains("byte order mark") == true)
        let invalidUTF8 = [UInt8(ascii: "\""), 0xC3, UInt8(ascii: "\"")]
        #expect(throws: JSONReader.ParseError.self) { try JSONReader.parse(invalidUTF8, options: .serde) }
    }

    @Test func nestingIsBounded() throws {
        func nested(_ n: Int) -> String { String(repeating: "[", count: n) + String(repeating: "]", count: n) }
        // serde_json's limit: 127 nested containers parse, the 128th is refused.
        #expect(syntaxError(nested(128), .serde)?.message == "nesting deeper than 127")
        #expect(try parse(nested(127), .serde).items?.count == 1)
        #expect(try parse(nested(128), .python).items?.count == 1)
        #expect(syntaxError(nested(100_000), .python)?.message == "nesting deeper than 512")
    }

    @Test func numbersKeepTheirText() throws {
        #expect(try parse("12345678901234567890").nonNegativeInt == nil)
        #expect(try parse("9007199254740993").nonNegativeInt == 9007199254740993)
        #expect(try parse("7.0").integer == 7)
        #expect(try parse("7e0").integer == 7)
        #expect(try parse("7.5").integer == nil)
        // `integer` is bounded below 9e15 however the number is written (configs, Marian's ids).
        #expect(try parse("8999999999999999").integer == 8999999999999999)
        #expect(try parse("9000000000000000").integer == nil)
        #expect(try parse("1e16").integer == nil)
        #expect(try parse("-0.25").double == -0.25)
        #expect(try parse("1e400").double == .infinity)
        #expect(try parse("-9223372036854775808").integer == nil)
        #expect(try parse("9223372036854775808").integer == nil)
        #expect(try parse("2305843009213693952").nonNegativeInt == 2305843009213693952)
        guard case .number(let n) = try parse("2.50") else { Issue.record("not a number"); return }
        #expect(n.text == "2.50")
    }

    @Test func writerRoundTrips() throws {
        let v = try parse(#"{"a":[1,2.5,"x\"\n",true,null],"b":{}}"#)
        #expect(String(decoding: v.serialized(), as: UTF8.self) == #"{"a":[1,2.5,"x\"\u000a",true,null],"b":{}}"#)
        #expect(try JSONReader.parse(v.serialized(), options: .python).serialized() == v.serialized())
        #expect(String(decoding: JSONValue.number(3.0).serialized(), as: UTF8.self) == "3")
    }
}

@Suite struct JSONValueDecoderTests {
    struct Fields: Decodable, Equatable {
        var id: Int32
        var name: String
        var score: Double?
        var flags: [Bool]
    }

    @Test func decodesLikeFoundationWithTheLastDuplicate() throws {
        let v = try parse(#"{"id": 7.0, "name": "x", "name": "y", "flags": [true, false], "score": null}"#, .serde)
        #expect(try JSONValueDecoder.decode(Fields.self, from: v) == Fields(id: 7, name: "y", score: nil, flags: [true, false]))
        #expect(try JSONValueDecoder.decode([String: Int].self, from: parse(#"{"a": 1, "a": 2}"#)) == ["a": 2])
        #expect(try JSONValueDecoder.decode(Int64.self, from: parse("9223372036854775807")) == .max)
    }

    @Test func errorsNameTheField() throws {
        func failure(_ text: String) throws -> DecodingError? {
            do { _ = try JSONValueDecoder.decode(Fields.self, from: parse(text)); return nil } catch let e as DecodingError { return e }
        }
        guard case .dataCorrupted(let c)? = try failure(#"{"id": 3000000000, "name": "x", "flags": []}"#) else {
            Issue.record("out-of-range id accepted"); return
        }
        #expect(c.codingPath.map(\.stringValue) == ["id"])
        guard case .typeMismatch(_, let t)? = try failure(#"{"id": 1, "name": "x", "flags": [1]}"#) else {
            Issue.record("number accepted as Bool"); return
        }
        #expect(t.codingPath.map(\.stringValue) == ["flags", "0"])
        guard case .keyNotFound(let key, _)? = try failure(#"{"id": 1, "flags": []}"#) else {
            Issue.record("missing name accepted"); return
        }
        #expect(key.stringValue == "name")
    }
}

/// `parse(_:options:capturing:)`: what it lifts out equals what the tree holds without capturing,
/// values of other shapes stay in the tree, and errors are those of the ordinary parse.
@Suite struct JSONReaderCaptureTests {
    private func capture(_ text: String, _ paths: [[String]] = [["m", "v"], ["m", "x"]])
        throws -> (value: JSONValue, captured: [[String]: JSONBulk]) {
        try Array(text.utf8).withUnsafeBytes { try JSONReader.parse($0, options: .serde, capturing: paths) }
    }

    @Test func everyShapeIsCapturedExactly() throws {
        let pairs = try capture(#"{"m": {"v": [["a", -1.5], ["\u00e9", 2], ["c", 1e-3]], "t": 1}}"#)
        guard case .stringNumberPairs(let p)? = pairs.captured[["m", "v"]] else { Issue.record("no pairs"); return }
        #expect(p.map(\.0) == ["a", "é", "c"] && p.map(\.1) == [-1.5, 2, 1e-3])
        #expect(pairs.value["m"]?["v"]?.items?.isEmpty == true && pairs.value["m"]?["t"]?.integer == 1)

        let members = try capture(#"{"m": {"v": {"x": 0, "y": 1, "x": 2}}}"#)
        guard case .stringNumberMembers(let m)? = members.captured[["m", "v"]] else { Issue.record("no members"); return }
        #expect(m.map(\.0) == ["x", "y", "x"] && m.map(\.1) == [0, 1, 2])  // duplicates kept in order
        #expect(members.value["m"]?["v"]?.members?.isEmpty == true)

        let merges = try capture(#"{"m": {"v": [["a", "b"]], "x": ["a b", "c d"]}}"#)
        guard case .stringPairs(let s)? = merges.captured[["m", "v"]], case .strings(let l)? = merges.captured[["m", "x"]] else {
            Issue.record("no merges"); return
        }
        #expect(s.map(\.0) == ["a"] && s.map(\.1) == ["b"] && l == ["a b", "c d"])
    }

    @Test func otherShapesStayInTheTree() throws {
        for doc in [#"{"m": {"v": [["a", 1], ["b", "c"]]}}"#, #"{"m": {"v": [["a", 1, 2]]}}"#, #"{"m": {"v": []}}"#,
                    #"{"m": {"v": {"a": "b"}}}"#, #"{"m": {"v": [1, 2]}}"#, #"{"v": [["a", 1]]}"#, #"{"m": {"v": 3}}"#] {
            let result = try capture(doc)
            #expect(result.captured.isEmpty, "\(doc)")
            #expect(result.value.serialized() == (try JSONReader.parse(Array(doc.utf8), options: .serde)).serialized(),
                    "\(doc)")
        }
    }

    @Test func errorsAreThoseOfTheOrdinaryParse() {
        for doc in [#"{"m": {"v": [["a", 1],]}}"#, #"{"m": {"v": [["a", 01]]}}"#, #"{"m": {"v": [["\ud800", 1]]}}"#,
                    #"{"m": {"v": [["a", 1]]"#, #"{"m": {"v": {"a": 1,}}}"#] {
            var plain: JSONReader.ParseError?, captured: JSONReader.ParseError?
            do { _ = try JSONReader.parse(Array(doc.utf8), options: .serde) } catch let e as JSONReader.ParseError { plain = e } catch {}
            do { _ = try capture(doc) } catch let e as JSONReader.ParseError { captured = e } catch {}
            #expect(plain != nil && plain?.message == captured?.message && plain?.offset == captured?.offset, "\(doc)")
        }
    }
}
