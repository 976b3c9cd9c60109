"""Finding and loading liblmcore.so, and declaring the C signatures (include/lmcore.h)."""
import ctypes
import os
import platform
import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent

# liblmcore.so is compiled for x86-64-v3 (Package.swift: -target-cpu haswell); objdump finds FMA, F16C,
# AVX2 and also BMI1/BMI2/LZCNT/MOVBE instructions in the release build. On an older CPU the first such instruction is SIGILL, which kills the interpreter, so the CPU's flags are
# checked before the library is loaded. /proc/cpuinfo name -> the name said in the message.
_REQUIRED_CPU_FLAGS = (("avx2", "AVX2"), ("fma", "FMA"), ("f16c", "F16C"), ("bmi1", "BMI1"), ("bmi2", "BMI2"),
                       ("abm", "LZCNT"), ("movbe", "MOVBE"))


def missing_cpu_features(cpuinfo):
    """The features liblmcore.so needs that the text of /proc/cpuinfo `cpuinfo` does not list, and
    the CPU's model name (None if absent). None instead of the list when the text has no flags line."""
    flags, model = None, None
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "flags" and flags is None:
            flags = set(value.split())
        elif key == "model name" and model is None:
            model = value.strip()
    if flags is None:
        return None, model
    return [name for flag, name in _REQUIRED_CPU_FLAGS if flag not in flags], model


def check_cpu():
    """Raises ImportError when this CPU cannot run liblmcore.so. Linux x86-64 only; where the flags
    cannot be read, nothing is claimed. LMCORE_CPUINFO (tests only) names another cpuinfo file."""
    path = os.environ.get("LMCORE_CPUINFO")
    if path is None:
        if not sys.platform.startswith("linux") or platform.machine().lower() not in ("x86_64", "amd64"):
            return
        path = "/proc/cpuinfo"
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return
    missing, model = missing_cpu_features(text)
    if missing:
        cpu = f"this CPU ({model})" if model else "this CPU"
        raise ImportError(f"lmcore needs an x86-64 CPU with AVX2, FMA and F16C (x86-64-v3); {cpu} has no "
                          f"{', '.join(missing)}. liblmcore.so is compiled for x86-64-v3 and would stop this "
                          f"process with an illegal instruction (SIGILL) here.")


def _candidates():
    env = os.environ.get("LMCORE_LIBRARY")
    if env:
        yield Path(env)
        return
    yield _HERE / "liblmcore.so"
    # A checkout: bindings/python/lmcore -> repository root -> .build/release
    root = _HERE.parent.parent.parent
    yield root / ".build" / "release" / "liblmcore.so"
    yield root / ".build" / "x86_64-unknown-linux-gnu" / "release" / "liblmcore.so"


def load_library():
    # No OpenBLAS preload here: liblmcore.so dlopens libopenblas.so.0 itself, found beside it through
    # its $ORIGIN rpath in a wheel (scripts/wheel.sh), after setting OPENBLAS_CORETYPE for this CPU;
    # loading it earlier would initialise OpenBLAS before that.
    check_cpu()
    tried = []
    for path in _candidates():
        tried.append(str(path))
        if path.is_file():
            return ctypes.CDLL(str(path)), str(path)
    raise OSError("liblmcore.so not found (tried: " + ", ".join(tried) + "); set LMCORE_LIBRARY to its path")


class _Params(ctypes.Structure):
    """A parameter struct: struct_size (its first field, lmcore.h) is set to this layout's size."""

    def __init__(self, **fields):
        super().__init__(**fields)
        self.struct_size = ctypes.sizeof(self)


class ModelParams(_Params):
    _fields_ = [("struct_size", ctypes.c_size_t), ("threads", ctypes.c_int32), ("load_tokenizer", ctypes.c_int32),
                ("compute_type", ctypes.c_char_p)]


class ModelInfo(ctypes.Structure):
    _fields_ = [
        ("model_type", ctypes.c_char_p),
        ("d_model", ctypes.c_int32),
        ("encoder_layers", ctypes.c_int32),
        ("decoder_layers", ctypes.c_int32),
        ("encoder_heads", ctypes.c_int32),
        ("decoder_heads", ctypes.c_int32),
        ("vocab_size", ctypes.c_int32),
        ("decoder_vocab_size", ctypes.c_int32),
        ("parameters", ctypes.c_int64),
        ("pad_token_id", ctypes.c_int32),
        ("eos_token_id", ctypes.c_int32),
        ("decoder_start_token_id", ctypes.c_int32),
        ("has_tokenizer", ctypes.c_int32),
        ("compute_type", ctypes.c_char_p),
    ]


