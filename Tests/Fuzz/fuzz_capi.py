#!/usr/bin/env python3
"""Fuzzes liblmcore.so through its C ABI (ctypes), the way a Python user reaches it.

A deterministic regression test (fixed seeds, a fixed case list) that also serves for longer
exploratory runs. Case kinds:

  fixed      named cases: every lmcore_* function of include/lmcore.h with NULL, invalid, huge and
             negative-as-size_t arguments, documented-safe misuse (_free of NULL, of a borrowed
             tokenizer), invalid/empty/very long text, ids out of range, caller buffers too small.
  params     lmcore_generate/lmcore_translate with one generation parameter set to a hostile value
             (negative beams, NaN/inf floats, top_p > 1, huge counts, ...), field by field.
  api        random hostile calls and random generation parameters on valid models (seeded).
  model      a fixture model folder with mutated files (config.json dimensions and types,
             generation_config.json, safetensors headers/payloads, torch zips, tokenizer files):
             load, then get_info, translate, generate, score, encode (seeded).
  tokenizer  a mutated tokenizer (tokenizer.json, tokenizer_config.json, vocab.json, SentencePiece
             protobufs): load, tokenize (invalid UTF-8 included), detokenize, token <-> id (seeded).

Every call is checked: a status-returning function returns a documented lmcore_status, a failure
has a non-empty lmcore_last_error() and leaves its out-handles NULL and out-counts 0 (except the
size of LMCORE_ERR_BUFFER_TOO_SMALL); LMCORE_ERR_INTERNAL ("a bug in lmcore") is a finding too.
Cases run in worker subprocesses: a crash (Swift trap, segfault) or hang kills only the worker, and
is reported with the case, its seed, the last calls with their arguments, and the mutated files.

    python3 Tests/Fuzz/fuzz_capi.py                       # the regression run (bash Tests/Fuzz/run.sh)
    python3 Tests/Fuzz/fuzz_capi.py --only model:123456   # one case again (kind:seed or fixed:name)
    python3 Tests/Fuzz/fuzz_capi.py --seed 7 --model-cases 5000 --tokenizer-cases 5000   # explore

Needs only the Python standard library (ctypes). The library: --library, else $LMCORE_LIBRARY,
else .build/release/liblmcore.so.
"""
import argparse
import ctypes
import faulthandler
import json
import math
import os
import random
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
FIXTURES = ROOT / "Tests" / "Fixtures"
HEADER = ROOT / "include" / "lmcore.h"
sys.path.insert(0, str(HERE))
import mutate  # noqa: E402


