/*
 * Reuse: copies, partial reprints, rewrites and restatements of real ECB+ articles (read at
 * run time, edited here), look-alikes that must not be reported, short and pathological
 * bodies, boilerplate, re-adding, the listing and the command on examples/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "newsdesk.h"
#include "reuse/reuse.h"
#include "support.h"

static char dir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "%s", t_tmpdir());
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    t_rmtree(dir);
    return 0;
}

/* ---- helpers ------------------------------------------------------------------------- */

typedef struct text {
    char *p;
    size_t n, cap;
} text;

/* Not inlined: inlined into callers, gcc -O3 cannot see that the buffer was grown and warns
 * about writes past a zero-sized region. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void
put(text *t, const char *s, size_t n)
{
    size_t need = t->n + n + 1;
    if (need > t->cap) {
        char *p = realloc(t->p, need * 2);
        if (!p)
            fail_msg("out of memory");
        t->p = p;
        t->cap = need * 2;
    }
    memcpy(t->p + t->n, s, n);
    t->n += n;
    t->p[t->n] = '\0';
}

static void puts_(text *t, const char *s)
{
    put(t, s, strlen(s));
}

static char *ecb(const char *id, size_t *len)
{
    char rel[128];
    snprintf(rel, sizeof rel, "ecbplus/articles/%.80s.txt", id);
    return t_read_file(t_corpus_path(rel), len);
}

static nd_store *open_store(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%.255s/%.200s", dir, name);
    nd_store *st = NULL;
    nd_status s = nd_store_open(&st, path, NULL);
    if (s != ND_OK)
        fail_msg("open: %s", nd_store_errmsg(st));
    return st;
}

/* Parses and adds a text article; returns the status of nd_store_add. */
static nd_status add_text(nd_store *st, const char *id, const char *buf, size_t len,
                          const char *outlet, const char *date)
{
    nd_read_opts o = {0};
    o.outlet = outlet;
    o.date = date;
    nd_article *a = NULL;
    char err[256];
    nd_status s = nd_article_parse_text(&a, buf, len, id, id, &o, err, sizeof err);
    if (s != ND_OK)
        return s;
    s = nd_store_add(st, a);
    if (ND_FAILED(s))
        print_message("add %s: %s\n", id, nd_store_errmsg(st));
    nd_article_free(a);
    return s;
}

typedef struct got {
    size_t n;
    nd_passage v[256];
    char ids[256][2][64];
} got;

static int collect(void *ctx, const nd_passage *p)
{
    got *g = ctx;
    if (g->n < 256) {
        g->v[g->n] = *p;
        snprintf(g->ids[g->n][0], 64, "%.63s", p->a_id);
        snprintf(g->ids[g->n][1], 64, "%.63s", p->b_id);
        g->v[g->n].a_id = g->ids[g->n][0];
        g->v[g->n].b_id = g->ids[g->n][1];
    }
    g->n++;
    return 0;
}

static void list(nd_store *st, const char *id, got *g)
{
    memset(g, 0, sizeof *g);
    nd_status s = nd_reuse_list(st, id, collect, g);
    if (s != ND_OK)
        fail_msg("list: %s", nd_store_errmsg(st));
}

/* Passages between two given articles (either direction). */
static size_t between(const got *g, const char *x, const char *y, size_t *first)
{
    size_t n = 0;
    for (size_t i = 0; i < g->n && i < 256; i++) {
        const nd_passage *p = &g->v[i];
        if ((strcmp(p->a_id, x) == 0 && strcmp(p->b_id, y) == 0) ||
            (strcmp(p->a_id, y) == 0 && strcmp(p->b_id, x) == 0)) {
            if (n++ == 0 && first)
                *first = i;
        }
    }
    return n;
}

/* The raw text of a stored article (malloc'd). */
static char *raw_of(nd_store *st, const char *id, size_t *len)
{
    nd_article *a = NULL;
    assert_int_equal(nd_store_get(st, &a, id), ND_OK);
    const char *r = nd_article_raw(a, len);
    char *c = malloc(*len + 1);
    assert_non_null(c);
    memcpy(c, r, *len);
    c[*len] = '\0';
    nd_article_free(a);
    return c;
}

/* A deterministic generator for the edits. */
static uint32_t rng = 12345;
static uint32_t next_rand(void)
{
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}

static int is_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/*
 * A light rewrite of `src`, written for these tests: about `percent` of the words are
 * changed, in one of three ways: the word replaced by another (here its letters reversed,
 * standing for a synonym no word list knows), its inflection changed (an -s added or
 * removed), or a short function word dropped. In each paragraph the clause before the first
 * comma of the first sentence is moved behind the rest of that sentence.
 */
