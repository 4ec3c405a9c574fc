/*
 * The reuse stage of nd_store_add(): checks each new article against every article stored
 * before it, and the public listing of what it found.
 *
 * Three steps per article, each cheaper than the next is expensive:
 *  1. Candidates, from two sources. Shingle hashes whose top SAMPLE_BITS bits are zero are
 *     index keys (content-defined sampling: the same text always yields the same keys,
 *     wherever it sits in an article, so a story embedded in a longer one shares keys with
 *     its source). And the bands of the article's MinHash signature (banded LSH: whole
 *     articles of resemblance around 0.5 and up). Each index is an in-memory multimap
 *     key -> article rowid.
 *  2. Verification. Candidates sharing most keys are first compared with their in-memory
 *     sketch (fingerprints of all or half of their shingles), which turns down those that
 *     cannot reach the threshold; for the rest the full sorted shingle set is read from
 *     reuse_sig (no re-parsing) and the exact intersection gives containment (shared /
 *     smaller set) and the absolute amount of shared material.
 *  3. Alignment, only for verified pairs: the earlier article is loaded and its sentences are
 *     aligned with the new one's (reuse_align.c); passages get their origin and are stored.
 * Pairs are verified one by one; nothing is ever merged transitively.
 *
 * Memory is a cache of reuse_sig: the store may drop it at any moment and the next addition
 * rebuilds it.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>
#include <threads.h>
#include <time.h>

#include "reuse/reuse.h"
#include "reuse/reuse_syn.h"
#include "store/store_db.h"
#include "util/alloc.h"

/* 1 in 2^SAMPLE_BITS shingles is an index key: 17 keys for a 280-content-word article, and
 * a 150-word passage reworded at 30% still keeps about three. An article with fewer than
 * DENSE_BELOW shingles (under about 250 words) would keep too few and is indexed at 1 in
 * 2^DENSE_BITS instead (at most 32 keys); every new article looks its keys up at that
 * density, so a short article is found inside anything that holds it (docs/reuse.md). */
#define SAMPLE_BITS 4
#define DENSE_BITS 2
#define DENSE_BELOW 128
/* A key held by this many articles is a stock phrase or a much-copied story: later articles
 * are not added to it. The earlier ones still find their copies through it, and they are the
 * ones a new copy is paired with anyway (near-ties go to the earliest). */
#define KEY_CAP 16
/* A band bucket holding this many articles is a much-copied story (or a stock short text):
 * later articles are not added to it. A new copy shares its bands with the first holders,
 * which are the ones it is paired with anyway (at most TIES_PER_PART near-ties), with room
 * for versions that differ in a few shingles. */
#define BAND_CAP 8
/* Candidates proposed by LSH bands alone (no key evidence) looked at (sketch) and verified
 * exactly per article, at most, on top of the key candidates' budget: sharing a band means
 * resemblance around 0.5 or more, so such candidates are the few versions of one story. */
#define LSH_LOOK 16
#define LSH_VERIFY 4
/* Candidates verified per article and verified pairs aligned, at most (see find_verified:
 * each verified candidate must account for a part of the article no other one does). */
#define MAX_VERIFY 16
#define MAX_ALIGN 8
#define TIES_PER_PART 3
/* Candidates looked at per article (compared with their in-memory sketch), at most. */
#define MAX_LOOK 64
/* Candidates scoring at least NEAR_TIE of the best are taken in the order they were stored:
 * when a story has been copied many times, the new copy shares about as much with each
 * earlier copy as with the source, and the source was stored first. */
#define NEAR_TIE 0.9
/* Verification: at least MIN_SHARED shingles in common (about ten content words in a row, a
 * long sentence), and either CONTAIN of the smaller article's shingles or ABS_SHARED
 * shingles (a paragraph) in common. */
#define MIN_SHARED 8
#define CONTAIN 0.2
#define ABS_SHARED 40
/* Origin by containment: the larger version holds ORIGIN_CONTAIN of the smaller one's
 * shingles and is ORIGIN_LARGER times its size. */
#define ORIGIN_CONTAIN 0.8
#define ORIGIN_LARGER 1.25
/* Boilerplate: the first EDGE_HEAD and last EDGE_TAIL paragraphs of an article with at least
 * EDGE_MIN_WORDS words are counted per outlet; one seen in BOILER_MIN articles of the outlet
 * (this one included) is the outlet's standing text. */
#define EDGE_HEAD 2
#define EDGE_TAIL 3
#define EDGE_MIN_WORDS 4
#define BOILER_MIN 3

typedef struct cand {
    uint32_t rowid;
    uint32_t off, n; /* its (rowid, key) pairs in s->cand */
    uint32_t done, gain;
    uint8_t keys;  /* enough key evidence on its own (find_verified) */
    uint8_t bands; /* shares at least one LSH band with the new article */
} cand;

/* The low word of an s->cand entry: the index of the new article's key (or nq + band for an
 * LSH band, nq being the number of keys looked up), and SATURATED when that key already
 * holds KEY_CAP articles. */
#define SATURATED 0x80000000u
#define KEYIDX(e) ((uint32_t)(e) & ~SATURATED)

/* A cached shingle set; rowid 0 = empty. */
typedef struct sigslot {
    uint32_t rowid;
    size_t n, cap;
    uint32_t *v;
} sigslot;

/* The in-memory sketch of an article (sketch_may_pass): 16-bit fingerprints of all its
 * shingles when it has fewer than DENSE_BELOW, else of those sampled at 1 in 2^SKETCH_BITS.
 * A sampled sketch rejects a candidate only when a pair at the verification threshold would
 * show so few sampled shingles with probability at most SKETCH_EPS. */
#define SKETCH_BITS 1
#define SKETCH_EPS 0.001

typedef struct sketch {
    uint32_t off; /* its fingerprints: chunk << SKCHUNK_BITS | position */
    uint16_t n;   /* number of fingerprints */
    uint16_t nsh; /* shingles of the article; 0 = no sketch */
} sketch;

/* Fingerprints live in chunks of 2^SKCHUNK_BITS (128 KB) that never move: the pool grows
 * without copying and without the up-to-half slack of a doubling array. */
#define SKCHUNK_BITS 16
#define SKCHUNK ((size_t)1 << SKCHUNK_BITS)

/* Slots of the signature cache, and the largest set kept (16 KB): a few hundred KB at most. */
#define SIG_CACHE 256
#define SIG_CACHE_MAX 4096

typedef struct verified {
    uint32_t rowid, shared, nsh;
} verified;

/* A multimap key -> rowids: open addressing, linear probing; slot = key << 32 | rowid,
 * 0 = empty (rowids start at 1). */
typedef struct table {
    uint64_t *slot;
    size_t n, used;
} table;

