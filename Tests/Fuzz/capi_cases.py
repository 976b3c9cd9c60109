"""The C API fuzzer's fixed cases (every lmcore.h function with hostile arguments, and regressions)
and its generation-parameter cases. Each runs inside a fuzz worker; `w` is the Worker."""
import ctypes
import io
import json
import math
import os
import re
import sys
import tempfile
import time
from pathlib import Path

from capi import (API_BASE, FIXTURES, HEADER, HUGE_SIZES, REAL_MODEL, SIZE_MAX, SPM_DIRS, SPM_FILES, STATUS_BUFFER_TOO_SMALL,
                  STATUSES, TEXTS, LOG_CALLBACK, TEXT_CALLBACK, TOKEN_CALLBACK, EvaluationParams, Finding, GenerationParams, ModelInfo,
                  ModelParams)

FIXED = {}


def fixed(fn):
    FIXED[fn.__name__] = fn
    return fn


@fixed
def version_and_status(w):
    c = w.c
    assert c.lmcore_version() == b"%d.%d.%d" % tuple(int(x) for x in re.findall(
        r"#define LMCORE_VERSION_(?:MAJOR|MINOR|PATCH) (\d+)", HEADER.read_text()))
    assert c.lmcore_abi_version() == int(re.search(r"#define LMCORE_ABI_VERSION (\d+)", HEADER.read_text()).group(1))
    for s in [-2**31, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 100, 2**31 - 1]:
        name = c.lmcore_status_name(s)
        if (name == b"unknown") != (s not in STATUSES):
            raise Finding(f"lmcore_status_name({s}) is {name!r}")
    c.lmcore_last_error()


@fixed
def log_callback(w):
    """Every level; messages reach the callback while loading; a NULL callback restores stderr."""
    c = w.c
    seen = []
    keep = LOG_CALLBACK(lambda level, message, user: seen.append((level, message)))
    try:
        for level in [-2**31, -2, 5, 2**31 - 1]:
            if c.lmcore_set_log_callback(keep, None, level) != 1:
                raise Finding(f"lmcore_set_log_callback level {level} is not LMCORE_ERR_INVALID_ARGUMENT")
        for level in [-1, 0, 1, 2, 3, 4]:
            if c.lmcore_set_log_callback(keep, None, level) != 0:
                raise Finding(f"lmcore_set_log_callback level {level} failed")
        m = ctypes.c_void_p()
        mp = ModelParams(threads=1, load_tokenizer=0)
        status = c.lmcore_model_load(str(API_BASE).encode(), ctypes.byref(mp), ctypes.byref(m))  # at debug level
        c.lmcore_model_free(m)
    finally:
        # Never leave lmcore calling a Python callable that is about to be freed.
        c.lmcore_set_log_callback(LOG_CALLBACK(), None, 2)
    if status != 0:
        raise Finding(f"lmcore_model_load of the api model failed: {status}")
    if not any(b"loaded" in msg for _, msg in seen):
        raise Finding(f"no load message reached the log callback: {seen[:3]}")


@fixed
def default_params(w):
    c = w.c
    mp = c.lmcore_model_default_params()
    assert (mp.threads, mp.load_tokenizer) == (0, 1)
    gp = c.lmcore_generation_default_params()
    assert gp.beam_size == -1 and math.isnan(gp.temperature)
    # Documented "must not be NULL"; the implementation ignores NULL, which this checks stays true.
    c.lmcore_model_default_params_by_ref(None)
    c.lmcore_generation_default_params_by_ref(None)


@fixed
def free_null_and_borrowed(w):
    c = w.c
    c.lmcore_model_free(None)
    c.lmcore_tokenizer_free(None)
    c.lmcore_result_free(None)
    # The model's tokenizer is borrowed: freeing it by mistake must be ignored (and the model keep working).
    model = w.model("real")
    tok = c.lmcore_model_tokenizer(model)
    c.lmcore_tokenizer_free(tok)
    c.lmcore_tokenizer_free(tok)
    n = ctypes.c_size_t()
    if c.lmcore_tokenize(tok, b">>fr<< 12", 1, None, 0, ctypes.byref(n)) != 0 or n.value == 0:
        raise Finding("the model's tokenizer stopped working after lmcore_tokenizer_free on it")


@fixed
def model_load_bad_arguments(w):
    c = w.c
    m = ctypes.c_void_p()
    good = w.resources["api"].encode()
    for path in [b"", b"/", b"/nonexistent/model", b"/dev/null", b"/proc/self/status", b"\xff\xfe",
                 str(FIXTURES / "models" / "relative-buckets.json").encode(), (good + b"/config.json"),
                 str(API_BASE / "model.safetensors").encode(), b"a" * 5000, b"/" * 3000, str(FIXTURES).encode(),
                 str(REAL_MODEL / "eval").encode()]:
        if c.lmcore_model_load(path, None, ctypes.byref(m)) == 0:
            raise Finding(f"lmcore_model_load({path[:60]!r}) succeeded")
    if c.lmcore_model_load(None, None, ctypes.byref(m)) != 1:
        raise Finding("lmcore_model_load(NULL path) is not LMCORE_ERR_INVALID_ARGUMENT")
    if c.lmcore_model_load(good, None, None) != 1:
        raise Finding("lmcore_model_load(out_model NULL) is not LMCORE_ERR_INVALID_ARGUMENT")
    c.lmcore_model_load(None, None, None)
    for threads, load_tok in [(-1, 1), (-2**31, 1), (2**31 - 1, 1), (1 << 20, 0), (1, -1), (1, 2**31 - 1),
                              (1, -2**31), (0, 0)]:
        mp = ModelParams(threads=threads, load_tokenizer=load_tok)
        if c.lmcore_model_load(good, ctypes.byref(mp), ctypes.byref(m)) == 0:
            c.lmcore_model_free(m)
    mp = ModelParams(threads=1, load_tokenizer=1)
    c.lmcore_model_load(good, ctypes.byref(mp), ctypes.byref(m))  # restores the thread count