static void rewrite(text *out, const char *src, size_t len, unsigned percent)
{
    text tmp = {0};
    size_t i = 0;
    while (i < len) {
        if (!is_word(src[i])) {
            put(&tmp, src + i, 1);
            i++;
            continue;
        }
        size_t j = i;
        while (j < len &&
               (is_word(src[j]) || (src[j] == '\'' && j + 1 < len && is_word(src[j + 1]))))
            j++;
        size_t n = j - i;
        if (next_rand() % 100 < percent) {
            unsigned op = next_rand() % 3;
            if (op == 2 && n <= 3) {
                /* drop the word and one following space */
                if (j < len && src[j] == ' ')
                    j++;
            } else if (op == 1 && n > 3) {
                if (src[j - 1] == 's')
                    put(&tmp, src + i, n - 1);
                else {
                    put(&tmp, src + i, n);
                    puts_(&tmp, "s");
                }
            } else {
                for (size_t k = n; k-- > 0;)
                    put(&tmp, src + i + k, 1);
            }
        } else {
            put(&tmp, src + i, n);
        }
        i = j;
    }
    /* Clause swap in the first sentence of each paragraph. */
    size_t p = 0;
    while (p < tmp.n) {
        size_t e = p;
        while (e < tmp.n && tmp.p[e] != '\n')
            e++;
        char *line = tmp.p + p;
        size_t ll = e - p;
        char *comma = memchr(line, ',', ll);
        char *stop = memchr(line, '.', ll);
        if (comma && stop && comma < stop && comma > line && stop - comma > 12) {
            size_t a = (size_t)(comma - line), b = (size_t)(stop - line);
            put(out, line + a + 2 < line + b ? line + a + 2 : line + a + 1,
                b - (a + 2 < b ? a + 2 : a + 1));
            puts_(out, ", ");
            put(out, line, a);
            put(out, line + b, ll - b);
        } else {
            put(out, line, ll);
        }
        if (e < tmp.n)
            puts_(out, "\n");
        p = e + 1;
    }
    free(tmp.p);
}

/* Offset of the n-th paragraph break ("\n\n") of s, or len. */
static size_t para_end(const char *s, size_t len, int n)
{
    size_t i = 0;
    for (int k = 0; k < n; k++) {
        const char *q = strstr(s + i, "\n\n");
        if (!q || (size_t)(q - s) >= len)
            return len;
        i = (size_t)(q - s) + 2;
    }
    return i ? i - 2 : len;
}

/* ---- unit: documents ------------------------------------------------------------------- */

static void build_doc(nd_rdoc *d, const char *text_, const char *id)
{
    nd_article *a = NULL;
    char err[128];
    assert_int_equal(nd_article_parse_text(&a, text_, strlen(text_), id, id, NULL, err, sizeof err),
                     ND_OK);
    assert_int_equal(nd_rdoc_build(d, a), ND_OK);
    assert_int_equal(nd_rdoc_finish(d), ND_OK);
    nd_article_free(a);
}

/* Typography and inflection do not change the words the stage compares. */
static void test_doc_tokens(void **state)
{
    (void)state;
    nd_rdoc x = {0}, y = {0};
    build_doc(&x,
              "The harbour\xE2\x80\x99s pumps were STOPPED by engineers on Friday.\n\n"
              "Officials said the repairs would take three weeks.\n",
              "x");
    build_doc(&y,
              "the harbour's pumps were stopped by \xE2\x80\x9C"
              "engineers\xE2\x80\x9D on friday\n\n"
              "Officials said the repair would take three weeks!\n",
              "y");
    assert_int_equal(x.nsent, 2);
    assert_int_equal(y.nsent, 2);
    assert_int_equal(x.ntok, y.ntok);
    for (size_t i = 0; i < x.ntok; i++)
        assert_int_equal(x.tok[i].stem, y.tok[i].stem);
    /* Raw offsets of tokens point at the words. */
    assert_int_equal(x.tok[0].start, 0);
    assert_int_equal(x.tok[0].end, 3);
    assert_int_equal(x.nsh, y.nsh);
    assert_int_equal(nd_reuse_intersect(x.sh, x.nsh, y.sh, y.nsh), x.nsh);

    nd_rpasses out = {0};
    nd_ralign w = {0};
    assert_int_equal(nd_reuse_align(&out, &w, &x, &y, 0), ND_OK);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].a_start, 0);
    assert_int_equal(out.v[0].b_start, 0);
    /* "repairs" and "repair" have one stem but are different words: not verbatim. */
    assert_int_not_equal(out.v[0].kind, ND_REUSE_VERBATIM);
    free(out.v);
    nd_ralign_free(&w);
    nd_rdoc_free(&x);
    nd_rdoc_free(&y);
}

/* ---- store: copies, reprints, rewrites -------------------------------------------------- */

static void check_cut_equal(nd_store *st, const nd_passage *p)
{
    size_t la, lb;
    char *ra = raw_of(st, p->a_id, &la), *rb = raw_of(st, p->b_id, &lb);
    assert_true(p->a_end <= la && p->a_start < p->a_end);
    assert_true(p->b_end <= lb && p->b_start < p->b_end);
    assert_int_equal(p->a_end - p->a_start, p->b_end - p->b_start);
    assert_memory_equal(ra + p->a_start, rb + p->b_start, p->a_end - p->a_start);
    free(ra);
    free(rb);
}

