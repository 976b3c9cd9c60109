#!/usr/bin/env python3
"""Golden fixtures for LMGeneration (search), produced by transformers' real `generate`.

No real model is needed: a tiny encoder-decoder (a MarianMTModel subclass) whose next-token logits are a
cheap, exactly reproducible function of (input seed, decoder position, last decoder token, candidate token)
runs through HF's own generate / beam search / logits processors. The Swift tests implement the same
function as a fake StepDecoder and must reproduce ids exactly and scores within a tolerance.

Logits are dyadic rationals (multiples of 2^-15, |x| < 32), so they are exact in float32 on both sides.
Every case is re-run with tiny random perturbations of the logits (1e-4); a case whose outputs change is
a near-tie that float noise could flip, and is rejected (the script fails), so committed goldens are robust.

Writes Tests/Fixtures/search/{hf_generate.json, hf_processors.json, hf_generation_config.json}.
Run: /opt/lmcore-ref/bin/python Tests/Generator/gen_search.py
"""
import json
import math
import os
import sys

import numpy as np
import torch
import transformers
from transformers import GenerationConfig, MarianConfig, MarianMTModel
from transformers.modeling_outputs import BaseModelOutput, Seq2SeqLMOutput
from transformers.generation import logits_process as lp

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Fixtures", "search")

VOCAB = 48
PAD = 47  # also the decoder start token, as in Marian
EOS = 2
MASK = (1 << 64) - 1

# ---------------------------------------------------------------------------------------------------------
# The fake model's logit function (mirrored in Tests/LMGenerationTests/HashStepDecoder.swift).


def mix64(z):
    """SplitMix64's finaliser on numpy uint64 arrays (wrapping arithmetic)."""
    z = z.astype(np.uint64)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def hash16(seed, tag, x, v):
    """16 hash bits for (seed, tag, x, each v in the array v)."""
    with np.errstate(over="ignore"):
        a = mix64(np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(tag))
        b = mix64(a ^ (np.uint64(x) * np.uint64(0xD1B54A32D192ED03)))
        c = mix64(b ^ (v.astype(np.uint64) * np.uint64(0x8CB92BA72F3D8DD7)))
    return (c >> np.uint64(48)).astype(np.int64)


def fake_logits(seed, prefix):
    """Next-token logits (float32, VOCAB) after the decoder tokens `prefix` (start token first)."""
    pos = len(prefix)
    last = int(prefix[-1])
    v = np.arange(VOCAB, dtype=np.int64)
    k1 = hash16(seed, 1, last, v)  # depends on the last token: beams compete
    k2 = hash16(seed, 2, pos, v)  # depends on the position
    logits = (3 * k1 + k2).astype(np.float64) / 32768.0  # 6*u1 + 2*u2, u in [0, 1) with 16 bits
    # EOS grows likelier with length; the turning point differs per input so inputs end at different steps.
    turn = 3 + seed % 6
    logits[EOS] += 0.75 * (pos - turn)
    return logits.astype(np.float32)


def input_seed(ids):
    """A per-input seed from its (unpadded) encoder ids, < 2^20 so a float32 carries it exactly."""
    h = 17
    for t in ids:
        if t == PAD:
            continue
        h = (h * 1000003 + int(t) + 1) % (1 << 20)
    return h


# ---------------------------------------------------------------------------------------------------------
# The tiny HF model around it.


class SeedEncoder(torch.nn.Module):
    def forward(self, input_ids=None, attention_mask=None, **kwargs):
        seeds = [float(input_seed(row.tolist())) for row in input_ids]
        hidden = torch.tensor(seeds, dtype=torch.float32).view(-1, 1, 1)
        return BaseModelOutput(last_hidden_state=hidden)


