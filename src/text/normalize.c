/*
 * Normalisation with an offset map, and the content hash built on it.
 *
 * The text is walked once. Runs of plain ASCII are copied (and lower-cased) inline, which is
 * most of any English news text; everything else is cut into "segments", a starter code point
 * with the combining marks (and other composing code points) that follow it, and each segment
 * goes through utf8proc on its own. Every output byte of a segment maps to the segment's first
 * byte, so composition never smears offsets across segments and the map stays monotonic.
 */
#include <string.h>
#include <utf8proc.h>
#include <xxhash.h>

#include "text/text.h"
#include "util/alloc.h"

/* Segments up to this many code points are decomposed in a stack buffer. */
#define SEG_STACK 64
/* At most this many code points join a starter in one segment (UAX #15 allows 30
 * non-starters in a row in stream-safe text). */
#define SEG_MAX_JOIN 30

/* Decodes one code point of valid UTF-8 at p (at most `left` bytes); returns its length. */
static size_t utf8_decode(const unsigned char *p, size_t left, int32_t *cp)
{
    unsigned c = p[0];
    if (c < 0x80 || left < 2) {
        *cp = (int32_t)c;
        return 1;
    }
    if (c < 0xE0) {
        *cp = (int32_t)(((c & 0x1Fu) << 6) | (p[1] & 0x3Fu));
        return 2;
    }
    if (c < 0xF0 || left < 4) {
        if (left < 3) {
            *cp = (int32_t)c;
            return 1;
        }
        *cp = (int32_t)(((c & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu));
        return 3;
    }
    *cp = (int32_t)(((c & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) |
                    (p[3] & 0x3Fu));
    return 4;
}

static size_t utf8_encode(int32_t cp, char *out)
{
    uint32_t u = (uint32_t)cp;
    if (u < 0x80) {
        out[0] = (char)u;
        return 1;
    }
    if (u < 0x800) {
        out[0] = (char)(0xC0 | (u >> 6));
        out[1] = (char)(0x80 | (u & 0x3F));
        return 2;
    }
    if (u < 0x10000) {
        out[0] = (char)(0xE0 | (u >> 12));
        out[1] = (char)(0x80 | ((u >> 6) & 0x3F));
        out[2] = (char)(0x80 | (u & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (u >> 18));
    out[1] = (char)(0x80 | ((u >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((u >> 6) & 0x3F));
    out[3] = (char)(0x80 | (u & 0x3F));
    return 4;
}

/*
 * The ND_NORM_UNIFY table: typographic quotes, primes, dashes and spaces that mean the same
 * thing as an ASCII character in running text. Returns the ASCII replacement, or -1.
 * Line and paragraph separators become '\n' so that collapsing treats them as line breaks.
 */
static int unify_cp(int32_t cp)
{
    switch (cp) {
    case 0x2018:
    case 0x2019:
    case 0x201A:
    case 0x201B: /* single curly quotes */
    case 0x2032:
    case 0x2035: /* prime, reversed prime */
    case 0x2039:
    case 0x203A: /* single guillemets */
    case 0x02BC:
    case 0x00B4:
    case 0xFF07: /* modifier apostrophe, acute */ return '\'';
    case 0x201C:
    case 0x201D:
    case 0x201E:
    case 0x201F: /* double curly quotes */
    case 0x2033:
    case 0x2036: /* double primes */
    case 0x00AB:
    case 0x00BB:
    case 0xFF02: /* guillemets, full-width " */ return '"';
    case 0x2010:
    case 0x2011:
    case 0x2012:
    case 0x2013: /* hyphen .. en dash */
    case 0x2014:
    case 0x2015:
    case 0x2212: /* em dash, bar, minus */
    case 0xFE58:
    case 0xFE63:
    case 0xFF0D: return '-';
    case 0x00A0:
    case 0x1680:
    case 0x202F:
    case 0x205F:
    case 0x3000:
    case '\t': return ' ';
    case 0x2028:
    case 0x2029:
    case 0x0085: return '\n';
    default:
        if (cp >= 0x2000 && cp <= 0x200A) /* en quad .. hair space */
            return ' ';
        return -1;
    }
}

static utf8proc_int32_t unify_custom(utf8proc_int32_t cp, void *data)
{
    (void)data;
    int r = unify_cp(cp);
    return r >= 0 ? r : cp;
}

static bool is_unicode_space(int32_t cp)
{
    return cp == 0x00A0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F ||
           cp == 0x205F || cp == 0x3000 || cp == 0x2028 || cp == 0x2029 || cp == 0x0085;
}

/* True when cp can join the segment of the code point before it: a combining mark, or a
 * starter that composes with a preceding one (Hangul vowels and trailing consonants, and a
 * few Indic vowel signs). */
static bool joins_previous(int32_t cp)
{
    if (cp >= 0x1161 && cp <= 0x11C2)
        return true;
    const utf8proc_property_t *pr = utf8proc_get_property(cp);
    if (pr->combining_class != 0)
        return true;
#if UTF8PROC_VERSION_MAJOR == 2 && UTF8PROC_VERSION_MINOR < 9
    return pr->comb_index != UINT16_MAX && pr->comb_index >= 0x8000;
#else
    return pr->comb_issecond;
#endif
}

/* True when the non-ASCII code point at p joins the ASCII byte before it. */
static bool next_joins(const unsigned char *p, size_t left)
{
    int32_t cp;
    utf8_decode(p, left, &cp);
    return joins_previous(cp);
}

/* Output state shared by the fast and the slow path. */
typedef struct norm_out {
    nd_norm *n;
    char *t;       /* n->text.data */
    uint32_t *map; /* n->map */
    size_t len, cap;
    unsigned flags;
    bool pending; /* a run of white space is waiting to be written as one ' ' */
    uint32_t ws_off;
} norm_out;

/* Makes room for `k` more output bytes (and the map entry after them). */
static nd_status out_reserve(norm_out *o, size_t k)
{
    if (o->len + k + 1 <= o->cap)
        return ND_OK;
    size_t want = (o->len + k + 1) * 2;
    nd_buf *b = &o->n->text;
    b->len = o->len;
    nd_status st = nd_buf_reserve(b, want - o->len);
    if (st != ND_OK)
        return st;
    if (o->n->map_cap < want + 1) {
        uint32_t *m = nd_realloc(o->n->map, (want + 1) * sizeof *m);
        if (!m)
            return ND_ERR_NOMEM;
        o->n->map = m;
        o->n->map_cap = want + 1;
    }
    o->t = b->data;
    o->map = o->n->map;
    o->cap = want;
    return ND_OK;
}

/* Writes the pending collapsed space, if any, before a non-space byte. Room is reserved. */
static inline void out_flush_space(norm_out *o)
{
    if (o->pending) {
        o->pending = false;
        if (o->len > 0) {
            o->t[o->len] = ' ';
            o->map[o->len++] = o->ws_off;
        }
    }
}

/* Handles one white-space character at original offset `off`: with collapsing it only opens
 * (or extends) a pending run; without it, it is written (tabs as spaces when unifying). */
static inline void out_space(norm_out *o, char c, uint32_t off)
{
    if (o->flags & ND_NORM_COLLAPSE) {
        if (!o->pending) {
            o->pending = true;
            o->ws_off = off;
        }
        return;
    }
    o->t[o->len] = c;
    o->map[o->len++] = off;
}

/* Emits the code points of one normalised segment, all mapped to offset `off`. */
static nd_status out_cps(norm_out *o, const int32_t *cps, size_t k, uint32_t off)
{
    nd_status st = out_reserve(o, k * 4 + 1);
    if (st != ND_OK)
        return st;
    for (size_t i = 0; i < k; i++) {
        int32_t cp = cps[i];
        if (o->flags & ND_NORM_UNIFY) {
            int u = unify_cp(cp);
            if (u >= 0)
                cp = u;
        }
        if (cp == ' ' || cp == '\n' || cp == '\r' || cp == '\t' || cp == '\v' || cp == '\f' ||
            ((o->flags & ND_NORM_COLLAPSE) && is_unicode_space(cp))) {
            out_space(o, (char)cp, off);
            continue;
        }
        out_flush_space(o);
        char tmp[4];
        size_t b = utf8_encode(cp, tmp);
        for (size_t j = 0; j < b; j++) {
            o->t[o->len] = tmp[j];
            o->map[o->len++] = off;
        }
    }
    return ND_OK;
}

/*
 * Normalises one segment s[0..seglen) at original offset `off` with utf8proc: decomposition
 * (compatibility and case folding as asked, with the unify table applied to the input code
 * points first), canonical reordering, then composition.
 */
static nd_status norm_segment(norm_out *o, const char *s, size_t seglen, uint32_t off)
{
    utf8proc_option_t opts = 0;
    if (o->flags & ND_NORM_NFKC)
        opts |= UTF8PROC_COMPOSE | UTF8PROC_COMPAT;
    if (o->flags & ND_NORM_CASEFOLD)
        opts |= UTF8PROC_CASEFOLD;
    utf8proc_custom_func fn = (o->flags & ND_NORM_UNIFY) ? unify_custom : NULL;

    int32_t stackbuf[SEG_STACK];
    int32_t *buf = stackbuf;
    utf8proc_ssize_t n;
    if (opts == 0) {
        /* Only unify/collapse: decode as is. */
        n = 0;
        size_t i = 0;
        while (i < seglen) {
            if ((size_t)n == SEG_STACK) {
                nd_status st = out_cps(o, buf, (size_t)n, off);
                if (st != ND_OK)
                    return st;
                n = 0;
            }
            int32_t cp;
            i += utf8_decode((const unsigned char *)s + i, seglen - i, &cp);
            buf[n++] = cp;
        }
        return out_cps(o, buf, (size_t)n, off);
    }
    n = utf8proc_decompose_custom((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)seglen, buf,
                                  SEG_STACK, opts, fn, NULL);
    if (n > SEG_STACK) {
        buf = nd_malloc((size_t)n * sizeof *buf);
        if (!buf)
            return ND_ERR_NOMEM;
        utf8proc_ssize_t n2 = utf8proc_decompose_custom(
            (const utf8proc_uint8_t *)s, (utf8proc_ssize_t)seglen, buf, n, opts, fn, NULL);
        n = n2;
    }
    nd_status st = ND_OK;
    if (n < 0) {
        /* Only possible on invalid input, which callers must not pass: copy it through. */
        st = out_reserve(o, seglen);
        if (st == ND_OK) {
            out_flush_space(o);
            for (size_t i = 0; i < seglen; i++) {
                o->t[o->len] = s[i];
                o->map[o->len++] = off;
            }
        }
    } else {
        if (opts & UTF8PROC_COMPOSE)
            n = utf8proc_normalize_utf32(buf, n, opts);
        st = n < 0 ? ND_ERR_INPUT : out_cps(o, buf, (size_t)n, off);
    }
    if (buf != stackbuf)
        nd_free(buf);
    return st;
}

/* ASCII white space: space, \t, \n, \v, \f, \r. */
static const bool ascii_space[128] = {
    ['\t'] = true, ['\n'] = true, ['\v'] = true, ['\f'] = true, ['\r'] = true, [' '] = true,
};

static const unsigned char ascii_lower[128] = {
    0,   1,   2,   3,   4,   5,   6,   7,   8,   9,   10,  11,  12,  13,  14,  15,  16,  17,  18,
    19,  20,  21,  22,  23,  24,  25,  26,  27,  28,  29,  30,  31,  32,  33,  34,  35,  36,  37,
    38,  39,  40,  41,  42,  43,  44,  45,  46,  47,  48,  49,  50,  51,  52,  53,  54,  55,  56,
    57,  58,  59,  60,  61,  62,  63,  64,  'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k',
    'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 91,  92,  93,  94,
    95,  96,  97,  98,  99,  100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113,
    114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127,
};

/*
 * Normalises s[0..len) into n. The fast path handles an ASCII byte whose successor is also
 * ASCII (so it cannot be the starter of a combining sequence); an ASCII byte followed by a
 * non-ASCII one starts a segment for the slow path, so "e" + U+0301 composes to "é".
 */
nd_status nd_normalize(nd_norm *n, const char *s, size_t len, unsigned flags)
{
    if (len >= UINT32_MAX)
        return ND_ERR_TOO_BIG;
    if (n->text.cap == 0)
        n->text.cap = SIZE_MAX / 2;
    norm_out o = {.n = n, .flags = flags};
    nd_status st = out_reserve(&o, len + 16);
    if (st != ND_OK)
        goto done;
    const unsigned char *p = (const unsigned char *)s;
    const bool fold = (flags & ND_NORM_CASEFOLD) != 0;
    const bool unify = (flags & ND_NORM_UNIFY) != 0;
    const bool collapse = (flags & ND_NORM_COLLAPSE) != 0;
    size_t i = 0;
    while (i < len) {
        /* The fast path writes at most one byte per input byte (a collapsed space stands for
         * at least one white-space byte), so one reservation covers the whole run. */
        if (o.cap < o.len + (len - i) + 2 && (st = out_reserve(&o, len - i + 2)) != ND_OK)
            goto done;
        char *t = o.t;
        uint32_t *m = o.map;
        size_t ol = o.len;
        while (i < len) {
            unsigned c = p[i];
            if (c >= 0x80)
                break;
            /* An ASCII byte followed by a combining mark starts a segment. */
            if (i + 1 < len && p[i + 1] >= 0x80 && next_joins(p + i + 1, len - i - 1))
                break;
            if (ascii_space[c]) {
                if (collapse) {
                    if (!o.pending) {
                        o.pending = true;
                        o.ws_off = (uint32_t)i;
                    }
                } else {
                    t[ol] = (c == '\t' && unify) ? ' ' : (char)c;
                    m[ol++] = (uint32_t)i;
                }
            } else {
                if (o.pending) {
                    o.pending = false;
                    if (ol > 0) {
                        t[ol] = ' ';
                        m[ol++] = o.ws_off;
                    }
                }
                t[ol] = (char)(fold ? ascii_lower[c] : c);
                m[ol++] = (uint32_t)i;
            }
            i++;
        }
        o.len = ol;
        if (i >= len)
            break;
        /* A segment: this code point and every following one that joins it, up to
         * SEG_MAX_JOIN of them. Canonical reordering is quadratic in the length of a run of
         * marks, so, as in the stream-safe format of UAX #15, a longer run (only ever seen in
         * hostile input) is cut into pieces normalised one by one. */
        size_t start = i;
        int32_t cp;
        i += utf8_decode(p + i, len - i, &cp);
        unsigned joined = 0;
        while (i < len && p[i] >= 0x80 && joined < SEG_MAX_JOIN) {
            size_t k = utf8_decode(p + i, len - i, &cp);
            if (!joins_previous(cp))
                break;
            i += k;
            joined++;
        }
        /* Common single punctuation (curly quotes, dashes, NBSP) needs no utf8proc call. */
        if (unify && i - start > 1) {
            int32_t one;
            if (utf8_decode(p + start, i - start, &one) == i - start) {
                int u = unify_cp(one);
                if (u >= 0) {
                    int32_t v = u;
                    if ((st = out_cps(&o, &v, 1, (uint32_t)start)) != ND_OK)
                        goto done;
                    continue;
                }
            }
        }
        if ((st = norm_segment(&o, s + start, i - start, (uint32_t)start)) != ND_OK)
            goto done;
    }
    if ((st = out_reserve(&o, 1)) != ND_OK)
        goto done;
    o.map[o.len] = (uint32_t)len;
    n->content_end = o.pending ? o.ws_off : (uint32_t)len;
    n->text.len = o.len;
    n->text.data[o.len] = '\0';
    return ND_OK;
done:
    n->text.len = 0;
    if (n->text.data)
        n->text.data[0] = '\0';
    return st;
}

void nd_norm_free(nd_norm *n)
{
    if (!n)
        return;
    nd_buf_free(&n->text);
    nd_free(n->map);
    n->map = NULL;
    n->map_cap = 0;
}

/* Hashes the ND_NORM_ALL form so that texts differing only in typography, case or spacing get
 * the same hash. */
nd_status nd_content_hash(char out[33], const char *s, size_t len)
{
    nd_norm n = {0};
    nd_status st = nd_normalize(&n, s, len, ND_NORM_ALL);
    if (st != ND_OK) {
        nd_norm_free(&n);
        out[0] = '\0';
        return st;
    }
    XXH128_hash_t h = XXH3_128bits(n.text.data ? n.text.data : "", n.text.len);
    nd_norm_free(&n);
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        out[i] = hex[(h.high64 >> (60 - 4 * i)) & 0xF];
        out[16 + i] = hex[(h.low64 >> (60 - 4 * i)) & 0xF];
    }
    out[32] = '\0';
    return ND_OK;
}
