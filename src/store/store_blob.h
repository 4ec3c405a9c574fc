/*
 * The compact encoding of an article's span lists, as stored in the `blocks` and `sents`
 * columns. A list is a count followed by one entry per span, every number an unsigned LEB128
 * varint:
 *
 *   blocks: count, then per block: kind, zigzag(raw_start - previous raw_end), raw_end - raw_start
 *   sents:  count, then per sentence: zigzag(start - previous end), end - start   (body offsets)
 *
 * Deltas keep almost every number below 128, so a span costs two or three bytes instead of
 * the 40 of an nd_span. The decoder trusts nothing: it checks every varint, count and offset
 * against the blob's length and the given limit, and reports a corrupt blob instead of
 * reading past it.
 */
#ifndef ND_STORE_BLOB_H
#define ND_STORE_BLOB_H

#include <stddef.h>

#include "newsdesk.h"
#include "util/buf.h"

/* Appends the encoding of v[0..n) to `out`: layout blocks (with kinds) when `with_kind`,
 * else sentences (body offsets). Returns ND_OK, ND_ERR_NOMEM, ND_ERR_TOO_BIG, or ND_ERR_ARG for
 * a span that ends before it starts. */
nd_status nd_blob_encode(nd_buf *out, const nd_span *v, size_t n, int with_kind);

/* Decodes p[0..len) into a new array *out (nd_malloc'd, the caller frees it with nd_free; NULL
 * when *n is 0). Offsets must lie within [0, limit]. For blocks, `start`/`end` are set to
 * ND_NOPOS and raw offsets filled; for sentences, `start`/`end` are filled and raw offsets are
 * left 0. Returns ND_OK, ND_ERR_NOMEM, or ND_ERR_STORE when the blob is malformed; then
 * `why` (may be NULL) points to a constant description. */
nd_status nd_blob_decode(nd_span **out, size_t *n, const void *p, size_t len, int with_kind,
                         size_t limit, const char **why);

#endif