def _bindings():
    """bindings/python/lmcore/_library.py alone (the package's __init__ would also look for numpy)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("lmcore_library", ROOT / "bindings" / "python" / "lmcore"
                                                  / "_library.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_lib = _bindings()
TOKEN_CALLBACK, GenerationParams, ModelInfo, ModelParams, declare = (
    _lib.TOKEN_CALLBACK, _lib.GenerationParams, _lib.ModelInfo, _lib.ModelParams, _lib.declare)

REAL_MODEL = ROOT / "models" / "numbers-7lang"
MODELS = sorted(p for p in (FIXTURES / "models").iterdir() if p.is_dir()) + [REAL_MODEL]
TOKENIZER_DIRS = sorted(p for p in (FIXTURES / "tokenizers").iterdir() if (p / "tokenizer.json").is_file()
                        and (p / "tokenizer.json").stat().st_size < 300_000) + [REAL_MODEL]
SPM_DIRS = [FIXTURES / "sentencepiece" / n for n in ("marian-joint-codes", "marian-separate")]
SPM_FILES = sorted((FIXTURES / "sentencepiece" / "trained").glob("*.model"))
WEIGHT_DIRS = [FIXTURES / "weights" / n for n in ("marian-bin", "marian-sharded-safetensors", "marian-sharded-bin")]
API_BASE = FIXTURES / "models" / "marian-swish-tied"

TEXTS = [b"", b"a", b"hello world", b"  runs   of   spaces  ", b"\xff\xfe\xfd", b"\xc3", b"\xed\xa0\x80",
         "caf\u00e9 \u0301\u0301 \U0001F600 \u4e2d\u6587 \u0663\u0664 \u200d".encode(), b"<pad> </s> <unk> <s>",
         b">>fr<< 4213", b">>de<< 1000000", b"x" * 5000, b"\xe2\x96\x81" * 300, "\ufeff\u00a0\u3000".encode(),
         b"\x01\x02\x1f\x7f", b"w1 w2 w3 w0", b">>xx<<", b"9" * 400]

SIZE_MAX = 2**64 - 1
# size_t values a caller produces from negative numbers or overflow: larger than any real array, and
# than lmcore's documented limits, so lmcore must reject them before reading the (small) array passed.
HUGE_SIZES = [SIZE_MAX, 2**63, 2**63 - 1, 2**62, 2**47 + 1, 2**32, 2**31, (1 << 28) + 1]
STATUSES = range(0, 9)
STATUS_BUFFER_TOO_SMALL = 6
STATUS_INTERNAL = 8

# ---------------------------------------------------------------- the header


def header_functions():
    """{name: returns_status} for every function declared in include/lmcore.h."""
    text = re.sub(r"/\*.*?\*/", "", HEADER.read_text(), flags=re.S)
    found = {}
    for m in re.finditer(r"^\s*([A-Za-z_][\w\s\*]*?)\b(lmcore_\w+)\s*\(", text, flags=re.M):
        ret, name = m.group(1).strip(), m.group(2)
        if ret.startswith(("typedef", "#")) or not ret:
            continue
        found[name] = ret == "lmcore_status"
    return found


# ---------------------------------------------------------------- worker side


class Finding(Exception):
    """A documented-behaviour violation (not a crash)."""


def fmt_arg(a):
    if a is None:
        return "NULL"
    if isinstance(a, bool):
        return str(int(a))
    if isinstance(a, int):
        return str(a)
    if isinstance(a, float):
        return repr(a)
    if isinstance(a, bytes):
        return repr(a[:48]) + (f"...({len(a)} bytes)" if len(a) > 48 else "")
    if type(a).__name__ == "CArgObject":
        return "&" + type(a._obj).__name__
    if isinstance(a, ctypes.Array):
        items = [fmt_arg(x) if not isinstance(x, ctypes._Pointer) else ("NULL" if not x else "ptr")
                 for x in list(a)[:6]]
        more = ", ..." if len(a) > 6 else ""
        return f"{a._type_.__name__}[{len(a)}]{{{', '.join(items)}{more}}}"
    if isinstance(a, ctypes.Structure):
        return type(a).__name__ + "{" + ", ".join(f"{f}={fmt_arg(getattr(a, f))}" for f, _ in a._fields_
                                                  if f not in ("callback", "callback_user_data")) + "}"
    if isinstance(a, ctypes._SimpleCData):
        return fmt_arg(a.value)
    return type(a).__name__


class Checked:
    """The library with every call traced (to stderr, read after a crash) and its result checked."""

    SENTINEL = 0x5EED

    def __init__(self, lib, functions, trace):
        self.lib = lib
        self.functions = functions
        self.trace = trace
        self.called = set()

    def __getattr__(self, name):
        fn = getattr(self.lib, name)
        returns_status = self.functions.get(name, False)

        def call(*args):
            self.called.add(name)
            outs = [a._obj for a in args if type(a).__name__ == "CArgObject"]
            # Out-parameters start as garbage, so "left NULL/0 on failure" is really checked.
            for o in outs:
                if isinstance(o, (ctypes.c_void_p, ctypes.c_size_t)):
                    o.value = self.SENTINEL
                elif isinstance(o, ctypes._Pointer):
                    ctypes.cast(ctypes.byref(o), ctypes.POINTER(ctypes.c_void_p))[0] = self.SENTINEL
            self.trace(f"{name}({', '.join(fmt_arg(a) for a in args)})")
            result = fn(*args)
            if returns_status:
                self.verify(name, result, args, outs)
            return result

        return call

    def verify(self, name, status, args, outs):
        if status not in STATUSES:
            raise Finding(f"{name} returned {status}, not a documented lmcore_status")
        if status == 0:
            return
        message = self.lib.lmcore_last_error()
        if not message:
            raise Finding(f"{name} failed with {self.lib.lmcore_status_name(status).decode()} and an empty "
                          "lmcore_last_error()")
        if status == STATUS_INTERNAL:
            raise Finding(f"{name} returned LMCORE_ERR_INTERNAL: {message.decode(errors='replace')}")
        for o in outs:
            if isinstance(o, ctypes.c_void_p) and o.value is not None:
                raise Finding(f"{name} failed ({message.decode(errors='replace')}) but left an out-handle non-NULL")
            if isinstance(o, ctypes._Pointer) and o:
                raise Finding(f"{name} failed but left an out-pointer non-NULL")
            if isinstance(o, ctypes.c_size_t) and o.value != 0 and status != STATUS_BUFFER_TOO_SMALL:
                raise Finding(f"{name} failed ({message.decode(errors='replace')}) but left an out-count "
                              f"{o.value}, not 0")


class Worker:
    def __init__(self, library, resources):
        lib = ctypes.CDLL(library)
        declare(lib)
        self.raw = lib
        self.functions = header_functions()
        self.c = Checked(lib, self.functions, self.trace)
        self.resources = resources
        self.cache = {}

    @staticmethod
    def trace(message):
        """Where the worker is, for the crash report (the driver reads stderr after the worker dies)."""
        sys.stderr.write(message[:600] + "\n")
        sys.stderr.flush()

    # -- helpers

    def model(self, key, load_tokenizer=1):
        """A loaded valid model: "api" (tiny Marian with a WordLevel tokenizer) or "real" (numbers-7lang)."""
        k = (key, load_tokenizer)
        if k not in self.cache:
            m = ctypes.c_void_p()
            mp = ModelParams(threads=1, load_tokenizer=load_tokenizer)
            st = self.raw.lmcore_model_load(self.resources[key].encode(), ctypes.byref(mp), ctypes.byref(m))
            if st != 0:
                raise RuntimeError(f"cannot load {self.resources[key]}: {self.raw.lmcore_last_error().decode()}")
            self.cache[k] = m
        return self.cache[k]

    def tokenizer(self):
        if "tok" not in self.cache:
            t = ctypes.c_void_p()
            if self.raw.lmcore_tokenizer_load(str(REAL_MODEL / "tokenizer.json").encode(), ctypes.byref(t)) != 0:
                raise RuntimeError(self.raw.lmcore_last_error().decode())
            self.cache["tok"] = t
        return self.cache["tok"]

    def vocab(self, model):
        info = ModelInfo()
        self.c.lmcore_model_get_info(model, ctypes.byref(info))
        return max(1, info.vocab_size)

    @staticmethod
    def ids_array(ids):
        return (ctypes.c_int32 * max(1, len(ids)))(*ids)

    def id_lists(self, lists):
        arrays = [self.ids_array(x) for x in lists]
        ptrs = (ctypes.POINTER(ctypes.c_int32) * max(1, len(lists)))(
            *[ctypes.cast(a, ctypes.POINTER(ctypes.c_int32)) for a in arrays])
        lengths = (ctypes.c_size_t * max(1, len(lists)))(*[len(x) for x in lists])
        self._keep = arrays
        return ptrs, lengths

    @staticmethod
    def texts(items):
        return (ctypes.c_char_p * max(1, len(items)))(*items)

    def params(self, **fields):
        p = GenerationParams()
        self.c.lmcore_generation_default_params_by_ref(ctypes.byref(p))
        p.max_new_tokens = 4
        for k, v in fields.items():
            setattr(p, k, v)
        return p

    def random_params(self, rng):
        p = self.params()
        p.max_new_tokens = -1
        ints = [-1, -1, -1, 0, 1, 2, 3, 4, 8, 64, 1000, 2**31 - 1, -2, -2**31]
        floats = [float("nan"), float("nan"), 0.0, 1.0, 0.5, 2.0, -1.0, 1e-30, 1e30, float("inf"), -float("inf"),
                  -0.0, 3.4e38, 1.5, 1e-45]
        for name in ("max_new_tokens", "min_new_tokens", "max_length", "min_length", "beam_size",
                     "num_return_sequences", "no_repeat_ngram_size", "encoder_no_repeat_ngram_size", "top_k"):
            if rng.random() < 0.3:
                setattr(p, name, rng.choice(ints))
        for name in ("length_penalty", "repetition_penalty", "temperature", "top_p"):
            if rng.random() < 0.25:
                setattr(p, name, rng.choice(floats))
        if rng.random() < 0.3:
            p.early_stopping = rng.choice([-1, 0, 1, 2, 3, -2])
        if rng.random() < 0.3:
            p.do_sample = rng.choice([-1, 0, 1, 2])
        if rng.random() < 0.3:
            p.seed = rng.choice([-1, 0, 1, 2**63 - 1, -2, -2**63])
        p.return_scores = rng.choice([0, 1, -1])
        # A case is about control flow, not long decoding: at most a few steps.
        if p.max_new_tokens < 1 or p.max_new_tokens > 8:
            p.max_new_tokens = rng.choice([1, 3, 8, 0, -5])
        if p.beam_size > 8 and rng.random() < 0.8:
            p.beam_size = 4
        return p

    @staticmethod
    def random_ids(rng, vocab, n=None):
        n = rng.choice([0, 1, 2, 5, 17, 70]) if n is None else n
        pool = [0, 1, 2, vocab - 1, vocab - 2] + [rng.randrange(max(1, vocab)) for _ in range(6)]
        bad = [-1, vocab, vocab + 1, 2**31 - 1, -2**31]
        return [rng.choice(bad) if rng.random() < 0.05 else rng.choice(pool) for _ in range(n)]

    def read_result(self, result):
        c = self.c
        n = c.lmcore_result_count(result)
        count = ctypes.c_size_t()
        for i in range(n + 1):
            for j in range(c.lmcore_result_hypothesis_count(result, i) + 1):
                ids = ctypes.POINTER(ctypes.c_int32)()
                if c.lmcore_result_ids(result, i, j, ctypes.byref(ids), ctypes.byref(count)) == 0:
                    _ = [ids[k] for k in range(count.value)]
                c.lmcore_result_score(result, i, j, ctypes.byref(ctypes.c_float()))
                c.lmcore_result_text(result, i, j)
                scores = ctypes.POINTER(ctypes.c_float)()
                if c.lmcore_result_token_scores(result, i, j, ctypes.byref(scores), ctypes.byref(count)) == 0:
                    _ = [scores[k] for k in range(count.value)]
        for i, j in ((SIZE_MAX, 0), (0, SIZE_MAX), (2**63, 2**63), (n, 0)):
            c.lmcore_result_text(result, i, j)
            c.lmcore_result_hypothesis_count(result, i)
            c.lmcore_result_score(result, i, j, ctypes.byref(ctypes.c_float()))
            c.lmcore_result_ids(result, i, j, ctypes.byref(ctypes.POINTER(ctypes.c_int32)()), ctypes.byref(count))

    def finish(self, status, result):
        if status == 0:
            self.read_result(result)
            self.c.lmcore_result_free(result)

    # -- operations shared by the seeded kinds

    def tokenizer_ops(self, rng, tok, rounds):
        c = self.c
        vocab = c.lmcore_tokenizer_vocab_size(tok)
        n = ctypes.c_size_t()
        length = ctypes.c_size_t()
        for _ in range(rounds):
            text = rng.choice(TEXTS) if rng.random() < 0.7 else bytes(rng.randrange(1, 256)
                                                                      for _ in range(rng.randrange(40)))
            ids = []
            if c.lmcore_tokenize(tok, text, rng.choice([0, 1, 2, -1]), None, 0, ctypes.byref(n)) == 0:
                need = n.value
                buf = (ctypes.c_int32 * max(1, need))()
                cap = rng.choice([need, need, max(0, need - 1), 0])
                if c.lmcore_tokenize(tok, text, 1, buf, cap, ctypes.byref(n)) == 0:
                    ids = list(buf[:n.value])
            if rng.random() < 0.5:
                ids = self.random_ids(rng, max(1, vocab), rng.choice([0, 1, 3, 30]))
            arr = self.ids_array(ids)
            if c.lmcore_detokenize(tok, arr, len(ids), rng.choice([0, 1]), None, 0, ctypes.byref(length)) == 0:
                out = ctypes.create_string_buffer(length.value + 1)
                cap = rng.choice([length.value + 1, length.value, 0, 1])
                c.lmcore_detokenize(tok, arr, len(ids), 1, out, min(cap, length.value + 1), ctypes.byref(length))
            i = rng.choice([0, 1, vocab - 1, vocab, -1, 2**31 - 1, -2**31, rng.randrange(max(1, vocab))])
            i = max(-2**31, min(2**31 - 1, i))
            if c.lmcore_tokenizer_id_to_token(tok, i, None, 0, ctypes.byref(length)) == 0:
                out = ctypes.create_string_buffer(length.value + 1)
                if c.lmcore_tokenizer_id_to_token(tok, i, out, length.value + 1, ctypes.byref(length)) == 0:
                    c.lmcore_tokenizer_token_to_id(tok, out.value, ctypes.byref(ctypes.c_int32()))
            c.lmcore_tokenizer_token_to_id(tok, rng.choice(TEXTS), ctypes.byref(ctypes.c_int32()))

    def model_ops(self, rng, model, rounds):
        c = self.c
        info = ModelInfo()
        c.lmcore_model_get_info(model, ctypes.byref(info))
        vocab = max(1, info.vocab_size)
        tok = c.lmcore_model_tokenizer(model)
        if tok:
            self.tokenizer_ops(rng, tok, 2)
        n = ctypes.c_size_t()
        for _ in range(rounds):
            op = rng.randrange(6)
            result = ctypes.c_void_p()
            p = self.random_params(rng)
            if op == 0:
                lists = [self.random_ids(rng, vocab) for _ in range(rng.choice([1, 1, 2, 3]))]
                ptrs, lengths = self.id_lists(lists)
                self.finish(c.lmcore_generate(model, ptrs, lengths, len(lists), ctypes.byref(p),
                                              ctypes.byref(result)), result)
            elif op == 1:
                items = [rng.choice(TEXTS)[:300] for _ in range(rng.choice([1, 2, 3]))]
                self.finish(c.lmcore_translate(model, self.texts(items), len(items), ctypes.byref(p),
                                               ctypes.byref(result)), result)
            elif op == 2:
                k = rng.choice([1, 2])
                sp, sl = self.id_lists([self.random_ids(rng, vocab) for _ in range(k)])
                keep = self._keep
                tp, tl = self.id_lists([self.random_ids(rng, vocab) for _ in range(k)])
                self.finish(c.lmcore_score(model, sp, sl, tp, tl, k, ctypes.byref(result)), result)
                del keep
            elif op == 3:
                items = [rng.choice(TEXTS)[:200] for _ in range(2)]
                self.finish(c.lmcore_score_text(model, self.texts(items[:1]), self.texts(items[1:]), 1,
                                                ctypes.byref(result)), result)
            elif op == 4:
                ptrs, lengths = self.id_lists([self.random_ids(rng, vocab) for _ in range(rng.choice([1, 2]))])
                pooled = rng.choice([0, 1, 7])
                if c.lmcore_encode(model, ptrs, lengths, len(self._keep), pooled, None, 0, ctypes.byref(n)) == 0:
                    buf = (ctypes.c_float * max(1, n.value))()
                    c.lmcore_encode(model, ptrs, lengths, len(self._keep), pooled, buf,
                                    rng.choice([n.value, max(0, n.value - 1)]), ctypes.byref(n))
            else:
                c.lmcore_encode_text(model, self.texts([rng.choice(TEXTS)[:200]]), 1, rng.choice([0, 1]), None, 0,
                                     ctypes.byref(n))

    def api_ops(self, rng, model):
        """Random hostile calls on a valid model."""
        c = self.c
        vocab = self.vocab(model)
        tok = c.lmcore_model_tokenizer(model)
        out = ctypes.c_void_p()
        n = ctypes.c_size_t()
        big = (ctypes.c_int32 * 16384)()  # more than any text of TEXTS tokenizes to
        op = rng.randrange(8)
        if op == 0:
            lists = [self.random_ids(rng, vocab) for _ in range(rng.choice([1, 2, 4]))]
            ptrs, lengths = self.id_lists(lists)
            if rng.random() < 0.3:
                lengths[rng.randrange(len(lists))] = rng.choice(HUGE_SIZES)
            self.finish(c.lmcore_generate(model, ptrs, lengths, rng.choice([len(lists)] * 3 + HUGE_SIZES),
                                          ctypes.byref(self.random_params(rng)), ctypes.byref(out)), out)
        elif op == 1:
            items = [rng.choice(TEXTS) for _ in range(rng.choice([1, 2]))]
            self.finish(c.lmcore_translate(model, self.texts(items), len(items), ctypes.byref(self.random_params(rng)),
                                           ctypes.byref(out)), out)
        elif op == 2:
            text = rng.choice(TEXTS)
            c.lmcore_tokenize(tok, text, 1, big, rng.choice([16384, 0, 1, 2, SIZE_MAX]), ctypes.byref(n))
        elif op == 3:
            ids = self.random_ids(rng, vocab, rng.choice([0, 1, 5, 40]))
            buf = ctypes.create_string_buffer(8192)
            c.lmcore_detokenize(tok, self.ids_array(ids), len(ids), rng.choice([0, 1, -1]), buf,
                                rng.choice([8192, 0, 1, 2, 5, SIZE_MAX]), ctypes.byref(n))
        elif op == 4:
            k = rng.choice([1, 2])
            sp, sl = self.id_lists([self.random_ids(rng, vocab) for _ in range(k)])
            keep = self._keep
            tp, tl = self.id_lists([self.random_ids(rng, vocab) for _ in range(k)])
            if rng.random() < 0.3:
                tl[0] = rng.choice(HUGE_SIZES)
            self.finish(c.lmcore_score(model, sp, sl, tp, tl, rng.choice([k, k, SIZE_MAX]), ctypes.byref(out)), out)
            del keep
        elif op == 5:
            ptrs, lengths = self.id_lists([self.random_ids(rng, vocab, rng.choice([1, 3, 9]))])
            buf = (ctypes.c_float * 65536)()
            c.lmcore_encode(model, ptrs, lengths, 1, rng.choice([0, 1, -1, 2**31 - 1]), buf,
                            rng.choice([65536, 0, 1, 31, 32, SIZE_MAX]), ctypes.byref(n))
        elif op == 6:
            items = [rng.choice(TEXTS)[:500] for _ in range(2)]
            self.finish(c.lmcore_score_text(model, self.texts(items[:1]), self.texts(items[1:]), 1,
                                            ctypes.byref(out)), out)
        else:
            buf = (ctypes.c_float * 65536)()
            c.lmcore_encode_text(model, self.texts([rng.choice(TEXTS)[:300]]), 1, rng.choice([0, 1]), buf,
                                 rng.choice([65536, 0, 1, SIZE_MAX]), ctypes.byref(n))

    # -- running a case

    def run(self, case):
        kind = case["kind"]
        if kind == "fixed":
            FIXED[case["name"]](self)
        elif kind == "params":
            run_params_case(self, case["name"])
        else:
            rng = random.Random(case["seed"])
            if kind == "api":
                model = self.model(rng.choice(["api", "real"]))
                for _ in range(6):
                    self.api_ops(rng, model)
            elif kind == "model":
                m = ctypes.c_void_p()
                mp = ModelParams(threads=1, load_tokenizer=rng.choice([1, 1, 1, 0]))
                if self.c.lmcore_model_load(case["path"].encode(), ctypes.byref(mp), ctypes.byref(m)) == 0:
                    self.model_ops(rng, m, 3)
                    self.c.lmcore_model_free(m)
            elif kind == "tokenizer":
                t = ctypes.c_void_p()
                if self.c.lmcore_tokenizer_load(case["path"].encode(), ctypes.byref(t)) == 0:
                    self.tokenizer_ops(rng, t, 5)
                    self.c.lmcore_tokenizer_free(t)


def worker_main(library, resources):
    faulthandler.enable(file=sys.stderr)
    for sig in (signal.SIGTRAP,):
        faulthandler.register(sig, file=sys.stderr, chain=True)
    w = Worker(library, json.loads(resources))
    out = os.fdopen(1, "w", buffering=1)
    for line in sys.stdin:
        case = json.loads(line)
        w.trace(f"== case {case['label']}")
        try:
            w.run(case)
            status, detail = "ok", ""
        except Finding as e:
            status, detail = "finding", str(e)
        except Exception as e:  # a harness problem, not a library one; reported all the same
            status, detail = "harness", repr(e)
        out.write(json.dumps({"id": case["id"], "status": status, "detail": detail,
                              "called": sorted(w.c.called)}) + "\n")
        w.c.called.clear()


# ---------------------------------------------------------------- fixed cases

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

    def raising(*args):
        raise RuntimeError("a Python exception in the callback")
    keep = TOKEN_CALLBACK(raising)  # ctypes prints it and returns 0: the call is cancelled
    p = w.params()
    p.callback = keep
    import io
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


# ---------------------------------------------------------------- driver side


def wordlevel_tokenizer(vocab):
    """A WordLevel tokenizer.json sized to a model's vocabulary, so text calls run end to end."""
    words = {f"w{i}": i for i in range(vocab)}
    doc = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": 0, "content": "w0", "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True}],
        "normalizer": {"type": "Lowercase"}, "pre_tokenizer": {"type": "Whitespace"},
        "post_processor": {"type": "TemplateProcessing", "single": [{"Sequence": {"id": "A", "type_id": 0}},
                                                                    {"SpecialToken": {"id": "w0", "type_id": 0}}],
                           "pair": [{"Sequence": {"id": "A", "type_id": 0}}],
                           "special_tokens": {"w0": {"id": "w0", "ids": [0], "tokens": ["w0"]}}},
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordLevel", "vocab": words, "unk_token": "w2" if vocab > 2 else "w0"},
    }
    return json.dumps(doc).encode()