struct nd_reuse_state {
    nd_store *st;
    sqlite3_stmt *ins_sig, *get_sig, *ins_pass;
    /* The sampled-key index, and the LSH band index (band key -> rowid). */
    table keys, bands;
    /* The new article's MinHash signature and band keys (nband = 0: too few shingles). */
    uint32_t mh[ND_REUSE_MH_K];
    uint32_t band[ND_REUSE_MH_BANDS];
    size_t nband;
    /* Boilerplate counts: slot = key << 32 | count, key never 0. */
    uint64_t *bp;
    size_t nbp, nbpused;
    int64_t hw; /* highest rowid seen */
    nd_rdoc doc, other;
    nd_ralign al;
    nd_rpasses pass;
    uint64_t *cand; /* rowid << 32 | index of the new article's key, twice: sort scratch */
    size_t ncand, candcap;
    unsigned char *covered; /* per key of the new article: held by a verified candidate */
    size_t coveredcap;
    cand *cands;
    size_t ncands, candscap;
    uint32_t *sig; /* a candidate's shingle set, decoded, when too big for the cache */
    size_t sigcap;
    sigslot cache[SIG_CACHE];
    unsigned char *blob;
    size_t blobcap;
    uint32_t edge[EDGE_HEAD + EDGE_TAIL];
    size_t nedge;
    /* Sketches by rowid (sk[rowid], rowid < nsk), their fingerprints in one pool. */
    sketch *sk;
    size_t nsk, skcap, nsketched;
    uint16_t **skchunk;
    size_t nskchunk, skchunkcap, skpos; /* chunks, and the fill of the last one */
    /* The new article's fingerprints as sets of 2^16 bits: of all its shingles, and of the
     * sampled ones. */
    uint64_t qfull[1 << 10], qsmp[1 << 10];
    /* kmin[t]: fewest sampled fingerprints in common a pair sharing t shingles shows, but
     * for a chance of SKETCH_EPS (sketch_may_pass). */
    uint8_t kmin[ABS_SHARED + 1];
};

/* Counters and phase times of this thread, for benchmarks (nd_reuse_profile). */
static thread_local nd_reuse_prof prof;
static thread_local int prof_on;
static thread_local double clock_cost; /* CPU seconds one clock read costs, calibrated */

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The CPU time since *t less the cost of one clock read (an interval between two reads holds
 * the second half of one and the first half of the other); moves *t to now. */
static double lap(double *t)
{
    double now = cpu_now(), d = now - *t - clock_cost;
    *t = now;
    return d > 0 ? d : 0;
}

void nd_reuse_profile(nd_reuse_prof *out)
{
    *out = prof;
}

void nd_reuse_profile_enable(int on)
{
    prof_on = on != 0;
    if (!prof_on)
        return;
    double t0 = cpu_now();
    for (int i = 0; i < 64; i++)
        (void)cpu_now();
    clock_cost = (cpu_now() - t0) / 65;
}

const char *nd_reuse_kind_str(nd_reuse_kind k)
{
    switch (k) {
    case ND_REUSE_VERBATIM: return "verbatim";
    case ND_REUSE_NEAR_VERBATIM: return "near-verbatim";
    case ND_REUSE_REWORDED: return "reworded";
    default: return "?";
    }
}

const char *nd_origin_basis_str(nd_origin_basis b)
{
    switch (b) {
    case ND_ORIGIN_DATE: return "date";
    case ND_ORIGIN_CONTAINS: return "contains";
    case ND_ORIGIN_TIE: return "tie";
    case ND_ORIGIN_UNKNOWN: return "unknown";
    default: return "?";
    }
}

/* ---- SQL helpers ------------------------------------------------------------------------ */

static nd_status sql_status(int rc)
{
    switch (rc & 0xFF) {
    case SQLITE_NOMEM: return ND_ERR_NOMEM;
    case SQLITE_FULL: return ND_ERR_FULL;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return ND_ERR_BUSY;
    default: return ND_ERR_STORE;
    }
}

static nd_status sql_fail(nd_store *st, int rc, const char *what)
{
    sqlite3 *db = nd_store_db(st);
    const char *file = db ? sqlite3_db_filename(db, "main") : NULL;
    nd_store_set_errmsg(st, "reuse: %s: %s (store %s)", what,
                        db ? sqlite3_errmsg(db) : sqlite3_errstr(rc), file ? file : "?");
    return sql_status(rc);
}

/* ---- The index -------------------------------------------------------------------------- */

/* A hint to fetch a cache line that will be read soon (the index and the sketches are far
 * larger than the caches, and each article reads a few dozen scattered entries). */
#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

static int sampled_at(uint32_t h, unsigned bits)
{
    return (h >> (32 - bits)) == 0;
}

/* Whether an article with `nsh` shingles indexes the shingle `h`. */
static int indexed(uint32_t h, size_t nsh)
{
    return sampled_at(h, nsh < DENSE_BELOW ? DENSE_BITS : SAMPLE_BITS);
}

int nd_reuse_indexed(uint32_t h, size_t nsh)
{
    return indexed(h, nsh);
}

static size_t home(uint32_t key, size_t nslot)
{
    return nd_reuse_mix(key ^ 0x27d4eb2fu) & (nslot - 1);
}

static nd_status index_grow(table *t)
{
    size_t n = t->n ? t->n * 2 : 1024;
    uint64_t *v = nd_calloc(n, sizeof *v);
    if (!v)
        return ND_ERR_NOMEM;
    for (size_t i = 0; i < t->n; i++) {
        uint64_t e = t->slot[i];
        if (!e)
            continue;
        size_t j = home((uint32_t)(e >> 32), n);
        while (v[j])
            j = (j + 1) & (n - 1);
        v[j] = e;
    }
    nd_free(t->slot);
    t->slot = v;
    t->n = n;
    return ND_OK;
}

/* Adds (key, rowid) unless the key already holds `cap` articles. */
static nd_status index_add(table *t, uint32_t key, uint32_t rowid, size_t cap)
{
    if ((t->used + 1) * 10 > t->n * 7) {
        nd_status st = index_grow(t);
        if (st != ND_OK)
            return st;
    }
    size_t j = home(key, t->n), same = 0;
    while (t->slot[j]) {
        uint64_t e = t->slot[j];
        if ((uint32_t)(e >> 32) == key) {
            if ((uint32_t)e == rowid || ++same >= cap)
                return ND_OK;
        }
        j = (j + 1) & (t->n - 1);
    }
    t->slot[j] = (uint64_t)key << 32 | rowid;
    t->used++;
    return ND_OK;
}

/* Appends (rowid, q) to s->cand for every rowid under `key` in t (at most `cap`), flagged
 * SATURATED when `sat` and the key holds `cap` articles. Returns the number appended in *got. */
static nd_status index_find(nd_reuse_state *s, const table *t, uint32_t key, uint32_t q, size_t cap,
                            int sat, size_t *got)
{
    *got = 0;
    if (!t->n)
        return ND_OK;
    /* Twice the room: the second half is the radix sort's scratch. */
    nd_status st =
        nd_reserve((void **)&s->cand, &s->candcap, 2 * (s->ncand + cap), sizeof *s->cand);
    if (st != ND_OK)
        return st;
    size_t j = home(key, t->n), first = s->ncand;
    while (t->slot[j]) {
        uint64_t e = t->slot[j];
        if ((uint32_t)(e >> 32) == key && s->ncand - first < cap)
            s->cand[s->ncand++] = (uint64_t)(uint32_t)e << 32 | q;
        j = (j + 1) & (t->n - 1);
    }
    if (sat && s->ncand - first >= cap)
        for (size_t i = first; i < s->ncand; i++)
            s->cand[i] |= SATURATED;
    *got = s->ncand - first;
    return ND_OK;
}

/* ---- Boilerplate counts ----------------------------------------------------------------- */