@fixed
def model_info(w):
    c = w.c
    model = w.model("api")
    info = ModelInfo()
    c.lmcore_model_get_info(None, ctypes.byref(info))
    c.lmcore_model_get_info(model, None)
    c.lmcore_model_get_info(None, None)
    if c.lmcore_model_get_info(model, ctypes.byref(info)) != 0 or info.model_type != b"marian":
        raise Finding("lmcore_model_get_info on a valid model")
    notok = w.model("api", load_tokenizer=0)
    if c.lmcore_model_tokenizer(notok) or c.lmcore_model_tokenizer(None):
        raise Finding("lmcore_model_tokenizer is not NULL for a model without tokenizer / NULL")
    c.lmcore_model_get_info(notok, ctypes.byref(info))
    if info.has_tokenizer != 0:
        raise Finding("has_tokenizer is set with load_tokenizer 0")


@fixed
def tokenizer_load_bad_arguments(w):
    c = w.c
    t = ctypes.c_void_p()
    for path in [b"", b"/", b"/nonexistent", b"/dev/null", b"/proc/self/status", b"\xff", b"a" * 5000,
                 str(API_BASE / "config.json").encode(), str(API_BASE / "model.safetensors").encode(),
                 str(API_BASE).encode(), str(FIXTURES / "sentencepiece" / "README.md").encode(),
                 str(FIXTURES / "sentencepiece" / "trained" / "TRAINING.json").encode()]:
        if c.lmcore_tokenizer_load(path, ctypes.byref(t)) == 0:
            c.lmcore_tokenizer_free(t)
            if path not in (str(API_BASE).encode(),):
                raise Finding(f"lmcore_tokenizer_load({path[:60]!r}) succeeded")
    c.lmcore_tokenizer_load(None, ctypes.byref(t))
    c.lmcore_tokenizer_load(str(REAL_MODEL).encode(), None)
    for p in [REAL_MODEL, REAL_MODEL / "tokenizer.json", SPM_FILES[0], SPM_DIRS[0]]:
        if c.lmcore_tokenizer_load(str(p).encode(), ctypes.byref(t)) != 0:
            raise Finding(f"lmcore_tokenizer_load({p}) failed: {w.raw.lmcore_last_error().decode()}")
        c.lmcore_tokenizer_free(t)


