/*
 * Scoring a clustering of articles into stories and events against gold labels.
 *
 * Both sides are read into label arrays indexed by the gold article: the gold TSV fixes the
 * set of articles that is scored, and every predicted assignment (from a TSV or from the
 * store) is looked up by article id. Labels are interned to numbers, so the scores themselves
 * (nd_eval_partition) see only two arrays of numbers and work from contingency counts: the
 * number of articles in each (gold cluster, predicted cluster) cell. B-cubed and pair counts
 * are sums over those cells, so nothing is ever compared article by article and a million
 * articles cost a few hash lookups each.
 *
 * What is not in both sides is counted, not hidden: a gold article without a prediction is
 * scored as a cluster of its own (it was grouped with nothing, which costs recall), and a
 * predicted article outside the gold cannot be scored and is only counted.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "eval/eval.h"
#include "newsdesk.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/errf.h"

/* A line of a clustering TSV is an id and two labels; anything longer is not one. */
#define LINE_MAX_BYTES 4096
/* Interned labels get numbers below this; articles without a label get SINGLETON + their
 * index, so the two ranges never meet. It also caps the number of gold articles. */
#define SINGLETON 0x80000000u
#define MAX_ARTICLES ((size_t)SINGLETON - 1)

/* ---- interning strings to dense numbers ------------------------------------------------ */

/* Open addressing over slots holding id + 1 (0 = empty); keys live in an arena. */
typedef struct strtab {
    uint32_t *slots;
    size_t mask; /* slot count - 1 (a power of two) */
    const char **keys;
    size_t *lens;
    uint64_t *hashes;
    size_t n, cap;
    nd_arena *arena;
} strtab;

static void strtab_free(strtab *t)
{
    nd_free(t->slots);
    nd_free(t->keys);
    nd_free(t->lens);
    nd_free(t->hashes);
    nd_arena_free(t->arena);
    memset(t, 0, sizeof *t);
}

/* Doubles the slot array and reinserts every key by its stored hash. */
static nd_status strtab_rehash(strtab *t)
{
    size_t nslots = t->slots ? (t->mask + 1) * 2 : 1024;
    uint32_t *s = nd_calloc(nslots, sizeof *s);
    if (!s)
        return ND_ERR_NOMEM;
    for (size_t i = 0; i < t->n; i++) {
        size_t j = (size_t)t->hashes[i] & (nslots - 1);
        while (s[j])
            j = (j + 1) & (nslots - 1);
        s[j] = (uint32_t)i + 1;
    }
    nd_free(t->slots);
    t->slots = s;
    t->mask = nslots - 1;
    return ND_OK;
}

/* Finds the number of key[0..len); when absent and `add` is set, gives it the next number.
 * *id is UINT32_MAX when absent and not added. *added tells whether it was new. */
static nd_status strtab_get(strtab *t, const char *key, size_t len, int add, uint32_t *id,
                            int *added)
{
    *id = UINT32_MAX;
    if (added)
        *added = 0;
    if (!t->slots || (add && (t->n + 1) * 2 > t->mask + 1)) {
        if (!t->slots && !add)
            return ND_OK;
        nd_status st = strtab_rehash(t);
        if (st != ND_OK)
            return st;
    }
    uint64_t h = XXH3_64bits(key, len);
    size_t j = (size_t)h & t->mask;
    while (t->slots[j]) {
        uint32_t k = t->slots[j] - 1;
        if (t->hashes[k] == h && t->lens[k] == len && memcmp(t->keys[k], key, len) == 0) {
            *id = k;
            return ND_OK;
        }
        j = (j + 1) & t->mask;
    }
    if (!add)
        return ND_OK;
    if (t->n >= MAX_ARTICLES)
        return ND_ERR_TOO_BIG;
    if (t->n == t->cap) {
        size_t c = t->cap ? t->cap * 2 : 1024;
        const char **k = nd_realloc(t->keys, c * sizeof *k);
        if (!k)
            return ND_ERR_NOMEM;
        t->keys = k;
        size_t *l = nd_realloc(t->lens, c * sizeof *l);
        if (!l)
            return ND_ERR_NOMEM;
        t->lens = l;
        uint64_t *hs = nd_realloc(t->hashes, c * sizeof *hs);
        if (!hs)
            return ND_ERR_NOMEM;
        t->hashes = hs;
        t->cap = c;
    }
    if (!t->arena && !(t->arena = nd_arena_new(65536)))
        return ND_ERR_NOMEM;
    char *copy = nd_arena_strndup(t->arena, key, len);
    if (!copy)
        return ND_ERR_NOMEM;
    t->keys[t->n] = copy;
    t->lens[t->n] = len;
    t->hashes[t->n] = h;
    t->slots[j] = (uint32_t)t->n + 1;
    *id = (uint32_t)t->n++;
    if (added)
        *added = 1;
    return ND_OK;
}

