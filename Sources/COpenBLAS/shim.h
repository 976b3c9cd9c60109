// The part of OpenBLAS's ABI lmcore uses, declared here rather than included from cblas.h:
// LMTensor/BLAS.swift resolves these functions with dlopen/dlsym at run time (so that it can
// choose OpenBLAS's kernels before the library initialises itself), and nothing links against
// libopenblas. Values and signatures are those of cblas.h (OpenBLAS 0.3.x, 32-bit blasint).
#ifndef LMCORE_COPENBLAS_SHIM_H
#define LMCORE_COPENBLAS_SHIM_H

enum lmcore_cblas_order { LMCORE_CBLAS_ROW_MAJOR = 101, LMCORE_CBLAS_COL_MAJOR = 102 };
enum lmcore_cblas_transpose { LMCORE_CBLAS_NO_TRANS = 111, LMCORE_CBLAS_TRANS = 112 };

typedef void (*lmcore_cblas_sgemm_fn)(enum lmcore_cblas_order order, enum lmcore_cblas_transpose transa,
                                      enum lmcore_cblas_transpose transb, int m, int n, int k, float alpha,
                                      const float *a, int lda, const float *b, int ldb, float beta, float *c,
                                      int ldc);
typedef void (*lmcore_cblas_sgemv_fn)(enum lmcore_cblas_order order, enum lmcore_cblas_transpose trans, int m,
                                      int n, float alpha, const float *a, int lda, const float *x, int incx,
                                      float beta, float *y, int incy);
typedef void (*lmcore_openblas_set_num_threads_fn)(int threads);
typedef int (*lmcore_openblas_get_num_threads_fn)(void);
typedef char *(*lmcore_openblas_get_corename_fn)(void);

#endif