def tokenizer_for(model_dir, rng):
    """Tokenizer files to put beside a model: mostly a WordLevel tokenizer sized to its vocabulary,
    sometimes a real fixture (whose ids are out of range for the tiny models)."""
    if (model_dir / "tokenizer.json").exists():
        return {}
    try:
        vocab = int(json.loads((model_dir / "config.json").read_text()).get("vocab_size", 100))
    except (ValueError, OSError):
        vocab = 100
    if rng.random() < 0.6:
        return {"tokenizer.json": wordlevel_tokenizer(vocab)}
    src = rng.choice(SPM_DIRS) if rng.random() < 0.5 else rng.choice(TOKENIZER_DIRS)
    return {p.name: p.read_bytes() for p in src.iterdir() if p.is_file() and p.suffix in (".json", ".spm", ".model")
            and p.name not in ("config.json", "cases.jsonl", "generation_config.json")}


def write_files(work, files, links):
    for name, data in files.items():
        (work / name).write_bytes(data)
    for name, target in links.items():
        os.symlink(target, work / name)


def make_model_case(rng, work):
    base = rng.choice(WEIGHT_DIRS) if rng.random() < 0.15 else rng.choice(MODELS)
    entries = [p for p in base.iterdir() if p.is_file() and p.name not in ("goldens.json", "search.json", "README.md")]
    files = {p.name: p.read_bytes() for p in entries if p.stat().st_size < 1_000_000}
    links = {p.name: p for p in entries if p.stat().st_size >= 1_000_000}
    if rng.random() < 0.7:
        files.update(tokenizer_for(base, rng))
    names = sorted(set(files) | set(links))
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        name = rng.choice(names)
        if rng.random() < 0.03:
            files.pop(name, None)
            links.pop(name, None)
            names = sorted(set(files) | set(links))
            continue
        if name in links:
            files[name] = links.pop(name).read_bytes()
        files[name] = mutate.mutate_file(rng, name, files[name])
    write_files(work, files, links)
    return str(work)


