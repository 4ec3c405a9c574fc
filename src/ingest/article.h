/*
 * The article record shared by the readers and the store. Everything an article holds lives in
 * its arena; nd_article_free() releases it in one call.
 */
#ifndef ND_INGEST_ARTICLE_H
#define ND_INGEST_ARTICLE_H

#include "newsdesk.h"
#include "util/arena.h"

struct nd_article {
    nd_arena *arena;
    const char *field[ND_FIELD_COUNT_];
    const char *raw;
    size_t raw_len;
    const char *body;
    size_t body_len;
    char hash[33];
    nd_span *blocks; /* every block; body blocks also carry body offsets */
    size_t nblocks;
    nd_span *paras; /* body blocks (paragraphs and crossheads) */
    size_t nparas;
    nd_span *sents;
    size_t nsents;
};

/* What an article is assembled from. Everything is copied. */
typedef struct nd_article_init {
    const char *field[ND_FIELD_COUNT_]; /* NULL or "" = absent */
    const char *raw;
    size_t raw_len;
    /* Layout blocks in input order: `kind`, `raw_start`, `raw_end` are read; body offsets are
     * computed. Body blocks (paragraphs, crossheads) make up the body. */
    const nd_span *blocks;
    size_t nblocks;
    /* Sentences as body offsets, when restoring a stored article; NULL to split now. */
    const nd_span *sents;
    size_t nsents;
    /* The stored hash when restoring; NULL to compute it. */
    const char *hash;
} nd_article_init;

/* Builds the body from the body blocks, splits it into sentences (each body paragraph on its
 * own; a crosshead is one sentence) and computes the content hash. */
nd_status nd_article_assemble(nd_article **out, const nd_article_init *in);

/* True for kinds that are part of the body. */
static inline int nd_block_in_body(nd_block_kind k)
{
    return k == ND_BLOCK_PARAGRAPH || k == ND_BLOCK_CROSSHEAD;
}

#endif
