"""Structure-aware mutations of lmcore's input files (JSON configs, tokenizer.json, safetensors,
SentencePiece protobufs), for the fuzzers in this folder. Deterministic for a given random.Random."""
import io
import json
import struct
import zipfile

# Values that break assumptions: sizes, ids, signs, types, magnitudes.
INTERESTING_NUMBERS = [
    0, -1, 1, 2, 3, 7, 8, 255, 256, 65535, 65536, 1 << 20, 1 << 24, (1 << 24) + 1,
    2**31 - 1, 2**31, -2**31, -2**31 - 1, 2**32, 2**32 + 1, 2**53, 2**62, 2**63 - 1, 2**63, 2**64, -2**63,
    9.0e15, 1e16, 1e300, -1e300, 0.5, -0.5, 1.5, 1e-45, -0.0, 3.4e38, 3.5e38,
]
INTERESTING_VALUES = INTERESTING_NUMBERS + [
    None, True, False, "", "x", "never", "gelu", "relu", "\u0000", "\ud7ff", "a" * 300, [], {}, [0], [[0]],
    [-1], [2**31], [[]], {"type": "Sequence"}, {"type": None}, [None], ["x"], [1, 2, 3],
]
# Keys the loaders read, to add where a fixture lacks them.
CONFIG_KEYS = [
    "d_model", "encoder_layers", "decoder_layers", "encoder_attention_heads", "decoder_attention_heads",
    "encoder_ffn_dim", "decoder_ffn_dim", "vocab_size", "decoder_vocab_size", "max_position_embeddings",
    "pad_token_id", "eos_token_id", "bos_token_id", "decoder_start_token_id", "forced_bos_token_id",
    "forced_eos_token_id", "activation_function", "scale_embedding", "share_encoder_decoder_embeddings",
    "tie_word_embeddings", "normalize_before", "add_final_layer_norm", "d_kv", "d_ff", "num_heads", "num_layers",
    "num_decoder_layers", "relative_attention_num_buckets", "relative_attention_max_distance",
    "feed_forward_proj", "dense_act_fn", "is_gated_act", "layer_norm_epsilon", "scale_decoder_outputs",
    "model_type", "max_length", "max_new_tokens", "min_length", "min_new_tokens", "num_beams", "early_stopping",
    "do_sample", "temperature", "top_k", "top_p", "typical_p", "repetition_penalty", "length_penalty",
    "no_repeat_ngram_size", "encoder_no_repeat_ngram_size", "bad_words_ids", "suppress_tokens",
    "begin_suppress_tokens", "exponential_decay_length_penalty", "remove_invalid_values", "renormalize_logits",
    "num_return_sequences", "encoder_repetition_penalty", "num_beam_groups", "penalty_alpha",
    "force_bos_token_to_be_generated", "decoder", "add_prefix_space", "trim_offsets", "use_regex",
    "model_max_length", "source_lang", "target_lang", "separate_vocabs", "sp_model_kwargs", "legacy",
    "do_lower_case", "unk_token", "pad_token", "eos_token", "bos_token", "additional_special_tokens",
    "added_tokens_decoder", "tokenizer_class", "type", "vocab", "merges", "pattern", "content", "id",
]