static void test_full_copy(void **state)
{
    (void)state;
    if (!t_corpus())
        skip();
    nd_store *st = open_store("copy.db");
    size_t n;
    char *x = ecb("4_1ecb", &n);
    /* The copy is added first but dated later: the origin comes from the dates. */
    assert_int_equal(add_text(st, "copy", x, n, "Copy Desk", "2025-03-02"), ND_OK);
    assert_int_equal(add_text(st, "orig", x, n, "First Outlet", "2025-03-01"), ND_OK);
    got g;
    list(st, NULL, &g);
    size_t f = 0;
    assert_int_equal(between(&g, "orig", "copy", &f), 1);
    const nd_passage *p = &g.v[f];
    assert_string_equal(p->a_id, "orig");
    assert_string_equal(p->b_id, "copy");
    assert_int_equal(p->basis, ND_ORIGIN_DATE);
    assert_int_equal(p->kind, ND_REUSE_VERBATIM);
    assert_true(p->similarity > 0.999);
    check_cut_equal(st, p);
    /* The passage covers the body: from the first to the last body sentence. */
    assert_true(p->a_end - p->a_start > n * 9 / 10);

    /* Re-adding the same article changes nothing. */
    assert_int_equal(add_text(st, "orig", x, n, "First Outlet", "2025-03-01"), ND_UNCHANGED);
    got g2;
    list(st, NULL, &g2);
    assert_int_equal(g2.n, g.n);

    /* Listing by id; an unknown id. */
    list(st, "copy", &g2);
    assert_int_equal(between(&g2, "orig", "copy", NULL), 1);
    assert_int_equal(nd_reuse_list(st, "nope", collect, &g2), ND_ERR_NOT_FOUND);
    free(x);
    nd_store_close(st);
}

static void test_partial_reprint(void **state)
{
    (void)state;
    if (!t_corpus())
        skip();
    nd_store *st = open_store("embed.db");
    size_t nx, ny;
    char *x = ecb("12_3ecb", &nx);   /* the wire story */
    char *y = ecb("30_1ecb", &ny);   /* a longer article of another topic, the host */
    size_t cut = para_end(x, nx, 2); /* the first two paragraphs of x */
    text host = {0};
    put(&host, y, ny);
    while (host.n && host.p[host.n - 1] == '\n')
        host.n--;
    puts_(&host, "\n\nIn other news from the same day, the agency reported as follows.\n\n");
    size_t emb = host.n;
    put(&host, x, cut);
    puts_(&host, "\n\nThe newsroom will publish more updates as they come in.\n");
    /* No dates: the origin must come from containment, stated as such. */
    assert_int_equal(add_text(st, "wire", x, nx, "Wire", NULL), ND_OK);
    assert_int_equal(add_text(st, "host", host.p, host.n, "Host Daily", NULL), ND_OK);
    got g;
    list(st, NULL, &g);
    size_t f = 0;
    assert_true(between(&g, "wire", "host", &f) >= 1);
    size_t covered = 0;
    for (size_t i = 0; i < g.n; i++) {
        const nd_passage *p = &g.v[i];
        if (strcmp(p->a_id, p->b_id) == 0)
            continue;
        const char *w = strcmp(p->a_id, "wire") == 0 ? "a" : "b";
        size_t ws = *w == 'a' ? p->a_start : p->b_start, we = *w == 'a' ? p->a_end : p->b_end;
        size_t hs = *w == 'a' ? p->b_start : p->a_start, he = *w == 'a' ? p->b_end : p->a_end;
        /* Inside the embedded part of the host, and inside the first two paragraphs of x. */
        assert_true(hs >= emb && he <= emb + cut);
        assert_true(we <= cut);
        assert_int_equal(p->kind, ND_REUSE_VERBATIM);
        assert_memory_equal(x + ws, host.p + hs, we - ws);
        assert_true(p->basis == ND_ORIGIN_CONTAINS || p->basis == ND_ORIGIN_UNKNOWN);
        covered += we - ws;
    }
    assert_true(covered >= cut * 9 / 10);
    free(host.p);
    free(x);
    free(y);
    nd_store_close(st);
}

