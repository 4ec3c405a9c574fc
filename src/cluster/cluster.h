/*
 * Online two-level clustering of the article stream: stories, and events inside stories.
 * Internal to the library. Design and every constant: docs/cluster.md.
 *
 * Three layers, each usable without the next:
 *  - signals (signals.c): an article -> raw features in three views (title words, body words,
 *    names/numbers/dates) plus its time. Entity and date extraction feed the views through
 *    nd_cx_raw_add(), so a later extraction stage can add its own findings the same way.
 *  - model (model.c): the in-memory clustering: document frequencies, weighted vectors,
 *    active stories and events with their centroids, the inverted index, assignment, merges,
 *    retirement. It knows nothing of SQLite.
 *  - stage (cluster_stage.c): the store's hooks; persists every decision and rebuilds the
 *    model from the store when the store drops it. Queries for the CLI: cluster_query.c.
 */
#ifndef ND_CLUSTER_H
#define ND_CLUSTER_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "newsdesk.h"

/* ---- Contract with the store (see docs/store.md, "Stages") ----------------------------- */

/* Tables (schema 2). Ids are integers; the text forms are "S<n>" and "E<n>".
 *  cluster_story: one row per story ever created; merged_into is set when it was absorbed.
 *  cluster_event: one row per event; story is the story it belongs to now (updated when
 *    stories merge); merged_into as above.
 *  cluster_article: the decision for each article: the event it joined when it was added,
 *    its time (days since 1970-01-01, NULL when undated) and its quantised feature vector,
 *    from which centroids are rebuilt.
 *  cluster_alias: the history of merges (what, when, why), so old ids still resolve.
 *  cluster_df: document frequencies as of meta 'df_rowid' (flushed in batches; the articles
 *    after it are re-read on load).
 *  cluster_meta: integers: df_rowid, df_docs. */
#define ND_CLUSTER_SCHEMA                                                                       \
    "CREATE TABLE cluster_story(id INTEGER PRIMARY KEY, first_rowid INTEGER NOT NULL,"          \
    " merged_into INTEGER);"                                                                    \
    "CREATE TABLE cluster_event(id INTEGER PRIMARY KEY, story INTEGER NOT NULL,"                \
    " first_rowid INTEGER NOT NULL, merged_into INTEGER);"                                      \
    "CREATE INDEX cluster_event_story ON cluster_event(story);"                                  \
    "CREATE TABLE cluster_article(rowid INTEGER PRIMARY KEY, event INTEGER NOT NULL,"           \
    " day INTEGER, feats BLOB NOT NULL);"                                                       \
    "CREATE INDEX cluster_article_event ON cluster_article(event);"                              \
    "CREATE INDEX cluster_article_day ON cluster_article(day);"                                  \
    "CREATE TABLE cluster_alias(kind TEXT NOT NULL, old INTEGER NOT NULL, new INTEGER NOT NULL," \
    " rowid INTEGER NOT NULL, at TEXT NOT NULL, reason TEXT NOT NULL,"                          \
    " PRIMARY KEY(kind, old)) WITHOUT ROWID;"                                                   \
    "CREATE TABLE cluster_df(feature INTEGER PRIMARY KEY, df INTEGER NOT NULL);"                \
    "CREATE TABLE cluster_meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"

typedef struct nd_cluster_state nd_cluster_state;

/* Assigns the article just inserted as `rowid` to a story and an event (see stage contract). */
nd_status nd_cluster_on_add(nd_cluster_state **state, nd_store *st, int64_t rowid,
                            const nd_article *a);
void nd_cluster_state_free(nd_cluster_state *s);
size_t nd_cluster_state_bytes(const nd_cluster_state *s);
/* Tests only: the frequency period of the stages created from now on (ND_CX_DF_PERIOD). */
void nd_cluster_set_df_period(uint32_t docs);

/* ---- Signals ------------------------------------------------------------------------------ */

/* The three views. A feature id carries its view in its top two bits. */
enum { ND_CX_TITLE = 0, ND_CX_BODY = 1, ND_CX_NAME = 2, ND_CX_NVIEWS = 3 };
#define ND_CX_VIEW(id) ((unsigned)((id) >> 30))
#define ND_CX_NODAY INT32_MIN

