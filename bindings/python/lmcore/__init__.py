"""lmcore: encoder-decoder Transformer inference (Marian, BART, mBART, T5, ...) from Python.

    import lmcore
    model = lmcore.Model("models/numbers-7lang")
    print(model.translate([">>fr<< 4213"], beam_size=4)[0][0].text)

Everything runs in liblmcore.so through ctypes; errors raise LMCoreError with the library's
message. numpy arrays are accepted for ids, and `encode` returns numpy arrays when numpy is
installed (lists otherwise).
"""
from __future__ import annotations

import ctypes
import math
import os
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, List, Literal, Optional, Sequence, Tuple, TypedDict, Union

if TYPE_CHECKING:  # annotations only: Unpack is typing's from 3.11, typing_extensions' before
    from typing_extensions import Unpack

from . import _arguments as _args
from ._library import LOG_CALLBACK, GenerationParams, ModelInfo, ModelParams, TEXT_CALLBACK, TOKEN_CALLBACK, declare, load_library

try:  # optional
    import numpy as _np  # type: ignore[import-not-found, unused-ignore]
except ImportError:  # pragma: no cover
    _np = None

_lib, LIBRARY_PATH = load_library()
FUNCTIONS = declare(_lib)

# The struct layouts in _library.py are those of this ABI version of lmcore.h; another library would
# read or write past them.
ABI_VERSION = 3
if _lib.lmcore_abi_version() != ABI_VERSION:
    raise ImportError(f"{LIBRARY_PATH} has lmcore ABI version {_lib.lmcore_abi_version()}; this package "
                      f"needs version {ABI_VERSION} (rebuild the library or reinstall the package)")

__all__ = ["LMCoreError", "Model", "Tokenizer", "Hypothesis", "Score", "GenerationOptions", "version", "abi_version",
           "set_log_handler",
           "LIBRARY_PATH", "metrics"]

_BUFFER_TOO_SMALL = 6


class LMCoreError(Exception):
    """A failed lmcore call: `status` is the lmcore_status name, the message is the library's."""

    def __init__(self, status, message):
        self.status = status
        super().__init__(message)


def _check(status):
    if status != 0:
        name = _lib.lmcore_status_name(status).decode()
        raise LMCoreError(name, _lib.lmcore_last_error().decode("utf-8", "replace"))


def version() -> str:
    """The library's version string."""
    return _lib.lmcore_version().decode()


def abi_version() -> int:
    return _lib.lmcore_abi_version()


_LOG_LEVELS = {"off": 0, "error": 1, "warning": 2, "info": 3, "debug": 4}
_log_callback = None  # the installed ctypes callback, kept alive while lmcore may call it


def set_log_handler(handler: Optional[Callable[[str, str], None]] = None,
                    level: Optional[Literal["off", "error", "warning", "info", "debug"]] = None) -> None:
    """Routes lmcore's diagnostics (OpenBLAS missing, a compute type this CPU cannot run, what a
    load chose) to handler(level_name, message); None: stderr, the default. level None keeps the
    current one (LMCORE_LOG, else "warning"). E.g. set_log_handler(lambda l, m:
    logging.getLogger("lmcore").log(logging.getLevelName(l.upper()), m), "info")."""
    global _log_callback
    if level is not None and level not in _LOG_LEVELS:
        raise ValueError(f"level must be one of {', '.join(_LOG_LEVELS)}")
    names = {v: k for k, v in _LOG_LEVELS.items()}
    previous = _log_callback
    if handler is None:
        _log_callback = LOG_CALLBACK()
    else:
        def forward(lvl, message, _user):
            try:
                handler(names.get(lvl, "warning"), message.decode("utf-8", "replace"))
            except BaseException:  # never unwind through C
                pass
        _log_callback = LOG_CALLBACK(forward)
    _check(_lib.lmcore_set_log_callback(_log_callback, None, -1 if level is None else _LOG_LEVELS[level]))
    del previous  # released only after lmcore stopped calling it


