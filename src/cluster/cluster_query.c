/*
 * Read-only queries over the clustering tables, for the public API (export, stories, story).
 * Each call prepares its own statements and resolves ids through the recorded merges.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/cluster.h"
#include "store/store_db.h"
#include "util/alloc.h"
#include "util/arena.h"

/* The story and event tables, indexed by id (ids are dense from 1). */
typedef struct qtab {
    uint32_t nstory, nevent; /* highest ids + 1 */
    uint32_t *story_into;    /* merged_into, 0 when it survives */
    uint32_t *event_into;
    uint32_t *event_story;
    int64_t *event_first;    /* first rowid, to order events */
} qtab;

static void qtab_free(qtab *t)
{
    nd_free(t->story_into);
    nd_free(t->event_into);
    nd_free(t->event_story);
    nd_free(t->event_first);
    memset(t, 0, sizeof *t);
}

static nd_status q_fail(nd_store *st, sqlite3 *db, int rc)
{
    nd_store_set_errmsg(st, "stories: %s", db ? sqlite3_errmsg(db) : "the store is not open");
    return rc == SQLITE_NOMEM ? ND_ERR_NOMEM : rc == SQLITE_BUSY ? ND_ERR_BUSY : ND_ERR_STORE;
}

static nd_status q_oom(nd_store *st)
{
    nd_store_set_errmsg(st, "stories: out of memory");
    return ND_ERR_NOMEM;
}

