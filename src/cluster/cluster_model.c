/*
 * The in-memory clustering model: document frequencies, active stories and their events with
 * centroids, an inverted index from features to active stories, and the online decisions
 * (join, open, merge, retire). Pure memory; the stage persists what it decides.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/cluster.h"
#include "util/alloc.h"

/* The frozen configuration. Fitted on ECB+ topics 1-22 only (docs/cluster.md). */
const nd_cx_config nd_cx_default_config = {
    .keep = {16, 64, 32},
    .w_story = {0.2f, 0.7f, 0.1f},
    .w_event = {0.1f, 0.3f, 0.6f},
    .t_story = 0.1f,
    .t_event = 0.12f,
    .t_story_merge = 0.18f,
    .t_event_merge = 0.3f,
    .story_grace = 7.0f,
    .story_tau = 30.0f,
    .event_grace = 3.0f,
    .event_tau = 4.0f,
    .story_floor = 0.7f,
    .event_floor = 0.0f,
    .story_features = 512,
    .event_features = 256,
    .candidates = 4,
    .query_keys = 16,
    .posting_cap = 64,
    .retire_days = 30,
    .retire_articles = 20000,
};

/* ---- Maps ------------------------------------------------------------------------------- */

/* Open addressing from a non-zero uint32 key to a 4-byte value: a float (centroids) or a
 * uint32 (frequencies, id -> slot); one implementation serves both, fmap and umap only name
 * which member of the value a map uses. Kept at most half full; never shrinks. Keys and values
 * sit side by side, so a probe costs one cache miss, not two. */
typedef struct kent {
    uint32_t k;
    union {
        float f;
        uint32_t u;
    } v;
} kent;

typedef struct kmap {
    kent *e;
    uint32_t cap, n;
} kmap;

typedef kmap fmap;
typedef kmap umap;

static inline uint32_t hash32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

/* Maps much larger than the cache (frequencies, the index) cost a memory round trip per
 * probe. Lookups of one article's features are independent, so their first buckets are
 * fetched in one pass before the probes: the misses then overlap instead of queueing. */
static inline void kmap_prefetch(const kmap *m, uint32_t key)
{
    if (m->cap)
        __builtin_prefetch(&m->e[hash32(key) & (m->cap - 1)]);
}

static kent *kmap_find(const kmap *m, uint32_t key)
{
    if (!m->cap)
        return NULL;
    uint32_t h = hash32(key) & (m->cap - 1);
    while (m->e[h].k) {
        if (m->e[h].k == key)
            return &m->e[h];
        h = (h + 1) & (m->cap - 1);
    }
    return NULL;
}

/* Grows the table to at least `want` buckets (a power of two), and at least doubles it. */
static nd_status kmap_grow(kmap *m, uint32_t want)
{
    uint32_t cap = m->cap ? m->cap * 2 : 64;
    while (cap < want)
        cap *= 2;
    kent *e = nd_calloc(cap, sizeof *e);
    if (!e)
        return ND_ERR_NOMEM;
    for (uint32_t i = 0; i < m->cap; i++) {
        if (!m->e[i].k)
            continue;
        uint32_t h = hash32(m->e[i].k) & (cap - 1);
        while (e[h].k)
            h = (h + 1) & (cap - 1);
        e[h] = m->e[i];
    }
    nd_free(m->e);
    m->e = e;
    m->cap = cap;
    return ND_OK;
}

/* The entry of `key`, inserted with a zero value when absent (*isnew tells). NULL on
 * out-of-memory. */
static kent *kmap_slot(kmap *m, uint32_t key, int *isnew)
{
    if ((m->n + 1) * 2 > m->cap && kmap_grow(m, 0) != ND_OK)
        return NULL;
    uint32_t h = hash32(key) & (m->cap - 1);
    while (m->e[h].k) {
        if (m->e[h].k == key) {
            *isnew = 0;
            return &m->e[h];
        }
        h = (h + 1) & (m->cap - 1);
    }
    m->e[h].k = key;
    m->e[h].v.u = 0;
    m->n++;
    *isnew = 1;
    return &m->e[h];
}

static void kmap_free(kmap *m)
{
    nd_free(m->e);
    memset(m, 0, sizeof *m);
}

static inline void fmap_prefetch(const fmap *m, uint32_t key)
{
    kmap_prefetch(m, key);
}

static inline void umap_prefetch(const umap *m, uint32_t key)
{
    kmap_prefetch(m, key);
}

static float *fmap_find(const fmap *m, uint32_t key)
{
    kent *e = kmap_find(m, key);
    return e ? &e->v.f : NULL;
}

static uint32_t *umap_find(const umap *m, uint32_t key)
{
    kent *e = kmap_find(m, key);
    return e ? &e->v.u : NULL;
}

static nd_status fmap_grow(fmap *m, uint32_t want)
{
    return kmap_grow(m, want);
}

static nd_status umap_grow(umap *m, uint32_t want)
{
    return kmap_grow(m, want);
}

/* The value slot of `key`, inserted as 0 when absent. NULL on out-of-memory. */
static float *fmap_slot(fmap *m, uint32_t key)
{
    int isnew;
    kent *e = kmap_slot(m, key, &isnew);
    return e ? &e->v.f : NULL;
}

static uint32_t *umap_slot(umap *m, uint32_t key, int *isnew)
{
    kent *e = kmap_slot(m, key, isnew);
    return e ? &e->v.u : NULL;
}

static void fmap_free(fmap *m)
{
    kmap_free(m);
}

static void umap_free(umap *m)
{
    kmap_free(m);
}

/* Removes a key (backward-shift deletion keeps probe chains intact). */
static void umap_del(umap *m, uint32_t key)
{
    if (!m->cap)
        return;
    uint32_t mask = m->cap - 1, h = hash32(key) & mask;
    while (m->e[h].k && m->e[h].k != key)
        h = (h + 1) & mask;
    if (!m->e[h].k)
        return;
    m->n--;
    uint32_t i = h;
    for (;;) {
        m->e[i].k = 0;
        uint32_t j = i;
        for (;;) {
            j = (j + 1) & mask;
            if (!m->e[j].k)
                return;
            uint32_t home = hash32(m->e[j].k) & mask;
            /* Move k[j] into the hole at i unless its home lies cyclically in (i, j]. */
            if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
                break;
        }
        m->e[i] = m->e[j];
        i = j;
    }
}

/* ---- Clusters --------------------------------------------------------------------------- */

/* A sum of the normalised vectors of its articles, with the squared norm of each view kept
 * up to date so a cosine costs one pass over the article's features. */
typedef struct centroid {
    fmap m;
    double norm2[ND_CX_NVIEWS];
    uint32_t size;
    int32_t tmin, tmax;
    int64_t last_rowid;
} centroid;

/* A member remembered for the split check: its rowid and vector (features sorted by id). */
typedef struct member {
    int64_t rowid;
    nd_cx_vec v;
} member;

typedef struct event {
    uint32_t id;
    centroid c;
    /* Its articles while it has at most SPLIT_MAX, in added order (see event_split). An
     * event that outgrows them, or whose list was lost (a failed allocation), has
     * untracked set and is never checked again. */
    member *mem;
    uint32_t nmem;
    size_t memcap;
    int untracked;
    uint32_t split_from; /* the event it was split from: the two are never merged again */
} event;

typedef struct story {
    uint32_t id;
    centroid c;
    event *ev;
    uint32_t nev;
    size_t evcap;
    uint32_t slot; /* its index in the model's slot table */
    float acc;     /* candidate score of the current query (copied from its slot) */
    float sim;     /* similarity to the current article (candidates only) */
} story;

/* The slot table holds the active stories at stable indices (freed slots are reused). A
 * posting entry names a story by slot and id, so a candidate query reads one dense array
 * instead of probing a hash table and touching each story: the id check tells a live entry
 * from one whose story retired or merged away. */
typedef struct sslot {
    story *s;     /* NULL when free */
    uint32_t id;  /* the story's id */
    uint32_t qry; /* query stamp of acc */
    float acc;    /* candidate score of the current query */
} sslot;

typedef struct pent {
    uint32_t slot, id;
} pent;

/* Posting list of one feature: the active stories whose centroid holds it. Most features
 * belong to one story only (its own names and rare words), so a list of one entry is kept
 * in `one`, with cap 1 (heap lists start at 4): no allocation, and no allocator header,
 * for most of the index. ids then points into the posting itself, so it is re-pointed
 * whenever the postings move (posting_home). */
