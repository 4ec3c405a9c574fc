/*
 * Signals for the clustering: what an article is about (words, names, numbers) and when
 * (publication date, dates it mentions), as raw feature counts in three views.
 */
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

#include "cluster/cluster.h"
#include "text/text.h"
#include "util/alloc.h"

/* Only the first BODY_CAP bytes of the body are read: news puts who, what, where and when in
 * the first paragraphs, and a bound keeps the cost per article flat (docs/cluster.md). */
#define BODY_CAP 6000

/* Stems are memoised: Snowball costs more than everything else in extraction, and news
 * vocabulary is Zipfian, so a direct-mapped cache of this many words hits almost always. */
#define STEM_CACHE 65536

typedef struct stem_ent {
    uint64_t word; /* 64-bit hash of the case-folded word; 0 = empty */
    uint32_t stem; /* 30-bit feature hash of its stem */
} stem_ent;

struct nd_cx_extractor {
    nd_stemmer *stem;
    stem_ent *cache;
    nd_norm norm;
    nd_tokens toks;
    char name[256]; /* a name sequence being built */
    uint64_t *keys; /* cache keys of the current tokens' words (0: not a word to add) */
    size_t keycap;
};

/* ---- Raw feature bags ------------------------------------------------------------------- */

void nd_cx_raw_reset(nd_cx_raw *r)
{
    r->n = 0;
    r->counted = 0;
    if (r->slot)
        memset(r->slot, 0, (size_t)r->nslot * sizeof *r->slot);
    r->day = ND_CX_NODAY;
    r->said_day = ND_CX_NODAY;
}

void nd_cx_raw_free(nd_cx_raw *r)
{
    nd_free(r->id);
    nd_free(r->tf);
    nd_free(r->df);
    nd_free(r->slot);
    memset(r, 0, sizeof *r);
}

static uint32_t fnv(uint32_t h, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* Doubles the dedup table (kept at most half full) and re-inserts every feature. */
static nd_status raw_rehash(nd_cx_raw *r)
{
    uint32_t nslot = r->nslot ? r->nslot * 2 : 256;
    uint32_t *slot = nd_calloc(nslot, sizeof *slot);
    if (!slot)
        return ND_ERR_NOMEM;
    for (uint32_t i = 0; i < r->n; i++) {
        uint32_t h = (r->id[i] * 2654435761u) & (nslot - 1);
        while (slot[h])
            h = (h + 1) & (nslot - 1);
        slot[h] = i + 1;
    }
    nd_free(r->slot);
    r->slot = slot;
    r->nslot = nslot;
    return ND_OK;
}

static uint32_t feature_hash(char kind, const char *s, size_t len)
{
    uint32_t h = fnv(fnv(2166136261u, &kind, 1), s, len) & 0x3fffffffu;
    return h ? h : 1;
}

nd_status nd_cx_raw_add(nd_cx_raw *r, int view, char kind, const char *s, size_t len)
{
    return nd_cx_raw_add_hash(r, view, feature_hash(kind, s, len));
}

nd_status nd_cx_raw_add_hash(nd_cx_raw *r, int view, uint32_t h)
{
    uint32_t id = ((uint32_t)view << 30) | (h & 0x3fffffffu);
    if ((r->n + 1) * 2 > r->nslot) {
        nd_status st = raw_rehash(r);
        if (st != ND_OK)
            return st;
    }
    uint32_t k = (id * 2654435761u) & (r->nslot - 1);
    while (r->slot[k]) {
        uint32_t i = r->slot[k] - 1;
        if (r->id[i] == id) {
            r->tf[i]++;
            return ND_OK;
        }
        k = (k + 1) & (r->nslot - 1);
    }
    if (r->n == r->cap) {
        uint32_t cap = r->cap ? r->cap * 2 : 256;
        uint32_t *ids = nd_realloc(r->id, cap * sizeof *ids);
        if (!ids)
            return ND_ERR_NOMEM;
        r->id = ids;
        uint32_t *tf = nd_realloc(r->tf, cap * sizeof *tf);
        if (!tf)
            return ND_ERR_NOMEM;
        r->tf = tf;
        uint32_t *df = nd_realloc(r->df, cap * sizeof *df);
        if (!df)
            return ND_ERR_NOMEM;
        r->df = df;
        r->cap = cap;
    }
    r->id[r->n] = id;
    r->tf[r->n] = 1;
    r->counted = 0;
    r->slot[k] = ++r->n;
    return ND_OK;
}

nd_status nd_cx_raw_add_date(nd_cx_raw *r, int32_t day)
{
    if (r->said_day == ND_CX_NODAY || day > r->said_day)
        r->said_day = day;
    return ND_OK;
}

/* ---- Calendar --------------------------------------------------------------------------- */

/* Days from the civil date (proleptic Gregorian), after H. Hinnant's days_from_civil. */
int32_t nd_cx_civil_day(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

static int digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

int32_t nd_cx_iso_day(const char *s)
{
    int y, m, d;
    if (!s || strlen(s) < 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) ||
        !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d) || m < 1 || m > 12 || d < 1 || d > 31)
        return ND_CX_NODAY;
    return nd_cx_civil_day(y, m, d);
}

