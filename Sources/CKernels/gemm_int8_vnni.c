/* y = x · Wᵀ (+ bias) in integer arithmetic: int8 weights (one scale per output feature) times
 * int8 activations quantized per row at each call, accumulated in int32 by AVX-512 VNNI's
 * vpdpbusd, then scaled back to float32. This is CTranslate2's "int8" compute type (there through
 * oneDNN or MKL's s8u8s32 GEMM); the layout and the kernel are lmcore's own.
 *
 * vpdpbusd multiplies unsigned bytes by signed bytes, four adjacent ones per 32-bit lane. So the
 * quantized activations q (in [-127, 127]) are stored shifted to u = q + 128 in [1, 255], and the
 * shift is taken back after the sum: Σ u·w = Σ q·w + 128 · Σ w, where Σ w, each output feature's
 * weight sum, is computed once at packing. The products are exact, so the result depends only on
 * the quantization, never on the instruction set or the blocking.
 *
 * Layout ("quad panels"): panel p holds output features 16p..16p+15; for each group of four k
 * (k padded with zeros to a multiple of 4) it stores 64 bytes: feature j's four weights at
 * bytes 4j..4j+3. One 512-bit load is then one group of the whole panel, and one broadcast 32-bit
 * word of u is the same group of one input row. */
#include "kernel_common.h"
#include <immintrin.h>
#include <string.h>

#define TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))
#define INLINE static inline __attribute__((always_inline))

int64_t lmk_i8q_groups(int64_t k) { return (k + 3) / 4; }

/* Values v[0..count) of row j at columns first.. (first a multiple of 4) into a quad panel; returns
 * their sum. A whole group of four is one 4-byte copy. */
static int32_t place_quad_values(int8_t *panel, int64_t j, int64_t first, const int8_t *v, int64_t count) {
    int32_t sum = 0;
    for (int64_t i = 0; i < count; i++) sum += v[i];
    int64_t i = 0;
    for (; i + 4 <= count; i += 4) memcpy(panel + ((first + i) / 4) * 64 + j * 4, v + i, 4);
    for (; i < count; i++) panel[((first + i) / 4) * 64 + j * 4 + (first + i) % 4] = v[i];
    return sum;
}

/* Quad panels [p0, p1) from float rows w (quantized here, as lmk_pack_i8 quantizes) or, when w is
 * NULL, from int8 rows q whose scales the caller has. */
static void pack_quad_panels(const float *w, const int8_t *q, int64_t n, int64_t k, int8_t *out, float *scales,
                             int32_t *sums, int64_t p0, int64_t p1) {
    const int64_t groups = lmk_i8q_groups(k);
    int8_t piece[256]; /* a multiple of 4: pieces keep the groups whole */
    for (int64_t p = p0; p < p1; p++) {
        int8_t *panel = out + p * LMK_PANEL * groups * 4;
        memset(panel, 0, (size_t)(LMK_PANEL * groups * 4));
        for (int64_t j = 0; j < LMK_PANEL; j++) {
            const int64_t row = p * LMK_PANEL + j;
            if (row >= n) continue;
            if (!w) {
                sums[row] = place_quad_values(panel, j, 0, q + row * k, k);
                continue;
            }
            const float *src = w + row * k;
            const float amax = lmk_abs_max(src, k), inverse = lmk_i8_inverse(amax);
            scales[row] = amax / 127.0f; /* as lmk_quantize_row_i8 */
            int32_t sum = 0;
            for (int64_t first = 0; first < k; first += 256) {
                const int64_t count = k - first < 256 ? k - first : 256;
                for (int64_t i = 0; i < count; i++) piece[i] = lmk_quantize_i8(src[first + i], inverse);
                sum += place_quad_values(panel, j, first, piece, count);
            }
            sums[row] = sum;
        }
    }
}

void lmk_pack_i8q(const float *w, int64_t n, int64_t k, int8_t *out, float *scales, int32_t *sums, int64_t p0,
                  int64_t p1) {
    pack_quad_panels(w, NULL, n, k, out, scales, sums, p0, p1);
}