def make_tokenizer_case(rng, work):
    choice = rng.random()
    if choice < 0.55:
        src = rng.choice(TOKENIZER_DIRS)
        files = {p.name: p.read_bytes() for p in src.iterdir() if p.is_file() and p.name.startswith("tokenizer")}
    elif choice < 0.8:
        src = rng.choice(SPM_DIRS)
        files = {p.name: p.read_bytes() for p in src.iterdir() if p.is_file() and p.name != "SOURCE.txt"}
    else:
        src = rng.choice(SPM_FILES)
        data = src.read_bytes()
        for _ in range(rng.choice([1, 1, 2, 4])):
            data = mutate.mutate_file(rng, src.name, data)
        (work / src.name).write_bytes(data)
        return str(work / src.name)
    names = sorted(files)
    for _ in range(rng.choice([1, 1, 2, 3])):
        name = rng.choice(names)
        files[name] = mutate.mutate_file(rng, name, files[name])
    write_files(work, files, {})
    if rng.random() < 0.2 and "tokenizer.json" in files:
        return str(work / "tokenizer.json")
    return str(work)


class Pool:
    """One worker process, restarted after a crash or hang."""

    def __init__(self, library, resources, timeout):
        self.library = library
        self.resources = resources
        self.timeout = timeout
        self.proc = None
        self.buffer = b""

    def start(self):
        # stderr goes to a file (a pipe nobody reads would fill and block the worker); it is
        # emptied before each case, so after a crash it holds that case's calls and the trap message.
        fd, self.log = tempfile.mkstemp(prefix="lmcore-fuzz-worker-", suffix=".log")
        os.close(fd)
        log = os.open(self.log, os.O_WRONLY | os.O_APPEND)  # O_APPEND: writes follow the truncations
        try:
            self.proc = subprocess.Popen([sys.executable, __file__, "--worker", "--library", self.library,
                                          "--resources", json.dumps(self.resources)],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, bufsize=0)
        finally:
            os.close(log)
        self.buffer = b""

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc.stdin.close()
        self.proc.stdout.close()
        self.proc = None
        os.unlink(self.log)

    def log_tail(self, lines):
        text = Path(self.log).read_text(errors="replace").strip().splitlines()
        return "\n".join(text[-lines:])

    def run(self, case):
        """(status, detail, functions called): status ok, finding, harness, crash or timeout."""
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        os.truncate(self.log, 0)
        try:
            self.proc.stdin.write((json.dumps(case) + "\n").encode())
        except BrokenPipeError:
            pass
        deadline = time.time() + self.timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.buffer:
            left = deadline - time.time()
            ready = select.select([fd], [], [], max(0, left))[0] if left > 0 else []
            if not ready:
                detail = f"no answer in {self.timeout:.0f} s; last calls:\n{self.log_tail(12)}"
                self.stop()
                return "timeout", detail, []
            chunk = os.read(fd, 65536)
            if not chunk:
                self.proc.wait()
                code = self.proc.returncode
                detail = f"worker died (exit {code}" + (f", signal {signal.Signals(-code).name}" if code < 0 else "") \
                    + f"); last calls and trap message:\n{self.log_tail(40)}"
                self.stop()
                return "crash", detail, []
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        answer = json.loads(line)
        return answer["status"], answer["detail"], answer["called"]


