/* y = x · Wᵀ (+ bias) on packed weight panels (lmkernels.h), AVX2 + FMA.
 *
 * The register tile is up to 6 rows x 16 columns: 12 accumulators, two panel vectors and one
 * broadcast fill 15 of the 16 YMM registers (the shape of OpenBLAS's and BLIS's Haswell sgemm
 * kernels). Unlike them, x is read in place (its rows are contiguous and a block of them stays in
 * L2), and the weight panel needs no packing because it was packed at load. The whole k extent is
 * accumulated in registers, so every output is written once. One row (greedy decoding of one
 * sentence) splits k over four accumulator pairs to hide the FMA latency. */
#include "lmkernels.h"
#include <immintrin.h>
#include <string.h>

#define TARGET __attribute__((target("avx2,fma")))
#define INLINE static inline __attribute__((always_inline))

/* Writes a 16-wide row of results, or its first `cols` values at a panel that overhangs n. */
TARGET INLINE void store_row(float *y, __m256 lo, __m256 hi, int64_t cols) {
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

/* rows (1-6, a constant after inlining) x 16 columns over the whole k. */
TARGET INLINE void tile(const int rows, const float *x, int64_t ldx, int64_t k, const float *panel,
                        const float *bias16, float *y, int64_t ldy, int64_t cols) {
    __m256 c0[6], c1[6];
    const __m256 b0 = bias16 ? _mm256_loadu_ps(bias16) : _mm256_setzero_ps();
    const __m256 b1 = bias16 ? _mm256_loadu_ps(bias16 + 8) : _mm256_setzero_ps();
    for (int r = 0; r < rows; r++) { c0[r] = b0; c1[r] = b1; }
    for (int64_t i = 0; i < k; i++) {
        const __m256 w0 = _mm256_load_ps(panel + i * LMK_PANEL);
        const __m256 w1 = _mm256_load_ps(panel + i * LMK_PANEL + 8);
        for (int r = 0; r < rows; r++) {
            const __m256 a = _mm256_broadcast_ss(x + r * ldx + i);
            c0[r] = _mm256_fmadd_ps(a, w0, c0[r]);
            c1[r] = _mm256_fmadd_ps(a, w1, c1[r]);
        }
    }
    for (int r = 0; r < rows; r++) store_row(y + r * ldy, c0[r], c1[r], cols);
}

/* One row: k split four ways (i mod 4) so four independent FMA chains run per vector. */
TARGET INLINE void tile1(const float *x, int64_t k, const float *panel, const float *bias16, float *y,
                         int64_t cols) {
    __m256 lo[4], hi[4];
    for (int u = 0; u < 4; u++) { lo[u] = _mm256_setzero_ps(); hi[u] = _mm256_setzero_ps(); }
    if (bias16) { lo[0] = _mm256_loadu_ps(bias16); hi[0] = _mm256_loadu_ps(bias16 + 8); }
    int64_t i = 0;
    for (; i + 4 <= k; i += 4) {
        for (int u = 0; u < 4; u++) {
            const __m256 a = _mm256_broadcast_ss(x + i + u);
            lo[u] = _mm256_fmadd_ps(a, _mm256_load_ps(panel + (i + u) * LMK_PANEL), lo[u]);
            hi[u] = _mm256_fmadd_ps(a, _mm256_load_ps(panel + (i + u) * LMK_PANEL + 8), hi[u]);
        }
    }
    for (; i < k; i++) {
        const __m256 a = _mm256_broadcast_ss(x + i);
        lo[0] = _mm256_fmadd_ps(a, _mm256_load_ps(panel + i * LMK_PANEL), lo[0]);
        hi[0] = _mm256_fmadd_ps(a, _mm256_load_ps(panel + i * LMK_PANEL + 8), hi[0]);
    }
    const __m256 l = _mm256_add_ps(_mm256_add_ps(lo[0], lo[1]), _mm256_add_ps(lo[2], lo[3]));
    const __m256 h = _mm256_add_ps(_mm256_add_ps(hi[0], hi[1]), _mm256_add_ps(hi[2], hi[3]));
    store_row(y, l, h, cols);
}

TARGET void lmk_gemm_packed_avx2(const float *x, int64_t ldx, int64_t m, int64_t k, const float *packed,
                                 const float *tail, int64_t n, const float *bias, float *y, int64_t ldy,
                                 int64_t p0, int64_t p1) {
    const int64_t full = n / LMK_PANEL;
    if (m <= 0 || k <= 0 || p0 >= p1) {
        if (k <= 0) {
            /* An empty product is the bias (or zero). */
            for (int64_t r = 0; r < m; r++)
                for (int64_t c = p0 * LMK_PANEL; c < p1 * LMK_PANEL && c < n; c++) y[r * ldy + c] = bias ? bias[c] : 0.0f;
        }
        return;
    }
    /* Rows per block: as many as keep the block of x within ~192 KB (L2), a multiple of 6. */
    int64_t block = (192 * 1024 / 4) / k / 6 * 6;
    if (block < 6) block = 6;
    for (int64_t r0 = 0; r0 < m; r0 += block) {
        const int64_t r1 = r0 + block < m ? r0 + block : m;
        for (int64_t p = p0; p < p1; p++) {
            const float *panel = (p >= full && tail) ? tail : packed + p * LMK_PANEL * k;
            const int64_t c0 = p * LMK_PANEL;
            const int64_t cols = n - c0 < LMK_PANEL ? n - c0 : LMK_PANEL;
            float bias_tail[LMK_PANEL];
            const float *bias16 = NULL;
            if (bias) {
                if (cols == LMK_PANEL) {
                    bias16 = bias + c0;
                } else {
                    memset(bias_tail, 0, sizeof bias_tail);
                    memcpy(bias_tail, bias + c0, (size_t)cols * sizeof(float));
                    bias16 = bias_tail;
                }
            }
            float *yp = y + c0;
            int64_t r = r0;
            if (r1 - r0 == 1) {
                tile1(x + r * ldx, k, panel, bias16, yp + r * ldy, cols);
                continue;
            }
            for (; r + 6 <= r1; r += 6) tile(6, x + r * ldx, ldx, k, panel, bias16, yp + r * ldy, ldy, cols);
            switch (r1 - r) {
            case 5: tile(5, x + r * ldx, ldx, k, panel, bias16, yp + r * ldy, ldy, cols); break;
            case 4: tile(4, x + r * ldx, ldx, k, panel, bias16, yp + r * ldy, ldy, cols); break;
            case 3: tile(3, x + r * ldx, ldx, k, panel, bias16, yp + r * ldy, ldy, cols); break;
            case 2: tile(2, x + r * ldx, ldx, k, panel, bias16, yp + r * ldy, ldy, cols); break;
            case 1: tile1(x + r * ldx, k, panel, bias16, yp + r * ldy, cols); break;
            default: break;
            }
        }
    }
}