static int64_t max_id(sqlite3 *db, const char *q, int *rc)
{
    sqlite3_stmt *s;
    int64_t v = 0;
    *rc = sqlite3_prepare_v2(db, q, -1, &s, NULL);
    if (*rc != SQLITE_OK)
        return 0;
    if (sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    *rc = sqlite3_finalize(s);
    return v;
}

static nd_status qtab_load(nd_store *st, qtab *t)
{
    memset(t, 0, sizeof *t);
    sqlite3 *db = nd_store_db(st);
    if (!db)
        return q_fail(st, db, SQLITE_ERROR);
    int rc;
    int64_t ns = max_id(db, "SELECT IFNULL(MAX(id), 0) FROM cluster_story", &rc);
    int64_t ne = rc == SQLITE_OK ? max_id(db, "SELECT IFNULL(MAX(id), 0) FROM cluster_event", &rc)
                                 : 0;
    if (rc != SQLITE_OK)
        return q_fail(st, db, rc);
    if (ns >= UINT32_MAX - 1 || ne >= UINT32_MAX - 1) {
        nd_store_set_errmsg(st, "stories: damaged ids");
        return ND_ERR_STORE;
    }
    t->nstory = (uint32_t)ns + 1;
    t->nevent = (uint32_t)ne + 1;
    t->story_into = nd_calloc(t->nstory, sizeof *t->story_into);
    t->event_into = nd_calloc(t->nevent, sizeof *t->event_into);
    t->event_story = nd_calloc(t->nevent, sizeof *t->event_story);
    t->event_first = nd_calloc(t->nevent, sizeof *t->event_first);
    if (!t->story_into || !t->event_into || !t->event_story || !t->event_first) {
        qtab_free(t);
        return q_oom(st);
    }
    sqlite3_stmt *s;
    rc = sqlite3_prepare_v2(db, "SELECT id, IFNULL(merged_into, 0) FROM cluster_story", -1, &s,
                            NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(s, 0), into = sqlite3_column_int64(s, 1);
        if (id > 0 && id < t->nstory && into >= 0 && into < t->nstory)
            t->story_into[id] = (uint32_t)into;
        rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    if (rc == SQLITE_DONE)
        rc = sqlite3_prepare_v2(db,
                                "SELECT id, story, IFNULL(merged_into, 0), first_rowid"
                                " FROM cluster_event",
                                -1, &s, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(s, 0), story = sqlite3_column_int64(s, 1);
        int64_t into = sqlite3_column_int64(s, 2);
        if (id > 0 && id < t->nevent && story >= 0 && story < t->nstory && into >= 0 &&
            into < t->nevent) {
            t->event_story[id] = (uint32_t)story;
            t->event_into[id] = (uint32_t)into;
            t->event_first[id] = sqlite3_column_int64(s, 3);
        }
        rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        qtab_free(t);
        return q_fail(st, db, rc);
    }
    return ND_OK;
}

/* Follows merges (bounded, in case of a damaged cycle). */
static uint32_t final_of(const uint32_t *into, uint32_t n, uint32_t id)
{
    for (int hop = 0; hop < 1000 && id > 0 && id < n && into[id]; hop++)
        id = into[id];
    return id;
}

static uint32_t story_of_event(const qtab *t, uint32_t ev)
{
    ev = final_of(t->event_into, t->nevent, ev);
    if (ev == 0 || ev >= t->nevent)
        return 0;
    return final_of(t->story_into, t->nstory, t->event_story[ev]);
}

/* Parses "S12" / "E7" (also lower case). Returns the kind letter or 0. */
static char parse_id(const char *s, uint32_t *out)
{
    if (!s || (s[0] != 'S' && s[0] != 's' && s[0] != 'E' && s[0] != 'e') || !s[1])
        return 0;
    uint64_t v = 0;
    for (const char *p = s + 1; *p; p++) {
        if (*p < '0' || *p > '9' || v > UINT32_MAX / 10)
            return 0;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (v == 0 || v >= UINT32_MAX)
        return 0;
    *out = (uint32_t)v;
    return s[0] == 's' || s[0] == 'S' ? 'S' : 'E';
}

nd_status nd_cluster_resolve(nd_store *st, const char *id, char *out, size_t outlen)
{
    uint32_t n;
    char kind = parse_id(id, &n);
    if (!st || !out || outlen < 24)
        return ND_ERR_ARG;
    qtab t;
    nd_status r = qtab_load(st, &t);
    if (r != ND_OK)
        return r;
    if (kind == 'S' && n < t.nstory)
        snprintf(out, outlen, "S%u", final_of(t.story_into, t.nstory, n));
    else if (kind == 'E' && n < t.nevent)
        snprintf(out, outlen, "E%u", final_of(t.event_into, t.nevent, n));
    else
        r = ND_ERR_NOT_FOUND;
    qtab_free(&t);
    if (r == ND_ERR_NOT_FOUND)
        nd_store_set_errmsg(st, "no story or event '%s'", id ? id : "");
    return r;
}

nd_status nd_clusters_export(nd_store *st, nd_assignment_fn fn, void *ctx)
{
    if (!st || !fn)
        return ND_ERR_ARG;
    qtab t;
    nd_status r = qtab_load(st, &t);
    if (r != ND_OK)
        return r;
    sqlite3 *db = nd_store_db(st);
    sqlite3_stmt *s;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT a.id, c.event FROM articles a"
                                " LEFT JOIN cluster_article c ON c.rowid = a.rowid"
                                " ORDER BY a.rowid",
                                -1, &s, NULL);
    char sbuf[16], ebuf[16];
    while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        nd_assignment a = {(const char *)sqlite3_column_text(s, 0), "", ""};
        if (sqlite3_column_type(s, 1) != SQLITE_NULL) {
            uint32_t ev = final_of(t.event_into, t.nevent, (uint32_t)sqlite3_column_int64(s, 1));
            uint32_t story = story_of_event(&t, ev);
            if (story) {
                snprintf(sbuf, sizeof sbuf, "S%u", story);
                snprintf(ebuf, sizeof ebuf, "E%u", ev);
                a.story = sbuf;
                a.event = ebuf;
            }
        }
        if (!a.article)
            a.article = "";
        if (fn(ctx, &a)) {
            rc = SQLITE_DONE;
            break;
        }
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_DONE)
        r = q_fail(st, db, rc);
    sqlite3_finalize(s);
    qtab_free(&t);
    return r;
}

/* ---- stories ----------------------------------------------------------------------------- */

typedef struct agg {
    int64_t articles, events, outlets;
    int64_t last_rowid;
    int64_t last_day; /* INT64_MIN when undated */
    char first_date[32], last_date[32];
    char *headline;
} agg;

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static const agg *g_sort_agg; /* qsort has no context argument in C17 */

static int cmp_story(const void *pa, const void *pb)
{
    uint32_t x = *(const uint32_t *)pa, y = *(const uint32_t *)pb;
    const agg *a = &g_sort_agg[x], *b = &g_sort_agg[y];
    if (a->articles != b->articles)
        return a->articles > b->articles ? -1 : 1;
    if (a->last_rowid != b->last_rowid)
        return a->last_rowid > b->last_rowid ? -1 : 1;
    return x < y ? -1 : x > y;
}

nd_status nd_stories_list(nd_store *st, int all, nd_story_fn fn, void *ctx)
{
    if (!st || !fn)
        return ND_ERR_ARG;
    qtab t;
    nd_status r = qtab_load(st, &t);
    if (r != ND_OK)
        return r;
    sqlite3 *db = nd_store_db(st);
    agg *g = nd_calloc(t.nstory, sizeof *g);
    uint64_t *pairs = NULL; /* story << 40 | outlet hash, for distinct counts */
    size_t npairs = 0, pcap = 0;
    uint32_t *ids = NULL;
    if (!g) {
        qtab_free(&t);
        return q_oom(st);
    }
    for (uint32_t i = 0; i < t.nstory; i++)
        g[i].last_day = INT64_MIN;
    sqlite3_stmt *s;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT c.event, c.rowid, c.day, a.date, a.outlet, a.headline"
                                " FROM cluster_article c JOIN articles a ON a.rowid = c.rowid"
                                " ORDER BY c.rowid",
                                -1, &s, NULL);
    int64_t max_rowid = 0, max_day = INT64_MIN;
    while (r == ND_OK && rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        rc = SQLITE_OK;
        uint32_t story = story_of_event(&t, (uint32_t)sqlite3_column_int64(s, 0));
        int64_t rowid = sqlite3_column_int64(s, 1);
        max_rowid = rowid > max_rowid ? rowid : max_rowid;
        if (!story)
            continue;
        agg *a = &g[story];
        a->articles++;
        a->last_rowid = rowid;
        if (sqlite3_column_type(s, 2) != SQLITE_NULL) {
            int64_t day = sqlite3_column_int64(s, 2);
            a->last_day = day > a->last_day ? day : a->last_day;
            max_day = day > max_day ? day : max_day;
        }
        const char *date = (const char *)sqlite3_column_text(s, 3);
        if (date && *date) {
            if (!a->first_date[0] || strcmp(date, a->first_date) < 0)
                snprintf(a->first_date, sizeof a->first_date, "%s", date);
            if (strcmp(date, a->last_date) > 0)
                snprintf(a->last_date, sizeof a->last_date, "%s", date);
        }
        const char *outlet = (const char *)sqlite3_column_text(s, 4);
        if (outlet && *outlet) {
            uint64_t *p = nd_grow(pairs, &pcap, npairs, sizeof *p, 1024);
            if (!p) {
                r = q_oom(st);
                break;
            }
            pairs = p;
            pairs[npairs++] = (uint64_t)story << 40 | (str_hash(outlet) & 0xffffffffffull);
        }
        const char *h = (const char *)sqlite3_column_text(s, 5);
        if (!a->headline && h && *h && !(a->headline = nd_strdup(h)))
            r = q_oom(st);
    }
    if (r == ND_OK && rc != SQLITE_DONE)
        r = q_fail(st, db, rc);
    sqlite3_finalize(s);
    if (r == ND_OK) {
        if (npairs)
            qsort(pairs, npairs, sizeof *pairs, cmp_u64);
        for (size_t i = 0; i < npairs; i++)
            if (i == 0 || pairs[i] != pairs[i - 1])
                g[pairs[i] >> 40].outlets++;
        for (uint32_t e = 1; e < t.nevent; e++)
            if (!t.event_into[e] && t.event_story[e])
                g[final_of(t.story_into, t.nstory, t.event_story[e])].events++;
        ids = nd_malloc((size_t)t.nstory * sizeof *ids);
        if (!ids)
            r = q_oom(st);
    }
    if (r == ND_OK) {
        uint32_t n = 0;
        const nd_cx_config *cfg = &nd_cx_default_config;
        for (uint32_t i = 1; i < t.nstory; i++) {
            agg *a = &g[i];
            if (!a->articles)
                continue;
            int active = max_rowid - a->last_rowid < cfg->retire_articles ||
                         (a->last_day != INT64_MIN && max_day - a->last_day < cfg->retire_days);
            a->events = a->events ? a->events : 1;
            if (all || active)
                ids[n++] = i;
            a->outlets = active ? a->outlets : -a->outlets - 1; /* remember activity */
        }
        g_sort_agg = g;
        qsort(ids, n, sizeof *ids, cmp_story);
        for (uint32_t k = 0; k < n; k++) {
            agg *a = &g[ids[k]];
            char idbuf[16];
            snprintf(idbuf, sizeof idbuf, "S%u", ids[k]);
            int active = a->outlets >= 0;
            nd_story_info info = {idbuf,
                                  a->articles,
                                  a->events,
                                  active ? a->outlets : -a->outlets - 1,
                                  a->first_date[0] ? a->first_date : NULL,
                                  a->last_date[0] ? a->last_date : NULL,
                                  a->headline,
                                  active};
            if (fn(ctx, &info))
                break;
        }
    }
    for (uint32_t i = 0; i < t.nstory; i++)
        nd_free(g[i].headline);
    nd_free(g);
    nd_free(pairs);
    nd_free(ids);
    qtab_free(&t);
    return r;
}