static void test_rewrite(void **state)
{
    (void)state;
    if (!t_corpus())
        skip();
    nd_store *st = open_store("rewrite.db");
    static const char *const ids[] = {"5_2ecb", "9_3ecbplus", "22_9ecbplus", "37_2ecbplus"};
    for (size_t k = 0; k < sizeof ids / sizeof *ids; k++) {
        size_t n;
        char *x = ecb(ids[k], &n);
        text r = {0};
        rewrite(&r, x, n, 20);
        char rid[64];
        snprintf(rid, sizeof rid, "rw-%s", ids[k]);
        assert_int_equal(add_text(st, ids[k], x, n, "Origin", "2024-05-01T08:00"), ND_OK);
        assert_int_equal(add_text(st, rid, r.p, r.n, "Rewriter", "2024-05-01T10:30"), ND_OK);
        got g;
        list(st, rid, &g);
        size_t f = 0;
        if (between(&g, ids[k], rid, &f) < 1) {
            t_write_file("/tmp/rw_fail.txt", r.p, r.n);
            fail_msg("rewrite of %s not found", ids[k]);
        }
        size_t covered = 0;
        double sim = 0;
        for (size_t i = 0; i < g.n; i++) {
            const nd_passage *p = &g.v[i];
            if (strcmp(p->a_id, p->b_id) == 0)
                continue;
            assert_string_equal(p->a_id, ids[k]);
            assert_int_equal(p->basis, ND_ORIGIN_DATE);
            assert_int_equal(p->kind, ND_REUSE_REWORDED);
            /* A swapped clause costs the word-order similarity much more than the words. */
            assert_true(p->similarity > 0.2 && p->similarity < 0.95);
            covered += p->b_end - p->b_start;
            sim += p->similarity * (double)(p->b_end - p->b_start);
        }
        /* Most of the rewrite is found, and it is mostly the same words. */
        assert_true(covered >= r.n * 7 / 10);
        assert_true(sim / (double)covered > 0.6);
        free(r.p);
        free(x);
    }
    nd_store_close(st);
}

/* ---- look-alikes ------------------------------------------------------------------------ */

/* Longest run of words (case-folded) two texts share; a copy has long ones. */
static size_t longest_run(const char *x, size_t nx, const char *y, size_t ny)
{
    uint32_t *hx = calloc(nx + 1, 4), *hy = calloc(ny + 1, 4);
    size_t mx = 0, my = 0;
    for (int side = 0; side < 2; side++) {
        const char *s = side ? y : x;
        size_t n = side ? ny : nx;
        uint32_t *h = side ? hy : hx;
        size_t *m = side ? &my : &mx;
        for (size_t i = 0; i < n;) {
            if (!is_word(s[i])) {
                i++;
                continue;
            }
            uint32_t v = 2166136261u;
            while (i < n && is_word(s[i])) {
                char c = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 32) : s[i];
                v = (v ^ (unsigned char)c) * 16777619u;
                i++;
            }
            h[(*m)++] = v;
        }
    }
    size_t best = 0;
    uint32_t *row = calloc(my + 1, 4), *prev = calloc(my + 1, 4);
    for (size_t i = 0; i < mx; i++) {
        for (size_t j = 0; j < my; j++) {
            row[j + 1] = hx[i] == hy[j] ? prev[j] + 1 : 0;
            if (row[j + 1] > best)
                best = row[j + 1];
        }
        uint32_t *t = row;
        row = prev;
        prev = t;
    }
    free(row);
    free(prev);
    free(hx);
    free(hy);
    return best;
}

/*
 * Independent reports of one event: articles of the same ECB+ event that share no run of 8
 * words (so nobody copied), but share the event's names and numbers. Also every pair of the
 * two look-alike events of a topic. None may be reported.
 */
static void test_lookalikes(void **state)
{
    (void)state;
    if (!t_corpus())
        skip();
    size_t glen;
    char *gold = t_read_file(t_corpus_path("ecbplus/gold.tsv"), &glen);
    /* Topics 1 to 3: about 90 articles. */
    char ids[128][32], events[128][16];
    size_t n = 0;
    for (char *line = strtok(gold, "\n"); line && n < 128; line = strtok(NULL, "\n")) {
        char id[32], story[16], ev[16];
        if (sscanf(line, "%31s %15s %15s", id, story, ev) != 3 || strcmp(id, "article") == 0)
            continue;
        if (strcmp(story, "t01") && strcmp(story, "t02") && strcmp(story, "t03"))
            continue;
        snprintf(ids[n], 32, "%s", id);
        snprintf(events[n], 16, "%s", ev);
        n++;
    }
    free(gold);
    assert_true(n > 40);
    nd_store *st = open_store("look.db");
    char *texts[128];
    size_t lens[128];
    nd_reuse_prof p0, p1;
    nd_reuse_profile(&p0);
    for (size_t i = 0; i < n; i++) {
        texts[i] = ecb(ids[i], &lens[i]);
        assert_int_equal(add_text(st, ids[i], texts[i], lens[i], NULL, NULL), ND_OK);
    }
    nd_reuse_profile(&p1);
    /* Most look-alike candidates are turned down from their in-memory sketch, without
     * reading their shingle sets back from the store. */
    int64_t sketched = p1.sketched - p0.sketched;
    int64_t failed = (p1.candidates - p0.candidates) - (p1.verified - p0.verified);
    assert_true(sketched > 50);
    assert_true(failed * 4 <= sketched);
    got g;
    list(st, NULL, &g);
    size_t independent = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i + 1; j < n; j++) {
            int same_event = strcmp(events[i], events[j]) == 0;
            size_t k = between(&g, ids[i], ids[j], NULL);
            if (!same_event) {
                if (k)
                    fail_msg("look-alike events reported: %s %s", ids[i], ids[j]);
                continue;
            }
            if (longest_run(texts[i], lens[i], texts[j], lens[j]) < 8) {
                independent++;
                if (k)
                    fail_msg("independent reports reported: %s %s", ids[i], ids[j]);
            }
        }
    }
    /* The test must have looked at real independent reports of one event. */
    assert_true(independent > 50);
    for (size_t i = 0; i < n; i++)
        free(texts[i]);
    nd_store_close(st);
}

