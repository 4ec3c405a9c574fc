/*
 * An article as the reuse stage sees it: word tokens located in raw, grouped in sentences and
 * paragraphs, with light stems, stopword flags, per-sentence stem sets and shingle hashes.
 *
 * The tokeniser here is deliberately not the text layer's nd_normalize + nd_tokenize: those
 * run full NFKC and case folding through utf8proc and cost more than the whole budget of the
 * stage (20,000 articles/s). Reuse only needs words that compare equal when the same text
 * was copied, so ASCII is folded by hand, Latin-1 capitals are folded, typographic
 * punctuation separates words and apostrophes (straight or curly) join them. What is lost
 * (case folding outside Latin-1, NFKC compatibility forms) makes two copies look less alike,
 * never two different texts more alike. See docs/reuse.md.
 */
#include <string.h>
#include <threads.h>

#include "reuse/reuse.h"
#include "text/text.h"
#include "util/alloc.h"

/* Longest word (bytes) that is stemmed and checked against the stopword list; longer
 * "words" (URLs, runs of letters) are still hashed whole. */
#define MAXW 48

#define FNV_OFFSET 2166136261u
#define FNV_PRIME 16777619u

static nd_status grow(void **v, size_t *cap, size_t n, size_t size, size_t first)
{
    if (n < *cap)
        return ND_OK;
    void *p = nd_grow(*v, cap, n, size, first);
    if (!p)
        return ND_ERR_NOMEM;
    *v = p;
    return ND_OK;
}

static uint32_t hash_bytes(const char *s, size_t n)
{
    uint32_t h = FNV_OFFSET;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * FNV_PRIME;
    return nd_reuse_mix(h);
}

static int ends(const char *w, size_t n, const char *suf)
{
    size_t k = strlen(suf);
    return n >= k && memcmp(w + n - k, suf, k) == 0;
}

/* Drops a doubled final consonant left by a removed suffix ("stopp" -> "stop") but keeps the
 * doubles English spells in the stem itself ("kill", "pass", "buzz"). */
static size_t undouble(const char *w, size_t n)
{
    if (n >= 2 && w[n - 1] == w[n - 2] && !strchr("lsz", w[n - 1]))
        return n - 1;
    return n;
}

/*
 * A light inflectional stemmer for ASCII words: plural and third-person -s, -ies, -ing, -ed,
 * -ly and a final -e, with minimum stem lengths so that short words stay whole. It models
 * the edits a rewrite makes ("killed" -> "killing", "evacuate" -> "evacuated"), not
 * derivational morphology; Snowball would cost more than the rest of the tokeniser per word.
 */
static size_t light_stem(char *w, size_t n)
{
    if (n <= 3)
        return n;
    for (size_t i = 0; i < n; i++)
        if (w[i] < 'a' || w[i] > 'z')
            return n;
    if (n > 4 && ends(w, n, "ies")) {
        n -= 2;
        w[n - 1] = 'y';
        return n;
    }
    if (ends(w, n, "sses"))
        n -= 2;
    else if (ends(w, n, "s") && !ends(w, n, "ss") && !ends(w, n, "us") && !ends(w, n, "is"))
        n -= 1;
    if (n > 5 && ends(w, n, "ing"))
        n = undouble(w, n - 3);
    else if (n > 4 && ends(w, n, "ed"))
        n = undouble(w, n - 2);
    else if (n > 5 && ends(w, n, "ly"))
        n -= 2;
    if (n > 3 && w[n - 1] == 'e')
        n--;
    return n;
}

/* Character classes of the tokeniser. */
enum { C_SEP, C_WORD, C_JOIN };

/* Decodes the code point at p[0..len) (valid UTF-8, as every stored raw text is) and its
 * length; a malformed byte counts as a one-byte separator. */
static uint32_t decode(const unsigned char *p, size_t len, size_t *k)
{
    unsigned c = p[0];
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (n == 1 || n > len) {
        *k = 1;
        return 0xFFFD;
    }
    uint32_t cp = c & (0x3Fu >> (n - 1));
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *k = 1;
            return 0xFFFD;
        }
        cp = (cp << 6) | (p[i] & 0x3Fu);
    }
    *k = n;
    return cp;
}

