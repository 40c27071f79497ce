// Interposes the C allocator in the executable that links it, forwarding to glibc's
// __libc_* entry points, and counts calls with relaxed atomics.
#define _GNU_SOURCE
#include "CMallocCounter.h"
#include <errno.h>
#include <stddef.h>
#include <stdatomic.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static _Atomic uint64_t g_mallocs;
static _Atomic uint64_t g_frees;
static _Atomic uint64_t g_bytes;

static inline void count(size_t n) {
    atomic_fetch_add_explicit(&g_mallocs, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&g_bytes, n, memory_order_relaxed);
}

void *malloc(size_t n) { count(n); return __libc_malloc(n); }
void *calloc(size_t a, size_t b) { count(a * b); return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { count(n); return __libc_realloc(p, n); }
void free(void *p) { if (p) atomic_fetch_add_explicit(&g_frees, 1, memory_order_relaxed); __libc_free(p); }
void *memalign(size_t a, size_t n) { count(n); return __libc_memalign(a, n); }
void *aligned_alloc(size_t a, size_t n) { count(n); return __libc_memalign(a, n); }
int posix_memalign(void **out, size_t a, size_t n) {
    count(n);
    void *p = __libc_memalign(a, n);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}

uint64_t rtc_malloc_count(void) { return atomic_load_explicit(&g_mallocs, memory_order_relaxed); }
uint64_t rtc_free_count(void) { return atomic_load_explicit(&g_frees, memory_order_relaxed); }
uint64_t rtc_malloc_bytes(void) { return atomic_load_explicit(&g_bytes, memory_order_relaxed); }
