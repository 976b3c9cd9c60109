#!/usr/bin/env python3
"""Tiny random-weight encoder-decoder checkpoints and their HF transformers goldens.

For each variant this writes Tests/Fixtures/models/<name>/:
  config.json, generation_config.json, model.safetensors   (as save_pretrained writes them)
  goldens.json   inputs, per-layer encoder outputs, teacher-forced decoder logits, greedy ids

Weights are drawn with std 0.2 (not the 0.02 of real init) so logits are peaked and a float32
rounding difference cannot flip an argmax; the script checks the top-2 margin of every greedy
step and records the smallest one.

Run with the reference venv:  /opt/lmcore-ref/bin/python Tests/Generator/gen_models.py
"""
import json
import os
import platform
import shutil
import sys

import numpy as np
import torch
import transformers
from torch import nn
from transformers import (BartConfig, BartForConditionalGeneration, GenerationConfig, M2M100Config,
                          M2M100ForConditionalGeneration, MarianConfig, MarianMTModel, MBartConfig,
                          MBartForConditionalGeneration, MT5Config, MT5ForConditionalGeneration, PegasusConfig,
                          PegasusForConditionalGeneration, T5Config, T5ForConditionalGeneration)
from transformers.models.t5.modeling_t5 import T5Attention

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures", "models")


def rounded(t):
    """A float tensor as nested lists of 7 significant digits (plenty for a 1e-4 tolerance)."""
    return np.vectorize(lambda v: float(f"{v:.7g}"))(t.detach().cpu().numpy().astype(np.float64)).tolist()


