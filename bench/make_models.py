"""Random-weight benchmark checkpoints in Hugging Face layout, plus their CTranslate2 conversions.

    /opt/lmcore-ref/bin/python bench/make_models.py            # every model
    /opt/lmcore-ref/bin/python bench/make_models.py opus-mt-en-de --force

Writes bench/work/<name>/ (config.json, model.safetensors, generation_config.json, tokenizer.json,
tokenizer_config.json) and bench/work/<name>-ct2/ (CTranslate2, float32). Shapes copy real
checkpoints; the weights are random (seeded), so no download is needed and speed is what a real
model of that shape gets (decoding does the same work whatever the values: the benchmark fixes the
number of generated tokens).

Weight scale: init_std 0.05, 2.5x transformers' default 0.02. Timing does not depend on it; the
greedy-ids check against transformers does. Larger weights give sharper next-token distributions,
so the gap between the best and second-best logit is wide compared to float32 rounding and a
different (equally correct) summation order in another BLAS does not flip an argmax. Activations
stay well in range (post-LN Marian renormalises every sublayer).

To add a model: write a builder returning (model, tokenizer, generation_config) and add a
ModelSpec to MODELS.
"""
import argparse
import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import torch
import transformers
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import GenerationConfig, PreTrainedTokenizerFast

WORK = Path(__file__).resolve().parent / "work"
ROOT = WORK.parent.parent
INIT_STD = 0.05


@dataclass
class ModelSpec:
    name: str
    description: str
    build: Callable[["ModelSpec"], tuple]
    config: dict = field(default_factory=dict)
    # Dtype of the CTranslate2 conversion (None: no conversion).
    ct2_quantization: str | None = "float32"
    # Called with the output folder after save_pretrained (checkpoint quirks save_pretrained cannot write).
    finish: Callable[["ModelSpec", Path], None] | None = None


def word_level_tokenizer(vocab_size, specials, **special_roles):
    """A WordLevel tokenizer over `vocab_size` ids: `specials` maps id -> special token string, every
    other id i is the word "t<i>". Enough for CTranslate2's converter (it reads the vocabulary) and
    for decoding ids back to text."""
    vocab = {f"t{i}": i for i in range(vocab_size) if i not in specials}
    vocab.update({token: i for i, token in specials.items()})
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token=special_roles.get("unk_token")))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return PreTrainedTokenizerFast(tokenizer_object=tok, **special_roles)


def build_marian(spec):
    c = spec.config
    config = transformers.MarianConfig(**c, init_std=INIT_STD)
    torch.manual_seed(c.get("seed", 0))
    model = transformers.MarianMTModel(config).eval()
    pad, eos, unk = config.pad_token_id, config.eos_token_id, 1
    tokenizer = word_level_tokenizer(config.vocab_size, {eos: "</s>", unk: "<unk>", pad: "<pad>"},
                                     eos_token="</s>", unk_token="<unk>", pad_token="<pad>")
    generation = GenerationConfig(
        # As Helsinki-NLP's generation_config.json, except num_beams (the benchmark passes it anyway).
        bad_words_ids=[[pad]], decoder_start_token_id=pad, eos_token_id=eos, forced_eos_token_id=eos,
        pad_token_id=pad, max_length=512, num_beams=1, renormalize_logits=False)
    return model, tokenizer, generation


def build_t5(spec):
    c = dict(spec.config)
    untied = c.pop("untied_lm_head", False)
    seed = c.pop("seed", 0)
    config = transformers.T5Config(**c)
    torch.manual_seed(seed)
    model = transformers.T5ForConditionalGeneration(config).eval()
    if untied:
        # transformers 5.x ties T5's lm_head to `shared` whatever the config says (T5Config forces
        # tie_word_embeddings = True), so the model built here is tied; finish_untied_t5 writes
        # the separate lm_head.weight into the file afterwards.
        assert model.lm_head.weight.data_ptr() == model.shared.weight.data_ptr()
    pad, eos, unk = config.pad_token_id, config.eos_token_id, 2
    tokenizer = word_level_tokenizer(config.vocab_size, {pad: "<pad>", eos: "</s>", unk: "<unk>"},
                                     eos_token="</s>", unk_token="<unk>", pad_token="<pad>")
    generation = GenerationConfig(decoder_start_token_id=pad, eos_token_id=eos, pad_token_id=pad)
    return model, tokenizer, generation