TOKEN_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_size_t, ctypes.c_size_t,
                                  ctypes.POINTER(ctypes.c_int32), ctypes.c_size_t, ctypes.c_void_p)
LOG_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_int32, ctypes.c_char_p, ctypes.c_void_p)
TEXT_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_size_t, ctypes.c_size_t,
                                 ctypes.POINTER(ctypes.c_char), ctypes.c_size_t, ctypes.c_void_p)


ID_POINTER = ctypes.POINTER(ctypes.c_int32)


class GenerationParams(_Params):
    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("max_new_tokens", ctypes.c_int32),
        ("min_new_tokens", ctypes.c_int32),
        ("max_length", ctypes.c_int32),
        ("min_length", ctypes.c_int32),
        ("beam_size", ctypes.c_int32),
        ("num_return_sequences", ctypes.c_int32),
        ("length_penalty", ctypes.c_float),
        ("early_stopping", ctypes.c_int32),
        ("repetition_penalty", ctypes.c_float),
        ("no_repeat_ngram_size", ctypes.c_int32),
        ("encoder_no_repeat_ngram_size", ctypes.c_int32),
        ("do_sample", ctypes.c_int32),
        ("temperature", ctypes.c_float),
        ("top_k", ctypes.c_int32),
        ("top_p", ctypes.c_float),
        ("seed", ctypes.c_int64),
        ("return_scores", ctypes.c_int32),
        ("callback", TOKEN_CALLBACK),
        ("callback_user_data", ctypes.c_void_p),
        ("target_lang", ctypes.c_char_p),
        ("target_prefixes", ctypes.POINTER(ID_POINTER)),
        ("target_prefix_lengths", ctypes.POINTER(ctypes.c_size_t)),
        ("n_target_prefixes", ctypes.c_size_t),
        ("suppress_tokens", ID_POINTER),
        ("n_suppress_tokens", ctypes.c_size_t),
        ("begin_suppress_tokens", ID_POINTER),
        ("n_begin_suppress_tokens", ctypes.c_size_t),
        ("bad_words_ids", ctypes.POINTER(ID_POINTER)),
        ("bad_words_lengths", ctypes.POINTER(ctypes.c_size_t)),
        ("n_bad_words", ctypes.c_size_t),
        ("forced_bos_token_id", ctypes.c_int32),
        ("forced_eos_token_id", ctypes.c_int32),
        ("max_input_length", ctypes.c_int32),
        ("max_batch_size", ctypes.c_int32),
        ("batch_type", ctypes.c_int32),
        ("text_callback", TEXT_CALLBACK),
        ("text_callback_user_data", ctypes.c_void_p),
    ]


class EvaluationParams(_Params):
    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("metrics", ctypes.c_char_p),
        ("tokenize", ctypes.c_char_p),
        ("lowercase", ctypes.c_int32),
        ("chrf_lowercase", ctypes.c_int32),
        ("stem", ctypes.c_int32),
        ("sentence_scores", ctypes.c_int32),
        ("bootstrap_samples", ctypes.c_int32),
        ("seed", ctypes.c_uint64),
    ]


