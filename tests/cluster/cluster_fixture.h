/*
 * Helpers for the clustering tests: small streams of real ECB+ and seed articles read from
 * the corpus at run time (never pasted), added to a fresh store, and the resulting
 * assignments read back through the public API. Include after <cmocka.h>.
 */
#ifndef ND_TESTS_CLUSTER_FIXTURE_H
#define ND_TESTS_CLUSTER_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "newsdesk.h"
#include "support.h"

#define CX_MAX 256

/* The assignments of a store, as exported. */
typedef struct cx_map {
    char article[CX_MAX][64], story[CX_MAX][16], event[CX_MAX][16];
    int n;
} cx_map;

static int cx_collect(void *ctx, const nd_assignment *a)
{
    cx_map *m = ctx;
    assert_true(m->n < CX_MAX);
    snprintf(m->article[m->n], sizeof m->article[0], "%s", a->article);
    snprintf(m->story[m->n], sizeof m->story[0], "%s", a->story);
    snprintf(m->event[m->n], sizeof m->event[0], "%s", a->event);
    m->n++;
    return 0;
}

static void cx_export(nd_store *st, cx_map *m)
{
    memset(m, 0, sizeof *m);
    assert_int_equal(nd_clusters_export(st, cx_collect, m), ND_OK);
}

static int cx_find(const cx_map *m, const char *article)
{
    for (int i = 0; i < m->n; i++)
        if (strcmp(m->article[i], article) == 0)
            return i;
    fail_msg("article %s not exported", article);
    return -1;
}

static const char *cx_story(const cx_map *m, const char *article)
{
    return m->story[cx_find(m, article)];
}

static const char *cx_event(const cx_map *m, const char *article)
{
    return m->event[cx_find(m, article)];
}

/* Reads one corpus article (path relative to the corpus), with an optional date override. */
static nd_article *cx_read(const char *rel, const char *date)
{
    nd_read_opts o;
    memset(&o, 0, sizeof o);
    o.date = date;
    nd_reader *r;
    assert_int_equal(nd_reader_new(&r, &o), ND_OK);
    assert_int_equal(nd_reader_add_path(r, t_corpus_path(rel)), ND_OK);
    nd_article *a = NULL;
    nd_status s = nd_reader_next(r, &a);
    if (s != ND_OK)
        fail_msg("cannot read %s: %s", rel, nd_reader_errmsg(r));
    nd_reader_free(r);
    return a;
}

/* Adds ECB+ article `stem` (e.g. "1_3ecb"), optionally with a publication date. */
static nd_status cx_add_ecb(nd_store *st, const char *stem, const char *date)
{
    char rel[128];
    snprintf(rel, sizeof rel, "ecbplus/articles/%s.txt", stem);
    nd_article *a = cx_read(rel, date);
    nd_status s = nd_store_add(st, a);
    if (ND_FAILED(s))
        fail_msg("adding %s: %s", stem, nd_store_errmsg(st));
    nd_article_free(a);
    return s;
}

static nd_store *cx_open(const char *path)
{
    nd_store *st = NULL;
    nd_status s = nd_store_open(&st, path, NULL);
    if (s != ND_OK)
        fail_msg("open %s: %s", path, st ? nd_store_errmsg(st) : nd_status_str(s));
    return st;
}

/* The number of distinct values among the given articles' stories (or events). */
static int cx_distinct(const cx_map *m, const char *const *ids, int n, int events)
{
    int d = 0;
    for (int i = 0; i < n; i++) {
        const char *v = events ? cx_event(m, ids[i]) : cx_story(m, ids[i]);
        int seen = 0;
        for (int j = 0; j < i && !seen; j++)
            seen = strcmp(v, events ? cx_event(m, ids[j]) : cx_story(m, ids[j])) == 0;
        d += !seen;
    }
    return d;
}

/* The value most of the given articles share, and how many share it. */
static int cx_majority(const cx_map *m, const char *const *ids, int n, int events,
                       const char **value)
{
    int best = 0;
    for (int i = 0; i < n; i++) {
        const char *v = events ? cx_event(m, ids[i]) : cx_story(m, ids[i]);
        int c = 0;
        for (int j = 0; j < n; j++)
            c += strcmp(v, events ? cx_event(m, ids[j]) : cx_story(m, ids[j])) == 0;
        if (c > best) {
            best = c;
            *value = v;
        }
    }
    return best;
}

#endif
