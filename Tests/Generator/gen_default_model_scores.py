#!/usr/bin/env python3
"""Teacher-forced log-likelihoods of the default model from HF transformers (the golden of
`lmcore-cli score` and Model.score on a trained model).

    /opt/lmcore-ref/bin/python Tests/Generator/gen_default_model_scores.py

For the first 100 held-out inputs of models/numbers-7lang/eval/hf_beam4.jsonl: the target is HF's
beam-4 output (after the decoder start token, EOS included); the model runs once with
decoder_input_ids = [start] + target[:-1] and each target token's log_softmax(logits) is recorded,
with their sum. Raw logits: no logits processor, as CTranslate2's score_batch and lmcore's score.
Writes models/numbers-7lang/eval/hf_scores.jsonl (one line per input, then nothing else).
"""
import json
import os
import platform

import torch
import transformers
from transformers import AutoModelForSeq2SeqLM

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
MODEL = os.path.join(ROOT, "models", "numbers-7lang")
COUNT = 100


def main():
    torch.set_num_threads(1)
    model = AutoModelForSeq2SeqLM.from_pretrained(MODEL, dtype=torch.float32).eval()
    start = model.config.decoder_start_token_id
    rows = [json.loads(l) for l in open(os.path.join(MODEL, "eval", "hf_beam4.jsonl"))][:COUNT]
    out = []
    with torch.inference_mode():
        for row in rows:
            target = row["ids"][1:]
            logits = model(input_ids=torch.tensor([row["input_ids"]]),
                           decoder_input_ids=torch.tensor([[start] + target[:-1]])).logits[0]
            logprobs = torch.log_softmax(logits.float(), dim=-1)
            tokens = [float(logprobs[i, t]) for i, t in enumerate(target)]
            out.append({"input_ids": row["input_ids"], "target_ids": target, "total": sum(tokens),
                        "token_logprobs": tokens})
    with open(os.path.join(MODEL, "eval", "hf_scores.jsonl"), "w") as f:
        for row in out:
            f.write(json.dumps(row) + "\n")
    print(f"wrote {len(out)} scores with torch {torch.__version__}, transformers {transformers.__version__}, "
          f"python {platform.python_version()}")


if __name__ == "__main__":
    main()