class Hypothesis:
    """One generated sequence: `ids` (after the decoder start token, EOS included), `score`
    (beam search: transformers' sequences_scores; greedy/sampling with return_scores: the sum of
    token log-probs; else nan), `token_scores` (with return_scores), and `text` for translate."""

    __slots__ = ("ids", "score", "token_scores", "text")

    def __init__(self, ids, score, token_scores=None, text=None):
        self.ids = ids
        self.score = score
        self.token_scores = token_scores
        self.text = text

    def __repr__(self):
        head = f"text={self.text!r}, " if self.text is not None else ""
        return f"Hypothesis({head}ids={self.ids}, score={self.score})"


class Score:
    """Teacher-forced log-likelihood of one target: `total` and per-token `token_scores`."""

    __slots__ = ("total", "token_scores")

    def __init__(self, total, token_scores):
        self.total = total
        self.token_scores = token_scores

    def __repr__(self):
        return f"Score(total={self.total}, token_scores={self.token_scores})"


Ids = Sequence[int]
TokenCallbackFn = Callable[[int, int, List[int]], Optional[bool]]


class GenerationOptions(TypedDict, total=False):
    """The keyword options of generate_ids, translate and stream (transformers' generate names;
    unset = the model's generation_config.json). Checked before they reach C: a wrong type is a
    TypeError, an out-of-range value a ValueError."""
    max_new_tokens: int
    min_new_tokens: int
    max_length: int
    min_length: int
    beam_size: int
    num_beams: int
    num_return_sequences: int
    length_penalty: float
    early_stopping: Union[bool, Literal["never"]]
    repetition_penalty: float
    no_repeat_ngram_size: int
    encoder_no_repeat_ngram_size: int
    do_sample: bool
    temperature: float
    top_k: int
    top_p: float
    seed: int
    return_scores: bool
    callback: TokenCallbackFn
    suppress_tokens: Ids
    begin_suppress_tokens: Ids
    bad_words_ids: Sequence[Ids]
    forced_bos_token_id: int
    forced_eos_token_id: int
    # request options
    target_lang: str
    target_prefix: Union[Ids, Sequence[Ids]]
    max_input_length: int
    max_batch_size: int
    batch_type: Literal["examples", "tokens"]


_EARLY_STOPPING = {None: -1, False: 0, True: 1, "never": 2}
_BATCH_TYPES = {"examples": 0, "tokens": 1}