/* ---- the scores over two label arrays -------------------------------------------------- */

/* Counts per 64-bit key, open addressing; a cell is used when its count is not 0. */
typedef struct countmap {
    uint64_t *keys;
    int64_t *counts;
    size_t mask;
} countmap;

static nd_status countmap_init(countmap *m, size_t n)
{
    size_t slots = 16;
    while (slots < 2 * n)
        slots *= 2;
    m->keys = nd_malloc(slots * sizeof *m->keys);
    m->counts = nd_calloc(slots, sizeof *m->counts);
    m->mask = slots - 1;
    return m->keys && m->counts ? ND_OK : ND_ERR_NOMEM;
}

static void countmap_free(countmap *m)
{
    nd_free(m->keys);
    nd_free(m->counts);
}

/* The slot of `key`: where it is, or the empty slot where it belongs. The map is never more
 * than half full (sized for every item being a key of its own), so the probe ends. */
static size_t countmap_slot(const countmap *m, uint64_t key)
{
    size_t j = (size_t)(key * 0x9e3779b97f4a7c15u >> 20) & m->mask;
    while (m->counts[j] && m->keys[j] != key)
        j = (j + 1) & m->mask;
    return j;
}

static void countmap_add(countmap *m, uint64_t key)
{
    size_t j = countmap_slot(m, key);
    m->keys[j] = key;
    m->counts[j]++;
}

static int64_t countmap_get(const countmap *m, uint64_t key)
{
    return m->counts[countmap_slot(m, key)];
}

static double ratio(double num, double den)
{
    return den > 0.0 ? num / den : 1.0;
}

static double harmonic(double p, double r)
{
    return p + r > 0.0 ? 2.0 * p * r / (p + r) : 0.0;
}

/*
 * With c the articles of a (gold g, predicted p) cell, |g| and |p| the cluster sizes:
 * B-cubed precision = (1/n) sum over cells of c*c/|p| (each of the c articles finds c of its
 * |p| predicted companions, itself included, in its gold cluster), recall the same over |g|;
 * pairs together in both = sum c(c-1)/2, in the prediction = sum |p|(|p|-1)/2, in the gold
 * = sum |g|(|g|-1)/2.
 */
nd_status nd_eval_partition(nd_cluster_scores *out, const uint32_t *gold, const uint32_t *pred,
                            size_t n)
{
    memset(out, 0, sizeof *out);
    if (n == 0)
        return ND_OK;
    countmap cells = {0}, gsize = {0}, psize = {0};
    nd_status st = countmap_init(&cells, n);
    if (st == ND_OK)
        st = countmap_init(&gsize, n);
    if (st == ND_OK)
        st = countmap_init(&psize, n);
    if (st != ND_OK)
        goto done;
    for (size_t i = 0; i < n; i++) {
        countmap_add(&cells, (uint64_t)gold[i] << 32 | pred[i]);
        countmap_add(&gsize, gold[i]);
        countmap_add(&psize, pred[i]);
    }
    double bp = 0.0, br = 0.0;
    int64_t tp = 0, gold_pairs = 0, pred_pairs = 0;
    for (size_t j = 0; j <= cells.mask; j++) {
        int64_t c = cells.counts[j];
        if (!c)
            continue;
        int64_t g = countmap_get(&gsize, cells.keys[j] >> 32);
        int64_t p = countmap_get(&psize, cells.keys[j] & 0xffffffffu);
        bp += (double)c * (double)c / (double)p;
        br += (double)c * (double)c / (double)g;
        tp += c * (c - 1) / 2;
    }
    for (size_t j = 0; j <= gsize.mask; j++) {
        int64_t c = gsize.counts[j];
        out->gold_clusters += c > 0;
        gold_pairs += c * (c - 1) / 2;
    }
    for (size_t j = 0; j <= psize.mask; j++) {
        int64_t c = psize.counts[j];
        out->pred_clusters += c > 0;
        pred_pairs += c * (c - 1) / 2;
    }
    out->bcubed_precision = bp / (double)n;
    out->bcubed_recall = br / (double)n;
    out->bcubed_f1 = harmonic(out->bcubed_precision, out->bcubed_recall);
    out->pairs.tp = tp;
    out->pairs.fp = pred_pairs - tp;
    out->pairs.fn = gold_pairs - tp;
    out->pairs.precision = ratio((double)tp, (double)pred_pairs);
    out->pairs.recall = ratio((double)tp, (double)gold_pairs);
    out->pairs.f1 = harmonic(out->pairs.precision, out->pairs.recall);
done:
    countmap_free(&cells);
    countmap_free(&gsize);
    countmap_free(&psize);
    return st;
}

