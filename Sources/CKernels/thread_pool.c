/* A small pool of worker threads for the packed GEMMs, which wait for work by spinning for a
 * short while before they sleep, as OpenMP runtimes and OpenBLAS do.
 *
 * Why: a decoding step at batch 1 runs some 60 products of 20-100 microseconds each. Waking
 * threads through the kernel for each one (libdispatch's concurrentPerform: a futex per worker per
 * product) cost 10-15% of such a step in scheduler time (perf: finish_task_switch,
 * _raw_spin_unlock_irqrestore). Here a worker that finished one product spins on the generation
 * counter and sees the next product within a microsecond; after SPIN_ROUNDS idle rounds (tens of
 * microseconds) it sleeps on a futex, so an idle library burns no CPU.
 *
 * Work is handed out by an atomic index, and the caller takes part: a product finishes even when
 * no worker is awake (or none exists, as in a forked child), and one slow worker cannot hold back
 * the others. One product at a time: a call from another thread while one is in flight gets -1 and
 * runs its work some other way (lmkernels.h). */
#include "lmkernels.h"

#if defined(__linux__)
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <sched.h>
#include <unistd.h>

#define MAX_WORKERS 63
#define SPIN_ROUNDS 20000 /* x86 pause instructions: tens of microseconds */

static pthread_mutex_t call_lock = PTHREAD_MUTEX_INITIALIZER; /* one product at a time */
static pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER; /* starting workers */
static int started = 0;                                       /* workers started (under start_lock) */

/* The product in flight. `state` holds the generation (high 32 bits) and the next index to claim
 * (low 32 bits); an index of CLOSED means the generation's product is over. The caller writes the
 * task fields, then publishes a new generation with index 0 (release). A worker registers in
 * `active`, re-reads `state`, and runs an index only if it claims it by a compare-and-swap that
 * also checks the generation, so a worker that wakes late never runs an index of another
 * product, whatever fields it read. The caller returns only when every index has finished and no
 * worker is registered, so the task's context outlives every use. */
#define CLOSED 0xffffffffu
static _Atomic(lmk_task) current_task;
static _Atomic(void *) current_context;
static _Atomic int64_t current_count;
static _Atomic uint64_t state;
static _Atomic int64_t finished;
static _Atomic int active;
static _Atomic int wanted;       /* workers the current product may use */
static _Atomic uint32_t wake;    /* futex word: bumped with every new product */
static _Atomic int sleepers;

