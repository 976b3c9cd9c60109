#!/usr/bin/env python3
"""Goldens for inputs long enough that lmcore's attention runs as GEMMs (Attention.blockLength,
64 keys): the encoder's self-attention per sequence and head, and the decoder's cross-attention
per input and head. Reads the tiny checkpoints gen_models.py wrote (it does not change them) and
writes Tests/Fixtures/models/<name>/long.json:

  inputs        one long source (64 ids, or 150 where the model has no position limit) and one
                short source (9 ids), ending with EOS
  encoder_output  HF's encoder output of the long source alone
  greedy, beam4   ids of HF generate on the padded batch [long, short] (max_new_tokens 8; beam 4
                  with its sequences_scores), decoder start token removed, cut after EOS

For the T5 variants (no position limit) it also records `very_long`: a 2,100-id source, longer than
lmcore's 2,048-row block of query rows (Attention.blockRows), with HF's encoder output at the rows
around the block edge and at both ends, and its greedy ids.

Run with the reference venv:  /opt/lmcore-ref/bin/python Tests/Generator/gen_long_inputs.py
"""
import json
import os
import platform
import sys

import numpy as np
import torch
import transformers
from transformers import AutoModelForSeq2SeqLM, GenerationConfig

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_models import ROOT, generated_tail, padded, rounded  # noqa: E402

# Models whose positions allow a 64-id source (Marian, Pegasus: 64 positions) and the T5 family
# (relative position buckets, no limit: 150 ids, past relative_attention_max_distance).
VARIANTS = {"marian-swish-tied": 64, "pegasus-gelu-tied": 64, "t5-relu-tied": 150, "t5-gatedgelu-untied": 150}
SHORT = 9
NEW_TOKENS = 8
VERY_LONG = 2100
VERY_LONG_ROWS = [0, 1, 1996, 1997, 1998, 2099]


def source(cfg, rng, n):
    special = {cfg.pad_token_id, cfg.eos_token_id, getattr(cfg, "bos_token_id", None), cfg.decoder_start_token_id}
    pool = [i for i in range(3, cfg.vocab_size) if i not in special]
    return [int(x) for x in rng.choice(pool, size=n - 1, replace=True)] + [cfg.eos_token_id]


def build(name, long_length):
    folder = os.path.join(ROOT, name)
    model = AutoModelForSeq2SeqLM.from_pretrained(folder).eval()
    gen = GenerationConfig.from_pretrained(folder)
    cfg = model.config
    rng = np.random.default_rng(1000 + long_length)
    batch = [source(cfg, rng, long_length), source(cfg, rng, SHORT)]
    eos_ids = gen.eos_token_id if isinstance(gen.eos_token_id, list) else [gen.eos_token_id]
    with torch.no_grad():
        encoded = model.get_encoder()(input_ids=torch.tensor([batch[0]])).last_hidden_state[0]
        ids, mask = padded(batch, cfg.pad_token_id)
        greedy = model.generate(ids, attention_mask=mask, do_sample=False, max_new_tokens=NEW_TOKENS)
        beam = model.generate(ids, attention_mask=mask, do_sample=False, num_beams=4, max_new_tokens=NEW_TOKENS,
                              output_scores=True, return_dict_in_generate=True)
    tail = lambda s: generated_tail(s, gen.decoder_start_token_id, eos_ids, gen.pad_token_id)  # noqa: E731
    out = dict(
        generator="Tests/Generator/gen_long_inputs.py",
        versions=dict(python=platform.python_version(), torch=torch.__version__,
                      transformers=transformers.__version__, numpy=np.__version__),
        new_tokens=NEW_TOKENS,
        inputs=batch,
        encoder_output=rounded(encoded),
        greedy=[tail(s) for s in greedy],
        beam4=[tail(s) for s in beam.sequences],
        beam4_scores=[float(x) for x in beam.sequences_scores],
    )
    if long_length > 64:
        ids = source(cfg, rng, VERY_LONG)
        with torch.no_grad():
            states = model.get_encoder()(input_ids=torch.tensor([ids])).last_hidden_state[0]
            greedy_one = model.generate(torch.tensor([ids]), do_sample=False, max_new_tokens=NEW_TOKENS)[0]
        out["very_long"] = dict(input=ids, rows=VERY_LONG_ROWS, encoder_rows=[rounded(states[i]) for i in VERY_LONG_ROWS],
                                greedy=tail(greedy_one))
    with open(os.path.join(folder, "long.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print(f"{name}: long input of {long_length} ids, {os.path.getsize(os.path.join(folder, 'long.json')) / 1024:.0f} KiB",
          file=sys.stderr)


def main():
    torch.set_num_threads(1)
    for name, length in VARIANTS.items():
        build(name, length)


if __name__ == "__main__":
    main()