class HashSeq2Seq(MarianMTModel):
    perturbation = None  # (generator, scale) to test robustness

    def get_encoder(self, *args, **kwargs):
        return self._seed_encoder

    def forward(self, input_ids=None, attention_mask=None, decoder_input_ids=None, encoder_outputs=None,
                past_key_values=None, use_cache=None, return_dict=True, **kwargs):
        seeds = encoder_outputs.last_hidden_state[:, 0, 0].tolist()
        rows = []
        for seed, prefix in zip(seeds, decoder_input_ids.tolist()):
            rows.append(fake_logits(int(seed), prefix))
        logits = torch.from_numpy(np.stack(rows)).unsqueeze(1)
        if self.perturbation is not None:
            gen, scale = self.perturbation
            logits = logits + scale * (torch.rand(logits.shape, generator=gen) - 0.5)
        return Seq2SeqLMOutput(logits=logits)


def make_model():
    config = MarianConfig(vocab_size=VOCAB, d_model=8, encoder_layers=1, decoder_layers=1,
                          encoder_attention_heads=1, decoder_attention_heads=1, encoder_ffn_dim=8,
                          decoder_ffn_dim=8, max_position_embeddings=64, pad_token_id=PAD,
                          decoder_start_token_id=PAD, eos_token_id=EOS, bos_token_id=0)
    torch.manual_seed(0)
    model = HashSeq2Seq(config)
    model._seed_encoder = SeedEncoder()
    model.eval()
    return model


BASE_GENERATION_CONFIG = {"decoder_start_token_id": PAD, "pad_token_id": PAD, "eos_token_id": EOS, "bos_token_id": 0}


# ---------------------------------------------------------------------------------------------------------
# generate() cases


INPUTS = [
    [5, 9, 14, 3, 22, 9, 14],
    [31, 8, 8, 19],
    [12, 40, 7, 7, 26, 3, 18, 9, 11],
    [44, 21],
]


def pad_batch(rows):
    width = max(len(r) for r in rows)
    ids = [r + [PAD] * (width - len(r)) for r in rows]
    mask = [[1] * len(r) + [0] * (width - len(r)) for r in rows]
    return ids, mask


def run_generate(model, inputs, kwargs, prefix, model_config):
    model.generation_config = GenerationConfig(**model_config)
    ids, mask = pad_batch(inputs)
    call = dict(kwargs)
    call.update(dict(input_ids=torch.tensor(ids), attention_mask=torch.tensor(mask), use_cache=False,
                     return_dict_in_generate=True, output_scores=True))
    if prefix:
        start = model_config.get("decoder_start_token_id", PAD)
        call["decoder_input_ids"] = torch.tensor([[start] + prefix] * len(inputs))
    with torch.no_grad():
        out = model.generate(**call)
    num_beams = call.get("num_beams", model_config.get("num_beams", 1))
    prompt_len = 1 + len(prefix)
    seqs = out.sequences.tolist()
    eos = call.get("eos_token_id", model_config.get("eos_token_id"))
    eos = set(eos if isinstance(eos, list) else ([eos] if eos is not None else []))
    per_input = len(seqs) // len(inputs)
    hyps = []
    if num_beams > 1:
        trans = model.compute_transition_scores(out.sequences, out.scores, out.beam_indices, normalize_logits=False)
        for r, seq in enumerate(seqs):
            gen_len = int((out.beam_indices[r] >= 0).sum())
            hyps.append({"ids": seq[1:prompt_len + gen_len], "score": float(out.sequences_scores[r]),
                         "token_log_probs": [float(x) for x in trans[r][:gen_len]]})
    else:
        trans = model.compute_transition_scores(out.sequences, out.scores, normalize_logits=True)
        for r, seq in enumerate(seqs):
            gen = seq[prompt_len:]
            n = len(gen)
            for i, t in enumerate(gen):
                if t in eos:
                    n = i + 1
                    break
            lps = [float(x) for x in trans[r][:n]]
            hyps.append({"ids": seq[1:prompt_len + n], "score": float(sum(lps)), "token_log_probs": lps})
    return [hyps[i * per_input:(i + 1) * per_input] for i in range(len(inputs))]


def ids_only(result):
    return [[h["ids"] for h in hs] for hs in result]


CASES = []


def case(name, kwargs, inputs=None, prefix=None, model_config=None):
    CASES.append(dict(name=name, kwargs=kwargs, inputs=inputs or INPUTS[:3], prefix=prefix or [],
                      model_config=model_config or BASE_GENERATION_CONFIG))


