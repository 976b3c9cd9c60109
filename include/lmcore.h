/*
 * lmcore — an embeddable engine for encoder-decoder models (Marian/OPUS-MT, BART/mBART, T5,
 * M2M100, Pegasus, and GRU/LSTM rnn_seq2seq with Bahdanau/Luong attention) loaded from
 * Hugging Face-style model folders.
 *
 * Data flow: text -> tokenizer -> ids -> encoder (once) -> decoder with caches -> search
 *            (greedy / beam / sampling) -> ids -> text.
 *
 * CPU: the library is compiled for x86-64-v3 (AVX2, FMA, F16C, BMI1, BMI2, LZCNT, MOVBE; Intel
 * Haswell, AMD Excavator/Zen and later) and does not check the CPU itself: on an older CPU,
 * loading it or any call may stop the process with SIGILL. A host that may run on such a CPU
 * checks before loading it, e.g. GCC 12+ `__builtin_cpu_supports("x86-64-v3")` or the flags
 * avx2 fma f16c bmi1 bmi2 abm movbe of /proc/cpuinfo (the Python package does the latter and
 * raises ImportError). It needs libonig.so.5 and, opened at run time, libopenblas.so.0.
 *
 * Usage:
 *
 *     lmcore_model *model = NULL;
 *     lmcore_model_params mp = lmcore_model_default_params();
 *     if (lmcore_model_load("models/numbers-7lang", &mp, &model) != LMCORE_OK) {
 *         fprintf(stderr, "%s\n", lmcore_last_error());
 *         return 1;
 *     }
 *     const char *texts[] = {">>fr<< 4213"};
 *     lmcore_generation_params gp = lmcore_generation_default_params();
 *     gp.beam_size = 4;
 *     lmcore_result *result = NULL;
 *     if (lmcore_translate(model, texts, 1, &gp, &result) == LMCORE_OK) {
 *         printf("%s\n", lmcore_result_text(result, 0, 0));
 *     }
 *     lmcore_result_free(result);
 *     lmcore_model_free(model);
 *
 * Thread safety: a loaded lmcore_model (weights, tokenizer, defaults) is immutable; any number
 * of threads may call any function on the same model at the same time. Each call keeps its
 * own decoder state. An lmcore_result or lmcore_tokenizer may be read from several threads but
 * must be freed by one thread after all reads are done. lmcore_last_error() is per thread.
 * The OpenBLAS thread count is process-wide (the last lmcore_model_load sets it).
 *
 * Errors: every fallible function returns an lmcore_status; on failure, out-parameters are
 * left NULL/0 and lmcore_last_error() describes the problem. No function aborts the process on
 * bad input (files, text, ids or arguments). Counts past lmcore's limits (more than 2^28 inputs,
 * texts or ids in one call, more than 2^24 ids in one input: in practice a negative number
 * converted to size_t) are LMCORE_ERR_INVALID_ARGUMENT, checked before the arrays are read.
 *
 * Ownership: pointers passed in are borrowed for the duration of the call. Objects returned
 * through `**out` parameters are owned by the caller and released with the matching _free
 * function; every _free accepts NULL. Strings and arrays returned by getters are owned by
 * the object they were read from and stay valid until it is freed.
 */
#ifndef LMCORE_H
#define LMCORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LMCORE_VERSION_MAJOR 0
#define LMCORE_VERSION_MINOR 1
#define LMCORE_VERSION_PATCH 0
/* Bumped on any incompatible change of a declaration or struct layout in this header.
 * 3 (2026-12-07): every parameter struct starts with `struct_size`; generation params gained
 * target language, prefixes, token lists, truncation and batching fields. */
#define LMCORE_ABI_VERSION 3

/* Parameter structs (lmcore_model_params, lmcore_generation_params, lmcore_evaluation_params)
 * begin with `size_t struct_size`, which the matching *_default_params() sets to the size of the
 * struct the library knows. Start from the defaults and change fields; never zero-initialise a
 * params struct yourself. Fields are only ever appended: a caller built against an older header
 * passes its smaller struct_size and the library uses defaults for the fields it lacks; a
 * struct_size smaller than the ABI 3 struct or larger than the library's own is
 * LMCORE_ERR_INVALID_ARGUMENT. */

