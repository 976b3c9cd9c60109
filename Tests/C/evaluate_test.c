/* lmcore_evaluate against sacrebleu and rouge-score (Tests/Fixtures/metrics/goldens.json, made
 * line-based by Tests/C/run.sh): corpus scores within 1e-6, sentence BLEU within 1e-6, the
 * getters' contracts and the error contract (status + message, NULL out-handle).
 * Usage: evaluate_test HYPS REF1 REF2 EXPECTED   where EXPECTED has lines
 *   corpus <refs> <metric> <score>     and   sentence_bleu <refs> <i> <score> */
#include <lmcore.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
#define CHECK(cond, ...) do { if (!(cond)) { failures++; printf("  FAIL "); printf(__VA_ARGS__); printf("\n"); } } while (0)

static char **read_lines(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    char **lines = NULL;
    size_t count = 0, cap = 0;
    char *line = NULL;
    size_t line_cap = 0;
    long len;
    while ((len = (long)getline(&line, &line_cap, f)) >= 0) {
        if (len > 0 && line[len - 1] == '\n') line[--len] = '\0';
        if (count == cap) { cap = cap ? 2 * cap : 64; lines = realloc(lines, cap * sizeof *lines); }
        lines[count++] = strdup(line);
    }
    free(line);
    fclose(f);
    *n = count;
    return lines;
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: %s HYPS REF1 REF2 EXPECTED\n", argv[0]); return 2; }
    size_t n, n1, n2, n_expected;
    char **hyps = read_lines(argv[1], &n), **ref1 = read_lines(argv[2], &n1), **ref2 = read_lines(argv[3], &n2);
    char **expected = read_lines(argv[4], &n_expected);
    if (n1 != n || n2 != n) { fprintf(stderr, "line counts differ\n"); return 2; }
    const char **refs = malloc(2 * n * sizeof *refs);
    for (size_t i = 0; i < n; i++) { refs[i] = ref1[i]; refs[n + i] = ref2[i]; }

    const char *metrics = "bleu,chrf,chrf++,ter,rouge1,rouge2,rougeL";
    lmcore_evaluation *ev[3] = {NULL, NULL, NULL};
    for (int k = 1; k <= 2; k++) {
        lmcore_evaluation_params p = lmcore_evaluation_default_params();
        p.metrics = metrics;
        p.sentence_scores = 1;
        lmcore_status s = lmcore_evaluate((const char *const *)hyps, n, refs, (size_t)k, &p, &ev[k]);
        CHECK(s == LMCORE_OK && ev[k] != NULL, "lmcore_evaluate with %d refs: %s", k, lmcore_last_error());
        if (ev[k]) CHECK(lmcore_evaluation_metric_count(ev[k]) == 7, "metric count");
    }
    int checked = 0;
    for (size_t e = 0; e < n_expected; e++) {
        char kind[32], metric[32];
        int k;
        double want;
        size_t i;
        if (sscanf(expected[e], "corpus %d %31s %lf", &k, metric, &want) == 3 && ev[k]) {
            for (size_t m = 0; m < lmcore_evaluation_metric_count(ev[k]); m++) {
                if (strcmp(lmcore_evaluation_metric_name(ev[k], m), metric) != 0) continue;
                double got = NAN;
                CHECK(lmcore_evaluation_score(ev[k], m, &got) == LMCORE_OK, "score");
                CHECK(fabs(got - want) <= 1e-6, "%s refs %d: %.9f != %.9f", metric, k, got, want);
                checked++;
            }
        } else if (sscanf(expected[e], "sentence_bleu %d %zu %lf", &k, &i, &want) == 3 && ev[k]) {
            double got = NAN;
            CHECK(lmcore_evaluation_sentence_score(ev[k], 0, i, &got) == LMCORE_OK, "sentence score");
            CHECK(fabs(got - want) <= 1e-6, "sentence BLEU %zu refs %d: %.9f != %.9f", i, k, got, want);
            checked++;
        } else {
            (void)kind;
            CHECK(0, "bad expected line: %s", expected[e]);
        }
    }
    CHECK(checked > 100, "only %d checks", checked);

    /* Getters: names, signatures, sacrebleu lines; out of range is NULL / an error. */
    CHECK(strcmp(lmcore_evaluation_metric_name(ev[1], 2), "chrf++") == 0, "name 2");
    CHECK(strcmp(lmcore_evaluation_signature(ev[1], 0), "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0") == 0,
          "BLEU signature: %s", lmcore_evaluation_signature(ev[1], 0));
    CHECK(strncmp(lmcore_evaluation_line(ev[2], 0), "BLEU|nrefs:2|", 13) == 0, "line: %s", lmcore_evaluation_line(ev[2], 0));
    CHECK(lmcore_evaluation_metric_name(ev[1], 7) == NULL && lmcore_evaluation_line(NULL, 0) == NULL, "out of range");
    double x = 0, y = 0;
    CHECK(lmcore_evaluation_score(ev[1], 99, &x) == LMCORE_ERR_INVALID_ARGUMENT, "score index");
    CHECK(lmcore_evaluation_sentence_score(ev[1], 0, n, &x) == LMCORE_ERR_INVALID_ARGUMENT, "sentence index");
    CHECK(lmcore_evaluation_interval(ev[1], 0, &x, &y) == LMCORE_OK && isnan(x) && isnan(y), "no interval");

    /* Errors: status, message, NULL out-handle. */
    lmcore_evaluation *bad = (lmcore_evaluation *)&x;
    lmcore_evaluation_params p = lmcore_evaluation_default_params();
    p.metrics = "bleu,meteor";
    CHECK(lmcore_evaluate((const char *const *)hyps, n, refs, 1, &p, &bad) == LMCORE_ERR_INVALID_ARGUMENT && bad == NULL
          && strstr(lmcore_last_error(), "meteor") != NULL, "unknown metric: %s", lmcore_last_error());
    p = lmcore_evaluation_default_params();
    p.tokenize = "moses";
    CHECK(lmcore_evaluate((const char *const *)hyps, n, refs, 1, &p, &bad) == LMCORE_ERR_INVALID_ARGUMENT, "tokenizer");
    CHECK(lmcore_evaluate(NULL, n, refs, 1, NULL, &bad) == LMCORE_ERR_INVALID_ARGUMENT, "NULL hypotheses");
    CHECK(lmcore_evaluate((const char *const *)hyps, n, NULL, 1, NULL, &bad) == LMCORE_ERR_INVALID_ARGUMENT, "NULL refs");
    CHECK(lmcore_evaluate((const char *const *)hyps, n, refs, 0, NULL, &bad) == LMCORE_ERR_INVALID_ARGUMENT, "0 sets");
    CHECK(lmcore_evaluate((const char *const *)hyps, (size_t)-1, refs, 1, NULL, &bad) == LMCORE_ERR_INVALID_ARGUMENT,
          "huge count");
    CHECK(lmcore_evaluate((const char *const *)hyps, n, refs, 1, NULL, NULL) == LMCORE_ERR_INVALID_ARGUMENT, "NULL out");
    p = lmcore_evaluation_default_params();
    p.bootstrap_samples = 200;
    lmcore_evaluation *boot = NULL;
    CHECK(lmcore_evaluate((const char *const *)hyps, n, refs, 1, &p, &boot) == LMCORE_OK, "bootstrap");
    CHECK(boot && lmcore_evaluation_interval(boot, 0, &x, &y) == LMCORE_OK && y > 0, "interval %f %f", x, y);
    lmcore_evaluation_free(boot);
    lmcore_evaluation_free(NULL);
    for (int k = 1; k <= 2; k++) lmcore_evaluation_free(ev[k]);
    printf("  %s  lmcore_evaluate: %d golden scores, getters and errors\n", failures ? "FAIL" : "ok", checked);
    return failures ? 1 : 0;
}