# Greedy
case("greedy_default_max_length", {})
case("greedy_max_new_tokens", {"max_new_tokens": 8})
case("greedy_max_length_total", {"max_length": 6}, inputs=INPUTS)
case("greedy_min_new_tokens", {"min_new_tokens": 9, "max_new_tokens": 12})
case("greedy_min_length", {"min_length": 7, "max_new_tokens": 12})
case("greedy_repetition_penalty", {"repetition_penalty": 1.6, "max_new_tokens": 12})
case("greedy_repetition_reward", {"repetition_penalty": 0.6, "max_new_tokens": 12})
case("greedy_no_repeat_ngram_2", {"no_repeat_ngram_size": 2, "max_new_tokens": 14})
case("greedy_no_repeat_ngram_3", {"no_repeat_ngram_size": 3, "max_new_tokens": 14})
case("greedy_encoder_no_repeat_ngram", {"encoder_no_repeat_ngram_size": 1, "max_new_tokens": 10})
case("greedy_encoder_no_repeat_ngram_2", {"encoder_no_repeat_ngram_size": 2, "max_new_tokens": 10})
case("greedy_encoder_repetition_penalty", {"encoder_repetition_penalty": 1.5, "max_new_tokens": 10})
case("greedy_bad_words", {"bad_words_ids": [[7], [10, 11], [47], [2, 2]], "max_new_tokens": 12})
case("greedy_suppress", {"suppress_tokens": [4, 8, 9], "begin_suppress_tokens": [2, 3, 5], "max_new_tokens": 10})
case("greedy_forced_bos_eos", {"forced_bos_token_id": 3, "forced_eos_token_id": [5, 2], "max_new_tokens": 6,
                               "begin_suppress_tokens": [6, 30]})
case("greedy_several_eos", {"eos_token_id": [2, 5, 9], "max_new_tokens": 12}, inputs=INPUTS)
case("greedy_prefix", {"max_new_tokens": 8, "min_new_tokens": 2}, prefix=[12, 13])
case("greedy_renormalize", {"renormalize_logits": True, "remove_invalid_values": True,
                            "bad_words_ids": [[47]], "max_new_tokens": 10})
case("greedy_exponential_decay", {"exponential_decay_length_penalty": [2, 1.6], "max_new_tokens": 12})
case("greedy_one_new_token", {"max_new_tokens": 1}, inputs=INPUTS)
# Beam search
case("beam2", {"num_beams": 2, "max_new_tokens": 12})
case("beam4", {"num_beams": 4, "max_new_tokens": 12}, inputs=INPUTS)
case("beam5_nbest", {"num_beams": 5, "num_return_sequences": 5, "max_new_tokens": 12})
case("beam4_nbest2", {"num_beams": 4, "num_return_sequences": 2, "max_new_tokens": 12})
case("beam4_default_max_length", {"num_beams": 4})
for es in [False, True, "never"]:
    for lpen in [1.0, 0.0, 2.0, -0.5]:
        case(f"beam4_early_{str(es).lower()}_lp{lpen}",
             {"num_beams": 4, "num_return_sequences": 3, "early_stopping": es, "length_penalty": lpen,
              "max_new_tokens": 14})
case("beam4_min_new_tokens", {"num_beams": 4, "min_new_tokens": 7, "max_new_tokens": 12})
case("beam4_min_length", {"num_beams": 4, "min_length": 10, "max_new_tokens": 12})
case("beam4_max_new_tokens_3", {"num_beams": 4, "num_return_sequences": 4, "max_new_tokens": 3}, inputs=INPUTS)
case("beam4_max_new_tokens_1", {"num_beams": 4, "num_return_sequences": 2, "max_new_tokens": 1}, inputs=INPUTS)
case("beam4_max_length_total", {"num_beams": 3, "max_length": 5}, inputs=INPUTS)
case("beam4_repetition_penalty", {"num_beams": 4, "repetition_penalty": 1.4, "max_new_tokens": 12})
case("beam4_no_repeat_ngram", {"num_beams": 4, "no_repeat_ngram_size": 2, "max_new_tokens": 14})
case("beam4_encoder_no_repeat", {"num_beams": 4, "encoder_no_repeat_ngram_size": 1, "max_new_tokens": 12})
case("beam4_encoder_no_repeat_2", {"num_beams": 4, "encoder_no_repeat_ngram_size": 2, "max_new_tokens": 12},
     inputs=[[20, 24, 45, 37, 5, 27], [42, 33, 19, 0, 26], [3, 3, 3]])