def build_cases(args, scratch, resources):
    """[(case, files_dir)] in a fixed order: fixed, params, api, model, tokenizer."""
    cases = []
    only = args.only.split(":", 1) if args.only else None

    def add(kind, name=None, seed=None, path=None, work=None):
        label = f"{kind}:{name if name is not None else seed}"
        cases.append({"id": len(cases), "kind": kind, "name": name, "seed": seed, "path": path, "work": work,
                      "label": label})

    if not only or only[0] == "fixed":
        for name in FIXED:
            if not only or only[1] == name:
                add("fixed", name=name)
    if not only or only[0] == "params":
        for name in params_case_names():
            if not only or only[1] == name:
                add("params", name=name)
    rng = random.Random(args.seed)
    seeded = {k: [rng.randrange(2**32) for _ in range(n)] for k, n in (("api", args.api_cases),
                                                                      ("model", args.model_cases),
                                                                      ("tokenizer", args.tokenizer_cases))}
    if only and only[0] in seeded:
        seeded = {only[0]: [int(only[1])]}
    elif only:
        seeded = {}
    for kind, seeds in seeded.items():
        for seed in seeds:
            if kind == "api":
                add("api", seed=seed)
                continue
            work = scratch / f"{kind}-{seed}"
            work.mkdir()
            make = make_model_case if kind == "model" else make_tokenizer_case
            path = make(random.Random(seed), work)
            add(kind, seed=seed, path=path, work=str(work))
    return cases


