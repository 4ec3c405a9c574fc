/*
 * The clustering stage in the store: runs the model on each new article inside
 * nd_store_add()'s savepoint, persists its decisions, and rebuilds the model from the store
 * whenever the store dropped it (first use, rollback, another writer).
 */
#include <stdlib.h>
#include <string.h>

#include "cluster/cluster.h"
#include "store/store_db.h"
#include "util/alloc.h"

/* Document frequencies are written at the end of each of the model's frequency periods
 * (ND_CX_DF_PERIOD articles; one row per feature counted twice or more whose count changed):
 * writing them per article would cost more than the clustering itself. On load, the
 * articles of the last complete period are re-read for the hapaxes the model still holds,
 * and those after it to count them again. A test may shorten the period. */
static uint32_t df_period = ND_CX_DF_PERIOD;

void nd_cluster_set_df_period(uint32_t docs)
{
    df_period = docs;
}

enum {
    Q_ARTICLE,
    Q_STORY,
    Q_EVENT,
    Q_STORY_MERGED,
    Q_EVENT_MOVE,
    Q_EVENT_MERGED,
    Q_ALIAS,
    Q_ARTICLE_MOVE,
    Q_DF,
    Q_META,
    Q_COUNT_
};

static const char *const sql[Q_COUNT_] = {
    /* OR REPLACE: a row left behind by an article deleted outside newsdesk must not block the
     * rowid that SQLite hands out again. */
    [Q_ARTICLE] = "INSERT OR REPLACE INTO cluster_article(rowid, event, day, feats)"
                  " VALUES(?, ?, ?, ?)",
    [Q_STORY] = "INSERT INTO cluster_story(id, first_rowid) VALUES(?, ?)",
    [Q_EVENT] = "INSERT INTO cluster_event(id, story, first_rowid) VALUES(?, ?, ?)",
    [Q_STORY_MERGED] = "UPDATE cluster_story SET merged_into = ? WHERE id = ?",
    [Q_EVENT_MOVE] = "UPDATE cluster_event SET story = ? WHERE story = ?",
    [Q_EVENT_MERGED] = "UPDATE cluster_event SET merged_into = ? WHERE id = ?",
    [Q_ARTICLE_MOVE] = "UPDATE cluster_article SET event = ? WHERE rowid = ?",
    [Q_ALIAS] = "INSERT OR REPLACE INTO cluster_alias(kind, old, new, rowid, at, reason)"
                " VALUES(?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?)",
    [Q_DF] = "INSERT OR REPLACE INTO cluster_df(feature, df) VALUES(?, ?)",
    [Q_META] = "INSERT OR REPLACE INTO cluster_meta(key, value) VALUES(?, ?)",
};

struct nd_cluster_state {
    nd_cx_model *m;
    nd_cx_extractor *x;
    nd_cx_raw raw;
    nd_cx_vec vec;
    sqlite3_stmt *q[Q_COUNT_];
    unsigned char *blob;
    size_t blobcap;
    int64_t df_rowid; /* the article after which the last flush was made */
};

void nd_cluster_state_free(nd_cluster_state *s)
{
    if (!s)
        return;
    for (int i = 0; i < Q_COUNT_; i++)
        sqlite3_finalize(s->q[i]);
    nd_cx_model_free(s->m);
    nd_cx_extractor_free(s->x);
    nd_cx_raw_free(&s->raw);
    nd_cx_vec_free(&s->vec);
    nd_free(s->blob);
    nd_free(s);
}

size_t nd_cluster_state_bytes(const nd_cluster_state *s)
{
    if (!s)
        return 0;
    return sizeof *s + nd_cx_model_bytes(s->m) + s->blobcap + (size_t)s->raw.cap * 8 +
           (size_t)s->raw.nslot * 4 + (size_t)s->vec.cap * sizeof *s->vec.f;
}

/* Maps a SQLite failure to a status and a message on the store. */
static nd_status db_fail(nd_store *st, int rc, const char *what)
{
    sqlite3 *db = nd_store_db(st);
    const char *path = db ? sqlite3_db_filename(db, "main") : NULL;
    nd_store_set_errmsg(st, "clustering: %s: %s in store %s", what,
                        db ? sqlite3_errmsg(db) : "no database", path ? path : "?");
    if (rc == SQLITE_NOMEM)
        return ND_ERR_NOMEM;
    if (rc == SQLITE_FULL)
        return ND_ERR_FULL;
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        return ND_ERR_BUSY;
    return ND_ERR_STORE;
}