static uint64_t *bp_slot(nd_reuse_state *s, uint32_t key)
{
    if (!s->nbp)
        return NULL;
    size_t j = home(key, s->nbp);
    while (s->bp[j]) {
        if ((uint32_t)(s->bp[j] >> 32) == key)
            return &s->bp[j];
        j = (j + 1) & (s->nbp - 1);
    }
    return &s->bp[j];
}

static uint32_t bp_count(nd_reuse_state *s, uint32_t key)
{
    uint64_t *p = bp_slot(s, key);
    return p ? (uint32_t)*p : 0;
}

static nd_status bp_bump(nd_reuse_state *s, uint32_t key)
{
    if ((s->nbpused + 1) * 10 > s->nbp * 7) {
        size_t n = s->nbp ? s->nbp * 2 : 256;
        uint64_t *v = nd_calloc(n, sizeof *v);
        if (!v)
            return ND_ERR_NOMEM;
        for (size_t i = 0; i < s->nbp; i++) {
            if (!s->bp[i])
                continue;
            size_t j = home((uint32_t)(s->bp[i] >> 32), n);
            while (v[j])
                j = (j + 1) & (n - 1);
            v[j] = s->bp[i];
        }
        nd_free(s->bp);
        s->bp = v;
        s->nbp = n;
    }
    uint64_t *p = bp_slot(s, key);
    if (!*p) {
        *p = (uint64_t)key << 32;
        s->nbpused++;
    }
    if ((uint32_t)*p != UINT32_MAX)
        (*p)++;
    return ND_OK;
}

static uint32_t outlet_hash(const char *outlet)
{
    if (!outlet || !*outlet)
        return 0;
    uint32_t h = 2166136261u;
    for (const char *p = outlet; *p; p++) {
        unsigned c = (unsigned char)*p;
        if (c >= 'A' && c <= 'Z')
            c += 32;
        h = (h ^ c) * 16777619u;
    }
    return nd_reuse_mix(h) | 1;
}

/* Collects the outlet-keyed hashes of the edge paragraphs of d into s->edge and marks those
 * already known as the outlet's boilerplate (count + `self` >= BOILER_MIN, where self is 1
 * when d itself is not counted yet). */
static void mark_boiler(nd_reuse_state *s, nd_rdoc *d, const char *outlet, int self)
{
    s->nedge = 0;
    uint32_t oh = outlet_hash(outlet);
    if (!oh)
        return;
    for (size_t i = 0; i < d->npara; i++) {
        if (i >= EDGE_HEAD && i + EDGE_TAIL < d->npara)
            continue;
        nd_rpara *p = &d->para[i];
        if (p->t1 - p->t0 < EDGE_MIN_WORDS)
            continue;
        uint32_t key = nd_reuse_mix(oh ^ p->hash) | 1;
        s->edge[s->nedge++] = key;
        uint32_t c = bp_count(s, key);
        p->seen = self ? c : c ? c - 1 : 0;
        if (c + (uint32_t)self >= BOILER_MIN)
            p->boiler = 1;
    }
}

/* ---- Loading ---------------------------------------------------------------------------- */

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

/* ---- Sketches ------------------------------------------------------------------------- */

/* The fingerprint of a hash: its top 16 bits, or for a sampled one (its top SKETCH_BITS
 * bits are zero) the 16 bits after those. */
static uint16_t fp_full(uint32_t h)
{
    return (uint16_t)(h >> 16);
}

static uint16_t fp_sampled(uint32_t h)
{
    return (uint16_t)(h >> (16 - SKETCH_BITS));
}

/* Fewest shingles in common with which a pair passes verification (find_verified), for a
 * smaller article of `smaller` shingles. */
static uint32_t min_shared(size_t smaller)
{
    uint32_t t = MIN_SHARED;
    while (t < ABS_SHARED && (double)t < CONTAIN * (double)smaller)
        t++;
    return t;
}

/* kmin[t] for every t: the smallest k such that a pair sharing t shingles shows at most k
 * sampled ones in common with a chance above SKETCH_EPS (each shared shingle is sampled
 * with probability 2^-SKETCH_BITS, independently, as the hash is): 0 for t = 8, 5 for 26,
 * 10 for 40. Rejecting below kmin[t] then loses at most SKETCH_EPS of the pairs at the
 * threshold, fewer above it. */
static void kmin_init(uint8_t *kmin)
{
    double p = 1.0 / (double)(1u << SKETCH_BITS);
    for (uint32_t t = 0; t <= ABS_SHARED; t++) {
        double pmf = 1, cdf;
        for (uint32_t i = 0; i < t; i++)
            pmf *= 1 - p;
        cdf = pmf;
        uint32_t k = 0;
        while (k < t && cdf <= SKETCH_EPS) {
            pmf *= (double)(t - k) / (double)(k + 1) * p / (1 - p);
            cdf += pmf;
            k++;
        }
        kmin[t] = (uint8_t)k;
    }
}

/* Number of a candidate's fingerprints found in the new article's set `bits`, stopping at
 * `need`. Never less than the number of shingles the two articles have in common. Set
 * look-ups rather than a merge of sorted lists: they do not depend on one another. */
static uint32_t fp_hits(const uint64_t *bits, const uint16_t *fp, size_t n, uint32_t need)
{
    uint32_t c = 0;
    for (size_t i = 0; i < n && c < need;) {
        size_t end = i + 16 < n ? i + 16 : n;
        for (; i < end; i++)
            c += (uint32_t)(bits[fp[i] >> 6] >> (fp[i] & 63)) & 1;
    }
    return c;
}

/* Keeps the sketch of a stored shingle set (sh: little-endian, n hashes). Rowids far beyond
 * the number of articles sketched (a store with large gaps) are not sketched: their
 * candidates are verified from the store directly. */
static nd_status sketch_add(nd_reuse_state *s, uint32_t rowid, const unsigned char *sh, size_t n)
{
    if (!n || n > UINT16_MAX || rowid > 16 * s->nsketched + 65536)
        return ND_OK;
    int full = n < DENSE_BELOW;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        m += full || sampled_at(get_u32(sh + 4 * i), SKETCH_BITS);
    nd_status e;
    if (!s->nskchunk || s->skpos + m > SKCHUNK) {
        if (s->nskchunk >= (size_t)1 << (32 - SKCHUNK_BITS))
            return ND_OK;
        if ((e = nd_reserve((void **)&s->skchunk, &s->skchunkcap, s->nskchunk + 1,
                        sizeof *s->skchunk)) != ND_OK)
            return e;
        if (!(s->skchunk[s->nskchunk] = nd_malloc(SKCHUNK * sizeof **s->skchunk)))
            return ND_ERR_NOMEM;
        s->nskchunk++;
        s->skpos = 0;
    }
    if (rowid >= s->nsk) {
        if ((e = nd_reserve((void **)&s->sk, &s->skcap, (size_t)rowid + 1, sizeof *s->sk)) != ND_OK)
            return e;
        memset(s->sk + s->nsk, 0, ((size_t)rowid + 1 - s->nsk) * sizeof *s->sk);
        s->nsk = (size_t)rowid + 1;
    }
    uint16_t *dst = s->skchunk[s->nskchunk - 1] + s->skpos;
    for (size_t i = 0; i < n; i++) {
        uint32_t h = get_u32(sh + 4 * i);
        if (full)
            *dst++ = fp_full(h);
        else if (sampled_at(h, SKETCH_BITS))
            *dst++ = fp_sampled(h);
    }
    uint32_t off = (uint32_t)((s->nskchunk - 1) << SKCHUNK_BITS | s->skpos);
    s->sk[rowid] = (sketch){off, (uint16_t)m, (uint16_t)n};
    s->skpos += m;
    s->nsketched++;
    return ND_OK;
}