#if defined(__GNUC__) || defined(__clang__)
#define LMCORE_DEPRECATED(message) __attribute__((deprecated(message)))
#else
#define LMCORE_DEPRECATED(message)
#endif

/* Marks the library's exported functions. liblmcore.so's version script (Sources/LMCoreC/exports.map)
 * exports exactly these and nothing else; the attribute also keeps them visible for a consumer that
 * builds with -fvisibility=hidden or links lmcore statically into its own shared library. */
#ifndef LMCORE_API
#if defined(__GNUC__) || defined(__clang__)
#define LMCORE_API __attribute__((visibility("default")))
#else
#define LMCORE_API
#endif
#endif

/* ---------------------------------------------------------------- status and version */

typedef enum lmcore_status {
    LMCORE_OK = 0,
    LMCORE_ERR_INVALID_ARGUMENT = 1, /* NULL where an object is required, ids out of range, ... */
    LMCORE_ERR_IO = 2,               /* a file or folder cannot be read */
    LMCORE_ERR_FORMAT = 3,           /* a file is malformed */
    LMCORE_ERR_UNSUPPORTED = 4,      /* well-formed, but asks for something lmcore does not do */
    LMCORE_ERR_OUT_OF_MEMORY = 5,
    LMCORE_ERR_BUFFER_TOO_SMALL = 6, /* a caller buffer is too small; the size out-param says how much */
    LMCORE_ERR_CANCELLED = 7,        /* a callback asked to stop */
    LMCORE_ERR_INTERNAL = 8          /* a bug in lmcore: please report it with lmcore_last_error() */
} lmcore_status;

/* The library version, "MAJOR.MINOR.PATCH". Static storage. */
LMCORE_API const char *lmcore_version(void);

/* The ABI version the library was built with (LMCORE_ABI_VERSION of its header). */
LMCORE_API int32_t lmcore_abi_version(void);

/* A static, human-readable name for a status ("LMCORE_ERR_IO"); "unknown" for other values. */
LMCORE_API const char *lmcore_status_name(lmcore_status status);

/* The message of the last failing call on this thread, or "" if none failed. Owned by the
 * library; valid until the next failing lmcore call on the same thread (so copy it before
 * making another call if you need it later). */
LMCORE_API const char *lmcore_last_error(void);

/* ---------------------------------------------------------------- logging */

/* Diagnostics for whoever runs the host program: fallbacks that cost speed (OpenBLAS missing, a
 * compute type this CPU cannot run), what a load chose (info), per-call details (debug). */
typedef enum lmcore_log_level {
    LMCORE_LOG_OFF = 0,
    LMCORE_LOG_ERROR = 1,
    LMCORE_LOG_WARNING = 2,
    LMCORE_LOG_INFO = 3,
    LMCORE_LOG_DEBUG = 4
} lmcore_log_level;

/* Receives one message (UTF-8, NUL-terminated, no newline; valid during the call). Called on
 * whichever thread lmcore is running; must not call lmcore functions. */
typedef void (*lmcore_log_callback)(int32_t level, const char *message, void *user_data);

/* Routes messages at or below `level` to `callback` (NULL: to stderr as "lmcore: warning: ...",
 * the default). `level` -1 keeps the current level: the environment variable LMCORE_LOG (off,
 * error, warning, info, debug) read at the first message, else LMCORE_LOG_WARNING. Process-wide,
 * thread-safe. LMCORE_ERR_INVALID_ARGUMENT for a level outside -1..4. */
LMCORE_API lmcore_status lmcore_set_log_callback(lmcore_log_callback callback, void *user_data, int32_t level);

/* ---------------------------------------------------------------- models */

typedef struct lmcore_model lmcore_model;