def _paths(value, prefix=(), max_depth=64):
    """Paths (tuples of keys/indices) into a JSON value, the root included, depth first; iterative,
    so documents nested by earlier mutations do not exhaust Python's stack."""
    stack = [(value, prefix)]
    while stack:
        value, prefix = stack.pop()
        yield prefix
        if len(prefix) >= max_depth:
            continue
        if isinstance(value, dict):
            children = [(v, prefix + (k,)) for k, v in value.items()]
        elif isinstance(value, list):
            # Long lists (vocabularies, merges) contribute a few elements, not all.
            n = len(value)
            picks = range(n) if n <= 8 else sorted({0, 1, n // 2, n - 2, n - 1})
            children = [(value[i], prefix + (i,)) for i in picks]
        else:
            children = []
        stack.extend(reversed(children))


def _get(value, path):
    for p in path:
        value = value[p]
    return value


def _set(root, path, new):
    if not path:
        return new
    parent = _get(root, path[:-1])
    parent[path[-1]] = new
    return root


def _paths_sampled(rng, doc, limit=4000):
    paths = []
    for p in _paths(doc):
        paths.append(p)
        if len(paths) >= limit:
            break
    return paths


def mutate_json_value(rng, doc):
    """One structural mutation of a parsed JSON document (returns the new document)."""
    paths = _paths_sampled(rng, doc)
    path = rng.choice(paths)
    target = _get(doc, path)
    op = rng.randrange(12)
    if op <= 3:
        return _set(doc, path, rng.choice(INTERESTING_VALUES))
    if op == 4 and isinstance(target, dict):
        key = rng.choice(CONFIG_KEYS)
        target[key] = rng.choice(INTERESTING_VALUES)
        return doc
    if op == 5 and path:
        parent = _get(doc, path[:-1])
        if isinstance(parent, dict):
            del parent[path[-1]]
        else:
            del parent[path[-1]]
        return doc
    if op == 6 and isinstance(target, (int, float)) and not isinstance(target, bool):
        delta = rng.choice([-1, 1, -2, 2, 1000, -1000])
        return _set(doc, path, target + delta if rng.random() < 0.5 else target * rng.choice([-1, 0, 2, 1 << 20]))
    if op == 7 and isinstance(target, str):
        choices = [target[:10_000] * rng.randrange(2, 50), target[: len(target) // 2], target + "\u0301", "(" + target,
                   target + "[", "\\", "(?<n>a)\\k<n>", "(a*)*b", "a{100000}", "\ud800" if False else "\uffff",
                   "\u200d" * 10, "[\\p{Xx}]", "((((((((((x))))))))))" * 3]
        return _set(doc, path, rng.choice(choices))
    if op == 8:
        # Deep nesting of the value (stack depth of recursive readers).
        depth = rng.choice([10, 100, 600, 900])  # json.dumps itself recurses (limit ~1000)
        wrapped = target
        for _ in range(depth):
            # One child per level: a child repeated under several keys would grow the text exponentially.
            key = rng.choice(["normalizers", "pretokenizers", "decoders", "processors"])
            wrapped = [wrapped] if rng.random() < 0.5 else {"type": "Sequence", key: [wrapped]}
        return _set(doc, path, wrapped)
    if op == 9 and isinstance(target, list) and target:
        i = rng.randrange(len(target))
        if rng.random() < 0.5:
            target.insert(rng.randrange(len(target) + 1), target[i])
        else:
            target.reverse()
        return doc
    if op == 10 and isinstance(target, dict) and target:
        # Swap two members' values (types change meaning, ids collide).
        keys = list(target)
        a, b = rng.choice(keys), rng.choice(keys)
        target[a], target[b] = target[b], target[a]
        return doc
    # Type change: wrap in a list or object, or stringify.
    kind = rng.randrange(3)
    if kind == 0:
        return _set(doc, path, [target])
    if kind == 1:
        return _set(doc, path, {"value": target})
    return _set(doc, path, json.dumps(target)[:200])


def dump_json(rng, doc):
    """Serialises; sometimes with non-standard number spellings the writer would not produce."""
    text = json.dumps(doc, ensure_ascii=rng.random() < 0.5, allow_nan=True)
    if rng.random() < 0.1:
        text = text.replace("1", "1e400", 1)
    if rng.random() < 0.05:
        text = text.replace("0", "-0.0", 1)
    return text.encode("utf-8", "surrogatepass")


def mutate_bytes(rng, data, rounds=None):
    """Byte-level mutations: bit flips, interesting bytes, truncation, splices, repeats."""
    data = bytearray(data)
    for _ in range(rounds or rng.randrange(1, 5)):
        if not data:
            data += bytes([rng.randrange(256)])
            continue
        op = rng.randrange(7)
        i = rng.randrange(len(data))
        if op == 0:
            data[i] ^= 1 << rng.randrange(8)
        elif op == 1:
            data[i] = rng.choice([0, 0xFF, 0x7F, 0x80, 0x22, 0x5C, 0x7B, 0x5B, 0x30, 0x39])
        elif op == 2:
            del data[rng.randrange(len(data)):]
        elif op == 3:
            j = rng.randrange(len(data))
            chunk = data[j:j + rng.randrange(1, 64)]
            data[i:i] = chunk
        elif op == 4:
            del data[i:i + rng.randrange(1, 64)]
        elif op == 5:
            data[i:i + 4] = struct.pack("<I", rng.choice([0, 0x7FFFFFFF, 0xFFFFFFFF, 0x80000000, 1 << 24]))
        else:
            data[i:i + 8] = struct.pack("<Q", rng.choice([0, 2**63 - 1, 2**64 - 1, 2**63, 1 << 40]))
    return bytes(data)


def mutate_json_bytes(rng, data):
    """A config or tokenizer file: mostly structural, sometimes raw bytes."""
    if rng.random() < 0.8:
        try:
            doc = json.loads(data)
            for _ in range(rng.choice([1, 1, 1, 2, 3, 6])):
                doc = mutate_json_value(rng, doc)
            return dump_json(rng, doc)
        except (ValueError, RecursionError):
            return mutate_bytes(rng, data)
    return mutate_bytes(rng, data)


def mutate_safetensors(rng, data):
    """A safetensors file: header entries (dtype, shape, offsets), header length, or payload bytes."""
    if len(data) < 8 or rng.random() < 0.2:
        return mutate_bytes(rng, data)
    (n,) = struct.unpack("<Q", data[:8])
    try:
        header = json.loads(data[8:8 + n])
    except (ValueError, RecursionError):
        return mutate_bytes(rng, data)
    if not isinstance(header, dict):
        return mutate_bytes(rng, data)
    payload = data[8 + n:]
    names = [k for k in header if k != "__metadata__"]
    op = rng.randrange(8)
    if names and op <= 4:
        name = rng.choice(names)
        entry = header[name]
        field = rng.choice(["dtype", "shape", "data_offsets"])
        if field == "dtype":
            entry["dtype"] = rng.choice(["F32", "F16", "BF16", "F64", "I64", "I32", "I8", "U8", "BOOL", "F8_E4M3",
                                         "F8_E5M2", "I16", "U64", "C64", "F4", "", 3])
        elif field == "shape":
            shape = list(entry.get("shape", []))
            choice = rng.randrange(6)
            if choice == 0 and shape:
                shape[rng.randrange(len(shape))] = rng.choice(INTERESTING_NUMBERS)
            elif choice == 1:
                shape.append(rng.choice([0, 1, 2, 2**31]))
            elif choice == 2 and shape:
                shape.pop()
            elif choice == 3:
                shape = [2**32, 2**32]
            elif choice == 4:
                shape = [0] + shape
            else:
                shape = list(reversed(shape))
            entry["shape"] = shape
        else:
            offsets = list(entry.get("data_offsets", [0, 0]))
            if len(offsets) == 2:
                offsets[rng.randrange(2)] = rng.choice(INTERESTING_NUMBERS + [len(payload), len(payload) + 1])
            entry["data_offsets"] = offsets
    elif names and op == 5:
        # Rename (a missing or unexpected tensor) or duplicate under another name.
        name = rng.choice(names)
        other = rng.choice(names)
        header[other + rng.choice(["", ".x", "_"])] = header.pop(name)
    elif op == 6:
        payload = payload[:rng.randrange(len(payload) + 1)]
    else:
        doc = mutate_json_value(rng, header)
        header = doc if isinstance(doc, dict) else header
    text = json.dumps(header).encode()
    if rng.random() < 0.08:
        text = rng.choice([b"[]", b"null", b"{", b"\xff\xfe", b'{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},'
                           b' "a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}', text + b"\x00", b" " * 9 + text])
    length = len(text)
    if rng.random() < 0.05:
        length = rng.choice([0, 1, len(text) + 1, len(text) - 1, 2**63, 2**64 - 1, 100_000_001])
    return struct.pack("<Q", length % 2**64) + text + payload


# Dimensions a config.json declares; changed to other plausible values they disagree with the weights
# (or with each other: heads not dividing d_model, vocabularies smaller than the ids in use, ...).
SHAPE_KEYS = [
    "d_model", "encoder_layers", "decoder_layers", "encoder_attention_heads", "decoder_attention_heads",
    "encoder_ffn_dim", "decoder_ffn_dim", "vocab_size", "decoder_vocab_size", "max_position_embeddings",
    "d_kv", "d_ff", "num_heads", "num_layers", "num_decoder_layers", "relative_attention_num_buckets",
    "relative_attention_max_distance", "pad_token_id", "eos_token_id", "decoder_start_token_id",
    "bos_token_id", "forced_bos_token_id", "forced_eos_token_id",
]


def mutate_config_shape(rng, data):
    """config.json with one or more dimensions (or special token ids) changed to plausible numbers."""
    try:
        doc = json.loads(data)
    except ValueError:
        return mutate_bytes(rng, data)
    if not isinstance(doc, dict):
        return mutate_bytes(rng, data)
    for _ in range(rng.choice([1, 1, 2, 3])):
        key = rng.choice(SHAPE_KEYS)
        old = doc.get(key)
        base = old if isinstance(old, int) and not isinstance(old, bool) else 8
        doc[key] = rng.choice([0, 1, -1, base - 1, base + 1, base * 2, base // 2, base * 1000, 3, 7,
                               2**31 - 1, 2**31, 2**40, -2**31, [base], float(base), str(base)])
    return dump_json(rng, doc)


# ---------------------------------------------------------------- protobuf (SentencePiece .model/.spm)


def _varint(data, i):
    value = shift = 0
    while True:
        if i >= len(data) or shift > 63:
            raise ValueError("truncated varint")
        b = data[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, i


def _put_varint(value):
    value &= 2**64 - 1
    out = bytearray()
    while True:
        b = value & 0x7F
        value >>= 7
        if value:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def parse_protobuf(data):
    """Wire-format fields [(number, wire_type, value)]: value an int (varint, fixed) or bytes (length-
    delimited). Raises ValueError if `data` is not a well-formed message."""
    fields = []
    i = 0
    while i < len(data):
        key, i = _varint(data, i)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise ValueError("field 0")
        if wire == 0:
            value, i = _varint(data, i)
        elif wire == 1:
            if i + 8 > len(data):
                raise ValueError("truncated fixed64")
            value, i = data[i:i + 8], i + 8
        elif wire == 5:
            if i + 4 > len(data):
                raise ValueError("truncated fixed32")
            value, i = data[i:i + 4], i + 4
        elif wire == 2:
            n, i = _varint(data, i)
            if i + n > len(data):
                raise ValueError("truncated bytes")
            value, i = data[i:i + n], i + n
        else:
            raise ValueError(f"wire type {wire}")
        fields.append([number, wire, value])
    return fields


def serialize_protobuf(fields):
    out = bytearray()
    for number, wire, value in fields:
        out += _put_varint((number << 3) | wire)
        if wire == 0:
            out += _put_varint(value)
        elif wire == 2:
            out += _put_varint(len(value)) + value
        else:
            out += value
    return bytes(out)


def mutate_protobuf(rng, data, depth=0):
    """One structure-aware mutation of a protobuf message (a SentencePiece ModelProto: pieces with
    their scores and types, trainer and normalizer specs): field values, lengths, types, order."""
    try:
        fields = parse_protobuf(data)
    except ValueError:
        return mutate_bytes(rng, data)
    if not fields:
        return bytes(data) + _put_varint(rng.choice([8, 10, 16, 26])) + b"\x01"
    k = rng.randrange(len(fields))
    number, wire, value = fields[k]
    # Recurse into a sub-message (a piece, the trainer or normalizer spec) half of the time.
    if wire == 2 and depth < 3 and rng.random() < 0.5:
        try:
            if parse_protobuf(value):
                fields[k][2] = mutate_protobuf(rng, value, depth + 1)
                return serialize_protobuf(fields)
        except ValueError:
            pass
    op = rng.randrange(9)
    if op == 0 and wire == 0:
        fields[k][2] = rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 99, 2**31 - 1, 2**32, 2**63, 2**64 - 1])
    elif op == 1 and wire == 5:
        fields[k][2] = struct.pack("<f", rng.choice([float("nan"), float("inf"), -float("inf"), -1e30, 1e30, 0.0]))
    elif op == 2 and wire == 2:
        fields[k][2] = rng.choice([b"", b"\xff\xfe", value * rng.randrange(2, 40), value[: len(value) // 2],
                                   "\u2581".encode() * 3, b"\x00", b"<unk>", b"<s>", b"</s>"])
    elif op == 3:
        del fields[k]
    elif op == 4:
        fields.insert(rng.randrange(len(fields) + 1), list(fields[k]))
    elif op == 5:
        fields[k][0] = rng.choice([1, 2, 3, 4, 5, 6, 7, 99, 536870911])
    elif op == 6:
        # A different wire type for the same field number (a string read as a varint, ...).
        fields[k] = [number, 0, rng.choice([0, 1, 2**63])] if wire != 0 else [number, 2, b"\x08\x01"]
    elif op == 7:
        rng.shuffle(fields)
    else:
        out = serialize_protobuf(fields)
        # A length prefix or varint broken in place: claims more bytes than the message holds.
        return mutate_bytes(rng, out, rounds=1) + (b"\x0a\xff\xff\xff\xff\x0f" if rng.random() < 0.3 else b"")
    return serialize_protobuf(fields)


# ---------------------------------------------------------------- torch zip checkpoints


def mutate_torch_zip(rng, data):
    """A pytorch_model.bin (zip of data.pkl + tensor storages): the pickle or a storage mutated and
    re-zipped with valid CRCs, so the mutation reaches the unpickler instead of the zip checks."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            members = [(info, z.read(info.filename)) for info in z.infolist()]
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return mutate_bytes(rng, data)
    if not members or rng.random() < 0.2:
        return mutate_bytes(rng, data)
    k = rng.randrange(len(members))
    pkl = [i for i, (info, _) in enumerate(members) if info.filename.endswith(".pkl")]
    if pkl and rng.random() < 0.6:
        k = pkl[0]
    info, payload = members[k]
    if rng.random() < 0.15:
        payload = payload[: rng.randrange(len(payload) + 1)]
    else:
        payload = mutate_bytes(rng, payload, rounds=rng.randrange(1, 4))
    members[k] = (info, payload)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        for info, body in members:
            z.writestr(info.filename, body)
    return out.getvalue()


def mutate_file(rng, name, data):
    """Chooses the mutation for a file by its name."""
    try:
        out = _mutate_file(rng, name, data)
    except RecursionError:  # a document nested past what json.dumps/loads handle
        return mutate_bytes(rng, data)
    # Repeated string growth can explode; past a few MB a case is slow, not more interesting.
    return out if len(out) <= 2 * len(data) + (4 << 20) else mutate_bytes(rng, data)


def _mutate_file(rng, name, data):
    if name == "config.json" and rng.random() < 0.4:
        return mutate_config_shape(rng, data)
    if name.endswith(".json"):
        return mutate_json_bytes(rng, data)
    if name.endswith(".safetensors"):
        return mutate_safetensors(rng, data)
    if name.endswith((".spm", ".model")) and rng.random() < 0.75:
        return mutate_protobuf(rng, data)
    if name.endswith(".bin") and rng.random() < 0.75:
        return mutate_torch_zip(rng, data)
    return mutate_bytes(rng, data, rounds=rng.randrange(1, 8))