/*
 * A story copied more often than a key of the index lists articles (every key of it is then
 * saturated): a new article that carries the whole story inside a longer text is still
 * paired with the earliest version, and with the few next ones only.
 */
static void test_much_copied(void **state)
{
    (void)state;
    if (!t_corpus())
        skip();
    nd_store *st = open_store("many.db");
    size_t nx, ny;
    char *x = ecb("12_3ecb", &nx);
    char *y = ecb("30_1ecb", &ny);
    char id[32], outlet[32], date[16];
    for (int i = 0; i < 24; i++) {
        snprintf(id, sizeof id, "wire-%d", i);
        snprintf(outlet, sizeof outlet, "Outlet %d", i);
        snprintf(date, sizeof date, "2025-01-%02d", i + 1);
        assert_int_equal(add_text(st, id, x, nx, outlet, date), ND_OK);
    }
    text host = {0};
    put(&host, y, ny);
    while (host.n && host.p[host.n - 1] == '\n')
        host.n--;
    puts_(&host, "\n\nThe agency's report of the same morning follows in full.\n\n");
    put(&host, x, nx);
    assert_int_equal(add_text(st, "host", host.p, host.n, "Host Daily", "2025-02-01"), ND_OK);
    got g;
    list(st, "host", &g);
    size_t f = 0;
    assert_true(between(&g, "wire-0", "host", &f) >= 1);
    assert_string_equal(g.v[f].a_id, "wire-0");
    assert_int_equal(g.v[f].basis, ND_ORIGIN_DATE);
    /* Not all 24 versions: the earliest and its near-ties only. */
    size_t partners = 0;
    for (int i = 0; i < 24; i++) {
        snprintf(id, sizeof id, "wire-%d", i);
        partners += between(&g, id, "host", NULL) > 0;
    }
    assert_true(partners <= 3);
    free(host.p);
    free(x);
    free(y);
    nd_store_close(st);
}

/* ---- edge cases ------------------------------------------------------------------------- */

static void test_short_and_empty(void **state)
{
    (void)state;
    nd_store *st = open_store("short.db");
    const char *one = "Breaking.\n";
    assert_int_equal(add_text(st, "w1", one, strlen(one), "A", NULL), ND_OK);
    assert_int_equal(add_text(st, "w2", one, strlen(one), "B", NULL), ND_OK);
    const char *few = "Storm closes the harbour road.\n";
    assert_int_equal(add_text(st, "f1", few, strlen(few), "A", NULL), ND_OK);
    assert_int_equal(add_text(st, "f2", few, strlen(few), "B", NULL), ND_OK);
    /* A headline with no body at all. */
    const char *hl = "Harbour News\n\n";
    nd_status s = add_text(st, "h1", hl, strlen(hl), "A", NULL);
    assert_true(s == ND_OK || s == ND_ERR_INPUT);
    got g;
    list(st, NULL, &g);
    assert_int_equal(g.n, 0);
    nd_store_close(st);
}

static void test_repetition(void **state)
{
    (void)state;
    nd_store *st = open_store("rep.db");
    text t = {0};
    for (int i = 0; i < 100000; i++)
        puts_(&t, i % 20 == 19 ? "buffalo. " : "buffalo ");
    puts_(&t, "\n");
    text u = {0};
    for (int i = 0; i < 100000; i++)
        puts_(&u, "buffalo ");
    puts_(&u, "\n");
    assert_int_equal(add_text(st, "r1", t.p, t.n, "A", NULL), ND_OK);
    assert_int_equal(add_text(st, "r2", t.p, t.n, "B", NULL), ND_OK);
    assert_int_equal(add_text(st, "r3", u.p, u.n, "B", NULL), ND_OK);
    got g;
    list(st, NULL, &g);
    assert_true(g.n <= 2);
    free(t.p);
    free(u.p);
    nd_store_close(st);
}

/* ---- restatements and boilerplate ------------------------------------------------------- */

static void test_restatement(void **state)
{
    (void)state;
    if (!t_corpus())
        skip();
    nd_store *st = open_store("restate.db");
    size_t n;
    char *x = ecb("8_1ecb", &n);
    size_t lede = 0;
    while (lede < n && x[lede] != '.')
        lede++;
    assert_true(lede < n);
    lede++;
    /* The article with its lede restated (reworded) as a paragraph of its own at the end. */
    text r = {0};
    put(&r, x, n);
    while (r.n && r.p[r.n - 1] == '\n')
        r.n--;
    puts_(&r, "\n\n");
    size_t at = r.n;
    rewrite(&r, x, lede, 15);
    puts_(&r, "\n");
    assert_int_equal(add_text(st, "restated", r.p, r.n, "Solo", "2024-02-02"), ND_OK);
    got g;
    list(st, NULL, &g);
    int found = 0;
    for (size_t i = 0; i < g.n; i++) {
        const nd_passage *p = &g.v[i];
        assert_string_equal(p->a_id, p->b_id);
        if (p->b_start >= at && p->a_start < lede) {
            found = 1;
            assert_int_equal(p->basis, ND_ORIGIN_TIE);
        }
    }
    assert_true(found);
    free(r.p);
    free(x);
    nd_store_close(st);
}