case("beam4_bad_words", {"num_beams": 4, "bad_words_ids": [[24], [27, 42], [33, 19, 0], [47]], "max_new_tokens": 12})
case("beam4_suppress", {"num_beams": 4, "suppress_tokens": [4, 8], "begin_suppress_tokens": [2, 3],
                        "max_new_tokens": 12})
case("beam4_forced_bos_eos", {"num_beams": 4, "num_return_sequences": 2, "forced_bos_token_id": 3,
                              "forced_eos_token_id": 2, "max_new_tokens": 7})
case("beam4_several_eos", {"num_beams": 4, "num_return_sequences": 3, "eos_token_id": [2, 5, 9],
                           "max_new_tokens": 12}, inputs=INPUTS)
case("beam4_prefix", {"num_beams": 4, "num_return_sequences": 2, "max_new_tokens": 9}, prefix=[12, 13])
case("beam4_renormalize_marian_like", {"num_beams": 4, "renormalize_logits": True, "bad_words_ids": [[47]],
                                       "forced_eos_token_id": 2, "max_length": 14}, inputs=INPUTS)
case("beam4_batch_of_one", {"num_beams": 4, "num_return_sequences": 4, "max_new_tokens": 12}, inputs=INPUTS[3:])
case("beam4_model_config_defaults", {}, model_config=dict(BASE_GENERATION_CONFIG, num_beams=4, max_length=16,
                                                           length_penalty=0.6, no_repeat_ngram_size=3))
case("beam4_no_eos", {"num_beams": 3, "max_new_tokens": 6},
     model_config={"decoder_start_token_id": PAD, "pad_token_id": PAD})


def run_cases(model):
    results = []
    for c in CASES:
        torch.manual_seed(0)
        model.perturbation = None
        expected = run_generate(model, c["inputs"], c["kwargs"], c["prefix"], c["model_config"])
        # Robustness: outputs must not move under perturbations far larger than float32 noise.
        for trial in range(3):
            gen = torch.Generator().manual_seed(1000 + trial)
            model.perturbation = (gen, 1e-4)
            again = run_generate(model, c["inputs"], c["kwargs"], c["prefix"], c["model_config"])
            if ids_only(again) != ids_only(expected):
                sys.exit(f"case {c['name']}: a near-tie flips under 1e-4 perturbation; change the case")
        model.perturbation = None
        # Exactly equal scores (e.g. two forced EOS ids) leave torch.topk's order unspecified: not a golden.
        for hyps in expected:
            scores = [h["score"] for h in hyps]
            if len(set(scores)) != len(scores):
                sys.exit(f"case {c['name']}: hypotheses with exactly equal scores; change the case")
        results.append(dict(name=c["name"], options=c["kwargs"], model_generation_config=c["model_config"],
                            inputs=c["inputs"], encoder_input_ids=pad_batch(c["inputs"])[0],
                            seeds=[input_seed(i) for i in c["inputs"]], decoder_prefix=c["prefix"],
                            expected=expected))
    return results


# ---------------------------------------------------------------------------------------------------------
# Processor goldens: each HF processor on fixed rows of scores and histories.


def finite_or_none(row):
    return [None if not math.isfinite(x) else float(x) for x in row]