static nd_status oom(nd_store *st)
{
    nd_store_set_errmsg(st, "clustering: out of memory");
    return ND_ERR_NOMEM;
}

/* Steps a prepared statement that returns no rows, then resets it. Every caller binds every
 * parameter, NULLs included, so the bindings are not cleared (a call per row saved). */
static int exec_stmt(sqlite3_stmt *q)
{
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int put_meta(nd_cluster_state *s, const char *key, int64_t v)
{
    sqlite3_stmt *q = s->q[Q_META];
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, v);
    return exec_stmt(q);
}

static int df_row(void *ctx, uint32_t id, uint32_t df)
{
    sqlite3_stmt *q = ctx;
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_int64(q, 2, df);
    return exec_stmt(q);
}

/* Writes the changed document frequencies, the point up to which they are complete, and
 * where the period whose hapaxes the model still holds began (the previous flush). */
static nd_status flush_df(nd_cluster_state *s, nd_store *st, int64_t rowid)
{
    int rc = nd_cx_df_flush(s->m, df_row, s->q[Q_DF]);
    if (rc == SQLITE_OK)
        rc = put_meta(s, "df_young_rowid", s->df_rowid);
    if (rc == SQLITE_OK)
        rc = put_meta(s, "df_rowid", rowid);
    if (rc == SQLITE_OK)
        rc = put_meta(s, "df_docs", nd_cx_df_docs(s->m));
    if (rc != SQLITE_OK)
        return db_fail(st, rc, "saving word frequencies");
    s->df_rowid = rowid;
    return ND_OK;
}

static int alias(nd_cluster_state *s, const char *kind, uint32_t from, uint32_t into,
                 int64_t rowid, const char *reason)
{
    sqlite3_stmt *q = s->q[Q_ALIAS];
    sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, from);
    sqlite3_bind_int64(q, 3, into);
    sqlite3_bind_int64(q, 4, rowid);
    sqlite3_bind_text(q, 5, reason, -1, SQLITE_STATIC);
    return exec_stmt(q);
}

