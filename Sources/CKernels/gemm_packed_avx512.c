/* y = x · Wᵀ (+ bias) on packed weight panels (lmkernels.h), AVX-512F, for weights stored as
 * float32, float16 or int8 with one float32 scale per output feature: the same products as
 * gemm_packed_avx2.c, with a panel's 16 columns in one ZMM register.
 *
 * The register tile is up to 12 rows x 32 columns (two panels): 24 accumulators and the two weight
 * vectors use 26 of the 32 ZMM registers, each weight vector loaded serves 12 FMAs and each
 * broadcast of x two (the AVX2 tile: 6 rows, 2 vectors each). A last odd panel runs the 12 x 16 tile. One row splits
 * k over four accumulators to hide the FMA latency. Weights are widened to float32 in registers, so
 * the arithmetic is float32 and the results equal the AVX2 kernel's up to summation order. */
#include "kernel_common.h"
#include <immintrin.h>
#include <string.h>

#define TARGET __attribute__((target("avx512f,fma,f16c")))
#define INLINE static inline __attribute__((always_inline))

/* Weights i*16 .. i*16+15 of a panel as one float32 vector. */
TARGET INLINE __m512 load16(const int type, const void *panel, int64_t i) {
    if (type == LMK_W_F32) return _mm512_load_ps((const float *)panel + i * LMK_PANEL);
    if (type == LMK_W_F16) return _mm512_cvtph_ps(_mm256_load_si256((const __m256i *)((const uint16_t *)panel + i * LMK_PANEL)));
    return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_load_si128((const __m128i *)((const int8_t *)panel + i * LMK_PANEL))));
}

/* Writes acc · scale + bias for one row of 16, masked to the columns that exist. */
TARGET INLINE void store_row(float *y, __m512 acc, __m512 scale, __m512 bias, __mmask16 mask) {
    _mm512_mask_storeu_ps(y, mask, _mm512_fmadd_ps(acc, scale, bias));
}

/* rows (1-12, a constant after inlining) x 16 columns over the whole k. */
TARGET INLINE void tile(const int type, const int rows, const float *x, int64_t ldx, int64_t k, const void *panel,
                        __m512 scale, __m512 bias, float *y, int64_t ldy, __mmask16 mask) {
    if (rows == 1) {
        __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        int64_t i = 0;
        for (; i + 4 <= k; i += 4) {
            a0 = _mm512_fmadd_ps(_mm512_set1_ps(x[i]), load16(type, panel, i), a0);
            a1 = _mm512_fmadd_ps(_mm512_set1_ps(x[i + 1]), load16(type, panel, i + 1), a1);
            a2 = _mm512_fmadd_ps(_mm512_set1_ps(x[i + 2]), load16(type, panel, i + 2), a2);
            a3 = _mm512_fmadd_ps(_mm512_set1_ps(x[i + 3]), load16(type, panel, i + 3), a3);
        }
        for (; i < k; i++) a0 = _mm512_fmadd_ps(_mm512_set1_ps(x[i]), load16(type, panel, i), a0);
        store_row(y, _mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)), scale, bias, mask);
        return;
    }
    __m512 c[12];
    for (int r = 0; r < rows; r++) c[r] = _mm512_setzero_ps();
    for (int64_t i = 0; i < k; i++) {
        const __m512 w = load16(type, panel, i);
        for (int r = 0; r < rows; r++) c[r] = _mm512_fmadd_ps(_mm512_set1_ps(x[r * ldx + i]), w, c[r]);
    }
    for (int r = 0; r < rows; r++) store_row(y + r * ldy, c[r], scale, bias, mask);
}

/* rows (1-12, a constant after inlining) x 32 columns: two panels at once, 24 accumulators. Each
 * broadcast of x now serves two FMAs (13 loads per 12 FMAs in `tile`, 14 per 24 here), which is what
 * bounds the one-panel tile on a CPU with two 512-bit FMA pipes. Every output is still one
 * accumulator summed over k in order, so the results are `tile`'s bit for bit. */
TARGET INLINE void tile2(const int type, const int rows, const float *x, int64_t ldx, int64_t k, const void *pa,
                         const void *pb, __m512 sa, __m512 sb, __m512 ba, __m512 bb, float *y, int64_t ldy,
                         __mmask16 mb) {
    __m512 c[12], d[12];
    for (int r = 0; r < rows; r++) c[r] = d[r] = _mm512_setzero_ps();
    for (int64_t i = 0; i < k; i++) {
        const __m512 wa = load16(type, pa, i), wb = load16(type, pb, i);
        for (int r = 0; r < rows; r++) {
            const __m512 xr = _mm512_set1_ps(x[r * ldx + i]);
            c[r] = _mm512_fmadd_ps(xr, wa, c[r]);
            d[r] = _mm512_fmadd_ps(xr, wb, d[r]);
        }
    }
    for (int r = 0; r < rows; r++) {
        store_row(y + r * ldy, c[r], sa, ba, (__mmask16)0xFFFF);
        store_row(y + r * ldy + LMK_PANEL, d[r], sb, bb, mb);
    }
}