def _generation_params(max_new_tokens=None, min_new_tokens=None, max_length=None, min_length=None,
                       beam_size=None, num_beams=None, num_return_sequences=None, length_penalty=None,
                       early_stopping=None, repetition_penalty=None, no_repeat_ngram_size=None,
                       encoder_no_repeat_ngram_size=None, do_sample=None, temperature=None, top_k=None, top_p=None,
                       seed=None, return_scores=False, callback=None, target_lang=None, target_prefix=None,
                       suppress_tokens=None, begin_suppress_tokens=None, bad_words_ids=None, forced_bos_token_id=None,
                       forced_eos_token_id=None, max_input_length=None, max_batch_size=None, batch_type="examples",
                       _text_callback=None):
    if beam_size is not None and num_beams is not None and beam_size != num_beams:
        raise ValueError("beam_size and num_beams disagree")
    beams = beam_size if beam_size is not None else num_beams
    p = GenerationParams()
    _lib.lmcore_generation_default_params_by_ref(ctypes.byref(p))

    # -1 and NaN mean "unset" in C, so a negative count must not pass through as one.
    def opt_int(name, value):
        return -1 if value is None else _args.integer(name, value)

    def opt_float(name, value):
        return math.nan if value is None else _args.real(name, value)

    p.max_new_tokens = opt_int("max_new_tokens", max_new_tokens)
    p.min_new_tokens = opt_int("min_new_tokens", min_new_tokens)
    p.max_length = opt_int("max_length", max_length)
    p.min_length = opt_int("min_length", min_length)
    p.beam_size = opt_int("beam_size" if beam_size is not None else "num_beams", beams)
    p.num_return_sequences = opt_int("num_return_sequences", num_return_sequences)
    p.length_penalty = opt_float("length_penalty", length_penalty)
    if early_stopping not in _EARLY_STOPPING:
        raise ValueError("early_stopping must be None, True, False or 'never'")
    p.early_stopping = _EARLY_STOPPING[early_stopping]
    p.repetition_penalty = opt_float("repetition_penalty", repetition_penalty)
    p.no_repeat_ngram_size = opt_int("no_repeat_ngram_size", no_repeat_ngram_size)
    p.encoder_no_repeat_ngram_size = opt_int("encoder_no_repeat_ngram_size", encoder_no_repeat_ngram_size)
    p.do_sample = -1 if do_sample is None else int(bool(do_sample))
    # Ranges transformers' warpers and processors require, checked before C (HF itself skips a
    # top_p >= 1 silently; here 2.0 is a mistake worth saying).
    for name, value, ok, rule in (("top_p", top_p, lambda v: 0 <= v <= 1, "in [0, 1]"),
                                  ("temperature", temperature, lambda v: v > 0, "> 0"),
                                  ("repetition_penalty", repetition_penalty, lambda v: v > 0, "> 0"),
                                  ("length_penalty", length_penalty, math.isfinite, "finite")):
        if value is not None and not ok(_args.real(name, value)):
            raise ValueError(f"{name} must be {rule}, got {value}")
    p.temperature = opt_float("temperature", temperature)
    p.top_k = opt_int("top_k", top_k)
    p.top_p = opt_float("top_p", top_p)
    p.seed = -1 if seed is None else _args.integer("seed", seed, maximum=_args.INT64_MAX)
    p.return_scores = 1 if return_scores else 0
    arrays = []  # ctypes arrays the params point to, alive until the call returns
    if target_lang is not None:
        p.target_lang = _args.text("target_lang", target_lang)
    if target_prefix is not None:
        # One list of ids for every input, or one list per input.
        flat = _as_list(target_prefix)
        lists = [flat] if all(not hasattr(x, "__len__") for x in flat) else _as_lists(flat)
        held, p.target_prefixes, p.target_prefix_lengths, p.n_target_prefixes = _id_arrays(lists, "target_prefix")
        arrays.append(held)
    for name, value in (("suppress_tokens", suppress_tokens), ("begin_suppress_tokens", begin_suppress_tokens)):
        if value is not None:
            ids = [_args.token_id(f"{name}[{k}]", x) for k, x in enumerate(_as_list(value))]
            array = (ctypes.c_int32 * max(1, len(ids)))(*ids)
            arrays.append(array)
            setattr(p, name, ctypes.cast(array, ctypes.POINTER(ctypes.c_int32)))
            setattr(p, "n_" + name, len(ids))
    if bad_words_ids is not None:
        held, p.bad_words_ids, p.bad_words_lengths, p.n_bad_words = _id_arrays(bad_words_ids, "bad_words_ids")
        arrays.append(held)
    p.forced_bos_token_id = -1 if forced_bos_token_id is None else _args.token_id("forced_bos_token_id", forced_bos_token_id)
    p.forced_eos_token_id = -1 if forced_eos_token_id is None else _args.token_id("forced_eos_token_id", forced_eos_token_id)
    p.max_input_length = opt_int("max_input_length", max_input_length)
    p.max_batch_size = -1 if max_batch_size is None else _args.integer("max_batch_size", max_batch_size, minimum=1)
    if batch_type not in _BATCH_TYPES:
        raise ValueError("batch_type must be 'examples' or 'tokens'")
    p.batch_type = _BATCH_TYPES[batch_type]
    keep = (None, [], arrays)
    if _text_callback is not None:
        def text_trampoline(input_index, sequence, text, length, _user):
            try:
                return 0 if _text_callback(input_index, sequence,
                                           ctypes.string_at(text, length).decode("utf-8", "replace")) is False else 1
            except BaseException as e:  # never unwind through C
                keep[1].append(e)
                return 0
        arrays.append(TEXT_CALLBACK(text_trampoline))
        p.text_callback = arrays[-1]
    if callback is not None:

        def trampoline(input_index, sequence, tokens, n_tokens, _user):
            try:
                return 0 if callback(input_index, sequence, [tokens[k] for k in range(n_tokens)]) is False else 1
            except BaseException as e:  # never let an exception unwind through C; re-raised after the call
                keep[1].append(e)
                return 0
        keep = (TOKEN_CALLBACK(trampoline), keep[1], arrays)
        p.callback = keep[0]
    return p, keep


