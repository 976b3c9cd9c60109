import LMInput

/// A restricted pickle reader for PyTorch checkpoints: it understands the opcodes `torch.save` emits
/// (protocol 2, plus the few protocol 3–5 additions) and builds plain values; globals resolve only to the
/// closed set `TorchGlobal`, and "calling" one only records a tensor description. Nothing is ever executed,
/// so a malicious pickle can at worst be rejected.
// Follows the opcode semantics of CPython's Lib/pickle.py (_Unpickler) and the allow-list approach of
// torch/_weights_only_unpickler.py (torch 2.13).

struct TorchUnpickler {
    let bytes: UnsafeRawBufferPointer
    /// Names the stream in errors, e.g. "model.bin: data.pkl".
    let source: String
    /// Path of the checkpoint, for the "refusing to load" message.
    let path: String
    private(set) var position: Int

    /// Every storage the pickles named through persistent ids, by key (the legacy format needs the dtype of
    /// each stored record, including storages of tensors outside the state dict's top level).
    private(set) var storages: [String: TorchStorageRef] = [:]

    /// One flat stack for every frame: CPython's unpickler saves the stack at each MARK and starts an
    /// empty one (its metastack); here a MARK only records where its frame begins, so popping a
    /// mark moves just that frame's items. Mutations must find it uniquely referenced: once an
    /// opcode's pop ran inside a call's arguments, which copied `self`, and every pop then copied
    /// the whole stack (quadratic: 17,000 marks took 11 s; found by the libFuzzer safetensors
    /// harness as a timeout, regression input safetensors/pickle-many-marks).
    private var stack: [PickleValue] = []
    /// Where each open MARK's frame begins in `stack`.
    private var marks: [Int] = []
    /// The current frame's first index: items below it belong to outer frames.
    private var frameStart: Int { marks.last ?? 0 }
    private var memo: [Int: PickleValue] = [:]

    init(bytes: UnsafeRawBufferPointer, path: String, source: String, start: Int = 0) {
        self.bytes = bytes
        self.path = path
        self.source = source
        self.position = start
    }

    private func fail(_ message: String, at offset: Int? = nil) -> InputError {
        .format("\(source): \(message) at byte \(offset ?? position)")
    }

    // MARK: reading

