#ifndef CMALLOCCOUNTER_H
#define CMALLOCCOUNTER_H
#include <stdint.h>
// Heap allocations (malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign) made by
// this process since start. Counting is always on in binaries that link this target.
uint64_t rtc_malloc_count(void);
uint64_t rtc_free_count(void);
uint64_t rtc_malloc_bytes(void);
#endif