typedef struct lmcore_model_params {
    size_t struct_size; /* sizeof(lmcore_model_params), set by lmcore_model_default_params() */
    /* Threads used by one call (attention, GEMMs). 0 = all available cores. */
    int32_t threads;
    /* 1: also load the folder's tokenizer if it has one (tokenizer.json, source.spm/target.spm
     * + vocab.json, spiece.model). 0: ids only. */
    int32_t load_tokenizer;
    /* How the weights are stored and multiplied. NULL or "float32" (default); "float16" (decoder
     * weights in half precision: half the bytes per decoding step, float32 arithmetic);
     * "int8_float32" (decoder weights in int8 with a float32 scale per output feature: a quarter of
     * the bytes, float32 arithmetic); "int8" (encoder and decoder weights in int8 times activations
     * quantized to int8 per row at each product, int32 sums, as CTranslate2's int8; needs AVX-512
     * VNNI, and loads as int8_float32 elsewhere); "auto" (lmcore's choice for this CPU: int8 with
     * AVX-512 VNNI, else int8_float32 where the packed kernels run, else float32). Any other value
     * is LMCORE_INVALID_ARGUMENT. Added in ABI version 2 ("int8" accepted since 2026-12-07: a new
     * value of the same field, so the ABI version is unchanged). */
    const char *compute_type;
} lmcore_model_params;

/* Defaults: threads 0, load_tokenizer 1, compute_type NULL (float32). */
LMCORE_API lmcore_model_params lmcore_model_default_params(void);
/* The same, for FFIs that cannot receive structs by value. `params` must not be NULL. */
LMCORE_API void lmcore_model_default_params_by_ref(lmcore_model_params *params);

/* Loads a Hugging Face model folder: config.json, model.safetensors (or sharded, or
 * pytorch_model.bin, or model.npz), optional generation_config.json and tokenizer files. `params` may be NULL
 * (defaults). On success *out_model owns the model; release it with lmcore_model_free. */
LMCORE_API lmcore_status lmcore_model_load(const char *path, const lmcore_model_params *params, lmcore_model **out_model);

/* Releases a model. NULL is allowed. No call may be running on the model. */
LMCORE_API void lmcore_model_free(lmcore_model *model);

typedef struct lmcore_model_info {
    const char *model_type; /* "marian", "bart", ..., "rnn_seq2seq"; owned by the model */
    int32_t d_model;        /* the width of an encoder output row (lmcore_encode); for rnn_seq2seq
                             * directions x hidden_size. Heads are 0 for rnn_seq2seq. */
    int32_t encoder_layers;
    int32_t decoder_layers;
    int32_t encoder_heads;
    int32_t decoder_heads;
    int32_t vocab_size;         /* rows of the encoder embedding */
    int32_t decoder_vocab_size; /* width of the logits */
    int64_t parameters;
    int32_t pad_token_id;
    int32_t eos_token_id;       /* the first EOS id */
    int32_t decoder_start_token_id;
    int32_t has_tokenizer;
    const char *compute_type;   /* in effect: "float32", "float16", "int8_float32" or "int8"; owned by
                                 * the model. float32 when a reduced type was asked for on a CPU without
                                 * the packed kernels (AVX2+FMA+F16C); int8_float32 for int8 without
                                 * AVX-512 VNNI. Added in ABI version 2. */
} lmcore_model_info;

/* Fills *info. */
LMCORE_API lmcore_status lmcore_model_get_info(const lmcore_model *model, lmcore_model_info *info);

/* ---------------------------------------------------------------- tokenizers */

typedef struct lmcore_tokenizer lmcore_tokenizer;

/* Loads a tokenizer alone: a tokenizer.json, a SentencePiece .model/.spm file, or a model
 * folder (files picked as transformers' AutoTokenizer would). Release with lmcore_tokenizer_free. */
LMCORE_API lmcore_status lmcore_tokenizer_load(const char *path, lmcore_tokenizer **out_tokenizer);

/* Releases a tokenizer from lmcore_tokenizer_load. NULL is allowed. */
LMCORE_API void lmcore_tokenizer_free(lmcore_tokenizer *tokenizer);

/* The model's own tokenizer, or NULL if the model has none. Borrowed: valid while the model
 * lives; do not free it. */
