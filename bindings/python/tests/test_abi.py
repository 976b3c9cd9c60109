"""Every function declared in include/lmcore.h is bound (with a signature) by the package."""
import re
import subprocess
from pathlib import Path

import lmcore

HEADER = Path(__file__).resolve().parents[3] / "include" / "lmcore.h"


def declared_functions():
    text = subprocess.run(["gcc", "-E", "-P", "-x", "c", str(HEADER)], check=True, capture_output=True,
                          text=True).stdout
    return set(re.findall(r"\b(lmcore_[a-z_]+)\s*\(", text))


def test_every_header_function_is_bound():
    declared = declared_functions()
    assert declared, "no declarations parsed"
    assert declared == set(lmcore.FUNCTIONS), (
        f"declared but not bound: {sorted(declared - set(lmcore.FUNCTIONS))}; "
        f"bound but not declared: {sorted(set(lmcore.FUNCTIONS) - declared)}")


def test_default_params_by_value_and_by_reference_agree():
    import ctypes
    from lmcore._library import GenerationParams, ModelParams
    a = lmcore._lib.lmcore_model_default_params()
    b = ModelParams()
    lmcore._lib.lmcore_model_default_params_by_ref(ctypes.byref(b))
    assert (a.threads, a.load_tokenizer) == (b.threads, b.load_tokenizer)
    g = GenerationParams()
    lmcore._lib.lmcore_generation_default_params_by_ref(ctypes.byref(g))
    assert g.beam_size == -1 and g.max_new_tokens == -1 and g.seed == -1