def processor_cases():
    rng = np.random.default_rng(7)
    rows, histories = [], []
    for r in range(4):
        rows.append((rng.standard_normal(VOCAB) * 2.5).astype(np.float32))
        histories.append([PAD] + [int(x) for x in rng.integers(0, 12, size=3 + 2 * r)])
    scores = torch.tensor(np.stack(rows))
    encoder = [[5, 9, 14, 3, 22, 9, 14], [3, 4, 5, 3, 4, 6, 47], [1, 1, 1, 2, 3, 4, 5], [11, 10, 9, 8, 7, 6, 5]]
    procs = {
        "repetition_penalty_1.3": lp.RepetitionPenaltyLogitsProcessor(1.3),
        "repetition_penalty_0.7": lp.RepetitionPenaltyLogitsProcessor(0.7),
        "encoder_repetition_penalty_1.4": lp.EncoderRepetitionPenaltyLogitsProcessor(1.4, torch.tensor(encoder)),
        "no_repeat_ngram_2": lp.NoRepeatNGramLogitsProcessor(2),
        "no_repeat_ngram_3": lp.NoRepeatNGramLogitsProcessor(3),
        "encoder_no_repeat_ngram_1": lp.EncoderNoRepeatNGramLogitsProcessor(1, torch.tensor(encoder)),
        "encoder_no_repeat_ngram_2": lp.EncoderNoRepeatNGramLogitsProcessor(2, torch.tensor(encoder)),
        "bad_words": lp.NoBadWordsLogitsProcessor([[3], [8, 12], [2, 9, 30], [5, 6], [2]], eos_token_id=2),
        "min_length_9": lp.MinLengthLogitsProcessor(9, [2, 4]),
        "min_new_tokens_4": lp.MinNewTokensLengthLogitsProcessor(1, 4, [2]),
        "suppress": lp.SuppressTokensLogitsProcessor([0, 3, 46, 90]),
        "suppress_at_begin_4": lp.SuppressTokensAtBeginLogitsProcessor([1, 2], 4),
        "exponential_decay": lp.ExponentialDecayLengthPenalty((1, 1.7), [2, 3], 1),
        "temperature_0.6": lp.TemperatureLogitsWarper(0.6),
        "top_k_5": lp.TopKLogitsWarper(5),
        "top_k_1": lp.TopKLogitsWarper(1),
        "top_k_3_keep_4": lp.TopKLogitsWarper(3, min_tokens_to_keep=4),
        "top_p_0.8": lp.TopPLogitsWarper(0.8),
        "top_p_0.3_keep_3": lp.TopPLogitsWarper(0.3, min_tokens_to_keep=3),
        "typical_0.7": lp.TypicalLogitsWarper(0.7),
        "typical_0.2_keep_2": lp.TypicalLogitsWarper(0.2, min_tokens_to_keep=2),
        "log_softmax": lp.LogitNormalization(),
    }
    out = []
    for name, proc in procs.items():
        per_row = []
        for r in range(len(rows)):
            # Each row alone (batch of one) so histories of different lengths stay exact.
            hist = torch.tensor([histories[r]])
            if isinstance(proc, (lp.EncoderRepetitionPenaltyLogitsProcessor, lp.EncoderNoRepeatNGramLogitsProcessor)):
                cls = type(proc)
                arg = 1.4 if cls is lp.EncoderRepetitionPenaltyLogitsProcessor else proc.ngram_size
                single = cls(arg, torch.tensor([encoder[r]]))
                res = single(hist, scores[r:r + 1].clone())
            else:
                res = proc(hist, scores[r:r + 1].clone())
            per_row.append(finite_or_none(res[0].tolist()))
        out.append(dict(name=name, output=per_row))
    return dict(scores=[finite_or_none(r.tolist()) for r in rows], histories=histories, encoder_input_ids=encoder,
                cases=out)


# ---------------------------------------------------------------------------------------------------------
# Configuration loading goldens: what HF reads from generation_config.json / config.json files.


