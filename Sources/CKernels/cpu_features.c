/* Run-time CPU feature detection for kernel dispatch: cpuid leaves 1 and 7, and XGETBV to confirm
 * the OS saves the YMM/ZMM (and AMX tile) state, as Intel's SDM §14.3 and §15.2 require before
 * using AVX or AVX-512. */
#include "lmkernels.h"
#include <stdlib.h>

#if defined(__x86_64__)
#include <cpuid.h>

static uint64_t xgetbv0(void) {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

uint32_t lmk_cpu_features(void) {
    uint32_t a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    const int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, fma = (c >> 12) & 1, f16c = (c >> 29) & 1;
    if (!osxsave || !avx) return 0;
    const uint64_t xcr0 = xgetbv0();
    const int ymm = (xcr0 & 0x6) == 0x6;            /* SSE + AVX state */
    const int zmm = (xcr0 & 0xE6) == 0xE6;          /* + opmask, ZMM_Hi256, Hi16_ZMM */
    const int tiles = (xcr0 & 0x60000) == 0x60000;  /* XTILECFG + XTILEDATA */
    if (!ymm) return 0;
    uint32_t f = 0;
    uint32_t a7 = 0, b7 = 0, c7 = 0, d7 = 0, a71 = 0, b71 = 0, c71 = 0, d71 = 0;
    if (__get_cpuid_max(0, 0) >= 7) {
        __cpuid_count(7, 0, a7, b7, c7, d7);
        __cpuid_count(7, 1, a71, b71, c71, d71);
    }
    (void)b71; (void)c71; (void)d71;
    if (fma && f16c && ((b7 >> 5) & 1)) f |= LMK_CPU_AVX2_FMA;
    if (zmm && ((b7 >> 16) & 1)) {
        f |= LMK_CPU_AVX512F;
        /* The integer kernels also use BW and VL instructions. */
        if (((c7 >> 11) & 1) && ((b7 >> 30) & 1) && ((b7 >> 31) & 1)) f |= LMK_CPU_AVX512_VNNI;
        if ((a71 >> 5) & 1) f |= LMK_CPU_AVX512_BF16;
    }
    if ((a71 >> 4) & 1) f |= LMK_CPU_AVX_VNNI;
    if (tiles && ((d7 >> 24) & 1)) f |= LMK_CPU_AMX;
    return f;
}
#else
uint32_t lmk_cpu_features(void) { return 0; }
#endif

#if defined(__GLIBC__)
#include <malloc.h>
void lmk_release_free_memory(void) { (void)malloc_trim(0); }
#else
void lmk_release_free_memory(void) {}
#endif