static void test_boilerplate(void **state)
{
    (void)state;
    if (!t_corpus())
        skip();
    nd_store *st = open_store("boiler.db");
    const char *footer =
        "\n\nThe Lantern Courier is an independent newspaper serving readers across the valley "
        "since its founding, and relies on subscriptions from readers like you to keep "
        "reporting on local councils, courts and schools every single week.\n";
    static const char *const ids[] = {"10_1ecb", "14_2ecb", "19_3ecb", "25_2ecb"};
    for (size_t k = 0; k < 4; k++) {
        size_t n;
        char *x = ecb(ids[k], &n);
        text t = {0};
        put(&t, x, n);
        while (t.n && t.p[t.n - 1] == '\n')
            t.n--;
        puts_(&t, footer);
        assert_int_equal(add_text(st, ids[k], t.p, t.n, "Lantern Courier", "2024-01-01"), ND_OK);
        if (k == 3) {
            /* A copy of the fourth under the same outlet, footer included: the footer is the
             * outlet's boilerplate by now and is not part of the reused passage. */
            assert_int_equal(add_text(st, "copy4", t.p, t.n, "Lantern Courier", "2024-01-02"),
                             ND_OK);
            size_t foot = t.n - strlen(footer) + 2;
            got g;
            list(st, "copy4", &g);
            size_t f = 0;
            assert_true(between(&g, ids[3], "copy4", &f) >= 1);
            for (size_t i = 0; i < g.n; i++)
                assert_true(g.v[i].b_end <= foot);
        }
        free(t.p);
        free(x);
    }
    /* Articles of different topics share only the footer: never reported. */
    got g;
    list(st, NULL, &g);
    for (size_t i = 0; i < g.n; i++) {
        const nd_passage *p = &g.v[i];
        if (strcmp(p->a_id, p->b_id) == 0)
            continue;
        assert_true(strcmp(p->b_id, "copy4") == 0 || strcmp(p->a_id, "copy4") == 0);
    }
    nd_store_close(st);
}

/* Articles stored without the stage's rows (as in a store migrated from schema 1) are
 * processed, in order, before the next new article. */