static const uint16_t *sketch_fp(const nd_reuse_state *s, const sketch *k)
{
    return s->skchunk[k->off >> SKCHUNK_BITS] + (k->off & (SKCHUNK - 1));
}

/* The new article's fingerprint sets (s->qfull, s->qsmp). */
static void sketch_query(nd_reuse_state *s)
{
    const nd_rdoc *d = &s->doc;
    memset(s->qfull, 0, sizeof s->qfull);
    memset(s->qsmp, 0, sizeof s->qsmp);
    for (size_t i = 0; i < d->nsh; i++) {
        uint16_t f = fp_full(d->sh[i]);
        s->qfull[f >> 6] |= (uint64_t)1 << (f & 63);
        if (sampled_at(d->sh[i], SKETCH_BITS)) {
            f = fp_sampled(d->sh[i]);
            s->qsmp[f >> 6] |= (uint64_t)1 << (f & 63);
        }
    }
}

/*
 * Whether candidate `rowid` can pass verification, judged from memory. A full sketch (a
 * short article) gives an upper bound of the shingles in common: below the threshold, the
 * pair cannot pass. A sampled sketch gives about a quarter of them: the candidate is
 * rejected only when a pair at the threshold would show so few with probability under
 * SKETCH_EPS. Candidates without a sketch are kept.
 */
static int sketch_may_pass(nd_reuse_state *s, uint32_t rowid)
{
    if (rowid >= s->nsk || !s->sk[rowid].nsh)
        return 1;
    const sketch *k = &s->sk[rowid];
    size_t smaller = k->nsh < s->doc.nsh ? k->nsh : s->doc.nsh;
    uint32_t need = min_shared(smaller);
    prof.sketched++;
    if (k->nsh < DENSE_BELOW)
        return fp_hits(s->qfull, sketch_fp(s, k), k->n, need) >= need;
    uint32_t kn = s->kmin[need];
    return fp_hits(s->qsmp, sketch_fp(s, k), k->n, kn) >= kn;
}

/* The band keys of an article of `nsh` shingles with signature `sig` into band[]; returns
 * how many (none below MIN_SHARED shingles: such an article can never pass verification, and
 * the signature of a handful of shingles is mostly borrowed bins, so its bands would pair
 * short texts that share one stock phrase). */
static size_t bands_of(const uint32_t *sig, size_t nsh, uint32_t *band)
{
    if (!sig || nsh < MIN_SHARED)
        return 0;
    nd_reuse_bands(sig, band);
    return ND_REUSE_MH_BANDS;
}

/* Adds one stored signature row to memory: its sampled keys, its LSH bands (from `sig`, its
 * MinHash signature, or none when NULL), its sketch and its boilerplate counts. */
static nd_status load_row(nd_reuse_state *s, int64_t rowid, const unsigned char *sh, size_t shlen,
                          const unsigned char *edge, size_t edgelen, const uint32_t *sig)
{
    nd_status st;
    if (rowid > 0 && rowid <= (int64_t)UINT32_MAX) {
        uint32_t band[ND_REUSE_MH_BANDS];
        size_t nband = bands_of(sig, shlen / 4, band);
        if (s->keys.n)
            for (size_t i = 0; i + 4 <= shlen; i += 4) {
                uint32_t h = get_u32(sh + i);
                if (indexed(h, shlen / 4))
                    PREFETCH(&s->keys.slot[home(h, s->keys.n)]);
            }
        if (s->bands.n)
            for (size_t b = 0; b < nband; b++)
                PREFETCH(&s->bands.slot[home(band[b], s->bands.n)]);
        for (size_t i = 0; i + 4 <= shlen; i += 4) {
            uint32_t h = get_u32(sh + i);
            if (indexed(h, shlen / 4) &&
                (st = index_add(&s->keys, h, (uint32_t)rowid, KEY_CAP)) != ND_OK)
                return st;
        }
        for (size_t b = 0; b < nband; b++)
            if ((st = index_add(&s->bands, band[b], (uint32_t)rowid, BAND_CAP)) != ND_OK)
                return st;
        if ((st = sketch_add(s, (uint32_t)rowid, sh, shlen / 4)) != ND_OK)
            return st;
    }
    for (size_t i = 0; i + 4 <= edgelen; i += 4)
        if ((st = bp_bump(s, get_u32(edge + i))) != ND_OK)
            return st;
    if (rowid > s->hw)
        s->hw = rowid;
    return ND_OK;
}

/* The MinHash signature of a stored shingle set (little-endian blob of n hashes): for rows
 * written before schema 3 (mh NULL), or with a damaged mh. sh holds the whole set the
 * signature was made from, so this gives exactly the signature the row would have had. */
static nd_status sig_from_sh(nd_reuse_state *s, const unsigned char *sh, size_t n, uint32_t *sig)
{
    nd_status e = nd_reserve((void **)&s->sig, &s->sigcap, n + 1, sizeof *s->sig);
    if (e != ND_OK)
        return e;
    for (size_t i = 0; i < n; i++)
        s->sig[i] = get_u32(sh + 4 * i);
    nd_reuse_minhash(s->sig, n, sig);
    return ND_OK;
}

static nd_status state_new(nd_reuse_state **out, nd_store *st)
{
    *out = NULL;
    sqlite3 *db = nd_store_db(st);
    if (!db)
        return ND_ERR_ARG;
    nd_reuse_state *s = nd_calloc(1, sizeof *s);
    if (!s)
        return ND_ERR_NOMEM;
    s->st = st;
    kmin_init(s->kmin);
    int rc;
    /* INSERT ... SELECT rather than VALUES: SQLite then runs the insert with a statement
     * journal, so a full disk or a failed allocation undoes that statement only, instead of
     * rolling back the whole transaction (a batch of articles) as it does for a one-row
     * VALUES insert (measured; the store's own insert does the same). */
    if ((rc = sqlite3_prepare_v2(db,
                                 "INSERT INTO reuse_sig(rowid, nsh, sh, edge, mh)"
                                 " SELECT ?1, ?2, ?3, ?4, ?5",
                                 -1, &s->ins_sig, NULL)) != SQLITE_OK ||
        (rc = sqlite3_prepare_v2(db, "SELECT nsh, sh FROM reuse_sig WHERE rowid = ?1", -1,
                                 &s->get_sig, NULL)) != SQLITE_OK ||
        (rc = sqlite3_prepare_v2(db,
                                 "INSERT INTO reuse_passage(a, a_start, a_end, b, b_start,"
                                 " b_end, kind, sim, basis) SELECT ?1,?2,?3,?4,?5,?6,?7,?8,?9",
                                 -1, &s->ins_pass, NULL)) != SQLITE_OK) {
        nd_status e = sql_fail(st, rc, "preparing statements");
        nd_reuse_state_free(s);
        return e;
    }
    sqlite3_stmt *q = NULL;
    rc = sqlite3_prepare_v2(db, "SELECT rowid, sh, edge, mh FROM reuse_sig ORDER BY rowid", -1, &q,
                            NULL);
    nd_status e = ND_OK;
    while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const unsigned char *sh = sqlite3_column_blob(q, 1);
        size_t shlen = (size_t)sqlite3_column_bytes(q, 1);
        const unsigned char *edge = sqlite3_column_blob(q, 2);
        size_t edgelen = (size_t)sqlite3_column_bytes(q, 2);
        const unsigned char *mh = sqlite3_column_blob(q, 3);
        size_t mhlen = (size_t)sqlite3_column_bytes(q, 3);
        uint32_t sig[ND_REUSE_MH_K];
        if (mh && mhlen == sizeof sig)
            for (size_t i = 0; i < ND_REUSE_MH_K; i++)
                sig[i] = get_u32(mh + 4 * i);
        else if ((e = sig_from_sh(s, sh, shlen / 4, sig)) != ND_OK)
            break;
        if ((e = load_row(s, sqlite3_column_int64(q, 0), sh, shlen, edge, edgelen, sig)) != ND_OK)
            break;
        rc = SQLITE_OK;
    }
    sqlite3_finalize(q);
    if (e == ND_OK && rc != SQLITE_DONE)
        e = sql_fail(st, rc, "loading signatures");
    if (e != ND_OK) {
        nd_reuse_state_free(s);
        return e;
    }
    *out = s;
    return ND_OK;
}