static int classify_cp(uint32_t cp)
{
    if (cp == 0x2019 || cp == 0x2018 || cp == 0x02BC)
        return C_JOIN;
    if ((cp >= 0x80 && cp < 0xC0) || cp == 0xD7 || cp == 0xF7 || (cp >= 0x2000 && cp <= 0x206F) ||
        (cp >= 0x3000 && cp <= 0x303F) || cp == 0xFEFF || cp == 0xFFFD ||
        (cp >= 0x20A0 && cp <= 0x2BFF))
        return C_SEP;
    return C_WORD;
}

typedef struct word_acc {
    char w[MAXW];
    size_t wl;
    size_t total; /* bytes of the word, also past MAXW */
    uint32_t h;
    size_t start, end;
    int in;
} word_acc;

static nd_status emit(nd_rdoc *d, word_acc *acc)
{
    acc->in = 0;
    if (d->ntok >= ND_REUSE_MAX_TOKENS)
        return ND_OK;
    nd_status s = grow((void **)&d->tok, &d->tokcap, d->ntok, sizeof *d->tok, 256);
    if (s != ND_OK)
        return s;
    nd_rtok *t = &d->tok[d->ntok++];
    t->start = (uint32_t)acc->start;
    t->end = (uint32_t)acc->end;
    t->word = nd_reuse_mix(acc->h);
    /* News repeats a small vocabulary: a direct-mapped cache of (word -> stem, stopword)
     * saves the stemmer and the stopword lookup for most tokens. */
    nd_rword *c = NULL;
    if (d->cache) {
        c = &d->cache[t->word & (ND_RDOC_CACHE - 1)];
        if (c->word == t->word && c->len == acc->total) {
            t->stem = c->stem;
            t->stop = c->stop;
            t->num = c->num;
            return ND_OK;
        }
    }
    t->num = acc->w[0] >= '0' && acc->w[0] <= '9';
    if (acc->total <= MAXW) {
        t->stop = nd_stopword(acc->w, acc->wl);
        size_t n = light_stem(acc->w, acc->wl);
        t->stem = n == acc->wl ? t->word : hash_bytes(acc->w, n);
    } else {
        t->stop = 0;
        t->stem = t->word;
    }
    if (c)
        *c = (nd_rword){t->word, t->stem, (uint32_t)acc->total, t->stop, t->num};
    return ND_OK;
}

/* ASCII bytes: 0 separates words, 1 joins them (an apostrophe), anything else is the byte
 * of a word character case-folded. Built once; a table instead of a chain of comparisons
 * because this loop runs over every byte of every article added. */
static unsigned char ascii_class[128];

static void ascii_init(void)
{
    for (int c = 0; c < 128; c++) {
        unsigned char v = 0;
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            v = (unsigned char)c;
        else if (c >= 'A' && c <= 'Z')
            v = (unsigned char)(c + 32);
        else if (c == '\'')
            v = 1;
        ascii_class[c] = v;
    }
}

static once_flag ascii_once = ONCE_FLAG_INIT;

/* Appends the word tokens of raw[s, e). */
static nd_status tokenize(nd_rdoc *d, const char *raw, size_t s, size_t e)
{
    call_once(&ascii_once, ascii_init);
    const unsigned char *p = (const unsigned char *)raw;
    word_acc acc;
    acc.in = 0;
    size_t i = s;
    while (i < e) {
        unsigned c = p[i];
        size_t k = 1;
        int cls;
        unsigned char lo[4];
        size_t nlo = 1;
        if (c < 0x80) {
            unsigned char v = ascii_class[c];
            if (v > 1 && acc.in) {
                /* The common case: one more ASCII letter or digit of the current word. */
                acc.h = (acc.h ^ v) * FNV_PRIME;
                if (acc.wl < MAXW)
                    acc.w[acc.wl++] = (char)v;
                acc.total++;
                acc.end = ++i;
                continue;
            }
            cls = v > 1 ? C_WORD : v == 1 ? C_JOIN : C_SEP;
            lo[0] = v;
        } else {
            uint32_t cp = decode(p + i, e - i, &k);
            cls = classify_cp(cp);
            memcpy(lo, p + i, k);
            nlo = k;
            /* Latin-1 capitals fold to their small letters one code point up. */
            if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
                lo[1] = (unsigned char)(lo[1] + 0x20);
        }
        if (cls == C_WORD) {
            if (!acc.in) {
                acc.in = 1;
                acc.wl = 0;
                acc.total = 0;
                acc.h = FNV_OFFSET;
                acc.start = i;
            }
            for (size_t j = 0; j < nlo; j++) {
                acc.h = (acc.h ^ lo[j]) * FNV_PRIME;
                if (acc.wl < MAXW)
                    acc.w[acc.wl++] = (char)lo[j];
            }
            acc.total += nlo;
            acc.end = i + k;
        } else if (cls == C_SEP && acc.in) {
            nd_status st = emit(d, &acc);
            if (st != ND_OK)
                return st;
        }
        i += k;
    }
    if (acc.in)
        return emit(d, &acc);
    return ND_OK;
}

