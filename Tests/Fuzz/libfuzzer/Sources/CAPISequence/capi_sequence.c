/* libFuzzer harness for call sequences on the C ABI (include/lmcore.h), the way a C or ctypes
 * caller reaches lmcore: the fuzzer's bytes are read as a program of up to 24 calls (tokenize,
 * detokenize, token <-> id, translate, generate, score, encode, result getters and frees,
 * evaluate, info, logging), each with fuzzed arguments: NULLs where the header allows or forbids
 * them, sizes and capacities that are too small, zero or huge, hostile generation parameters
 * (beams, lengths, NaN/inf floats, prefixes, suppressed and bad-word ids, callbacks that stop the
 * call, smaller or larger struct_size), invalid UTF-8 text. Every pointer the harness passes is
 * valid for the length it states (lying about a buffer is the caller's bug, not lmcore's): caller
 * buffers are allocated at exactly the stated capacity, so an overrun is an ASan report.
 *
 * Checked after every call (abort = finding): the status is a documented one and not
 * LMCORE_ERR_INTERNAL; a failure has a non-empty lmcore_last_error() and leaves out-handles NULL;
 * LMCORE_ERR_BUFFER_TOO_SMALL reports a size above the capacity given; a success reports counts
 * within the capacity, ids within the vocabulary, texts for translate results. Results and
 * evaluations live in slots across calls, so getters also run on freed-then-replaced handles'
 * successors and on handles of the other model. Exercised models: models/numbers-7lang
 * (Marian-style Transformer) and models/numbers-7lang-gru (rnn_seq2seq), loaded once.
 */
#include "capi_sequence.h"
#include "lmcore.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------------------------------------------------------------- reading the program */

typedef struct {
    const uint8_t *p;
    size_t n;
} stream;

static uint8_t u8(stream *s) {
    if (s->n == 0) return 0;
    s->n--;
    return *s->p++;
}

static uint32_t u32(stream *s) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= (uint32_t)u8(s) << (8 * i);
    return v;
}

/* Integers callers get wrong: signs, zero, one past limits, extremes. */
static int32_t edge_int(stream *s) {
    static const int32_t table[] = {-1, 0, 1, 2, 3, 4, 8, 16, 64, -2, 4096, 4097, 512, 513,
                                    INT32_MAX, INT32_MIN, 1000000000, -1000000000};
    uint8_t b = u8(s);
    if (b < 200) return table[b % (sizeof table / sizeof table[0])];
    return (int32_t)u32(s);
}

/* A count from 0 to max (one byte's worth). */
static size_t small_count(stream *s, size_t max) {
    return (size_t)(u8(s) % (max + 1));
}

