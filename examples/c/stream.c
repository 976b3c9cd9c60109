/* Prints a translation token by token as greedy search produces it.
 *
 *   cc stream.c $(pkg-config --cflags --libs lmcore) -o stream
 *   ./stream models/numbers ">>de<< 987654"
 */
#include <lmcore.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct stream_state {
    const lmcore_tokenizer *tokenizer;
    int32_t ids[1024];
    size_t n_ids;
    size_t printed; /* bytes of decoded text already printed */
};

/* Called with each new token: decode everything so far and print what is new (decoding the
 * whole prefix keeps multi-token characters and spacing right). */
static int32_t on_tokens(size_t input, size_t sequence, const int32_t *tokens, size_t n, void *user) {
    struct stream_state *s = user;
    (void)input;
    (void)sequence;
    for (size_t i = 0; i < n && s->n_ids < 1024; i++) s->ids[s->n_ids++] = tokens[i];
    char text[8192];
    size_t length = 0;
    if (lmcore_detokenize(s->tokenizer, s->ids, s->n_ids, 1, text, sizeof text, &length) != LMCORE_OK) return 0;
    if (length > s->printed) {
        fwrite(text + s->printed, 1, length - s->printed, stdout);
        fflush(stdout);
        s->printed = length;
    }
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s MODEL_DIR TEXT\n", argv[0]);
        return 2;
    }
    lmcore_model *model = NULL;
    if (lmcore_model_load(argv[1], NULL, &model) != LMCORE_OK) {
        fprintf(stderr, "error: %s\n", lmcore_last_error());
        return 1;
    }
    struct stream_state state;
    memset(&state, 0, sizeof state);
    state.tokenizer = lmcore_model_tokenizer(model);
    if (!state.tokenizer) {
        fprintf(stderr, "error: the model has no tokenizer\n");
        lmcore_model_free(model);
        return 1;
    }
    lmcore_generation_params params = lmcore_generation_default_params();
    params.beam_size = 1;
    params.callback = on_tokens;
    params.callback_user_data = &state;
    const char *texts[1] = {argv[2]};
    lmcore_result *result = NULL;
    lmcore_status status = lmcore_translate(model, texts, 1, &params, &result);
    printf("\n");
    if (status != LMCORE_OK) fprintf(stderr, "error: %s\n", lmcore_last_error());
    lmcore_result_free(result);
    lmcore_model_free(model);
    return status == LMCORE_OK ? 0 : 1;
}