nd_status nd_rdoc_build(nd_rdoc *d, const nd_article *a)
{
    d->ntok = d->nsent = d->npara = d->nsset = d->nsh = 0;
    if (!d->cache) /* without it (out of memory) every word is stemmed: slower, same result */
        d->cache = nd_calloc(ND_RDOC_CACHE, sizeof *d->cache);
    size_t raw_len;
    const char *raw = nd_article_raw(a, &raw_len);
    if (raw_len > UINT32_MAX)
        return ND_ERR_TOO_BIG;
    size_t np = nd_article_count(a, ND_PART_PARAGRAPH);
    size_t ns = nd_article_count(a, ND_PART_SENTENCE);
    nd_status s;
    for (size_t i = 0; i < np; i++) {
        nd_span sp;
        if ((s = nd_article_span(&sp, a, ND_PART_PARAGRAPH, i)) != ND_OK)
            return s;
        if ((s = grow((void **)&d->para, &d->paracap, d->npara, sizeof *d->para, 16)) != ND_OK)
            return s;
        nd_rpara *p = &d->para[d->npara++];
        p->start = (uint32_t)sp.raw_start;
        p->end = (uint32_t)sp.raw_end;
        p->t0 = p->t1 = UINT32_MAX;
        p->hash = 0;
        p->boiler = 0;
        p->seen = 0;
    }
    size_t pi = 0;
    for (size_t i = 0; i < ns && d->ntok < ND_REUSE_MAX_TOKENS; i++) {
        nd_span sp;
        if ((s = nd_article_span(&sp, a, ND_PART_SENTENCE, i)) != ND_OK)
            return s;
        if (sp.raw_start == ND_NOPOS || sp.raw_end > raw_len || sp.raw_start >= sp.raw_end)
            continue;
        while (pi + 1 < d->npara && d->para[pi].end <= sp.raw_start)
            pi++;
        size_t t0 = d->ntok;
        if ((s = tokenize(d, raw, sp.raw_start, sp.raw_end)) != ND_OK)
            return s;
        if (d->ntok == t0)
            continue;
        if ((s = grow((void **)&d->sent, &d->sentcap, d->nsent, sizeof *d->sent, 32)) != ND_OK)
            return s;
        nd_rsent *se = &d->sent[d->nsent++];
        se->start = (uint32_t)sp.raw_start;
        se->end = (uint32_t)sp.raw_end;
        se->t0 = (uint32_t)t0;
        se->t1 = (uint32_t)d->ntok;
        se->s0 = se->s1 = 0;
        se->para = d->npara ? (uint32_t)pi : 0;
        se->boiler = 0;
        if (d->npara) {
            nd_rpara *p = &d->para[pi];
            if (p->t0 == UINT32_MAX)
                p->t0 = (uint32_t)t0;
            p->t1 = (uint32_t)d->ntok;
        }
    }
    for (size_t i = 0; i < d->npara; i++) {
        nd_rpara *p = &d->para[i];
        if (p->t0 == UINT32_MAX)
            p->t0 = p->t1 = 0;
        uint32_t h = FNV_OFFSET;
        for (uint32_t t = p->t0; t < p->t1; t++)
            h = (h ^ d->tok[t].word) * FNV_PRIME;
        p->hash = nd_reuse_mix(h);
    }
    return ND_OK;
}