LMCORE_API const lmcore_tokenizer *lmcore_model_tokenizer(const lmcore_model *model);

/* Text to ids, as transformers' tokenizer(text)["input_ids"] (add_special_tokens 1) or with
 * add_special_tokens=False (0). `text` is NUL-terminated UTF-8; invalid bytes are replaced by
 * U+FFFD, as Python's errors="replace" does.
 * Two-call sizes: with ids == NULL, *n_ids receives the count and LMCORE_OK is returned; with a
 * buffer of `capacity` ids that is too small, *n_ids receives the count and
 * LMCORE_ERR_BUFFER_TOO_SMALL is returned. */
LMCORE_API lmcore_status lmcore_tokenize(const lmcore_tokenizer *tokenizer, const char *text, int32_t add_special_tokens,
                                         int32_t *ids, size_t capacity, size_t *n_ids);

/* Ids to text, as transformers' decode(ids, skip_special_tokens=...). Writes a NUL-terminated
 * string; *length receives its length without the NUL. Two-call sizes as lmcore_tokenize, where
 * `capacity` counts the NUL. Unknown ids are LMCORE_ERR_INVALID_ARGUMENT. */
LMCORE_API lmcore_status lmcore_detokenize(const lmcore_tokenizer *tokenizer, const int32_t *ids, size_t n_ids,
                                           int32_t skip_special_tokens, char *text, size_t capacity, size_t *length);

/* Number of ids the tokenizer can produce (vocabulary plus added tokens); 0 for NULL. */
LMCORE_API size_t lmcore_tokenizer_vocab_size(const lmcore_tokenizer *tokenizer);

/* The id of a token string (LMCORE_ERR_INVALID_ARGUMENT if it has none). */
LMCORE_API lmcore_status lmcore_tokenizer_token_to_id(const lmcore_tokenizer *tokenizer, const char *token, int32_t *id);

/* The token string of an id, NUL-terminated; two-call sizes as lmcore_detokenize. */
LMCORE_API lmcore_status lmcore_tokenizer_id_to_token(const lmcore_tokenizer *tokenizer, int32_t id, char *token,
                                                      size_t capacity, size_t *length);

/* ---------------------------------------------------------------- generation */

/* Called with tokens as they become final: input_index is the input the tokens belong to,
 * sequence its hypothesis (0 unless sampling several), tokens/n_tokens the new ids (owned by
 * lmcore, valid during the call). Return 1 to continue, 0 to stop: the call then fails with
 * LMCORE_ERR_CANCELLED. Called on the calling thread. */
typedef int32_t (*lmcore_token_callback)(size_t input_index, size_t sequence, const int32_t *tokens,
                                         size_t n_tokens, void *user_data);

/* Called by lmcore_translate with text as it becomes final: `text`/`length` (UTF-8, not
 * NUL-terminated, owned by lmcore, valid during the call) is to be appended to what input
 * `input_index`, sequence `sequence` has streamed so far. Pieces end at a space, a newline or a CJK
 * character (transformers' TextStreamer rules); the rest of an input comes when its batch finishes.
 * With beam search, text comes as every hypothesis that can still win agrees on it. A forced
 * target prefix is not streamed. Return 1 to continue, 0 to stop (LMCORE_ERR_CANCELLED). */
typedef int32_t (*lmcore_text_callback)(size_t input_index, size_t sequence, const char *text, size_t length,
                                        void *user_data);

/* Search options. Every field left at its default value (-1 for integers, NaN for floats, as
 * lmcore_generation_default_params() returns) takes the model's generation_config.json value,
 * as transformers' generate() does. */
