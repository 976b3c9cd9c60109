"""The text API on the bundled default model (models/numbers-7lang) against HF transformers'
outputs (models/numbers-7lang/eval, written by models/train/evaluate.py and
Tests/Generator/gen_default_model_scores.py)."""
import json
from pathlib import Path

import pytest

import lmcore

MODEL = Path(__file__).resolve().parents[3] / "models" / "numbers-7lang"


def jsonl(name):
    return [json.loads(l) for l in (MODEL / "eval" / name).read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def model():
    with lmcore.Model(MODEL) as m:
        yield m


def test_translate_matches_transformers(model):
    samples = jsonl("samples.jsonl")
    out = model.translate([s["source"] for s in samples], beam_size=4, return_scores=True)
    assert [h[0].text for h in out] == [s["text"] for s in samples]
    assert [h[0].ids for h in out] == [s["ids"][1:] for s in samples]
    for h, s in zip(out, samples):
        assert abs(h[0].score - s["score"]) < 1e-4


def test_heldout_sample_matches_transformers(model):
    hf = jsonl("hf_beam4.jsonl")[::10]
    got = model.generate_ids([h["input_ids"] for h in hf])  # generation_config.json: beam 4
    assert [g[0].ids for g in got] == [h["ids"][1:] for h in hf]


def test_nbest_is_sorted_and_distinct(model):
    out = model.translate([">>fr<< 4213"], beam_size=4, num_return_sequences=3)[0]
    assert len(out) == 3
    assert out[0].text == "quatre mille deux cent treize"
    assert out[0].score >= out[1].score >= out[2].score
    assert len({h.text for h in out}) == 3


def test_tokenizer_matches_transformers(model):
    tok = model.tokenizer
    for s in jsonl("samples.jsonl"):
        assert tok.encode(s["source"]) == s["input_ids"]
        assert tok.decode(s["ids"], skip_special_tokens=True) == s["text"]
    assert tok.vocab_size == 801
    assert tok.token_to_id(">>fr<<") == 3
    assert tok.id_to_token(3) == ">>fr<<"
    standalone = lmcore.Tokenizer(MODEL / "tokenizer.json")
    assert standalone.encode(">>de<< 2026") == tok.encode(">>de<< 2026")


def test_score_matches_transformers(model):
    hf = jsonl("hf_scores.jsonl")[:20]
    scores = model.score([h["input_ids"] for h in hf], [h["target_ids"] for h in hf])
    for s, h in zip(scores, hf):
        assert abs(s.total - h["total"]) < 1e-4
        assert max(abs(a - b) for a, b in zip(s.token_scores, h["token_logprobs"])) < 1e-4
    text = model.score_text([">>fr<< 4213"], ["quatre mille deux cent treize"])[0]
    # HF's ids for the same pair (samples.jsonl: source ids, and the output after the decoder start).
    sample = next(s for s in jsonl("samples.jsonl") if s["source"] == ">>fr<< 4213")
    assert sample["text"] == "quatre mille deux cent treize"
    ids = model.score([sample["input_ids"]], [sample["ids"][1:]])[0]
    assert abs(text.total - ids.total) < 1e-5


def test_streaming_translate_gives_the_output_tokens(model):
    seen = []
    out = model.translate([">>nl<< 1234567"], beam_size=1, callback=lambda i, s, ids: seen.extend(ids))
    assert seen == out[0][0].ids
    assert model.tokenizer.decode(seen, skip_special_tokens=True) == out[0][0].text


def test_encode_pooled_is_the_mean_of_token_states(model):
    np = pytest.importorskip("numpy")
    texts = [">>en<< 1984", ">>pt<< 90210"]
    pooled = model.encode_text(texts)
    tokens = model.encode_text(texts, pooled=False)
    assert pooled.shape == (2, model.info["d_model"])
    for p, t in zip(pooled, tokens):
        assert np.allclose(p, t.mean(axis=0), atol=1e-5)
    ids = np.array(model.tokenizer.encode(texts[0]), dtype=np.int32)  # numpy ids are accepted
    assert np.allclose(model.encode([ids])[0], pooled[0], atol=1e-6)


def test_bad_text_input_raises_not_crash(model):
    with pytest.raises((lmcore.LMCoreError, TypeError)):
        model.translate([None])
    with pytest.raises(ValueError, match="beam_size"):  # checked in Python: -1 would mean "unset" in C
        model.translate([">>fr<< 1"], beam_size=-3)
    with pytest.raises(ValueError, match="top_p"):  # transformers: ValueError; checked in Python first
        model.translate([">>fr<< 1"], top_p=-0.5, do_sample=True)
    # Invalid UTF-8 is decoded with replacement characters, like Python's errors="replace".
    assert isinstance(model.translate(["\udcff >>fr<< 1".encode("utf-8", "surrogatepass").decode("latin-1")])[0][0].text, str)


def heldout_rows(step=97):
    rows = [l.split("\t") for l in (MODEL / "eval" / "heldout.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    hf = jsonl("hf_beam4.jsonl")
    return [(rows[i][0], rows[i][1], rows[i][2], hf[i]["text"]) for i in range(0, len(rows), step)]


def test_target_lang_and_batching_match_transformers(model):
    rows = heldout_rows()
    for lang in sorted({r[0] for r in rows}):
        mine = [r for r in rows if r[0] == lang]
        out = model.translate([r[1] for r in mine], target_lang=lang)
        assert [h[0].text for h in out] == [r[3] for r in mine], lang
    sources = [r[2] for r in rows]
    want = [r[3] for r in rows]
    for options in ({"max_batch_size": 1}, {"max_batch_size": 5}, {"max_batch_size": 30, "batch_type": "tokens"}):
        assert [h[0].text for h in model.translate(sources, **options)] == want, options


def test_target_prefix_and_truncation(model):
    # A forced prefix is kept and continued; one prefix for every input or one per input.
    prefix = model.tokenizer.encode("quatre", add_special_tokens=False)
    out = model.translate([">>fr<< 4213", ">>fr<< 4000"], target_prefix=prefix, beam_size=1)
    assert all(h[0].ids[:len(prefix)] == prefix for h in out)
    assert out[0][0].text == "quatre mille deux cent treize"
    out = model.translate([">>fr<< 4213", ">>fr<< 4213"], target_prefix=[prefix, []], beam_size=1)
    assert out[0][0].text == out[1][0].text
    long = ">>de<< " + "1" * 300
    assert model.translate([long], max_new_tokens=3)[0][0].ids  # cut at the model's 128 positions
    with pytest.raises(lmcore.LMCoreError) as e:
        model.translate([">>de<< 1", long], max_input_length=0)
    assert "input 1" in str(e.value)


def test_request_arguments_are_checked(model):
    with pytest.raises(lmcore.LMCoreError) as e:
        model.translate(["4213"], target_lang="xx")
    assert e.value.status == "LMCORE_ERR_INVALID_ARGUMENT" and ">>xx<<" in str(e.value)
    with pytest.raises(ValueError):
        model.translate(["4213"], batch_type="lines")
    with pytest.raises(ValueError):
        model.translate(["4213"], max_batch_size=0)
    with pytest.raises(TypeError):
        model.translate(["4213"], target_lang=5)
    with pytest.raises(TypeError):
        model.translate(["4213"], suppress_tokens=[1.5])
    with pytest.raises(lmcore.LMCoreError):
        model.translate(["a", "b"], target_prefix=[[1], [2], [3]])


def test_stream_yields_the_translation_in_pieces(model):
    rows = heldout_rows(step=211)
    for lang, number, source, want in rows:
        pieces = list(model.stream(source))  # generation_config: beam 4
        assert "".join(pieces) == want
        assert all(p.endswith(" ") for p in pieces[:-1])
    many = list(model.stream([r[2] for r in rows], beam_size=1, max_batch_size=4))
    for i, (_, _, _, want) in enumerate(rows):
        assert "".join(p for k, p in many if k == i) == want
    # Closing early stops the translation; errors surface in the caller.
    stream = model.stream(">>en<< 1234567", beam_size=1)
    assert next(stream) == "one "
    stream.close()
    with pytest.raises(lmcore.LMCoreError):
        list(model.stream("4213", target_lang="xx"))
