/* Weight packing for lmk_gemm_packed_*: see lmkernels.h for the panel layout. */
#include "lmkernels.h"
#include <string.h>

int64_t lmk_packed_count(int64_t n, int64_t k) {
    return (n + LMK_PANEL - 1) / LMK_PANEL * LMK_PANEL * k;
}

void lmk_pack_in_place(float *w, int64_t n, int64_t k, float *tail, float *scratch) {
    const int64_t full = n / LMK_PANEL;
    for (int64_t p = 0; p < full; p++) {
        float *block = w + p * LMK_PANEL * k;
        memcpy(scratch, block, (size_t)(LMK_PANEL * k) * sizeof(float));
        lmk_pack(scratch, LMK_PANEL, k, block, 0, 1);
    }
    if (n % LMK_PANEL != 0) {
        /* lmk_pack's panel `full` of w, written at the start of `tail`. */
        lmk_pack(w + full * LMK_PANEL * k, n % LMK_PANEL, k, tail, 0, 1);
    }
}

void lmk_pack(const float *w, int64_t n, int64_t k, float *out, int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
        float *panel = out + p * LMK_PANEL * k;
        for (int64_t j = 0; j < LMK_PANEL; j++) {
            const int64_t row = p * LMK_PANEL + j;
            if (row < n) {
                /* Reads one weight row in order; the strided writes stay inside one panel. */
                const float *src = w + row * k;
                for (int64_t i = 0; i < k; i++) panel[i * LMK_PANEL + j] = src[i];
            } else {
                for (int64_t i = 0; i < k; i++) panel[i * LMK_PANEL + j] = 0.0f;
            }
        }
    }
}