/* ---- One article ------------------------------------------------------------------------ */

/* Reads a candidate's stored shingle set into *v (n entries; n = 0 when it has none).
 *
 * Through a small direct-mapped cache of decoded sets: when a story is copied again and
 * again, every new copy verifies against the same few earliest versions, and a read from
 * SQLite costs more than the whole intersection. The rows never change once written, and
 * the store drops this state whenever the database may have changed under it. */
static nd_status read_sig(nd_reuse_state *s, uint32_t rowid, const uint32_t **v, size_t *n)
{
    *n = 0;
    *v = NULL;
    sigslot *c = &s->cache[rowid & (SIG_CACHE - 1)];
    if (c->rowid == rowid && c->v) {
        *v = c->v;
        *n = c->n;
        return ND_OK;
    }
    sqlite3_stmt *q = s->get_sig;
    prof.sig_reads++;
    int rc = sqlite3_bind_int64(q, 1, (sqlite3_int64)rowid);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(q);
    nd_status e = ND_OK;
    if (rc == SQLITE_ROW) {
        const unsigned char *p = sqlite3_column_blob(q, 1);
        size_t len = (size_t)sqlite3_column_bytes(q, 1) / 4;
        uint32_t *dst;
        if (len <= SIG_CACHE_MAX) {
            c->rowid = 0;
            e = nd_reserve((void **)&c->v, &c->cap, len + 1, sizeof *c->v);
            dst = c->v;
        } else {
            e = nd_reserve((void **)&s->sig, &s->sigcap, len + 1, sizeof *s->sig);
            dst = s->sig;
        }
        if (e == ND_OK) {
            for (size_t i = 0; i < len; i++)
                dst[i] = get_u32(p + 4 * i);
            *v = dst;
            *n = len;
            if (len <= SIG_CACHE_MAX) {
                c->rowid = rowid;
                c->n = len;
            }
        }
    } else if (rc != SQLITE_DONE) {
        e = sql_fail(s->st, rc, "reading a signature");
    }
    sqlite3_reset(q);
    return e;
}

/* Compares two ISO 8601 dates: the day first, then the time when both have one. Returns <0,
 * 0 (same, or one lacks the time on the same day) or >0; *ok = 0 when either is missing. */
static int date_cmp(const char *x, const char *y, int *ok)
{
    *ok = x && y && strlen(x) >= 10 && strlen(y) >= 10;
    if (!*ok)
        return 0;
    int c = strncmp(x, y, 10);
    if (c != 0 || strlen(x) == 10 || strlen(y) == 10)
        return c;
    return strcmp(x + 10, y + 10);
}

/* Decides which of an earlier-stored article x and the new article y is the origin. Sets
 * *swap when y is. */
static nd_origin_basis origin_of(const nd_article *x, const nd_article *y, size_t nx, size_t ny,
                                 size_t shared, int *swap)
{
    *swap = 0;
    int ok;
    int c = date_cmp(nd_article_get(x, ND_FIELD_DATE), nd_article_get(y, ND_FIELD_DATE), &ok);
    if (ok && c != 0) {
        *swap = c > 0;
        return ND_ORIGIN_DATE;
    }
    if ((double)nx >= ORIGIN_LARGER * (double)ny && (double)shared >= ORIGIN_CONTAIN * (double)ny)
        return ND_ORIGIN_CONTAINS;
    if ((double)ny >= ORIGIN_LARGER * (double)nx && (double)shared >= ORIGIN_CONTAIN * (double)nx) {
        *swap = 1;
        return ND_ORIGIN_CONTAINS;
    }
    return ok ? ND_ORIGIN_TIE : ND_ORIGIN_UNKNOWN;
}

static nd_status insert_passage(nd_reuse_state *s, int64_t a, uint32_t a0, uint32_t a1, int64_t b,
                                uint32_t b0, uint32_t b1, const nd_rpass *p, nd_origin_basis basis)
{
    sqlite3_stmt *q = s->ins_pass;
    sqlite3_bind_int64(q, 1, (sqlite3_int64)a);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)a0);
    sqlite3_bind_int64(q, 3, (sqlite3_int64)a1);
    sqlite3_bind_int64(q, 4, (sqlite3_int64)b);
    sqlite3_bind_int64(q, 5, (sqlite3_int64)b0);
    sqlite3_bind_int64(q, 6, (sqlite3_int64)b1);
    sqlite3_bind_int(q, 7, (int)p->kind);
    sqlite3_bind_double(q, 8, p->similarity);
    sqlite3_bind_int(q, 9, (int)basis);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc != SQLITE_DONE)
        return sql_fail(s->st, rc, "storing a passage");
    return ND_OK;
}

/*
 * Between two articles of one outlet, a passage that is a single edge paragraph of the new
 * article which the outlet has already printed at the edge of another article is the
 * outlet's standing text on its way to being learned (BOILER_MIN), not a reprint.
 */
static void drop_edge_repeats(nd_reuse_state *s, const nd_article *x, const nd_article *y)
{
    uint32_t ox = outlet_hash(nd_article_get(x, ND_FIELD_OUTLET));
    if (!ox || ox != outlet_hash(nd_article_get(y, ND_FIELD_OUTLET)))
        return;
    size_t m = 0;
    for (size_t i = 0; i < s->pass.n; i++) {
        const nd_rpass *p = &s->pass.v[i];
        int drop = 0;
        for (size_t k = 0; k < s->doc.npara; k++) {
            const nd_rpara *q = &s->doc.para[k];
            if (p->b_start >= q->start && p->b_end <= q->end) {
                drop = q->seen > 0;
                break;
            }
        }
        if (!drop)
            s->pass.v[m++] = *p;
    }
    s->pass.n = m;
}

/* Aligns the verified earlier article `xrow` with the new one (s->doc, article y) and stores
 * the passages with their origin. */
