/* y = x · Wᵀ (+ bias) on packed weight panels (lmkernels.h), AVX2 + FMA, for weights stored as
 * float32, float16 (F16C converts them) or int8 with one float32 scale per output feature.
 *
 * The register tile is up to 6 rows x 16 columns: 12 accumulators, two weight vectors and one
 * broadcast fill 15 of the 16 YMM registers (the shape of OpenBLAS's and BLIS's Haswell sgemm
 * kernels). Unlike them, x is read in place (its rows are contiguous and a block of them stays in
 * L2), and the weight panel needs no packing because it was packed at load. The whole k extent is
 * accumulated in registers, so every output is written once: y = acc (· scale) + bias. One row
 * (greedy decoding of one sentence) splits k over four accumulator pairs to hide the FMA latency.
 * Reduced-precision weights are widened to float32 in registers: the arithmetic is float32 and
 * only memory traffic shrinks, which is what bounds the decoder's products of a few rows. */
#include "kernel_common.h"
#include <immintrin.h>
#include <string.h>

#define TARGET __attribute__((target("avx2,fma,f16c")))
#define INLINE static inline __attribute__((always_inline))

/* Weights i*16 .. i*16+15 of a panel as two float32 vectors. */
TARGET INLINE void load16(const int type, const void *panel, int64_t i, __m256 *lo, __m256 *hi) {
    if (type == LMK_W_F32) {
        const float *p = (const float *)panel + i * LMK_PANEL;
        *lo = _mm256_load_ps(p);
        *hi = _mm256_load_ps(p + 8);
    } else if (type == LMK_W_F16) {
        const uint16_t *p = (const uint16_t *)panel + i * LMK_PANEL;
        *lo = _mm256_cvtph_ps(_mm_load_si128((const __m128i *)p));
        *hi = _mm256_cvtph_ps(_mm_load_si128((const __m128i *)(p + 8)));
    } else {
        const int8_t *p = (const int8_t *)panel + i * LMK_PANEL;
        *lo = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)p)));
        *hi = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(p + 8))));
    }
}

/* Writes acc · scale + bias for one row of 16, or its first `cols` values at a panel that
 * overhangs n. scale16 / bias16 are NULL when absent. */
TARGET INLINE void store_row(float *y, __m256 lo, __m256 hi, const float *scale16, const float *bias16,
                             int64_t cols) {
    if (scale16) {
        lo = _mm256_mul_ps(lo, _mm256_loadu_ps(scale16));
        hi = _mm256_mul_ps(hi, _mm256_loadu_ps(scale16 + 8));
    }
    if (bias16) {
        lo = _mm256_add_ps(lo, _mm256_loadu_ps(bias16));
        hi = _mm256_add_ps(hi, _mm256_loadu_ps(bias16 + 8));
    }
    if (cols == LMK_PANEL) {
        _mm256_storeu_ps(y, lo);
        _mm256_storeu_ps(y + 8, hi);
    } else {
        float tmp[LMK_PANEL];
        _mm256_storeu_ps(tmp, lo);
        _mm256_storeu_ps(tmp + 8, hi);
        memcpy(y, tmp, (size_t)cols * sizeof(float));
    }
}

/* rows (2-6, a constant after inlining) x 16 columns over the whole k. */
TARGET INLINE void tile(const int type, const int rows, const float *x, int64_t ldx, int64_t k, const void *panel,
                        const float *scale16, const float *bias16, float *y, int64_t ldy, int64_t cols) {
    __m256 c0[6], c1[6];
    for (int r = 0; r < rows; r++) { c0[r] = _mm256_setzero_ps(); c1[r] = _mm256_setzero_ps(); }
    for (int64_t i = 0; i < k; i++) {
        __m256 w0, w1;
        load16(type, panel, i, &w0, &w1);
        for (int r = 0; r < rows; r++) {
            const __m256 a = _mm256_broadcast_ss(x + r * ldx + i);
            c0[r] = _mm256_fmadd_ps(a, w0, c0[r]);
            c1[r] = _mm256_fmadd_ps(a, w1, c1[r]);
        }
    }
    for (int r = 0; r < rows; r++) store_row(y + r * ldy, c0[r], c1[r], scale16, bias16, cols);
}