def _as_lists(sequences):
    if hasattr(sequences, "tolist"):
        sequences = sequences.tolist()
    return [s.tolist() if hasattr(s, "tolist") else list(s) for s in sequences]


def _as_list(ids):
    return ids.tolist() if hasattr(ids, "tolist") else list(ids)


def _id_arrays(sequences, what="input"):
    sequences = [[_args.token_id(f"{what} {i} id {k}", x) for k, x in enumerate(s)]
                 for i, s in enumerate(_as_lists(sequences))]
    n = len(sequences)
    arrays = [(ctypes.c_int32 * max(1, len(s)))(*s) for s in sequences]
    pointers = (ctypes.POINTER(ctypes.c_int32) * max(1, n))(
        *[ctypes.cast(a, ctypes.POINTER(ctypes.c_int32)) for a in arrays])
    lengths = (ctypes.c_size_t * max(1, n))(*[len(s) for s in sequences])
    return (arrays, pointers, lengths), pointers, lengths, n


def _text_array(texts):
    if isinstance(texts, str):
        raise TypeError("expected a list of strings, got a single string")
    encoded = [_args.text(f"input {i}", t) for i, t in enumerate(texts)]
    return (ctypes.c_char_p * max(1, len(encoded)))(*encoded), len(encoded)


def _read_result(result):
    out = []
    for i in range(_lib.lmcore_result_count(result)):
        hyps = []
        for j in range(_lib.lmcore_result_hypothesis_count(result, i)):
            ids = ctypes.POINTER(ctypes.c_int32)()
            n = ctypes.c_size_t()
            _check(_lib.lmcore_result_ids(result, i, j, ctypes.byref(ids), ctypes.byref(n)))
            score = ctypes.c_float()
            _check(_lib.lmcore_result_score(result, i, j, ctypes.byref(score)))
            scores = ctypes.POINTER(ctypes.c_float)()
            ns = ctypes.c_size_t()
            _check(_lib.lmcore_result_token_scores(result, i, j, ctypes.byref(scores), ctypes.byref(ns)))
            text = _lib.lmcore_result_text(result, i, j)
            hyps.append(Hypothesis([ids[k] for k in range(n.value)], score.value,
                                   [scores[k] for k in range(ns.value)] if ns.value else None,
                                   text.decode("utf-8") if text is not None else None))
        out.append(hyps)
    return out


def _run_generation(call, options):
    params, keep = _generation_params(**options)
    result = ctypes.c_void_p()
    try:
        status = call(ctypes.byref(params), ctypes.byref(result))
        if keep[1]:
            raise keep[1][0]
        _check(status)
        return _read_result(result)
    finally:
        _lib.lmcore_result_free(result)


def _float_buffer(call):
    """Two-call convention: ask the size, then fill a buffer."""
    n = ctypes.c_size_t()
    _check(call(None, 0, ctypes.byref(n)))
    if _np is not None:
        out = _np.empty(n.value, dtype=_np.float32)
        _check(call(out.ctypes.data_as(ctypes.POINTER(ctypes.c_float)), n.value, ctypes.byref(n)))
        return out
    buf = (ctypes.c_float * max(1, n.value))()
    _check(call(buf, n.value, ctypes.byref(n)))
    return list(buf[: n.value])


