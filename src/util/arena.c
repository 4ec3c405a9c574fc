#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "alloc.h"

typedef struct block {
    struct block *next;
    size_t size, used;
    alignas(max_align_t) unsigned char data[];
} block;

struct nd_arena {
    block *head;
    size_t next_size;
    size_t used;
};

#define ALIGN(n) (((n) + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1))

nd_arena *nd_arena_new(size_t first_block)
{
    nd_arena *a = nd_calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->next_size = first_block ? first_block : 4096;
    return a;
}

void nd_arena_free(nd_arena *a)
{
    if (!a)
        return;
    block *b = a->head;
    while (b) {
        block *n = b->next;
        nd_free(b);
        b = n;
    }
    nd_free(a);
}

void *nd_arena_alloc(nd_arena *a, size_t n)
{
    n = ALIGN(n ? n : 1);
    if (n < n - 1 || n > SIZE_MAX / 4)
        return NULL;
#ifdef ND_ARENA_MALLOC
    block *b = nd_malloc(sizeof *b + n);
    if (!b)
        return NULL;
    b->size = b->used = n;
    b->next = a->head;
    a->head = b;
    a->used += n;
    return b->data;
#else
    block *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t sz = a->next_size;
        while (sz < n)
            sz *= 2;
        b = nd_malloc(sizeof *b + sz);
        if (!b)
            return NULL;
        b->size = sz;
        b->used = 0;
        b->next = a->head;
        a->head = b;
        /* Grow geometrically so an article needs few blocks, but cap the step so one huge
         * article does not make every later block huge. */
        if (a->next_size < (1u << 20))
            a->next_size *= 2;
    }
    void *p = b->data + b->used;
    b->used += n;
    a->used += n;
    return p;
#endif
}

void *nd_arena_calloc(nd_arena *a, size_t n)
{
    void *p = nd_arena_alloc(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

char *nd_arena_strndup(nd_arena *a, const char *s, size_t n)
{
    char *d = nd_arena_alloc(a, n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *nd_arena_strdup(nd_arena *a, const char *s)
{
    return s ? nd_arena_strndup(a, s, strlen(s)) : NULL;
}

size_t nd_arena_used(const nd_arena *a)
{
    return a->used;
}
