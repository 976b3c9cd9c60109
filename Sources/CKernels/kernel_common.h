/* Scalar pieces shared by the kernel files (not part of lmkernels.h's interface). */
#ifndef LMK_KERNEL_COMMON_H
#define LMK_KERNEL_COMMON_H

#include "lmkernels.h"

/* Weight storage codes of lmk_packed_row and the float kernels. */
enum { LMK_W_F32 = 0, LMK_W_F16 = 1, LMK_W_I8 = 2 };

/* Bytes per weight of each storage code. */
static inline int64_t lmk_weight_size(const int type) { return type == LMK_W_F32 ? 4 : type == LMK_W_F16 ? 2 : 1; }

/* Round to nearest, ties to even (nearbyint under the default rounding mode, without libm). */
static inline float lmk_round_even(float v) {
    const float big = 8388608.0f; /* 2^23: adding and subtracting it rounds to an integer */
    if (v >= big || v <= -big) return v;
    return v >= 0 ? (v + big) - big : (v - big) + big;
}

/* v · inverse rounded to nearest even and clamped to [-127, 127]: one int8 value of a row whose
 * scale is 1 / inverse (CTranslate2's symmetric quantization). NaN becomes 0. */
static inline int8_t lmk_quantize_i8(float v, float inverse) {
    float q = lmk_round_even(v * inverse);
    if (q > 127.0f) q = 127.0f;
    if (q < -127.0f) q = -127.0f;
    if (q != q) q = 0.0f;
    return (int8_t)q;
}

/* max |row[i]| over k values. */
static inline float lmk_abs_max(const float *row, int64_t k) {
    float amax = 0.0f;
    for (int64_t i = 0; i < k; i++) {
        const float a = row[i] < 0 ? -row[i] : row[i];
        if (a > amax) amax = a;
    }
    return amax;
}

/* 127 / amax, or 0 for an all-zero (or non-finite) row, whose values then quantize to 0. */
static inline float lmk_i8_inverse(float amax) { return amax > 0 && amax <= 3.4e38f ? 127.0f / amax : 0.0f; }

/* One weight row's symmetric int8 quantization: q[i] = lmk_quantize_i8(src[i]), returns the scale
 * max|src| / 127. The one definition packing (lmk_pack_i8, lmk_pack_i8q) and the int8 converter
 * (lmk_quantize_i8_rows) share, so a stored int8 checkpoint packs to the same bytes. */
static inline float lmk_quantize_row_i8(const float *src, int64_t k, int8_t *q, int64_t q_stride) {
    const float amax = lmk_abs_max(src, k), inverse = lmk_i8_inverse(amax);
    for (int64_t i = 0; i < k; i++) q[i * q_stride] = lmk_quantize_i8(src[i], inverse);
    return amax / 127.0f;
}

/* y(m, columns of panels [p0, p1)) = bias (or 0): the product when k is 0. */
static inline void lmk_empty_product(int64_t m, int64_t n, const float *bias, float *y, int64_t ldy, int64_t p0,
                                     int64_t p1) {
    for (int64_t r = 0; r < m; r++)
        for (int64_t c = p0 * LMK_PANEL; c < p1 * LMK_PANEL && c < n; c++) y[r * ldy + c] = bias ? bias[c] : 0.0f;
}

#endif