def randomize(model, seed, std=0.2):
    """Re-draws every parameter and buffer that the checkpoint stores."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "embed_positions" in name and isinstance(model, (MarianMTModel, PegasusForConditionalGeneration)):
                continue  # Marian's / Pegasus's sinusoidal table is fixed
            if name.endswith("layer_norm.weight") or name.endswith("layernorm_embedding.weight"):
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(std * torch.randn(p.shape, generator=g))
        if hasattr(model, "final_logits_bias"):
            model.final_logits_bias.copy_(std * torch.randn(model.final_logits_bias.shape, generator=g))


VARIANTS = [
    # Marian as OPUS-MT ships it: swish, scaled embeddings, one shared vocabulary, tied lm_head.
    # Seeds and EOS boosts were picked (by a one-off search over seeds 1-24) so that some inputs
    # end with a natural EOS and outputs are not one repeated token: random models collapse fast.
    dict(name="marian-swish-tied", cls=MarianMTModel, config=MarianConfig(
        vocab_size=96, d_model=32, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
        decoder_attention_heads=4, encoder_ffn_dim=64, decoder_ffn_dim=64, max_position_embeddings=64,
        activation_function="swish", scale_embedding=True, pad_token_id=95, decoder_start_token_id=95,
        eos_token_id=0, forced_eos_token_id=0, bos_token_id=None),
        generation=dict(bad_words_ids=[[95]], num_beams=1, max_length=64), eos_boost=1.5, seed=13),
    # Marian with separate decoder vocabulary and untied lm_head, relu, odd head size (42/6 = 7).
    dict(name="marian-relu-untied", cls=MarianMTModel, config=MarianConfig(
        vocab_size=90, decoder_vocab_size=70, share_encoder_decoder_embeddings=False,
        tie_word_embeddings=False, d_model=42, encoder_layers=3, decoder_layers=2,
        encoder_attention_heads=6, decoder_attention_heads=3, encoder_ffn_dim=50, decoder_ffn_dim=60,
        max_position_embeddings=64, activation_function="relu", scale_embedding=True,
        pad_token_id=69, decoder_start_token_id=69, eos_token_id=0, forced_eos_token_id=0, bos_token_id=None),
        generation=dict(bad_words_ids=[[69]], num_beams=1, max_length=64), eos_boost=2.0, seed=4),
    # BART: post-LN, learned positions (offset 2), layernorm_embedding, gelu, tied.
    dict(name="bart-gelu-tied", cls=BartForConditionalGeneration, config=BartConfig(
        vocab_size=80, d_model=32, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
        decoder_attention_heads=4, encoder_ffn_dim=48, decoder_ffn_dim=48, max_position_embeddings=48,
        activation_function="gelu", scale_embedding=False, pad_token_id=1, bos_token_id=0, eos_token_id=2,
        decoder_start_token_id=2, forced_eos_token_id=2),
        generation=dict(forced_bos_token_id=0, forced_eos_token_id=2, num_beams=1, max_length=40,
                        no_repeat_ngram_size=0), eos_boost=1.0, seed=2),
    # BART with scaled embeddings, tanh-gelu, untied lm_head, odd head size (30/6 = 5).
    dict(name="bart-gelunew-untied", cls=BartForConditionalGeneration, config=BartConfig(
        vocab_size=72, d_model=30, encoder_layers=2, decoder_layers=3, encoder_attention_heads=6,
        decoder_attention_heads=2, encoder_ffn_dim=40, decoder_ffn_dim=44, max_position_embeddings=48,
        activation_function="gelu_new", scale_embedding=True, tie_word_embeddings=False, pad_token_id=1,
        bos_token_id=0, eos_token_id=2, decoder_start_token_id=2, forced_eos_token_id=2),
        generation=dict(num_beams=1, max_length=40), eos_boost=1.5, seed=17),
    # mBART: pre-LN, final layer norms, layernorm_embedding, scaled embeddings, forced target language.
    dict(name="mbart-gelu-tied", cls=MBartForConditionalGeneration, config=MBartConfig(
        vocab_size=88, d_model=32, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
        decoder_attention_heads=4, encoder_ffn_dim=64, decoder_ffn_dim=64, max_position_embeddings=48,
        activation_function="gelu", scale_embedding=True, pad_token_id=1, bos_token_id=0, eos_token_id=2,
        decoder_start_token_id=2, forced_eos_token_id=2),
        generation=dict(forced_bos_token_id=85, forced_eos_token_id=2, num_beams=1, max_length=40),
        eos_boost=0.5, seed=10),
    # mBART with relu, odd head size (36/4 = 9) and an untied lm_head.
    dict(name="mbart-relu-untied", cls=MBartForConditionalGeneration, config=MBartConfig(
        vocab_size=64, d_model=36, encoder_layers=3, decoder_layers=2, encoder_attention_heads=4,
        decoder_attention_heads=4, encoder_ffn_dim=52, decoder_ffn_dim=52, max_position_embeddings=48,
        activation_function="relu", scale_embedding=False, tie_word_embeddings=False, pad_token_id=1,
        bos_token_id=0, eos_token_id=2, decoder_start_token_id=2, forced_eos_token_id=2),
        generation=dict(num_beams=1, max_length=40), eos_boost=1.5, seed=22),
    # The variants below: seeds and EOS boosts from a one-off search (seeds 1-10, a few boosts) for some natural
    # EOS endings, varied tokens and top-2 margins of at least 1e-3.
    # Original T5 (t5-small style): relu, tied lm_head with d_model^-0.5 output scaling, inner size
    # num_heads·d_kv (24) != d_model (32), fewer decoder than encoder layers, and few buckets with a short
    # max_distance so the logarithmic buckets are reached within these short sequences. (More decoder than
    # encoder layers would do too, but transformers 5.23's generate sizes the decoder cache by num_layers
    # and fails with an IndexError then.)
    dict(name="t5-relu-tied", cls=T5ForConditionalGeneration, config=T5Config(
        vocab_size=72, d_model=32, d_kv=6, d_ff=48, num_layers=3, num_decoder_layers=2, num_heads=4,
        relative_attention_num_buckets=12, relative_attention_max_distance=20, feed_forward_proj="relu",
        pad_token_id=0, eos_token_id=1, decoder_start_token_id=0),
        generation=dict(num_beams=1, max_length=40), eos_boost=0.3, seed=7),
    # T5 v1.1 / Flan-T5: gated-gelu, untied lm_head, default buckets; config.json rewritten as the Hub's
    # files have it (tie_word_embeddings false, no scale_decoder_outputs / dense_act_fn / is_gated_act).
    dict(name="t5-gatedgelu-untied", cls=T5ForConditionalGeneration, config=T5Config(
        vocab_size=68, d_model=36, d_kv=8, d_ff=40, num_layers=2, num_heads=3, feed_forward_proj="gated-gelu",
        tie_word_embeddings=False, pad_token_id=0, eos_token_id=1, decoder_start_token_id=0),
        generation=dict(num_beams=1, max_length=40), eos_boost=1.5, seed=10, untie_lm_head=True,
        config_edit=dict(remove=["scale_decoder_outputs", "dense_act_fn", "is_gated_act"],
                         set=dict(tie_word_embeddings=False))),
    # T5 with gated-silu, tied and scaled, inner size 40 > d_model 24, 2 encoder / 1 decoder layers, 8 buckets.
    dict(name="t5-gatedsilu-tied", cls=T5ForConditionalGeneration, config=T5Config(
        vocab_size=64, d_model=24, d_kv=10, d_ff=36, num_layers=2, num_decoder_layers=1, num_heads=4,
        relative_attention_num_buckets=8, relative_attention_max_distance=9, feed_forward_proj="gated-silu",
        pad_token_id=0, eos_token_id=1, decoder_start_token_id=0),
        generation=dict(num_beams=1, max_length=40), eos_boost=3.0, seed=6),
    # mT5: gated-gelu, untied lm_head, never scaled.
    dict(name="mt5-gatedgelu-untied", cls=MT5ForConditionalGeneration, config=MT5Config(
        vocab_size=80, d_model=32, d_kv=8, d_ff=40, num_layers=2, num_heads=4, relative_attention_num_buckets=16,
        relative_attention_max_distance=24, pad_token_id=0, eos_token_id=1, decoder_start_token_id=0),
        generation=dict(num_beams=1, max_length=40), eos_boost=1.5, seed=3, untie_lm_head=True),
    # M2M100 / NLLB: pre-LN, scaled embeddings, padding-aware fairseq positions, forced target language.
    # max_position_embeddings 12 is shorter than decoding runs, so the table grows on demand (as HF's does).
    dict(name="m2m100-relu-tied", cls=M2M100ForConditionalGeneration, config=M2M100Config(
        vocab_size=84, d_model=32, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
        decoder_attention_heads=4, encoder_ffn_dim=48, decoder_ffn_dim=48, max_position_embeddings=12,
        activation_function="relu", scale_embedding=True, pad_token_id=1, bos_token_id=0, eos_token_id=2,
        decoder_start_token_id=2),
        generation=dict(forced_bos_token_id=80, num_beams=1, max_length=40), eos_boost=1.5, seed=1),
    # M2M100 with an odd d_model (35: fairseq's zero column), pad id 0, gelu, unscaled, untied lm_head.
    dict(name="m2m100-gelu-untied", cls=M2M100ForConditionalGeneration, config=M2M100Config(
        vocab_size=70, d_model=35, encoder_layers=2, decoder_layers=2, encoder_attention_heads=5,
        decoder_attention_heads=7, encoder_ffn_dim=40, decoder_ffn_dim=44, max_position_embeddings=64,
        activation_function="gelu", scale_embedding=False, tie_word_embeddings=False, pad_token_id=0,
        bos_token_id=1, eos_token_id=2, decoder_start_token_id=2),
        generation=dict(num_beams=1, max_length=40), eos_boost=3.0, seed=5, untie_lm_head=True),
    # Pegasus: pre-LN, final layer norms, Marian-style sinusoidal positions, scaled embeddings, final_logits_bias.
    dict(name="pegasus-gelu-tied", cls=PegasusForConditionalGeneration, config=PegasusConfig(
        vocab_size=76, d_model=32, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
        decoder_attention_heads=4, encoder_ffn_dim=48, decoder_ffn_dim=48, max_position_embeddings=64,
        activation_function="gelu", scale_embedding=True, pad_token_id=0, eos_token_id=1,
        decoder_start_token_id=0, forced_eos_token_id=1),
        generation=dict(num_beams=1, max_length=40), eos_boost=3.0, seed=5),
]

# Bucket configurations whose torch buckets go to relative-buckets.json (T5's defaults and odd ones).
BUCKET_CONFIGS = [(32, 128), (12, 20), (8, 9), (16, 24), (64, 256), (10, 12), (32, 1000), (128, 4096)]


def source_batch(cfg, rng, count=4):
    """Source id sequences of different lengths ending with EOS, avoiding special ids."""
    special = {cfg.pad_token_id, cfg.eos_token_id, getattr(cfg, "bos_token_id", None), cfg.decoder_start_token_id}
    pool = [i for i in range(3, cfg.vocab_size) if i not in special]
    lengths = [7, 3, 11, 1][:count]
    out = []
    for n in lengths:
        body = [int(x) for x in rng.choice(pool, size=n - 1, replace=True)] if n > 1 else []
        out.append(body + [cfg.eos_token_id])
    return out


def encoder_layers(model):
    if hasattr(model, "encoder") and hasattr(model.encoder, "block"):
        return model.encoder.block  # T5, mT5
    return model.model.encoder.layers


def boost_eos(model, cfg, boost, seed):
    """Raises the EOS logit by about `boost` so some inputs end within the length limit: through
    final_logits_bias where the model has one, else by moving the lm_head row of EOS along the mean
    lm_head input of a random teacher-forced run (T5, M2M100 have no logits bias)."""
    with torch.no_grad():
        if hasattr(model, "final_logits_bias"):
            model.final_logits_bias[0, cfg.eos_token_id] += boost
            return
        inputs = []
        hook = model.lm_head.register_forward_hook(lambda m, a, o: inputs.append(a[0].reshape(-1, a[0].shape[-1])))
        g = torch.Generator().manual_seed(seed)
        ids = torch.randint(3, cfg.vocab_size, (4, 8), generator=g)
        dec = torch.randint(3, cfg.vocab_size, (4, 6), generator=g)
        model(input_ids=ids, decoder_input_ids=dec)
        hook.remove()
        mean = torch.cat(inputs).mean(0)
        model.lm_head.weight[cfg.eos_token_id] += boost * mean / mean.dot(mean)


def edit_config(folder, edit):
    """Rewrites the saved config.json (to mimic how Hub files differ from what save_pretrained writes)."""
    path = os.path.join(folder, "config.json")
    with open(path) as f:
        config = json.load(f)
    for key in edit.get("remove", []):
        config.pop(key, None)
    config.update(edit.get("set", {}))
    with open(path, "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)


def capture_encoder(model, ids):
    """Runs the encoder on one unpadded input; returns the embedding output, every layer's
    output and the final encoder output (after a final layer norm where the model has one)."""
    outs = []
    hooks = [layer.register_forward_hook(lambda m, i, o: outs.append(o[0] if isinstance(o, tuple) else o))
             for layer in encoder_layers(model)]
    embed = []
    hooks.append(encoder_layers(model)[0].register_forward_pre_hook(lambda m, a, k=None: embed.append(a[0])))
    with torch.no_grad():
        enc = model.get_encoder()(input_ids=torch.tensor([ids]))
    for h in hooks:
        h.remove()
    return embed[0][0], [o[0] for o in outs], enc.last_hidden_state[0]


def padded(batch, pad):
    width = max(len(x) for x in batch)
    ids = torch.tensor([x + [pad] * (width - len(x)) for x in batch])
    mask = torch.tensor([[1] * len(x) + [0] * (width - len(x)) for x in batch])
    return ids, mask


def generated_tail(seq, start_id, eos_ids, pad_id):
    """HF's sequence minus the decoder start token, cut after the first EOS (batched generate pads
    finished rows with pad; a lone input stops at EOS)."""
    seq = [int(x) for x in seq]
    assert seq[0] == start_id
    out = []
    for t in seq[1:]:
        out.append(t)
        if t in eos_ids:
            break
    return out


def greedy_margin(model, ids, gen_kwargs):
    """Smallest top-1/top-2 logit gap over the greedy steps of one input (robustness check)."""
    with torch.no_grad():
        out = model.generate(torch.tensor([ids]), do_sample=False, output_scores=True,
                             return_dict_in_generate=True, **gen_kwargs)
    margin = float("inf")
    for s in out.scores:
        finite = s[0][torch.isfinite(s[0])]
        if finite.numel() >= 2:
            top = torch.topk(finite, 2).values
            margin = min(margin, float(top[0] - top[1]))
    return margin


def build(variant):
    name = variant["name"]
    cfg = variant["config"]
    torch.manual_seed(variant["seed"])
    model = variant["cls"](cfg).eval()
    if variant.get("untie_lm_head"):
        # T5/mT5 always tie at construction; a separate parameter makes save_pretrained store lm_head.weight.
        model.lm_head.weight = nn.Parameter(torch.empty_like(model.lm_head.weight))
    randomize(model, variant["seed"])
    # A stronger EOS score so some inputs end naturally within the length limit.
    boost_eos(model, cfg, variant["eos_boost"], variant["seed"])

    folder = os.path.join(ROOT, name)
    shutil.rmtree(folder, ignore_errors=True)
    model.save_pretrained(folder)
    if "config_edit" in variant:
        edit_config(folder, variant["config_edit"])
    gen = GenerationConfig(decoder_start_token_id=cfg.decoder_start_token_id, eos_token_id=cfg.eos_token_id,
                           pad_token_id=cfg.pad_token_id, bos_token_id=getattr(cfg, "bos_token_id", None),
                           **variant["generation"])
    gen.save_pretrained(folder)

    # Reload exactly as a user would, so goldens come from the saved files.
    model = variant["cls"].from_pretrained(folder).eval()
    gen = GenerationConfig.from_pretrained(folder)
    rng = np.random.default_rng(variant["seed"])
    batch = source_batch(cfg, rng)
    eos_ids = gen.eos_token_id if isinstance(gen.eos_token_id, list) else [gen.eos_token_id]

    inputs = []
    for ids in batch:
        embed, layers, final = capture_encoder(model, ids)
        # Teacher-forced decoder logits for a short target prefix: tests the incremental decoder
        # (self-attention cache, positions) against a full forward pass.
        target = [gen.decoder_start_token_id] + [int(x) for x in rng.integers(3, model.config.vocab_size - 3, size=4)]
        target = [t if t < getattr(model.config, "decoder_vocab_size", model.config.vocab_size) else 3 for t in target]
        with torch.no_grad():
            logits = model(input_ids=torch.tensor([ids]), decoder_input_ids=torch.tensor([target])).logits[0]
        natural = dict(max_new_tokens=30)
        fixed = dict(max_new_tokens=6, min_new_tokens=6)
        with torch.no_grad():
            g_nat = model.generate(torch.tensor([ids]), do_sample=False, **natural)[0]
            g_fix = model.generate(torch.tensor([ids]), do_sample=False, **fixed)[0]
        margin = min(greedy_margin(model, ids, natural), greedy_margin(model, ids, fixed))
        inputs.append(dict(
            source_ids=ids,
            embeddings=rounded(embed),
            encoder_layers=[rounded(x) for x in layers],
            encoder_output=rounded(final),
            decoder_input_ids=target,
            decoder_logits=rounded(logits),
            greedy=generated_tail(g_nat, gen.decoder_start_token_id, eos_ids, gen.pad_token_id),
            greedy_fixed=generated_tail(g_fix, gen.decoder_start_token_id, eos_ids, gen.pad_token_id),
            greedy_min_margin=margin,
        ))

    # The same inputs generated as one padded batch must give the same ids (HF pads, lmcore packs).
    ids, mask = padded(batch, cfg.pad_token_id)
    with torch.no_grad():
        g_batch = model.generate(ids, attention_mask=mask, do_sample=False, max_new_tokens=30)
    batched = [generated_tail(s, gen.decoder_start_token_id, eos_ids, gen.pad_token_id) for s in g_batch]

    extra = {}
    if variant["cls"] is M2M100ForConditionalGeneration:
        # Pad tokens inside an input: fairseq positions skip them (create_position_ids_from_input_ids).
        pad, body = cfg.pad_token_id, batch[2]
        ids = [pad, pad] + body[:3] + [pad] + body[3:]
        embed, _, _ = capture_encoder(model, ids)
        extra["padded_input"] = dict(source_ids=ids, embeddings=rounded(embed))

    goldens = dict(
        generator="Tests/Generator/gen_models.py",
        versions=dict(python=platform.python_version(), torch=torch.__version__,
                      transformers=transformers.__version__, numpy=np.__version__),
        model_type=model.config.model_type,
        natural_max_new_tokens=30,
        fixed_new_tokens=6,
        inputs=inputs,
        batched_greedy=batched,
        **extra,
    )
    with open(os.path.join(folder, "goldens.json"), "w") as f:
        json.dump(goldens, f, separators=(",", ":"))
    sizes = sum(os.path.getsize(os.path.join(folder, x)) for x in os.listdir(folder))
    ends = sum(1 for i in inputs if i["greedy"] and i["greedy"][-1] in eos_ids)
    print(f"{name}: {sizes / 1024:.0f} KiB, {ends}/{len(inputs)} end with EOS, "
          f"min margin {min(i['greedy_min_margin'] for i in inputs):.3g}", file=sys.stderr)


def relative_buckets():
    """torch's T5 buckets for relative positions -3·max_distance..3·max_distance (both directions)."""
    cases = []
    for buckets, max_distance in BUCKET_CONFIGS:
        span = 3 * max_distance
        relative = torch.arange(-span, span + 1)
        for bidirectional in (True, False):
            got = T5Attention._relative_position_bucket(relative, bidirectional=bidirectional, num_buckets=buckets,
                                                        max_distance=max_distance)
            cases.append(dict(num_buckets=buckets, max_distance=max_distance, bidirectional=bidirectional,
                              first=-span, buckets=[int(x) for x in got]))
    out = dict(generator="Tests/Generator/gen_models.py",
               versions=dict(python=platform.python_version(), torch=torch.__version__,
                             transformers=transformers.__version__),
               cases=cases)
    with open(os.path.join(ROOT, "relative-buckets.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))


def main():
    only = set(sys.argv[1:])
    torch.set_num_threads(1)
    for v in VARIANTS:
        if not only or v["name"] in only:
            build(v)
    if not only or "relative-buckets" in only:
        relative_buckets()


if __name__ == "__main__":
    main()