/* ---- reading both sides --------------------------------------------------------------- */

/* Everything read so far. Index i is the i-th gold article. */
typedef struct scorer {
    strtab articles;
    strtab gold_stories, gold_events, pred_stories, pred_events;
    uint32_t *gs, *ge, *ps, *pe; /* labels; ps[i] == UINT32_MAX: no prediction yet */
    size_t cap;
    nd_cluster_eval *out;
    nd_status st;     /* first failure inside the store's callback */
    const char *from; /* the file being read, or the store, for messages */
    size_t line;      /* its line, 0 for the store */
    char *errbuf;
    size_t errlen;
    char key[2 * LINE_MAX_BYTES + 2]; /* "story<TAB>event" */
} scorer;

static void scorer_free(scorer *s)
{
    strtab_free(&s->articles);
    strtab_free(&s->gold_stories);
    strtab_free(&s->gold_events);
    strtab_free(&s->pred_stories);
    strtab_free(&s->pred_events);
    nd_free(s->gs);
    nd_free(s->ge);
    nd_free(s->ps);
    nd_free(s->pe);
}

/* Grows the four label arrays to hold index `i`. */
static nd_status scorer_reserve(scorer *s, size_t i)
{
    if (i < s->cap)
        return ND_OK;
    size_t c = s->cap ? s->cap * 2 : 1024;
    uint32_t **arrays[] = {&s->gs, &s->ge, &s->ps, &s->pe};
    for (size_t k = 0; k < 4; k++) {
        uint32_t *v = nd_realloc(*arrays[k], c * sizeof *v);
        if (!v)
            return ND_ERR_NOMEM;
        *arrays[k] = v;
    }
    s->cap = c;
    return ND_OK;
}

/* Reports a bad input at the current place. */
static nd_status scorer_fail(scorer *s, nd_status st, const char *what, const char *id)
{
    if (s->line)
        nd_errf(s->errbuf, s->errlen, "%s:%zu: %s%s%s", s->from, s->line, what, id ? " " : "",
                id ? id : "");
    else
        nd_errf(s->errbuf, s->errlen, "%s: %s%s%s", s->from, what, id ? " " : "",
                id ? id : "");
    return st;
}

/* Numbers the story and event labels of gold article `idx` in one side's tables. An event
 * is named by its story and its own id together, so that "the first event of each story"
 * written as the same id in every story stays one event per story. */
static nd_status label(scorer *s, strtab *stories, strtab *events, uint32_t idx,
                       const char *story, size_t slen, const char *event, size_t elen,
                       uint32_t *sid, uint32_t *eid)
{
    nd_status st = ND_OK;
    *sid = *eid = SINGLETON + idx;
    if (slen > LINE_MAX_BYTES || elen > LINE_MAX_BYTES)
        return scorer_fail(s, ND_ERR_INPUT, "label too long", NULL);
    if (slen && (st = strtab_get(stories, story, slen, 1, sid, NULL)) != ND_OK)
        return st;
    if (elen) {
        memcpy(s->key, story, slen);
        s->key[slen] = '\t';
        memcpy(s->key + slen + 1, event, elen);
        st = strtab_get(events, s->key, slen + 1 + elen, 1, eid, NULL);
    }
    return st;
}

static void copy_id(char *dst, size_t cap, const char *id, size_t len)
{
    if (len >= cap)
        len = cap - 1;
    memcpy(dst, id, len);
    dst[len] = '\0';
}

static nd_status add_gold(scorer *s, const char *id, size_t idlen, const char *story,
                          size_t slen, const char *event, size_t elen)
{
    uint32_t i;
    int added;
    nd_status st = strtab_get(&s->articles, id, idlen, 1, &i, &added);
    if (st == ND_ERR_TOO_BIG)
        return scorer_fail(s, st, "too many articles", NULL);
    if (st != ND_OK)
        return st;
    if (!added)
        return scorer_fail(s, ND_ERR_INPUT, "article listed twice:", s->articles.keys[i]);
    if ((st = scorer_reserve(s, i)) != ND_OK)
        return st;
    s->ps[i] = s->pe[i] = UINT32_MAX;
    s->out->articles++;
    return label(s, &s->gold_stories, &s->gold_events, i, story, slen, event, elen, &s->gs[i],
                 &s->ge[i]);
}

