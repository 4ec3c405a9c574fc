/*
 * Allocation wrappers. Every allocation of the library goes through these so that tests can
 * make the N-th allocation fail (nd_alloc_fail_after) and check that each failure path returns
 * ND_ERR_NOMEM and leaks nothing. Jansson is routed here too (see nd_alloc_init).
 */
#ifndef ND_UTIL_ALLOC_H
#define ND_UTIL_ALLOC_H

#include <stddef.h>

#include "newsdesk.h"

void *nd_malloc(size_t n);
void *nd_calloc(size_t count, size_t size);
void *nd_realloc(void *p, size_t n);
void nd_free(void *p);
/* Copies `n` bytes of `s` and a terminating NUL; NULL on failure. */
char *nd_strndup(const char *s, size_t n);
char *nd_strdup(const char *s);

/* Makes room for one more element in a growable array `v` of `size`-byte elements holding
 * `n` of `*cap`: when full, it is reallocated to twice its capacity (`first` elements the
 * first time) and *cap updated. Returns the array to use from now on, or NULL on
 * out-of-memory, when `v` and *cap are left as they were. */
void *nd_grow(void *v, size_t *cap, size_t n, size_t size, size_t first);

/* Makes room for `need` elements in a growable array *v of `size`-byte elements with capacity
 * *cap: when smaller, it is reallocated to the first doubling of *cap (64 elements the first
 * time) that holds `need`, and *v and *cap are updated. ND_ERR_NOMEM leaves both as they
 * were. For arrays sized ahead of a bulk fill; nd_grow() is for appending one element. */
nd_status nd_reserve(void **v, size_t *cap, size_t need, size_t size);

/* Testing: after `n` more successful allocations every allocation fails, until called again
 * with a negative `n` (the default: never fail). Per thread. */
void nd_alloc_fail_after(long n);
/* How many allocations failed (injected or real) since the last nd_alloc_fail_after(). */
long nd_alloc_failures(void);

/* Points third-party libraries that allow it (Jansson) at these wrappers. Idempotent. */
void nd_alloc_init(void);

#endif