typedef struct posting {
    pent *ids;
    uint32_t n;
    size_t cap;
    uint8_t full; /* reached posting_cap: too common to find candidates with */
    pent one;
} posting;

static void posting_home(posting *p)
{
    if (p->cap == 1)
        p->ids = &p->one;
}

static void posting_release(posting *p)
{
    if (p->cap > 1)
        nd_free(p->ids);
    p->ids = NULL;
    p->cap = 0;
}

struct nd_cx_model {
    nd_cx_config cfg;
    umap df;            /* feature -> document frequency; bit 31 = changed since flush */
    uint32_t *dirty;    /* features changed since the last flush */
    uint32_t ndirty;
    size_t dirtycap;
    int64_t docs;
    uint32_t df_period; /* documents per frequency period (ND_CX_DF_PERIOD) */
    uint32_t *fresh;    /* features first counted in the current period */
    uint32_t nfresh;
    size_t freshcap;
    uint32_t *young;    /* hapaxes of the previous period, forgotten unless seen again */
    uint32_t nyoung;
    size_t youngcap;
    int period_closed;  /* a period ended since the last flush */

    sslot *act;   /* the slot table of active stories */
    uint32_t nslots; /* slots in use or freed (act[0..nslots)) */
    uint32_t nact;   /* active stories */
    size_t actcap;
    uint32_t *freeslot; /* freed slots, reused first */
    uint32_t nfree;
    size_t freecap;
    umap byid;   /* story id -> slot */

    umap pidx;   /* feature -> index in posts */
    posting *posts;
    uint32_t nposts;
    size_t postcap;
    uint32_t retired_since_compact;

    uint32_t next_story, next_event;
    int64_t clock_rowid;
    int32_t clock_day;
    uint32_t qry;
    uint32_t since_sweep;
    story **cand;
    uint32_t ncand;
    size_t candcap;
    uint32_t *hit; /* slots a query touched */
    uint32_t nhit;
    size_t hitcap;
    size_t bytes; /* centroid and list memory (maps are counted from their capacities) */
    int64_t moved[32]; /* rowids an event split moved (nd_cx_result.moved) */
    uint32_t nmoved;
};

static size_t fmap_bytes(const fmap *m)
{
    return (size_t)m->cap * sizeof *m->e;
}

nd_status nd_cx_model_new(nd_cx_model **out, const nd_cx_config *cfg)
{
    *out = NULL;
    nd_cx_model *m = nd_calloc(1, sizeof *m);
    if (!m)
        return ND_ERR_NOMEM;
    m->cfg = cfg ? *cfg : nd_cx_default_config;
    if (!m->cfg.candidates)
        m->cfg.candidates = 1;
    m->candcap = m->cfg.candidates;
    m->cand = nd_calloc(m->candcap, sizeof *m->cand);
    if (!m->cand) {
        nd_free(m);
        return ND_ERR_NOMEM;
    }
    m->next_story = 1;
    m->next_event = 1;
    m->clock_day = ND_CX_NODAY;
    m->df_period = ND_CX_DF_PERIOD;
    *out = m;
    return ND_OK;
}

static void centroid_free(centroid *c)
{
    fmap_free(&c->m);
}

static void members_free(event *e)
{
    for (uint32_t i = 0; i < e->nmem; i++)
        nd_cx_vec_free(&e->mem[i].v);
    nd_free(e->mem);
    e->mem = NULL;
    e->nmem = 0;
    e->memcap = 0;
}

static void story_free(story *s)
{
    if (!s)
        return;
    centroid_free(&s->c);
    for (uint32_t i = 0; i < s->nev; i++) {
        centroid_free(&s->ev[i].c);
        members_free(&s->ev[i]);
    }
    nd_free(s->ev);
    nd_free(s);
}

void nd_cx_model_free(nd_cx_model *m)
{
    if (!m)
        return;
    umap_free(&m->df);
    nd_free(m->dirty);
    nd_free(m->fresh);
    nd_free(m->young);
    for (uint32_t i = 0; i < m->nslots; i++)
        story_free(m->act[i].s);
    nd_free(m->act);
    nd_free(m->freeslot);
    umap_free(&m->byid);
    umap_free(&m->pidx);
    for (uint32_t i = 0; i < m->nposts; i++)
        posting_release(&m->posts[i]);
    nd_free(m->posts);
    nd_free(m->cand);
    nd_free(m->hit);
    nd_free(m);
}

size_t nd_cx_model_bytes(const nd_cx_model *m)
{
    if (!m)
        return 0;
    size_t b = sizeof *m + (size_t)m->df.cap * 8 + (size_t)m->dirtycap * 4 +
               (size_t)m->freshcap * 4 + (size_t)m->youngcap * 4 +
               (size_t)m->actcap * sizeof(sslot) + (size_t)m->freecap * 4 +
               (size_t)m->byid.cap * 8 +
               (size_t)m->pidx.cap * 8 + (size_t)m->postcap * sizeof(posting) +
               (size_t)m->candcap * sizeof(story *) + (size_t)m->hitcap * 4;
    for (uint32_t i = 0; i < m->nposts; i++)
        if (m->posts[i].cap > 1)
            b += (size_t)m->posts[i].cap * sizeof(pent);
    for (uint32_t i = 0; i < m->nslots; i++) {
        const story *s = m->act[i].s;
        if (!s)
            continue;
        b += sizeof *s + fmap_bytes(&s->c.m) + (size_t)s->evcap * sizeof(event);
        for (uint32_t e = 0; e < s->nev; e++) {
            b += fmap_bytes(&s->ev[e].c.m) + s->ev[e].memcap * sizeof(member);
            for (uint32_t k = 0; k < s->ev[e].nmem; k++)
                b += s->ev[e].mem[k].v.cap * sizeof(nd_cx_feat);
        }
    }
    return b;
}

size_t nd_cx_active_stories(const nd_cx_model *m)
{
    return m ? m->nact : 0;
}

/* ---- Document frequencies ---------------------------------------------------------------- */

#define DF_DIRTY 0x80000000u

/* Appends a feature to one of the model's id lists. */
static nd_status list_push(uint32_t **v, uint32_t *n, size_t *cap, uint32_t id)
{
    uint32_t *d = nd_grow(*v, cap, *n, sizeof *d, 1024);
    if (!d)
        return ND_ERR_NOMEM;
    *v = d;
    d[(*n)++] = id;
    return ND_OK;
}

static nd_status df_bump(nd_cx_model *m, uint32_t id, uint32_t set, int is_set, uint32_t *out)
{
    int isnew;
    uint32_t *v = umap_slot(&m->df, id, &isnew);
    if (!v)
        return ND_ERR_NOMEM;
    if (is_set) {
        *v = set & ~DF_DIRTY;
        return ND_OK;
    }
    if (isnew && list_push(&m->fresh, &m->nfresh, &m->freshcap, id) != ND_OK) {
        umap_del(&m->df, id);
        return ND_ERR_NOMEM;
    }
    uint32_t df = (*v & ~DF_DIRTY) + 1;
    /* Only features counted twice or more are ever written (nd_cx_df_flush), so a first
     * sighting is not listed: the list, its sort and its walk shrink by the hapaxes. */
    if (df >= 2 && !(*v & DF_DIRTY)) {
        if (list_push(&m->dirty, &m->ndirty, &m->dirtycap, id) != ND_OK)
            return ND_ERR_NOMEM;
        *v |= DF_DIRTY;
    }
    *v = (df & ~DF_DIRTY) | (*v & DF_DIRTY);
    if (out)
        *out = df & ~DF_DIRTY;
    return ND_OK;
}

/* Ends a frequency period: the hapaxes of the previous period that were not seen again are
 * forgotten, and this period's become the young ones. A word seen once, thousands of
 * articles ago, is no evidence of anything; keeping it would make the table (and its rows
 * in the store) grow with every name and typo the stream ever held, where four fifths of
 * the features are such hapaxes. */
static nd_status df_close_period(nd_cx_model *m)
{
    for (uint32_t i = 0; i < m->nyoung; i++) {
        uint32_t *v = umap_find(&m->df, m->young[i]);
        if (v && (*v & ~DF_DIRTY) == 1) /* may still be marked when nobody flushes */
            umap_del(&m->df, m->young[i]);
    }
    m->nyoung = 0;
    for (uint32_t i = 0; i < m->nfresh; i++) {
        uint32_t *v = umap_find(&m->df, m->fresh[i]);
        if (v && (*v & ~DF_DIRTY) == 1 &&
            list_push(&m->young, &m->nyoung, &m->youngcap, m->fresh[i]) != ND_OK)
            return ND_ERR_NOMEM;
    }
    m->nfresh = 0;
    m->period_closed = 1;
    return ND_OK;
}