static nd_status align_pair(nd_reuse_state *s, int64_t yrow, const nd_article *y, const verified *v)
{
    nd_article *x = NULL;
    nd_status e = nd_store_get_rowid(s->st, &x, (int64_t)v->rowid);
    if (e == ND_ERR_NOT_FOUND)
        return ND_OK; /* a signature without its article: nothing to align */
    if (e != ND_OK)
        return e;
    size_t saved = s->nedge;
    uint32_t edge[EDGE_HEAD + EDGE_TAIL];
    memcpy(edge, s->edge, sizeof edge);
    if (!s->other.cache)
        s->other.cache = s->doc.cache; /* one word cache for both */
    if ((e = nd_rdoc_build(&s->other, x)) == ND_OK) {
        mark_boiler(s, &s->other, nd_article_get(x, ND_FIELD_OUTLET), 0);
        e = nd_rdoc_finish(&s->other);
    }
    memcpy(s->edge, edge, sizeof edge);
    s->nedge = saved;
    if (e == ND_OK) {
        size_t xl, yl;
        const char *xr = nd_article_raw(x, &xl), *yr = nd_article_raw(y, &yl);
        e = nd_reuse_align_syn(&s->pass, &s->al, &s->other, xr, xl, &s->doc, yr, yl);
    }
    if (e == ND_OK && s->pass.n)
        drop_edge_repeats(s, x, y);
    if (e == ND_OK && s->pass.n) {
        int swap;
        nd_origin_basis basis = origin_of(x, y, v->nsh, s->doc.nsh, v->shared, &swap);
        for (size_t i = 0; i < s->pass.n && e == ND_OK; i++) {
            const nd_rpass *p = &s->pass.v[i];
            if (swap)
                e = insert_passage(s, yrow, p->b_start, p->b_end, (int64_t)v->rowid, p->a_start,
                                   p->a_end, p, basis);
            else
                e = insert_passage(s, (int64_t)v->rowid, p->a_start, p->a_end, yrow, p->b_start,
                                   p->b_end, p, basis);
        }
    }
    nd_article_free(x);
    return e;
}

/* Whether candidate x takes part in the key pass (phase 0: it has key evidence) or in the
 * LSH pass (phase 1: only bands propose it). A candidate with key evidence that the key pass
 * did not take (another partner already holds all its keys, or the budget ran out) is left
 * out on purpose: the key pass's policy (the earliest version and its near-ties, not every
 * copy of a much-copied story) stays what it was. */
static int in_pass(const cand *x, int phase)
{
    return phase ? x->bands && !x->keys : x->keys;
}

/* The gain of candidate x in `phase`: its entries of that source (0: keys, below nq; 1:
 * bands) that no verified candidate holds yet. */
static uint32_t gain_of(const nd_reuse_state *s, const cand *x, uint32_t nq, int phase)
{
    uint32_t m = 0;
    for (uint32_t k = x->off; k < x->off + x->n; k++) {
        uint32_t q = KEYIDX(s->cand[k]);
        if ((q >= nq) == phase)
            m += !s->covered[q];
    }
    return m;
}

/*
 * Finds and verifies the candidates of s->doc; fills `out` (at most MAX_ALIGN).
 *
 * Two candidate sources: the sampled keys (a shared passage anywhere, in proportion to its
 * length) and the LSH bands of the MinHash signature (whole-article resemblance around 0.5
 * and up). Both go through the same sketch test and exact verification. Key candidates come
 * first, exactly as without LSH: they are picked greedily by the keys of the new article
 * they hold that no verified candidate holds yet (ties, within NEAR_TIE, to the one stored
 * first), and verified one by one against their stored shingle sets. So a part of the new
 * article is paired with its earliest verified source only, and a second candidate is taken
 * only for another part (the host of an embedded story, a second source): a story reprinted
 * fifty times costs one verification and one alignment per new copy, not fifty. Then, with a
 * budget of their own, the candidates that only bands propose (no key evidence), by the bands
 * no verified candidate shares yet: a version the keys could not reach (all its keys
 * saturated by stock phrases, or a short article without a sampled shingle).
 */
static nd_status find_verified(nd_reuse_state *s, verified *out, size_t *nout)
{
    *nout = 0;
    s->ncand = 0;
    nd_status e;
    /* The keys looked up are the shingles sampled at 1 in 2^DENSE_BITS: a prefix of the sorted
     * set. Their slots are fetched from memory all at once before they are read. */
    uint32_t nq = 0;
    while (nq < s->doc.nsh && sampled_at(s->doc.sh[nq], DENSE_BITS))
        nq++;
    if (!s->keys.n && !s->bands.n)
        return ND_OK;
    if (s->keys.n)
        for (uint32_t i = 0; i < nq; i++)
            PREFETCH(&s->keys.slot[home(s->doc.sh[i], s->keys.n)]);
    if (s->bands.n)
        for (size_t b = 0; b < s->nband; b++)
            PREFETCH(&s->bands.slot[home(s->band[b], s->bands.n)]);
    size_t got;
    for (uint32_t i = 0; i < nq; i++) {
        if ((e = index_find(s, &s->keys, s->doc.sh[i], i, KEY_CAP, 1, &got)) != ND_OK)
            return e;
        prof.postings += (int64_t)got;
    }
    for (size_t b = 0; b < s->nband; b++) {
        if ((e = index_find(s, &s->bands, s->band[b], nq + (uint32_t)b, BAND_CAP, 0, &got)) !=
            ND_OK)
            return e;
        prof.lsh_postings += (int64_t)got;
    }
    if (!s->ncand)
        return ND_OK;
    sketch_query(s);
    nd_reuse_sort_hi32(s->cand, s->cand + s->ncand, s->ncand);
    s->ncands = 0;
    for (size_t i = 0; i < s->ncand;) {
        size_t j = i, keys = 0, unsat = 0, bands = 0;
        uint32_t rowid = (uint32_t)(s->cand[i] >> 32);
        for (; j < s->ncand && (uint32_t)(s->cand[j] >> 32) == rowid; j++) {
            if (KEYIDX(s->cand[j]) >= nq) {
                bands++;
            } else {
                keys++;
                unsat += !(s->cand[j] & SATURATED);
            }
        }
        /* One key that already lists KEY_CAP articles is a stock phrase as often as not:
         * alone it is no evidence (a copy of a much-copied story shares many of them). A
         * shared band is evidence on its own (r rows of the signature agree). */
        int keyok = keys >= 2 || unsat;
        if (!keyok && !bands) {
            i = j;
            continue;
        }
        if ((e = nd_reserve((void **)&s->cands, &s->candscap, s->ncands + 1, sizeof *s->cands)) !=
            ND_OK)
            return e;
        s->cands[s->ncands++] =
            (cand){rowid, (uint32_t)i, (uint32_t)(j - i), 0, 0, (uint8_t)keyok, bands > 0};
        prof.eligible += keyok;
        prof.lsh_eligible += bands > 0;
        i = j;
    }
    /* The sketches of the first candidates, fetched ahead in two steps (entry, then list). */
    size_t ahead = s->ncands < MAX_LOOK ? s->ncands : MAX_LOOK;
    for (size_t c = 0; c < ahead; c++)
        if (s->cands[c].rowid < s->nsk)
            PREFETCH(&s->sk[s->cands[c].rowid]);
    for (size_t c = 0; c < ahead; c++)
        if (s->cands[c].rowid < s->nsk)
            if (s->sk[s->cands[c].rowid].nsh)
                PREFETCH(sketch_fp(s, &s->sk[s->cands[c].rowid]));
    if ((e = nd_reserve((void **)&s->covered, &s->coveredcap, nq + ND_REUSE_MH_BANDS + 1, 1)) !=
        ND_OK)
        return e;
    memset(s->covered, 0, nq + ND_REUSE_MH_BANDS);
    for (int phase = 0; phase < 2; phase++) {
        size_t tried = 0, looked = 0;
        size_t max_verify = phase ? LSH_VERIFY : MAX_VERIFY;
        size_t max_look = phase ? LSH_LOOK : MAX_LOOK;
        while (tried < max_verify && looked < max_look && *nout < MAX_ALIGN) {
            uint32_t top = 0;
            for (size_t c = 0; c < s->ncands; c++) {
                cand *x = &s->cands[c];
                if (x->done || !in_pass(x, phase))
                    continue;
                x->gain = gain_of(s, x, nq, phase);
                if (x->gain > top)
                    top = x->gain;
            }
            if (top == 0)
                break;
            /* Every near-tie of this round, in stored order, up to TIES_PER_PART verified
             * ones: equivalent versions of one text (the same wire story under two outlets)
             * are each paired with the new article, the rest of a long list of copies is
             * not. */
            size_t ties = 0, from = *nout;
            for (;;) {
                cand *pick = NULL;
                for (size_t c = 0; c < s->ncands; c++) {
                    cand *x = &s->cands[c];
                    if (!x->done && in_pass(x, phase) &&
                        (double)x->gain >= NEAR_TIE * (double)top &&
                        (!pick || x->rowid < pick->rowid))
                        pick = x;
                }
                if (!pick || ties >= TIES_PER_PART || tried >= max_verify || looked >= max_look ||
                    *nout >= MAX_ALIGN)
                    break;
                pick->done = 1;
                looked++;
                if (!sketch_may_pass(s, pick->rowid))
                    continue;
                tried++;
                size_t n;
                const uint32_t *sig;
                prof.candidates++;
                if ((e = read_sig(s, pick->rowid, &sig, &n)) != ND_OK)
                    return e;
                size_t shared = nd_reuse_intersect(sig, n, s->doc.sh, s->doc.nsh);
                size_t smaller = n < s->doc.nsh ? n : s->doc.nsh;
                if (shared < MIN_SHARED)
                    continue;
                if ((double)shared < CONTAIN * (double)smaller && shared < ABS_SHARED)
                    continue;
                out[(*nout)++] = (verified){pick->rowid, (uint32_t)shared, (uint32_t)n};
                ties++;
                if (phase)
                    prof.verified_lsh++;
                else
                    (*(pick->bands ? &prof.verified_both : &prof.verified_keys))++;
            }
            for (size_t v = from; v < *nout; v++) {
                const cand *x = NULL;
                for (size_t c = 0; c < s->ncands && !x; c++)
                    if (s->cands[c].rowid == out[v].rowid)
                        x = &s->cands[c];
                for (uint32_t k = x->off; k < x->off + x->n; k++)
                    s->covered[KEYIDX(s->cand[k])] = 1;
            }
        }
    }
    return ND_OK;
}

