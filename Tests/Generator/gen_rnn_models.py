#!/usr/bin/env python3
"""Tiny random recurrent encoder-decoders (model_type "rnn_seq2seq") and their goldens.

For each variant this writes Tests/Fixtures/models/<name>/ in the same shape as gen_models.py and
gen_model_search.py write for the Transformers, so every fixture test runs on them unchanged:
  config.json, generation_config.json, the checkpoint (model.safetensors; pytorch_model.bin =
    torch.save(state_dict()) of the tutorial-style module; or model.npz with renamed keys and a
    weight_map in config.json)
  goldens.json   per-layer encoder outputs, teacher-forced logits, greedy ids (alone and batched)
  search.json    transformers' own generate (beam search, processors) over the reference module

The reference is Tests/Generator/rnn_reference.py (torch.nn.GRU/LSTM plus attention written from
the formulas, the GRU/LSTM cells cross-checked against torch's). transformers has no recurrent
seq2seq; its generate runs over the reference through a MarianMTModel subclass whose forward
re-runs the reference decoder over the whole prefix (use_cache=False), as gen_search.py does.

Run with the reference venv:  /opt/lmcore-ref/bin/python Tests/Generator/gen_rnn_models.py [variant...]
"""
import json
import os
import platform
import shutil
import sys

import numpy as np
import torch
import transformers
from safetensors.torch import save_file
from transformers import GenerationConfig, MarianConfig, MarianMTModel
from transformers.modeling_outputs import BaseModelOutput, Seq2SeqLMOutput

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_model_search import CASES, adapt, tail  # noqa: E402
from rnn_reference import Seq2Seq  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures", "models")

SRC_VOCAB, TGT_VOCAB = 40, 36
PAD, EOS, START = 0, 2, 1

# name, config.json fields, sizes, checkpoint format
VARIANTS = [
    # pytorch-seq2seq tutorial 3 exactly: bidirectional GRU, linear_tanh bridge, Bahdanau; saved with
    # torch.save(model.state_dict()).
    dict(name="rnn-gru-bahdanau-bi", cfg=dict(cell="gru", num_layers=1, bidirectional_encoder=True,
         bridge="linear_tanh", attention="bahdanau"), emb=12, hidden=10, dec_hidden=14, format="bin", seed=11),
    dict(name="rnn-gru-bahdanau-2x3", cfg=dict(cell="gru", num_layers=2, decoder_layers=3, bidirectional_encoder=True,
         bridge="linear_tanh", attention="bahdanau"), emb=10, hidden=8, dec_hidden=12, format="safetensors", seed=12),
    dict(name="rnn-lstm-bahdanau-final", cfg=dict(cell="lstm", num_layers=1, bidirectional_encoder=False,
         bridge="final", attention="bahdanau"), emb=12, hidden=16, dec_hidden=16, format="safetensors", seed=13),
    dict(name="rnn-lstm-general-feed-bi", cfg=dict(cell="lstm", num_layers=2, bidirectional_encoder=True,
         bridge="final", attention="luong_general", input_feeding=True), emb=12, hidden=8, dec_hidden=16,
         format="safetensors", seed=14),
    dict(name="rnn-gru-dot-3layer", cfg=dict(cell="gru", num_layers=3, bidirectional_encoder=False,
         bridge="final", attention="luong_dot"), emb=10, hidden=12, dec_hidden=12, format="safetensors", seed=15),
    dict(name="rnn-lstm-concat-zeros-feed", cfg=dict(cell="lstm", num_layers=1, decoder_layers=2,
         bidirectional_encoder=False, bridge="zeros", attention="luong_concat", input_feeding=True),
         emb=12, hidden=14, dec_hidden=10, linear_out_bias=True, format="safetensors", seed=16),
    # pytorch-seq2seq tutorial 1: a 2-layer LSTM encoder-decoder without attention; saved as an .npz
    # whose keys are not the canonical names (config.json's weight_map maps them).
    dict(name="rnn-lstm-none-npz", cfg=dict(cell="lstm", num_layers=2, bidirectional_encoder=False,
         bridge="final", attention="none"), emb=12, hidden=16, dec_hidden=16, format="npz", seed=17),
    dict(name="rnn-gru-none-bi-linear", cfg=dict(cell="gru", num_layers=2, decoder_layers=1, bidirectional_encoder=True,
         bridge="linear_tanh", attention="none"), emb=10, hidden=8, dec_hidden=12, format="safetensors", seed=18),
]


def rounded(t):
    return np.vectorize(lambda v: float(f"{v:.7g}"))(t.detach().cpu().numpy().astype(np.float64)).tolist()