static nd_status add_pred(scorer *s, const char *id, size_t idlen, const char *story,
                          size_t slen, const char *event, size_t elen)
{
    uint32_t i;
    nd_status st = strtab_get(&s->articles, id, idlen, 0, &i, NULL);
    if (st != ND_OK)
        return st;
    s->out->predicted++;
    if (i == UINT32_MAX) {
        if (!s->out->extra++)
            copy_id(s->out->first_extra, sizeof s->out->first_extra, id, idlen);
        return ND_OK;
    }
    if (s->ps[i] != UINT32_MAX)
        return scorer_fail(s, ND_ERR_INPUT, "article assigned twice:", s->articles.keys[i]);
    return label(s, &s->pred_stories, &s->pred_events, i, story, slen, event, elen, &s->ps[i],
                 &s->pe[i]);
}

/* ---- TSV files ------------------------------------------------------------------------ */

/* Undoes the escapes of the CLI's TSV writer (\t \n \r \\) in place; returns the new length. */
static size_t unescape(char *f, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = f[i];
        if (c == '\\' && i + 1 < n) {
            char e = f[++i];
            c = e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e;
        }
        f[o++] = c;
    }
    return o;
}

/* Reads a file line by line through a fixed window; a line longer than the window is an
 * error, so a file that is not a clustering TSV cannot make the reader grow. */
typedef struct lines {
    FILE *f;
    char *buf;
    size_t len, pos;
    int eof;
} lines;

#define WINDOW (LINE_MAX_BYTES * 16)

/* Next line (without its newline, and without a CR before it) in *line, *n. Returns ND_OK,
 * ND_DONE at the end, ND_ERR_TOO_BIG for an overlong line or ND_ERR_IO. */
static nd_status lines_next(lines *l, char **line, size_t *n)
{
    for (;;) {
        char *start = l->buf + l->pos;
        char *nl = memchr(start, '\n', l->len - l->pos);
        if (nl || (l->eof && l->pos < l->len)) {
            size_t k = nl ? (size_t)(nl - start) : l->len - l->pos;
            l->pos += k + (nl ? 1 : 0);
            if (k > LINE_MAX_BYTES)
                return ND_ERR_TOO_BIG;
            if (k && start[k - 1] == '\r')
                k--;
            *line = start;
            *n = k;
            return ND_OK;
        }
        if (l->eof)
            return ND_DONE;
        if (l->len - l->pos > LINE_MAX_BYTES)
            return ND_ERR_TOO_BIG;
        memmove(l->buf, start, l->len - l->pos);
        l->len -= l->pos;
        l->pos = 0;
        size_t room = WINDOW - l->len;
        size_t got = fread(l->buf + l->len, 1, room, l->f);
        l->len += got;
        if (got < room) {
            if (ferror(l->f))
                return ND_ERR_IO;
            l->eof = 1;
        }
    }
}

/* Splits a line at its first three tabs-separated fields (more are ignored) and unescapes
 * them. False when there are fewer than three. */
static bool split3(char *ln, size_t n, char **f, size_t *len)
{
    size_t k = 0, start = 0;
    for (size_t i = 0; i <= n && k < 3; i++) {
        if (i == n || ln[i] == '\t') {
            f[k] = ln + start;
            len[k] = unescape(ln + start, i - start);
            k++;
            start = i + 1;
        }
    }
    return k == 3;
}