def finish_untied_t5(spec, out: Path):
    """Makes a T5 v1.1 / Flan-T5 style checkpoint really untied: a separate random lm_head.weight in
    model.safetensors and tie_word_embeddings = scale_decoder_outputs = false in config.json.

    transformers 5.x saves tied weights once and ties T5's lm_head unless the file has its own
    lm_head.weight with different values (then it warns and leaves them apart) and config.json says
    tie_word_embeddings: false (which also turns off the d_model^-0.5 output scaling). The head is
    drawn as transformers' _init_weights draws an untied T5 lm_head: normal(0, initializer_factor)."""
    from safetensors.torch import load_file, save_file
    path = out / "model.safetensors"
    tensors = load_file(path)
    shared = tensors["shared.weight"]
    g = torch.Generator().manual_seed(spec.config.get("seed", 0) + 1)
    factor = spec.config.get("initializer_factor", 1.0)
    tensors["lm_head.weight"] = torch.normal(0.0, factor, shared.shape, generator=g).to(shared.dtype)
    save_file(tensors, path, metadata={"format": "pt"})
    cfg_path = out / "config.json"
    cfg = json.loads(cfg_path.read_text())
    cfg["tie_word_embeddings"] = False
    cfg["scale_decoder_outputs"] = False
    cfg_path.write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
    # Check that transformers now loads it untied and unscaled, with our head.
    m = transformers.T5ForConditionalGeneration.from_pretrained(out)
    assert m.lm_head.weight.data_ptr() != m.shared.weight.data_ptr(), "lm_head still tied"
    assert torch.equal(m.lm_head.weight, tensors["lm_head.weight"]), "lm_head not loaded from the file"
    assert torch.equal(m.shared.weight, shared)
    assert not m.config.scale_decoder_outputs, "decoder outputs still scaled"


T5_SHAPE = dict(d_kv=64, vocab_size=32128, relative_attention_num_buckets=32, relative_attention_max_distance=128,
                layer_norm_epsilon=1e-6, pad_token_id=0, eos_token_id=1, decoder_start_token_id=0,
                architectures=["T5ForConditionalGeneration"])

MODELS = {
    m.name: m for m in [
        ModelSpec(
            name="opus-mt-en-de",
            description="Helsinki-NLP/opus-mt-en-de shape: Marian, d 512, 6+6 layers, 8 heads, ffn 2048, "
                        "vocab 58101, swish, scaled tied embeddings, static sinusoidal positions",
            build=build_marian,
            config=dict(
                vocab_size=58101, decoder_vocab_size=58101, d_model=512,
                encoder_layers=6, decoder_layers=6, encoder_attention_heads=8, decoder_attention_heads=8,
                encoder_ffn_dim=2048, decoder_ffn_dim=2048, activation_function="swish",
                max_position_embeddings=512, scale_embedding=True, share_encoder_decoder_embeddings=True,
                tie_word_embeddings=True, pad_token_id=58100, decoder_start_token_id=58100,
                eos_token_id=0, forced_eos_token_id=0,
                architectures=["MarianMTModel"]),
        ),
        ModelSpec(
            name="t5-small",
            description="google-t5/t5-small shape: T5, d 512, 6+6 layers, 8 heads, d_kv 64, d_ff 2048, relu, "
                        "vocab 32128, tied embeddings (decoder output scaled by d_model^-0.5)",
            build=build_t5,
            # initializer_factor 2 (transformers' default 1): sharper next-token distributions, for
            # the same reason as INIT_STD above (the tied head's logits have std ~ factor^2).
            config=dict(T5_SHAPE, d_model=512, num_layers=6, num_decoder_layers=6, num_heads=8, d_ff=2048,
                        feed_forward_proj="relu", tie_word_embeddings=True, initializer_factor=2.0),
        ),
        ModelSpec(
            name="flan-t5-small",
            description="google/flan-t5-small shape: T5 v1.1, d 512, 8+8 layers, 6 heads, d_kv 64, d_ff 1024, "
                        "gated-gelu, vocab 32128, untied lm_head (no output scaling)",
            build=build_t5,
            finish=finish_untied_t5,
            config=dict(T5_SHAPE, d_model=512, num_layers=8, num_decoder_layers=8, num_heads=6, d_ff=1024,
                        feed_forward_proj="gated-gelu", untied_lm_head=True, initializer_factor=1.0),
        ),
    ]
}