def build_module(v):
    torch.manual_seed(v["seed"])
    model = Seq2Seq(v["cfg"], SRC_VOCAB, TGT_VOCAB, v["emb"], v["hidden"], v["dec_hidden"],
                    v.get("linear_out_bias", False)).eval()
    g = torch.Generator().manual_seed(v["seed"])
    with torch.no_grad():
        for name, p in model.named_parameters():
            # Larger than torch's init so that logits are peaked: float rounding cannot flip an argmax.
            std = 0.8 if "fc_out" in name or "embedding" in name else 0.5
            p.copy_(std * torch.randn(p.shape, generator=g))
        model.decoder.fc_out.bias[EOS] += 1.5  # some inputs end within the length limit
    return model


def npz_name(key):
    """The .npz variant's own key for a canonical name (mapped back by config.json's weight_map)."""
    return "net/" + key.replace(".", "/")


def save(v, model, folder):
    state = {k: t.detach().contiguous() for k, t in model.state_dict().items()}
    config = dict(model_type="rnn_seq2seq", hidden_size=v["hidden"], vocab_size=SRC_VOCAB,
                  pad_token_id=PAD, eos_token_id=EOS, decoder_start_token_id=START, **v["cfg"])
    if v["format"] == "bin":
        torch.save(model.state_dict(), os.path.join(folder, "pytorch_model.bin"))
    elif v["format"] == "npz":
        np.savez_compressed(os.path.join(folder, "model.npz"),
                            **{npz_name(k): t.numpy() for k, t in state.items()})
        config["weight_map"] = {k: npz_name(k) for k in sorted(state)}
    else:
        save_file(state, os.path.join(folder, "model.safetensors"), metadata={"format": "pt"})
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
    gen = dict(decoder_start_token_id=START, eos_token_id=EOS, pad_token_id=PAD, max_length=40)
    with open(os.path.join(folder, "generation_config.json"), "w") as f:
        json.dump(gen, f, indent=2, sort_keys=True)


class IdsEncoder(torch.nn.Module):
    """Hands the unpadded source ids to forward() through encoder_outputs (pad positions -1)."""

    def forward(self, input_ids=None, attention_mask=None, **kwargs):
        ids = input_ids.clone().float()
        if attention_mask is not None:
            ids[attention_mask == 0] = -1
        return BaseModelOutput(last_hidden_state=ids.unsqueeze(-1))


class ReferenceSeq2Seq(MarianMTModel):
    """transformers' generate over the reference module: logits of the last prefix position."""

    def get_encoder(self, *args, **kwargs):
        return self._ids_encoder

    def forward(self, input_ids=None, attention_mask=None, decoder_input_ids=None, encoder_outputs=None,
                past_key_values=None, use_cache=None, return_dict=True, **kwargs):
        rows = []
        for src, prefix in zip(encoder_outputs.last_hidden_state[:, :, 0].tolist(), decoder_input_ids.tolist()):
            src = [int(x) for x in src if x >= 0]
            with torch.no_grad():
                rows.append(self._reference.logits(src, prefix)[-1])
        return Seq2SeqLMOutput(logits=torch.stack(rows).unsqueeze(1))


def hf_wrapper(reference):
    config = MarianConfig(vocab_size=TGT_VOCAB, d_model=8, encoder_layers=1, decoder_layers=1,
                          encoder_attention_heads=1, decoder_attention_heads=1, encoder_ffn_dim=8,
                          decoder_ffn_dim=8, max_position_embeddings=64, pad_token_id=PAD,
                          decoder_start_token_id=START, eos_token_id=EOS, bos_token_id=None)
    model = ReferenceSeq2Seq(config).eval()
    model._ids_encoder = IdsEncoder()
    model._reference = reference
    model.generation_config = GenerationConfig(decoder_start_token_id=START, eos_token_id=EOS, pad_token_id=PAD,
                                               max_length=40)
    return model


def generate(hf, sources, batched, prefix=(), **options):
    """HF generate (use_cache=False); per input, (sequences after the start token, scores or None)."""
    nret = options.get("num_return_sequences", 1)
    beams = options.get("num_beams", 1) > 1
    results = []
    batches = [sources] if batched else [[s] for s in sources]
    for batch in batches:
        width = max(len(s) for s in batch)
        ids = torch.tensor([s + [PAD] * (width - len(s)) for s in batch])
        mask = torch.tensor([[1] * len(s) + [0] * (width - len(s)) for s in batch])
        start = torch.tensor([[START] + list(prefix)] * len(batch))
        with torch.no_grad():
            g = hf.generate(ids, attention_mask=mask, do_sample=False, use_cache=False, output_scores=True,
                            return_dict_in_generate=True, decoder_input_ids=start, **options)
        for i in range(len(batch)):
            rows = range(i * nret, (i + 1) * nret)
            results.append(dict(sequences=[tail(g.sequences[r], START, [EOS]) for r in rows],
                                scores=[float(g.sequences_scores[r]) for r in rows] if beams else None,
                                step_scores=g.scores))
    return results


def greedy_margin(step_scores, row=0):
    margin = float("inf")
    for s in step_scores:
        finite = s[row][torch.isfinite(s[row])]
        if finite.numel() >= 2:
            top = torch.topk(finite, 2).values
            margin = min(margin, float(top[0] - top[1]))
    return margin