static float edge_float(stream *s) {
    static const float table[] = {NAN, INFINITY, -INFINITY, 0.0f, -0.0f, -1.0f, 0.5f, 1.0f, 1.5f,
                                  2.0f, 1e30f, -1e30f, 1e-40f, 0.9f, 0.01f, 100.0f};
    uint8_t b = u8(s);
    if (b < 240) return table[b % (sizeof table / sizeof table[0])];
    uint32_t bits = u32(s);
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* Ids around the vocabulary of the model in use: valid, special, just past the end, negative. */
static int32_t fuzz_id(stream *s, int32_t vocab) {
    uint8_t b = u8(s);
    switch (b % 8) {
    case 0: return -1 - (int32_t)(u8(s) % 3);
    case 1: return vocab + (int32_t)(u8(s) % 3) - 1;
    case 2: return (int32_t)u32(s);
    default: return vocab > 0 ? (int32_t)(u32(s) % (uint32_t)vocab) : 0;
    }
}

/* Up to `max` bytes of text from the program, NUL-terminated, in a heap block of exactly its size. */
static char *fuzz_text(stream *s, size_t max) {
    static const char *const samples[] = {"12", "345 7", "", " ", "Hello, world!", "ünïcödé 東京 😀",
                                          "\xff\xfe invalid", "<s> </s> <pad> <unk>", ">>fr<< 9 8 7"};
    uint8_t b = u8(s);
    if (b < 64) {
        const char *t = samples[b % (sizeof samples / sizeof samples[0])];
        return strdup(t);
    }
    size_t len = small_count(s, max);
    if (len > s->n) len = s->n;
    char *t = malloc(len + 1);
    if (!t) abort();
    memcpy(t, s->p, len);
    t[len] = 0;
    for (size_t i = 0; i < len; i++) if (t[i] == 0) t[i] = ' ';  /* C strings end at the first NUL */
    s->p += len;
    s->n -= len;
    return t;
}

/* ---------------------------------------------------------------- checking the contract */

static const char *current_call = "";

static void finding(const char *what) {
    fprintf(stderr, "capi-sequence: %s: %s (last error: \"%s\")\n", current_call, what, lmcore_last_error());
    abort();
}

static lmcore_status checked(lmcore_status status) {
    if ((int)status < 0 || (int)status > LMCORE_ERR_INTERNAL) finding("undocumented status");
    if (status == LMCORE_ERR_INTERNAL) finding("LMCORE_ERR_INTERNAL (a bug in lmcore)");
    if (status != LMCORE_OK && lmcore_last_error()[0] == 0) finding("failed without a message");
    return status;
}

/* ---------------------------------------------------------------- state across calls */

enum { SLOTS = 3, MAX_INPUTS = 3, MAX_IDS = 24, MAX_TEXT = 96 };

static lmcore_model *models[2];
static int32_t vocab[2];
static const char *const model_dirs[2] = {"models/numbers-7lang", "models/numbers-7lang-gru"};
static lmcore_result *results[SLOTS];
static lmcore_evaluation *evaluations[SLOTS];
static int callback_calls, callback_stop_after;

static int32_t token_callback(size_t input, size_t sequence, const int32_t *tokens, size_t n, void *user) {
    (void)input; (void)sequence; (void)user;
    if (n > 0 && !tokens) finding("token callback got NULL tokens");
    return ++callback_calls >= callback_stop_after ? 1 : 0;
}

static int32_t text_callback(size_t input, size_t sequence, const char *text, size_t length, void *user) {
    (void)input; (void)sequence; (void)user;
    if (length > 0 && !text) finding("text callback got NULL text");
    return ++callback_calls >= callback_stop_after ? 1 : 0;
}

static void log_callback(int32_t level, const char *message, void *user) {
    (void)level; (void)user;
    if (!message) finding("log callback got NULL");
}

/* Heap copies the generation parameters point into, released after the call. */
typedef struct {
    int32_t *arrays[16];  /* id rows: inputs, score targets, prefixes and bad words, MAX_INPUTS each */
    const int32_t *rows[MAX_INPUTS];
    size_t lengths[MAX_INPUTS];
    const int32_t *bad_rows[MAX_INPUTS];
    size_t bad_lengths[MAX_INPUTS];
    int32_t *suppress, *begin_suppress;
    char *target_lang;
    int used;
} param_storage;

static int32_t *fuzz_ids(stream *s, int32_t v, size_t *n, param_storage *keep) {
    *n = small_count(s, MAX_IDS);
    int32_t *ids = malloc((*n ? *n : 1) * sizeof *ids);
    if (!ids) abort();
    for (size_t i = 0; i < *n; i++) ids[i] = fuzz_id(s, v);
    if (keep) {
        if (keep->used == 16) abort();  /* more rows than any call makes: a harness bug */
        keep->arrays[keep->used++] = ids;
    }
    return ids;
}

static void release(param_storage *keep) {
    for (int i = 0; i < keep->used; i++) free(keep->arrays[i]);
    free(keep->suppress);
    free(keep->begin_suppress);
    free(keep->target_lang);
}

/* Generation parameters: the defaults, then fields the program chooses set to fuzzed values.
 * The block is larger than the struct so a larger struct_size (a newer caller) reads zeros. */
static lmcore_generation_params *fuzz_params(stream *s, int32_t v, size_t n_inputs, param_storage *keep) {
    static unsigned char block[sizeof(lmcore_generation_params) + 64];
    memset(block, 0, sizeof block);
    lmcore_generation_params *p = (lmcore_generation_params *)block;
    lmcore_generation_default_params_by_ref(p);
    uint32_t fields = u32(s);
    /* Bounded search effort, so one input stays well inside -timeout: the hostile values of
     * these fields are the ones lmcore must reject, the accepted ones stay small. */
    p->max_new_tokens = 8;
    if (fields & 1u << 0) { int32_t x = edge_int(s); p->max_new_tokens = (x >= 0 && x <= 64) || x < 0 || x > 100000 ? x : 64; }
    if (fields & 1u << 1) p->min_new_tokens = edge_int(s) % 16;
    if (fields & 1u << 2) { int32_t x = edge_int(s); p->max_length = x > 80 && x < 100000 ? 80 : x; }
    if (fields & 1u << 3) p->min_length = edge_int(s) % 16;
    if (fields & 1u << 4) { int32_t x = edge_int(s); p->beam_size = x > 6 && x <= 4096 ? 6 : x; }
    if (fields & 1u << 5) { int32_t x = edge_int(s); p->num_return_sequences = x > 6 && x <= 4096 ? 6 : x; }
    if (fields & 1u << 6) p->length_penalty = edge_float(s);
    if (fields & 1u << 7) p->early_stopping = edge_int(s);
    if (fields & 1u << 8) p->repetition_penalty = edge_float(s);
    if (fields & 1u << 9) p->no_repeat_ngram_size = edge_int(s);
    if (fields & 1u << 10) p->encoder_no_repeat_ngram_size = edge_int(s);
    if (fields & 1u << 11) p->do_sample = edge_int(s);
    if (fields & 1u << 12) p->temperature = edge_float(s);
    if (fields & 1u << 13) p->top_k = edge_int(s);
    if (fields & 1u << 14) p->top_p = edge_float(s);
    if (fields & 1u << 15) p->seed = (int64_t)u32(s) - 1;
    if (fields & 1u << 16) p->return_scores = edge_int(s);
    if (fields & 1u << 17) {
        p->callback = token_callback;
        callback_stop_after = 1 + u8(s) % 8;
    }
    if (fields & 1u << 18) {
        p->text_callback = text_callback;
        callback_stop_after = 1 + u8(s) % 8;
    }
    if (fields & 1u << 19) {
        static const char *const langs[] = {"fr", "de", "xx", "", "__fr__", ">>fr<<", "fr_XX"};
        uint8_t b = u8(s);
        keep->target_lang = b < 200 ? strdup(langs[b % 7]) : fuzz_text(s, 12);
        p->target_lang = keep->target_lang;
    }
    if (fields & 1u << 20) {
        size_t n = small_count(s, MAX_INPUTS);
        if (u8(s) & 1) n = n_inputs;
        for (size_t i = 0; i < n; i++) keep->rows[i] = fuzz_ids(s, v, &keep->lengths[i], keep);
        p->target_prefixes = n ? keep->rows : NULL;
        p->target_prefix_lengths = n ? keep->lengths : NULL;
        p->n_target_prefixes = n;
    }
    if (fields & 1u << 21) {
        size_t n;
        keep->suppress = fuzz_ids(s, v, &n, NULL);
        p->suppress_tokens = keep->suppress;
        p->n_suppress_tokens = n;
    }
    if (fields & 1u << 22) {
        size_t n;
        keep->begin_suppress = fuzz_ids(s, v, &n, NULL);
        p->begin_suppress_tokens = keep->begin_suppress;
        p->n_begin_suppress_tokens = n;
    }
    if (fields & 1u << 23) {
        size_t n = small_count(s, MAX_INPUTS);
        for (size_t i = 0; i < n; i++) keep->bad_rows[i] = fuzz_ids(s, v, &keep->bad_lengths[i], keep);
        p->bad_words_ids = n ? keep->bad_rows : NULL;
        p->bad_words_lengths = n ? keep->bad_lengths : NULL;
        p->n_bad_words = n;
    }
    if (fields & 1u << 24) p->forced_bos_token_id = fuzz_id(s, v);
    if (fields & 1u << 25) p->forced_eos_token_id = fuzz_id(s, v);
    if (fields & 1u << 26) p->max_input_length = edge_int(s);
    if (fields & 1u << 27) p->max_batch_size = edge_int(s);
    if (fields & 1u << 28) p->batch_type = edge_int(s);
    if (fields & 1u << 29) {
        static const size_t sizes[] = {0, 1, 8, offsetof(lmcore_generation_params, target_lang),
                                       offsetof(lmcore_generation_params, max_input_length),
                                       sizeof(lmcore_generation_params) + 8, sizeof(lmcore_generation_params) + 64};
        p->struct_size = sizes[u8(s) % 7];
    }
    callback_calls = 0;
    return p;
}

/* ---------------------------------------------------------------- the calls */

static void check_result(lmcore_result *r, int32_t v, int texts) {
    size_t n = lmcore_result_count(r);
    for (size_t i = 0; i < n; i++) {
        size_t h = lmcore_result_hypothesis_count(r, i);
        for (size_t j = 0; j < h; j++) {
            const int32_t *ids = NULL;
            size_t n_ids = 0;
            current_call = "lmcore_result_ids";
            if (checked(lmcore_result_ids(r, i, j, &ids, &n_ids)) != LMCORE_OK) finding("valid index refused");
            if (n_ids > 0 && !ids) finding("NULL ids");
            for (size_t k = 0; k < n_ids; k++)
                if (ids[k] < 0 || ids[k] >= v) finding("generated id outside the vocabulary");
            if (texts && !lmcore_result_text(r, i, j)) finding("translate result without text");
        }
    }
}

/* The inputs of one call, into the caller's arrays: n texts (`text`) or n id rows. With `nulls`,
 * some entries are NULL (a NULL text; a NULL row, allowed only with length 0). */
static size_t fuzz_inputs(stream *s, int32_t v, int text, int nulls, const int32_t **inputs, size_t *lengths,
                          char **texts, param_storage *keep) {
    size_t n = small_count(s, MAX_INPUTS);
    for (size_t i = 0; i < n; i++) {
        if (text) texts[i] = (!nulls || u8(s) % 16) ? fuzz_text(s, MAX_TEXT) : NULL;
        else inputs[i] = fuzz_ids(s, v, &lengths[i], keep);
        if (!text && nulls && u8(s) % 16 == 0) inputs[i] = NULL;
    }
    return n;
}

static void call_generate_family(stream *s, int which, int op) {
    lmcore_model *m = models[which];
    int32_t v = vocab[which];
    param_storage keep = {0};
    const int32_t *inputs[MAX_INPUTS] = {0};
    size_t lengths[MAX_INPUTS] = {0};
    char *texts[MAX_INPUTS] = {0};
    size_t n = fuzz_inputs(s, v, op == 0, 1, inputs, lengths, texts, &keep);
    uint8_t nulls = u8(s);
    lmcore_model *model = (nulls & 1) && (nulls & 2) ? NULL : m;
    lmcore_result *out = (lmcore_result *)0x1;
    lmcore_result **outp = (nulls & 4) && (nulls & 8) ? NULL : &out;
    lmcore_generation_params *p = (nulls & 16) && (nulls & 32) ? NULL : fuzz_params(s, v, n, &keep);
    lmcore_status status;
    switch (op) {
    case 0:
        current_call = "lmcore_translate";
        status = checked(lmcore_translate(model, (const char *const *)(n || !(nulls & 64) ? texts : NULL), n, p, outp));
        break;
    case 1:
        current_call = "lmcore_generate";
        status = checked(lmcore_generate(model, n || !(nulls & 64) ? inputs : NULL, (nulls & 128) ? NULL : lengths, n, p, outp));
        break;
    default: {
        /* targets: fresh id arrays, one per pair */
        const int32_t *targets[MAX_INPUTS] = {0};
        size_t target_lengths[MAX_INPUTS] = {0};
        for (size_t i = 0; i < n; i++) targets[i] = fuzz_ids(s, v, &target_lengths[i], &keep);
        current_call = "lmcore_score";
        status = checked(lmcore_score(model, inputs, lengths, targets, target_lengths, n, outp));
        break;
    }
    }
    if (outp) {
        if (status != LMCORE_OK && out != NULL) finding("failure left *out_result set");
        if (status == LMCORE_OK) {
            if (!out) finding("success without a result");
            if (lmcore_result_count(out) != n) finding("result count differs from the inputs");
            check_result(out, v, op == 0);
            int slot = u8(s) % SLOTS;
            lmcore_result_free(results[slot]);
            results[slot] = out;
        }
    }
    for (size_t i = 0; i < n; i++) free(texts[i]);
    release(&keep);
}

static void call_score_text(stream *s, int which) {
    size_t n = small_count(s, MAX_INPUTS);
    char *sources[MAX_INPUTS] = {0}, *targets[MAX_INPUTS] = {0};
    for (size_t i = 0; i < n; i++) {
        sources[i] = fuzz_text(s, MAX_TEXT);
        targets[i] = (u8(s) % 16) ? fuzz_text(s, MAX_TEXT) : NULL;
    }
    lmcore_result *out = NULL;
    current_call = "lmcore_score_text";
    lmcore_status status = checked(lmcore_score_text(models[which], (const char *const *)sources,
                                                     (const char *const *)targets, n, &out));
    if (status != LMCORE_OK && out) finding("failure left *out_result set");
    if (status == LMCORE_OK) {
        check_result(out, vocab[which], 0);
        lmcore_result_free(out);
    }
    for (size_t i = 0; i < n; i++) { free(sources[i]); free(targets[i]); }
}

static void call_encode(stream *s, int which, int text) {
    param_storage keep = {0};
    const int32_t *inputs[MAX_INPUTS] = {0};
    size_t lengths[MAX_INPUTS] = {0};
    char *texts[MAX_INPUTS] = {0};
    size_t n = fuzz_inputs(s, vocab[which], text, 0, inputs, lengths, texts, &keep);
    int32_t pooled = edge_int(s);
    size_t capacity = (size_t)(u8(s)) * 16;
    float *output = capacity ? malloc(capacity * sizeof *output) : NULL;
    size_t n_floats = 12345;
    lmcore_status status;
    if (text) {
        current_call = "lmcore_encode_text";
        status = checked(lmcore_encode_text(models[which], (const char *const *)texts, n, pooled, output, capacity, &n_floats));
    } else {
        current_call = "lmcore_encode";
        status = checked(lmcore_encode(models[which], inputs, lengths, n, pooled, output, capacity, &n_floats));
    }
    if (status == LMCORE_OK && output && n_floats > capacity) finding("wrote more floats than the capacity");
    if (status == LMCORE_ERR_BUFFER_TOO_SMALL && n_floats <= capacity) finding("too small, but the size fits");
    free(output);
    for (size_t i = 0; i < n; i++) free(texts[i]);
    release(&keep);
}

static void call_tokenizer(stream *s, int which, uint8_t op) {
    const lmcore_tokenizer *t = lmcore_model_tokenizer(models[which]);
    if (u8(s) % 8 == 0) t = NULL;
    size_t vsize = lmcore_tokenizer_vocab_size(t);
    switch (op % 4) {
    case 0: {
        char *text = fuzz_text(s, 4 * MAX_TEXT);
        size_t capacity = small_count(s, 64);
        int32_t *ids = capacity ? malloc(capacity * sizeof *ids) : NULL;
        size_t n_ids = 777;
        current_call = "lmcore_tokenize";
        lmcore_status status = checked(lmcore_tokenize(t, (u8(s) % 16) ? text : NULL, edge_int(s), ids, capacity, &n_ids));
        if (status == LMCORE_OK) {
            if (ids && n_ids > capacity) finding("more ids than the capacity");
            for (size_t i = 0; ids && i < n_ids; i++) if (ids[i] < 0 || (size_t)ids[i] >= vsize) finding("id outside the vocabulary");
        }
        if (status == LMCORE_ERR_BUFFER_TOO_SMALL && n_ids <= capacity) finding("too small, but the size fits");
        free(ids);
        free(text);
        break;
    }
    case 1: {
        size_t n;
        int32_t *ids = fuzz_ids(s, (int32_t)vsize, &n, NULL);
        size_t capacity = small_count(s, 255);
        char *text = capacity ? malloc(capacity) : NULL;
        size_t length = 777;
        current_call = "lmcore_detokenize";
        lmcore_status status = checked(lmcore_detokenize(t, ids, n, edge_int(s), text, capacity, &length));
        if (status == LMCORE_OK && text) {  /* NULL text: a size query */
            if (length >= capacity) finding("no room for the NUL");
            if (text[length] != 0) finding("text not NUL-terminated at length");
        }
        if (status == LMCORE_ERR_BUFFER_TOO_SMALL && length < capacity) finding("too small, but the size fits");
        free(text);
        free(ids);
        break;
    }
    case 2: {
        char *token = fuzz_text(s, 32);
        int32_t id = 777;
        current_call = "lmcore_tokenizer_token_to_id";
        if (checked(lmcore_tokenizer_token_to_id(t, token, &id)) == LMCORE_OK && (id < 0 || (size_t)id >= vsize))
            finding("id outside the vocabulary");
        free(token);
        break;
    }
    default: {
        int32_t id = fuzz_id(s, (int32_t)vsize);
        size_t capacity = small_count(s, 40);
        char *token = capacity ? malloc(capacity) : NULL;
        size_t length = 777;
        current_call = "lmcore_tokenizer_id_to_token";
        lmcore_status status = checked(lmcore_tokenizer_id_to_token(t, id, token, capacity, &length));
        if (status == LMCORE_OK && token && (length >= capacity || token[length] != 0)) finding("token not NUL-terminated within capacity");
        free(token);
        break;
    }
    }
}

static void call_result_getters(stream *s) {
    lmcore_result *r = results[u8(s) % SLOTS];
    size_t i = (u8(s) & 0x80) ? (size_t)-1 - u8(s) : u8(s) % 4;
    size_t j = (u8(s) & 0x80) ? (size_t)-1 - u8(s) : u8(s) % 8;
    const int32_t *ids = NULL;
    size_t n = 0;
    float score = 0;
    const float *scores = NULL;
    current_call = "lmcore_result_ids";
    lmcore_status a = checked(lmcore_result_ids(r, i, j, (u8(s) & 1) ? &ids : NULL, &n));
    current_call = "lmcore_result_score";
    (void)checked(lmcore_result_score(r, i, j, (u8(s) & 1) ? &score : NULL));
    current_call = "lmcore_result_token_scores";
    lmcore_status c = checked(lmcore_result_token_scores(r, i, j, &scores, &n));
    if (c == LMCORE_OK && n > 0 && !scores) finding("NULL scores with a count");
    const char *text = lmcore_result_text(r, i, j);
    if (text) (void)strlen(text);
    int in_range = r && i < lmcore_result_count(r) && j < lmcore_result_hypothesis_count(r, i);
    if (!in_range && a == LMCORE_OK) finding("out-of-range index accepted");
}

static void call_evaluate(stream *s) {
    size_t n = small_count(s, 3), sets = small_count(s, 2);
    char *hyps[3] = {0}, *refs[6] = {0};
    for (size_t i = 0; i < n; i++) hyps[i] = fuzz_text(s, 48);
    for (size_t i = 0; i < n * sets; i++) refs[i] = (u8(s) % 16) ? fuzz_text(s, 48) : NULL;
    lmcore_evaluation_params p = lmcore_evaluation_default_params();
    static const char *const metrics[] = {"bleu", "chrf", "chrf++", "ter", "rouge1", "rouge2", "rougeL", "rougeLsum",
                                          "bleu,chrf,ter", "bleu,,", "BLEU", "rouge3", ""};
    uint8_t b = u8(s);
    char *own = NULL;
    p.metrics = b < 200 ? metrics[b % 13] : (own = fuzz_text(s, 24));
    static const char *const tokenizers[] = {"13a", "intl", "zh", "char", "none", "spm", NULL};
    p.tokenize = tokenizers[u8(s) % 7];
    uint8_t flags = u8(s);
    p.lowercase = flags & 1;
    p.chrf_lowercase = (flags >> 1) & 1;
    p.stem = (flags >> 2) & 1;
    p.sentence_scores = (flags >> 3) & 1;
    p.bootstrap_samples = (flags & 0x30) == 0x30 ? edge_int(s) % 64 : 0;
    p.seed = u32(s);
    lmcore_evaluation *e = NULL;
    current_call = "lmcore_evaluate";
    lmcore_status status = checked(lmcore_evaluate((const char *const *)hyps, n, (const char *const *)refs, sets,
                                                   (flags & 0x40) ? NULL : &p, &e));
    if (status != LMCORE_OK && e) finding("failure left *out set");
    if (status == LMCORE_OK) {
        int slot = u8(s) % SLOTS;
        lmcore_evaluation_free(evaluations[slot]);
        evaluations[slot] = e;
    }
    lmcore_evaluation *q = evaluations[u8(s) % SLOTS];
    size_t m = (u8(s) & 0x80) ? (size_t)-1 : u8(s) % 4;
    double x = 0, y = 0;
    const char *name = lmcore_evaluation_metric_name(q, m);
    if (name) (void)strlen(name);
    const char *sig = lmcore_evaluation_signature(q, m);
    if (sig) (void)strlen(sig);
    const char *line = lmcore_evaluation_line(q, m);
    if (line) (void)strlen(line);
    current_call = "lmcore_evaluation_score";
    (void)checked(lmcore_evaluation_score(q, m, &x));
    current_call = "lmcore_evaluation_interval";
    (void)checked(lmcore_evaluation_interval(q, m, &x, (u8(s) & 1) ? &y : NULL));
    current_call = "lmcore_evaluation_sentence_score";
    (void)checked(lmcore_evaluation_sentence_score(q, m, u8(s) % 4, &x));
    (void)lmcore_evaluation_metric_count(q);
    for (size_t i = 0; i < n; i++) free(hyps[i]);
    for (size_t i = 0; i < n * sets; i++) free(refs[i]);
    free(own);
}

static void call_misc(stream *s, int which) {
    switch (u8(s) % 6) {
    case 0: {
        lmcore_model_info info;
        current_call = "lmcore_model_get_info";
        lmcore_status status = checked(lmcore_model_get_info((u8(s) % 4) ? models[which] : NULL, (u8(s) % 4) ? &info : NULL));
        if (status == LMCORE_OK && (!info.model_type || !info.compute_type)) finding("info without strings");
        break;
    }
    case 1:
        (void)strlen(lmcore_status_name((lmcore_status)edge_int(s)));
        (void)strlen(lmcore_version());
        (void)lmcore_abi_version();
        break;
    case 2:
        current_call = "lmcore_set_log_callback";
        (void)checked(lmcore_set_log_callback((u8(s) & 1) ? log_callback : NULL, NULL, edge_int(s)));
        break;
    case 3: {
        /* A tokenizer loaded alone and released: the paths a caller passes, good and bad. */
        static const char *const paths[] = {"models/numbers-7lang/tokenizer.json", "models/numbers-7lang",
                                            "models/numbers-7lang/config.json", "models", "", "/nonexistent/x.model"};
        lmcore_tokenizer *t = (lmcore_tokenizer *)0x1;
        current_call = "lmcore_tokenizer_load";
        lmcore_status status = checked(lmcore_tokenizer_load((u8(s) % 8) ? paths[u8(s) % 6] : NULL, &t));
        if (status != LMCORE_OK && t) finding("failure left *out_tokenizer set");
        if (status == LMCORE_OK) {
            char *text = fuzz_text(s, MAX_TEXT);
            int32_t ids[64];
            size_t n = 0;
            current_call = "lmcore_tokenize";
            (void)checked(lmcore_tokenize(t, text, 1, ids, 64, &n));
            free(text);
            lmcore_tokenizer_free(t);
        }
        break;
    }
    case 4:
        /* The model's tokenizer is borrowed: freeing it is documented as ignored. */
        lmcore_tokenizer_free((lmcore_tokenizer *)lmcore_model_tokenizer(models[which]));
        break;
    default: {
        lmcore_model *m = (lmcore_model *)0x1;
        lmcore_model_params p = lmcore_model_default_params();
        static const char *const types[] = {NULL, "float32", "float16", "int8", "int8_float32", "auto", "bf16", ""};
        p.compute_type = types[u8(s) % 8];
        p.threads = edge_int(s) % 4;
        p.load_tokenizer = edge_int(s);
        current_call = "lmcore_model_load";
        lmcore_status status = checked(lmcore_model_load((u8(s) % 8) ? model_dirs[u8(s) % 2] : NULL,
                                                         (u8(s) % 8) ? &p : NULL, &m));
        if (status != LMCORE_OK && m) finding("failure left *out_model set");
        lmcore_model_free(status == LMCORE_OK ? m : NULL);
        break;
    }
    }
}

/* ---------------------------------------------------------------- entry points */

int capi_sequence_setup(const char *root) {
    char path[4096];
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", root, model_dirs[i]);
        lmcore_model_params p = lmcore_model_default_params();
        p.threads = 1;
        if (lmcore_model_load(path, &p, &models[i]) != LMCORE_OK) {
            fprintf(stderr, "capi-sequence: cannot load %s: %s\n", path, lmcore_last_error());
            return 1;
        }
        lmcore_model_info info;
        if (lmcore_model_get_info(models[i], &info) != LMCORE_OK) return 1;
        vocab[i] = info.decoder_vocab_size;
    }
    /* tokenizer_load and model_load take paths relative to the repository */
    return chdir(root) == 0 ? 0 : 1;
}