nd_status nd_cx_df_count(nd_cx_model *m, nd_cx_raw *r)
{
    for (uint32_t i = 0; i < r->n; i++)
        umap_prefetch(&m->df, r->id[i]);
    for (uint32_t i = 0; i < r->n; i++) {
        nd_status st = df_bump(m, r->id[i], 0, 0, &r->df[i]);
        if (st != ND_OK)
            return st;
    }
    r->counted = 1;
    m->docs++;
    if (m->df_period && m->docs % m->df_period == 0)
        return df_close_period(m);
    return ND_OK;
}

nd_status nd_cx_df_set(nd_cx_model *m, uint32_t id, uint32_t df)
{
    return df_bump(m, id, df, 1, NULL);
}

nd_status nd_cx_df_young(nd_cx_model *m, const nd_cx_raw *r)
{
    for (uint32_t i = 0; i < r->n; i++) {
        int isnew;
        uint32_t *v = umap_slot(&m->df, r->id[i], &isnew);
        if (!v)
            return ND_ERR_NOMEM;
        if (!isnew)
            continue;
        *v = 1;
        if (list_push(&m->young, &m->nyoung, &m->youngcap, r->id[i]) != ND_OK) {
            umap_del(&m->df, r->id[i]);
            return ND_ERR_NOMEM;
        }
    }
    return ND_OK;
}

uint32_t nd_cx_df_get(const nd_cx_model *m, uint32_t id)
{
    const uint32_t *v = umap_find(&m->df, id);
    return v ? *v & ~DF_DIRTY : 0;
}

void nd_cx_df_set_period(nd_cx_model *m, uint32_t docs)
{
    m->df_period = docs;
}

int nd_cx_df_period_closed(const nd_cx_model *m)
{
    return m->period_closed;
}

void nd_cx_df_docs_set(nd_cx_model *m, int64_t docs)
{
    m->docs = docs;
}

int64_t nd_cx_df_docs(const nd_cx_model *m)
{
    return m->docs;
}

/* Sorts v[0..n) ascending without qsort's call through a comparison function per pair: a
 * typed quicksort (median of three, insertion sort below 16, recursion on the smaller side,
 * so the stack stays logarithmic). Plain keys, so the order is the one qsort gave. */
static void sort_u32(uint32_t *v, uint32_t n)
{
    while (n > 16) {
        uint32_t a = v[0], b = v[n / 2], c = v[n - 1];
        uint32_t pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
        uint32_t i = 0, j = n - 1;
        for (;;) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i >= j)
                break;
            uint32_t t = v[i];
            v[i++] = v[j];
            v[j--] = t;
        }
        /* v[0..j] <= pivot <= v[j+1..n) */
        uint32_t left = j + 1;
        if (left < n - left) {
            sort_u32(v, left);
            v += left;
            n -= left;
        } else {
            sort_u32(v + left, n - left);
            n = left;
        }
    }
    for (uint32_t i = 1; i < n; i++) {
        uint32_t x = v[i], k = i;
        for (; k > 0 && v[k - 1] > x; k--)
            v[k] = v[k - 1];
        v[k] = x;
    }
}

/* The changed features are walked in id order: the table they are written to is keyed by
 * id, so its B-tree is then filled page by page instead of at random (five times faster per
 * row once the table holds a million features; docs/cluster.md). Hapaxes are not written:
 * the stage recounts the young ones from their articles when it reloads, and the older ones
 * are forgotten (df_close_period), so the store holds exactly what memory holds. */
int nd_cx_df_flush(nd_cx_model *m, nd_cx_df_fn fn, void *ctx)
{
    if (m->ndirty)
        sort_u32(m->dirty, m->ndirty);
    for (uint32_t i = 0; i < m->ndirty; i++) {
        uint32_t *v = umap_find(&m->df, m->dirty[i]);
        if (!v)
            continue;
        *v &= ~DF_DIRTY;
        if (*v < 2)
            continue;
        int rc = fn(ctx, m->dirty[i], *v);
        if (rc) {
            /* Keep this one and the rest marked and listed so a retry writes them. */
            memmove(m->dirty, m->dirty + i, (m->ndirty - i) * sizeof *m->dirty);
            m->ndirty -= i;
            *v |= DF_DIRTY;
            return rc;
        }
    }
    m->ndirty = 0;
    m->period_closed = 0;
    return 0;
}

/* ---- Vectors ----------------------------------------------------------------------------- */

void nd_cx_vec_free(nd_cx_vec *v)
{
    nd_free(v->f);
    memset(v, 0, sizeof *v);
}

size_t nd_cx_vec_bytes(const nd_cx_vec *v)
{
    return (size_t)v->n * 5;
}

void nd_cx_vec_pack(const nd_cx_vec *v, unsigned char *out)
{
    for (uint32_t i = 0; i < v->n; i++) {
        uint32_t id = v->f[i].id;
        out[0] = (unsigned char)(id >> 24);
        out[1] = (unsigned char)(id >> 16);
        out[2] = (unsigned char)(id >> 8);
        out[3] = (unsigned char)id;
        out[4] = v->f[i].q;
        out += 5;
    }
}

static nd_status vec_reserve(nd_cx_vec *v, uint32_t n)
{
    if (n <= v->cap)
        return ND_OK;
    nd_cx_feat *f = nd_realloc(v->f, n * sizeof *f);
    if (!f)
        return ND_ERR_NOMEM;
    v->f = f;
    v->cap = n;
    return ND_OK;
}

nd_status nd_cx_vec_unpack(nd_cx_vec *v, const void *blob, size_t len)
{
    if (len % 5 || len / 5 > 4096)
        return ND_ERR_INPUT;
    uint32_t n = (uint32_t)(len / 5);
    nd_status st = vec_reserve(v, n);
    if (st != ND_OK)
        return st;
    const unsigned char *p = blob;
    for (uint32_t i = 0; i < n; i++, p += 5) {
        v->f[i].id = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        v->f[i].q = p[4];
    }
    v->n = n;
    return ND_OK;
}

typedef struct wf {
    uint32_t id;
    float w;
} wf;

/* Keeps the k heaviest of a view's features: a min-heap of size k over one pass. */
static void heap_push(wf *h, uint32_t *n, uint32_t k, wf x)
{
    if (*n < k) {
        uint32_t i = (*n)++;
        while (i > 0 && h[(i - 1) / 2].w > x.w) {
            h[i] = h[(i - 1) / 2];
            i = (i - 1) / 2;
        }
        h[i] = x;
        return;
    }
    if (x.w <= h[0].w)
        return;
    uint32_t i = 0;
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, s = i;
        float sw = x.w;
        if (l < *n && h[l].w < sw)
            s = l, sw = h[l].w;
        if (r < *n && h[r].w < sw)
            s = r;
        if (s == i)
            break;
        h[i] = h[s];
        i = s;
    }
    h[i] = x;
}