CONFIG_KEYS = ["max_length", "max_new_tokens", "min_length", "min_new_tokens", "early_stopping", "do_sample",
               "num_beams", "temperature", "top_k", "top_p", "typical_p", "repetition_penalty", "length_penalty",
               "no_repeat_ngram_size", "encoder_no_repeat_ngram_size", "bad_words_ids", "suppress_tokens",
               "begin_suppress_tokens", "forced_bos_token_id", "forced_eos_token_id", "num_return_sequences",
               "bos_token_id", "eos_token_id", "pad_token_id", "decoder_start_token_id", "renormalize_logits",
               "remove_invalid_values", "encoder_repetition_penalty", "exponential_decay_length_penalty"]


def config_cases():
    marian = open(os.path.join(HERE, "..", "Fixtures", "search", "opus-mt-en-mg.config.json")).read()
    docs = [
        ("opus-mt-en-mg config.json (no generation_config.json)", "model_config", marian),
        ("marian-style generation_config.json", "generation_config", json.dumps({
            "bad_words_ids": [[58100]], "bos_token_id": 0, "decoder_start_token_id": 58100, "eos_token_id": 0,
            "forced_eos_token_id": 0, "max_length": 512, "num_beams": 4, "pad_token_id": 58100,
            "renormalize_logits": True, "transformers_version": "4.34.0.dev0"})),
        ("bart-style with nulls and a list eos", "generation_config", json.dumps({
            "_from_model_config": True, "bos_token_id": 0, "decoder_start_token_id": 2, "early_stopping": True,
            "eos_token_id": [2, 3], "forced_bos_token_id": None, "forced_eos_token_id": 2, "length_penalty": 2.0,
            "max_length": 142, "min_length": 56, "no_repeat_ngram_size": 3, "num_beams": 4, "pad_token_id": 1,
            "transformers_version": "4.27.0.dev0"})),
        ("early_stopping never, ints as floats", "generation_config", json.dumps({
            "early_stopping": "never", "num_beams": 5, "length_penalty": 1, "top_k": 0, "temperature": 0.7,
            "decoder_start_token_id": 0, "eos_token_id": 1, "do_sample": False, "custom_field": {"a": 1}})),
        ("config.json with a decoder section", "model_config", json.dumps({
            "model_type": "encoder-decoder", "is_encoder_decoder": True, "pad_token_id": None,
            "decoder": {"eos_token_id": 3, "pad_token_id": 0, "max_length": 40, "bos_token_id": 1,
                        "no_repeat_ngram_size": 2},
            "decoder_start_token_id": 1, "num_beams": 3})),
        ("config.json with force_bos_token_to_be_generated", "model_config", json.dumps({
            "bos_token_id": 0, "eos_token_id": 2, "decoder_start_token_id": 2,
            "force_bos_token_to_be_generated": True, "num_beams": 4, "max_length": 200})),
    ]
    out = []
    for name, kind, text in docs:
        d = json.loads(text)
        if kind == "model_config":
            gc = GenerationConfig.from_model_config(d)
        else:
            gc = GenerationConfig.from_dict(d)
        values = {k: getattr(gc, k, None) for k in CONFIG_KEYS}
        values["exponential_decay_length_penalty"] = (list(values["exponential_decay_length_penalty"])
                                                      if values["exponential_decay_length_penalty"] else None)
        out.append(dict(name=name, kind=kind, json=text, expected=values))
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    versions = {"transformers": transformers.__version__, "torch": torch.__version__, "numpy": np.__version__,
                "generator": "Tests/Generator/gen_search.py"}
    model = make_model()
    generate = dict(versions=versions, vocab_size=VOCAB, pad_token_id=PAD, eos_token_id=EOS,
                    logit_function="see gen_search.py fake_logits", cases=run_cases(model))
    with open(os.path.join(OUT, "hf_generate.json"), "w") as f:
        json.dump(generate, f, separators=(",", ":"))
    with open(os.path.join(OUT, "hf_processors.json"), "w") as f:
        json.dump(dict(versions=versions, vocab_size=VOCAB, **processor_cases()), f, separators=(",", ":"))
    with open(os.path.join(OUT, "hf_generation_config.json"), "w") as f:
        json.dump(dict(versions=versions, cases=config_cases()), f, indent=1)
    print(f"{len(generate['cases'])} generate cases written to {OUT}")


if __name__ == "__main__":
    main()
