/*
 * Reuse (issue 4): near-duplicates, copied and reworded passages with raw offsets, and their
 * origin. Internal to the library; see docs/reuse.md for why it works the way it does.
 *
 * Three layers:
 *  - reuse_doc.c: an article as the stage sees it (nd_rdoc): word tokens located in raw,
 *    sentences and paragraphs, per-sentence sets of content stems, and the sorted set of
 *    shingle hashes that is both the verification set and the source of the index keys;
 *    the MinHash signature of that set.
 *  - reuse_align.c: sentence alignment of two documents (or of one with itself) into passages
 *    with raw offsets, a kind and a similarity.
 *  - reuse_stage.c: the store stage (index of sampled shingles, LSH bands of the MinHash
 *    signatures, verification, rows, origin) and the public listing nd_reuse_list().
 */
#ifndef ND_REUSE_H
#define ND_REUSE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "newsdesk.h"

/* ---- The store contract (docs/store.md, "Stages") --------------------------------------- */

/*
 * reuse_sig: one row per article the stage has seen (also the high-water mark), holding what
 *   verification needs without re-parsing: the sorted shingle hashes (`sh`, 4 bytes each,
 *   little endian) and the outlet-keyed hashes of the edge paragraphs (`edge`) from which the
 *   boilerplate counts are rebuilt. Schema 3 adds `mh`, the MinHash signature of `sh`
 *   (ND_REUSE_MH_K values, 4 bytes each, little endian; NULL for an empty set and for rows
 *   written before schema 3, whose signature is recomputed from `sh`: the same function of
 *   the same set).
 * reuse_passage: one row per reused passage; a = origin (or earlier), b = the later copy;
 *   offsets into each article's raw text. a == b for a restatement inside one article.
 */
#define ND_REUSE_SCHEMA                                                                            \
    "CREATE TABLE reuse_sig(rowid INTEGER PRIMARY KEY, nsh INTEGER NOT NULL,"                      \
    " sh BLOB NOT NULL, edge BLOB NOT NULL);"                                                      \
    "CREATE TABLE reuse_passage(a INTEGER NOT NULL, a_start INTEGER NOT NULL,"                     \
    " a_end INTEGER NOT NULL, b INTEGER NOT NULL, b_start INTEGER NOT NULL,"                       \
    " b_end INTEGER NOT NULL, kind INTEGER NOT NULL, sim REAL NOT NULL,"                           \
    " basis INTEGER NOT NULL);"                                                                    \
    "CREATE INDEX reuse_passage_a ON reuse_passage(a);"                                            \
    "CREATE INDEX reuse_passage_b ON reuse_passage(b);"
/* Schema 3: the MinHash signatures of the banded LSH index (an ADD COLUMN: old rows keep
 * NULL, which the stage reads as "recompute from sh"). */
#define ND_REUSE_SCHEMA_V3 "ALTER TABLE reuse_sig ADD COLUMN mh BLOB;"

typedef struct nd_reuse_state nd_reuse_state;

/* Runs the stage on the article just inserted as `rowid` (see src/store/store_db.h). */
nd_status nd_reuse_on_add(nd_reuse_state **state, nd_store *st, int64_t rowid, const nd_article *a);
/* Whether an article of `nsh` shingles is listed in the key index under its shingle `h` (the
 * content-defined sample, docs/reuse.md); for tests that build the index's worst cases. */
int nd_reuse_indexed(uint32_t h, size_t nsh);
/* Frees the in-memory state; NULL is accepted. */
void nd_reuse_state_free(nd_reuse_state *s);
/* Bytes the state holds now (index, boilerplate counts, scratch buffers). */
size_t nd_reuse_state_bytes(const nd_reuse_state *s);

/* Counters and phase CPU times of the stage in this thread, for benchmarks: the speed
 * target counts signature + candidates (with verification); alignment runs only for verified
 * pairs, restatements and the row writes for every article. The counters always run. Phase
 * times are taken only after nd_reuse_profile_enable(1), and then on one article in
 * ND_REUSE_PROF_EVERY: reading a CPU clock is a system call that costs 2-4 µs on a
 * virtualised machine, as much as a fifth of the stage's budget per article. The calibrated
 * cost of a clock read is subtracted from every interval. Per-article phase time =
 * phase_s / timed. */