nd_status nd_cx_weigh(nd_cx_model *m, const nd_cx_raw *r, nd_cx_vec *out)
{
    wf heap[ND_CX_NVIEWS][256];
    uint32_t nh[ND_CX_NVIEWS] = {0};
    double n = (double)(m->docs > 0 ? m->docs : 1);
    /* Most features have a small frequency and a small count in the article, and two
     * logarithms per feature were a third of the weighing: the values for small ones are
     * computed once per article, by the same expressions, so the weights are the same. */
    enum { NSMALL = 64 };
    double idf_small[NSMALL], ltf_small[NSMALL];
    uint64_t have_idf = 0, have_ltf = 0;
    for (uint32_t i = 0; i < r->n; i++) {
        unsigned view = ND_CX_VIEW(r->id[i]);
        if (view >= ND_CX_NVIEWS)
            continue;
        double df;
        if (r->counted) {
            df = (double)r->df[i];
        } else {
            uint32_t *d = umap_find(&m->df, r->id[i]);
            df = d ? (double)(*d & ~DF_DIRTY) : 1.0;
        }
        if (df < 1)
            df = 1;
        /* Sub-linear term frequency times a smoothed inverse document frequency. */
        double idf, ltf;
        if (df < NSMALL) {
            uint32_t k = (uint32_t)df;
            if (!(have_idf >> k & 1)) {
                idf_small[k] = log(1.0 + n / df);
                have_idf |= (uint64_t)1 << k;
            }
            idf = idf_small[k];
        } else {
            idf = log(1.0 + n / df);
        }
        if (r->tf[i] < NSMALL) {
            uint32_t k = r->tf[i];
            if (!(have_ltf >> k & 1)) {
                ltf_small[k] = log((double)k);
                have_ltf |= (uint64_t)1 << k;
            }
            ltf = ltf_small[k];
        } else {
            ltf = log((double)r->tf[i]);
        }
        double w = (1.0 + ltf) * idf;
        uint32_t k = m->cfg.keep[view] < 256 ? m->cfg.keep[view] : 256;
        heap_push(heap[view], &nh[view], k, (wf){r->id[i], (float)w});
    }
    nd_status st = vec_reserve(out, nh[0] + nh[1] + nh[2]);
    if (st != ND_OK)
        return st;
    out->n = 0;
    for (int v = 0; v < ND_CX_NVIEWS; v++) {
        float mx = 0;
        for (uint32_t i = 0; i < nh[v]; i++)
            mx = heap[v][i].w > mx ? heap[v][i].w : mx;
        if (mx <= 0)
            continue;
        for (uint32_t i = 0; i < nh[v]; i++) {
            long q = lroundf(255.0f * heap[v][i].w / mx);
            out->f[out->n].id = heap[v][i].id;
            out->f[out->n].q = (uint8_t)(q < 1 ? 1 : q > 255 ? 255 : q);
            out->n++;
        }
    }
    out->day = r->day != ND_CX_NODAY ? r->day : r->said_day;
    return ND_OK;
}

/* Inverse norms of each view of a vector (0 for an empty view). */
static void vec_inorms(const nd_cx_vec *v, float inv[ND_CX_NVIEWS])
{
    double s[ND_CX_NVIEWS] = {0};
    for (uint32_t i = 0; i < v->n; i++) {
        unsigned view = ND_CX_VIEW(v->f[i].id);
        if (view < ND_CX_NVIEWS)
            s[view] += (double)v->f[i].q * v->f[i].q;
    }
    for (int k = 0; k < ND_CX_NVIEWS; k++)
        inv[k] = s[k] > 0 ? (float)(1.0 / sqrt(s[k])) : 0.0f;
}

/* ---- Centroids and similarity ------------------------------------------------------------ */

static void span_add(int32_t *tmin, int32_t *tmax, int32_t day)
{
    if (day == ND_CX_NODAY)
        return;
    if (*tmin == ND_CX_NODAY || day < *tmin)
        *tmin = day;
    if (*tmax == ND_CX_NODAY || day > *tmax)
        *tmax = day;
}

static void centroid_init(centroid *c)
{
    memset(c, 0, sizeof *c);
    c->tmin = c->tmax = ND_CX_NODAY;
}

/* Adds feature `id` with weight `w`; *was_new tells whether the centroid lacked it. */
static nd_status centroid_put(centroid *c, uint32_t id, float w, int *was_new)
{
    float *slot = fmap_slot(&c->m, id);
    if (!slot)
        return ND_ERR_NOMEM;
    float old = *slot, nw = old + w;
    *was_new = old == 0.0f;
    *slot = nw;
    unsigned view = ND_CX_VIEW(id);
    c->norm2[view] += (double)nw * nw - (double)old * old;
    return ND_OK;
}

/* Similarity of a vector to a centroid: the weighted mean of the cosines of the views both
 * have, times the closeness in time. */
static float similarity(const nd_cx_vec *v, const float inv[ND_CX_NVIEWS], const centroid *c,
                        const float w[ND_CX_NVIEWS], float grace, float tau, float floor)
{
    double dot[ND_CX_NVIEWS] = {0};
    for (uint32_t i = 0; i < v->n; i++)
        fmap_prefetch(&c->m, v->f[i].id);
    for (uint32_t i = 0; i < v->n; i++) {
        const float *x = fmap_find(&c->m, v->f[i].id);
        if (x)
            dot[ND_CX_VIEW(v->f[i].id)] += (double)v->f[i].q * *x;
    }
    double num = 0, den = 0;
    for (int k = 0; k < ND_CX_NVIEWS; k++) {
        if (inv[k] == 0 || c->norm2[k] <= 0)
            continue;
        num += w[k] * dot[k] * inv[k] / sqrt(c->norm2[k]);
        den += w[k];
    }
    if (den <= 0)
        return 0;
    float s = (float)(num / den);
    if (v->day != ND_CX_NODAY && c->tmin != ND_CX_NODAY) {
        int32_t gap = v->day < c->tmin ? c->tmin - v->day : v->day > c->tmax ? v->day - c->tmax : 0;
        if ((float)gap > grace)
            s *= floor + (1.0f - floor) * expf(-((float)gap - grace) / tau);
    }
    return s;
}

/* Similarity of two centroids, same weighting (time by the distance of their spans). */
static float centroid_similarity(const centroid *a, const centroid *b, const float w[ND_CX_NVIEWS],
                                 float grace, float tau, float floor)
{
    if (a->m.n > b->m.n) {
        const centroid *t = a;
        a = b;
        b = t;
    }
    double dot[ND_CX_NVIEWS] = {0};
    for (uint32_t i = 0; i < a->m.cap; i++) {
        if (!a->m.e[i].k)
            continue;
        const float *x = fmap_find(&b->m, a->m.e[i].k);
        if (x)
            dot[ND_CX_VIEW(a->m.e[i].k)] += (double)a->m.e[i].v.f * *x;
    }
    double num = 0, den = 0;
    for (int k = 0; k < ND_CX_NVIEWS; k++) {
        if (a->norm2[k] <= 0 || b->norm2[k] <= 0)
            continue;
        num += w[k] * dot[k] / sqrt(a->norm2[k] * b->norm2[k]);
        den += w[k];
    }
    if (den <= 0)
        return 0;
    float s = (float)(num / den);
    if (a->tmin != ND_CX_NODAY && b->tmin != ND_CX_NODAY) {
        int32_t gap = a->tmax < b->tmin ? b->tmin - a->tmax : b->tmax < a->tmin ? a->tmin - b->tmax : 0;
        if ((float)gap > grace)
            s *= floor + (1.0f - floor) * expf(-((float)gap - grace) / tau);
    }
    return s;
}

/* ---- Index ------------------------------------------------------------------------------- */

static nd_status index_add(nd_cx_model *m, uint32_t feature, const story *owner)
{
    int isnew;
    uint32_t *pi = umap_slot(&m->pidx, feature, &isnew);
    if (!pi)
        return ND_ERR_NOMEM;
    if (isnew) {
        posting *old = m->posts;
        posting *p = nd_grow(m->posts, &m->postcap, m->nposts, sizeof *p, 1024);
        if (!p) {
            umap_del(&m->pidx, feature);
            return ND_ERR_NOMEM;
        }
        m->posts = p;
        if (p != old)
            for (uint32_t i = 0; i < m->nposts; i++)
                posting_home(&p[i]);
        memset(&m->posts[m->nposts], 0, sizeof *m->posts);
        *pi = m->nposts++;
    }
    posting *p = &m->posts[*pi];
    if (p->full)
        return ND_OK;
    if (p->n >= m->cfg.posting_cap) {
        p->full = 1;
        posting_release(p);
        p->n = 0;
        return ND_OK;
    }
    pent e = {owner->slot, owner->id};
    if (p->cap == 0) {
        p->cap = 1;
        posting_home(p);
    } else if (p->n == p->cap) {
        /* From the inline entry to the heap, or a heap list doubling. */
        size_t cap = p->cap * 2 < 4 ? 4 : p->cap * 2;
        pent *ids = p->cap == 1 ? nd_malloc(cap * sizeof *ids)
                                : nd_realloc(p->ids, cap * sizeof *ids);
        if (!ids)
            return ND_ERR_NOMEM;
        if (p->cap == 1)
            ids[0] = p->one;
        p->ids = ids;
        p->cap = cap;
    }
    p->ids[p->n++] = e;
    return ND_OK;
}

/* The k-th largest (k counted from 0) of v[0..n), by selection: v is reordered. Linear on
 * average, where sorting a centroid to prune it cost a good part of the assignment time. */
static float kth_largest(float *v, uint32_t n, uint32_t k)
{
    uint32_t lo = 0, hi = n - 1;
    while (lo < hi) {
        float pivot = v[lo + (hi - lo) / 2];
        uint32_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] > pivot)
                i++;
            while (v[j] < pivot)
                j--;
            if (i <= j) {
                float t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            break;
    }
    return v[k];
}