class Tokenizer:
    """A tokenizer: a tokenizer.json, a SentencePiece .model/.spm file, or a model folder
    (picked as transformers' AutoTokenizer would)."""

    def __init__(self, path: Union[str, os.PathLike, None] = None, *, _handle=None, _owner=None) -> None:
        if _handle is not None:
            self._handle, self._owned, self._owner = _handle, False, _owner
            return
        handle = ctypes.c_void_p()
        _check(_lib.lmcore_tokenizer_load(str(path).encode(), ctypes.byref(handle)))
        self._handle, self._owned, self._owner = handle, True, None

    def close(self) -> None:
        if getattr(self, "_owned", False) and self._handle:
            _lib.lmcore_tokenizer_free(self._handle)
        self._handle = None

    def __del__(self):
        self.close()

    def encode(self, text: str, add_special_tokens: bool = True) -> List[int]:
        """Ids of `text`, as transformers' tokenizer(text)["input_ids"]."""
        data = _args.text("text", text)
        n = ctypes.c_size_t()
        _check(_lib.lmcore_tokenize(self._handle, data, int(add_special_tokens), None, 0, ctypes.byref(n)))
        buf = (ctypes.c_int32 * max(1, n.value))()
        _check(_lib.lmcore_tokenize(self._handle, data, int(add_special_tokens), buf, n.value, ctypes.byref(n)))
        return list(buf[: n.value])

    def encode_batch(self, texts: Sequence[str], add_special_tokens: bool = True) -> List[List[int]]:
        return [self.encode(t, add_special_tokens) for t in texts]

    def decode(self, ids: Ids, skip_special_tokens: bool = False) -> str:
        """Text of `ids`, as transformers' decode(ids, skip_special_tokens=...)."""
        ids = [_args.token_id(f"id {k}", x) for k, x in enumerate(ids.tolist() if hasattr(ids, "tolist") else ids)]
        arr = (ctypes.c_int32 * max(1, len(ids)))(*ids)
        n = ctypes.c_size_t()
        _check(_lib.lmcore_detokenize(self._handle, arr, len(ids), int(skip_special_tokens), None, 0, ctypes.byref(n)))
        buf = ctypes.create_string_buffer(n.value + 1)
        _check(_lib.lmcore_detokenize(self._handle, arr, len(ids), int(skip_special_tokens), buf, n.value + 1,
                                      ctypes.byref(n)))
        return buf.raw[: n.value].decode("utf-8")

    @property
    def vocab_size(self) -> int:
        return _lib.lmcore_tokenizer_vocab_size(self._handle)

    def token_to_id(self, token: str) -> Optional[int]:
        out = ctypes.c_int32()
        status = _lib.lmcore_tokenizer_token_to_id(self._handle, token.encode("utf-8"), ctypes.byref(out))
        if status != 0:
            return None
        return out.value

    def id_to_token(self, token_id: int) -> Optional[str]:
        n = ctypes.c_size_t()
        token_id = _args.token_id("token_id", token_id)
        status = _lib.lmcore_tokenizer_id_to_token(self._handle, token_id, None, 0, ctypes.byref(n))
        if status != 0:
            return None
        buf = ctypes.create_string_buffer(n.value + 1)
        _check(_lib.lmcore_tokenizer_id_to_token(self._handle, token_id, buf, n.value + 1, ctypes.byref(n)))
        return buf.raw[: n.value].decode("utf-8")