static nd_status store_sig(nd_reuse_state *s, int64_t rowid)
{
    size_t need = 4 * (s->doc.nsh + s->nedge + ND_REUSE_MH_K) + 1;
    nd_status e = nd_reserve((void **)&s->blob, &s->blobcap, need, 1);
    if (e != ND_OK)
        return e;
    for (size_t i = 0; i < s->doc.nsh; i++)
        put_u32(s->blob + 4 * i, s->doc.sh[i]);
    unsigned char *edge = s->blob + 4 * s->doc.nsh;
    for (size_t i = 0; i < s->nedge; i++)
        put_u32(edge + 4 * i, s->edge[i]);
    unsigned char *mh = edge + 4 * s->nedge;
    for (size_t i = 0; i < ND_REUSE_MH_K; i++)
        put_u32(mh + 4 * i, s->mh[i]);
    sqlite3_stmt *q = s->ins_sig;
    sqlite3_bind_int64(q, 1, (sqlite3_int64)rowid);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)s->doc.nsh);
    sqlite3_bind_blob(q, 3, s->blob, (int)(4 * s->doc.nsh), SQLITE_STATIC);
    sqlite3_bind_blob(q, 4, edge, (int)(4 * s->nedge), SQLITE_STATIC);
    /* An empty set has no signature worth keeping (and gets no bands). */
    if (s->doc.nsh)
        sqlite3_bind_blob(q, 5, mh, (int)(4 * ND_REUSE_MH_K), SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    if (rc != SQLITE_DONE)
        return sql_fail(s->st, rc, "storing a signature");
    return load_row(s, rowid, s->blob, 4 * s->doc.nsh, edge, 4 * s->nedge, s->mh);
}

/* The whole stage for one article. */
static nd_status process(nd_reuse_state *s, int64_t rowid, const nd_article *a)
{
    int timed = prof_on && prof.articles % ND_REUSE_PROF_EVERY == 0;
    double t = timed ? cpu_now() : 0;
    nd_status e = nd_rdoc_build(&s->doc, a);
    if (e == ND_ERR_TOO_BIG) {
        /* Past 4 GiB offsets do not fit the stage's 32-bit ranges: store an empty signature. */
        s->doc.ntok = s->doc.nsent = s->doc.npara = s->doc.nsh = 0;
        e = ND_OK;
    }
    if (e != ND_OK)
        return e;
    mark_boiler(s, &s->doc, nd_article_get(a, ND_FIELD_OUTLET), 1);
    if ((e = nd_rdoc_finish(&s->doc)) != ND_OK)
        return e;
    nd_reuse_minhash(s->doc.sh, s->doc.nsh, s->mh);
    s->nband = bands_of(s->mh, s->doc.nsh, s->band);

    if (timed)
        prof.signature_s += lap(&t);
    verified v[MAX_ALIGN];
    size_t nv;
    if ((e = find_verified(s, v, &nv)) != ND_OK)
        return e;
    if (timed)
        prof.candidates_s += lap(&t);
    prof.verified += (int64_t)nv;
    for (size_t i = 0; i < nv && i < MAX_ALIGN; i++)
        if ((e = align_pair(s, rowid, a, &v[i])) != ND_OK)
            return e;
    if (timed)
        prof.align_s += lap(&t);

    /* Restatements inside the article itself. */
    if ((e = nd_reuse_align(&s->pass, &s->al, &s->doc, &s->doc, 1)) != ND_OK)
        return e;
    for (size_t i = 0; i < s->pass.n; i++) {
        const nd_rpass *p = &s->pass.v[i];
        if ((e = insert_passage(s, rowid, p->a_start, p->a_end, rowid, p->b_start, p->b_end, p,
                                ND_ORIGIN_TIE)) != ND_OK)
            return e;
    }
    if (timed)
        prof.restate_s += lap(&t);
    e = store_sig(s, rowid);
    if (timed) {
        prof.store_s += lap(&t);
        prof.timed++;
    }
    prof.articles++;
    return e;
}

/* Runs the stage on articles stored before the stage existed (a migrated schema-1 store) or
 * while it was not run, in rowid order. */