/* Keeps a centroid to its `cap` heaviest features once it holds twice as many: the words a
 * cluster keeps using are its profile, the long tail of words used once adds memory and
 * cache misses but hardly any similarity. Amortised O(1) per feature added. The norms are
 * recomputed from what is kept. */
static nd_status centroid_prune(centroid *c, uint32_t cap)
{
    if (!cap || c->m.n < 2 * cap)
        return ND_OK;
    float *vals = nd_malloc((size_t)c->m.n * sizeof *vals);
    if (!vals)
        return ND_ERR_NOMEM;
    uint32_t n = 0;
    for (uint32_t i = 0; i < c->m.cap; i++)
        if (c->m.e[i].k)
            vals[n++] = c->m.e[i].v.f;
    float cut = kth_largest(vals, n, cap - 1);
    nd_free(vals);
    fmap kept = {0};
    if (fmap_grow(&kept, 2 * cap + 2) != ND_OK)
        return ND_ERR_NOMEM;
    double norm2[ND_CX_NVIEWS] = {0};
    uint32_t nk = 0;
    for (uint32_t i = 0; i < c->m.cap; i++) {
        if (!c->m.e[i].k || c->m.e[i].v.f < cut || nk >= cap)
            continue;
        float *slot = fmap_slot(&kept, c->m.e[i].k);
        if (!slot) {
            fmap_free(&kept);
            return ND_ERR_NOMEM;
        }
        *slot = c->m.e[i].v.f;
        norm2[ND_CX_VIEW(c->m.e[i].k)] += (double)c->m.e[i].v.f * c->m.e[i].v.f;
        nk++;
    }
    fmap_free(&c->m);
    c->m = kept;
    memcpy(c->norm2, norm2, sizeof norm2);
    return ND_OK;
}

/* Adds a normalised vector to a centroid (and, for a story, its new features to the index). */
static nd_status centroid_add_vec(nd_cx_model *m, centroid *c, const nd_cx_vec *v,
                                  const float inv[ND_CX_NVIEWS], int64_t rowid,
                                  const story *owner)
{
    /* The map is sized for the whole vector at once, not by doubling as it fills. */
    if (c->m.cap < 2 * (c->m.n + v->n + 1)) {
        nd_status st = fmap_grow(&c->m, 2 * (c->m.n + v->n + 1));
        if (st != ND_OK)
            return st;
    }
    for (uint32_t i = 0; i < v->n; i++) {
        int was_new;
        float w = (float)v->f[i].q * inv[ND_CX_VIEW(v->f[i].id)];
        nd_status st = centroid_put(c, v->f[i].id, w, &was_new);
        if (st == ND_OK && was_new && owner)
            st = index_add(m, v->f[i].id, owner);
        if (st != ND_OK)
            return st;
    }
    c->size++;
    span_add(&c->tmin, &c->tmax, v->day);
    if (rowid > c->last_rowid)
        c->last_rowid = rowid;
    return centroid_prune(c, owner ? m->cfg.story_features : m->cfg.event_features);
}

/* Adds centroid b into a (merges). */
static nd_status centroid_add_centroid(nd_cx_model *m, centroid *a, const centroid *b,
                                       const story *owner)
{
    for (uint32_t i = 0; i < b->m.cap; i++) {
        if (!b->m.e[i].k)
            continue;
        int was_new;
        nd_status st = centroid_put(a, b->m.e[i].k, b->m.e[i].v.f, &was_new);
        if (st == ND_OK && was_new && owner)
            st = index_add(m, b->m.e[i].k, owner);
        if (st != ND_OK)
            return st;
    }
    a->size += b->size;
    span_add(&a->tmin, &a->tmax, b->tmin);
    span_add(&a->tmin, &a->tmax, b->tmax);
    if (b->last_rowid > a->last_rowid)
        a->last_rowid = b->last_rowid;
    return ND_OK;
}

/* ---- Stories ----------------------------------------------------------------------------- */

static story *story_get(const nd_cx_model *m, uint32_t id)
{
    uint32_t *i = umap_find(&m->byid, id);
    return i ? m->act[*i].s : NULL;
}

static story *story_new(nd_cx_model *m, uint32_t id)
{
    story *s = nd_calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->id = id;
    centroid_init(&s->c);
    uint32_t k;
    if (m->nfree) {
        k = m->freeslot[m->nfree - 1];
    } else {
        sslot *a = nd_grow(m->act, &m->actcap, m->nslots, sizeof *a, 64);
        if (!a) {
            nd_free(s);
            return NULL;
        }
        m->act = a;
        k = m->nslots;
    }
    int isnew;
    uint32_t *pk = umap_slot(&m->byid, id, &isnew);
    if (!pk) {
        nd_free(s);
        return NULL;
    }
    *pk = k;
    if (m->nfree)
        m->nfree--;
    else
        m->nslots++;
    s->slot = k;
    m->act[k] = (sslot){s, id, 0, 0};
    m->nact++;
    return s;
}

/* Removes a story from the active set (its posting entries are dropped lazily). */
static void story_drop(nd_cx_model *m, story *s)
{
    uint32_t *pi = umap_find(&m->byid, s->id);
    if (pi) {
        uint32_t k = *pi;
        umap_del(&m->byid, s->id);
        m->act[k] = (sslot){NULL, 0, 0, 0};
        m->nact--;
        /* Should the list fail to grow, the slot is merely never reused. */
        uint32_t *f = nd_grow(m->freeslot, &m->freecap, m->nfree, sizeof *f, 64);
        if (f) {
            m->freeslot = f;
            m->freeslot[m->nfree++] = k;
        }
    }
    story_free(s);
    m->retired_since_compact++;
}

static event *event_new(story *s, uint32_t id)
{
    event *e = nd_grow(s->ev, &s->evcap, s->nev, sizeof *e, 2);
    if (!e)
        return NULL;
    s->ev = e;
    e = &s->ev[s->nev++];
    memset(e, 0, sizeof *e);
    e->id = id;
    centroid_init(&e->c);
    return e;
}

static event *event_get(story *s, uint32_t id)
{
    for (uint32_t i = 0; i < s->nev; i++)
        if (s->ev[i].id == id)
            return &s->ev[i];
    return NULL;
}

/* ---- Event splits -------------------------------------------------------------------------
 * An online decision can put the first report of a second, look-alike event into the first
 * event (nothing tells them apart until the second event has reports of its own), and every
 * later report of either then follows. So when an event reaches 4, 8, 16 or 32 articles its
 * members are cut in two and the two parts compared: when the articles of each part are, on
 * average, more than twice as alike to each other as to the articles of the other part, they
 * are two events, and the part without the event's first article leaves with a new id.
 * docs/cluster.md ("Splits") explains the constants. */

#define SPLIT_MAX 32       /* members remembered; larger events are settled */
#define SPLIT_MIN_PART 2   /* a single odd article is not an event of its own */
#define SPLIT_RATIO 0.5f   /* between-part over within-part mean similarity */

/* Sorts features by id, the same way as sort_u32 (a vector's ids are distinct, so the order
 * is the one qsort gave): once per member, it was a tenth of the assignment's time. */
static void sort_feats(nd_cx_feat *v, uint32_t n)
{
    while (n > 16) {
        uint32_t a = v[0].id, b = v[n / 2].id, c = v[n - 1].id;
        uint32_t pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
        uint32_t i = 0, j = n - 1;
        for (;;) {
            while (v[i].id < pivot)
                i++;
            while (v[j].id > pivot)
                j--;
            if (i >= j)
                break;
            nd_cx_feat t = v[i];
            v[i++] = v[j];
            v[j--] = t;
        }
        uint32_t left = j + 1;
        if (left < n - left) {
            sort_feats(v, left);
            v += left;
            n -= left;
        } else {
            sort_feats(v + left, n - left);
            n = left;
        }
    }
    for (uint32_t i = 1; i < n; i++) {
        nd_cx_feat x = v[i];
        uint32_t k = i;
        for (; k > 0 && v[k - 1].id > x.id; k--)
            v[k] = v[k - 1];
        v[k] = x;
    }
}

