"""What the C API fuzzer's parts share: paths, the ctypes bindings, hostile values, the header's
function list, and the checking wrapper around the library."""
import ctypes
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
FIXTURES = ROOT / "Tests" / "Fixtures"
HEADER = ROOT / "include" / "lmcore.h"


def _bindings():
    """bindings/python/lmcore/_library.py alone (the package's __init__ would also look for numpy)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("lmcore_library", ROOT / "bindings" / "python" / "lmcore"
                                                  / "_library.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_lib = _bindings()
TEXT_CALLBACK, LOG_CALLBACK = _lib.TEXT_CALLBACK, _lib.LOG_CALLBACK
TOKEN_CALLBACK, GenerationParams, ModelInfo, ModelParams, EvaluationParams, declare = (
    _lib.TOKEN_CALLBACK, _lib.GenerationParams, _lib.ModelInfo, _lib.ModelParams, _lib.EvaluationParams, _lib.declare)

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