#define ND_REUSE_PROF_EVERY 8
typedef struct nd_reuse_prof {
    int64_t articles;
    int64_t postings;     /* (key, article) entries found under the new articles' keys */
    int64_t eligible;     /* distinct candidates with enough key evidence to be looked at */
    int64_t sketched;     /* candidates compared with their in-memory sketch */
    int64_t candidates;   /* candidates verified exactly against their stored shingle sets */
    int64_t verified;     /* pairs that passed verification */
    int64_t sig_reads;    /* shingle sets read back from reuse_sig (not cached) */
    int64_t lsh_postings; /* (band, article) entries found under the new articles' bands */
    int64_t lsh_eligible; /* distinct candidates sharing at least one band */
    /* Verified pairs by the source that proposed them: keys only (the candidate shares no
     * band with the new article), both, or LSH bands only (no key evidence: what banded LSH
     * adds). */
    int64_t verified_keys, verified_both, verified_lsh;
    int64_t timed;       /* articles whose phases were timed */
    double signature_s;  /* tokens, stems, shingles, MinHash signature and bands */
    double candidates_s; /* index look-up, sketches, verification against stored sets */
    double align_s;      /* loading verified partners and aligning sentences */
    double restate_s;    /* restatements inside the new article */
    double store_s;      /* writing the signature row, updating the index and sketches */
} nd_reuse_prof;
void nd_reuse_profile(nd_reuse_prof *out);
void nd_reuse_profile_enable(int on);

/* ---- Documents (reuse_doc.c) ------------------------------------------------------------ */

/* Shingle width in content words (stopwords dropped, light stems); see docs/reuse.md. */
#define ND_REUSE_SHINGLE 3
/* At most this many word tokens of one article are looked at (bounds time and memory on
 * pathological input; 2^20 words is about 6 MB of English). */
#define ND_REUSE_MAX_TOKENS ((size_t)1 << 20)

typedef struct nd_rtok {
    uint32_t start, end; /* raw offsets */
    uint32_t word;       /* hash of the case-folded word */
    uint32_t stem;       /* hash of its light stem */
    uint16_t stop;       /* 1 for a stopword */
    uint16_t num;        /* 1 for a number (starts with a digit) */
} nd_rtok;

typedef struct nd_rsent {
    uint32_t start, end; /* raw offsets */
    uint32_t t0, t1;     /* token range */
    uint32_t s0, s1;     /* range of its sorted unique content stems in nd_rdoc.sset */
    uint32_t para;       /* paragraph index */
    uint32_t boiler;     /* 1 when its paragraph is outlet boilerplate */
} nd_rsent;

typedef struct nd_rpara {
    uint32_t start, end; /* raw offsets */
    uint32_t t0, t1;     /* token range */
    uint32_t hash;       /* hash of its word sequence */
    uint32_t boiler;     /* set by the caller before nd_rdoc_finish() */
    uint32_t seen;       /* articles of the same outlet already holding it at an edge */
} nd_rpara;

/* A cached word: its hash and length, its stem's hash, whether a stopword. 16,384 entries
 * (256 KB): a news stream's running vocabulary is tens of thousands of words, and a
 * 4,096-entry cache missed a third of the words of the benchmark stream. */
typedef struct nd_rword {
    uint32_t word, stem, len;
    uint16_t stop, num;
} nd_rword;
#define ND_RDOC_CACHE 16384

/* An article prepared for reuse detection. Zero-initialise; reuse across articles (memory is
 * kept); free with nd_rdoc_free(). Pointers into the article are not kept. */
typedef struct nd_rdoc {
    nd_rtok *tok;
    size_t ntok, tokcap;
    nd_rsent *sent;
    size_t nsent, sentcap;
    nd_rpara *para;
    size_t npara, paracap;
    uint32_t *sset; /* per-sentence sorted unique content stems, concatenated */
    size_t nsset, ssetcap;
    uint32_t *sh; /* sorted unique shingle hashes (boilerplate excluded) */
    size_t nsh, shcap;
    nd_rword *cache; /* ND_RDOC_CACHE words, allocated on first use unless set by the
                      * caller (two documents may share one: it depends on words only) */
} nd_rdoc;

