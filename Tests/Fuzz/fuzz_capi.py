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
import os
import random
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mutate  # noqa: E402
from capi import (API_BASE, MODELS, REAL_MODEL, ROOT, SIZE_MAX, HUGE_SIZES, SPM_DIRS, SPM_FILES,  # noqa: E402
                  TEXTS, TOKENIZER_DIRS, WEIGHT_DIRS, Checked, Finding, GenerationParams, ModelInfo, ModelParams,
                  declare, header_functions)
from capi_cases import FIXED, params_case_names, run_params_case  # noqa: E402

# ---------------------------------------------------------------- worker side


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
        for name in ("max_input_length", "max_batch_size", "forced_bos_token_id", "forced_eos_token_id"):
            if rng.random() < 0.15:
                setattr(p, name, rng.choice(ints))
        if rng.random() < 0.15:
            p.batch_type = rng.choice([0, 1, 2, -1])
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