/* Remembers a new member of e (its vector, features sorted by id for the pair scores). */
static void members_add(event *e, const nd_cx_vec *v, int64_t rowid)
{
    if (e->untracked)
        return;
    if (e->nmem >= SPLIT_MAX || e->nmem != e->c.size - 1) {
        members_free(e);
        e->untracked = 1;
        return;
    }
    member *mm = nd_grow(e->mem, &e->memcap, e->nmem, sizeof *mm, 4);
    nd_cx_feat *f = v->n ? nd_malloc(v->n * sizeof *f) : NULL;
    if (!mm || (v->n && !f)) {
        if (mm)
            e->mem = mm;
        nd_free(f);
        members_free(e);
        e->untracked = 1;
        return;
    }
    e->mem = mm;
    if (v->n) {
        memcpy(f, v->f, v->n * sizeof *f);
        sort_feats(f, v->n);
    }
    e->mem[e->nmem++] = (member){rowid, {f, v->n, v->n, v->day}};
}

/* Appends from's members to into's, in added order (a merge), while they fit. */
static void members_merge(event *into, event *from)
{
    uint32_t n = into->nmem + from->nmem;
    member *out = NULL;
    if (!into->untracked && !from->untracked && n <= SPLIT_MAX && into->nmem == into->c.size - from->c.size &&
        from->nmem == from->c.size)
        out = nd_malloc(n * sizeof *out);
    if (!out) {
        members_free(into);
        into->untracked = 1;
        return;
    }
    uint32_t a = 0, j = 0, k = 0;
    while (a < into->nmem || j < from->nmem)
        out[k++] = (j >= from->nmem || (a < into->nmem && into->mem[a].rowid < from->mem[j].rowid))
                       ? into->mem[a++]
                       : from->mem[j++];
    nd_free(into->mem);
    into->mem = out;
    into->memcap = n;
    into->nmem = n;
    nd_free(from->mem);
    from->mem = NULL;
    from->nmem = 0;
}

/* Similarity of two members, weighted as the event level weighs an article against an
 * event: per-view cosines, their weighted mean over the views both have, times time. */
static float member_similarity(const member *x, const float ix[ND_CX_NVIEWS], const member *y,
                               const float iy[ND_CX_NVIEWS], const nd_cx_config *cfg)
{
    double dot[ND_CX_NVIEWS] = {0};
    uint32_t i = 0, j = 0;
    while (i < x->v.n && j < y->v.n) {
        uint32_t a = x->v.f[i].id, b = y->v.f[j].id;
        if (a < b) {
            i++;
        } else if (b < a) {
            j++;
        } else {
            dot[ND_CX_VIEW(a)] += (double)x->v.f[i].q * y->v.f[j].q;
            i++, j++;
        }
    }
    double num = 0, den = 0;
    for (int k = 0; k < ND_CX_NVIEWS; k++) {
        if (ix[k] == 0 || iy[k] == 0)
            continue;
        num += cfg->w_event[k] * dot[k] * ix[k] * iy[k];
        den += cfg->w_event[k];
    }
    if (den <= 0)
        return 0;
    float s = (float)(num / den);
    if (x->v.day != ND_CX_NODAY && y->v.day != ND_CX_NODAY) {
        int32_t gap = x->v.day > y->v.day ? x->v.day - y->v.day : y->v.day - x->v.day;
        if ((float)gap > cfg->event_grace)
            s *= cfg->event_floor +
                 (1.0f - cfg->event_floor) * expf(-((float)gap - cfg->event_grace) / cfg->event_tau);
    }
    return s;
}

/* Mean similarity of member i to the members of part p (itself included, as one). */
static float part_mean(const float *sim, const uint8_t *part, uint32_t n, uint32_t i, uint8_t p)
{
    float sum = 0;
    uint32_t c = 0;
    for (uint32_t j = 0; j < n; j++)
        if (part[j] == p)
            sum += sim[i * n + j], c++;
    return c ? sum / (float)c : 0;
}

/* Cuts the members in two (part[i] = 0 or 1) and returns the between-part over within-part
 * mean similarity, or 1 when a part is too small. The cut starts from the least alike pair
 * and moves each member to the part it is closer to on average, until nothing moves. */
static float bisect(const float *sim, uint32_t n, uint8_t *part)
{
    uint32_t a = 0, b = 1;
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = i + 1; j < n; j++)
            if (sim[i * n + j] < sim[a * n + b])
                a = i, b = j;
    for (uint32_t i = 0; i < n; i++)
        part[i] = sim[i * n + a] >= sim[i * n + b] ? 0 : 1;
    for (int it = 0; it < 16; it++) {
        int moved = 0;
        uint32_t cnt[2] = {0, 0};
        for (uint32_t i = 0; i < n; i++)
            cnt[part[i]]++;
        if (!cnt[0] || !cnt[1])
            break;
        uint8_t next[SPLIT_MAX];
        for (uint32_t i = 0; i < n; i++) {
            float m0 = part_mean(sim, part, n, i, 0), m1 = part_mean(sim, part, n, i, 1);
            next[i] = m0 >= m1 ? 0 : 1;
            moved |= next[i] != part[i];
        }
        memcpy(part, next, n);
        if (!moved)
            break;
    }
    double within[2] = {0, 0}, between = 0;
    uint32_t cnt[2] = {0, 0};
    for (uint32_t i = 0; i < n; i++)
        cnt[part[i]]++;
    if (cnt[0] < SPLIT_MIN_PART || cnt[1] < SPLIT_MIN_PART)
        return 1;
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = i + 1; j < n; j++) {
            if (part[i] != part[j])
                between += sim[i * n + j];
            else
                within[part[i]] += sim[i * n + j];
        }
    double w = 0;
    for (int p = 0; p < 2; p++)
        w += 0.5 * within[p] / ((double)cnt[p] * (cnt[p] - 1) / 2);
    between /= (double)cnt[0] * cnt[1];
    return w > 0 ? (float)(between / w) : 1;
}

/* Between-part over within-part mean similarity of two events taken as the two parts of
 * their union (the split rule's measure), or -1 when it cannot be computed. */
static float union_ratio(const nd_cx_model *m, const event *a, const event *b)
{
    if (a->untracked || b->untracked || a->nmem != a->c.size || b->nmem != b->c.size ||
        a->nmem + b->nmem > SPLIT_MAX || (a->nmem < 2 && b->nmem < 2))
        return -1;
    float ia[SPLIT_MAX][ND_CX_NVIEWS], ib[SPLIT_MAX][ND_CX_NVIEWS];
    for (uint32_t i = 0; i < a->nmem; i++)
        vec_inorms(&a->mem[i].v, ia[i]);
    for (uint32_t i = 0; i < b->nmem; i++)
        vec_inorms(&b->mem[i].v, ib[i]);
    double wa = 0, wb = 0, bt = 0;
    for (uint32_t i = 0; i < a->nmem; i++)
        for (uint32_t j = i + 1; j < a->nmem; j++)
            wa += member_similarity(&a->mem[i], ia[i], &a->mem[j], ia[j], &m->cfg);
    for (uint32_t i = 0; i < b->nmem; i++)
        for (uint32_t j = i + 1; j < b->nmem; j++)
            wb += member_similarity(&b->mem[i], ib[i], &b->mem[j], ib[j], &m->cfg);
    for (uint32_t i = 0; i < a->nmem; i++)
        for (uint32_t j = 0; j < b->nmem; j++)
            bt += member_similarity(&a->mem[i], ia[i], &b->mem[j], ib[j], &m->cfg);
    double w = 0;
    int parts = 0;
    if (a->nmem >= 2)
        w += wa / ((double)a->nmem * (a->nmem - 1) / 2), parts++;
    if (b->nmem >= 2)
        w += wb / ((double)b->nmem * (b->nmem - 1) / 2), parts++;
    w /= parts;
    bt /= (double)a->nmem * b->nmem;
    return w > 0 ? (float)(bt / w) : -1;
}

/* Rebuilds an event's centroid from its remembered members, in added order (the same
 * sequence a reopened store replays, so both give the same centroid). */
static nd_status centroid_from_members(nd_cx_model *m, event *e)
{
    centroid_free(&e->c);
    centroid_init(&e->c);
    for (uint32_t i = 0; i < e->nmem; i++) {
        float inv[ND_CX_NVIEWS];
        vec_inorms(&e->mem[i].v, inv);
        nd_status st = centroid_add_vec(m, &e->c, &e->mem[i].v, inv, e->mem[i].rowid, NULL);
        if (st != ND_OK)
            return st;
    }
    return ND_OK;
}

/* The split check of s->ev[ei] (see the top of this section). On a split, res names the new
 * event and the rowids that moved (m->moved, valid until the next call). */