typedef struct lmcore_generation_params {
    size_t struct_size;            /* sizeof(lmcore_generation_params), set by the defaults */
    int32_t max_new_tokens;        /* tokens after the decoder start token (and prefix) */
    int32_t min_new_tokens;        /* EOS is blocked before this many new tokens */
    int32_t max_length;            /* total decoder length including the start token */
    int32_t min_length;
    int32_t beam_size;             /* num_beams; 1 = greedy; at most 4096 */
    int32_t num_return_sequences;  /* hypotheses per input (<= beam_size for beam search; at most 4096) */
    float length_penalty;          /* beam scores divided by length^length_penalty */
    int32_t early_stopping;        /* 0 false, 1 true, 2 "never" */
    float repetition_penalty;
    int32_t no_repeat_ngram_size;
    int32_t encoder_no_repeat_ngram_size;
    int32_t do_sample;             /* 1: sample (with temperature/top_k/top_p), 0: search */
    float temperature;
    int32_t top_k;
    float top_p;
    int64_t seed;                  /* sampling seed; -1: a fresh seed per call */
    int32_t return_scores;         /* 1: per-token log-probs and greedy/sample sequence scores */
    lmcore_token_callback callback; /* NULL: no streaming */
    void *callback_user_data;
    /* ABI 3. Target language (NULL: none): a code resolved through the model's tokenizer, as
     * transformers' tgt_lang. M2M100/NLLB ("fr" -> "__fr__", or "fra_Latn" as written) and
     * mBART-50 ("fr_XX") force the language token as the first generated token; multilingual
     * Marian (and any model whose tokenizer has ">>fr<<", like models/numbers-7lang-gru) puts
     * ">>fr<<" before the source. LMCORE_ERR_INVALID_ARGUMENT if the tokenizer has no
     * such token, LMCORE_ERR_UNSUPPORTED for models without language tokens. Needs a tokenizer. */
    const char *target_lang;
    /* Decoder ids forced after the start token (CTranslate2's target_prefix): NULL, or an array of
     * n_target_prefixes arrays; target_prefixes[i] has target_prefix_lengths[i] ids. n 1: the same
     * prefix for every input; else n must equal the number of inputs. Hypotheses include them. */
    const int32_t *const *target_prefixes;
    const size_t *target_prefix_lengths;
    size_t n_target_prefixes;
    const int32_t *suppress_tokens;        /* never generated (NULL: the model's default) */
    size_t n_suppress_tokens;
    const int32_t *begin_suppress_tokens;  /* not generated as the first new token */
    size_t n_begin_suppress_tokens;
    /* Id sequences never generated (bad_words_ids): n_bad_words arrays of bad_words_lengths[i] ids. */
    const int32_t *const *bad_words_ids;
    const size_t *bad_words_lengths;
    size_t n_bad_words;
    int32_t forced_bos_token_id;   /* -1: the model's default */
    int32_t forced_eos_token_id;   /* -1: the model's default */
    /* Source truncation. -1 (default): text (lmcore_translate) is cut at the model's position
     * limit, keeping the tokenizer's special tokens, as transformers' truncation=True; ids are
     * not cut. 0: never (a too long input is an error). N > 0: sources longer than N tokens are cut
     * to N (text: special tokens kept; ids: the first N). */
    int32_t max_input_length;
    /* Batching inside one call: inputs are sorted by length and cut into batches of at most
     * max_batch_size inputs (batch_type 0) or source tokens (batch_type 1; a longer input is a
     * batch alone). Results keep input order and do not depend on batching. -1: 32 inputs. */
    int32_t max_batch_size;
    int32_t batch_type;
    lmcore_text_callback text_callback; /* lmcore_translate only; NULL: none */
    void *text_callback_user_data;
} lmcore_generation_params;

LMCORE_API lmcore_generation_params lmcore_generation_default_params(void);
LMCORE_API void lmcore_generation_default_params_by_ref(lmcore_generation_params *params);

typedef struct lmcore_result lmcore_result;

/* Generates from ids. inputs[i] points to lengths[i] source ids (exactly the encoder input:
 * nothing is added). `params` may be NULL. On success *out_result holds n_inputs entries with
 * their hypotheses, best first. */
LMCORE_API lmcore_status lmcore_generate(const lmcore_model *model, const int32_t *const *inputs, const size_t *lengths,
                                         size_t n_inputs, const lmcore_generation_params *params,
                                         lmcore_result **out_result);

