/* Reads lines from stdin and prints their beam-4 translations, one line each.
 *
 *   cc translate.c $(pkg-config --cflags --libs lmcore) -o translate
 *   echo ">>fr<< 4213" | ./translate models/numbers
 */
#include <lmcore.h>

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s MODEL_DIR < input.txt\n", argv[0]);
        return 2;
    }
    lmcore_model *model = NULL;
    if (lmcore_model_load(argv[1], NULL, &model) != LMCORE_OK) {
        fprintf(stderr, "error: %s\n", lmcore_last_error());
        return 1;
    }
    lmcore_generation_params params = lmcore_generation_default_params();
    params.beam_size = 4;

    char line[4096];
    int status = 0;
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = '\0';
        const char *texts[1] = {line};
        lmcore_result *result = NULL;
        if (lmcore_translate(model, texts, 1, &params, &result) != LMCORE_OK) {
            fprintf(stderr, "error: %s\n", lmcore_last_error());
            status = 1;
            break;
        }
        printf("%s\n", lmcore_result_text(result, 0, 0));
        lmcore_result_free(result);
    }
    lmcore_model_free(model);
    return status;
}