void capi_sequence_run(const uint8_t *data, size_t size) {
    stream s = {data, size};
    for (int call = 0; call < 24 && s.n > 0; call++) {
        uint8_t op = u8(&s);
        int which = (op >> 7) & 1;
        switch (op % 12) {
        case 0: case 1: call_generate_family(&s, which, 0); break;
        case 2: call_generate_family(&s, which, 1); break;
        case 3: call_generate_family(&s, which, 2); break;
        case 4: call_score_text(&s, which); break;
        case 5: call_encode(&s, which, 0); break;
        case 6: call_encode(&s, which, 1); break;
        case 7: case 8: call_tokenizer(&s, which, u8(&s)); break;
        case 9: call_result_getters(&s); break;
        case 10: call_evaluate(&s); break;
        default: {
            uint8_t what = u8(&s);
            if (what < 32) {  /* free a result slot, so later getters see NULL */
                lmcore_result_free(results[what % SLOTS]);
                results[what % SLOTS] = NULL;
            } else {
                call_misc(&s, which);
            }
        }
        }
    }
    /* Each input starts from empty slots: libFuzzer's leak check sees a result that is never freed. */
    for (int i = 0; i < SLOTS; i++) {
        lmcore_result_free(results[i]);
        results[i] = NULL;
        lmcore_evaluation_free(evaluations[i]);
        evaluations[i] = NULL;
    }
    lmcore_set_log_callback(NULL, NULL, LMCORE_LOG_WARNING);
}