/* Persists one decision: the article's row, new story and event rows, merges. */
static nd_status persist(nd_cluster_state *s, nd_store *st, int64_t rowid, const nd_cx_result *r)
{
    int rc = SQLITE_OK;
    if (r->new_story) {
        sqlite3_bind_int64(s->q[Q_STORY], 1, r->story);
        sqlite3_bind_int64(s->q[Q_STORY], 2, rowid);
        rc = exec_stmt(s->q[Q_STORY]);
    }
    if (rc == SQLITE_OK && r->new_event) {
        sqlite3_bind_int64(s->q[Q_EVENT], 1, r->event);
        sqlite3_bind_int64(s->q[Q_EVENT], 2, r->story);
        sqlite3_bind_int64(s->q[Q_EVENT], 3, rowid);
        rc = exec_stmt(s->q[Q_EVENT]);
    }
    if (rc == SQLITE_OK && r->event_merged_from) {
        sqlite3_bind_int64(s->q[Q_EVENT_MERGED], 1, r->event_merged_into);
        sqlite3_bind_int64(s->q[Q_EVENT_MERGED], 2, r->event_merged_from);
        rc = exec_stmt(s->q[Q_EVENT_MERGED]);
        if (rc == SQLITE_OK)
            rc = alias(s, "event", r->event_merged_from, r->event_merged_into, rowid,
                       "an article joined two events whose centroids are alike");
    }
    if (rc == SQLITE_OK && r->event_split_new) {
        /* The part that left gets its own event; its articles' rows follow it. The alias
         * row records where the new event came from (kind 'split', old = the new id). */
        sqlite3_bind_int64(s->q[Q_EVENT], 1, r->event_split_new);
        sqlite3_bind_int64(s->q[Q_EVENT], 2, r->story);
        sqlite3_bind_int64(s->q[Q_EVENT], 3, r->nmoved ? r->moved[0] : rowid);
        rc = exec_stmt(s->q[Q_EVENT]);
        for (uint32_t i = 0; rc == SQLITE_OK && i < r->nmoved; i++) {
            if (r->moved[i] == rowid)
                continue; /* its row is written below */
            sqlite3_bind_int64(s->q[Q_ARTICLE_MOVE], 1, r->event_split_new);
            sqlite3_bind_int64(s->q[Q_ARTICLE_MOVE], 2, r->moved[i]);
            rc = exec_stmt(s->q[Q_ARTICLE_MOVE]);
        }
        if (rc == SQLITE_OK)
            rc = alias(s, "split", r->event_split_new, r->event_split_from, rowid,
                       "the event's articles formed two groups, each more than twice as alike"
                       " within as between");
    }
    if (rc == SQLITE_OK && r->story_merged_from) {
        sqlite3_bind_int64(s->q[Q_STORY_MERGED], 1, r->story_merged_into);
        sqlite3_bind_int64(s->q[Q_STORY_MERGED], 2, r->story_merged_from);
        rc = exec_stmt(s->q[Q_STORY_MERGED]);
        if (rc == SQLITE_OK) {
            sqlite3_bind_int64(s->q[Q_EVENT_MOVE], 1, r->story_merged_into);
            sqlite3_bind_int64(s->q[Q_EVENT_MOVE], 2, r->story_merged_from);
            rc = exec_stmt(s->q[Q_EVENT_MOVE]);
        }
        if (rc == SQLITE_OK)
            rc = alias(s, "story", r->story_merged_from, r->story_merged_into, rowid,
                       "an article joined two stories whose centroids are alike");
    }
    if (rc == SQLITE_OK) {
        size_t n = nd_cx_vec_bytes(&s->vec);
        if (n > s->blobcap) {
            unsigned char *b = nd_realloc(s->blob, n);
            if (!b)
                return oom(st);
            s->blob = b;
            s->blobcap = n;
        }
        nd_cx_vec_pack(&s->vec, s->blob);
        sqlite3_stmt *q = s->q[Q_ARTICLE];
        sqlite3_bind_int64(q, 1, rowid);
        sqlite3_bind_int64(q, 2, r->event);
        if (s->vec.day != ND_CX_NODAY)
            sqlite3_bind_int64(q, 3, s->vec.day);
        else
            sqlite3_bind_null(q, 3);
        sqlite3_bind_blob(q, 4, n ? (const void *)s->blob : "", (int)n, SQLITE_STATIC);
        rc = exec_stmt(q);
    }
    return rc == SQLITE_OK ? ND_OK : db_fail(st, rc, "saving an assignment");
}

/* Clusters one article: features, frequencies, weights, decision, rows. */
static nd_status process(nd_cluster_state *s, nd_store *st, int64_t rowid, const nd_article *a)
{
    nd_status r = nd_cx_extract(s->x, a, &s->raw);
    if (r == ND_OK)
        r = nd_cx_df_count(s->m, &s->raw);
    if (r == ND_OK)
        r = nd_cx_weigh(s->m, &s->raw, &s->vec);
    nd_cx_result res;
    if (r == ND_OK)
        r = nd_cx_assign(s->m, &s->vec, rowid, &res);
    if (r != ND_OK)
        return r == ND_ERR_NOMEM ? oom(st) : r;
    r = persist(s, st, rowid, &res);
    if (r == ND_OK && nd_cx_df_period_closed(s->m))
        r = flush_df(s, st, rowid);
    return r;
}

/* ---- Loading ------------------------------------------------------------------------------ */