TARGET INLINE void gemm(const int type, const float *x, int64_t ldx, int64_t m, int64_t k, const void *packed,
                        const void *tail, const float *scales, int64_t n, const float *bias, float *y, int64_t ldy,
                        int64_t p0, int64_t p1) {
    if (m <= 0 || p0 >= p1) return;
    if (k <= 0) {
        lmk_empty_product(m, n, bias, y, ldy, p0, p1);
        return;
    }
    const int64_t full = n / LMK_PANEL;
    const int64_t panel_bytes = LMK_PANEL * k * lmk_weight_size(type);
    /* Rows per block: as many as keep the block of x within ~192 KB (L2), a multiple of 12. */
    int64_t block = (192 * 1024 / 4) / k / 12 * 12;
    if (block < 12) block = 12;
    for (int64_t r0 = 0; r0 < m; r0 += block) {
        const int64_t r1 = r0 + block < m ? r0 + block : m;
        int64_t p = p0;
        /* Pairs of panels while the first of a pair is full (the second may be the partial last one). */
        for (; r1 - r0 > 1 && p + 1 < p1 && p < full; p += 2) {
            const void *pa = (const char *)packed + p * panel_bytes;
            const void *pb = (p + 1 >= full && tail) ? tail : (const char *)packed + (p + 1) * panel_bytes;
            const int64_t c0 = p * LMK_PANEL;
            const int64_t cols = n - c0 - LMK_PANEL < LMK_PANEL ? n - c0 - LMK_PANEL : LMK_PANEL;
            const __mmask16 mb = (__mmask16)((1u << cols) - 1u);
            const __m512 sa = scales ? _mm512_loadu_ps(scales + c0) : _mm512_set1_ps(1.0f);
            const __m512 sb = scales ? _mm512_maskz_loadu_ps(mb, scales + c0 + LMK_PANEL) : _mm512_set1_ps(1.0f);
            const __m512 ba = bias ? _mm512_loadu_ps(bias + c0) : _mm512_setzero_ps();
            const __m512 bb = bias ? _mm512_maskz_loadu_ps(mb, bias + c0 + LMK_PANEL) : _mm512_setzero_ps();
            float *yp = y + c0;
            int64_t r = r0;
            for (; r + 12 <= r1; r += 12)
                tile2(type, 12, x + r * ldx, ldx, k, pa, pb, sa, sb, ba, bb, yp + r * ldy, ldy, mb);
#define TAIL2(R) case R: tile2(type, R, x + r * ldx, ldx, k, pa, pb, sa, sb, ba, bb, yp + r * ldy, ldy, mb); break;
            switch (r1 - r) {
            TAIL2(11) TAIL2(10) TAIL2(9) TAIL2(8) TAIL2(7) TAIL2(6) TAIL2(5) TAIL2(4) TAIL2(3) TAIL2(2) TAIL2(1)
            default: break;
            }
#undef TAIL2
        }
        for (; p < p1; p++) {
            const void *panel = (p >= full && tail) ? tail : (const char *)packed + p * panel_bytes;
            const int64_t c0 = p * LMK_PANEL;
            const int64_t cols = n - c0 < LMK_PANEL ? n - c0 : LMK_PANEL;
            const __mmask16 mask = (__mmask16)((1u << cols) - 1u);
            const __m512 scale = scales ? _mm512_maskz_loadu_ps(mask, scales + c0) : _mm512_set1_ps(1.0f);
            const __m512 bias16 = bias ? _mm512_maskz_loadu_ps(mask, bias + c0) : _mm512_setzero_ps();
            float *yp = y + c0;
            int64_t r = r0;
            for (; r + 12 <= r1; r += 12)
                tile(type, 12, x + r * ldx, ldx, k, panel, scale, bias16, yp + r * ldy, ldy, mask);
#define TAIL(R) case R: tile(type, R, x + r * ldx, ldx, k, panel, scale, bias16, yp + r * ldy, ldy, mask); break;
            switch (r1 - r) {
            TAIL(11) TAIL(10) TAIL(9) TAIL(8) TAIL(7) TAIL(6) TAIL(5) TAIL(4) TAIL(3) TAIL(2) TAIL(1)
            default: break;
            }
#undef TAIL
        }
    }
}

TARGET void lmk_gemm_packed_avx512(const float *x, int64_t ldx, int64_t m, int64_t k, const float *packed,
                                   const float *tail, int64_t n, const float *bias, float *y, int64_t ldy,
                                   int64_t p0, int64_t p1) {
    gemm(LMK_W_F32, x, ldx, m, k, packed, tail, NULL, n, bias, y, ldy, p0, p1);
}

TARGET void lmk_gemm_packed_f16_avx512(const float *x, int64_t ldx, int64_t m, int64_t k, const uint16_t *packed,
                                       const uint16_t *tail, int64_t n, const float *bias, float *y, int64_t ldy,
                                       int64_t p0, int64_t p1) {
    gemm(LMK_W_F16, x, ldx, m, k, packed, tail, NULL, n, bias, y, ldy, p0, p1);
}

TARGET void lmk_gemm_packed_i8_avx512(const float *x, int64_t ldx, int64_t m, int64_t k, const int8_t *packed,
                                      const int8_t *tail, const float *scales, int64_t n, const float *bias,
                                      float *y, int64_t ldy, int64_t p0, int64_t p1) {
    gemm(LMK_W_I8, x, ldx, m, k, packed, tail, scales, n, bias, y, ldy, p0, p1);
}
