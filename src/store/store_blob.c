#include "store_blob.h"

#include <stdint.h>

#include "util/alloc.h"

/* A 64-bit varint takes at most 10 bytes. */
#define VARINT_MAX 10

static size_t put_varint(unsigned char *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (unsigned char)v;
    return n;
}

/* Zigzag keeps small negative deltas small: 0, -1, 1, -2, ... -> 0, 1, 2, 3, ... */
static uint64_t zigzag(size_t from, size_t to)
{
    return to >= from ? (uint64_t)(to - from) << 1 : (((uint64_t)(from - to) - 1) << 1) | 1;
}

nd_status nd_blob_encode(nd_buf *out, const nd_span *v, size_t n, int with_kind)
{
    /* Reserve the worst case once so that the loop writes without checks. */
    size_t per = (with_kind ? 3 : 2) * VARINT_MAX;
    if (n > (SIZE_MAX / 2 - VARINT_MAX) / per)
        return ND_ERR_TOO_BIG;
    nd_status st = nd_buf_reserve(out, VARINT_MAX + n * per);
    if (st != ND_OK)
        return st;
    unsigned char *p = (unsigned char *)out->data + out->len;
    size_t k = put_varint(p, n);
    size_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        size_t s = with_kind ? v[i].raw_start : v[i].start;
        size_t e = with_kind ? v[i].raw_end : v[i].end;
        if (e < s)
            return ND_ERR_ARG;
        if (with_kind)
            k += put_varint(p + k, (uint64_t)v[i].kind);
        k += put_varint(p + k, zigzag(prev, s));
        k += put_varint(p + k, (uint64_t)(e - s));
        prev = e;
    }
    out->len += k;
    out->data[out->len] = '\0';
    return ND_OK;
}

/* Reads one varint from p[*pos..len), advancing *pos; 0 when truncated or longer than 64 bits. */
static int get_varint(uint64_t *out, const unsigned char *p, size_t len, size_t *pos)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64 && *pos < len; shift += 7) {
        unsigned char b = p[(*pos)++];
        if (shift == 63 && b > 1)
            return 0;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return 1;
        }
    }
    return 0;
}

nd_status nd_blob_decode(nd_span **out, size_t *n, const void *blob, size_t len, int with_kind,
                         size_t limit, const char **why)
{
    const unsigned char *p = blob;
    const char *dummy;
    size_t pos = 0;
    uint64_t count;
    *out = NULL;
    *n = 0;
    if (!why)
        why = &dummy;
    if (!p || !get_varint(&count, p, len, &pos)) {
        *why = "truncated count";
        return ND_ERR_STORE;
    }
    /* Every entry takes at least one byte per number, which bounds the count by the blob. */
    size_t min_entry = with_kind ? 3 : 2;
    if (count > (len - pos) / min_entry) {
        *why = "count larger than the data";
        return ND_ERR_STORE;
    }
    if (count == 0) {
        if (pos != len) {
            *why = "trailing bytes";
            return ND_ERR_STORE;
        }
        return ND_OK;
    }
    nd_span *v = nd_malloc((size_t)count * sizeof *v);
    if (!v)
        return ND_ERR_NOMEM;
    uint64_t prev = 0;
    for (size_t i = 0; i < (size_t)count; i++) {
        uint64_t kind = ND_BLOCK_PARAGRAPH, delta, span;
        if ((with_kind && !get_varint(&kind, p, len, &pos)) || !get_varint(&delta, p, len, &pos) ||
            !get_varint(&span, p, len, &pos)) {
            *why = "truncated entry";
            goto corrupt;
        }
        if (kind >= ND_BLOCK_KIND_COUNT_) {
            *why = "unknown block kind";
            goto corrupt;
        }
        /* Undo the zigzag and check each step against the limit before adding. */
        uint64_t mag = delta >> 1;
        uint64_t s;
        if (delta & 1) {
            if (mag + 1 > prev) {
                *why = "offset before the start";
                goto corrupt;
            }
            s = prev - mag - 1;
        } else {
            if (mag > (uint64_t)limit - prev) {
                *why = "offset past the end";
                goto corrupt;
            }
            s = prev + mag;
        }
        if (span > (uint64_t)limit - s) {
            *why = "span past the end";
            goto corrupt;
        }
        uint64_t e = s + span;
        nd_span sp = {.start = ND_NOPOS, .end = ND_NOPOS, .kind = (nd_block_kind)kind};
        if (with_kind) {
            sp.raw_start = (size_t)s;
            sp.raw_end = (size_t)e;
        } else {
            sp.start = (size_t)s;
            sp.end = (size_t)e;
            sp.raw_start = sp.raw_end = 0;
        }
        v[i] = sp;
        prev = e;
    }
    if (pos != len) {
        *why = "trailing bytes";
        goto corrupt;
    }
    *out = v;
    *n = (size_t)count;
    return ND_OK;

corrupt:
    nd_free(v);
    return ND_ERR_STORE;
}
