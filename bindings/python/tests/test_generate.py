"""The ctypes package against HF goldens on the tiny fixture models, and its error paths."""
import pytest

import lmcore
from conftest import FIXTURES, goldens

VARIANTS = ["marian-swish-tied", "marian-relu-untied", "bart-gelu-tied", "bart-gelunew-untied",
            "mbart-gelu-tied", "mbart-relu-untied",
            # recurrent (Tests/Generator/gen_rnn_models.py): .bin, safetensors and .npz + weight_map
            "rnn-gru-bahdanau-bi", "rnn-gru-bahdanau-2x3", "rnn-lstm-bahdanau-final", "rnn-lstm-general-feed-bi",
            "rnn-gru-dot-3layer", "rnn-lstm-concat-zeros-feed", "rnn-lstm-none-npz", "rnn-gru-none-bi-linear"]


def test_version():
    assert lmcore.version().count(".") == 2
    assert lmcore.abi_version() >= 1


@pytest.mark.parametrize("variant", VARIANTS)
def test_greedy_matches_transformers(variant):
    g = goldens(variant)
    with lmcore.Model(FIXTURES / "models" / variant, threads=2) as model:
        out = model.generate_ids([i["source_ids"] for i in g["inputs"]], max_new_tokens=g["natural_max_new_tokens"])
        assert [h[0].ids for h in out] == g["batched_greedy"]
        for i in g["inputs"]:
            fixed = model.generate_ids([i["source_ids"]], max_new_tokens=g["fixed_new_tokens"],
                                       min_new_tokens=g["fixed_new_tokens"])
            assert fixed[0][0].ids == i["greedy_fixed"]


def test_info():
    with lmcore.Model(FIXTURES / "models" / "bart-gelu-tied") as model:
        info = model.info
        assert info["model_type"] == "bart"
        assert info["d_model"] == 32 and info["decoder_vocab_size"] == 80


def test_compute_types():
    path = FIXTURES / "models" / "bart-gelu-tied"
    with lmcore.Model(path) as model:
        assert model.info["compute_type"] == "float32"
    # float32 in effect only on a CPU without the packed kernels (AVX2+FMA+F16C); int8 becomes
    # int8_float32 without AVX-512 VNNI
    effective = {"float16": {"float16", "float32"}, "int8_float32": {"int8_float32", "float32"},
                 "int8": {"int8", "int8_float32", "float32"}, "auto": {"int8", "int8_float32", "float32"}}
    for name in ("float16", "int8_float32", "int8", "auto"):
        with lmcore.Model(path, compute_type=name) as model:
            assert model.info["compute_type"] in effective[name]
            out = model.generate_ids([goldens("bart-gelu-tied")["inputs"][0]["source_ids"]], max_new_tokens=5)
            assert 0 < len(out[0][0].ids) <= 5 and all(0 <= t < 80 for t in out[0][0].ids)
    with pytest.raises(lmcore.LMCoreError) as e:
        lmcore.Model(path, compute_type="int4")
    assert e.value.status == "LMCORE_ERR_INVALID_ARGUMENT" and "int8_float32" in str(e.value)
    with pytest.raises(TypeError):
        lmcore.Model(path, compute_type=8)


def test_missing_folder_raises():
    with pytest.raises(lmcore.LMCoreError) as e:
        lmcore.Model("/nonexistent/model")
    assert e.value.status == "LMCORE_ERR_IO"
    assert "/nonexistent/model" in str(e.value)


def test_bad_ids_raise_not_crash():
    with lmcore.Model(FIXTURES / "models" / "marian-swish-tied") as model:
        with pytest.raises(lmcore.LMCoreError) as e:
            model.generate_ids([[10**6]])
        assert e.value.status == "LMCORE_ERR_INVALID_ARGUMENT"
        with pytest.raises(lmcore.LMCoreError):
            model.generate_ids([[]])
        with pytest.raises(lmcore.LMCoreError):
            model.generate_ids([[5, 2]], beam_size=0)


def test_streaming_and_cancel():
    g = goldens("marian-swish-tied")
    src = g["inputs"][0]["source_ids"]
    seen = []
    with lmcore.Model(FIXTURES / "models" / "marian-swish-tied") as model:
        out = model.generate_ids([src], max_new_tokens=30, callback=lambda i, s, ids: seen.extend(ids))
        assert seen == out[0][0].ids
        with pytest.raises(lmcore.LMCoreError) as e:
            model.generate_ids([src], max_new_tokens=30, callback=lambda i, s, ids: False)
        assert e.value.status == "LMCORE_ERR_CANCELLED"


RECURRENT = [v for v in VARIANTS if v.startswith("rnn-")]
SEARCH_KEYS = {"num_beams", "num_return_sequences", "max_new_tokens", "min_new_tokens", "length_penalty",
               "early_stopping", "repetition_penalty", "no_repeat_ngram_size", "encoder_no_repeat_ngram_size",
               "suppress_tokens", "begin_suppress_tokens", "bad_words_ids", "forced_bos_token_id",
               "forced_eos_token_id"}


@pytest.mark.parametrize("variant", RECURRENT + ["bart-gelu-tied", "t5-relu-tied", "m2m100-relu-tied"])
def test_search_matches_reference(variant):
    """Beam search (n-best, length penalties, processors, forced BOS/EOS, bad words, target
    prefixes) through the keyword arguments: ids exact, scores within 1e-4 of transformers'
    generate (gen_model_search.py; for the recurrent fixtures over the torch reference)."""
    import json
    search = json.loads((FIXTURES / "models" / variant / "search.json").read_text())
    with lmcore.Model(FIXTURES / "models" / variant, threads=2) as model:
        checked = 0
        for case in search["cases"]:
            options = case["options"]
            if not set(options) <= SEARCH_KEYS:
                continue
            beams = options.get("num_beams", 1) > 1
            batches = [case["inputs"]] if case["batched"] else [[s] for s in case["inputs"]]
            extra = {"target_prefix": case["prefix"]} if case.get("prefix") else {}
            got = [h for batch in batches for h in model.generate_ids(batch, return_scores=beams, **options, **extra)]
            for hyps, want in zip(got, case["outputs"]):
                assert [h.ids for h in hyps] == want["sequences"], (variant, case["name"])
                if beams:
                    assert all(abs(h.score - s) <= 1e-4 * max(1, abs(s)) for h, s in zip(hyps, want["scores"])), \
                        (variant, case["name"])
            checked += 1
        assert checked >= 10


@pytest.mark.parametrize("variant", RECURRENT)
def test_recurrent_encoder_outputs_match_reference(variant):
    """encode() returns the top encoder layer's outputs (both directions), d_model wide."""
    np = pytest.importorskip("numpy")
    g = goldens(variant)
    with lmcore.Model(FIXTURES / "models" / variant) as model:
        states = model.encode([i["source_ids"] for i in g["inputs"]], pooled=False)
        for got, i in zip(states, g["inputs"]):
            assert np.max(np.abs(np.asarray(got) - np.asarray(i["encoder_output"]))) <= 1e-4


def test_log_handler_receives_load_messages():
    seen = []
    lmcore.set_log_handler(lambda level, message: seen.append((level, message)), "info")
    try:
        with lmcore.Model(FIXTURES / "models" / "bart-gelu-tied"):
            pass
    finally:
        lmcore.set_log_handler(None, "warning")
    assert any(level == "info" and "loaded" in message and "bart" in message for level, message in seen), seen
    with pytest.raises(ValueError):
        lmcore.set_log_handler(None, "loud")