/* One integer from a query with optional integer parameters; `def` when NULL or no row. */
static int query_i64(sqlite3 *db, const char *q, int64_t *out, int64_t def, int nparams,
                     const int64_t *params)
{
    sqlite3_stmt *s;
    int rc = sqlite3_prepare_v2(db, q, -1, &s, NULL);
    if (rc != SQLITE_OK)
        return rc;
    for (int i = 0; i < nparams; i++)
        sqlite3_bind_int64(s, i + 1, params[i]);
    *out = def;
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        if (sqlite3_column_type(s, 0) != SQLITE_NULL)
            *out = sqlite3_column_int64(s, 0);
        rc = SQLITE_DONE;
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Re-reads the clustered articles in (after, upto]: `young`, the hapaxes of the last
 * complete period, which the store does not hold; otherwise, the articles after the last
 * flush, counted again. */
static nd_status catch_up_df(nd_cluster_state *s, nd_store *st, int64_t after, int64_t upto,
                             int young)
{
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(nd_store_db(st),
                                "SELECT rowid FROM cluster_article WHERE rowid > ? AND rowid <= ?"
                                " ORDER BY rowid",
                                -1, &q, NULL);
    if (rc != SQLITE_OK)
        return db_fail(st, rc, "loading");
    sqlite3_bind_int64(q, 1, after);
    sqlite3_bind_int64(q, 2, upto);
    nd_status r = ND_OK;
    while (r == ND_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        nd_article *a = NULL;
        r = nd_store_get_rowid(st, &a, sqlite3_column_int64(q, 0));
        if (r == ND_ERR_NOT_FOUND) {
            r = ND_OK; /* deleted behind our back: it no longer counts */
            continue;
        }
        if (r == ND_OK)
            r = nd_cx_extract(s->x, a, &s->raw);
        if (r == ND_OK)
            r = young ? nd_cx_df_young(s->m, &s->raw) : nd_cx_df_count(s->m, &s->raw);
        if (r == ND_ERR_NOMEM)
            oom(st);
        nd_article_free(a);
    }
    sqlite3_finalize(q);
    if (r == ND_OK && rc != SQLITE_DONE)
        r = db_fail(st, rc, "loading");
    return r;
}

/* Resolves an event through the merges recorded in cluster_event (chains are short). */
typedef struct merged_ev {
    uint32_t *from, *into;
    size_t n, cap;
} merged_ev;

/* Reads the (from, into) id pairs a query returns, sorted by `from`, into me (replacing what
 * it held). Event merges (cluster_event) and event splits (cluster_alias) both come so. */
static nd_status read_pairs(nd_store *st, const char *query, const char *what, merged_ev *me)
{
    sqlite3_stmt *q = NULL;
    nd_status r = ND_OK;
    me->n = 0;
    int rc = sqlite3_prepare_v2(nd_store_db(st), query, -1, &q, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (me->n == me->cap) {
            size_t ncap = me->cap ? me->cap * 2 : 64;
            uint32_t *f = nd_realloc(me->from, ncap * sizeof *f);
            if (f)
                me->from = f;
            uint32_t *t = f ? nd_realloc(me->into, ncap * sizeof *t) : NULL;
            if (!t) {
                r = oom(st);
                break;
            }
            me->into = t;
            me->cap = ncap;
        }
        me->from[me->n] = (uint32_t)sqlite3_column_int64(q, 0);
        me->into[me->n++] = (uint32_t)sqlite3_column_int64(q, 1);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(q);
    if (r == ND_OK && rc != SQLITE_DONE)
        r = db_fail(st, rc, what);
    return r;
}

static uint32_t resolve_event(const merged_ev *me, uint32_t id)
{
    for (int hop = 0; hop < 64; hop++) {
        size_t lo = 0, hi = me->n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (me->from[mid] < id)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == me->n || me->from[lo] != id)
            return id;
        id = me->into[lo];
    }
    return id;
}

/* Replays the articles of the active stories into the model, in added order per story. */
static nd_status restore_active(nd_cluster_state *s, nd_store *st)
{
    sqlite3 *db = nd_store_db(st);
    merged_ev me = {0};
    sqlite3_stmt *q = NULL, *qa = NULL;
    int rc = SQLITE_OK;
    nd_status r = read_pairs(st,
                             "SELECT id, merged_into FROM cluster_event"
                             " WHERE merged_into IS NOT NULL ORDER BY id",
                             "loading events", &me);

    int64_t clock_rowid;
    int32_t clock_day;
    nd_cx_clock(s->m, &clock_rowid, &clock_day);
    const nd_cx_config *cfg = &nd_cx_default_config;
    int64_t lo_rowid = clock_rowid - cfg->retire_articles;
    int64_t lo_day = clock_day == ND_CX_NODAY ? INT64_MAX : (int64_t)clock_day - cfg->retire_days + 1;
    if (r == ND_OK) {
        rc = sqlite3_prepare_v2(db,
                                "SELECT DISTINCT e.story FROM cluster_article a"
                                " JOIN cluster_event e ON e.id = a.event"
                                " WHERE a.rowid > ?1 OR a.day >= ?2 ORDER BY e.story",
                                -1, &q, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_prepare_v2(db,
                                    "SELECT a.rowid, a.event, a.day, a.feats FROM cluster_article a"
                                    " JOIN cluster_event e ON e.id = a.event"
                                    " WHERE e.story = ? ORDER BY a.rowid",
                                    -1, &qa, NULL);
        if (rc != SQLITE_OK)
            r = db_fail(st, rc, "loading stories");
    }
    if (r == ND_OK) {
        sqlite3_bind_int64(q, 1, lo_rowid);
        sqlite3_bind_int64(q, 2, lo_day);
        while (r == ND_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
            uint32_t story = (uint32_t)sqlite3_column_int64(q, 0);
            sqlite3_bind_int64(qa, 1, story);
            while (r == ND_OK && (rc = sqlite3_step(qa)) == SQLITE_ROW) {
                r = nd_cx_vec_unpack(&s->vec, sqlite3_column_blob(qa, 3),
                                     (size_t)sqlite3_column_bytes(qa, 3));
                if (r == ND_ERR_INPUT) {
                    nd_store_set_errmsg(st, "clustering: a stored feature vector is damaged");
                    r = ND_ERR_STORE;
                } else if (r == ND_ERR_NOMEM) {
                    oom(st);
                }
                s->vec.day = sqlite3_column_type(qa, 2) == SQLITE_NULL
                                 ? ND_CX_NODAY
                                 : (int32_t)sqlite3_column_int64(qa, 2);
                uint32_t ev = resolve_event(&me, (uint32_t)sqlite3_column_int64(qa, 1));
                if (r == ND_OK)
                    r = nd_cx_restore(s->m, story, ev, &s->vec, sqlite3_column_int64(qa, 0));
                if (r == ND_ERR_NOMEM)
                    oom(st);
            }
            sqlite3_reset(qa);
            if (r == ND_OK && rc != SQLITE_DONE)
                r = db_fail(st, rc, "loading stories");
            rc = SQLITE_ROW;
        }
        if (r == ND_OK && rc != SQLITE_DONE)
            r = db_fail(st, rc, "loading stories");
    }
    sqlite3_finalize(q);
    sqlite3_finalize(qa);
    /* The splits, in the same arrays: new event id -> the event it left. */
    if (r == ND_OK)
        r = read_pairs(st, "SELECT old, new FROM cluster_alias WHERE kind = 'split' ORDER BY old",
                       "loading event splits", &me);
    if (r == ND_OK)
        nd_cx_restore_splits(s->m, me.from, me.into, me.n);
    nd_free(me.from);
    nd_free(me.into);
    return r;
}

/* Builds the state from the store: statements, frequencies, ids, clock, active stories; then
 * clusters stored articles that have no decision yet (a store made before clustering), up to
 * `rowid` (the article being added). */
static nd_status load(nd_cluster_state **out, nd_store *st, int64_t rowid)
{
    sqlite3 *db = nd_store_db(st);
    if (!db) {
        nd_store_set_errmsg(st, "clustering: the store is not open");
        return ND_ERR_ARG;
    }
    nd_cluster_state *s = nd_calloc(1, sizeof *s);
    if (!s)
        return oom(st);
    nd_status r = nd_cx_model_new(&s->m, NULL);
    if (r == ND_OK) {
        nd_cx_df_set_period(s->m, df_period);
        r = nd_cx_extractor_new(&s->x);
    }
    if (r != ND_OK) {
        nd_cluster_state_free(s);
        return oom(st);
    }
    int rc = SQLITE_OK;
    for (int i = 0; i < Q_COUNT_ && rc == SQLITE_OK; i++)
        rc = sqlite3_prepare_v3(db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->q[i], NULL);
    int64_t df_rowid = 0, df_docs = 0, max_story = 0, max_event = 0, max_rowid = 0, max_day = 0;
    int64_t young_rowid = -1;
    /* Rows of articles deleted outside newsdesk (the highest rowids, handed out again). */
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db,
                          "DELETE FROM cluster_article WHERE rowid >="
                          " (SELECT IFNULL(MAX(rowid), 0) FROM articles)",
                          NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = query_i64(db, "SELECT value FROM cluster_meta WHERE key = 'df_rowid'", &df_rowid,
                       0, 0, NULL);
    if (rc == SQLITE_OK)
        rc = query_i64(db, "SELECT value FROM cluster_meta WHERE key = 'df_docs'", &df_docs, 0,
                       0, NULL);
    if (rc == SQLITE_OK)
        rc = query_i64(db, "SELECT value FROM cluster_meta WHERE key = 'df_young_rowid'",
                       &young_rowid, -1, 0, NULL);
    /* A store written before hapaxes were forgotten holds them: drop them once, so that the
     * table holds what the model holds from here on. */
    if (rc == SQLITE_OK && young_rowid < 0) {
        young_rowid = df_rowid;
        rc = sqlite3_exec(db, "DELETE FROM cluster_df WHERE df < 2", NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            rc = put_meta(s, "df_young_rowid", young_rowid);
    }
    if (rc == SQLITE_OK)
        rc = query_i64(db, "SELECT MAX(id) FROM cluster_story", &max_story, 0, 0, NULL);
    if (rc == SQLITE_OK)
        rc = query_i64(db, "SELECT MAX(id) FROM cluster_event", &max_event, 0, 0, NULL);
    if (rc == SQLITE_OK)
        rc = query_i64(db, "SELECT MAX(rowid) FROM cluster_article", &max_rowid, 0, 0, NULL);
    if (rc == SQLITE_OK)
        rc = query_i64(db, "SELECT MAX(day) FROM cluster_article", &max_day, ND_CX_NODAY, 0,
                       NULL);
    if (rc != SQLITE_OK) {
        r = db_fail(st, rc, "loading");
        nd_cluster_state_free(s);
        return r;
    }
    nd_cx_df_docs_set(s->m, df_docs);
    sqlite3_stmt *q;
    rc = sqlite3_prepare_v2(db, "SELECT feature, df FROM cluster_df", -1, &q, NULL);
    while (r == ND_OK && rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        r = nd_cx_df_set(s->m, (uint32_t)sqlite3_column_int64(q, 0),
                         (uint32_t)sqlite3_column_int64(q, 1));
        rc = SQLITE_OK;
    }
    sqlite3_finalize(q);
    if (r == ND_OK && rc != SQLITE_DONE)
        r = db_fail(st, rc, "loading word frequencies");
    else if (r != ND_OK)
        r = oom(st);
    nd_cx_set_next_ids(s->m, (uint32_t)max_story + 1, (uint32_t)max_event + 1);
    nd_cx_set_clock(s->m, max_rowid, (int32_t)max_day);
    s->df_rowid = df_rowid;
    if (r == ND_OK)
        r = catch_up_df(s, st, young_rowid, df_rowid, 1);
    if (r == ND_OK)
        r = catch_up_df(s, st, df_rowid, INT64_MAX, 0);
    if (r == ND_OK)
        r = restore_active(s, st);
    /* Articles stored before this stage existed (or by an older newsdesk). */
    if (r == ND_OK) {
        rc = sqlite3_prepare_v2(db, "SELECT rowid FROM articles WHERE rowid > ? AND rowid < ?"
                                    " ORDER BY rowid", -1, &q, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_int64(q, 1, max_rowid);
            sqlite3_bind_int64(q, 2, rowid);
            while (r == ND_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
                nd_article *a = NULL;
                int64_t old = sqlite3_column_int64(q, 0);
                r = nd_store_get_rowid(st, &a, old);
                if (r == ND_OK)
                    r = process(s, st, old, a);
                nd_article_free(a);
            }
            sqlite3_finalize(q);
        }
        if (r == ND_OK && rc != SQLITE_DONE)
            r = db_fail(st, rc, "clustering older articles");
    }
    if (r != ND_OK) {
        nd_cluster_state_free(s);
        return r;
    }
    *out = s;
    return ND_OK;
}

nd_status nd_cluster_on_add(nd_cluster_state **state, nd_store *st, int64_t rowid,
                            const nd_article *a)
{
    if (!state || !st || !a)
        return ND_ERR_ARG;
    if (!*state) {
        nd_status r = load(state, st, rowid);
        if (r != ND_OK)
            return r;
    }
    return process(*state, st, rowid, a);
}