void lmk_pack_i8q_rows(const int8_t *q, int64_t n, int64_t k, int8_t *out, int32_t *sums, int64_t p0, int64_t p1) {
    pack_quad_panels(NULL, q, n, k, out, NULL, sums, p0, p1);
}

void lmk_i8q_row(const int8_t *packed, const float *scales, int64_t k, int64_t row, float factor, float *out) {
    const int64_t groups = lmk_i8q_groups(k);
    const int8_t *panel = packed + (row / LMK_PANEL) * LMK_PANEL * groups * 4;
    const int64_t j = row % LMK_PANEL;
    const float s = scales[row] * factor;
    for (int64_t i = 0; i < k; i++) out[i] = (float)panel[(i / 4) * 64 + j * 4 + (i % 4)] * s;
}

TARGET void lmk_quantize_rows_u8(const float *x, int64_t ldx, int64_t m, int64_t k, uint8_t *u, float *row_scales) {
    const int64_t width = lmk_i8q_groups(k) * 4;
    for (int64_t r = 0; r < m; r++) {
        const float *src = x + r * ldx;
        uint8_t *dst = u + r * width;
        __m512 vmax = _mm512_setzero_ps();
        __mmask16 nan = 0;
        int64_t i = 0;
        for (; i + 16 <= k; i += 16) {
            const __m512 v = _mm512_loadu_ps(src + i);
            nan |= _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
            vmax = _mm512_max_ps(vmax, _mm512_abs_ps(v));
        }
        float amax = nan ? __builtin_nanf("") : _mm512_reduce_max_ps(vmax);
        for (; i < k; i++) {
            const float a = src[i] < 0 ? -src[i] : src[i];
            if (a > amax || a != a) amax = a;
            if (amax != amax) break;
        }
        /* A NaN or infinite activation has no int8 image: the row's scale is NaN or infinite and so
         * is every output of the row, as float32 arithmetic would propagate it. */
        row_scales[r] = amax / 127.0f;
        const float inverse = lmk_i8_inverse(amax);
        /* cvtps_epi32 rounds to nearest even (the default MXCSR mode); the clamp is for rounding
         * at ±127.x only, since |x · inverse| <= 127 up to one ulp. */
        const __m512 vinv = _mm512_set1_ps(inverse);
        const __m512i lo = _mm512_set1_epi32(-127), hi = _mm512_set1_epi32(127), bias = _mm512_set1_epi32(128);
        i = 0;
        for (; i + 16 <= k; i += 16) {
            __m512i q = _mm512_cvtps_epi32(_mm512_mul_ps(_mm512_loadu_ps(src + i), vinv));
            q = _mm512_add_epi32(_mm512_min_epi32(_mm512_max_epi32(q, lo), hi), bias);
            _mm_storeu_si128((__m128i *)(dst + i), _mm512_cvtepi32_epi8(q));
        }
        for (; i < k; i++) dst[i] = (uint8_t)(lmk_quantize_i8(src[i], inverse) + 128);
        for (; i < width; i++) dst[i] = 128; /* times a zero weight */
    }
}

/* The 32-bit word of four u bytes at `p` (any alignment). */
INLINE int32_t word_at(const uint8_t *p) {
    int32_t w;
    memcpy(&w, p, 4);
    return w;
}

/* Writes (acc - 128·sum) · row_scale · scale + bias for one row, masked to the features that exist. */
TARGET INLINE void store_row(float *y, __m512i acc, __m512i shift, float row_scale, __m512 scale, __m512 bias,
                             __mmask16 mask) {
    const __m512 v = _mm512_cvtepi32_ps(_mm512_sub_epi32(acc, shift));
    const __m512 out = _mm512_fmadd_ps(v, _mm512_mul_ps(scale, _mm512_set1_ps(row_scale)), bias);
    _mm512_mask_storeu_ps(y, mask, out);
}