static nd_status event_split(nd_cx_model *m, story *s, uint32_t ei, int64_t rowid,
                             nd_cx_result *res)
{
    event *e = &s->ev[ei];
    uint32_t n = e->nmem;
    if (e->untracked || n != e->c.size || (n != 4 && n != 8 && n != 16 && n != 32))
        return ND_OK;
    float sim[SPLIT_MAX * SPLIT_MAX];
    float inv[SPLIT_MAX][ND_CX_NVIEWS];
    for (uint32_t i = 0; i < n; i++)
        vec_inorms(&e->mem[i].v, inv[i]);
    for (uint32_t i = 0; i < n; i++) {
        sim[i * n + i] = 1;
        for (uint32_t j = i + 1; j < n; j++)
            sim[i * n + j] = sim[j * n + i] =
                member_similarity(&e->mem[i], inv[i], &e->mem[j], inv[j], &m->cfg);
    }
    uint8_t part[SPLIT_MAX];
    if (bisect(sim, n, part) >= SPLIT_RATIO)
        return ND_OK;

    /* The part holding the event's first article keeps the id. */
    uint8_t leave = (uint8_t)!part[0];
    uint32_t new_id = m->next_event;
    if (!event_new(s, new_id))
        return ND_ERR_NOMEM;
    m->next_event++;
    e = &s->ev[ei];
    event *ne = &s->ev[s->nev - 1];
    ne->split_from = e->id;
    member *mm = nd_malloc(n * sizeof *mm);
    if (!mm)
        return ND_ERR_NOMEM;
    ne->mem = mm;
    ne->memcap = n;
    uint32_t keep = 0;
    m->nmoved = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (part[i] == leave) {
            ne->mem[ne->nmem++] = e->mem[i];
            m->moved[m->nmoved++] = e->mem[i].rowid;
            if (e->mem[i].rowid == rowid)
                res->event = new_id;
        } else {
            e->mem[keep++] = e->mem[i];
        }
    }
    e->nmem = keep;
    res->event_split_from = e->id;
    res->event_split_new = new_id;
    res->moved = m->moved;
    res->nmoved = m->nmoved;
    nd_status st = centroid_from_members(m, e);
    if (st == ND_OK)
        st = centroid_from_members(m, ne);
    return st;
}

int nd_cx_is_active(const nd_cx_model *m, int64_t last_rowid, int32_t last_day)
{
    if (m->clock_rowid - last_rowid < m->cfg.retire_articles)
        return 1;
    return last_day != ND_CX_NODAY && m->clock_day != ND_CX_NODAY &&
           m->clock_day - last_day < m->cfg.retire_days;
}

/* Drops posting entries of stories no longer active, and empty lists. Run when many stories
 * retired since the last pass, so its cost is spread over their articles. */
static nd_status index_compact(nd_cx_model *m)
{
    umap nidx = {0};
    uint32_t np = 0;
    /* Sized once for every list that may survive: growing it by doubling from empty cost
     * more than the filtering itself. */
    if (umap_grow(&nidx, 2 * (m->pidx.n + 1)) != ND_OK)
        return ND_ERR_NOMEM;
    for (uint32_t i = 0; i < m->pidx.cap; i++) {
        if (!m->pidx.e[i].k)
            continue;
        posting *p = &m->posts[m->pidx.e[i].v.u];
        uint32_t w = 0;
        for (uint32_t j = 0; j < p->n; j++)
            if (m->act[p->ids[j].slot].id == p->ids[j].id)
                p->ids[w++] = p->ids[j];
        p->n = w;
        if (!p->n && !p->full) {
            posting_release(p);
            continue;
        }
        int isnew;
        uint32_t *slot = umap_slot(&nidx, m->pidx.e[i].k, &isnew);
        if (!slot) {
            umap_free(&nidx);
            return ND_ERR_NOMEM;
        }
        *slot = m->pidx.e[i].v.u;
        np++;
    }
    /* Renumber the surviving postings densely. */
    posting *posts = nd_malloc((np ? np : 1) * sizeof *posts);
    if (!posts) {
        umap_free(&nidx);
        return ND_ERR_NOMEM;
    }
    uint32_t k = 0;
    for (uint32_t i = 0; i < nidx.cap; i++) {
        if (!nidx.e[i].k)
            continue;
        posts[k] = m->posts[nidx.e[i].v.u];
        posting_home(&posts[k]);
        nidx.e[i].v.u = k++;
    }
    nd_free(m->posts);
    m->posts = posts;
    m->postcap = np ? np : 1;
    m->nposts = np;
    umap_free(&m->pidx);
    m->pidx = nidx;
    m->retired_since_compact = 0;
    return ND_OK;
}

/* Retires the stories idle past the window; compacts the index once enough have gone. */
static nd_status sweep(nd_cx_model *m)
{
    for (uint32_t i = 0; i < m->nslots; i++) {
        story *s = m->act[i].s;
        if (s && !nd_cx_is_active(m, s->c.last_rowid, s->c.tmax))
            story_drop(m, s);
    }
    if (m->retired_since_compact > 64 && m->retired_since_compact * 4 > m->nact)
        return index_compact(m);
    return ND_OK;
}

static void tick(nd_cx_model *m, int64_t rowid, int32_t day)
{
    if (rowid > m->clock_rowid)
        m->clock_rowid = rowid;
    if (day != ND_CX_NODAY && (m->clock_day == ND_CX_NODAY || day > m->clock_day))
        m->clock_day = day;
}

void nd_cx_set_next_ids(nd_cx_model *m, uint32_t story_id, uint32_t event_id)
{
    m->next_story = story_id;
    m->next_event = event_id;
}

void nd_cx_set_clock(nd_cx_model *m, int64_t rowid, int32_t day)
{
    tick(m, rowid, day);
}

void nd_cx_clock(const nd_cx_model *m, int64_t *rowid, int32_t *day)
{
    *rowid = m->clock_rowid;
    *day = m->clock_day;
}

/* Candidates whose centroid is compared with the joined story's, for merges. */
#define MERGE_CHECKS 4
/* ... and only those the article itself is at least this close to (relative to t_story):
 * comparing whole centroids costs a pass over one of them. */
#define MERGE_NEAR 0.5f

/* ---- Assignment -------------------------------------------------------------------------- */

/* Candidate order: higher score, then older story. */
static int better(const sslot *a, const sslot *b)
{
    return a->acc > b->acc || (a->acc == b->acc && a->id < b->id);
}

/* Collects the active stories sharing indexed features with the vector, scored by the summed
 * weights of the shared features, the best `candidates` first. */
static nd_status candidates(nd_cx_model *m, const nd_cx_vec *v, const float inv[ND_CX_NVIEWS])
{
    m->ncand = 0;
    m->qry++;
    /* Keys are the article's heaviest features among those some active story holds, weighed
     * as the story level weighs them. A feature no story holds cannot find anyone: in a
     * small store the heaviest features are exactly those (seen once, highest idf), and
     * choosing them would leave an article without candidates. The cost of a query stays
     * flat however long the article. */
    wf keys[256];
    uint32_t nkeys = 0, kmax = m->cfg.query_keys < 256 ? m->cfg.query_keys : 256;
    for (uint32_t i = 0; i < v->n; i++)
        umap_prefetch(&m->pidx, v->f[i].id);
    for (uint32_t i = 0; i < v->n; i++) {
        uint32_t *pi = umap_find(&m->pidx, v->f[i].id);
        if (!pi || m->posts[*pi].full || !m->posts[*pi].n)
            continue;
        unsigned view = ND_CX_VIEW(v->f[i].id);
        heap_push(keys, &nkeys, kmax,
                  (wf){*pi, (float)v->f[i].q * inv[view] * m->cfg.w_story[view]});
    }
    m->nhit = 0;
    for (uint32_t i = 0; i < nkeys; i++) {
        posting *p = &m->posts[keys[i].id];
        float w = keys[i].w;
        uint32_t keep = 0;
        for (uint32_t j = 0; j < p->n; j++) {
            pent e = p->ids[j];
            sslot *sl = &m->act[e.slot];
            if (sl->id != e.id)
                continue; /* retired or merged away: drop from the list */
            p->ids[keep++] = e;
            if (sl->qry != m->qry) {
                sl->qry = m->qry;
                sl->acc = 0;
                uint32_t *h = nd_grow(m->hit, &m->hitcap, m->nhit, sizeof *h, 64);
                if (!h)
                    return ND_ERR_NOMEM;
                m->hit = h;
                m->hit[m->nhit++] = e.slot;
            }
            sl->acc += w;
        }
        p->n = keep;
    }
    /* Keep the best `candidates` in order: insertion into a short sorted head. */
    uint32_t k = m->cfg.candidates, nh = 0;
    for (uint32_t j = 0; j < m->nhit; j++) {
        uint32_t x = m->hit[j];
        if (nh == k && !better(&m->act[x], &m->act[m->hit[nh - 1]]))
            continue;
        uint32_t i = nh < k ? nh++ : nh - 1;
        while (i > 0 && better(&m->act[x], &m->act[m->hit[i - 1]])) {
            m->hit[i] = m->hit[i - 1];
            i--;
        }
        m->hit[i] = x;
    }
    for (uint32_t i = 0; i < nh; i++) {
        m->cand[i] = m->act[m->hit[i]].s;
        m->cand[i]->acc = m->act[m->hit[i]].acc;
    }
    m->ncand = nh;
    return ND_OK;
}

