/* The text side of the C API on the default model, against HF's outputs: tokenizer (standalone and
 * the model's), translate, score / score_text, encode / encode_text, the two-call buffer protocol
 * and argument errors.
 *
 * Usage: text_api_test MODEL_DIR CASES_FILE SCORE_FILE
 *   CASES_FILE lines: source<TAB>source ids<TAB>generated ids (after the start token)<TAB>text,
 *              from HF transformers (eval/samples.jsonl).
 *   SCORE_FILE one line: source ids<TAB>target ids<TAB>HF teacher-forced total log-prob. */
#define _POSIX_C_SOURCE 200809L
#include <lmcore.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(cond)                                                                          \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            fprintf(stderr, "%s:%d: check failed: %s (last error: %s)\n", __FILE__, __LINE__, \
                    #cond, lmcore_last_error());                                            \
            failures++;                                                                      \
        }                                                                                    \
    } while (0)

#define MAX_CASES 16
#define MAX_IDS 256

struct id_list {
    int32_t ids[MAX_IDS];
    size_t n;
};

static void parse_ids(const char *text, struct id_list *out) {
    out->n = 0;
    const char *p = text;
    while (*p && out->n < MAX_IDS) {
        char *end = NULL;
        long v = strtol(p, &end, 10);
        if (end == p) break;
        out->ids[out->n++] = (int32_t)v;
        p = end;
    }
}

static int same_ids(const int32_t *a, size_t n, const struct id_list *b) {
    return n == b->n && (n == 0 || memcmp(a, b->ids, n * sizeof *a) == 0);
}

/* Splits a line at tabs into at most `max` fields (in place). */
static size_t split_tabs(char *line, char **fields, size_t max) {
    size_t n = 0;
    fields[n++] = line;
    for (char *p = line; *p && n < max; p++) {
        if (*p == '\t') {
            *p = '\0';
            fields[n++] = p + 1;
        }
    }
    return n;
}

static char *sources[MAX_CASES], *texts[MAX_CASES];
static struct id_list source_ids[MAX_CASES], output_ids[MAX_CASES];
static size_t n_cases;