/* Text to text with the model's tokenizer: each text is tokenized (special tokens added),
 * generated from, and the hypotheses decoded with special tokens skipped. The result also
 * holds the ids. Fails with LMCORE_ERR_INVALID_ARGUMENT if the model has no tokenizer. */
LMCORE_API lmcore_status lmcore_translate(const lmcore_model *model, const char *const *texts, size_t n_texts,
                                          const lmcore_generation_params *params, lmcore_result **out_result);

/* Teacher-forced scoring (like CTranslate2's score_batch): log p(targets[i] | sources[i]).
 * Targets are the decoder ids after the start token; include EOS to score it. The result has
 * one hypothesis per input: its ids are the target, its score the total log-probability, its
 * token scores the per-token log-probabilities. */
LMCORE_API lmcore_status lmcore_score(const lmcore_model *model, const int32_t *const *sources, const size_t *source_lengths,
                                      const int32_t *const *targets, const size_t *target_lengths, size_t n_pairs,
                                      lmcore_result **out_result);

/* lmcore_score on text: sources through the tokenizer, targets through its target side (as
 * transformers' text_target=), both with special tokens. */
LMCORE_API lmcore_status lmcore_score_text(const lmcore_model *model, const char *const *sources, const char *const *targets,
                                           size_t n_pairs, lmcore_result **out_result);

/* ---------------------------------------------------------------- encoder */

/* Runs only the encoder. pooled 0: every input's per-token final hidden states, inputs one after
 * another (sum of lengths x d_model floats, row-major); pooled 1: one mean-pooled vector per
 * input (n_inputs x d_model floats). Two-call sizes as lmcore_tokenize, counted in floats. */
LMCORE_API lmcore_status lmcore_encode(const lmcore_model *model, const int32_t *const *inputs, const size_t *lengths,
                                       size_t n_inputs, int32_t pooled, float *output, size_t capacity, size_t *n_floats);

/* lmcore_encode on text (tokenized with special tokens). With pooled 0 use lmcore_tokenize to
 * learn each input's length. */
LMCORE_API lmcore_status lmcore_encode_text(const lmcore_model *model, const char *const *texts, size_t n_texts, int32_t pooled,
                                            float *output, size_t capacity, size_t *n_floats);

/* ---------------------------------------------------------------- results */

/* Number of inputs in the result. 0 for NULL. */
LMCORE_API size_t lmcore_result_count(const lmcore_result *result);
/* Number of hypotheses of input i (0 if i is out of range or result is NULL). */
LMCORE_API size_t lmcore_result_hypothesis_count(const lmcore_result *result, size_t i);
/* The ids of hypothesis j of input i: the tokens after the decoder start token, up to and
 * including EOS. *ids is owned by the result. */
LMCORE_API lmcore_status lmcore_result_ids(const lmcore_result *result, size_t i, size_t j, const int32_t **ids,
                                           size_t *n_ids);
/* The score of hypothesis j of input i (beam search: transformers' sequences_scores; greedy and
 * sampling with return_scores: the sum of token log-probs; otherwise NaN). */
LMCORE_API lmcore_status lmcore_result_score(const lmcore_result *result, size_t i, size_t j, float *score);
/* The text of hypothesis j of input i (from lmcore_translate), owned by the result; NULL when
 * the result has no text (lmcore_generate, lmcore_score) or the indices are out of range. */
LMCORE_API const char *lmcore_result_text(const lmcore_result *result, size_t i, size_t j);
/* Per-token log-probabilities of hypothesis j of input i (generation with return_scores, or
 * scoring); *n_scores is 0 when there are none. *scores is owned by the result. */
LMCORE_API lmcore_status lmcore_result_token_scores(const lmcore_result *result, size_t i, size_t j, const float **scores,
                                                    size_t *n_scores);
/* Releases a result. NULL is allowed. */
LMCORE_API void lmcore_result_free(lmcore_result *result);

/* ---------------------------------------------------------------- evaluation */