/* Reads one clustering TSV into the scorer, as the gold or as the prediction. */
static nd_status read_tsv(scorer *s, const char *path, int is_gold)
{
    lines l = {0};
    l.f = fopen(path, "rb");
    if (!l.f) {
        nd_errf(s->errbuf, s->errlen, "cannot read %s: %s", path, strerror(errno));
        return ND_ERR_IO;
    }
    l.buf = nd_malloc(WINDOW);
    if (!l.buf) {
        fclose(l.f);
        return ND_ERR_NOMEM;
    }
    s->from = path;
    s->line = 0;
    nd_status st;
    char *ln;
    size_t n;
    while ((st = lines_next(&l, &ln, &n)) == ND_OK) {
        s->line++;
        char *f[3];
        size_t len[3];
        bool ok = split3(ln, n, f, len);
        if (s->line == 1) {
            if (!ok || len[0] != 7 || memcmp(f[0], "article", 7) != 0 || len[1] != 5 ||
                memcmp(f[1], "story", 5) != 0 || len[2] != 5 || memcmp(f[2], "event", 5) != 0) {
                st = scorer_fail(s, ND_ERR_INPUT,
                                 "expected the header 'article<TAB>story<TAB>event'", NULL);
                break;
            }
            continue;
        }
        if (n == 0)
            continue;
        if (!ok || len[0] == 0) {
            st = scorer_fail(s, ND_ERR_INPUT, "expected 'article<TAB>story<TAB>event'", NULL);
            break;
        }
        st = is_gold ? add_gold(s, f[0], len[0], f[1], len[1], f[2], len[2])
                     : add_pred(s, f[0], len[0], f[1], len[1], f[2], len[2]);
        if (st != ND_OK)
            break;
    }
    if (st == ND_ERR_TOO_BIG) {
        s->line++;
        st = scorer_fail(s, ND_ERR_INPUT, "line too long for a clustering TSV", NULL);
    }
    else if (st == ND_ERR_IO)
        nd_errf(s->errbuf, s->errlen, "cannot read %s: %s", path, strerror(errno));
    else if (st == ND_DONE && s->line == 0)
        st = scorer_fail(s, ND_ERR_INPUT, "empty file", NULL);
    else if (st == ND_DONE)
        st = ND_OK;
    nd_free(l.buf);
    fclose(l.f);
    return st;
}

/* ---- the store ------------------------------------------------------------------------ */

static int from_store(void *ctx, const nd_assignment *a)
{
    scorer *s = ctx;
    const char *id = a->article ? a->article : "";
    const char *story = a->story ? a->story : "", *event = a->event ? a->event : "";
    s->st = add_pred(s, id, strlen(id), story, strlen(story), event, strlen(event));
    return s->st != ND_OK;
}

static nd_status read_store(scorer *s, nd_store *store)
{
    s->from = "the store";
    s->line = 0;
    s->st = ND_OK;
    nd_status st = nd_clusters_export(store, from_store, s);
    if (s->st != ND_OK)
        return s->st;
    if (st != ND_OK && st != ND_DONE)
        nd_errf(s->errbuf, s->errlen, "%s", nd_store_errmsg(store));
    return st == ND_DONE ? ND_OK : st;
}

/* ---- the whole evaluation -------------------------------------------------------------- */

nd_status nd_eval_clusters(nd_cluster_eval *out, const char *gold_tsv, nd_store *st,
                           const char *pred_tsv, char *errbuf, size_t errlen)
{
    if (errbuf && errlen)
        errbuf[0] = '\0';
    if (!out || !gold_tsv || (!st && !pred_tsv)) {
        nd_errf(errbuf, errlen, "nd_eval_clusters: missing argument");
        return ND_ERR_ARG;
    }
    memset(out, 0, sizeof *out);
    scorer *s = nd_calloc(1, sizeof *s);
    if (!s) {
        nd_errf(errbuf, errlen, "%s", nd_status_str(ND_ERR_NOMEM));
        return ND_ERR_NOMEM;
    }
    s->out = out;
    s->errbuf = errbuf;
    s->errlen = errlen;
    nd_status rc = read_tsv(s, gold_tsv, 1);
    if (rc == ND_OK && out->articles == 0)
        rc = scorer_fail(s, ND_ERR_INPUT, "no articles", NULL);
    if (rc == ND_OK)
        rc = pred_tsv ? read_tsv(s, pred_tsv, 0) : read_store(s, st);
    size_t n = (size_t)out->articles;
    for (size_t i = 0; rc == ND_OK && i < n; i++) {
        if (s->ps[i] != UINT32_MAX)
            continue;
        if (!out->missing++)
            copy_id(out->first_missing, sizeof out->first_missing, s->articles.keys[i],
                    s->articles.lens[i]);
        s->ps[i] = s->pe[i] = SINGLETON + (uint32_t)i;
    }
    if (rc == ND_OK)
        rc = nd_eval_partition(&out->story, s->gs, s->ps, n);
    if (rc == ND_OK)
        rc = nd_eval_partition(&out->event, s->ge, s->pe, n);
    scorer_free(s);
    nd_free(s);
    if (rc != ND_OK && errbuf && !*errbuf)
        nd_errf(errbuf, errlen, "%s", nd_status_str(rc));
    return rc;
}