@fixed
def tokenize_arguments(w):
    c = w.c
    tok = w.tokenizer()
    n = ctypes.c_size_t()
    big = (ctypes.c_int32 * 8192)()
    c.lmcore_tokenize(None, b"a", 1, None, 0, ctypes.byref(n))
    c.lmcore_tokenize(tok, None, 1, None, 0, ctypes.byref(n))
    c.lmcore_tokenize(tok, b"a", 1, None, 0, None)
    c.lmcore_tokenize(tok, b"a", 1, big, 8192, None)
    for add in (0, 1, -1, 2, 2**31 - 1, -2**31):
        for text in TEXTS:
            c.lmcore_tokenize(tok, text, add, None, 0, ctypes.byref(n))
            c.lmcore_tokenize(tok, text, add, big, 8192, ctypes.byref(n))
    for cap in [0, 1, 2] + HUGE_SIZES:
        c.lmcore_tokenize(tok, b">>fr<< 12 34", 1, big, cap, ctypes.byref(n))
    if c.lmcore_tokenize(tok, b">>fr<< 12 34", 1, big, 0, ctypes.byref(n)) != STATUS_BUFFER_TOO_SMALL:
        raise Finding("a 0-capacity buffer is not LMCORE_ERR_BUFFER_TOO_SMALL")
    # Very long text: a million characters of assorted kinds.
    for unit in [b"x", b"12 ", "\u00e9\u4e2d".encode(), b"\xff", b" "]:
        c.lmcore_tokenize(tok, unit * (1_000_000 // len(unit)), 1, None, 0, ctypes.byref(n))


@fixed
def detokenize_arguments(w):
    c = w.c
    tok = w.tokenizer()
    vocab = c.lmcore_tokenizer_vocab_size(tok)
    length = ctypes.c_size_t()
    buf = ctypes.create_string_buffer(1 << 16)
    ids = w.ids_array([5, 6, 7])
    c.lmcore_detokenize(None, ids, 3, 0, None, 0, ctypes.byref(length))
    c.lmcore_detokenize(tok, ids, 3, 0, None, 0, None)
    c.lmcore_detokenize(tok, None, 3, 0, None, 0, ctypes.byref(length))
    if c.lmcore_detokenize(tok, None, 0, 0, buf, 1 << 16, ctypes.byref(length)) != 0 or buf.value != b"":
        raise Finding("detokenizing 0 ids is not the empty string")
    for n in HUGE_SIZES:
        c.lmcore_detokenize(tok, ids, n, 0, None, 0, ctypes.byref(length))
        c.lmcore_detokenize(tok, None, n, 0, None, 0, ctypes.byref(length))
    for bad in [-1, vocab, vocab + 1, 2**31 - 1, -2**31]:
        arr = w.ids_array([5, bad, 6])
        for skip in (0, 1, -1, 2**31 - 1):
            if c.lmcore_detokenize(tok, arr, 3, skip, buf, 1 << 16, ctypes.byref(length)) != 1:
                raise Finding(f"detokenizing id {bad} is not LMCORE_ERR_INVALID_ARGUMENT")
    every = list(range(vocab))
    arr = w.ids_array(every)
    for cap in [0, 1, 2, 100, 1 << 16] + HUGE_SIZES:
        c.lmcore_detokenize(tok, arr, len(every), 0, buf, cap, ctypes.byref(length))
    c.lmcore_detokenize(tok, arr, len(every), 0, None, 5, ctypes.byref(length))
    long_ids = w.ids_array([7] * 200_000)
    c.lmcore_detokenize(tok, long_ids, 200_000, 1, None, 0, ctypes.byref(length))


@fixed
def vocab_and_token_lookup(w):
    c = w.c
    tok = w.tokenizer()
    if c.lmcore_tokenizer_vocab_size(None) != 0:
        raise Finding("lmcore_tokenizer_vocab_size(NULL) is not 0")
    vocab = c.lmcore_tokenizer_vocab_size(tok)
    i = ctypes.c_int32()
    length = ctypes.c_size_t()
    buf = ctypes.create_string_buffer(256)
    c.lmcore_tokenizer_token_to_id(None, b"a", ctypes.byref(i))
    c.lmcore_tokenizer_token_to_id(tok, None, ctypes.byref(i))
    c.lmcore_tokenizer_token_to_id(tok, b"a", None)
    for token in TEXTS + [b"</s>", b">>fr<<", b"\xe2\x96\x81", b"a" * 100_000]:
        c.lmcore_tokenizer_token_to_id(tok, token, ctypes.byref(i))
    c.lmcore_tokenizer_id_to_token(None, 0, buf, 256, ctypes.byref(length))
    c.lmcore_tokenizer_id_to_token(tok, 0, buf, 256, None)
    for ident in [-2**31, -1, 0, 1, vocab - 1, vocab, vocab + 1, 2**31 - 1]:
        for cap in [0, 1, 256, SIZE_MAX]:
            c.lmcore_tokenizer_id_to_token(tok, ident, buf, cap, ctypes.byref(length))
        c.lmcore_tokenizer_id_to_token(tok, ident, None, 0, ctypes.byref(length))
    for ident in range(vocab):
        if c.lmcore_tokenizer_id_to_token(tok, ident, buf, 256, ctypes.byref(length)) == 0:
            c.lmcore_tokenizer_token_to_id(tok, buf.value, ctypes.byref(i))


def _generate_basic(w, model, vocab):
    c = w.c
    out = ctypes.c_void_p()
    ptrs, lengths = w.id_lists([[1, 2, 3]])
    p = w.params()
    c.lmcore_generate(None, ptrs, lengths, 1, ctypes.byref(p), ctypes.byref(out))
    c.lmcore_generate(model, None, lengths, 1, ctypes.byref(p), ctypes.byref(out))
    c.lmcore_generate(model, ptrs, None, 1, ctypes.byref(p), ctypes.byref(out))
    c.lmcore_generate(model, ptrs, lengths, 1, ctypes.byref(p), None)
    for n in [0] + HUGE_SIZES:
        c.lmcore_generate(model, ptrs, lengths, n, ctypes.byref(p), ctypes.byref(out))
    for n in HUGE_SIZES + [0]:
        lengths[0] = n
        w.finish(c.lmcore_generate(model, ptrs, lengths, 1, ctypes.byref(p), ctypes.byref(out)), out)
    nulls = (ctypes.POINTER(ctypes.c_int32) * 2)()
    two = (ctypes.c_size_t * 2)(0, 3)
    c.lmcore_generate(model, nulls, two, 2, ctypes.byref(p), ctypes.byref(out))
    for bad in [-1, vocab, vocab + 1, 2**31 - 1, -2**31]:
        ptrs, lengths = w.id_lists([[1, bad, 2]])
        if c.lmcore_generate(model, ptrs, lengths, 1, ctypes.byref(p), ctypes.byref(out)) != 1:
            raise Finding(f"lmcore_generate with source id {bad} is not LMCORE_ERR_INVALID_ARGUMENT")
    # Long inputs (past max_position_embeddings) and many inputs.
    for n in [63, 64, 65, 512, 5000]:
        ptrs, lengths = w.id_lists([[1 + i % (vocab - 2) for i in range(n)]])
        w.finish(c.lmcore_generate(model, ptrs, lengths, 1, ctypes.byref(p), ctypes.byref(out)), out)
    ptrs, lengths = w.id_lists([[1 + i % 7, 2] for i in range(64)])
    w.finish(c.lmcore_generate(model, ptrs, lengths, 64, ctypes.byref(p), ctypes.byref(out)), out)
    ptrs, lengths = w.id_lists([[1, 2, 3]])
    w.finish(c.lmcore_generate(model, ptrs, lengths, 1, None, ctypes.byref(out)), out)


@fixed
def struct_size_and_abi3_fields(w):
    """struct_size out of range is an invalid argument; the ABI 3 list fields with NULL arrays,
    huge counts, bad ids and bad enums give documented statuses."""
    c = w.c
    out = ctypes.c_void_p()
    model = w.model("real")
    ptrs, lengths = w.id_lists([[2, 5, 6, 0]])
    for size in [0, 1, 8, 100, ctypes.sizeof(GenerationParams) + 8, 2**63]:
        p = w.params()
        p.struct_size = size
        if c.lmcore_generate(model, ptrs, lengths, 1, ctypes.byref(p), ctypes.byref(out)) != 1:
            raise Finding(f"lmcore_generate with struct_size {size} is not LMCORE_ERR_INVALID_ARGUMENT")
    for size in [0, 4, ctypes.sizeof(ModelParams) + 1]:
        mp = ModelParams(threads=1, load_tokenizer=0)
        mp.struct_size = size
        m = ctypes.c_void_p()
        if c.lmcore_model_load(str(API_BASE).encode(), ctypes.byref(mp), ctypes.byref(m)) != 1:
            raise Finding(f"lmcore_model_load with struct_size {size} is not LMCORE_ERR_INVALID_ARGUMENT")
    for name in ("suppress_tokens", "begin_suppress_tokens"):
        for n in [1, 5] + HUGE_SIZES:
            p = w.params(**{"n_" + name: n})
            w.finish(c.lmcore_generate(model, ptrs, lengths, 1, ctypes.byref(p), ctypes.byref(out)), out)
    for field in ("bad_words", "target_prefixes"):
        count = "n_bad_words" if field == "bad_words" else "n_target_prefixes"
        for n in [1, 2, 3] + HUGE_SIZES:
            p = w.params(**{count: n})
            w.finish(c.lmcore_generate(model, ptrs, lengths, 1, ctypes.byref(p), ctypes.byref(out)), out)
    for lang in [b"fr", b"xx", b"", b">>de<<", b"\xff\xfe", b"a" * 10000]:
        p = w.params(target_lang=lang)
        w.finish(c.lmcore_generate(model, ptrs, lengths, 1, ctypes.byref(p), ctypes.byref(out)), out)
        texts = w.texts([b"4213"])
        w.finish(c.lmcore_translate(model, texts, 1, ctypes.byref(p), ctypes.byref(out)), out)
    for name, values in (("max_input_length", [-2, 0, 1, 2, 2**31 - 1, -2**31]),
                         ("max_batch_size", [-2, 0, 1, 2**31 - 1, -2**31]), ("batch_type", [-1, 2, 1, 0]),
                         ("forced_bos_token_id", [-2, 0, 800, 801, 2**31 - 1]),
                         ("forced_eos_token_id", [-2, 0, 801, 2**31 - 1])):
        for v in values:
            p = w.params(**{name: v})
            w.finish(c.lmcore_generate(model, ptrs, lengths, 1, ctypes.byref(p), ctypes.byref(out)), out)


@fixed
def generate_arguments(w):
    for key in ("api", "real"):
        model = w.model(key)
        _generate_basic(w, model, w.vocab(model))


@fixed
def generate_callbacks(w):
    c = w.c
    model = w.model("api")
    out = ctypes.c_void_p()
    ptrs, lengths = w.id_lists([[1, 2, 3], [4, 5]])
    for stop_after, beams, sample in [(0, 1, 0), (2, 1, 0), (0, 3, 0), (1, 3, 0), (0, 1, 1), (100, 2, 1)]:
        seen = [0]

        def cb(i, s, tokens, n_tokens, user, seen=seen, stop_after=stop_after):
            seen[0] += 1
            _ = [tokens[k] for k in range(n_tokens)]
            return 0 if seen[0] > stop_after else 1
        keep = TOKEN_CALLBACK(cb)
        p = w.params(beam_size=beams, do_sample=sample, num_return_sequences=min(2, beams), seed=3, max_new_tokens=5)
        p.callback = keep
        p.callback_user_data = 12345
        st = c.lmcore_generate(model, ptrs, lengths, 2, ctypes.byref(p), ctypes.byref(out))
        w.finish(st, out)
        if stop_after == 0 and st != 7:
            raise Finding(f"a callback returning 0 gave status {st}, not LMCORE_ERR_CANCELLED")

    # The text callback of lmcore_translate: stopping at once or after a piece is a cancellation.
    real = w.model("real")
    texts = w.texts([b">>en<< 1234567", b">>fr<< 4213"])
    for stop_after, beams in [(0, 1), (1, 1), (0, 4), (100, 4), (100, 1)]:
        seen = [0]

        def text_cb(i, s, text, n, user, seen=seen, stop_after=stop_after):
            seen[0] += 1
            ctypes.string_at(text, n).decode("utf-8")
            return 0 if seen[0] > stop_after else 1
        keep_text = TEXT_CALLBACK(text_cb)
        p = w.params(beam_size=beams, max_new_tokens=8)
        p.text_callback = keep_text
        st = c.lmcore_translate(real, texts, 2, ctypes.byref(p), ctypes.byref(out))
        w.finish(st, out)
        if (stop_after == 0 and st != 7) or (stop_after == 100 and st != 0):
            raise Finding(f"text callback stopping after {stop_after} pieces gave status {st}")

    def raising(*args):
        raise RuntimeError("a Python exception in the callback")
    keep = TOKEN_CALLBACK(raising)  # ctypes prints it and returns 0: the call is cancelled
    p = w.params()
    p.callback = keep
    saved, sys.stderr = sys.stderr, io.StringIO()
    try:
        w.finish(c.lmcore_generate(model, ptrs, lengths, 2, ctypes.byref(p), ctypes.byref(out)), out)
    finally:
        sys.stderr = saved


def _text_calls(w, model):
    c = w.c
    out = ctypes.c_void_p()
    n = ctypes.c_size_t()
    p = w.params()
    one = w.texts([b">>fr<< 12"])
    with_null = w.texts([b"a", None])
    c.lmcore_translate(None, one, 1, ctypes.byref(p), ctypes.byref(out))
    c.lmcore_translate(model, None, 1, ctypes.byref(p), ctypes.byref(out))
    c.lmcore_translate(model, one, 1, ctypes.byref(p), None)
    c.lmcore_translate(model, with_null, 2, ctypes.byref(p), ctypes.byref(out))
    for k in [0] + HUGE_SIZES:
        c.lmcore_translate(model, one, k, ctypes.byref(p), ctypes.byref(out))
        c.lmcore_score_text(model, one, one, k, ctypes.byref(out))
        c.lmcore_encode_text(model, one, k, 0, None, 0, ctypes.byref(n))
    for text in TEXTS + [b"1 " * 50_000, "\u4e2d".encode() * 100_000]:
        w.finish(c.lmcore_translate(model, w.texts([text]), 1, ctypes.byref(p), ctypes.byref(out)), out)
        w.finish(c.lmcore_translate(model, w.texts([text]), 1, None, ctypes.byref(out)), out)
        w.finish(c.lmcore_score_text(model, w.texts([text]), w.texts([text[:100]]), 1, ctypes.byref(out)), out)
        w.finish(c.lmcore_score_text(model, w.texts([b"12"]), w.texts([text]), 1, ctypes.byref(out)), out)
        c.lmcore_encode_text(model, w.texts([text]), 1, 1, None, 0, ctypes.byref(n))
    c.lmcore_score_text(None, one, one, 1, ctypes.byref(out))
    c.lmcore_score_text(model, None, one, 1, ctypes.byref(out))
    c.lmcore_score_text(model, one, None, 1, ctypes.byref(out))
    c.lmcore_score_text(model, one, one, 1, None)
    c.lmcore_score_text(model, with_null, with_null, 2, ctypes.byref(out))
    c.lmcore_encode_text(None, one, 1, 0, None, 0, ctypes.byref(n))
    c.lmcore_encode_text(model, None, 1, 0, None, 0, ctypes.byref(n))
    c.lmcore_encode_text(model, one, 1, 0, None, 0, None)
    c.lmcore_encode_text(model, with_null, 2, 0, None, 0, ctypes.byref(n))


@fixed
def text_calls(w):
    for key in ("api", "real"):
        _text_calls(w, w.model(key))


@fixed
def text_calls_without_tokenizer(w):
    c = w.c
    model = w.model("api", load_tokenizer=0)
    out = ctypes.c_void_p()
    n = ctypes.c_size_t()
    one = w.texts([b"a"])
    if c.lmcore_translate(model, one, 1, None, ctypes.byref(out)) != 1:
        raise Finding("lmcore_translate without a tokenizer is not LMCORE_ERR_INVALID_ARGUMENT")
    c.lmcore_score_text(model, one, one, 1, ctypes.byref(out))
    c.lmcore_encode_text(model, one, 1, 1, None, 0, ctypes.byref(n))


@fixed
def score_arguments(w):
    c = w.c
    for key in ("api", "real"):
        model = w.model(key)
        vocab = w.vocab(model)
        out = ctypes.c_void_p()
        sp, sl = w.id_lists([[1, 2, 3]])
        keep = w._keep
        tp, tl = w.id_lists([[4, 5, 0]])
        c.lmcore_score(None, sp, sl, tp, tl, 1, ctypes.byref(out))
        c.lmcore_score(model, None, sl, tp, tl, 1, ctypes.byref(out))
        c.lmcore_score(model, sp, None, tp, tl, 1, ctypes.byref(out))
        c.lmcore_score(model, sp, sl, None, tl, 1, ctypes.byref(out))
        c.lmcore_score(model, sp, sl, tp, None, 1, ctypes.byref(out))
        c.lmcore_score(model, sp, sl, tp, tl, 1, None)
        for n in [0] + HUGE_SIZES:
            c.lmcore_score(model, sp, sl, tp, tl, n, ctypes.byref(out))
        for n in HUGE_SIZES + [0]:
            tl[0] = n
            w.finish(c.lmcore_score(model, sp, sl, tp, tl, 1, ctypes.byref(out)), out)
            sl[0] = n
            tl[0] = 3
            w.finish(c.lmcore_score(model, sp, sl, tp, tl, 1, ctypes.byref(out)), out)
            sl[0] = 3
        for bad in [-1, vocab, 2**31 - 1, -2**31]:
            bp, bl = w.id_lists([[4, bad]])
            for args in [(sp, sl, bp, bl), (bp, bl, tp, tl)]:
                if c.lmcore_score(model, *args, 1, ctypes.byref(out)) != 1:
                    raise Finding(f"lmcore_score with id {bad} is not LMCORE_ERR_INVALID_ARGUMENT")
        for n in [1, 63, 64, 65, 1000]:
            lp, ll = w.id_lists([[3] * n])
            w.finish(c.lmcore_score(model, sp, sl, lp, ll, 1, ctypes.byref(out)), out)
            w.finish(c.lmcore_score(model, lp, ll, tp, tl, 1, ctypes.byref(out)), out)
        del keep


@fixed
def encode_arguments(w):
    c = w.c
    for key in ("api", "real"):
        model = w.model(key)
        vocab = w.vocab(model)
        n = ctypes.c_size_t()
        ptrs, lengths = w.id_lists([[1, 2, 3], [4]])
        buf = (ctypes.c_float * (1 << 16))()
        c.lmcore_encode(None, ptrs, lengths, 2, 0, None, 0, ctypes.byref(n))
        c.lmcore_encode(model, None, lengths, 2, 0, None, 0, ctypes.byref(n))
        c.lmcore_encode(model, ptrs, None, 2, 0, None, 0, ctypes.byref(n))
        c.lmcore_encode(model, ptrs, lengths, 2, 0, buf, 1 << 16, None)
        for k in [0] + HUGE_SIZES:
            c.lmcore_encode(model, ptrs, lengths, k, 0, None, 0, ctypes.byref(n))
        for pooled in [0, 1, -1, 2, 2**31 - 1, -2**31]:
            for cap in [0, 1, 3, 4, 1 << 16, SIZE_MAX]:
                c.lmcore_encode(model, ptrs, lengths, 2, pooled, buf, cap, ctypes.byref(n))
            c.lmcore_encode(model, ptrs, lengths, 2, pooled, None, SIZE_MAX, ctypes.byref(n))
        for m in HUGE_SIZES + [0]:
            lengths[1] = m
            c.lmcore_encode(model, ptrs, lengths, 2, 1, buf, 1 << 16, ctypes.byref(n))
        for bad in [-1, vocab, 2**31 - 1, -2**31]:
            bp, bl = w.id_lists([[4, bad]])
            if c.lmcore_encode(model, bp, bl, 1, 0, buf, 1 << 16, ctypes.byref(n)) != 1:
                raise Finding(f"lmcore_encode with id {bad} is not LMCORE_ERR_INVALID_ARGUMENT")
        for m in [64, 65, 4000]:
            lp, ll = w.id_lists([[3] * m])
            c.lmcore_encode(model, lp, ll, 1, 1, buf, 1 << 16, ctypes.byref(n))


@fixed
def result_getters(w):
    c = w.c
    count = ctypes.c_size_t()
    ids = ctypes.POINTER(ctypes.c_int32)()
    scores = ctypes.POINTER(ctypes.c_float)()
    score = ctypes.c_float()
    for i, j in [(0, 0), (SIZE_MAX, 0), (0, SIZE_MAX), (2**63, 1)]:
        if c.lmcore_result_count(None) != 0 or c.lmcore_result_hypothesis_count(None, i) != 0:
            raise Finding("result counts of NULL are not 0")
        if c.lmcore_result_text(None, i, j) is not None:
            raise Finding("lmcore_result_text(NULL) is not NULL")
        c.lmcore_result_ids(None, i, j, ctypes.byref(ids), ctypes.byref(count))
        c.lmcore_result_score(None, i, j, ctypes.byref(score))
        c.lmcore_result_token_scores(None, i, j, ctypes.byref(scores), ctypes.byref(count))
    model = w.model("real")
    out = ctypes.c_void_p()
    results = []
    p = w.params(beam_size=3, num_return_sequences=2, return_scores=1)
    if c.lmcore_translate(model, w.texts([b">>fr<< 12", b">>de<< 7"]), 2, ctypes.byref(p), ctypes.byref(out)) == 0:
        results.append(out.value)
    sp, sl = w.id_lists([[5, 6, 0]])
    keep = w._keep
    tp, tl = w.id_lists([[7, 0]])
    out = ctypes.c_void_p()
    if c.lmcore_score(model, sp, sl, tp, tl, 1, ctypes.byref(out)) == 0:
        results.append(out.value)
    del keep
    if len(results) != 2:
        raise Finding("translate/score on the valid model failed: " + w.raw.lmcore_last_error().decode())
    for r in results:
        w.read_result(r)
        c.lmcore_result_ids(r, 0, 0, None, ctypes.byref(count))
        c.lmcore_result_ids(r, 0, 0, ctypes.byref(ids), None)
        c.lmcore_result_score(r, 0, 0, None)
        c.lmcore_result_token_scores(r, 0, 0, None, ctypes.byref(count))
        c.lmcore_result_token_scores(r, 0, 0, ctypes.byref(scores), None)
        c.lmcore_result_free(r)


@fixed
def evaluate_arguments(w):
    """lmcore_evaluate and its getters: hostile counts, NULLs, bad metric names, option bounds."""
    c = w.c
    c.lmcore_evaluation_default_params_by_ref(None)
    p = c.lmcore_evaluation_default_params()
    if p.bootstrap_samples != 0 or p.seed != 12345:
        raise Finding("lmcore_evaluation_default_params changed")
    hyps = w.texts([b"the cat sat", b"", "\u4e2d\u6587 \u00e9t\u00e9".encode()])
    refs = w.texts([b"the cat sat down", b"x", b"zz", b"a", b"", b"b"])
    with_null = w.texts([b"a", None])
    out = ctypes.c_void_p()
    for args in [(None, 1, refs, 1), (hyps, 3, None, 1), (hyps, 3, refs, 0), (with_null, 2, refs, 1),
                 (hyps, SIZE_MAX, refs, 1), (hyps, 3, refs, SIZE_MAX), (hyps, 2**62, refs, 4)]:
        if c.lmcore_evaluate(*args, None, ctypes.byref(out)) == 0:
            raise Finding(f"lmcore_evaluate accepted {args[1]} hypotheses x {args[3]} reference sets")
    c.lmcore_evaluate(hyps, 3, refs, 1, None, None)
    for metrics, tokenize, bootstrap in [(b"bleu,nope", None, 0), (b"", None, 0), (b",,,", None, 0),
                                         (None, b"klingon", 0), (None, None, -1), (None, None, 2**31 - 1)]:
        bad = c.lmcore_evaluation_default_params()
        bad.metrics, bad.tokenize, bad.bootstrap_samples = metrics, tokenize, bootstrap
        if c.lmcore_evaluate(hyps, 3, refs, 2, ctypes.byref(bad), ctypes.byref(out)) == 0:
            c.lmcore_evaluation_free(out.value)
            raise Finding(f"lmcore_evaluate accepted metrics {metrics!r}, tokenize {tokenize!r}, bootstrap {bootstrap}")
    good = c.lmcore_evaluation_default_params()
    good.metrics = b"bleu,chrf,chrf++,ter,rouge1,rouge2,rougeL,rougeLsum"
    good.sentence_scores, good.bootstrap_samples = 1, 20
    if c.lmcore_evaluate(hyps, 3, refs, 2, ctypes.byref(good), ctypes.byref(out)) != 0:
        raise Finding("lmcore_evaluate failed on valid input: " + w.raw.lmcore_last_error().decode())
    e = out.value
    score, lo, hi = ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    n = c.lmcore_evaluation_metric_count(e)
    if n != 8:
        raise Finding(f"{n} metrics, asked for 8")
    for m in [0, n - 1, n, SIZE_MAX, 2**63]:
        c.lmcore_evaluation_metric_name(e, m)
        c.lmcore_evaluation_signature(e, m)
        c.lmcore_evaluation_line(e, m)
        c.lmcore_evaluation_score(e, m, ctypes.byref(score))
        c.lmcore_evaluation_score(e, m, None)
        c.lmcore_evaluation_interval(e, m, ctypes.byref(lo), ctypes.byref(hi))
        c.lmcore_evaluation_interval(e, m, None, None)
        for i in [0, 2, 3, SIZE_MAX]:
            c.lmcore_evaluation_sentence_score(e, i, m, ctypes.byref(score))
        c.lmcore_evaluation_sentence_score(e, 0, m, None)
    for getter in (c.lmcore_evaluation_metric_name, c.lmcore_evaluation_signature, c.lmcore_evaluation_line):
        if getter(None, 0) is not None:
            raise Finding(f"{getter.__name__}(NULL) is not NULL")
    if c.lmcore_evaluation_metric_count(None) != 0:
        raise Finding("lmcore_evaluation_metric_count(NULL) is not 0")
    c.lmcore_evaluation_score(None, 0, ctypes.byref(score))
    c.lmcore_evaluation_interval(None, 0, ctypes.byref(lo), ctypes.byref(hi))
    c.lmcore_evaluation_sentence_score(None, 0, 0, ctypes.byref(score))
    c.lmcore_evaluation_free(e)
    c.lmcore_evaluation_free(None)


@fixed
def regressions(w):
    """Model folders that crashed or hung lmcore before, reduced from the seeded cases that found them."""
    c = w.c
    base = Path(w.resources["api"])
    config = json.loads((base / "config.json").read_text())
    generation = json.loads((base / "generation_config.json").read_text())
    variants = [
        # model:1943267341 (seed 20250101): get_info trapped converting eos_token_id to int32_t.
        ("eos 2^40", {"eos_token_id": 2**40}, {}, "load"),
        ("eos 2^31", {"eos_token_id": 2**31}, {}, "load"),
        ("eos list", {"eos_token_id": [0, 2**32 + 1]}, {}, "load"),
        ("bos 2^32", {"bos_token_id": 2**32}, {}, "load"),
        # model:1872073500 (seed 5): num_beams 2^20 in generation_config.json ran for minutes.
        ("beams 2^20", {}, {"num_beams": 2**20, "max_length": 40}, "generate"),
        ("returns 2^20", {}, {"num_beams": 4, "num_return_sequences": 2**20}, "generate"),
    ]
    with tempfile.TemporaryDirectory(prefix="lmcore-fuzz-regression-") as tmp:
        for name, config_edit, generation_edit, fails in variants:
            folder = Path(tmp) / name.replace(" ", "-")
            folder.mkdir()
            (folder / "config.json").write_text(json.dumps({**config, **config_edit}))
            (folder / "generation_config.json").write_text(json.dumps({**generation, **generation_edit}))
            for f in ("model.safetensors", "tokenizer.json"):
                os.symlink(base / f, folder / f)
            m = ctypes.c_void_p()
            mp = ModelParams(threads=1, load_tokenizer=1)
            status = c.lmcore_model_load(str(folder).encode(), ctypes.byref(mp), ctypes.byref(m))
            if (status == 3) != (fails == "load"):
                raise Finding(f"{name}: lmcore_model_load gave {status}, expected "
                              + ("LMCORE_ERR_FORMAT" if fails == "load" else "LMCORE_OK"))
            if status != 0:
                continue
            info = ModelInfo()
            c.lmcore_model_get_info(m, ctypes.byref(info))
            out = ctypes.c_void_p()
            ptrs, lengths = w.id_lists([[5], [1, 2, 3, 4, 5], [7]])
            started = time.time()
            for status in (c.lmcore_generate(m, ptrs, lengths, 3, None, ctypes.byref(out)),
                           c.lmcore_translate(m, w.texts([b"w5 w6"]), 1, None, ctypes.byref(out))):
                w.finish(status, out)
                if status != 1:
                    raise Finding(f"{name}: generation gave {status}, not LMCORE_ERR_INVALID_ARGUMENT")
            c.lmcore_model_free(m)
            if time.time() - started > 10:
                raise Finding(f"{name}: generation with the folder's defaults took {time.time() - started:.0f} s")


# ---------------------------------------------------------------- generation parameter cases

INT_FIELDS = ["max_new_tokens", "min_new_tokens", "max_length", "min_length", "beam_size", "num_return_sequences",
              "early_stopping", "no_repeat_ngram_size", "encoder_no_repeat_ngram_size", "do_sample", "top_k",
              "return_scores"]
FLOAT_FIELDS = ["length_penalty", "repetition_penalty", "temperature", "top_p"]
INT_VALUES = [-2**31, -2, 0, 1, 2, 3, 64, 5000, 2**31 - 1]
FLOAT_VALUES = [float("inf"), -float("inf"), -1.0, -0.0, 0.0, 1e-45, 0.5, 1.0, 1.5, 2.0, 1e30, 3.4e38]


def params_case_names():
    names = [f"{f}={v}" for f in INT_FIELDS for v in INT_VALUES]
    names += [f"{f}={v!r}" for f in FLOAT_FIELDS for v in FLOAT_VALUES]
    names += [f"seed={v}" for v in (-2**63, -2, 0, 2**63 - 1)]
    # Combinations with sampling on (temperature, top_k, top_p are read only then) and beams.
    names += [f"do_sample=1,{f}={v!r}" for f in ("temperature", "top_p") for v in FLOAT_VALUES]
    names += [f"do_sample=1,top_k={v}" for v in INT_VALUES]
    names += ["beam_size=4,num_return_sequences=5", "beam_size=2,num_return_sequences=64",
              "do_sample=1,num_return_sequences=64", "min_new_tokens=100,max_new_tokens=2",
              "min_length=100,max_length=3", "max_new_tokens=-1,max_length=1", "beam_size=64,max_new_tokens=2",
              "beam_size=5000,max_new_tokens=1", "do_sample=1,beam_size=3,num_return_sequences=3",
              "no_repeat_ngram_size=1,max_new_tokens=30", "encoder_no_repeat_ngram_size=1,max_new_tokens=30",
              "repetition_penalty=1e-45,max_new_tokens=8", "length_penalty=-3.4e38,beam_size=4",
              "early_stopping=0,beam_size=4,length_penalty=0.0", "early_stopping=2,beam_size=3,max_new_tokens=6",
              "do_sample=1,temperature=1e-45,top_k=1", "do_sample=1,top_p=1e-45,temperature=1e-30",
              "max_new_tokens=2147483647,max_length=2147483647,beam_size=2"]
    return names


def parse_params(name):
    fields = {}
    for part in name.split(","):
        k, v = part.split("=")
        fields[k] = float(v) if k in FLOAT_FIELDS else int(v)
    return fields


def run_params_case(w, name):
    fields = parse_params(name)
    c = w.c
    if "max_new_tokens" not in fields and "max_length" not in fields:
        fields["max_new_tokens"] = 3  # hostile values are about validation, not long decoding
    for key in ("api", "real"):
        model = w.model(key)
        p = w.params(**fields)
        out = ctypes.c_void_p()
        ptrs, lengths = w.id_lists([[5, 6, 7], [8, 0]])
        w.finish(c.lmcore_generate(model, ptrs, lengths, 2, ctypes.byref(p), ctypes.byref(out)), out)
        w.finish(c.lmcore_translate(model, w.texts([b">>fr<< 4213"]), 1, ctypes.byref(p), ctypes.byref(out)), out)
