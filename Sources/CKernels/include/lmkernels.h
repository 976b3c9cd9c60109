/* lmcore's own numeric kernels in C, where Swift cannot pick the instruction set per function.
 *
 * Packed weights: a linear layer's (N, K) weight, as PyTorch stores nn.Linear, is rearranged once
 * at load into panels of LMK_PANEL output features. Panel p holds rows 16p..16p+15 transposed:
 * panel[k * 16 + j] = W[16p + j][k], rows past N zero. A product then streams each panel from
 * memory once per block of input rows, with no per-call packing (OpenBLAS repacks B on every call,
 * which at decoder sizes, 1-256 rows, costs as much as the arithmetic).
 *
 * Every size is a non-negative int64_t checked by the caller (LMTensor/PackedMatrix.swift);
 * pointers are valid for the sizes given. */
#ifndef LMKERNELS_H
#define LMKERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LMK_PANEL 16

/* CPU feature bits the kernels dispatch on (cpuid, with the OS's XSAVE state checked). */
#define LMK_CPU_AVX2_FMA 1u /* with F16C */
#define LMK_CPU_AVX512F 2u
#define LMK_CPU_AVX512_VNNI 4u
#define LMK_CPU_AVX512_BF16 8u
#define LMK_CPU_AVX_VNNI 16u
#define LMK_CPU_AMX 32u
uint32_t lmk_cpu_features(void);

/* Runs task(context, i) for every i in [0, count) on `threads` threads: the caller and up to
 * threads - 1 pool workers that spin briefly for work before they sleep (thread_pool.c). Returns 0
 * when done, or -1 without running anything when the pool is serving another thread's call (or
 * on a platform without it): the caller then runs the work another way. */
typedef void (*lmk_task)(void *context, int64_t index);
int lmk_pool_run(int threads, lmk_task task, void *context, int64_t count);

/* Returns freed heap memory to the operating system (glibc's malloc_trim(0); a no-op elsewhere):
 * after a load has freed the float32 copies of packed weights. */
void lmk_release_free_memory(void);

/* Floats a packed (n, k) weight takes: ceil(n / 16) * 16 * k. */
int64_t lmk_packed_count(int64_t n, int64_t k);

/* Reduced-precision packing, same panel layout with 2-byte or 1-byte elements. float16: IEEE
 * half, round to nearest even (F16C). int8: per output feature (row of w) a scale
 * max|w_row| / 127 and q = round-to-nearest-even(w / scale) in [-127, 127], as CTranslate2
 * quantizes; an all-zero row gets scale 0. `scales` holds n floats. */
void lmk_pack_f16(const float *w, int64_t n, int64_t k, uint16_t *out, int64_t p0, int64_t p1);
void lmk_pack_i8(const float *w, int64_t n, int64_t k, int8_t *out, float *scales, int64_t p0, int64_t p1);

/* Stored int8 weights (`lmcore-cli convert --quantize int8`): lmk_quantize_i8_rows quantizes w (n, k)
 * row-major into q (n, k) and scales (n) exactly as lmk_pack_i8 does; lmk_pack_i8_rows packs such
 * rows into lmk_pack_i8's panels (the scales are used as they are), so a converted checkpoint packs
 * to the same bytes as its float original, without quantizing again. */
void lmk_quantize_i8_rows(const float *w, int64_t n, int64_t k, int8_t *q, float *scales);
void lmk_pack_i8_rows(const int8_t *q, int64_t n, int64_t k, int8_t *out, int64_t p0, int64_t p1);

/* Row `row` of a packed matrix of element type (0 float32, 1 float16, 2 int8), dequantized and
 * times `factor`, into out (k floats): an embedding lookup in a tied table, and unpacking. `tail`
 * as for the GEMMs; `scales` only for int8. */
void lmk_packed_row(int type, const void *packed, const void *tail, const float *scales, int64_t n, int64_t k,
                    int64_t row, float factor, float *out);

/* Packs panels [p0, p1) of w (n, k) row-major into out (lmk_packed_count floats). */
void lmk_pack(const float *w, int64_t n, int64_t k, float *out, int64_t p0, int64_t p1);

/* Packs w (n, k) where it lies: each full 16-row block of w becomes its panel (the same floats,
 * rearranged), and the last n % 16 rows, if any, go zero-padded to `tail` (16 * k floats), so a
 * large table (a tied lm head) is never held twice. `scratch` holds 16 * k floats. */
