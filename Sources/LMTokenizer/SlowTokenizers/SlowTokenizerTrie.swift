// Follows transformers' `Trie.split` (tokenization_python.py, 5.x), which the Python ("slow")
// tokenizers such as MarianTokenizer use to cut text on added tokens: a single pass tracking
// partial matches, taking the earliest-starting match and extending it to the longest token.
// Characters are Unicode scalars, as Python's str.

/// The added-token splitter of transformers' Python tokenizers.
struct SlowTokenizerTrie: Sendable {
    private var children: [[UInt32: Int32]] = [[:]]
    private var terminal: [Bool] = [false]
    /// The first characters of the tokens.
    private var firstScalars: [UInt32] = []

    init(_ tokens: [String]) {
        for t in tokens { add(t) }
        firstScalars = Array(children[0].keys).sorted()
    }

    private mutating func add(_ word: String) {
        guard !word.isEmpty else { return }
        var node = 0
        for s in word.unicodeScalars {
            if let next = children[node][s.value] {
                node = Int(next)
            } else {
                children.append([:])
                terminal.append(false)
                children[node][s.value] = Int32(children.count - 1)
                node = children.count - 1
            }
        }
        terminal[node] = true
    }

    @inline(__always) private func child(_ node: Int, _ c: UInt32?) -> Int? {
        guard let c, let n = children[node][c] else { return nil }
        return Int(n)
    }

    /// Cuts `text` into pieces along the added tokens found, as `Trie.split`. Returns the
    /// pieces' scalar ranges (their concatenation is the whole text).
    func split(_ text: [Unicode.Scalar]) -> [Range<Int>] {
        // Fast path: no character of the text starts a token.
        if !text.contains(where: { s in firstScalars.contains(s.value) }) { return text.isEmpty ? [] : [0..<text.count] }
        var states: [(start: Int, node: Int)] = []
        var offsets = [0]
        var skip = 0
        let count = text.count
        for current in 0..<count {
            let currentChar = text[current].value
            if skip > 0 && current < skip { continue }
            var toRemove = Set<Int>()
            var reset = false
            var k = 0
            while k < states.count {
                var start = states[k].start
                let pointer = states[k].node
                if terminal[pointer] {
                    // A full match: look ahead for the longest one among the earlier partial matches.
                    var end = current
                    for (lookStart, lookNode0) in states {
                        var lookNode = lookNode0
                        if lookStart > start { break }
                        var lookahead: Int
                        if lookStart < start {
                            lookahead = current + 1
                            end = current + 1
                        } else {
                            lookahead = current
                            end = current
                        }
                        var nextChar: UInt32? = lookahead < count ? text[lookahead].value : nil
                        if terminal[lookNode] {
                            start = lookStart
                            end = lookahead
                            skip = lookahead
                        }
                        while let n = child(lookNode, nextChar) {
                            lookNode = n
                            lookahead += 1
                            if terminal[lookNode] {
                                start = lookStart
                                end = lookahead
                                skip = lookahead
                            }
                            if lookahead == count { break }
                            nextChar = text[lookahead].value
                        }
                    }
                    offsets.append(start)
                    offsets.append(end)
                    reset = true
                    break
                } else if let n = child(pointer, currentChar) {
                    states[k].node = n
                } else {
                    toRemove.insert(start)
                }
                k += 1
            }
            if reset {
                states.removeAll()
            } else if !toRemove.isEmpty {
                states.removeAll { toRemove.contains($0.start) }
            }
            if current >= skip, let n = child(0, currentChar) {
                states.append((current, n))
            }
        }
        for (start, node) in states where terminal[node] {
            offsets.append(start)
            offsets.append(count)
            break
        }
        // `cut_text`: skip empty and backwards cuts.
        offsets.append(count)
        var pieces: [Range<Int>] = []
        var start = 0
        for end in offsets {
            if start >= end { continue }
            pieces.append(start..<end)
            start = end
        }
        return pieces
    }
}