def _numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def convert_ct2(src: Path, dst: Path, quantization: str):
    import ctranslate2
    from ctranslate2.converters import transformers as ct2_transformers
    from ctranslate2.specs import model_spec

    # CTranslate2 4.8.5 scales T5's decoder output by d_model^-0.5 when config.tie_word_embeddings,
    # which transformers 5.x's T5Config always sets to True; the scaling is now in
    # config.scale_decoder_outputs. Without this patch an untied (v1.1 / Flan) model would be
    # converted with the scaling: same greedy argmax, different beam scores.
    original = ct2_transformers.T5Loader.get_model_spec
    if not getattr(original, "bench_patched", False):
        def get_model_spec(self, model):
            spec = original(self, model)
            if not getattr(model.config, "scale_decoder_outputs", True):
                spec.decoder.scale_outputs = model_spec.OPTIONAL
            return spec
        get_model_spec.bench_patched = True
        ct2_transformers.T5Loader.get_model_spec = get_model_spec
    converter = ctranslate2.converters.TransformersConverter(str(src))
    converter.convert(str(dst), quantization=quantization, force=True)


def make(spec: ModelSpec, force: bool):
    out = WORK / spec.name
    done = out / ".complete"
    if done.exists() and not force:
        print(f"{spec.name}: up to date ({out})")
    else:
        t0 = time.time()
        if out.exists():
            shutil.rmtree(out)
        model, tokenizer, generation = spec.build(spec)
        model.save_pretrained(out)
        tokenizer.save_pretrained(out)
        generation.save_pretrained(out)
        if spec.finish:
            spec.finish(spec, out)
        from safetensors import safe_open
        with safe_open(out / "model.safetensors", "pt") as f:
            stored = sum(_numel(f.get_slice(k).get_shape()) for k in f.keys())
        (out / "bench_model.json").write_text(json.dumps({
            "name": spec.name, "description": spec.description,
            "init": ({"initializer_factor": spec.config["initializer_factor"]} if "initializer_factor" in spec.config
                     else {"init_std": INIT_STD}),
            "parameters_stored": stored,
            "versions": {"torch": torch.__version__, "transformers": transformers.__version__},
        }, indent=2) + "\n")
        done.touch()
        print(f"{spec.name}: wrote {out} in {time.time() - t0:.1f} s")
    if spec.ct2_quantization:
        ct2 = WORK / f"{spec.name}-ct2"
        if (ct2 / "model.bin").exists() and not force:
            print(f"{spec.name}: CTranslate2 up to date ({ct2})")
        else:
            t0 = time.time()
            convert_ct2(out, ct2, spec.ct2_quantization)
            print(f"{spec.name}: wrote {ct2} ({spec.ct2_quantization}) in {time.time() - t0:.1f} s")
        # The int8 files each engine can load without quantizing (bench/load_memory.py).
        ct2_int8 = WORK / f"{spec.name}-ct2-int8"
        if force or not (ct2_int8 / "model.bin").exists():
            convert_ct2(out, ct2_int8, "int8")
            print(f"{spec.name}: wrote {ct2_int8} (int8)")
    cli = ROOT / ".build" / "release" / "lmcore-cli"
    lm_int8 = WORK / f"{spec.name}-int8"
    if cli.exists() and (force or not (lm_int8 / "model.safetensors").exists()):
        subprocess.run([str(cli), "convert", "--model", str(out), "--out", str(lm_int8), "--quantize", "int8",
                        "--force"], check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", help=f"models to make (default: all of {', '.join(MODELS)})")
    ap.add_argument("--force", action="store_true", help="rebuild even when present")
    args = ap.parse_args()
    for name in args.names or list(MODELS):
        if name not in MODELS:
            sys.exit(f"unknown model {name!r}; known: {', '.join(MODELS)}")
        make(MODELS[name], args.force)


if __name__ == "__main__":
    main()