void lmk_pack_in_place(float *w, int64_t n, int64_t k, float *tail, float *scratch);

/* y(m, n) = x(m, k) · Wᵀ (+ bias(n)) for the output columns of panels [p0, p1); x rows are ldx
 * apart, y rows ldy apart. The last, partial panel is read from `tail` when it is not NULL (a
 * matrix packed in place), else from its place after the full panels. AVX2 + FMA: call only when
 * lmk_cpu_features() has LMK_CPU_AVX2_FMA. */
void lmk_gemm_packed_avx2(const float *x, int64_t ldx, int64_t m, int64_t k, const float *packed,
                          const float *tail, int64_t n, const float *bias, float *y, int64_t ldy, int64_t p0,
                          int64_t p1);

/* The same products with float16 or int8 (scaled per output feature) panels, widened to float32
 * in registers. */
void lmk_gemm_packed_f16_avx2(const float *x, int64_t ldx, int64_t m, int64_t k, const uint16_t *packed,
                              const uint16_t *tail, int64_t n, const float *bias, float *y, int64_t ldy, int64_t p0,
                              int64_t p1);
void lmk_gemm_packed_i8_avx2(const float *x, int64_t ldx, int64_t m, int64_t k, const int8_t *packed,
                             const int8_t *tail, const float *scales, int64_t n, const float *bias, float *y,
                             int64_t ldy, int64_t p0, int64_t p1);

/* The same three products with AVX-512F (one ZMM per panel row, 12-row tiles): call only when
 * lmk_cpu_features() has LMK_CPU_AVX512F. Same results up to float32 summation order. */
void lmk_gemm_packed_avx512(const float *x, int64_t ldx, int64_t m, int64_t k, const float *packed,
                            const float *tail, int64_t n, const float *bias, float *y, int64_t ldy, int64_t p0,
                            int64_t p1);
void lmk_gemm_packed_f16_avx512(const float *x, int64_t ldx, int64_t m, int64_t k, const uint16_t *packed,
                                const uint16_t *tail, int64_t n, const float *bias, float *y, int64_t ldy,
                                int64_t p0, int64_t p1);
void lmk_gemm_packed_i8_avx512(const float *x, int64_t ldx, int64_t m, int64_t k, const int8_t *packed,
                               const int8_t *tail, const float *scales, int64_t n, const float *bias, float *y,
                               int64_t ldy, int64_t p0, int64_t p1);

/* Integer products (gemm_int8_vnni.c): int8 weights in "quad panels" (16 output features x
 * groups of four k, k zero-padded to a multiple of 4: 16 * 4 * lmk_i8q_groups(k) bytes per panel),
 * one scale per feature as lmk_pack_i8 computes it, and each feature's sum of int8 weights
 * (`sums`, n values). Activations are quantized per row at each product, q = round-to-nearest-even
 * (x / s) with s = max|x_row| / 127, and stored as u = q + 128 (u8, lmk_i8q_groups(k) * 4 bytes per
 * row). k must be at most 65536 (the int32 sums cannot overflow). */
int64_t lmk_i8q_groups(int64_t k);
void lmk_pack_i8q(const float *w, int64_t n, int64_t k, int8_t *out, float *scales, int32_t *sums, int64_t p0,
                  int64_t p1);
/* The same quad panels and sums from int8 rows q (n, k) that lmk_quantize_i8_rows made. */
void lmk_pack_i8q_rows(const int8_t *q, int64_t n, int64_t k, int8_t *out, int32_t *sums, int64_t p0, int64_t p1);
/* Row `row` of W from quad panels, dequantized and times `factor` (k floats). */
void lmk_i8q_row(const int8_t *packed, const float *scales, int64_t k, int64_t row, float factor, float *out);
/* AVX-512 (F, BW, VL, VNNI): call only when lmk_cpu_features() has LMK_CPU_AVX512_VNNI. */
void lmk_quantize_rows_u8(const float *x, int64_t ldx, int64_t m, int64_t k, uint8_t *u, float *row_scales);
/* y(m, n), rows ldy apart, for the features of panels [p0, p1): (Σ u·w - 128 · sum) · s_row · scale
 * (+ bias). */
void lmk_gemm_i8q_vnni(const uint8_t *u, const float *row_scales, int64_t m, int64_t k, const int8_t *packed,
                       const float *scales, const int32_t *sums, int64_t n, const float *bias, float *y, int64_t ldy,
                       int64_t p0, int64_t p1);

#ifdef __cplusplus
}
#endif
#endif
