/*
 * Strict UTF-8 validation and the growable range list.
 */
#include <string.h>

#include "text/text.h"
#include "util/alloc.h"

/*
 * Validates s[0..len) as strict UTF-8 (RFC 3629): rejects overlong forms, surrogates
 * (U+D800..U+DFFF), code points above U+10FFFF, stray continuation bytes and sequences cut
 * short by the end of the buffer. News text is mostly ASCII, so eight bytes at a time are
 * tested for a set high bit before falling back to the byte-wise decoder.
 */
bool nd_utf8_check(const char *s, size_t len, size_t *bad_offset)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (w & 0x8080808080808080ull)
                break;
            i += 8;
        }
        if (i >= len)
            break;
        unsigned c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0)
                lo = 0xA0; /* overlong below U+0800 */
            else if (c == 0xED)
                hi = 0x9F; /* surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0)
                lo = 0x90; /* overlong below U+10000 */
            else if (c == 0xF4)
                hi = 0x8F; /* above U+10FFFF */
        } else {
            if (bad_offset)
                *bad_offset = i;
            return false;
        }
        /* The first bad byte is the lead byte itself when the sequence is incomplete or
         * malformed: the whole sequence is unusable from there. */
        if (len - i <= need) {
            if (bad_offset)
                *bad_offset = i;
            return false;
        }
        if (p[i + 1] < lo || p[i + 1] > hi) {
            if (bad_offset)
                *bad_offset = i;
            return false;
        }
        for (size_t k = 2; k <= need; k++) {
            if ((p[i + k] & 0xC0) != 0x80) {
                if (bad_offset)
                    *bad_offset = i;
                return false;
            }
        }
        i += need + 1;
    }
    return true;
}

/* Appends one range, doubling the capacity when full. */
nd_status nd_ranges_push(nd_ranges *r, uint32_t start, uint32_t end)
{
    nd_range *v = nd_grow(r->v, &r->cap, r->n, sizeof *v, 16);
    if (!v)
        return ND_ERR_NOMEM;
    r->v = v;
    r->v[r->n].start = start;
    r->v[r->n].end = end;
    r->n++;
    return ND_OK;
}

void nd_ranges_free(nd_ranges *r)
{
    if (!r)
        return;
    nd_free(r->v);
    r->v = NULL;
    r->n = r->cap = 0;
}
