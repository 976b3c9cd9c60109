"""Python arguments are checked before they reach C: no silent int32 wrap-around, no float counts,
no non-text translated as NUL strings, no library of another ABI."""
import pytest

import lmcore
from conftest import FIXTURES, goldens

MODEL = FIXTURES / "models" / "marian-swish-tied"


@pytest.fixture(scope="module")
def model():
    with lmcore.Model(MODEL) as m:
        yield m


def test_abi_version_is_checked():
    assert lmcore.abi_version() == lmcore.ABI_VERSION


@pytest.mark.parametrize("name,value,error", [
    ("max_new_tokens", 2**32 + 3, ValueError),   # was silently 3
    ("beam_size", 2**32 + 1, ValueError),        # was silently greedy
    ("beam_size", 2**31, ValueError),            # was a negative number in the error
    ("beam_size", 2.7, TypeError),               # was 2
    ("beam_size", True, TypeError),
    ("beam_size", "4", TypeError),
    ("num_return_sequences", -1, ValueError),    # -1 means "unset" in C
    ("top_k", -5, ValueError),
    ("seed", 2**63, ValueError),
    ("temperature", "hot", TypeError),
    ("length_penalty", True, TypeError),
])
def test_bad_options_raise_naming_the_option(model, name, value, error):
    source = goldens("marian-swish-tied")["inputs"][0]["source_ids"]
    with pytest.raises(error, match=name):
        model.generate_ids([source], **{name: value})


def test_numpy_integers_are_integers(model):
    np = pytest.importorskip("numpy")
    source = goldens("marian-swish-tied")["inputs"][0]["source_ids"]
    a = model.generate_ids([source], max_new_tokens=np.int64(3), beam_size=np.int32(2))
    b = model.generate_ids([source], max_new_tokens=3, beam_size=2)
    assert [h.ids for h in a[0]] == [h.ids for h in b[0]]


def test_ids_beyond_int32_raise(model):
    source = goldens("marian-swish-tied")["inputs"][0]["source_ids"]
    with pytest.raises(ValueError, match="input 0 id 1"):
        model.generate_ids([[source[0], 2**32 + source[1]]], max_new_tokens=2)
    with pytest.raises(TypeError, match="input 0 id 0"):
        model.generate_ids([[1.5]], max_new_tokens=2)


def test_non_text_is_a_type_error():
    with lmcore.Model(FIXTURES / "models" / "bart-gelu-tied") as m:
        tokenizer = lmcore.Tokenizer(FIXTURES / "tokenizers" / "gpt2" / "tokenizer.json") \
            if (FIXTURES / "tokenizers" / "gpt2" / "tokenizer.json").exists() else None
        with pytest.raises(TypeError, match="input 0"):
            m.translate([1, 2])
        if tokenizer is not None:
            with pytest.raises(ValueError, match="id 0"):
                tokenizer.decode([101 + 2**32])   # was decode([101])
            with pytest.raises(TypeError, match="text"):
                tokenizer.encode(5)


def test_threads_are_checked():
    with pytest.raises(ValueError, match="threads"):
        lmcore.Model(MODEL, threads=2**32)


@pytest.mark.parametrize("options", [dict(top_p=2.0), dict(top_p=-0.1), dict(temperature=0.0), dict(temperature=-1.0),
                                     dict(repetition_penalty=0.0), dict(length_penalty=float("inf")),
                                     dict(max_batch_size=0), dict(batch_type="lines"), dict(early_stopping="sometimes")])
def test_out_of_range_options_are_value_errors(options):
    with lmcore.Model(FIXTURES / "models" / "marian-swish-tied") as model:
        with pytest.raises(ValueError):
            model.generate_ids([[5, 6, 0]], **options)


@pytest.mark.parametrize("options", [dict(top_p="0.5"), dict(target_lang=5), dict(suppress_tokens=[1.5]),
                                     dict(bad_words_ids=[["a"]]), dict(forced_bos_token_id=True), dict(max_input_length=2.0)])
def test_wrong_option_types_are_type_errors(options):
    with lmcore.Model(FIXTURES / "models" / "marian-swish-tied") as model:
        with pytest.raises(TypeError):
            model.generate_ids([[5, 6, 0]], **options)