/* Tokenises the body sentences of `a` (located in raw) and hashes paragraphs. Call
 * nd_rdoc_finish() next, after marking boilerplate paragraphs if any. */
nd_status nd_rdoc_build(nd_rdoc *d, const nd_article *a);
/* Computes the per-sentence stem sets and the shingle set, leaving out boilerplate. */
nd_status nd_rdoc_finish(nd_rdoc *d);
void nd_rdoc_free(nd_rdoc *d);
size_t nd_rdoc_bytes(const nd_rdoc *d);

/* The 32-bit hash mixer used for every key of the stage (murmur3's finaliser). */
static inline uint32_t nd_reuse_mix(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

/* MinHash signature of a shingle set, for banded LSH (docs/reuse.md, "Two candidate
 * sources"): one-permutation hashing into ND_REUSE_MH_K bins with optimal densification.
 * Bands of ND_REUSE_MH_ROWS rows: the chance that two sets of resemblance J share a band is
 * 1 - (1 - J^r)^b, 0.20 / 0.66 / 0.997 at J = 0.3 / 0.5 / 0.8. */
#define ND_REUSE_MH_BANDS 8
#define ND_REUSE_MH_ROWS 3
#define ND_REUSE_MH_K (ND_REUSE_MH_BANDS * ND_REUSE_MH_ROWS)

/* Fills sig[ND_REUSE_MH_K] from the n shingle hashes of sh (any order; all zero when n = 0). */
void nd_reuse_minhash(const uint32_t *sh, size_t n, uint32_t *sig);
/* The band keys of a signature: band[ND_REUSE_MH_BANDS], each a hash of the band's index and
 * its rows. */
void nd_reuse_bands(const uint32_t *sig, uint32_t *band);

/* Sorts v[0..n) by their high 32 bits, stably (equal keys keep their order), with tmp[0..n)
 * as scratch. */
void nd_reuse_sort_hi32(uint64_t *v, uint64_t *tmp, size_t n);

/* Size of the intersection of two sorted unique arrays. */
size_t nd_reuse_intersect(const uint32_t *a, size_t na, const uint32_t *b, size_t nb);

/* ---- Alignment (reuse_align.c) ---------------------------------------------------------- */

typedef struct nd_rpass {
    uint32_t a_start, a_end; /* raw offsets in a */
    uint32_t b_start, b_end; /* raw offsets in b */
    nd_reuse_kind kind;
    double similarity;
    uint32_t content; /* content words shared, summed over the sentence pairs */
} nd_rpass;

typedef struct nd_rpasses {
    nd_rpass *v;
    size_t n, cap;
} nd_rpasses;

typedef struct nd_rslot {
    uint32_t key, lo, hi; /* hi == 0: empty */
} nd_rslot;

/* Scratch memory of the aligner. Zero-initialise; free with nd_ralign_free(). */
typedef struct nd_ralign {
    uint64_t *post; /* (stem << 32 | sentence) of document a, sorted */
    size_t npost, postcap;
    uint32_t *cnt, *touched;
    size_t cntcap, touchcap;
    uint32_t *match; /* per sentence of b: matched sentence of a + 1, or 0 */
    uint32_t *shared;
    uint8_t *ext; /* per sentence of b: it also covers the sentence of a after its match */
    size_t matchcap;
    uint32_t *lcs;
    size_t lcscap;
    nd_rslot *tab; /* stem -> range of post */
    size_t ntab, tabcap;
} nd_ralign;

/* Aligns the sentences of b against those of a and appends the passages found to `out`
 * (replacing its contents). With same != 0, a and b are the same document and only
 * restatements are looked for: a later sentence against an earlier one of another paragraph. */
nd_status nd_reuse_align(nd_rpasses *out, nd_ralign *w, const nd_rdoc *a, const nd_rdoc *b,
                         int same);
void nd_ralign_free(nd_ralign *w);
size_t nd_ralign_bytes(const nd_ralign *w);

#endif