/* Raw features of one article: distinct feature ids with their counts. */
typedef struct nd_cx_raw {
    uint32_t *id;
    uint32_t *tf;
    uint32_t n, cap;
    uint32_t *df;   /* document frequency of each, filled by nd_cx_df_count() */
    int counted;    /* df[] matches the features (set by nd_cx_df_count, cleared on reset) */
    uint32_t *slot; /* open-addressing dedup table over id (index + 1) */
    uint32_t nslot;
    int32_t day;       /* publication day, ND_CX_NODAY when undated */
    int32_t said_day;  /* latest full date the text mentions, ND_CX_NODAY when none */
} nd_cx_raw;

void nd_cx_raw_reset(nd_cx_raw *r);
void nd_cx_raw_free(nd_cx_raw *r);
/* Counts one occurrence of a feature: `view`, and a string naming it (hashed). This is the
 * interface through which any extraction (the cheap one below, a later entity tagger) feeds
 * the clustering. `kind` separates namespaces inside a view (e.g. 'e' names, 'n' numbers,
 * 'd' dates) so that a number and a word never collide. */
nd_status nd_cx_raw_add(nd_cx_raw *r, int view, char kind, const char *s, size_t len);
/* The same with the feature's 30-bit hash already computed. */
nd_status nd_cx_raw_add_hash(nd_cx_raw *r, int view, uint32_t h);
/* Records a date the text says something happened on (days since 1970-01-01). */
nd_status nd_cx_raw_add_date(nd_cx_raw *r, int32_t day);

typedef struct nd_cx_extractor nd_cx_extractor;
nd_status nd_cx_extractor_new(nd_cx_extractor **out);
void nd_cx_extractor_free(nd_cx_extractor *x);
/* The cheap extraction: title and body words (stems of non-stopwords), capitalised name
 * sequences, numbers, explicit calendar dates, the publication date. Replaces r's content. */
nd_status nd_cx_extract(nd_cx_extractor *x, const nd_article *a, nd_cx_raw *r);

/* Days since 1970-01-01 of an ISO date "YYYY-MM-DD..." (ND_CX_NODAY when not one). */
int32_t nd_cx_iso_day(const char *s);
int32_t nd_cx_civil_day(int y, int m, int d);

/* ---- Model -------------------------------------------------------------------------------- */

/* The frozen configuration; docs/cluster.md explains every field. */
typedef struct nd_cx_config {
    uint32_t keep[ND_CX_NVIEWS];  /* features kept per view in an article's vector */
    float w_story[ND_CX_NVIEWS];  /* weight of each view's cosine, story level */
    float w_event[ND_CX_NVIEWS];  /* same, event level */
    float t_story, t_event;       /* join thresholds */
    float t_story_merge, t_event_merge; /* centroid-to-centroid similarity to merge */
    float story_grace, story_tau; /* days: time gap tolerated, then decay scale */
    float event_grace, event_tau;
    float story_floor, event_floor; /* what a large time gap leaves of a similarity */
    uint32_t story_features;      /* a story centroid keeps its heaviest this many features */
    uint32_t event_features;      /* same for an event centroid */
    uint32_t candidates;          /* stories scored in full per article */
    uint32_t query_keys;          /* an article's heaviest features looked up in the index */
    uint32_t posting_cap;         /* a feature in more active stories is not a key */
    int32_t retire_days;          /* retire a story idle this many days of stream time ... */
    int64_t retire_articles;      /* ... and for this many added articles */
} nd_cx_config;

extern const nd_cx_config nd_cx_default_config;

/* One feature of a weighted, quantised vector. */
typedef struct nd_cx_feat {
    uint32_t id;
    uint8_t q; /* weight, quantised: 1..255, relative to the view's largest */
} nd_cx_feat;

typedef struct nd_cx_vec {
    nd_cx_feat *f; /* sorted by view */
    uint32_t n, cap;
    int32_t day; /* the article's time: publication day, else the date it mentions */
} nd_cx_vec;

void nd_cx_vec_free(nd_cx_vec *v);
/* Serialised form (cluster_article.feats): 5 bytes per feature. */
size_t nd_cx_vec_bytes(const nd_cx_vec *v);
void nd_cx_vec_pack(const nd_cx_vec *v, unsigned char *out);
nd_status nd_cx_vec_unpack(nd_cx_vec *v, const void *blob, size_t len);