/* rows (1-12, a constant after inlining) x 16 features over every group. One row splits the groups
 * over four accumulators to hide vpdpbusd's latency. */
TARGET INLINE void tile(const int rows, const uint8_t *u, int64_t width, const float *row_scales, int64_t groups,
                        const int8_t *panel, __m512i shift, __m512 scale, __m512 bias, float *y, int64_t ldy,
                        __mmask16 mask) {
    __m512i c[12];
    if (rows == 1) {
        __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
        int64_t g = 0;
        for (; g + 4 <= groups; g += 4) {
            a0 = _mm512_dpbusd_epi32(a0, _mm512_set1_epi32(word_at(u + g * 4)), _mm512_load_si512(panel + g * 64));
            a1 = _mm512_dpbusd_epi32(a1, _mm512_set1_epi32(word_at(u + (g + 1) * 4)), _mm512_load_si512(panel + g * 64 + 64));
            a2 = _mm512_dpbusd_epi32(a2, _mm512_set1_epi32(word_at(u + (g + 2) * 4)), _mm512_load_si512(panel + g * 64 + 128));
            a3 = _mm512_dpbusd_epi32(a3, _mm512_set1_epi32(word_at(u + (g + 3) * 4)), _mm512_load_si512(panel + g * 64 + 192));
        }
        for (; g < groups; g++)
            a0 = _mm512_dpbusd_epi32(a0, _mm512_set1_epi32(word_at(u + g * 4)), _mm512_load_si512(panel + g * 64));
        const __m512i acc = _mm512_add_epi32(_mm512_add_epi32(a0, a1), _mm512_add_epi32(a2, a3));
        store_row(y, acc, shift, row_scales[0], scale, bias, mask);
        return;
    }
    for (int r = 0; r < rows; r++) c[r] = _mm512_setzero_si512();
    for (int64_t g = 0; g < groups; g++) {
        const __m512i wv = _mm512_load_si512(panel + g * 64);
        for (int r = 0; r < rows; r++) {
            c[r] = _mm512_dpbusd_epi32(c[r], _mm512_set1_epi32(word_at(u + r * width + g * 4)), wv);
        }
    }
    for (int r = 0; r < rows; r++) store_row(y + r * ldy, c[r], shift, row_scales[r], scale, bias, mask);
}

/* rows (1-12) x 32 features: two quad panels at once, 24 accumulators, so each broadcast word of u
 * serves two vpdpbusd (as the float kernel's tile2). Integer sums: the same results as `tile`. */
TARGET INLINE void tile2(const int rows, const uint8_t *u, int64_t width, const float *row_scales, int64_t groups,
                         const int8_t *pa, const int8_t *pb, __m512i sha, __m512i shb, __m512 sa, __m512 sb,
                         __m512 ba, __m512 bb, float *y, int64_t ldy, __mmask16 mb) {
    __m512i c[12], d[12];
    for (int r = 0; r < rows; r++) c[r] = d[r] = _mm512_setzero_si512();
    for (int64_t g = 0; g < groups; g++) {
        const __m512i wa = _mm512_load_si512(pa + g * 64), wb = _mm512_load_si512(pb + g * 64);
        for (int r = 0; r < rows; r++) {
            const __m512i ur = _mm512_set1_epi32(word_at(u + r * width + g * 4));
            c[r] = _mm512_dpbusd_epi32(c[r], ur, wa);
            d[r] = _mm512_dpbusd_epi32(d[r], ur, wb);
        }
    }
    for (int r = 0; r < rows; r++) {
        store_row(y + r * ldy, c[r], sha, row_scales[r], sa, ba, (__mmask16)0xFFFF);
        store_row(y + r * ldy + LMK_PANEL, d[r], shb, row_scales[r], sb, bb, mb);
    }
}