/* ---- Extraction ------------------------------------------------------------------------- */

nd_status nd_cx_extractor_new(nd_cx_extractor **out)
{
    *out = NULL;
    nd_cx_extractor *x = nd_calloc(1, sizeof *x);
    if (!x)
        return ND_ERR_NOMEM;
    x->cache = nd_calloc(STEM_CACHE, sizeof *x->cache);
    nd_status st = x->cache ? nd_stemmer_new(&x->stem) : ND_ERR_NOMEM;
    if (st != ND_OK) {
        nd_free(x->cache);
        nd_free(x);
        return st;
    }
    *out = x;
    return ND_OK;
}

void nd_cx_extractor_free(nd_cx_extractor *x)
{
    if (!x)
        return;
    nd_stemmer_free(x->stem);
    nd_free(x->cache);
    nd_norm_free(&x->norm);
    nd_tokens_free(&x->toks);
    nd_free(x->keys);
    nd_free(x);
}

static const char *const months[] = {"january", "february", "march",     "april",
                                     "may",     "june",     "july",      "august",
                                     "september", "october", "november", "december"};

/* The month (1..12) a case-folded word names, full or abbreviated ("sept", "dec"); 0 if none. */
static int month_of(const char *w, size_t n)
{
    static const unsigned char mlen[12] = {7, 8, 5, 5, 3, 4, 4, 6, 9, 7, 8, 8};
    if (n < 3 || n > 9)
        return 0;
    /* Called for every word: reject on the first letter before comparing. */
    switch (w[0]) {
    case 'j': case 'f': case 'm': case 'a': case 's': case 'o': case 'n': case 'd':
        break;
    default:
        return 0;
    }
    for (int i = 0; i < 12; i++) {
        if (months[i][0] != w[0])
            continue;
        size_t ml = mlen[i];
        if ((n == ml || n == 3 || (n == 4 && i == 8)) && memcmp(months[i], w, n) == 0)
            return i + 1;
    }
    return 0;
}

/* True when the original text at `off` starts with an upper-case letter. */
static int capitalised(const char *orig, size_t len, uint32_t off)
{
    unsigned char c = (unsigned char)orig[off];
    if (c < 0x80)
        return c >= 'A' && c <= 'Z';
    utf8proc_int32_t cp;
    utf8proc_ssize_t k =
        utf8proc_iterate((const utf8proc_uint8_t *)orig + off, (utf8proc_ssize_t)(len - off), &cp);
    return k > 0 && utf8proc_category(cp) == UTF8PROC_CATEGORY_LU;
}

/* A token's text in the normalised buffer. */
static const char *tok_text(const nd_cx_extractor *x, const nd_token *t, size_t *n)
{
    *n = t->end - t->start;
    return x->norm.text.data + t->start;
}

/* Word length without a possessive "'s". */
static size_t strip_possessive(const char *w, size_t n)
{
    if (n > 2 && w[n - 2] == '\'' && w[n - 1] == 's')
        return n - 2;
    return n;
}

/* Adds the stems of the non-stopwords of the current tokens to `view`. The stem cache is a
 * megabyte probed at random, so nearly every probe misses the CPU cache: the words' keys are
 * computed and their entries prefetched in a first pass, and the misses overlap instead of
 * coming one per word. */