static void insertion_sort(uint32_t *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint32_t x = v[i];
        size_t j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

/* Sorts v[0..n) using tmp[0..n) as scratch: LSD radix sort, 4 passes of 8 bits, linear in n
 * (shingle sets of long articles are sorted for every article added). */
static void radix_sort(uint32_t *v, uint32_t *tmp, size_t n)
{
    if (n < 64) {
        insertion_sort(v, n);
        return;
    }
    uint32_t *src = v, *dst = tmp;
    for (unsigned shift = 0; shift < 32; shift += 8) {
        size_t cnt[257] = {0};
        for (size_t i = 0; i < n; i++)
            cnt[((src[i] >> shift) & 0xFF) + 1]++;
        for (size_t b = 1; b < 257; b++)
            cnt[b] += cnt[b - 1];
        for (size_t i = 0; i < n; i++)
            dst[cnt[(src[i] >> shift) & 0xFF]++] = src[i];
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    /* Four passes leave the result back in v. */
}

static size_t uniq(uint32_t *v, size_t n)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || v[m - 1] != v[i])
            v[m++] = v[i];
    return m;
}

static uint32_t combine(uint32_t a, uint32_t b)
{
    return nd_reuse_mix(a * 0x9E3779B1u + b);
}

nd_status nd_rdoc_finish(nd_rdoc *d)
{
    nd_status s;
    d->nsset = 0;
    d->nsh = 0;
    /* Room for every content token twice: the shingles and the radix sort's scratch. */
    size_t need = 2 * d->ntok + 1;
    if (d->shcap < need) {
        uint32_t *p = nd_realloc(d->sh, need * sizeof *p);
        if (!p)
            return ND_ERR_NOMEM;
        d->sh = p;
        d->shcap = need;
    }
    if (d->ssetcap < d->ntok + 1) {
        uint32_t *p = nd_realloc(d->sset, (d->ntok + 1) * sizeof *p);
        if (!p)
            return ND_ERR_NOMEM;
        d->sset = p;
        d->ssetcap = d->ntok + 1;
    }
    uint32_t win[ND_REUSE_SHINGLE];
    size_t seen = 0;
    for (size_t i = 0; i < d->nsent; i++) {
        nd_rsent *se = &d->sent[i];
        se->boiler = d->npara ? d->para[se->para].boiler : 0;
        se->s0 = (uint32_t)d->nsset;
        if (!se->boiler) {
            for (uint32_t t = se->t0; t < se->t1; t++) {
                const nd_rtok *tk = &d->tok[t];
                if (tk->stop)
                    continue;
                d->sset[d->nsset++] = tk->stem;
                memmove(win, win + 1, (ND_REUSE_SHINGLE - 1) * sizeof *win);
                win[ND_REUSE_SHINGLE - 1] = tk->stem;
                if (++seen >= ND_REUSE_SHINGLE) {
                    uint32_t h = win[0];
                    for (size_t k = 1; k < ND_REUSE_SHINGLE; k++)
                        h = combine(h, win[k]);
                    d->sh[d->nsh++] = h;
                }
            }
            uint32_t *v = d->sset + se->s0;
            size_t n = d->nsset - se->s0;
            if (n < 64)
                insertion_sort(v, n);
            else
                radix_sort(v, d->sh + d->ntok, n);
            d->nsset = se->s0 + uniq(v, n);
        }
        se->s1 = (uint32_t)d->nsset;
    }
    radix_sort(d->sh, d->sh + d->ntok, d->nsh);
    d->nsh = uniq(d->sh, d->nsh);
    s = ND_OK;
    return s;
}

void nd_rdoc_free(nd_rdoc *d)
{
    if (!d)
        return;
    nd_free(d->tok);
    nd_free(d->sent);
    nd_free(d->para);
    nd_free(d->sset);
    nd_free(d->sh);
    nd_free(d->cache);
    memset(d, 0, sizeof *d);
}

size_t nd_rdoc_bytes(const nd_rdoc *d)
{
    return d->tokcap * sizeof *d->tok + d->sentcap * sizeof *d->sent +
           d->paracap * sizeof *d->para + d->ssetcap * sizeof *d->sset + d->shcap * sizeof *d->sh +
           (d->cache ? ND_RDOC_CACHE * sizeof *d->cache : 0);
}

/* See reuse.h. An insertion sort for the few dozen entries most calls have, else a stable LSD
 * radix sort, 4 passes of 8 bits: it runs for every article added (candidate postings by
 * rowid, the aligner's postings by stem), where qsort's comparator calls were the stage's top
 * cost. */