static nd_status catch_up(nd_reuse_state *s, int64_t upto)
{
    sqlite3 *db = nd_store_db(s->st);
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT rowid FROM articles WHERE rowid > ?1 AND rowid < ?2"
                                " ORDER BY rowid",
                                -1, &q, NULL);
    if (rc != SQLITE_OK)
        return sql_fail(s->st, rc, "listing unseen articles");
    sqlite3_bind_int64(q, 1, (sqlite3_int64)s->hw);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)upto);
    int64_t *rows = NULL;
    size_t n = 0, cap = 0;
    nd_status e = ND_OK;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if ((e = nd_reserve((void **)&rows, &cap, n + 1, sizeof *rows)) != ND_OK)
            break;
        rows[n++] = sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    if (e == ND_OK && rc != SQLITE_DONE)
        e = sql_fail(s->st, rc, "listing unseen articles");
    for (size_t i = 0; i < n && e == ND_OK; i++) {
        nd_article *a = NULL;
        if ((e = nd_store_get_rowid(s->st, &a, rows[i])) == ND_OK)
            e = process(s, rows[i], a);
        nd_article_free(a);
    }
    nd_free(rows);
    return e;
}

nd_status nd_reuse_on_add(nd_reuse_state **state, nd_store *st, int64_t rowid, const nd_article *a)
{
    if (!state || !st || !a)
        return ND_ERR_ARG;
    nd_status e = ND_OK;
    if (!*state)
        e = state_new(state, st);
    nd_reuse_state *s = *state;
    if (e == ND_OK && s->hw + 1 < rowid)
        e = catch_up(s, rowid);
    if (e == ND_OK)
        e = process(s, rowid, a);
    /* Our own allocations set no message (SQLite's did, but say the same). */
    if (e == ND_ERR_NOMEM)
        nd_store_set_errmsg(st, "reuse: out of memory");
    return e;
}

void nd_reuse_state_free(nd_reuse_state *s)
{
    if (!s)
        return;
    sqlite3_finalize(s->ins_sig);
    sqlite3_finalize(s->get_sig);
    sqlite3_finalize(s->ins_pass);
    nd_free(s->keys.slot);
    nd_free(s->bands.slot);
    nd_free(s->bp);
    if (s->other.cache == s->doc.cache)
        s->other.cache = NULL;
    nd_rdoc_free(&s->doc);
    nd_rdoc_free(&s->other);
    nd_ralign_free(&s->al);
    nd_free(s->pass.v);
    nd_free(s->cand);
    nd_free(s->cands);
    nd_free(s->covered);
    nd_free(s->sig);
    for (size_t i = 0; i < SIG_CACHE; i++)
        nd_free(s->cache[i].v);
    nd_free(s->blob);
    nd_free(s->sk);
    for (size_t i = 0; i < s->nskchunk; i++)
        nd_free(s->skchunk[i]);
    nd_free(s->skchunk);
    nd_free(s);
}

size_t nd_reuse_state_bytes(const nd_reuse_state *s)
{
    if (!s)
        return 0;
    size_t cache = 0;
    for (size_t i = 0; i < SIG_CACHE; i++)
        cache += s->cache[i].cap * sizeof *s->cache[i].v;
    size_t other = nd_rdoc_bytes(&s->other);
    if (s->other.cache && s->other.cache == s->doc.cache)
        other -= ND_RDOC_CACHE * sizeof *s->other.cache;
    return cache + sizeof *s + s->keys.n * sizeof *s->keys.slot +
           s->bands.n * sizeof *s->bands.slot + s->nbp * sizeof *s->bp + nd_rdoc_bytes(&s->doc) +
           other + nd_ralign_bytes(&s->al) + s->pass.cap * sizeof *s->pass.v +
           s->candcap * sizeof *s->cand + s->coveredcap + s->candscap * sizeof *s->cands +
           s->sigcap * sizeof *s->sig + s->blobcap + s->skcap * sizeof *s->sk +
           s->nskchunk * SKCHUNK * sizeof **s->skchunk + s->skchunkcap * sizeof *s->skchunk;
}

/* ---- Listing ---------------------------------------------------------------------------- */

nd_status nd_reuse_list(nd_store *st, const char *id, nd_passage_fn fn, void *ctx)
{
    if (!st || !fn)
        return ND_ERR_ARG;
    sqlite3 *db = nd_store_db(st);
    if (!db)
        return ND_ERR_ARG;
    sqlite3_stmt *q = NULL;
    int rc;
    int64_t rowid = 0;
    if (id) {
        rc = sqlite3_prepare_v2(db, "SELECT rowid FROM articles WHERE id = ?1", -1, &q, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
        if (rc == SQLITE_OK)
            rc = sqlite3_step(q);
        if (rc == SQLITE_ROW)
            rowid = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
        q = NULL;
        if (rc == SQLITE_DONE) {
            nd_store_set_errmsg(st, "no article with id '%s'", id);
            return ND_ERR_NOT_FOUND;
        }
        if (rc != SQLITE_ROW)
            return sql_fail(st, rc, "looking up an article");
    }
    rc = sqlite3_prepare_v2(db,
                            id ? "SELECT ia.id, p.a_start, p.a_end, ib.id, p.b_start, p.b_end,"
                                 " p.kind, p.sim, p.basis FROM reuse_passage p"
                                 " JOIN articles ia ON ia.rowid = p.a"
                                 " JOIN articles ib ON ib.rowid = p.b"
                                 " WHERE p.a = ?1 OR p.b = ?1 ORDER BY p.rowid"
                               : "SELECT ia.id, p.a_start, p.a_end, ib.id, p.b_start, p.b_end,"
                                 " p.kind, p.sim, p.basis FROM reuse_passage p"
                                 " JOIN articles ia ON ia.rowid = p.a"
                                 " JOIN articles ib ON ib.rowid = p.b ORDER BY p.rowid",
                            -1, &q, NULL);
    if (rc != SQLITE_OK)
        return sql_fail(st, rc, "listing passages");
    if (id)
        sqlite3_bind_int64(q, 1, (sqlite3_int64)rowid);
    nd_status e = ND_OK;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        nd_passage p;
        p.a_id = (const char *)sqlite3_column_text(q, 0);
        p.a_start = (size_t)sqlite3_column_int64(q, 1);
        p.a_end = (size_t)sqlite3_column_int64(q, 2);
        p.b_id = (const char *)sqlite3_column_text(q, 3);
        p.b_start = (size_t)sqlite3_column_int64(q, 4);
        p.b_end = (size_t)sqlite3_column_int64(q, 5);
        int kind = sqlite3_column_int(q, 6);
        p.kind = kind >= 0 && kind < ND_REUSE_KIND_COUNT_ ? (nd_reuse_kind)kind : ND_REUSE_REWORDED;
        p.similarity = sqlite3_column_double(q, 7);
        int basis = sqlite3_column_int(q, 8);
        p.basis = basis >= ND_ORIGIN_DATE && basis <= ND_ORIGIN_UNKNOWN ? (nd_origin_basis)basis
                                                                        : ND_ORIGIN_UNKNOWN;
        if (!p.a_id || !p.b_id) {
            rc = SQLITE_NOMEM;
            break;
        }
        if (fn(ctx, &p)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    if (rc != SQLITE_DONE)
        e = sql_fail(st, rc, "listing passages");
    sqlite3_finalize(q);
    return e;
}