static nd_status add_words(nd_cx_extractor *x, nd_cx_raw *r, int view)
{
    if (x->toks.n > x->keycap) {
        uint64_t *k = nd_realloc(x->keys, x->toks.n * sizeof *k);
        if (!k)
            return ND_ERR_NOMEM;
        x->keys = k;
        x->keycap = x->toks.n;
    }
    for (size_t i = 0; i < x->toks.n; i++) {
        const nd_token *t = &x->toks.v[i];
        x->keys[i] = 0;
        if (t->kind != ND_TOK_WORD || t->stop)
            continue;
        size_t n;
        const char *w = tok_text(x, t, &n);
        n = strip_possessive(w, n);
        if (n < 2 || n > 64)
            continue;
        uint64_t key = 1469598103934665603ull;
        for (size_t k = 0; k < n; k++)
            key = (key ^ (unsigned char)w[k]) * 1099511628211ull;
        key |= 1;
        x->keys[i] = key;
        __builtin_prefetch(&x->cache[key & (STEM_CACHE - 1)]);
    }
    for (size_t i = 0; i < x->toks.n; i++) {
        uint64_t key = x->keys[i];
        if (!key)
            continue;
        stem_ent *e = &x->cache[key & (STEM_CACHE - 1)];
        if (e->word != key) {
            size_t n, sl;
            const char *w = tok_text(x, &x->toks.v[i], &n);
            n = strip_possessive(w, n);
            const char *st = nd_stem(x->stem, w, n, &sl);
            if (!st)
                return ND_ERR_NOMEM;
            e->word = key;
            e->stem = feature_hash('w', st, sl);
        }
        nd_status st = nd_cx_raw_add_hash(r, view, e->stem);
        if (st != ND_OK)
            return st;
    }
    return ND_OK;
}

/* True when token i starts a sentence: first token, after closing punctuation or a quote,
 * or on a new line. */
static int sentence_start(const nd_cx_extractor *x, size_t i)
{
    if (i == 0)
        return 1;
    const nd_token *p = &x->toks.v[i - 1], *t = &x->toks.v[i];
    for (uint32_t k = p->end; k < t->start; k++)
        if (x->norm.text.data[k] == '\n')
            return 1;
    if (p->kind != ND_TOK_PUNCT)
        return 0;
    char c = x->norm.text.data[p->start];
    return c == '.' || c == '!' || c == '?' || c == ':' || c == '"' || c == '\'' || c == '(' ||
           c == '-';
}

/* Names: runs of capitalised words separated by single spaces. A run of one word at the start
 * of a sentence is not taken (it is capitalised for the sentence, not for the name). Each
 * run gives the whole name and, for longer runs, each of its words, so "Lohan" meets
 * "Lindsay Lohan". */
static nd_status add_names(nd_cx_extractor *x, nd_cx_raw *r, const char *orig, size_t olen)
{
    size_t i = 0;
    while (i < x->toks.n) {
        const nd_token *t = &x->toks.v[i];
        if (t->kind != ND_TOK_WORD || t->stop || !capitalised(orig, olen, t->ostart)) {
            i++;
            continue;
        }
        size_t j = i + 1;
        while (j < x->toks.n) {
            const nd_token *u = &x->toks.v[j], *p = &x->toks.v[j - 1];
            if (u->kind != ND_TOK_WORD || u->stop || u->start != p->end + 1 ||
                x->norm.text.data[p->end] != ' ' || !capitalised(orig, olen, u->ostart))
                break;
            j++;
        }
        if (j - i == 1 && sentence_start(x, i)) {
            i = j;
            continue;
        }
        size_t len = 0;
        for (size_t k = i; k < j; k++) {
            size_t n;
            const char *w = tok_text(x, &x->toks.v[k], &n);
            n = strip_possessive(w, n);
            if (len + n + 1 >= sizeof x->name)
                break;
            if (len)
                x->name[len++] = ' ';
            memcpy(x->name + len, w, n);
            len += n;
            if (j - i > 1 && n > 1) {
                nd_status st = nd_cx_raw_add(r, ND_CX_NAME, 'e', w, n);
                if (st != ND_OK)
                    return st;
            }
        }
        if (len > 1) {
            nd_status st = nd_cx_raw_add(r, ND_CX_NAME, 'e', x->name, len);
            if (st != ND_OK)
                return st;
        }
        i = j;
    }
    return ND_OK;
}

/* Reads a number token as an integer (plain digits only). */
static int tok_int(const nd_cx_extractor *x, size_t i, int *v)
{
    if (i >= x->toks.n || x->toks.v[i].kind != ND_TOK_NUMBER)
        return 0;
    size_t n;
    const char *s = tok_text(x, &x->toks.v[i], &n);
    return n <= 4 && digits(s, n, v);
}

/* Numbers (two digits or more: single digits are counts of anything) and calendar dates:
 * "June 4", "June 4, 2025", "4 June 2025", "Nov. 30". A date without a year takes the year
 * that puts it nearest before the publication date; undated articles skip such dates. */