def sources(rng):
    # Below TGT_VOCAB: encoder_no_repeat_ngram_size bans source ids in the target vocabulary.
    pool = [i for i in range(3, TGT_VOCAB)]
    out = []
    for n in [7, 3, 11, 1]:
        body = [int(x) for x in rng.choice(pool, size=n - 1, replace=True)] if n > 1 else []
        out.append(body + [EOS])
    # An id equal to pad inside an input: the encoder reads every id it is given.
    out[2][4] = PAD
    return out


def greedy_inputs(v, seed):
    """The module drawn from `seed`, its inputs and their goldens (teacher-forced and greedy)."""
    v = dict(v, seed=seed)
    model = build_module(v)
    hf = hf_wrapper(model)
    rng = np.random.default_rng(seed)
    batch = sources(rng)
    inputs = []
    for ids in batch:
        with torch.no_grad():
            embedded, layers, _ = model.encode(ids)
            target = [START] + [int(x) for x in rng.integers(3, TGT_VOCAB, size=4)]
            logits = model.logits(ids, target)
        natural = generate(hf, [ids], False, max_new_tokens=30)[0]
        fixed = generate(hf, [ids], False, max_new_tokens=6, min_new_tokens=6)[0]
        inputs.append(dict(
            source_ids=ids, embeddings=rounded(embedded), encoder_layers=[rounded(x) for x in layers],
            encoder_output=rounded(layers[-1]), decoder_input_ids=target, decoder_logits=rounded(logits),
            greedy=natural["sequences"][0], greedy_fixed=fixed["sequences"][0],
            greedy_min_margin=min(greedy_margin(natural["step_scores"]), greedy_margin(fixed["step_scores"]))))
    return model, hf, batch, inputs


def build(v):
    # Random weights can put two logits within float noise of each other; draw again (seed + 1000)
    # until every greedy step has a clear winner and some inputs stop at EOS (not all at once), so
    # goldens are robust and exercise several steps.
    for attempt in range(40):
        seed = v["seed"] + 1000 * attempt
        model, hf, batch, inputs = greedy_inputs(v, seed)
        ends = sum(1 for i in inputs if i["greedy"] and i["greedy"][-1] == EOS)
        longest = max(len(i["greedy"]) for i in inputs)
        if min(i["greedy_min_margin"] for i in inputs) >= 0.02 and ends >= 1 and longest >= 6:
            break
    else:
        raise SystemExit(f"{v['name']}: no seed gives robust goldens")
    folder = os.path.join(ROOT, v["name"])
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    save(v, model, folder)
    if v["format"] == "bin":
        # The checkpoint as a user saves it must give the same module.
        reloaded = build_module(dict(v, seed=seed))
        reloaded.load_state_dict(torch.load(os.path.join(folder, "pytorch_model.bin"), weights_only=True))
        assert all(torch.equal(a, b) for a, b in zip(reloaded.state_dict().values(), model.state_dict().values()))
    batched = [r["sequences"][0] for r in generate(hf, batch, True, max_new_tokens=30)]
    versions = dict(python=platform.python_version(), torch=torch.__version__,
                    transformers=transformers.__version__, numpy=np.__version__)
    goldens = dict(generator="Tests/Generator/gen_rnn_models.py", versions=versions, model_type="rnn_seq2seq",
                   natural_max_new_tokens=30, fixed_new_tokens=6, inputs=inputs, batched_greedy=batched)
    with open(os.path.join(folder, "goldens.json"), "w") as f:
        json.dump(goldens, f, separators=(",", ":"))

    cases = []
    for name, options, batched_case, *rest in CASES:
        prefix = rest[0] if rest else []
        options = adapt(name, options, TGT_VOCAB, [EOS])
        outputs = [dict(sequences=r["sequences"], scores=r["scores"])
                   for r in generate(hf, batch, batched_case, prefix=prefix, **options)]
        case = dict(name=name, options=options, batched=batched_case, inputs=batch, outputs=outputs)
        if prefix:
            case["prefix"] = prefix
        cases.append(case)
    with open(os.path.join(folder, "search.json"), "w") as f:
        json.dump(dict(generator="Tests/Generator/gen_rnn_models.py", versions=versions, cases=cases), f,
                  separators=(",", ":"))
    size = sum(os.path.getsize(os.path.join(folder, x)) for x in os.listdir(folder))
    print(f"{v['name']}: seed {seed}, {size / 1024:.0f} KiB, {ends}/{len(inputs)} end with EOS, "
          f"min margin {min(i['greedy_min_margin'] for i in inputs):.3g}", file=sys.stderr)


def main():
    torch.set_num_threads(1)
    transformers.logging.set_verbosity_error()
    only = set(sys.argv[1:])
    for v in VARIANTS:
        if not only or v["name"] in only:
            build(v)


if __name__ == "__main__":
    main()
