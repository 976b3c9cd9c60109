/* Weight packing for lmk_gemm_packed_*: see lmkernels.h for the panel layout. */
#include "kernel_common.h"
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

#if defined(__x86_64__)
#include <immintrin.h>
__attribute__((target("f16c"))) static uint16_t to_half(float v) { return (uint16_t)_cvtss_sh(v, 0); }
__attribute__((target("f16c"))) static float from_half(uint16_t h) { return _cvtsh_ss(h); }
#else
static uint16_t to_half(float v) { _Float16 h = (_Float16)v; uint16_t b; memcpy(&b, &h, 2); return b; }
static float from_half(uint16_t b) { _Float16 h; memcpy(&h, &b, 2); return (float)h; }
#endif

void lmk_pack_f16(const float *w, int64_t n, int64_t k, uint16_t *out, int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
        uint16_t *panel = out + p * LMK_PANEL * k;
        for (int64_t j = 0; j < LMK_PANEL; j++) {
            const int64_t row = p * LMK_PANEL + j;
            const float *src = w + row * k;
            for (int64_t i = 0; i < k; i++) panel[i * LMK_PANEL + j] = row < n ? to_half(src[i]) : 0;
        }
    }
}

/* int8 panels [p0, p1) from float rows w (quantized here) or, when w is NULL, int8 rows q. */
static void pack_i8_panels(const float *w, const int8_t *q, int64_t n, int64_t k, int8_t *out, float *scales,
                           int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
        int8_t *panel = out + p * LMK_PANEL * k;
        for (int64_t j = 0; j < LMK_PANEL; j++) {
            const int64_t row = p * LMK_PANEL + j;
            if (row >= n) {
                for (int64_t i = 0; i < k; i++) panel[i * LMK_PANEL + j] = 0;
            } else if (w) {
                scales[row] = lmk_quantize_row_i8(w + row * k, k, panel + j, LMK_PANEL);
            } else {
                for (int64_t i = 0; i < k; i++) panel[i * LMK_PANEL + j] = q[row * k + i];
            }
        }
    }
}

void lmk_pack_i8(const float *w, int64_t n, int64_t k, int8_t *out, float *scales, int64_t p0, int64_t p1) {
    pack_i8_panels(w, NULL, n, k, out, scales, p0, p1);
}

void lmk_pack_i8_rows(const int8_t *q, int64_t n, int64_t k, int8_t *out, int64_t p0, int64_t p1) {
    pack_i8_panels(NULL, q, n, k, out, NULL, p0, p1);
}

void lmk_quantize_i8_rows(const float *w, int64_t n, int64_t k, int8_t *q, float *scales) {
    for (int64_t row = 0; row < n; row++) scales[row] = lmk_quantize_row_i8(w + row * k, k, q + row * k, 1);
}

void lmk_packed_row(int type, const void *packed, const void *tail, const float *scales, int64_t n, int64_t k,
                    int64_t row, float factor, float *out) {
    const int64_t p = row / LMK_PANEL, j = row % LMK_PANEL;
    const int64_t size = lmk_weight_size(type);
    const void *panel = (p >= n / LMK_PANEL && tail) ? tail : (const char *)packed + p * LMK_PANEL * k * size;
    if (type == LMK_W_F32) {
        const float *f = (const float *)panel + j;
        for (int64_t i = 0; i < k; i++) out[i] = f[i * LMK_PANEL] * factor;
    } else if (type == LMK_W_F16) {
        const uint16_t *h = (const uint16_t *)panel + j;
        for (int64_t i = 0; i < k; i++) out[i] = from_half(h[i * LMK_PANEL]) * factor;
    } else {
        const int8_t *q = (const int8_t *)panel + j;
        const float s = scales[row] * factor;
        for (int64_t i = 0; i < k; i++) out[i] = (float)q[i * LMK_PANEL] * s;
    }
}