static nd_status add_numbers_dates(nd_cx_extractor *x, nd_cx_raw *r, int pub_y, int pub_m)
{
    char buf[32];
    for (size_t i = 0; i < x->toks.n; i++) {
        const nd_token *t = &x->toks.v[i];
        size_t n;
        const char *w = tok_text(x, t, &n);
        if (t->kind == ND_TOK_NUMBER) {
            if (n >= 2 && n <= 24) {
                nd_status st = nd_cx_raw_add(r, ND_CX_NAME, 'n', w, n);
                if (st != ND_OK)
                    return st;
            }
            continue;
        }
        /* Every date form below has a number right before the month, or one of the two
         * tokens after it: most words have neither, and are not looked up. */
        if (t->kind != ND_TOK_WORD || !((i > 0 && x->toks.v[i - 1].kind == ND_TOK_NUMBER) ||
                                        (i + 1 < x->toks.n &&
                                         x->toks.v[i + 1].kind == ND_TOK_NUMBER) ||
                                        (i + 2 < x->toks.n &&
                                         x->toks.v[i + 2].kind == ND_TOK_NUMBER)))
            continue;
        int mon = month_of(w, n);
        if (!mon)
            continue;
        size_t k = i + 1;
        if (k < x->toks.n && x->toks.v[k].kind == ND_TOK_PUNCT &&
            x->norm.text.data[x->toks.v[k].start] == '.')
            k++;
        int day = 0, year = 0, v;
        if (tok_int(x, k, &v) && v >= 1 && v <= 31) {
            day = v;
            k++;
            if (k < x->toks.n && x->toks.v[k].kind == ND_TOK_PUNCT &&
                x->norm.text.data[x->toks.v[k].start] == ',')
                k++;
            if (tok_int(x, k, &v) && v >= 1900 && v <= 2200)
                year = v;
        } else if (i > 0 && tok_int(x, i - 1, &v) && v >= 1 && v <= 31) {
            day = v;
            if (tok_int(x, k, &v) && v >= 1900 && v <= 2200)
                year = v;
        } else if (tok_int(x, k, &v) && v >= 1900 && v <= 2200) {
            int len = snprintf(buf, sizeof buf, "%04d-%02d", v, mon);
            nd_status st = nd_cx_raw_add(r, ND_CX_NAME, 'm', buf, (size_t)len);
            if (st != ND_OK)
                return st;
            continue;
        }
        if (!day)
            continue;
        if (!year) {
            if (!pub_y)
                continue;
            year = mon > pub_m + 1 ? pub_y - 1 : pub_y;
        }
        int len = snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, mon, day);
        nd_status st = nd_cx_raw_add(r, ND_CX_NAME, 'd', buf, (size_t)len);
        if (st == ND_OK)
            st = nd_cx_raw_add_date(r, nd_cx_civil_day(year, mon, day));
        if (st != ND_OK)
            return st;
    }
    return ND_OK;
}

/* Normalises and tokenises s[0..len), cut to `cap` bytes at a character boundary. */
static nd_status tokenize(nd_cx_extractor *x, const char *s, size_t len, size_t cap)
{
    if (len > cap) {
        len = cap;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    x->toks.n = 0;
    nd_status st = nd_normalize(&x->norm, s, len, ND_NORM_ALL);
    if (st == ND_OK)
        st = nd_tokenize(&x->toks, &x->norm);
    return st;
}

nd_status nd_cx_extract(nd_cx_extractor *x, const nd_article *a, nd_cx_raw *r)
{
    nd_cx_raw_reset(r);
    const char *date = nd_article_get(a, ND_FIELD_DATE);
    r->day = nd_cx_iso_day(date);
    int pub_y = 0, pub_m = 0;
    if (r->day != ND_CX_NODAY) {
        (void)digits(date, 4, &pub_y);
        (void)digits(date + 5, 2, &pub_m);
    }
    nd_status st = ND_OK;
    for (int f = 0; f < 2 && st == ND_OK; f++) {
        const char *h = nd_article_get(a, f == 0 ? ND_FIELD_HEADLINE : ND_FIELD_DEK);
        if (!h)
            continue;
        st = tokenize(x, h, strlen(h), 1024);
        if (st == ND_OK)
            st = add_words(x, r, ND_CX_TITLE);
    }
    size_t blen;
    const char *body = nd_article_body(a, &blen);
    if (st == ND_OK)
        st = tokenize(x, body, blen, BODY_CAP);
    if (st == ND_OK)
        st = add_words(x, r, ND_CX_BODY);
    if (st == ND_OK)
        st = add_names(x, r, body, blen);
    if (st == ND_OK)
        st = add_numbers_dates(x, r, pub_y, pub_m);
    return st;
}