/* Merges story `from` into story `into` (events move over; the index learns the new
 * features). */
static nd_status story_merge(nd_cx_model *m, story *into, story *from)
{
    nd_status st = centroid_add_centroid(m, &into->c, &from->c, into);
    if (st != ND_OK)
        return st;
    for (uint32_t i = 0; i < from->nev; i++) {
        event *e = nd_grow(into->ev, &into->evcap, into->nev, sizeof *e, 2);
        if (!e)
            return ND_ERR_NOMEM;
        into->ev = e;
        into->ev[into->nev++] = from->ev[i];
        centroid_init(&from->ev[i].c); /* moved, not copied */
        from->ev[i].mem = NULL;
        from->ev[i].nmem = 0;
    }
    from->nev = 0;
    story_drop(m, from);
    m->retired_since_compact--; /* a merge is not a retirement */
    return ND_OK;
}

static nd_status event_merge(nd_cx_model *m, story *s, event *into, event *from)
{
    nd_status st = centroid_add_centroid(m, &into->c, &from->c, NULL);
    if (st != ND_OK)
        return st;
    members_merge(into, from);
    centroid_free(&from->c);
    members_free(from);
    *from = s->ev[--s->nev];
    return ND_OK;
}

nd_status nd_cx_assign(nd_cx_model *m, const nd_cx_vec *v, int64_t rowid, nd_cx_result *res)
{
    const nd_cx_config *cfg = &m->cfg;
    memset(res, 0, sizeof *res);
    tick(m, rowid, v->day);
    if (++m->since_sweep >= 1024) {
        m->since_sweep = 0;
        nd_status st = sweep(m);
        if (st != ND_OK)
            return st;
    }
    float inv[ND_CX_NVIEWS];
    vec_inorms(v, inv);
    nd_status st = candidates(m, v, inv);
    if (st != ND_OK)
        return st;

    /* Story level. */
    story *best = NULL;
    float bs = 0;
    for (uint32_t i = 0; i < m->ncand; i++) {
        story *s = m->cand[i];
        s->sim = -1;
        if (!nd_cx_is_active(m, s->c.last_rowid, s->c.tmax))
            continue;
        float sim = similarity(v, inv, &s->c, cfg->w_story, cfg->story_grace, cfg->story_tau,
                               cfg->story_floor);
        s->sim = sim;
        if (sim > bs || (sim == bs && best && s->id < best->id))
            best = s, bs = sim;
    }
    res->story_sim = bs;
    if (!best || bs < cfg->t_story) {
        best = story_new(m, m->next_story);
        if (!best)
            return ND_ERR_NOMEM;
        m->next_story++;
        res->new_story = 1;
    }

    /* Event level, inside the story. */
    event *be = NULL, *se = NULL;
    float bes = 0, ses = 0;
    for (uint32_t i = 0; i < best->nev; i++) {
        event *e = &best->ev[i];
        float sim = similarity(v, inv, &e->c, cfg->w_event, cfg->event_grace, cfg->event_tau, cfg->event_floor);
        if (sim > bes) {
            se = be, ses = bes;
            be = e, bes = sim;
        } else if (sim > ses) {
            se = e, ses = sim;
        }
    }
    res->event_sim = bes;
    if (!be || bes < cfg->t_event) {
        be = event_new(best, m->next_event);
        if (!be)
            return ND_ERR_NOMEM;
        m->next_event++;
        res->new_event = 1;
        se = NULL;
    }
    res->story = best->id;
    res->event = be->id;
    st = centroid_add_vec(m, &best->c, v, inv, rowid, best);
    if (st == ND_OK)
        st = centroid_add_vec(m, &be->c, v, inv, rowid, NULL);
    if (st != ND_OK)
        return st;
    members_add(be, v, rowid);

    /* An article close to two clusters may show that they are one: merge when their
     * centroids, not just this article, are alike. The larger (then older) one survives. */
    int merge = 0;
    if (se && ses >= cfg->t_event && se->split_from != be->id && be->split_from != se->id) {
        /* Small events: the split rule's measure (see union_ratio); else the centroids. */
        float ur = union_ratio(m, be, se);
        merge = ur >= 0 ? ur >= SPLIT_RATIO
                        : centroid_similarity(&be->c, &se->c, cfg->w_event, cfg->event_grace,
                                              cfg->event_tau, cfg->event_floor) >= cfg->t_event_merge;
    }
    if (merge) {
        event *into = be, *from = se;
        if (se->c.size > be->c.size || (se->c.size == be->c.size && se->id < be->id))
            into = se, from = be;
        res->event_merged_from = from->id;
        res->event_merged_into = into->id;
        res->event = into->id;
        st = event_merge(m, best, into, from);
        if (st != ND_OK)
            return st;
    }
    {
        event *je = event_get(best, res->event);
        if (je) {
            st = event_split(m, best, (uint32_t)(je - best->ev), rowid, res);
            if (st != ND_OK)
                return st;
        }
    }
    /* The story the article joined may now be close to another candidate as a whole:
     * check the next few candidates' centroids (fragments of one story, opened before
     * enough articles showed what they share, meet here). */
    if (!res->new_story) {
        for (uint32_t i = 0; i < m->ncand && i < MERGE_CHECKS; i++) {
            story *o = m->cand[i];
            if (o == best || o->sim < cfg->t_story * MERGE_NEAR)
                continue;
            if (centroid_similarity(&best->c, &o->c, cfg->w_story, cfg->story_grace,
                                    cfg->story_tau, cfg->story_floor) < cfg->t_story_merge)
                continue;
            story *into = best, *from = o;
            if (o->c.size > best->c.size || (o->c.size == best->c.size && o->id < best->id))
                into = o, from = best;
            res->story_merged_from = from->id;
            res->story_merged_into = into->id;
            res->story = into->id;
            st = story_merge(m, into, from);
            if (st != ND_OK)
                return st;
            break; /* one merge per article keeps the record simple */
        }
    }
    return ND_OK;
}

void nd_cx_restore_splits(nd_cx_model *m, const uint32_t *new_id, const uint32_t *from_id,
                          size_t n)
{
    for (uint32_t k = 0; k < m->nslots; k++) {
        story *s = m->act[k].s;
        for (uint32_t i = 0; s && i < s->nev; i++) {
            size_t lo = 0, hi = n;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (new_id[mid] < s->ev[i].id)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo < n && new_id[lo] == s->ev[i].id)
                s->ev[i].split_from = from_id[lo];
        }
    }
}

nd_status nd_cx_restore(nd_cx_model *m, uint32_t story_id, uint32_t event_id, const nd_cx_vec *v,
                        int64_t rowid)
{
    tick(m, rowid, v->day);
    story *s = story_get(m, story_id);
    if (!s && !(s = story_new(m, story_id)))
        return ND_ERR_NOMEM;
    event *e = event_get(s, event_id);
    if (!e && !(e = event_new(s, event_id)))
        return ND_ERR_NOMEM;
    if (story_id >= m->next_story)
        m->next_story = story_id + 1;
    if (event_id >= m->next_event)
        m->next_event = event_id + 1;
    float inv[ND_CX_NVIEWS];
    vec_inorms(v, inv);
    nd_status st = centroid_add_vec(m, &s->c, v, inv, rowid, s);
    if (st == ND_OK)
        st = centroid_add_vec(m, &e->c, v, inv, rowid, NULL);
    if (st == ND_OK)
        members_add(e, v, rowid);
    return st;
}