void nd_reuse_sort_hi32(uint64_t *v, uint64_t *tmp, size_t n)
{
    if (n < 64) {
        for (size_t i = 1; i < n; i++) {
            uint64_t x = v[i];
            size_t j = i;
            while (j > 0 && v[j - 1] >> 32 > x >> 32) {
                v[j] = v[j - 1];
                j--;
            }
            v[j] = x;
        }
        return;
    }
    uint64_t *src = v, *dst = tmp;
    for (unsigned shift = 32; shift < 64; shift += 8) {
        size_t cnt[257] = {0};
        for (size_t i = 0; i < n; i++)
            cnt[((src[i] >> shift) & 0xFF) + 1]++;
        for (size_t b = 1; b < 257; b++)
            cnt[b] += cnt[b - 1];
        for (size_t i = 0; i < n; i++)
            dst[cnt[(src[i] >> shift) & 0xFF]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
}

size_t nd_reuse_intersect(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    size_t i = 0, j = 0, n = 0;
    while (i < na && j < nb) {
        if (a[i] < b[j])
            i++;
        else if (a[i] > b[j])
            j++;
        else
            n++, i++, j++;
    }
    return n;
}

/* Seed of the MinHash permutation: a shingle hash h goes to mix(h ^ MH_SEED), so that the
 * bins do not follow the top bits that already choose the index keys and sketches. */
#define MH_SEED 0x5bd1e995u
_Static_assert(ND_REUSE_MH_K <= 64, "the filled bins of a signature are one 64-bit mask");
/* Attempts of the densification walk before it falls back to the next filled bin. */
#define MH_PROBES (8 * ND_REUSE_MH_K)

/* The bin of a permuted hash: its high bits scaled to K (multiply-shift, no division). */
static uint32_t mh_bin(uint32_t g, uint32_t k)
{
    return (uint32_t)(((uint64_t)g * k) >> 32);
}

/*
 * One-permutation hashing (Li, Owen and Zhang 2012): every shingle is permuted once and falls
 * into one of K bins by its high bits; a bin keeps its smallest value. That is one mix per
 * shingle instead of K, about 1 µs for an article of 300 shingles where K independent
 * permutations would cost 7. Bins left empty (short sets) borrow the value of a filled bin
 * chosen by a walk that depends only on the bin and the attempt ("optimal densification",
 * Shrivastava 2017), so that two sets agree on an empty bin with the same chance as on a
 * filled one: the fraction of equal bins stays an unbiased estimate of resemblance.
 */
void nd_reuse_minhash(const uint32_t *sh, size_t n, uint32_t *sig)
{
    const uint32_t k = ND_REUSE_MH_K;
    uint64_t filled = 0;
    for (uint32_t b = 0; b < k; b++)
        sig[b] = UINT32_MAX;
    for (size_t i = 0; i < n; i++) {
        uint32_t g = nd_reuse_mix(sh[i] ^ MH_SEED);
        uint32_t b = mh_bin(g, k);
        if (g <= sig[b])
            sig[b] = g;
        filled |= (uint64_t)1 << b;
    }
    if (!filled) {
        memset(sig, 0, k * sizeof *sig);
        return;
    }
    for (uint32_t b = 0; b < k; b++) {
        if (filled >> b & 1)
            continue;
        uint32_t from = b;
        for (uint32_t a = 1; a <= MH_PROBES; a++) {
            uint32_t j = mh_bin(nd_reuse_mix(b * 0x9E3779B1u + a * 0x85EBCA77u), k);
            if (filled >> j & 1) {
                from = j;
                break;
            }
        }
        /* Vanishingly rare (a walk missing every filled bin 192 times): the next filled one. */
        while (!(filled >> from & 1))
            from = (from + 1) % k;
        sig[b] = sig[from];
    }
}

void nd_reuse_bands(const uint32_t *sig, uint32_t *band)
{
    for (uint32_t b = 0; b < ND_REUSE_MH_BANDS; b++) {
        uint32_t h = nd_reuse_mix((b + 1) * 0x9E3779B1u);
        for (uint32_t r = 0; r < ND_REUSE_MH_ROWS; r++)
            h = combine(h, sig[b * ND_REUSE_MH_ROWS + r]);
        band[b] = h;
    }
}