/* One row: k split four ways (i mod 4) so four independent FMA chains run per vector. */
TARGET INLINE void tile1(const int type, const float *x, int64_t k, const void *panel, const float *scale16,
                         const float *bias16, float *y, int64_t cols) {
    __m256 lo[4], hi[4];
    for (int u = 0; u < 4; u++) { lo[u] = _mm256_setzero_ps(); hi[u] = _mm256_setzero_ps(); }
    int64_t i = 0;
    for (; i + 4 <= k; i += 4) {
        for (int u = 0; u < 4; u++) {
            __m256 w0, w1;
            load16(type, panel, i + u, &w0, &w1);
            const __m256 a = _mm256_broadcast_ss(x + i + u);
            lo[u] = _mm256_fmadd_ps(a, w0, lo[u]);
            hi[u] = _mm256_fmadd_ps(a, w1, hi[u]);
        }
    }
    for (; i < k; i++) {
        __m256 w0, w1;
        load16(type, panel, i, &w0, &w1);
        const __m256 a = _mm256_broadcast_ss(x + i);
        lo[0] = _mm256_fmadd_ps(a, w0, lo[0]);
        hi[0] = _mm256_fmadd_ps(a, w1, hi[0]);
    }
    const __m256 l = _mm256_add_ps(_mm256_add_ps(lo[0], lo[1]), _mm256_add_ps(lo[2], lo[3]));
    const __m256 h = _mm256_add_ps(_mm256_add_ps(hi[0], hi[1]), _mm256_add_ps(hi[2], hi[3]));
    store_row(y, l, h, scale16, bias16, cols);
}

/* 16 values of a per-column vector (bias or scale) at column c0, zero-padded past n. */
INLINE const float *columns16(const float *v, int64_t c0, int64_t cols, float *tmp) {
    if (!v) return NULL;
    if (cols == LMK_PANEL) return v + c0;
    memset(tmp, 0, LMK_PANEL * sizeof(float));
    memcpy(tmp, v + c0, (size_t)cols * sizeof(float));
    return tmp;
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
    /* Rows per block: as many as keep the block of x within ~192 KB (L2), a multiple of 6. */
    int64_t block = (192 * 1024 / 4) / k / 6 * 6;
    if (block < 6) block = 6;
    for (int64_t r0 = 0; r0 < m; r0 += block) {
        const int64_t r1 = r0 + block < m ? r0 + block : m;
        for (int64_t p = p0; p < p1; p++) {
            const void *panel = (p >= full && tail) ? tail : (const char *)packed + p * panel_bytes;
            const int64_t c0 = p * LMK_PANEL;
            const int64_t cols = n - c0 < LMK_PANEL ? n - c0 : LMK_PANEL;
            float bias_tmp[LMK_PANEL], scale_tmp[LMK_PANEL];
            const float *bias16 = columns16(bias, c0, cols, bias_tmp);
            const float *scale16 = columns16(scales, c0, cols, scale_tmp);
            float *yp = y + c0;
            int64_t r = r0;
            for (; r + 6 <= r1; r += 6) tile(type, 6, x + r * ldx, ldx, k, panel, scale16, bias16, yp + r * ldy, ldy, cols);
            switch (r1 - r) {
            case 5: tile(type, 5, x + r * ldx, ldx, k, panel, scale16, bias16, yp + r * ldy, ldy, cols); break;
            case 4: tile(type, 4, x + r * ldx, ldx, k, panel, scale16, bias16, yp + r * ldy, ldy, cols); break;
            case 3: tile(type, 3, x + r * ldx, ldx, k, panel, scale16, bias16, yp + r * ldy, ldy, cols); break;
            case 2: tile(type, 2, x + r * ldx, ldx, k, panel, scale16, bias16, yp + r * ldy, ldy, cols); break;
            case 1: tile1(type, x + r * ldx, k, panel, scale16, bias16, yp + r * ldy, cols); break;
            default: break;
            }
        }
    }
}

TARGET void lmk_gemm_packed_avx2(const float *x, int64_t ldx, int64_t m, int64_t k, const float *packed,
                                 const float *tail, int64_t n, const float *bias, float *y, int64_t ldy,
                                 int64_t p0, int64_t p1) {
    gemm(LMK_W_F32, x, ldx, m, k, packed, tail, NULL, n, bias, y, ldy, p0, p1);
}

TARGET void lmk_gemm_packed_f16_avx2(const float *x, int64_t ldx, int64_t m, int64_t k, const uint16_t *packed,
                                     const uint16_t *tail, int64_t n, const float *bias, float *y, int64_t ldy,
                                     int64_t p0, int64_t p1) {
    gemm(LMK_W_F16, x, ldx, m, k, packed, tail, NULL, n, bias, y, ldy, p0, p1);
}

TARGET void lmk_gemm_packed_i8_avx2(const float *x, int64_t ldx, int64_t m, int64_t k, const int8_t *packed,
                                    const int8_t *tail, const float *scales, int64_t n, const float *bias, float *y,
                                    int64_t ldy, int64_t p0, int64_t p1) {
    gemm(LMK_W_I8, x, ldx, m, k, packed, tail, scales, n, bias, y, ldy, p0, p1);
}