def declare(lib):
    """Sets argtypes/restype of every function the package uses."""
    c = ctypes
    P = c.POINTER
    sigs = {
        "lmcore_version": (c.c_char_p, []),
        "lmcore_abi_version": (c.c_int32, []),
        "lmcore_set_log_callback": (c.c_int, [LOG_CALLBACK, c.c_void_p, c.c_int32]),
        "lmcore_status_name": (c.c_char_p, [c.c_int]),
        "lmcore_last_error": (c.c_char_p, []),
        "lmcore_model_default_params": (ModelParams, []),
        "lmcore_model_default_params_by_ref": (None, [P(ModelParams)]),
        "lmcore_model_load": (c.c_int, [c.c_char_p, P(ModelParams), P(c.c_void_p)]),
        "lmcore_model_free": (None, [c.c_void_p]),
        "lmcore_model_get_info": (c.c_int, [c.c_void_p, P(ModelInfo)]),
        "lmcore_generation_default_params": (GenerationParams, []),
        "lmcore_generation_default_params_by_ref": (None, [P(GenerationParams)]),
        "lmcore_generate": (c.c_int, [c.c_void_p, P(P(c.c_int32)), P(c.c_size_t), c.c_size_t,
                                      P(GenerationParams), P(c.c_void_p)]),
        "lmcore_result_count": (c.c_size_t, [c.c_void_p]),
        "lmcore_result_hypothesis_count": (c.c_size_t, [c.c_void_p, c.c_size_t]),
        "lmcore_result_ids": (c.c_int, [c.c_void_p, c.c_size_t, c.c_size_t, P(P(c.c_int32)), P(c.c_size_t)]),
        "lmcore_result_score": (c.c_int, [c.c_void_p, c.c_size_t, c.c_size_t, P(c.c_float)]),
        "lmcore_result_free": (None, [c.c_void_p]),
    }
    F = c.c_float
    sigs.update({
        "lmcore_tokenizer_load": (c.c_int, [c.c_char_p, P(c.c_void_p)]),
        "lmcore_tokenizer_free": (None, [c.c_void_p]),
        "lmcore_model_tokenizer": (c.c_void_p, [c.c_void_p]),
        "lmcore_tokenize": (c.c_int, [c.c_void_p, c.c_char_p, c.c_int32, P(c.c_int32), c.c_size_t, P(c.c_size_t)]),
        "lmcore_detokenize": (c.c_int, [c.c_void_p, P(c.c_int32), c.c_size_t, c.c_int32, c.c_char_p, c.c_size_t,
                                        P(c.c_size_t)]),
        "lmcore_tokenizer_vocab_size": (c.c_size_t, [c.c_void_p]),
        "lmcore_tokenizer_token_to_id": (c.c_int, [c.c_void_p, c.c_char_p, P(c.c_int32)]),
        "lmcore_tokenizer_id_to_token": (c.c_int, [c.c_void_p, c.c_int32, c.c_char_p, c.c_size_t, P(c.c_size_t)]),
        "lmcore_translate": (c.c_int, [c.c_void_p, P(c.c_char_p), c.c_size_t, P(GenerationParams), P(c.c_void_p)]),
        "lmcore_score": (c.c_int, [c.c_void_p, P(P(c.c_int32)), P(c.c_size_t), P(P(c.c_int32)), P(c.c_size_t),
                                   c.c_size_t, P(c.c_void_p)]),
        "lmcore_score_text": (c.c_int, [c.c_void_p, P(c.c_char_p), P(c.c_char_p), c.c_size_t, P(c.c_void_p)]),
        "lmcore_encode": (c.c_int, [c.c_void_p, P(P(c.c_int32)), P(c.c_size_t), c.c_size_t, c.c_int32, P(F),
                                    c.c_size_t, P(c.c_size_t)]),
        "lmcore_encode_text": (c.c_int, [c.c_void_p, P(c.c_char_p), c.c_size_t, c.c_int32, P(F), c.c_size_t,
                                         P(c.c_size_t)]),
        "lmcore_result_text": (c.c_char_p, [c.c_void_p, c.c_size_t, c.c_size_t]),
        "lmcore_result_token_scores": (c.c_int, [c.c_void_p, c.c_size_t, c.c_size_t, P(P(F)), P(c.c_size_t)]),
    })
    D = c.c_double
    sigs.update({
        "lmcore_evaluation_default_params": (EvaluationParams, []),
        "lmcore_evaluation_default_params_by_ref": (None, [P(EvaluationParams)]),
        "lmcore_evaluate": (c.c_int, [P(c.c_char_p), c.c_size_t, P(c.c_char_p), c.c_size_t, P(EvaluationParams),
                                      P(c.c_void_p)]),
        "lmcore_evaluation_metric_count": (c.c_size_t, [c.c_void_p]),
        "lmcore_evaluation_metric_name": (c.c_char_p, [c.c_void_p, c.c_size_t]),
        "lmcore_evaluation_score": (c.c_int, [c.c_void_p, c.c_size_t, P(D)]),
        "lmcore_evaluation_signature": (c.c_char_p, [c.c_void_p, c.c_size_t]),
        "lmcore_evaluation_line": (c.c_char_p, [c.c_void_p, c.c_size_t]),
        "lmcore_evaluation_interval": (c.c_int, [c.c_void_p, c.c_size_t, P(D), P(D)]),
        "lmcore_evaluation_sentence_score": (c.c_int, [c.c_void_p, c.c_size_t, c.c_size_t, P(D)]),
        "lmcore_evaluation_free": (None, [c.c_void_p]),
    })
    for name, (restype, argtypes) in sigs.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    return sigs