static void test_tokenizer(const lmcore_tokenizer *tok, const char *label) {
    for (size_t i = 0; i < n_cases; i++) {
        size_t n = 0;
        /* Two calls: the size, then the ids. */
        CHECK(lmcore_tokenize(tok, sources[i], 1, NULL, 0, &n) == LMCORE_OK);
        CHECK(n == source_ids[i].n);
        int32_t ids[MAX_IDS];
        int32_t small[1];
        size_t m = 0;
        CHECK(lmcore_tokenize(tok, sources[i], 1, small, 1, &m) == LMCORE_ERR_BUFFER_TOO_SMALL && m == n);
        CHECK(lmcore_tokenize(tok, sources[i], 1, ids, MAX_IDS, &m) == LMCORE_OK);
        if (!same_ids(ids, m, &source_ids[i])) {
            fprintf(stderr, "%s: tokenize '%s' differs from transformers\n", label, sources[i]);
            failures++;
        }
        char text[1024];
        size_t length = 0;
        CHECK(lmcore_detokenize(tok, output_ids[i].ids, output_ids[i].n, 1, NULL, 0, &length) == LMCORE_OK);
        CHECK(length == strlen(texts[i]));
        CHECK(lmcore_detokenize(tok, output_ids[i].ids, output_ids[i].n, 1, text, length, &length) ==
              LMCORE_ERR_BUFFER_TOO_SMALL); /* no room for the NUL */
        CHECK(lmcore_detokenize(tok, output_ids[i].ids, output_ids[i].n, 1, text, sizeof text, &length) == LMCORE_OK);
        if (strcmp(text, texts[i]) != 0) {
            fprintf(stderr, "%s: detokenize gave '%s', transformers '%s'\n", label, text, texts[i]);
            failures++;
        }
    }
    CHECK(lmcore_tokenizer_vocab_size(tok) == 801);
    int32_t id = -1;
    CHECK(lmcore_tokenizer_token_to_id(tok, ">>fr<<", &id) == LMCORE_OK && id == 3);
    CHECK(lmcore_tokenizer_token_to_id(tok, "no such token", &id) == LMCORE_ERR_INVALID_ARGUMENT);
    char token[64];
    size_t length = 0;
    CHECK(lmcore_tokenizer_id_to_token(tok, 3, token, sizeof token, &length) == LMCORE_OK);
    CHECK(strcmp(token, ">>fr<<") == 0 && length == 6);
    CHECK(lmcore_tokenizer_id_to_token(tok, 801, token, sizeof token, &length) == LMCORE_ERR_INVALID_ARGUMENT);
    int32_t bad_ids[2] = {5, 100000};
    CHECK(lmcore_detokenize(tok, bad_ids, 2, 0, token, sizeof token, &length) == LMCORE_ERR_INVALID_ARGUMENT);
    CHECK(lmcore_tokenize(tok, NULL, 1, NULL, 0, &length) == LMCORE_ERR_INVALID_ARGUMENT);
    CHECK(lmcore_tokenize(NULL, "x", 1, NULL, 0, &length) == LMCORE_ERR_INVALID_ARGUMENT);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s MODEL_DIR CASES_FILE SCORE_FILE\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[2], "r");
    if (!f) {
        perror(argv[2]);
        return 2;
    }
    char line[4096];
    while (n_cases < MAX_CASES && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *fields[4];
        if (split_tabs(line, fields, 4) != 4) continue;
        sources[n_cases] = strdup(fields[0]);
        parse_ids(fields[1], &source_ids[n_cases]);
        parse_ids(fields[2], &output_ids[n_cases]);
        texts[n_cases] = strdup(fields[3]);
        n_cases++;
    }
    fclose(f);
    if (n_cases == 0) {
        fprintf(stderr, "no cases in %s\n", argv[2]);
        return 2;
    }

    lmcore_model *model = NULL;
    if (lmcore_model_load(argv[1], NULL, &model) != LMCORE_OK) {
        fprintf(stderr, "load failed: %s\n", lmcore_last_error());
        return 1;
    }

    /* The model's tokenizer (borrowed) and one loaded alone from the folder. */
    const lmcore_tokenizer *own = lmcore_model_tokenizer(model);
    CHECK(own != NULL);
    if (own) test_tokenizer(own, "model tokenizer");
    lmcore_tokenizer *alone = NULL;
    CHECK(lmcore_tokenizer_load(argv[1], &alone) == LMCORE_OK);
    if (alone) test_tokenizer(alone, "lmcore_tokenizer_load");
    lmcore_tokenizer_free(alone);
    lmcore_tokenizer_free(NULL);
    lmcore_tokenizer *missing = NULL;
    CHECK(lmcore_tokenizer_load("/nonexistent/tokenizer.json", &missing) != LMCORE_OK && missing == NULL);
    CHECK(strlen(lmcore_last_error()) > 0);

    /* translate: the whole batch at once, beam 4 (the model's generation_config), with scores. */
    lmcore_generation_params params = lmcore_generation_default_params();
    params.return_scores = 1;
    lmcore_result *result = NULL;
    CHECK(lmcore_translate(model, (const char *const *)sources, n_cases, &params, &result) == LMCORE_OK);
    CHECK(lmcore_result_count(result) == n_cases);
    for (size_t i = 0; i < n_cases && result; i++) {
        const char *text = lmcore_result_text(result, i, 0);
        if (!text || strcmp(text, texts[i]) != 0) {
            fprintf(stderr, "translate '%s' gave '%s', transformers '%s'\n", sources[i], text ? text : "(null)", texts[i]);
            failures++;
        }
        const int32_t *ids = NULL;
        size_t n = 0;
        CHECK(lmcore_result_ids(result, i, 0, &ids, &n) == LMCORE_OK && same_ids(ids, n, &output_ids[i]));
        const float *token_scores = NULL;
        size_t n_scores = 0;
        CHECK(lmcore_result_token_scores(result, i, 0, &token_scores, &n_scores) == LMCORE_OK);
        CHECK(n_scores == n);
    }
    CHECK(lmcore_result_text(result, n_cases, 0) == NULL);
    lmcore_result_free(result);
    result = NULL;
    const char *null_text[1] = {NULL};
    CHECK(lmcore_translate(model, null_text, 1, &params, &result) == LMCORE_ERR_INVALID_ARGUMENT && result == NULL);

    /* ABI 3 request fields: the target language tags the source (">>fr<<" + "4213" is sample
     * ">>fr<< 4213"), a forced prefix is kept, batching by tokens changes nothing, and a
     * struct_size the library does not know is an invalid argument. */
    CHECK(params.struct_size == sizeof(lmcore_generation_params));
    for (size_t i = 0; i < n_cases; i++) {
        if (strncmp(sources[i], ">>fr<< ", 7) != 0) continue;
        lmcore_generation_params lang = lmcore_generation_default_params();
        lang.target_lang = "fr";
        lang.max_batch_size = 8;
        lang.batch_type = 1;
        const char *untagged[1] = {sources[i] + 7};
        CHECK(lmcore_translate(model, untagged, 1, &lang, &result) == LMCORE_OK);
        const char *text = result ? lmcore_result_text(result, 0, 0) : NULL;
        if (!text || strcmp(text, texts[i]) != 0) {
            fprintf(stderr, "target_lang fr '%s' gave '%s', transformers '%s'\n", untagged[0], text ? text : "(null)",
                    texts[i]);
            failures++;
        }
        lmcore_result_free(result);
        result = NULL;
        lang.target_lang = "xx";
        CHECK(lmcore_translate(model, untagged, 1, &lang, &result) == LMCORE_ERR_INVALID_ARGUMENT && result == NULL);
        lang = lmcore_generation_default_params();
        lang.beam_size = 1;
        const int32_t prefix[1] = {output_ids[i].ids[1]};
        const int32_t *prefixes[1] = {prefix};
        size_t prefix_lengths[1] = {1};
        lang.target_prefixes = prefixes;
        lang.target_prefix_lengths = prefix_lengths;
        lang.n_target_prefixes = 1;
        CHECK(lmcore_translate(model, (const char *const *)&sources[i], 1, &lang, &result) == LMCORE_OK);
        const int32_t *ids = NULL;
        size_t n = 0;
        CHECK(result && lmcore_result_ids(result, 0, 0, &ids, &n) == LMCORE_OK && n >= 1 && ids[0] == prefix[0]);
        lmcore_result_free(result);
        result = NULL;
        lang.struct_size = sizeof(lmcore_generation_params) + 8;
        CHECK(lmcore_translate(model, (const char *const *)&sources[i], 1, &lang, &result) == LMCORE_ERR_INVALID_ARGUMENT);
    }

    /* score against HF's teacher-forced log-likelihood. */
    f = fopen(argv[3], "r");
    if (!f || !fgets(line, sizeof line, f)) {
        fprintf(stderr, "cannot read %s\n", argv[3]);
        return 2;
    }
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    char *fields[3];
    CHECK(split_tabs(line, fields, 3) == 3);
    struct id_list src, tgt;
    parse_ids(fields[0], &src);
    parse_ids(fields[1], &tgt);
    double want = strtod(fields[2], NULL);
    const int32_t *srcs[1] = {src.ids}, *tgts[1] = {tgt.ids};
    size_t src_len[1] = {src.n}, tgt_len[1] = {tgt.n};
    CHECK(lmcore_score(model, srcs, src_len, tgts, tgt_len, 1, &result) == LMCORE_OK);
    float total = 0;
    CHECK(lmcore_result_score(result, 0, 0, &total) == LMCORE_OK);
    if (fabs(total - want) > 1e-4) {
        fprintf(stderr, "score %f, transformers %f\n", total, want);
        failures++;
    }
    const float *token_scores = NULL;
    size_t n_scores = 0;
    CHECK(lmcore_result_token_scores(result, 0, 0, &token_scores, &n_scores) == LMCORE_OK && n_scores == tgt.n);
    lmcore_result_free(result);

    /* score_text of a sample and its reference equals lmcore_score of their ids. */
    const char *ref[1] = {texts[0]};
    CHECK(lmcore_score_text(model, (const char *const *)sources, ref, 1, &result) == LMCORE_OK);
    float text_total = 0;
    CHECK(lmcore_result_score(result, 0, 0, &text_total) == LMCORE_OK);
    lmcore_result_free(result);
    const int32_t *s0[1] = {source_ids[0].ids}, *t0[1] = {output_ids[0].ids};
    size_t s0n[1] = {source_ids[0].n}, t0n[1] = {output_ids[0].n};
    CHECK(lmcore_score(model, s0, s0n, t0, t0n, 1, &result) == LMCORE_OK);
    float ids_total = 0;
    CHECK(lmcore_result_score(result, 0, 0, &ids_total) == LMCORE_OK);
    CHECK(fabsf(text_total - ids_total) < 1e-5f);
    lmcore_result_free(result);

    /* encode: per-token states, and pooled = their mean; encode_text = encode of the ids. */
    lmcore_model_info info;
    CHECK(lmcore_model_get_info(model, &info) == LMCORE_OK);
    size_t d = (size_t)info.d_model, n_floats = 0;
    const int32_t *inputs[1] = {source_ids[0].ids};
    size_t lengths[1] = {source_ids[0].n};
    CHECK(lmcore_encode(model, inputs, lengths, 1, 0, NULL, 0, &n_floats) == LMCORE_OK);
    CHECK(n_floats == source_ids[0].n * d);
    float *states = calloc(n_floats, sizeof *states), *pooled = calloc(d, sizeof *pooled),
          *pooled_text = calloc(d, sizeof *pooled_text);
    CHECK(lmcore_encode(model, inputs, lengths, 1, 0, states, n_floats, &n_floats) == LMCORE_OK);
    CHECK(lmcore_encode(model, inputs, lengths, 1, 1, pooled, d - 1, &n_floats) == LMCORE_ERR_BUFFER_TOO_SMALL);
    CHECK(lmcore_encode(model, inputs, lengths, 1, 1, pooled, d, &n_floats) == LMCORE_OK && n_floats == d);
    CHECK(lmcore_encode_text(model, (const char *const *)sources, 1, 1, pooled_text, d, &n_floats) == LMCORE_OK);
    double worst = 0, worst_text = 0;
    for (size_t k = 0; k < d; k++) {
        double mean = 0;
        for (size_t t = 0; t < source_ids[0].n; t++) mean += states[t * d + k];
        mean /= (double)source_ids[0].n;
        if (fabs(mean - pooled[k]) > worst) worst = fabs(mean - pooled[k]);
        if (fabs(pooled_text[k] - pooled[k]) > worst_text) worst_text = fabs(pooled_text[k] - pooled[k]);
    }
    CHECK(worst < 1e-5 && worst_text < 1e-6);
    free(states);
    free(pooled);
    free(pooled_text);

    lmcore_model_free(model);
    for (size_t i = 0; i < n_cases; i++) {
        free(sources[i]);
        free(texts[i]);
    }
    if (failures) {
        fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    printf("ok: tokenizer, translate, score, encode on %zu samples match transformers\n", n_cases);
    return 0;
}