static void test_catch_up(void **state)
{
    (void)state;
    if (!t_corpus())
        skip();
    size_t n;
    char *x = ecb("6_1ecb", &n);
    nd_store *st = open_store("old.db");
    assert_int_equal(add_text(st, "old-orig", x, n, "Old", "2020-01-01"), ND_OK);
    assert_int_equal(add_text(st, "old-copy", x, n, "Older", "2020-01-02"), ND_OK);
    nd_store_close(st);
    char path[512];
    snprintf(path, sizeof path, "%.255s/old.db", dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db, "DELETE FROM reuse_sig; DELETE FROM reuse_passage;", NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    st = open_store("old.db");
    got g;
    list(st, NULL, &g);
    assert_int_equal(g.n, 0);
    assert_int_equal(add_text(st, "new-copy", x, n, "Newer", "2020-01-03"), ND_OK);
    list(st, NULL, &g);
    size_t f = 0;
    assert_int_equal(between(&g, "old-orig", "old-copy", &f), 1);
    assert_int_equal(g.v[f].basis, ND_ORIGIN_DATE);
    assert_int_equal(between(&g, "old-orig", "new-copy", &f), 1);
    assert_string_equal(g.v[f].a_id, "old-orig");
    free(x);
    nd_store_close(st);
}

/* ---- MinHash signatures and banded LSH -------------------------------------------------- */

/* The signature is a function of the set (not of the order), equal sets agree on every bin,
 * and the share of equal bins estimates resemblance. */
static void test_minhash_unit(void **state)
{
    (void)state;
    enum { N = 600 };
    uint32_t a[N], b[N], rev[N];
    for (uint32_t i = 0; i < N; i++) {
        a[i] = nd_reuse_mix(i + 1);
        rev[N - 1 - i] = a[i];
        /* b shares the first 400 of a's 600: resemblance 400 / 800 = 0.5. */
        b[i] = i < 400 ? a[i] : nd_reuse_mix(100000 + i);
    }
    uint32_t sa[ND_REUSE_MH_K], sr[ND_REUSE_MH_K], sb[ND_REUSE_MH_K];
    nd_reuse_minhash(a, N, sa);
    nd_reuse_minhash(rev, N, sr);
    nd_reuse_minhash(b, N, sb);
    assert_memory_equal(sa, sr, sizeof sa);
    size_t eq = 0;
    for (size_t k = 0; k < ND_REUSE_MH_K; k++)
        eq += sa[k] == sb[k];
    /* 24 bins: the estimate's standard deviation is about 0.1. */
    assert_true(eq >= 6 && eq <= 18);
    /* Disjoint sets share no band; equal sets share all. */
    uint32_t c[N], sc[ND_REUSE_MH_K], ba[ND_REUSE_MH_BANDS], bc[ND_REUSE_MH_BANDS];
    for (uint32_t i = 0; i < N; i++)
        c[i] = nd_reuse_mix(900000 + i);
    nd_reuse_minhash(c, N, sc);
    nd_reuse_bands(sa, ba);
    nd_reuse_bands(sc, bc);
    for (size_t k = 0; k < ND_REUSE_MH_BANDS; k++)
        assert_int_not_equal(ba[k], bc[k]);
    nd_reuse_bands(sr, bc);
    assert_memory_equal(ba, bc, sizeof ba);
    /* A set of three shingles fills at most three bins; the others borrow from them. */
    nd_reuse_minhash(a, 3, sc);
    size_t distinct = 0;
    for (size_t k = 0; k < ND_REUSE_MH_K; k++) {
        size_t j = 0;
        while (j < k && sc[j] != sc[k])
            j++;
        distinct += j == k;
    }
    assert_true(distinct >= 1 && distinct <= 3);
    /* The empty set: a signature of zeros. */
    nd_reuse_minhash(a, 0, sc);
    for (size_t k = 0; k < ND_REUSE_MH_K; k++)
        assert_int_equal(sc[k], 0);
}

/* Every stored signature equals the one recomputed from the stored shingle set; returns the
 * number of rows with a signature. */
static size_t check_stored_signatures(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%.255s/%.200s", dir, name);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT nsh, sh, mh FROM reuse_sig", -1, &q, NULL),
                     SQLITE_OK);
    size_t rows = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_int64(q, 0);
        const unsigned char *sh = sqlite3_column_blob(q, 1);
        const unsigned char *mh = sqlite3_column_blob(q, 2);
        assert_int_equal((size_t)sqlite3_column_bytes(q, 1), 4 * n);
        if (n == 0) {
            assert_null(mh);
            continue;
        }
        assert_non_null(mh);
        assert_int_equal(sqlite3_column_bytes(q, 2), 4 * ND_REUSE_MH_K);
        uint32_t *v = malloc(4 * n);
        assert_non_null(v);
        for (size_t i = 0; i < n; i++)
            v[i] = (uint32_t)sh[4 * i] | (uint32_t)sh[4 * i + 1] << 8 |
                   (uint32_t)sh[4 * i + 2] << 16 | (uint32_t)sh[4 * i + 3] << 24;
        uint32_t sig[ND_REUSE_MH_K];
        nd_reuse_minhash(v, n, sig);
        for (size_t k = 0; k < ND_REUSE_MH_K; k++) {
            const unsigned char *m = mh + 4 * k;
            uint32_t stored =
                (uint32_t)m[0] | (uint32_t)m[1] << 8 | (uint32_t)m[2] << 16 | (uint32_t)m[3] << 24;
            assert_int_equal(stored, sig[k]);
        }
        free(v);
        rows++;
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    return rows;
}

/*
 * A full copy that only the LSH bands can find. Sixteen long articles of other topics each
 * carry, as a last paragraph, every 3-word phrase of article X whose shingle is an index key
 * of X; so when X arrives every key of X already lists 16 articles and X is added to none.
 * A copy of X then reaches, through its keys, only those sixteen (each shares a score of
 * stock phrases and nothing else, and is turned down); X itself shares all its bands with
 * the copy. After the store drops its memory with the signatures erased (as in a store from
 * before schema 3), the bands are rebuilt from the shingle sets and a second copy is found.
 */
