/*
 * A bump allocator for everything computed about one article: blocks of growing size, freed
 * all at once. Building with -DND_ARENA_MALLOC turns every arena allocation into its own
 * malloc so that sanitizers see each object.
 */
#ifndef ND_UTIL_ARENA_H
#define ND_UTIL_ARENA_H

#include <stddef.h>

typedef struct nd_arena nd_arena;

/* NULL on out-of-memory. */
nd_arena *nd_arena_new(size_t first_block);
void nd_arena_free(nd_arena *a);

/* Aligned for any type; NULL on out-of-memory. */
void *nd_arena_alloc(nd_arena *a, size_t n);
void *nd_arena_calloc(nd_arena *a, size_t n);
/* Copies n bytes and a NUL. */
char *nd_arena_strndup(nd_arena *a, const char *s, size_t n);
char *nd_arena_strdup(nd_arena *a, const char *s);
/* Bytes handed out so far (for memory accounting). */
size_t nd_arena_used(const nd_arena *a);

#endif