def prepare_resources(scratch):
    api = scratch / "api-model"
    api.mkdir()
    for p in API_BASE.iterdir():
        if p.name in ("config.json", "generation_config.json", "model.safetensors"):
            shutil.copy(p, api / p.name)
    vocab = json.loads((API_BASE / "config.json").read_text())["vocab_size"]
    (api / "tokenizer.json").write_bytes(wordlevel_tokenizer(vocab))
    return {"api": str(api), "real": str(REAL_MODEL)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--library", default=os.environ.get("LMCORE_LIBRARY")
                    or str(ROOT / ".build" / "release" / "liblmcore.so"))
    ap.add_argument("--seed", type=int, default=20250101, help="seeds the api/model/tokenizer cases")
    ap.add_argument("--api-cases", type=int, default=300)
    ap.add_argument("--model-cases", type=int, default=2500)
    ap.add_argument("--tokenizer-cases", type=int, default=2500)
    ap.add_argument("--only", help="one case: fixed:NAME, params:NAME, api:SEED, model:SEED or tokenizer:SEED")
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--timeout", type=float, default=30, help="seconds one case may take before it is a hang")
    ap.add_argument("--out", default=str(Path(tempfile.gettempdir()) / "lmcore-fuzz"),
                    help="where failing cases' files are saved")
    ap.add_argument("--list", action="store_true", help="print the case labels and exit")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--resources", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker_main(args.library, args.resources)
        return 0
    if not Path(args.library).is_file():
        print(f"fuzz: {args.library} not found (build with swift build -c release, or set LMCORE_LIBRARY)")
        return 2
    start = time.time()
    scratch = Path(tempfile.mkdtemp(prefix="lmcore-fuzz-"))
    try:
        resources = prepare_resources(scratch)
        cases = build_cases(args, scratch, resources)
        if args.list:
            print("\n".join(c["label"] for c in cases))
            return 0
        if not cases:
            print(f"fuzz: no case matches {args.only}")
            return 2
        built = time.time() - start
        results = [None] * len(cases)
        # Fixed cases share one worker, in order; the rest is spread over the jobs.
        first = [c for c in cases if c["kind"] == "fixed"]
        rest = [c for c in cases if c["kind"] != "fixed"]
        queues = [first + rest[0::args.jobs]] + [rest[k::args.jobs] for k in range(1, args.jobs)]

        def drive(queue):
            pool = Pool(args.library, resources, args.timeout)
            try:
                for case in queue:
                    results[case["id"]] = pool.run(case)
            finally:
                pool.stop()
        threads = [threading.Thread(target=drive, args=(q,)) for q in queues if q]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        counts = {}
        failures = []
        called = set()
        for case, (status, detail, functions) in zip(cases, results):
            key = (case["kind"], status)
            counts[key] = counts.get(key, 0) + 1
            called.update(functions)
            if status != "ok":
                failures.append((case, status, detail))
        missing = sorted(set(header_functions()) - called)
        if not args.only and missing:
            failures.append(({"label": "coverage", "kind": "coverage", "work": None}, "finding",
                             "include/lmcore.h functions no case called: " + ", ".join(missing)))
        out = Path(args.out)
        for case, status, detail in failures:
            print(f"\n!! {status.upper()} in case {case['label']}")
            print("   replay: python3 Tests/Fuzz/fuzz_capi.py --only " + case["label"]
                  + (f" --seed {args.seed}" if case["kind"] in ("model", "tokenizer", "api") else ""))
            if case["work"]:
                dest = out / case["label"].replace(":", "-")
                shutil.rmtree(dest, ignore_errors=True)
                shutil.copytree(case["work"], dest, symlinks=False)
                print(f"   files: {dest}")
            print("   " + detail.replace("\n", "\n   "))
        kinds = {}
        for (kind, status), n in counts.items():
            kinds.setdefault(kind, {})[status] = n
        summary = ", ".join(f"{k} {sum(v.values())}" + ("" if set(v) == {"ok"} else f" {v}") for k, v in kinds.items())
        print(f"\nfuzz: {len(cases)} cases ({summary}) in {time.time() - start:.1f} s "
              f"(cases built in {built:.1f} s, {args.jobs} workers); "
              + ("all passed" if not failures else f"{len(failures)} FAILED"))
        return 1 if failures else 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