typedef struct nd_cx_model nd_cx_model;

/* What one assignment decided. Merges: old id absorbed into new id (0 when none). */
typedef struct nd_cx_result {
    uint32_t story, event;
    int new_story, new_event;
    uint32_t story_merged_from, story_merged_into;
    uint32_t event_merged_from, event_merged_into;
    /* An event split: the part of event_split_from without its first article left for the
     * new event event_split_new; its articles' rowids are moved[0..nmoved) (owned by the
     * model, valid until the next call). */
    uint32_t event_split_from, event_split_new;
    const int64_t *moved;
    uint32_t nmoved;
    float story_sim, event_sim;
} nd_cx_result;

nd_status nd_cx_model_new(nd_cx_model **out, const nd_cx_config *cfg);
void nd_cx_model_free(nd_cx_model *m);
size_t nd_cx_model_bytes(const nd_cx_model *m);

/* Document frequencies. Counting also notes each feature's frequency in r->df, so that
 * weighing does not look it up again. They are counted in periods of ND_CX_DF_PERIOD
 * documents (a period ends when the count of documents is a multiple of it): a hapax (a
 * feature counted once) is forgotten at the end of the period after the one that counted
 * it, unless it was seen again (docs/cluster.md, "Persistence"). */
#define ND_CX_DF_PERIOD 4096
nd_status nd_cx_df_count(nd_cx_model *m, nd_cx_raw *r);
nd_status nd_cx_df_set(nd_cx_model *m, uint32_t id, uint32_t df);
/* Reloading: enters each feature of r that the table lacks as a hapax of the previous
 * period (counted once, forgotten at the end of the current period unless seen again). */
nd_status nd_cx_df_young(nd_cx_model *m, const nd_cx_raw *r);
uint32_t nd_cx_df_get(const nd_cx_model *m, uint32_t id);
void nd_cx_df_set_period(nd_cx_model *m, uint32_t docs); /* tests: a shorter period */
void nd_cx_df_docs_set(nd_cx_model *m, int64_t docs);
int64_t nd_cx_df_docs(const nd_cx_model *m);
/* Walks the features counted at least twice whose count changed since the last call (and
 * forgets that they changed). Hapaxes are never walked: the young ones are recounted from
 * their articles on reload (nd_cx_df_young), the older ones are forgotten. */
typedef int (*nd_cx_df_fn)(void *ctx, uint32_t id, uint32_t df);
int nd_cx_df_flush(nd_cx_model *m, nd_cx_df_fn fn, void *ctx);
/* True when a period ended since the last complete flush: the stage flushes then. */
int nd_cx_df_period_closed(const nd_cx_model *m);

/* Weighs raw features with the current frequencies into a vector (top `keep` per view). */
nd_status nd_cx_weigh(nd_cx_model *m, const nd_cx_raw *r, nd_cx_vec *out);

/* Assigns a new article, updating the model. `rowid` orders the stream (added order). */
nd_status nd_cx_assign(nd_cx_model *m, const nd_cx_vec *v, int64_t rowid, nd_cx_result *res);

/* Rebuilding: declares the next free ids, then replays stored decisions of active stories. */
void nd_cx_set_next_ids(nd_cx_model *m, uint32_t story, uint32_t event);
void nd_cx_set_clock(nd_cx_model *m, int64_t rowid, int32_t day);
nd_status nd_cx_restore(nd_cx_model *m, uint32_t story, uint32_t event, const nd_cx_vec *v,
                        int64_t rowid);
/* After the replay: the recorded splits (new event id -> the event it left, sorted by new id),
 * so that the two parts of a split are not merged again. */
void nd_cx_restore_splits(nd_cx_model *m, const uint32_t *new_id, const uint32_t *from_id,
                          size_t n);
/* True when a story last touched at (rowid, day) is still active at the model's clock. */
int nd_cx_is_active(const nd_cx_model *m, int64_t last_rowid, int32_t last_day);
/* Stream clock: highest rowid and publication day seen. */
void nd_cx_clock(const nd_cx_model *m, int64_t *rowid, int32_t *day);
size_t nd_cx_active_stories(const nd_cx_model *m);

#endif