/* ---- story ID ---------------------------------------------------------------------------- */

typedef struct ev_row {
    uint32_t event;
    int64_t first;  /* first rowid of the event, for ordering */
    int64_t rowid;
    nd_event_article a;
} ev_row;

static int cmp_ev_row(const void *pa, const void *pb)
{
    const ev_row *a = pa, *b = pb;
    if (a->first != b->first)
        return a->first < b->first ? -1 : 1;
    if (a->event != b->event)
        return a->event < b->event ? -1 : 1;
    return a->rowid < b->rowid ? -1 : a->rowid > b->rowid;
}

static const char *arena_col(nd_arena *ar, sqlite3_stmt *s, int col, int *oom)
{
    const char *v = (const char *)sqlite3_column_text(s, col);
    if (!v || !*v)
        return NULL;
    char *d = nd_arena_strdup(ar, v);
    if (!d)
        *oom = 1;
    return d;
}

nd_status nd_story_events(nd_store *st, const char *id, nd_event_fn fn, void *ctx)
{
    if (!st || !fn)
        return ND_ERR_ARG;
    uint32_t n;
    if (parse_id(id, &n) != 'S') {
        nd_store_set_errmsg(st, "'%s' is not a story id (S<number>)", id ? id : "");
        return ND_ERR_NOT_FOUND;
    }
    qtab t;
    nd_status r = qtab_load(st, &t);
    if (r != ND_OK)
        return r;
    if (n >= t.nstory) {
        qtab_free(&t);
        nd_store_set_errmsg(st, "no story '%s'", id);
        return ND_ERR_NOT_FOUND;
    }
    uint32_t story = final_of(t.story_into, t.nstory, n);
    sqlite3 *db = nd_store_db(st);
    nd_arena *ar = nd_arena_new(16384);
    ev_row *rows = NULL;
    size_t nrows = 0, cap = 0;
    if (!ar) {
        qtab_free(&t);
        return q_oom(st);
    }
    sqlite3_stmt *s;
    /* cluster_event.story follows story merges, so one story's events are found directly. */
    int rc = sqlite3_prepare_v2(db,
                                "SELECT c.event, c.rowid, a.id, a.date, a.outlet, a.headline"
                                " FROM cluster_event e JOIN cluster_article c ON c.event = e.id"
                                " JOIN articles a ON a.rowid = c.rowid"
                                " WHERE e.story = ?",
                                -1, &s, NULL);
    int oom = 0;
    if (rc == SQLITE_OK)
        sqlite3_bind_int64(s, 1, story);
    while (!oom && rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        rc = SQLITE_OK;
        ev_row *p = nd_grow(rows, &cap, nrows, sizeof *p, 64);
        if (!p) {
            oom = 1;
            break;
        }
        rows = p;
        ev_row *w = &rows[nrows++];
        w->event = final_of(t.event_into, t.nevent, (uint32_t)sqlite3_column_int64(s, 0));
        w->first = w->event < t.nevent ? t.event_first[w->event] : 0;
        w->rowid = sqlite3_column_int64(s, 1);
        w->a.id = arena_col(ar, s, 2, &oom);
        w->a.date = arena_col(ar, s, 3, &oom);
        w->a.outlet = arena_col(ar, s, 4, &oom);
        w->a.headline = arena_col(ar, s, 5, &oom);
        if (!w->a.id)
            w->a.id = "";
    }
    if (oom)
        r = q_oom(st);
    else if (rc != SQLITE_DONE)
        r = q_fail(st, db, rc);
    sqlite3_finalize(s);
    nd_event_article *arts = NULL;
    if (r == ND_OK && nrows) {
        qsort(rows, nrows, sizeof *rows, cmp_ev_row);
        arts = nd_malloc(nrows * sizeof *arts);
        if (!arts)
            r = q_oom(st);
    }
    if (r == ND_OK) {
        for (size_t i = 0; i < nrows; i++)
            arts[i] = rows[i].a;
        char sbuf[16], ebuf[16];
        snprintf(sbuf, sizeof sbuf, "S%u", story);
        for (size_t i = 0; i < nrows;) {
            size_t j = i;
            char first[32] = "", last[32] = "";
            uint64_t outl[64];
            size_t no = 0;
            int64_t outlets = 0;
            while (j < nrows && rows[j].event == rows[i].event) {
                const char *d = rows[j].a.date;
                if (d && (!first[0] || strcmp(d, first) < 0))
                    snprintf(first, sizeof first, "%s", d);
                if (d && strcmp(d, last) > 0)
                    snprintf(last, sizeof last, "%s", d);
                if (rows[j].a.outlet) {
                    uint64_t h = str_hash(rows[j].a.outlet);
                    size_t k = 0;
                    while (k < no && outl[k] != h)
                        k++;
                    if (k == no) {
                        outlets++;
                        if (no < 64)
                            outl[no++] = h;
                    }
                }
                j++;
            }
            snprintf(ebuf, sizeof ebuf, "E%u", rows[i].event);
            nd_event_info e = {sbuf, ebuf, outlets, first[0] ? first : NULL,
                               last[0] ? last : NULL, arts + i, j - i};
            if (fn(ctx, &e))
                break;
            i = j;
        }
    }
    nd_free(arts);
    nd_free(rows);
    nd_arena_free(ar);
    qtab_free(&t);
    return r;
}