class Model:
    """A Hugging Face encoder-decoder model folder loaded into lmcore. One Model may be used from
    many threads at once (each call has its own decoder state)."""

    def __init__(self, path: Union[str, os.PathLike], threads: int = 0, load_tokenizer: bool = True,
                 compute_type: Literal["float32", "float16", "int8_float32", "int8", "auto"] = "float32") -> None:
        """compute_type: how weights are stored and multiplied: "float32" (default), "float16" or
        "int8_float32" (reduced decoder weights, float32 arithmetic), "int8" (int8 weights and
        activations, int32 sums, with AVX-512 VNNI; int8_float32 elsewhere) or "auto" (lmcore's
        choice for this CPU). `info["compute_type"]` tells the type in effect."""
        if not isinstance(compute_type, str):
            raise TypeError(f"compute_type must be a string, not {type(compute_type).__name__}")
        params = ModelParams(threads=_args.integer("threads", threads), load_tokenizer=1 if load_tokenizer else 0,
                             compute_type=compute_type.encode())
        handle = ctypes.c_void_p()
        _check(_lib.lmcore_model_load(str(path).encode(), ctypes.byref(params), ctypes.byref(handle)))
        self._handle = handle
        self.path = str(path)
        tok = _lib.lmcore_model_tokenizer(handle)
        self.tokenizer = Tokenizer(_handle=ctypes.c_void_p(tok), _owner=self) if tok else None

    def close(self) -> None:
        if getattr(self, "_handle", None):
            self.tokenizer = None
            _lib.lmcore_model_free(self._handle)
            self._handle = None  # type: ignore[assignment]

    def __del__(self) -> None:
        self.close()

    def __enter__(self) -> "Model":
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def info(self) -> Dict[str, Any]:
        info = ModelInfo()
        _check(_lib.lmcore_model_get_info(self._handle, ctypes.byref(info)))
        return {field[0]: (getattr(info, field[0]).decode() if field[0] in ("model_type", "compute_type")
                           else getattr(info, field[0]))
                for field in ModelInfo._fields_}

    def generate_ids(self, sources: Sequence[Ids], **options: Unpack[GenerationOptions]) -> List[List[Hypothesis]]:
        """Generates from id sequences (exactly the encoder input; lists or numpy arrays). Returns,
        per input, a list of Hypothesis (best first). Options follow transformers' generate:
        max_new_tokens, min_new_tokens, max_length, min_length, beam_size (= num_beams),
        num_return_sequences, length_penalty, early_stopping (True/False/"never"), do_sample,
        temperature, top_k, top_p, seed, repetition_penalty, no_repeat_ngram_size,
        encoder_no_repeat_ngram_size, suppress_tokens, begin_suppress_tokens, bad_words_ids (a list
        of id lists), forced_bos_token_id, forced_eos_token_id, return_scores, and
        callback(input_index, sequence, new_ids) -> False to stop (raises LMCoreError with status
        LMCORE_ERR_CANCELLED). Request options: target_lang (a language code resolved through the
        tokenizer: M2M100/NLLB, mBART-50, multilingual Marian), target_prefix (ids forced after the
        start token: one list for all inputs or one per input), max_input_length (ids: keep the
        first N; 0: off), max_batch_size and batch_type ("examples" or "tokens"): inputs are sorted
        by length into batches, results keep input order."""
        keep, pointers, lengths, n = _id_arrays(sources)
        return _run_generation(lambda p, r: _lib.lmcore_generate(self._handle, pointers, lengths, n, p, r), options)

    def translate(self, texts: Sequence[str], **options: Unpack[GenerationOptions]) -> List[List[Hypothesis]]:
        """Text to text with the model's tokenizer; same options as generate_ids. Returns, per
        input, a list of Hypothesis with .text, best first. max_input_length cuts sources as
        transformers' truncation=True (special tokens kept); by default at the model's limit."""
        array, n = _text_array(texts)
        return _run_generation(lambda p, r: _lib.lmcore_translate(self._handle, array, n, p, r), options)

    def stream(self, texts: Union[str, Sequence[str]],
               **options: Unpack[GenerationOptions]) -> Iterator[Union[str, Tuple[int, str]]]:
        """Translates while yielding the text as it becomes final (transformers' TextStreamer
        rules: pieces end at a space, newline or CJK character; with beam search, what every
        hypothesis that can still win agrees on). For one string, yields str pieces whose
        concatenation is the translation; for a list, yields (input_index, piece). Options as
        translate(). Closing the generator early stops the translation."""
        import queue
        import threading
        single = isinstance(texts, str)
        items = [texts] if single else list(texts)
        pieces: queue.Queue = queue.Queue()
        stop = threading.Event()
        failures = []

        def on_text(input_index, sequence, piece):
            pieces.put((input_index, piece))
            return not stop.is_set()

        def run():
            try:
                self.translate(items, _text_callback=on_text, **options)
            except BaseException as e:  # re-raised in the caller's thread
                failures.append(e)
            finally:
                pieces.put(None)

        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        try:
            while True:
                item = pieces.get()
                if item is None:
                    break
                yield item[1] if single else item
        finally:
            stop.set()
            worker.join()
        if failures:
            raise failures[0]

    def score(self, sources: Sequence[Ids], targets: Sequence[Ids]) -> List[Score]:
        """Teacher-forced log-likelihood of each target (ids after the decoder start token; include
        EOS to score it) given its source ids. Returns a list of Score."""
        keep_s, sp, sl, n = _id_arrays(sources)
        keep_t, tp, tl, m = _id_arrays(targets)
        if n != m:
            raise ValueError("sources and targets differ in length")
        return self._scores(lambda r: _lib.lmcore_score(self._handle, sp, sl, tp, tl, n, r))

    def score_text(self, sources: Sequence[str], targets: Sequence[str]) -> List[Score]:
        """score() on text: sources through the tokenizer, targets through its target side."""
        sa, n = _text_array(sources)
        ta, m = _text_array(targets)
        if n != m:
            raise ValueError("sources and targets differ in length")
        return self._scores(lambda r: _lib.lmcore_score_text(self._handle, sa, ta, n, r))

    @staticmethod
    def _scores(call):
        result = ctypes.c_void_p()
        try:
            _check(call(ctypes.byref(result)))
            return [Score(h[0].score, h[0].token_scores or []) for h in _read_result(result)]
        finally:
            _lib.lmcore_result_free(result)

    def encode(self, sources: Sequence[Ids], pooled: bool = True) -> Any:
        """Encoder output for id sequences: with pooled, an (n_inputs, d_model) array of mean-pooled
        sentence vectors; else a list of (length_i, d_model) arrays of token states."""
        keep, pointers, lengths, n = _id_arrays(sources)
        flat = _float_buffer(lambda buf, cap, out: _lib.lmcore_encode(self._handle, pointers, lengths, n,
                                                                       int(pooled), buf, cap, out))
        return self._shape(flat, [lengths[i] for i in range(n)], pooled)

    def encode_text(self, texts: Sequence[str], pooled: bool = True) -> Any:
        """encode() on text (tokenized with special tokens)."""
        array, n = _text_array(texts)
        flat = _float_buffer(lambda buf, cap, out: _lib.lmcore_encode_text(self._handle, array, n, int(pooled),
                                                                            buf, cap, out))
        tokenizer = self.tokenizer
        if tokenizer is None:
            raise LMCoreError("LMCORE_ERR_INVALID_ARGUMENT", f"{self.path}: the model folder has no tokenizer")
        lengths = [len(tokenizer.encode(t)) for t in texts] if not pooled else None
        return self._shape(flat, lengths, pooled)

    def _shape(self, flat, lengths, pooled):
        d = self.info["d_model"]
        if pooled:
            return flat.reshape(-1, d) if _np is not None else [flat[i:i + d] for i in range(0, len(flat), d)]
        out, start = [], 0
        for length in lengths:
            chunk = flat[start * d:(start + length) * d]
            out.append(chunk.reshape(length, d) if _np is not None else chunk)
            start += length
        return out


from . import metrics  # noqa: E402  (lmcore.metrics: BLEU, chrF, TER, ROUGE; needs _lib above)