/* Corpus and sentence scores of hypotheses against references, as sacrebleu 2.6.0 computes
 * BLEU, chrF, chrF++ and TER and rouge-score 0.1.2 computes ROUGE-1/2/L/Lsum (0-100 scale;
 * the corpus ROUGE is the mean of sentence F-measures). No model is involved. */
typedef struct lmcore_evaluation lmcore_evaluation;

typedef struct lmcore_evaluation_params {
    size_t struct_size;        /* sizeof(lmcore_evaluation_params), set by the defaults */
    /* Comma-separated metric names: "bleu", "chrf", "chrf++", "ter", "rouge1", "rouge2",
     * "rougeL", "rougeLsum". NULL: "bleu,chrf,ter". */
    const char *metrics;
    /* BLEU's tokenizer: "13a" (NULL), "intl", "zh", "char", "none". */
    const char *tokenize;
    int32_t lowercase;         /* BLEU on lowercased text (0), as sacrebleu's --lowercase */
    int32_t chrf_lowercase;    /* chrF and chrF++ on lowercased text (0), as --chrf-lowercase */
    int32_t stem;              /* ROUGE with rouge-score's Porter stemmer (0) */
    int32_t sentence_scores;   /* also compute one score per hypothesis and metric (0); sentence
                                * BLEU uses effective order, as sacrebleu's sentence_bleu */
    int32_t bootstrap_samples; /* > 1: a 95% bootstrap interval of each corpus score (0) */
    uint64_t seed;             /* of the bootstrap resampling (12345) */
} lmcore_evaluation_params;

LMCORE_API lmcore_evaluation_params lmcore_evaluation_default_params(void);
LMCORE_API void lmcore_evaluation_default_params_by_ref(lmcore_evaluation_params *params);

/* Scores n_hypotheses hypotheses against n_reference_sets references each: reference k of
 * hypothesis i is references[k * n_hypotheses + i] (one stream per reference set, as
 * sacrebleu's -r files). Texts are UTF-8 (invalid bytes read as U+FFFD); empty strings are
 * allowed. params NULL: the defaults. On success *out is a new evaluation. */
LMCORE_API lmcore_status lmcore_evaluate(const char *const *hypotheses, size_t n_hypotheses, const char *const *references,
                                         size_t n_reference_sets, const lmcore_evaluation_params *params,
                                         lmcore_evaluation **out);
/* Number of metrics in the evaluation (0 for NULL). */
LMCORE_API size_t lmcore_evaluation_metric_count(const lmcore_evaluation *evaluation);
/* Metric m's name as in params.metrics ("bleu"), owned by the evaluation; NULL if out of range. */
LMCORE_API const char *lmcore_evaluation_metric_name(const lmcore_evaluation *evaluation, size_t m);
/* Metric m's corpus score. */
LMCORE_API lmcore_status lmcore_evaluation_score(const lmcore_evaluation *evaluation, size_t m, double *score);
/* Metric m's sacrebleu signature ("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0"),
 * owned by the evaluation; NULL if out of range. */
LMCORE_API const char *lmcore_evaluation_signature(const lmcore_evaluation *evaluation, size_t m);
/* Metric m's score line as sacrebleu prints it ("BLEU|nrefs:1|...= 34.52 65.2/40.1/... (BP = ...)"),
 * owned by the evaluation; NULL if out of range. */
LMCORE_API const char *lmcore_evaluation_line(const lmcore_evaluation *evaluation, size_t m);
/* Metric m's bootstrap mean and 95% half-width (NaN without bootstrap_samples). */
LMCORE_API lmcore_status lmcore_evaluation_interval(const lmcore_evaluation *evaluation, size_t m, double *mean,
                                                    double *half_width);
/* Hypothesis i's score for metric m (params.sentence_scores must have been set). */
LMCORE_API lmcore_status lmcore_evaluation_sentence_score(const lmcore_evaluation *evaluation, size_t m, size_t i,
                                                          double *score);
/* Releases an evaluation. NULL is allowed. */
LMCORE_API void lmcore_evaluation_free(lmcore_evaluation *evaluation);

#ifdef __cplusplus
}
#endif

#endif /* LMCORE_H */
