"""lmcore: encoder-decoder Transformer inference (Marian, BART, mBART, T5, ...) from Python.

    import lmcore
    model = lmcore.Model("path/to/hf-model-folder")
    model.generate_ids([[12, 7, 0]], beam_size=4)
"""
import ctypes
import math

from ._library import GenerationParams, ModelInfo, ModelParams, TOKEN_CALLBACK, declare, load_library

_lib, LIBRARY_PATH = load_library()
FUNCTIONS = declare(_lib)

__all__ = ["LMCoreError", "Model", "Hypothesis", "version", "abi_version", "LIBRARY_PATH"]


class LMCoreError(Exception):
    """A failed lmcore call: `status` is the lmcore_status name, the message is the library's."""

    def __init__(self, status, message):
        self.status = status
        super().__init__(message)


def _check(status):
    if status != 0:
        name = _lib.lmcore_status_name(status).decode()
        raise LMCoreError(name, _lib.lmcore_last_error().decode("utf-8", "replace"))


def version():
    """The library's version string."""
    return _lib.lmcore_version().decode()


def abi_version():
    return _lib.lmcore_abi_version()


class Hypothesis:
    """One generated sequence: ids (after the decoder start token, EOS included), score."""

    __slots__ = ("ids", "score")

    def __init__(self, ids, score):
        self.ids = ids
        self.score = score

    def __repr__(self):
        return f"Hypothesis(ids={self.ids}, score={self.score})"


_EARLY_STOPPING = {None: -1, False: 0, True: 1, "never": 2}


def _generation_params(max_new_tokens=None, min_new_tokens=None, max_length=None, min_length=None,
                       beam_size=None, num_return_sequences=None, length_penalty=None, early_stopping=None,
                       repetition_penalty=None, no_repeat_ngram_size=None, encoder_no_repeat_ngram_size=None,
                       do_sample=None, temperature=None, top_k=None, top_p=None, seed=None, return_scores=False,
                       callback=None):
    p = _lib.lmcore_generation_default_params()

    def opt_int(value):
        return -1 if value is None else int(value)

    def opt_float(value):
        return math.nan if value is None else float(value)

    p.max_new_tokens = opt_int(max_new_tokens)
    p.min_new_tokens = opt_int(min_new_tokens)
    p.max_length = opt_int(max_length)
    p.min_length = opt_int(min_length)
    p.beam_size = opt_int(beam_size)
    p.num_return_sequences = opt_int(num_return_sequences)
    p.length_penalty = opt_float(length_penalty)
    if early_stopping not in _EARLY_STOPPING:
        raise ValueError("early_stopping must be None, True, False or 'never'")
    p.early_stopping = _EARLY_STOPPING[early_stopping]
    p.repetition_penalty = opt_float(repetition_penalty)
    p.no_repeat_ngram_size = opt_int(no_repeat_ngram_size)
    p.encoder_no_repeat_ngram_size = opt_int(encoder_no_repeat_ngram_size)
    p.do_sample = -1 if do_sample is None else int(bool(do_sample))
    p.temperature = opt_float(temperature)
    p.top_k = opt_int(top_k)
    p.top_p = opt_float(top_p)
    p.seed = opt_int(seed)
    p.return_scores = 1 if return_scores else 0
    keep = None
    if callback is not None:
        def trampoline(input_index, sequence, tokens, n_tokens, _user):
            try:
                return 0 if callback(input_index, sequence, [tokens[k] for k in range(n_tokens)]) is False else 1
            except BaseException:  # never let an exception unwind through C
                return 0
        keep = TOKEN_CALLBACK(trampoline)
        p.callback = keep
    return p, keep


def _id_arrays(sequences):
    sequences = [list(map(int, s)) for s in sequences]
    n = len(sequences)
    arrays = [(ctypes.c_int32 * max(1, len(s)))(*s) for s in sequences]
    pointers = (ctypes.POINTER(ctypes.c_int32) * max(1, n))(
        *[ctypes.cast(a, ctypes.POINTER(ctypes.c_int32)) for a in arrays])
    lengths = (ctypes.c_size_t * max(1, n))(*[len(s) for s in sequences])
    return arrays, pointers, lengths, n


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
            hyps.append(Hypothesis([ids[k] for k in range(n.value)], score.value))
        out.append(hyps)
    return out


class Model:
    """A Hugging Face encoder-decoder model folder loaded into lmcore."""

    def __init__(self, path, threads=0, load_tokenizer=True):
        params = ModelParams(int(threads), 1 if load_tokenizer else 0)
        handle = ctypes.c_void_p()
        _check(_lib.lmcore_model_load(str(path).encode(), ctypes.byref(params), ctypes.byref(handle)))
        self._handle = handle
        self.path = str(path)

    def close(self):
        if getattr(self, "_handle", None):
            _lib.lmcore_model_free(self._handle)
            self._handle = None

    def __del__(self):
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def info(self):
        info = ModelInfo()
        _check(_lib.lmcore_model_get_info(self._handle, ctypes.byref(info)))
        return {name: (getattr(info, name).decode() if name == "model_type" else getattr(info, name))
                for name, _ in ModelInfo._fields_}

    def generate_ids(self, sources, **options):
        """Generates from id sequences (exactly the encoder input). Returns, per input, a list of
        Hypothesis (best first). Options follow transformers' generate: max_new_tokens, beam_size
        (num_beams), num_return_sequences, length_penalty, early_stopping, do_sample, temperature,
        top_k, top_p, seed, repetition_penalty, no_repeat_ngram_size, return_scores, and callback
        (called as callback(input_index, sequence, new_ids); return False to stop)."""
        if hasattr(sources, "tolist"):
            sources = sources.tolist()
        params, keep = _generation_params(**options)
        arrays, pointers, lengths, n = _id_arrays(sources)
        result = ctypes.c_void_p()
        try:
            _check(_lib.lmcore_generate(self._handle, pointers, lengths, n, ctypes.byref(params),
                                        ctypes.byref(result)))
            return _read_result(result)
        finally:
            _lib.lmcore_result_free(result)
            del keep, arrays