    private mutating func take(_ n: Int) throws -> UnsafeRawBufferPointer {
        guard n >= 0, n <= bytes.count - position else {
            throw fail("pickle truncated: \(n) bytes wanted, \(bytes.count - position) left")
        }
        defer { position += n }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<(position + n)])
    }

    private mutating func u8() throws -> Int { Int(try take(1)[0]) }

    private mutating func u16() throws -> Int { Int(try take(2).loadUnaligned(as: UInt16.self).littleEndian) }

    private mutating func u32() throws -> Int { Int(try take(4).loadUnaligned(as: UInt32.self).littleEndian) }

    private mutating func u64() throws -> Int {
        let v = try take(8).loadUnaligned(as: UInt64.self).littleEndian
        guard v <= UInt64(Int.max) else { throw fail("pickle length \(v) too large") }
        return Int(v)
    }

    private mutating func line() throws -> String {
        guard let end = bytes[position...].firstIndex(of: 0x0A) else { throw fail("pickle truncated in a GLOBAL") }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<end]), as: UTF8.self)
        position = end + 1
        return text
    }

    private mutating func utf8(_ n: Int) throws -> String {
        let raw = try take(n)
        guard let s = String(validating: raw, as: UTF8.self) else { throw fail("invalid UTF-8 in a pickle string") }
        return s
    }

    // MARK: stack

    private mutating func pop() throws -> PickleValue {
        guard stack.count > frameStart, let v = stack.popLast() else { throw fail("pickle stack underflow") }
        return v
    }

    private func top() throws -> PickleValue {
        guard stack.count > frameStart, let v = stack.last else { throw fail("pickle stack underflow") }
        return v
    }

    private mutating func popMark() throws -> [PickleValue] {
        guard let start = marks.popLast() else { throw fail("pickle MARK missing") }
        let items = Array(stack[start...])
        stack.removeSubrange(start...)
        return items
    }

    // MARK: loading

    /// Reads one pickle (up to its STOP opcode) and returns its value; `position` is then just past STOP.
    mutating func load() throws -> PickleValue {
        stack = []
        marks = []
        memo = [:]
        while true {
            let opOffset = position
            // Every opcode adds at most one stack item, mark or memo entry: bounding them bounds the
            // memory a hostile pickle can make the reader hold (100+ bytes per item, from 1 byte each).
            guard stack.count + marks.count <= TorchUnpickler.maxStackItems else {
                throw fail("pickle holds more than \(TorchUnpickler.maxStackItems) items on its stack "
                    + "(a state dict needs a few thousand)", at: opOffset)
            }
            guard memo.count <= TorchUnpickler.maxMemoEntries else {
                throw fail("pickle memoizes more than \(TorchUnpickler.maxMemoEntries) values", at: opOffset)
            }
            let op = UInt8(try u8())
            switch op {
            case 0x80: // PROTO
                let version = try u8()
                guard version <= 5 else { throw fail("unknown pickle protocol \(version)", at: opOffset) }
            case 0x95: // FRAME: a length prefix only
                _ = try u64()
            case 0x2E: // STOP
                return try pop()
            case 0x28: // MARK
                marks.append(stack.count)
            case 0x30: // POP
                _ = try pop()
            case 0x31: // POP_MARK
                _ = try popMark()
            case 0x32: // DUP
                stack.append(try top())
            case 0x4E: stack.append(.none)
            case 0x88: stack.append(.bool(true))
            case 0x89: stack.append(.bool(false))
            case 0x4A: // BININT
                stack.append(.int(Int(Int32(bitPattern: UInt32(try u32())))))
            case 0x4B: stack.append(.int(try u8()))   // BININT1
            case 0x4D: stack.append(.int(try u16()))  // BININT2
            case 0x8A: stack.append(try long(length: try u8()))  // LONG1
            case 0x8B: // LONG4
                let n = try u32()
                stack.append(try long(length: n))
            case 0x47: // BINFLOAT, big-endian
                let bits = try take(8).loadUnaligned(as: UInt64.self).bigEndian
                stack.append(.float(Double(bitPattern: bits)))
            case 0x58: stack.append(.string(try utf8(try u32())))  // BINUNICODE
            case 0x8C: stack.append(.string(try utf8(try u8())))   // SHORT_BINUNICODE
            case 0x8D: stack.append(.string(try utf8(try u64())))  // BINUNICODE8
            case 0x54, 0x55: // BINSTRING, SHORT_BINSTRING: Python 2 str, read as Latin-1 text
                let n = op == 0x54 ? try u32() : try u8()
                let raw = try take(n)
                stack.append(.string(String(String.UnicodeScalarView(raw.map { Unicode.Scalar($0) }))))
            case 0x42, 0x43: // BINBYTES, SHORT_BINBYTES
                let n = op == 0x42 ? try u32() : try u8()
                stack.append(.bytes(Array(try take(n))))
            case 0x29: stack.append(try tuple([], at: opOffset))  // EMPTY_TUPLE
            // Every operand is popped into a local before the call that uses it: as an argument of a
            // non-mutating method, a mutating pop made Swift copy `self` (stack, marks and memo) for
            // the call, so the stack was shared when popped and copied whole (see `stack`).
            case 0x74: // TUPLE
                let items = try popMark()
                stack.append(try tuple(items, at: opOffset))
            case 0x85: // TUPLE1
                let item = try pop()
                stack.append(try tuple([item], at: opOffset))
            case 0x86: // TUPLE2
                let b = try pop(), a = try pop()
                stack.append(try tuple([a, b], at: opOffset))
            case 0x87: // TUPLE3
                let c = try pop(), b = try pop(), a = try pop()
                stack.append(try tuple([a, b, c], at: opOffset))
            case 0x5D: stack.append(.list(PickleList()))  // EMPTY_LIST
            case 0x6C: // LIST
                let list = PickleList()
                let items = try popMark()
                try appendTo(.list(list), items, at: opOffset)
                stack.append(.list(list))
            case 0x61: // APPEND
                let item = try pop()
                try appendTo(top(), [item], at: opOffset)
            case 0x65: // APPENDS
                let items = try popMark()
                try appendTo(top(), items, at: opOffset)
            case 0x7D: stack.append(.dict(PickleDict()))  // EMPTY_DICT
            case 0x64: // DICT
                let dict = PickleDict()
                let items = try popMark()
                try setItems(dict, items, at: opOffset)
                stack.append(.dict(dict))
            case 0x73: // SETITEM
                let value = try pop(), key = try pop()
                guard case .dict(let dict) = try top() else { throw fail("SETITEM on \(try top().kind)", at: opOffset) }
                try setItems(dict, [key, value], at: opOffset)
            case 0x75: // SETITEMS
                let items = try popMark()
                guard case .dict(let dict) = try top() else { throw fail("SETITEMS on \(try top().kind)", at: opOffset) }
                try setItems(dict, items, at: opOffset)
            case 0x63: // GLOBAL "module\nname\n"
                let module = try line()
                let name = try line()
                stack.append(.global(try resolve(module: module, name: name)))
            case 0x93: // STACK_GLOBAL
                guard case .string(let name) = try pop(), case .string(let module) = try pop() else {
                    throw fail("STACK_GLOBAL expects two strings", at: opOffset)
                }
                stack.append(.global(try resolve(module: module, name: name)))
            case 0x52: // REDUCE
                let args = try pop()
                let callable = try pop()
                stack.append(try call(callable, args, at: opOffset))
            case 0x62: // BUILD: only the attribute dict torch pickles on a state dict (`_metadata`) is expected
                _ = try pop()
                switch try top() {
                case .dict, .tensor: break
                case let other: throw fail("BUILD on \(other.kind)", at: opOffset)
                }
            case 0x51: // BINPERSID
                let pid = try pop()
                let storage = try persistentStorage(pid, at: opOffset)
                if storages[storage.key] == nil { storages[storage.key] = storage }
                stack.append(.storage(storage))
            case 0x68: try get(try u8(), at: opOffset)    // BINGET
            case 0x6A: try get(try u32(), at: opOffset)   // LONG_BINGET
            case 0x71: memo[try u8()] = try top()         // BINPUT
            case 0x72: memo[try u32()] = try top()        // LONG_BINPUT
            case 0x94: memo[memo.count] = try top()       // MEMOIZE
            case 0x69, 0x6F, 0x81, 0x92, 0x82, 0x83, 0x84, 0x50:
                // INST, OBJ, NEWOBJ, NEWOBJ_EX, EXT1/2/4, PERSID: object construction a state dict never needs.
                throw InputError.unsupported("refusing to load \(path): pickle opcode 0x\(String(op, radix: 16)) "
                    + "constructs arbitrary objects (at byte \(opOffset) of \(source))")
            default:
                throw fail("unsupported pickle opcode 0x\(String(op, radix: 16))", at: opOffset)
            }
        }
    }

    private mutating func long(length n: Int) throws -> PickleValue {
        let raw = try take(n)
        if n == 0 { return .int(0) }
        if n <= 8 {
            var value: UInt64 = 0
            for i in 0..<n { value |= UInt64(raw[i]) << (8 * UInt64(i)) }
            if n < 8 && raw[n - 1] & 0x80 != 0 {
                value |= ~0 << (8 * UInt64(n))  // sign-extend
            }
            return .int(Int(Int64(bitPattern: value)))
        }
        return .bigInt(Array(raw))
    }

    private mutating func get(_ index: Int, at offset: Int) throws {
        guard let value = memo[index] else { throw fail("pickle memo \(index) is not set", at: offset) }
        stack.append(value)
    }

    private func resolve(module: String, name: String) throws -> TorchGlobal {
        guard let global = TorchGlobal(module: module, name: name) else {
            // Protocol 2 spells Python 3's builtins the Python 2 way; name them as a Python 3 user knows them.
            let shown = module == "__builtin__" ? "builtins" : module
            throw InputError.unsupported("refusing to load \(path): pickle global '\(shown).\(name)' is not "
                + "allowed (a PyTorch checkpoint may only name its tensor-rebuild functions and storage types)")
        }
        return global
    }

    /// Live stack items and marks at once. A state dict's pickle holds the items of one SETITEMS
    /// batch (1000 pairs) plus a few levels; a million is far above any checkpoint.
    static let maxStackItems = 1 << 20
    /// Memo entries: several per tensor (name, storage, size tuples); 2^22 covers a million tensors.
    static let maxMemoEntries = 1 << 22

    /// Maximum container nesting: state dicts need about 5 levels; releasing a deeper value could
    /// exhaust a small thread stack.
    static let maxDepth = 100

    /// Marks `items` as placed in a container (`receiver`, or a new one) and returns its depth.
    /// A container placed in itself is refused: that is the one cycle freezing cannot prevent (a
    /// frozen container takes no more items), and a cycle of reference-counted containers would
    /// never be freed (found by the libFuzzer torch-bin harness, LeakSanitizer).
    private func place(_ items: [PickleValue], into receiver: PickleContainer? = nil, at offset: Int) throws -> Int {
        var deepest = 0
        for item in items {
            switch item {
            case .list(let list):
                guard list !== receiver else { throw fail("pickle puts a list inside itself", at: offset) }
                list.frozen = true
            case .dict(let dict):
                guard dict !== receiver else { throw fail("pickle puts a dict inside itself", at: offset) }
                dict.frozen = true
            default: break
            }
            deepest = max(deepest, item.depth)
        }
        guard deepest < TorchUnpickler.maxDepth else {
            throw fail("pickle nests containers deeper than \(TorchUnpickler.maxDepth) levels", at: offset)
        }
        return deepest + 1
    }

    private func tuple(_ items: [PickleValue], at offset: Int) throws -> PickleValue {
        .tuple(items, depth: try place(items, at: offset))
    }

    private func appendTo(_ target: PickleValue, _ items: [PickleValue], at offset: Int) throws {
        guard case .list(let list) = target else { throw fail("APPEND on \(target.kind)", at: offset) }
        guard !list.frozen else { throw fail("pickle modifies a list after using it", at: offset) }
        list.depth = max(list.depth, try place(items, into: list, at: offset))
        list.items.append(contentsOf: items)
    }

    private func setItems(_ dict: PickleDict, _ items: [PickleValue], at offset: Int) throws {
        guard items.count % 2 == 0 else { throw fail("odd number of items for a dict", at: offset) }
        guard !dict.frozen else { throw fail("pickle modifies a dict after using it", at: offset) }
        dict.depth = max(dict.depth, try place(items, into: dict, at: offset))
        for i in stride(from: 0, to: items.count, by: 2) {
            dict.items.append((items[i], items[i + 1]))
        }
    }
}
