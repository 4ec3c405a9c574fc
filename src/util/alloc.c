#include "alloc.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Thread-local so that tests running in parallel threads do not disturb each other. */
static _Thread_local long fail_after = -1;
static _Thread_local long failures;

static int should_fail(void)
{
    if (fail_after < 0)
        return 0;
    if (fail_after == 0) {
        failures++;
        return 1;
    }
    fail_after--;
    return 0;
}

void nd_alloc_fail_after(long n)
{
    fail_after = n;
    failures = 0;
}

long nd_alloc_failures(void)
{
    return failures;
}

/* Real failures are counted too: a caller of a library that hides out-of-memory behind
 * other errors (Jansson reports some as syntax errors) can tell by the count. */
static void *counted(void *p)
{
    if (!p)
        failures++;
    return p;
}

void *nd_malloc(size_t n)
{
    if (should_fail())
        return NULL;
    return counted(malloc(n ? n : 1));
}

void *nd_calloc(size_t count, size_t size)
{
    if (should_fail())
        return NULL;
    return counted(calloc(count ? count : 1, size ? size : 1));
}

void *nd_realloc(void *p, size_t n)
{
    if (should_fail())
        return NULL;
    return counted(realloc(p, n ? n : 1));
}

void *nd_grow(void *v, size_t *cap, size_t n, size_t size, size_t first)
{
    if (n < *cap && v)
        return v;
    size_t c = *cap ? *cap * 2 : first;
    if (c < *cap || c > SIZE_MAX / size)
        return NULL;
    void *p = nd_realloc(v, c * size);
    if (p)
        *cap = c;
    return p;
}

nd_status nd_reserve(void **v, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return ND_OK;
    size_t n = *cap ? *cap : 64;
    while (n < need) {
        if (n > SIZE_MAX / 2)
            return ND_ERR_NOMEM;
        n *= 2;
    }
    if (n > SIZE_MAX / size)
        return ND_ERR_NOMEM;
    void *p = nd_realloc(*v, n * size);
    if (!p)
        return ND_ERR_NOMEM;
    *v = p;
    *cap = n;
    return ND_OK;
}

void nd_free(void *p)
{
    free(p);
}

char *nd_strndup(const char *s, size_t n)
{
    char *d = nd_malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *nd_strdup(const char *s)
{
    return s ? nd_strndup(s, strlen(s)) : NULL;
}

void nd_alloc_init(void)
{
    json_set_alloc_funcs(nd_malloc, nd_free);
}