static void test_lsh_only(void **state)
{
    (void)state;
    if (!t_corpus())
        skip();
    size_t nx;
    char *x = ecb("9_1ecb", &nx);
    nd_rdoc dx = {0}, one = {0};
    build_doc(&dx, x, "x");
    assert_true(dx.nsh >= 128);
    /* The key phrases of X: windows of three consecutive content words (sentences do not
     * break a shingle) whose shingle X indexes. */
    text phrases = {0};
    size_t nkeys = 0, content[3] = {0}, seen = 0;
    uint32_t done[64];
    for (size_t t = 0; t < dx.ntok; t++) {
        if (dx.tok[t].stop)
            continue;
        content[0] = content[1];
        content[1] = content[2];
        content[2] = t;
        if (++seen < 3)
            continue;
        text ph = {0};
        for (int k = 0; k < 3; k++) {
            const nd_rtok *w = &dx.tok[content[k]];
            put(&ph, x + w->start, w->end - w->start);
            puts_(&ph, k < 2 ? " " : ".");
        }
        build_doc(&one, ph.p, "phrase");
        assert_int_equal(one.nsh, 1);
        uint32_t h = one.sh[0];
        int dup = 0;
        for (size_t k = 0; k < nkeys; k++)
            dup |= done[k] == h;
        if (nd_reuse_indexed(h, dx.nsh) && !dup && nkeys < 64) {
            done[nkeys++] = h;
            puts_(&phrases, ph.p);
            puts_(&phrases, " ");
        }
        free(ph.p);
    }
    assert_true(nkeys >= 4);

    nd_store *st = open_store("lsh.db");
    size_t glen;
    char *gold = t_read_file(t_corpus_path("ecbplus/gold.tsv"), &glen);
    int fillers = 0;
    for (char *line = strtok(gold, "\n"); line && fillers < 16; line = strtok(NULL, "\n")) {
        char id[32], story[16];
        if (sscanf(line, "%31s %15s", id, story) != 2 || strcmp(id, "article") == 0 ||
            strcmp(story, "t09") == 0)
            continue;
        size_t n;
        char *f = ecb(id, &n);
        build_doc(&one, f, id);
        /* Long enough that sharing the key phrases does not verify (20% of it is more). */
        if (one.nsh >= 5 * (nkeys + 8)) {
            text t = {0};
            put(&t, f, n);
            while (t.n && t.p[t.n - 1] == '\n')
                t.n--;
            puts_(&t, "\n\n");
            puts_(&t, phrases.p);
            puts_(&t, "\n");
            assert_int_equal(add_text(st, id, t.p, t.n, NULL, NULL), ND_OK);
            fillers++;
            free(t.p);
        }
        free(f);
    }
    free(gold);
    assert_int_equal(fillers, 16);
    assert_int_equal(add_text(st, "lsh-orig", x, nx, "Origin Post", "2025-03-01"), ND_OK);
    nd_reuse_prof p0, p1;
    nd_reuse_profile(&p0);
    assert_int_equal(add_text(st, "lsh-copy", x, nx, "Copy Times", "2025-03-02"), ND_OK);
    nd_reuse_profile(&p1);
    got g;
    list(st, "lsh-copy", &g);
    size_t f = 0;
    assert_int_equal(between(&g, "lsh-orig", "lsh-copy", &f), 1);
    assert_string_equal(g.v[f].a_id, "lsh-orig");
    assert_int_equal(g.v[f].kind, ND_REUSE_VERBATIM);
    /* Found by the bands alone; none of the fillers was paired with the copy. */
    assert_int_equal(p1.verified_lsh - p0.verified_lsh, 1);
    assert_int_equal(p1.verified - p0.verified, 1);
    for (size_t i = 0; i < g.n; i++)
        assert_true(strcmp(g.v[i].a_id, "lsh-orig") == 0 || strcmp(g.v[i].a_id, "lsh-copy") == 0);
    nd_store_close(st);

    /* Every stored signature is the one its shingle set gives. */
    assert_int_equal(check_stored_signatures("lsh.db"), 18);

    /* Signatures erased: rebuilt from sh, the bands still find X for a second copy. */
    char path[512];
    snprintf(path, sizeof path, "%.255s/lsh.db", dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "UPDATE reuse_sig SET mh = NULL", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    st = open_store("lsh.db");
    nd_reuse_profile(&p0);
    assert_int_equal(add_text(st, "lsh-copy2", x, nx, "Second Copy", "2025-03-03"), ND_OK);
    nd_reuse_profile(&p1);
    list(st, "lsh-copy2", &g);
    assert_int_equal(between(&g, "lsh-orig", "lsh-copy2", &f), 1);
    assert_string_equal(g.v[f].a_id, "lsh-orig");
    assert_true(p1.verified_lsh - p0.verified_lsh >= 1);
    nd_store_close(st);
    free(phrases.p);
    nd_rdoc_free(&dx);
    nd_rdoc_free(&one);
    free(x);
}

/* ---- the command ------------------------------------------------------------------------ */

static void test_cli_examples(void **state)
{
    (void)state;
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "'%s' --db '%s/ex.db' add '%s/examples' 2>/dev/null && '%s' --db "
             "'%s/ex.db' reuse --format tsv",
             ND_CLI_PATH, dir, ND_SOURCE_DIR, ND_CLI_PATH, dir);
    int status;
    char *out = t_run(cmd, &status);
    assert_int_equal(status, 0);
    const char *head = "article_a\ta_start\ta_end\tarticle_b\tb_start\tb_end\tkind\tsimilarity\n";
    assert_true(strncmp(out, head, strlen(head)) == 0);
    /* Northgate Daily rewrites the Coastline Wire report. */
    assert_non_null(strstr(out, "wire-gate"));
    assert_non_null(strstr(out, "northgate-gate"));
    free(out);
    snprintf(cmd, sizeof cmd, "'%s' --db '%s/ex.db' reuse no-such-id 2>/dev/null", ND_CLI_PATH,
             dir);
    out = t_run(cmd, &status);
    assert_int_equal(status, 5);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doc_tokens),
        cmocka_unit_test_setup_teardown(test_full_copy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_reprint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rewrite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lookalikes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_much_copied, setup, teardown),
        cmocka_unit_test_setup_teardown(test_short_and_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_repetition, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restatement, setup, teardown),
        cmocka_unit_test_setup_teardown(test_boilerplate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_catch_up, setup, teardown),
        cmocka_unit_test(test_minhash_unit),
        cmocka_unit_test_setup_teardown(test_lsh_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_examples, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
