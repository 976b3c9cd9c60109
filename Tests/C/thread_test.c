/* One model shared by 16 threads, each making 50 calls: every output must equal the
 * sequential run's. Usage: thread_test MODEL_DIR INPUTS_FILE
 * INPUTS_FILE has one input per line: text (translated with lmcore_translate, beam 2) when the
 * model has a tokenizer, otherwise space-separated ids (lmcore_generate, greedy). */
#define _POSIX_C_SOURCE 200809L
#include <lmcore.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 16
#define CALLS 50
#define MAX_INPUTS 64

static lmcore_model *model;
static int has_tokenizer;
static char *inputs[MAX_INPUTS];
static size_t n_inputs;
static char *expected[MAX_INPUTS];

/* The output of one call on input i as a string (text, or ids joined by spaces). */
static char *run(size_t i) {
    lmcore_generation_params params = lmcore_generation_default_params();
    params.max_new_tokens = 24;
    lmcore_result *result = NULL;
    lmcore_status status;
    if (has_tokenizer) {
        params.beam_size = 2;
        const char *texts[1] = {inputs[i]};
        status = lmcore_translate(model, texts, 1, &params, &result);
    } else {
        int32_t ids[256];
        size_t n = 0;
        for (char *p = inputs[i]; *p && n < 256;) {
            char *end = NULL;
            long v = strtol(p, &end, 10);
            if (end == p) break;
            ids[n++] = (int32_t)v;
            p = end;
        }
        const int32_t *list[1] = {ids};
        size_t lengths[1] = {n};
        status = lmcore_generate(model, list, lengths, 1, &params, &result);
    }
    if (status != LMCORE_OK) {
        fprintf(stderr, "call failed: %s\n", lmcore_last_error());
        return NULL;
    }
    char *out = NULL;
    if (has_tokenizer) {
        out = strdup(lmcore_result_text(result, 0, 0));
    } else {
        const int32_t *ids = NULL;
        size_t n = 0;
        lmcore_result_ids(result, 0, 0, &ids, &n);
        out = calloc(n * 12 + 1, 1);
        for (size_t k = 0; k < n; k++) sprintf(out + strlen(out), "%s%d", k ? " " : "", ids[k]);
    }
    lmcore_result_free(result);
    return out;
}

static void *worker(void *arg) {
    size_t seed = (size_t)arg, mismatches = 0;
    for (size_t c = 0; c < CALLS; c++) {
        size_t i = (seed * 7 + c * 13) % n_inputs;
        char *got = run(i);
        if (!got || strcmp(got, expected[i]) != 0) {
            fprintf(stderr, "thread %zu call %zu input %zu: got '%s', expected '%s'\n", seed, c, i,
                    got ? got : "(error)", expected[i]);
            mismatches++;
        }
        free(got);
    }
    return (void *)mismatches;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s MODEL_DIR INPUTS_FILE\n", argv[0]);
        return 2;
    }
    lmcore_model_params mp = lmcore_model_default_params();
    mp.threads = 2; /* nested: our loops and OpenBLAS threads inside 16 caller threads */
    if (lmcore_model_load(argv[1], &mp, &model) != LMCORE_OK) {
        fprintf(stderr, "load failed: %s\n", lmcore_last_error());
        return 1;
    }
    has_tokenizer = lmcore_model_tokenizer(model) != NULL;
    FILE *f = fopen(argv[2], "r");
    if (!f) {
        perror(argv[2]);
        return 1;
    }
    char line[4096];
    while (n_inputs < MAX_INPUTS && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        inputs[n_inputs++] = strdup(line);
    }
    fclose(f);
    for (size_t i = 0; i < n_inputs; i++) {
        expected[i] = run(i);
        if (!expected[i]) return 1;
    }

    pthread_t threads[THREADS];
    for (size_t t = 0; t < THREADS; t++) pthread_create(&threads[t], NULL, worker, (void *)t);
    size_t mismatches = 0;
    for (size_t t = 0; t < THREADS; t++) {
        void *r = NULL;
        pthread_join(threads[t], &r);
        mismatches += (size_t)r;
    }
    lmcore_model_free(model);
    if (mismatches) {
        fprintf(stderr, "%zu of %d calls differ from the sequential run\n", mismatches, THREADS * CALLS);
        return 1;
    }
    printf("ok: %d threads x %d calls on one model match the sequential run (%s)\n", THREADS, CALLS,
           has_tokenizer ? "translate" : "generate");
    for (size_t i = 0; i < n_inputs; i++) {
        free(inputs[i]);
        free(expected[i]);
    }
    return 0;
}