static void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static void futex_wait(_Atomic uint32_t *address, uint32_t expected) {
    syscall(SYS_futex, (uint32_t *)address, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

static void futex_wake_all(_Atomic uint32_t *address) {
    syscall(SYS_futex, (uint32_t *)address, FUTEX_WAKE_PRIVATE, 0x7fffffff, NULL, NULL, 0);
}

static uint32_t generation_of(uint64_t s) { return (uint32_t)(s >> 32); }

/* Claims and runs indices of generation `g` until none are left or the generation is over. */
static void work(uint32_t g, lmk_task task, void *context, int64_t count) {
    uint64_t s = atomic_load_explicit(&state, memory_order_acquire);
    for (;;) {
        if (generation_of(s) != g) return;
        const uint32_t index = (uint32_t)s;
        if (index == CLOSED || (int64_t)index >= count) return;
        if (!atomic_compare_exchange_weak_explicit(&state, &s, s + 1, memory_order_acq_rel, memory_order_acquire))
            continue; /* s was reloaded */
        task(context, (int64_t)index);
        atomic_fetch_add_explicit(&finished, 1, memory_order_release);
        s = atomic_load_explicit(&state, memory_order_acquire);
    }
}

static void *worker(void *argument) {
    const int id = (int)(intptr_t)argument;
    uint32_t seen = generation_of(atomic_load_explicit(&state, memory_order_acquire));
    for (;;) {
        int spins = 0;
        uint64_t s;
        while (generation_of(s = atomic_load_explicit(&state, memory_order_acquire)) == seen) {
            if (++spins < SPIN_ROUNDS) {
                cpu_relax();
                continue;
            }
            const uint32_t ticket = atomic_load_explicit(&wake, memory_order_seq_cst);
            atomic_fetch_add_explicit(&sleepers, 1, memory_order_seq_cst);
            if (generation_of(atomic_load_explicit(&state, memory_order_seq_cst)) == seen) futex_wait(&wake, ticket);
            atomic_fetch_sub_explicit(&sleepers, 1, memory_order_seq_cst);
            spins = 0;
        }
        seen = generation_of(s);
        if ((uint32_t)s == CLOSED || id >= atomic_load_explicit(&wanted, memory_order_acquire)) continue;
        atomic_fetch_add_explicit(&active, 1, memory_order_seq_cst);
        const lmk_task task = atomic_load_explicit(&current_task, memory_order_relaxed);
        void *context = atomic_load_explicit(&current_context, memory_order_relaxed);
        const int64_t count = atomic_load_explicit(&current_count, memory_order_relaxed);
        work(seen, task, context, count);
        atomic_fetch_sub_explicit(&active, 1, memory_order_seq_cst);
    }
    return NULL;
}

/* Starts workers up to `count` (under start_lock); returns how many exist. */
static int ensure_workers(int count) {
    if (count > MAX_WORKERS) count = MAX_WORKERS;
    pthread_mutex_lock(&start_lock);
    while (started < count) {
        pthread_t thread;
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attributes, 256 * 1024);
        const int failed = pthread_create(&thread, &attributes, worker, (void *)(intptr_t)started);
        pthread_attr_destroy(&attributes);
        if (failed) break; /* fewer workers: the caller does more of the work */
        started++;
    }
    const int have = started;
    pthread_mutex_unlock(&start_lock);
    return have;
}

/* Spins, then yields the core, until *counter is zero. */
static void wait_until_zero(_Atomic int *counter) {
    int spins = 0;
    while (atomic_load_explicit(counter, memory_order_acquire) != 0) {
        if (++spins < SPIN_ROUNDS) cpu_relax();
        else sched_yield();
    }
}

int lmk_pool_run(int threads, lmk_task task, void *context, int64_t count) {
    if (count <= 0) return 0;
    if (threads <= 1 || count == 1) {
        for (int64_t i = 0; i < count; i++) task(context, i);
        return 0;
    }
    if (count >= (int64_t)CLOSED) return -1;
    if (pthread_mutex_trylock(&call_lock) != 0) return -1;
    const int workers = ensure_workers(threads - 1);
    atomic_store_explicit(&current_task, task, memory_order_relaxed);
    atomic_store_explicit(&current_context, context, memory_order_relaxed);
    atomic_store_explicit(&current_count, count, memory_order_relaxed);
    atomic_store_explicit(&finished, 0, memory_order_relaxed);
    atomic_store_explicit(&wanted, workers < threads - 1 ? workers : threads - 1, memory_order_relaxed);
    const uint32_t g = generation_of(atomic_load_explicit(&state, memory_order_relaxed)) + 1;
    atomic_store_explicit(&state, (uint64_t)g << 32, memory_order_seq_cst);
    atomic_fetch_add_explicit(&wake, 1, memory_order_seq_cst);
    if (atomic_load_explicit(&sleepers, memory_order_seq_cst) > 0) futex_wake_all(&wake);
    work(g, task, context, count);
    int spins = 0;
    while (atomic_load_explicit(&finished, memory_order_acquire) < count) {
        if (++spins < SPIN_ROUNDS) cpu_relax();
        else sched_yield();
    }
    /* Close the generation (late workers then claim nothing), and wait for registered ones. */
    atomic_store_explicit(&state, ((uint64_t)(g + 1) << 32) | CLOSED, memory_order_seq_cst);
    wait_until_zero(&active);
    pthread_mutex_unlock(&call_lock);
    return 0;
}

#else
int lmk_pool_run(int threads, lmk_task task, void *context, int64_t count) {
    (void)threads; (void)task; (void)context; (void)count;
    return -1;
}
#endif