TARGET void lmk_gemm_i8q_vnni(const uint8_t *u, const float *row_scales, int64_t m, int64_t k,
                              const int8_t *packed, const float *scales, const int32_t *sums, int64_t n,
                              const float *bias, float *y, int64_t ldy, int64_t p0, int64_t p1) {
    if (m <= 0 || p0 >= p1) return;
    const int64_t groups = lmk_i8q_groups(k), width = groups * 4;
    /* Rows per block: as many as keep the block of u within ~128 KB (L2), a multiple of 12. */
    int64_t block = (128 * 1024) / (width > 0 ? width : 1) / 12 * 12;
    if (block < 12) block = 12;
    for (int64_t r0 = 0; r0 < m; r0 += block) {
        const int64_t r1 = r0 + block < m ? r0 + block : m;
        int64_t p = p0;
        /* Pairs of panels while the first is full (the second may be the partial last one). */
        for (; r1 - r0 > 1 && p + 1 < p1 && (p + 1) * LMK_PANEL < n; p += 2) {
            const int8_t *pa = packed + p * LMK_PANEL * width, *pb = pa + LMK_PANEL * width;
            const int64_t c0 = p * LMK_PANEL, c1 = c0 + LMK_PANEL;
            const int64_t cols = n - c1 < LMK_PANEL ? n - c1 : LMK_PANEL;
            const __mmask16 mb = (__mmask16)((1u << cols) - 1u);
            const __m512 sa = _mm512_loadu_ps(scales + c0), sb = _mm512_maskz_loadu_ps(mb, scales + c1);
            const __m512 ba = bias ? _mm512_loadu_ps(bias + c0) : _mm512_setzero_ps();
            const __m512 bb = bias ? _mm512_maskz_loadu_ps(mb, bias + c1) : _mm512_setzero_ps();
            const __m512i sha = _mm512_slli_epi32(_mm512_loadu_si512(sums + c0), 7);
            const __m512i shb = _mm512_slli_epi32(_mm512_maskz_loadu_epi32(mb, sums + c1), 7);
            float *yp = y + c0;
            int64_t r = r0;
            for (; r + 12 <= r1; r += 12)
                tile2(12, u + r * width, width, row_scales + r, groups, pa, pb, sha, shb, sa, sb, ba, bb, yp + r * ldy,
                      ldy, mb);
#define TAIL2(R) case R: tile2(R, u + r * width, width, row_scales + r, groups, pa, pb, sha, shb, sa, sb, ba, bb, \
                               yp + r * ldy, ldy, mb); break;
            switch (r1 - r) {
            TAIL2(11) TAIL2(10) TAIL2(9) TAIL2(8) TAIL2(7) TAIL2(6) TAIL2(5) TAIL2(4) TAIL2(3) TAIL2(2) TAIL2(1)
            default: break;
            }
#undef TAIL2
        }
        for (; p < p1; p++) {
            const int8_t *panel = packed + p * LMK_PANEL * width;
            const int64_t c0 = p * LMK_PANEL;
            const int64_t cols = n - c0 < LMK_PANEL ? n - c0 : LMK_PANEL;
            const __mmask16 mask = (__mmask16)((1u << cols) - 1u);
            const __m512 scale = _mm512_maskz_loadu_ps(mask, scales + c0);
            const __m512 bias16 = bias ? _mm512_maskz_loadu_ps(mask, bias + c0) : _mm512_setzero_ps();
            const __m512i shift = _mm512_slli_epi32(_mm512_maskz_loadu_epi32(mask, sums + c0), 7);
            float *yp = y + c0;
            int64_t r = r0;
            for (; r + 12 <= r1; r += 12)
                tile(12, u + r * width, width, row_scales + r, groups, panel, shift, scale, bias16, yp + r * ldy, ldy, mask);
#define TAIL(R) case R: tile(R, u + r * width, width, row_scales + r, groups, panel, shift, scale, bias16, yp + r * ldy, ldy, mask); break;
            switch (r1 - r) {
            TAIL(11) TAIL(10) TAIL(9) TAIL(8) TAIL(7) TAIL(6) TAIL(5) TAIL(4) TAIL(3) TAIL(2) TAIL(1)
            default: break;
            }
#undef TAIL
        }
    }
}
