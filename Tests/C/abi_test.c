/* Calls every function of lmcore.h, including error paths and _free(NULL), against a tiny
 * fixture model. Usage: abi_test MODEL_DIR "SOURCE IDS" EXPECTED_IDS...  (a fixture input and its
 * greedy output for max_new_tokens 30, from its goldens.json). Prints "ok" on success. */
#include <lmcore.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (!(cond)) {                                                              \
            fprintf(stderr, "%s:%d: check failed: %s (last error: %s)\n", __FILE__, \
                    __LINE__, #cond, lmcore_last_error());                          \
            failures++;                                                             \
        }                                                                           \
    } while (0)

static int streamed = 0;
static int count_tokens(size_t input, size_t sequence, const int32_t *tokens, size_t n, void *user) {
    (void)input;
    (void)sequence;
    (void)tokens;
    streamed += (int)n;
    return *(int *)user; /* 1 continue, 0 stop */
}

static int log_messages = 0;
static char log_first[512];
static void on_log(int32_t level, const char *message, void *user) {
    if (level >= LMCORE_LOG_ERROR && level <= LMCORE_LOG_DEBUG && user == (void *)&log_messages) {
        if (log_messages++ == 0) snprintf(log_first, sizeof log_first, "%s", message);
    }
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s MODEL_DIR \"SOURCE IDS\" EXPECTED_IDS...\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];
    int32_t source[64];
    size_t n_source = 0;
    for (const char *p = argv[2]; *p && n_source < 64;) {
        char *end = NULL;
        long v = strtol(p, &end, 10);
        if (end == p) break;
        source[n_source++] = (int32_t)v;
        p = end;
    }
    size_t n_expected = (size_t)(argc - 3);
    int32_t *expected = calloc(n_expected, sizeof(int32_t));
    for (size_t i = 0; i < n_expected; i++) expected[i] = (int32_t)atoi(argv[i + 3]);

    /* version and status */
    char version[32];
    snprintf(version, sizeof version, "%d.%d.%d", LMCORE_VERSION_MAJOR, LMCORE_VERSION_MINOR, LMCORE_VERSION_PATCH);
    CHECK(strcmp(lmcore_version(), version) == 0);
    CHECK(lmcore_abi_version() == LMCORE_ABI_VERSION);
    CHECK(strcmp(lmcore_status_name(LMCORE_ERR_IO), "LMCORE_ERR_IO") == 0);
    CHECK(strcmp(lmcore_status_name((lmcore_status)999), "unknown") == 0);
    CHECK(lmcore_last_error() != NULL);

    /* logging: a load at level info reports what it loaded to the callback, not stderr */
    CHECK(lmcore_set_log_callback(on_log, &log_messages, 5) == LMCORE_ERR_INVALID_ARGUMENT);
    CHECK(lmcore_set_log_callback(on_log, &log_messages, -2) == LMCORE_ERR_INVALID_ARGUMENT);
    CHECK(lmcore_set_log_callback(on_log, &log_messages, LMCORE_LOG_INFO) == LMCORE_OK);
    {
        lmcore_model *logged = NULL;
        CHECK(lmcore_model_load(dir, NULL, &logged) == LMCORE_OK);
        lmcore_model_free(logged);
    }
    CHECK(log_messages >= 1 && strstr(log_first, "loaded ") != NULL);
    CHECK(lmcore_set_log_callback(NULL, NULL, LMCORE_LOG_WARNING) == LMCORE_OK);

    /* free(NULL) everywhere */
    lmcore_model_free(NULL);
    lmcore_result_free(NULL);

    /* default params, by value and by reference */
    lmcore_model_params mp = lmcore_model_default_params(), mp2;
    lmcore_model_default_params_by_ref(&mp2);
    CHECK(mp.threads == mp2.threads && mp.load_tokenizer == mp2.load_tokenizer);
    CHECK(mp.compute_type == NULL && mp2.compute_type == NULL);
    lmcore_model_default_params_by_ref(NULL);
    lmcore_generation_params gp = lmcore_generation_default_params(), gp2;
    lmcore_generation_default_params_by_ref(&gp2);
    CHECK(gp.beam_size == -1 && gp2.beam_size == -1 && isnan(gp.length_penalty));
    lmcore_generation_default_params_by_ref(NULL);

    /* load errors leave the out-handle NULL */
    lmcore_model *model = (lmcore_model *)&mp; /* garbage that must be overwritten */
    CHECK(lmcore_model_load("/nonexistent/model", NULL, &model) == LMCORE_ERR_IO);
    CHECK(model == NULL);
    CHECK(strstr(lmcore_last_error(), "/nonexistent/model") != NULL);
    CHECK(lmcore_model_load(NULL, NULL, &model) == LMCORE_ERR_INVALID_ARGUMENT);
    CHECK(lmcore_model_load(dir, NULL, NULL) == LMCORE_ERR_INVALID_ARGUMENT);
    mp.threads = -3;
    CHECK(lmcore_model_load(dir, &mp, &model) == LMCORE_ERR_INVALID_ARGUMENT);
    mp.threads = 2;
    /* compute types: an unknown name is an error naming the valid ones; a reduced type loads and
     * reports the type in effect (float32 on a CPU without the packed kernels) */
    mp.compute_type = "int4";
    CHECK(lmcore_model_load(dir, &mp, &model) == LMCORE_ERR_INVALID_ARGUMENT);
    CHECK(model == NULL && strstr(lmcore_last_error(), "int8_float32") != NULL);
    mp.compute_type = "int8_float32";
    CHECK(lmcore_model_load(dir, &mp, &model) == LMCORE_OK);
    if (model != NULL) {
        lmcore_model_info reduced;
        CHECK(lmcore_model_get_info(model, &reduced) == LMCORE_OK);
        CHECK(strcmp(reduced.compute_type, "int8_float32") == 0 || strcmp(reduced.compute_type, "float32") == 0);
        lmcore_model_free(model);
        model = NULL;
    }
    mp.compute_type = "int8"; /* int8_float32 without AVX-512 VNNI */
    CHECK(lmcore_model_load(dir, &mp, &model) == LMCORE_OK);
    if (model != NULL) {
        lmcore_model_info reduced;
        CHECK(lmcore_model_get_info(model, &reduced) == LMCORE_OK);
        CHECK(strcmp(reduced.compute_type, "int8") == 0 || strcmp(reduced.compute_type, "int8_float32") == 0
              || strcmp(reduced.compute_type, "float32") == 0);
        lmcore_model_free(model);
        model = NULL;
    }
    mp.compute_type = NULL;

    CHECK(lmcore_model_load(dir, &mp, &model) == LMCORE_OK);
    if (model == NULL) return 1;

    lmcore_model_info info;
    CHECK(lmcore_model_get_info(model, &info) == LMCORE_OK);
    CHECK(info.d_model > 0 && info.model_type != NULL && info.parameters > 0);
    CHECK(strcmp(info.compute_type, "float32") == 0);
    CHECK(lmcore_model_get_info(NULL, &info) == LMCORE_ERR_INVALID_ARGUMENT);
    CHECK(lmcore_model_get_info(model, NULL) == LMCORE_ERR_INVALID_ARGUMENT);

    /* greedy generation from the fixture's input */
    CHECK(n_source > 0);
    const int32_t *inputs[1] = {source};
    size_t lengths[1] = {n_source};
    gp.max_new_tokens = 30;
    lmcore_result *result = (lmcore_result *)&gp;
    CHECK(lmcore_generate(model, inputs, lengths, 1, &gp, &result) == LMCORE_OK);
    CHECK(lmcore_result_count(result) == 1);
    CHECK(lmcore_result_hypothesis_count(result, 0) == 1);
    CHECK(lmcore_result_hypothesis_count(result, 5) == 0);
    const int32_t *ids = NULL;
    size_t n_ids = 0;
    CHECK(lmcore_result_ids(result, 0, 0, &ids, &n_ids) == LMCORE_OK);
    CHECK(n_ids == n_expected);
    for (size_t i = 0; i < n_ids && i < n_expected; i++) CHECK(ids[i] == expected[i]);
    float score = 0;
    CHECK(lmcore_result_score(result, 0, 0, &score) == LMCORE_OK);
    CHECK(lmcore_result_ids(result, 1, 0, &ids, &n_ids) == LMCORE_ERR_INVALID_ARGUMENT);
    CHECK(ids == NULL && n_ids == 0);
    CHECK(lmcore_result_ids(result, 0, 0, NULL, &n_ids) == LMCORE_ERR_INVALID_ARGUMENT);
    CHECK(lmcore_result_score(NULL, 0, 0, &score) == LMCORE_ERR_INVALID_ARGUMENT);
    lmcore_result_free(result);

    /* streaming: tokens arrive; returning 0 cancels */
    int keep_going = 1;
    gp.callback = count_tokens;
    gp.callback_user_data = &keep_going;
    CHECK(lmcore_generate(model, inputs, lengths, 1, &gp, &result) == LMCORE_OK);
    CHECK(streamed == (int)n_expected);
    lmcore_result_free(result);
    keep_going = 0;
    CHECK(lmcore_generate(model, inputs, lengths, 1, &gp, &result) == LMCORE_ERR_CANCELLED);
    CHECK(result == NULL);
    gp.callback = NULL;

    /* bad generate arguments */
    int32_t bad_ids[1] = {1 << 30};
    const int32_t *bad_inputs[1] = {bad_ids};
    size_t one[1] = {1};
    CHECK(lmcore_generate(model, bad_inputs, one, 1, NULL, &result) == LMCORE_ERR_INVALID_ARGUMENT);
    CHECK(strstr(lmcore_last_error(), "outside the vocabulary") != NULL);
    CHECK(lmcore_generate(NULL, inputs, lengths, 1, NULL, &result) == LMCORE_ERR_INVALID_ARGUMENT);
    CHECK(lmcore_generate(model, NULL, lengths, 1, NULL, &result) == LMCORE_ERR_INVALID_ARGUMENT);
    CHECK(lmcore_generate(model, inputs, NULL, 1, NULL, &result) == LMCORE_ERR_INVALID_ARGUMENT);
    CHECK(lmcore_generate(model, inputs, lengths, 0, NULL, &result) == LMCORE_ERR_INVALID_ARGUMENT);
    CHECK(lmcore_generate(model, inputs, lengths, 1, NULL, NULL) == LMCORE_ERR_INVALID_ARGUMENT);
    gp.beam_size = -7;
    CHECK(lmcore_generate(model, inputs, lengths, 1, &gp, &result) == LMCORE_ERR_INVALID_ARGUMENT);

    lmcore_model_free(model);
    free(expected);
    if (failures) {
        fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    printf("ok\n");
    return 0;
}
