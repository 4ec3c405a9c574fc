/*
 * newsdesk: turn a flood of news reports into stories.
 *
 * This is the whole public API. The command-line tool uses nothing else.
 *
 * Conventions, stated once for the whole API:
 *  - Every fallible function returns an nd_status: ND_OK (0) on success, a negative code on
 *    failure, and a few positive codes that are not errors (ND_DONE, ND_SKIPPED, ...).
 *  - Output parameters come first and are named `out`. What a function returns through
 *    `**out` belongs to the caller and is freed with the matching *_free or *_close function.
 *  - A `const char *` returned by an accessor is borrowed from its handle and lives as long
 *    as the handle (or until the next call that says it invalidates it).
 *  - Every handle carries a one-line message for the last failure (nd_*_errmsg). The library
 *    never prints, never exits, and never aborts on out-of-memory: it returns ND_ERR_NOMEM.
 *  - Free functions accept NULL.
 *  - Handles are not thread-safe: use one per thread.
 */
#ifndef NEWSDESK_H
#define NEWSDESK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ND_VERSION "0.1.0"

/* ------------------------------------------------------------------------------------------
 * Status codes
 * ---------------------------------------------------------------------------------------- */
typedef enum nd_status {
    ND_OK = 0,
    ND_DONE = 1,      /* iteration finished, nothing returned */
    ND_SKIPPED = 2,   /* an input was not an article and was skipped; the message says why */
    ND_UNCHANGED = 3, /* the article is already stored with the same content */

    ND_ERR_NOMEM = -1,     /* out of memory */
    ND_ERR_IO = -2,        /* reading or writing a file failed (missing, unreadable, ...) */
    ND_ERR_INPUT = -3,     /* the input is not a usable article (bad UTF-8, empty, binary, ...) */
    ND_ERR_TOO_BIG = -4,   /* one article is larger than the configured cap */
    ND_ERR_NOT_FOUND = -5, /* no such article */
    ND_ERR_CONFLICT = -6,  /* a different article is already stored under this id */
    ND_ERR_BUSY = -7,      /* the store is locked by another writer */
    ND_ERR_NOT_STORE = -8, /* the file exists but is not a newsdesk store */
    ND_ERR_SCHEMA = -9,    /* the store was written by a newer newsdesk */
    ND_ERR_FULL = -10,     /* the disk (or the store's size limit) is full */
    ND_ERR_STORE = -11,    /* any other failure of the store */
    ND_ERR_ARG = -12,      /* a caller passed an invalid argument */
} nd_status;

/* A short constant English name for a status ("out of memory", "not found", ...). */
const char *nd_status_str(nd_status st);

/* True for the codes that mean failure. */
#define ND_FAILED(st) ((st) < 0)

/* ------------------------------------------------------------------------------------------
 * Articles
 *
 * An article is everything parsed from one input article: metadata, the original text, the
 * layout blocks found in it, and the body with its paragraphs and sentences. All of it lives
 * in one arena owned by the article and is released by nd_article_free().
 *
 * Two texts, two kinds of offsets:
 *  - "raw" is the original text exactly as it came in: the whole text file, or the decoded
 *    `maintext` (or `text`) of a JSON line. Blocks (headline, captions, boilerplate, ...) are
 *    byte ranges of raw, so a user can cut them from their own input.
 *  - "body" is the article's running text: its body paragraphs and crossheads, in order,
 *    each copied verbatim from raw and separated by one blank line ("\n\n"). Paragraph and
 *    sentence offsets are given both into body and into raw.
 * All offsets are byte offsets, end exclusive.
 * ---------------------------------------------------------------------------------------- */
typedef struct nd_article nd_article;

/* Scalar fields of an article. */
typedef enum nd_field {
    ND_FIELD_ID,       /* unique id in a store: JSON `id`, else the file stem */
    ND_FIELD_SOURCE,   /* where it came from: "path", "path:line" for JSON Lines, "-" stdin */
    ND_FIELD_OUTLET,   /* outlet name or domain */
    ND_FIELD_URL,      /* address of the article */
    ND_FIELD_DATE,     /* publication date, ISO 8601: YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS] */
    ND_FIELD_DATE_RAW, /* the date as the input wrote it */
    ND_FIELD_HEADLINE, /* headline (title) */
    ND_FIELD_DEK,      /* subtitle / standfirst under the headline */
    ND_FIELD_BYLINE,   /* author line, as written */
    ND_FIELD_LANGUAGE, /* language code when known ("en") */
    ND_FIELD_COUNT_
} nd_field;

/* Returns the field's value, or NULL when the article has none. Borrowed from `a`. */
const char *nd_article_get(const nd_article *a, nd_field f);

/* The body (running text) and its length in bytes. Never NULL (may be ""). */
const char *nd_article_body(const nd_article *a, size_t *len);

/* The original text and its length in bytes. Never NULL. */
const char *nd_article_raw(const nd_article *a, size_t *len);

/* The content hash: XXH3-128 of the normalised body (NFKC, case folded, quotes, dashes and
 * spaces unified, runs of white space collapsed), as 32 lowercase hex digits. */
const char *nd_article_hash(const nd_article *a);

/* Layout block kinds, in the order a typical article shows them. */
typedef enum nd_block_kind {
    ND_BLOCK_URL,         /* a bare address line in the header */
    ND_BLOCK_DATE,        /* a date line ("6.06.2025", "First Published: ...") */
    ND_BLOCK_HEADLINE,    /* the headline */
    ND_BLOCK_DEK,         /* subtitle under the headline */
    ND_BLOCK_SEPARATOR,   /* a rule between header and body ("-", "***", "---") */
    ND_BLOCK_CAPTION,     /* photo caption, usually with a credit */
    ND_BLOCK_CREDIT,      /* a bare photo credit ("Photo: X/Reuters") */
    ND_BLOCK_BYLINE,      /* "By Jane Doe", "Jane Doe | Reuters" */
    ND_BLOCK_CROSSHEAD,   /* a subheading inside the body; part of the body */
    ND_BLOCK_PARAGRAPH,   /* a body paragraph; part of the body */
    ND_BLOCK_BOILERPLATE, /* "Read more: ...", share prompts, copyright lines, ... */
    ND_BLOCK_KIND_COUNT_
} nd_block_kind;

/* A lower-case constant name for a block kind ("headline", "caption", ...). */
const char *nd_block_kind_str(nd_block_kind k);

/* A byte range. `start`/`end` index the body and are ND_NOPOS for parts that are not in the
 * body (captions, boilerplate, header lines); `raw_start`/`raw_end` always index raw. */
#define ND_NOPOS ((size_t)-1)
typedef struct nd_span {
    size_t start, end;
    size_t raw_start, raw_end;
    nd_block_kind kind; /* for blocks; ND_BLOCK_PARAGRAPH for paragraphs and sentences */
} nd_span;

/* The parts of an article that come as lists of spans. */
typedef enum nd_part {
    ND_PART_BLOCK,     /* every layout block, in input order */
    ND_PART_PARAGRAPH, /* body paragraphs and crossheads, in order */
    ND_PART_SENTENCE,  /* body sentences, in order */
} nd_part;

/* The number of spans of a part. */
size_t nd_article_count(const nd_article *a, nd_part part);

/* The i-th span of a part (i < nd_article_count()). Returns ND_ERR_ARG when out of range. */
nd_status nd_article_span(nd_span *out, const nd_article *a, nd_part part, size_t i);

/* Frees an article and everything borrowed from it. */
void nd_article_free(nd_article *a);

/* ------------------------------------------------------------------------------------------
 * Reading input
 *
 * A reader walks a queue of inputs (files, folders, JSON Lines files, standard input) and
 * hands out one article at a time. Bad input never stops it: a failure is reported for that
 * one article (the message names the file and the line or byte offset) and the next call goes
 * on with the next article.
 * ---------------------------------------------------------------------------------------- */
typedef struct nd_reader nd_reader;

#define ND_DEFAULT_MAX_ARTICLE_BYTES ((size_t)16 << 20)

typedef struct nd_read_opts {
    size_t max_article_bytes; /* cap for one article (a file, a JSON line); 0 = default */
    const char *outlet;       /* overrides the outlet of every article read; NULL = keep */
    const char *date;         /* overrides the date (any format the date parser reads) */
    const char *url;          /* overrides the url */
    const char *stdin_id;     /* id of a text article read from standard input; NULL: "stdin" */
} nd_read_opts;

/* Creates a reader. `opts` may be NULL for defaults; its strings are copied. Returns
 * ND_ERR_ARG when opts->date is not a date nd_date_parse() reads. */
nd_status nd_reader_new(nd_reader **out, const nd_read_opts *opts);

/* Queues a path: a text file, a JSON Lines file (.jsonl/.ndjson, or content starting with
 * '{'), a folder (read recursively; files that are not articles are skipped and reported;
 * symlink loops are detected), or "-" for standard input. Nothing is read yet. */
nd_status nd_reader_add_path(nd_reader *r, const char *path);

/* Reads the next article.
 * Returns ND_OK with *out set (the caller's), ND_DONE when every input is exhausted,
 * ND_SKIPPED when a file was skipped (not an article; see nd_reader_errmsg), or a negative
 * code for an article that could not be read (see nd_reader_errmsg); after ND_SKIPPED or
 * an error, call again to go on. Only ND_ERR_NOMEM may leave the reader unusable. */
nd_status nd_reader_next(nd_reader *r, nd_article **out);

/* The message of the last ND_SKIPPED or error, naming the file and the line or offset. */
const char *nd_reader_errmsg(const nd_reader *r);

/* Bytes consumed so far and the total bytes of the queued regular files (for progress);
 * total is 0 when unknown (standard input, pipes). */
void nd_reader_progress(const nd_reader *r, uint64_t *done, uint64_t *total);

void nd_reader_free(nd_reader *r);

/* Parses one article from a memory buffer in the plain-text layout. `id` and `source` are
 * copied; `opts` may be NULL. On failure *out is NULL and, when `errbuf` is not NULL, a
 * message of at most `errlen` bytes is written to it. */
nd_status nd_article_parse_text(nd_article **out, const char *buf, size_t len, const char *id,
                                const char *source, const nd_read_opts *opts, char *errbuf,
                                size_t errlen);

/* Parses one news-please JSON object (one JSON line, without its newline). `fallback_id` is
 * used when the object has no `id`. Same conventions as nd_article_parse_text(). */
nd_status nd_article_parse_json(nd_article **out, const char *buf, size_t len,
                                const char *fallback_id, const char *source,
                                const nd_read_opts *opts, char *errbuf, size_t errlen);

/* Parses a date as articles write it ("6.06.2025", "June 6, 2025", "Nov. 30, 2009",
 * "2025-06-06", "First Published: ...", with or without a time) into ISO 8601 in `out`
 * (at least 26 bytes). Returns ND_OK, or ND_ERR_INPUT when `s` is not a date line. */
nd_status nd_date_parse(char *out, size_t outlen, const char *s, size_t len);

/* ------------------------------------------------------------------------------------------
 * The store
 *
 * SQLite in WAL mode: the system of record. Every write happens in a transaction; a crash or
 * kill at any moment leaves a consistent store. Any number of processes may read while one
 * writes.
 * ---------------------------------------------------------------------------------------- */
typedef struct nd_store nd_store;

typedef struct nd_store_opts {
    int readonly;          /* open for reading only; fails if the store does not exist */
    int busy_timeout_ms;   /* how long to wait for another writer; 0 = default (5000) */
    int64_t max_pages;     /* testing: cap the file at this many pages (0 = no cap) */
} nd_store_opts;

/* Opens (creating if needed, unless readonly) the store at `path`, and migrates an older
 * schema. On failure *out is still set when the reason can be read with nd_store_errmsg(),
 * else NULL; close it either way. `opts` may be NULL. */
nd_status nd_store_open(nd_store **out, const char *path, const nd_store_opts *opts);

/* The message of the last failure on this handle; owned by the handle. */
const char *nd_store_errmsg(const nd_store *st);

/* Closes the store; NULL is accepted. An open transaction is rolled back. */
void nd_store_close(nd_store *st);

/* Groups many additions in one transaction (much faster). nd_store_add() works without it,
 * in a transaction of its own. */
nd_status nd_store_begin(nd_store *st);
nd_status nd_store_commit(nd_store *st);
nd_status nd_store_rollback(nd_store *st);

/* Adds an article. Returns ND_OK when added, ND_UNCHANGED when the same content is already
 * stored under its id, ND_ERR_CONFLICT when different content is stored under its id, or
 * another error. A failed addition leaves nothing behind, even inside nd_store_begin(). */
nd_status nd_store_add(nd_store *st, const nd_article *a);

/* Loads a stored article by id. */
nd_status nd_store_get(nd_store *st, nd_article **out, const char *id);

/* One row of a listing; every pointer is borrowed for the duration of the callback and is NULL
 * when the article has no such field (id never is). */
typedef struct nd_summary {
    const char *id, *outlet, *url, *date, *headline, *source;
    size_t body_bytes;
    size_t paragraphs, sentences;
} nd_summary;

/* Called once per article; return non-zero to stop. */
typedef int (*nd_list_fn)(void *ctx, const nd_summary *s);

/* Lists stored articles in the order they were added. */
nd_status nd_store_list(nd_store *st, nd_list_fn fn, void *ctx);

typedef struct nd_stats {
    int64_t articles;
    int64_t outlets;             /* distinct outlets */
    int64_t dated;               /* articles with a date */
    int64_t paragraphs, sentences;
    int64_t body_bytes, raw_bytes;
    char first_date[32], last_date[32]; /* ISO 8601, "" when no article is dated */
    int64_t file_bytes;          /* size of the database file */
    int schema_version;
} nd_stats;

nd_status nd_store_stats(nd_store *st, nd_stats *out);

/* The schema version this library writes. */
int nd_store_schema_version(void);

/* Where nd_store_add() spent its time on this handle, for benchmarks and `add --timings`. */
typedef struct nd_timings {
    int64_t articles;                    /* articles added through this handle */
    double insert_s, reuse_s, cluster_s; /* CPU seconds: the article's row, each stage */
    double commit_s;                     /* wall seconds in commits */
    size_t reuse_bytes, cluster_bytes;   /* memory the stages hold now */
} nd_timings;

void nd_store_timings(const nd_store *st, nd_timings *out);

/* ------------------------------------------------------------------------------------------
 * Evaluation against gold data
 * ---------------------------------------------------------------------------------------- */
typedef struct nd_prf {
    int64_t tp, fp, fn;
    double precision, recall, f1;
} nd_prf;

typedef struct nd_sentence_eval {
    int64_t articles;
    int64_t gold_sentences, found_sentences;
    nd_prf boundaries; /* sentence boundaries (end offsets) */
    nd_prf exact;      /* sentences whose start and end both match */
} nd_sentence_eval;

/* Scores the sentence splitter against a gold file in the format of ECB+ `sentences.tsv`
 * (header `article\tstart\tend`, byte offsets into `<articles_dir>/<article>.txt`). Each
 * article is read with the plain-text reader and every block is split into sentences. On
 * failure a message is written to `errbuf`. */
nd_status nd_eval_sentences(nd_sentence_eval *out, const char *gold_tsv, const char *articles_dir,
                            char *errbuf, size_t errlen);

/* The scores of one level of a clustering (stories, or events inside stories). */
typedef struct nd_cluster_scores {
    /* Distinct clusters among the scored articles; in pred_clusters each gold article without
     * a prediction counts as one. */
    int64_t gold_clusters, pred_clusters;
    /* B-cubed: the mean over articles of the share of the article's predicted cluster that
     * is in its gold cluster (precision) and of its gold cluster that is in its predicted
     * cluster (recall). */
    double bcubed_precision, bcubed_recall, bcubed_f1;
    /* Pairs of articles: tp together in both, fp together only in the prediction, fn together
     * only in the gold. A ratio with an empty denominator (no pairs on that side) is 1. */
    nd_prf pairs;
} nd_cluster_scores;

typedef struct nd_cluster_eval {
    int64_t articles;  /* gold articles; every one is scored */
    int64_t predicted; /* assignments read from the prediction */
    int64_t missing;   /* gold articles without a prediction: scored as singletons */
    int64_t extra;     /* predicted articles that are not in the gold: not scored */
    char first_missing[128], first_extra[128]; /* an example id of each ("" when none) */
    nd_cluster_scores story;
    nd_cluster_scores event; /* an event is a (story, event) pair: ids may repeat per story */
} nd_cluster_eval;

/* Scores a clustering against a gold file with the header `article\tstory\tevent` (like ECB+
 * `gold.tsv`). The prediction is read from `pred_tsv` (same header, as `newsdesk export
 * clusters` writes it) when it is not NULL, else from every article of the store `st`. An
 * empty story or event field makes the article a cluster of its own at that level. On
 * failure a message is written to `errbuf`. */
nd_status nd_eval_clusters(nd_cluster_eval *out, const char *gold_tsv, nd_store *st,
                           const char *pred_tsv, char *errbuf, size_t errlen);

/* ------------------------------------------------------------------------------------------
 * Reuse: copied and reworded passages between articles, and restatements inside one.
 *
 * Found while articles are added (nd_store_add): each new article is checked against every
 * article stored before it. A passage is a pair of byte ranges, one in each article's raw
 * text (end exclusive), so a user can cut both from their own input. See docs/reuse.md.
 * ---------------------------------------------------------------------------------------- */

/* How a passage was reused. */
typedef enum nd_reuse_kind {
    ND_REUSE_VERBATIM,      /* the same words in the same order (case, punctuation, spacing,
                               quote and dash styles aside) */
    ND_REUSE_NEAR_VERBATIM, /* copy-edited: at most about one word in twenty changed */
    ND_REUSE_REWORDED,      /* the same statements in other words: changed words, stems,
                               reordered clauses */
    ND_REUSE_KIND_COUNT_
} nd_reuse_kind;

/* "verbatim", "near-verbatim", "reworded"; "?" for anything else. */
const char *nd_reuse_kind_str(nd_reuse_kind k);

/* Why article a is taken as the origin of a passage (b as the later copy). */
typedef enum nd_origin_basis {
    ND_ORIGIN_DATE,     /* a has the earlier publication date */
    ND_ORIGIN_CONTAINS, /* same or missing dates, and a contains b (b is a cut of a) */
    ND_ORIGIN_TIE,      /* both dated the same and neither contains the other: a is only the
                           one stored first; also every restatement (a == b) */
    ND_ORIGIN_UNKNOWN   /* a date is missing and neither contains the other: a is only the one
                           stored first */
} nd_origin_basis;

/* "date", "contains", "tie", "unknown"; "?" for anything else. */
const char *nd_origin_basis_str(nd_origin_basis b);

typedef struct nd_passage {
    const char *a_id;         /* a = origin or earlier */
    size_t a_start, a_end;    /* offsets into a's raw text */
    const char *b_id;         /* b = later copy */
    size_t b_start, b_end;    /* offsets into b's raw text */
    nd_reuse_kind kind;
    double similarity;        /* 0..1: word-level similarity of the two ranges */
    nd_origin_basis basis;
} nd_passage;

/* Called once per passage; the ids are borrowed for the call. Return non-zero to stop. */
typedef int (*nd_passage_fn)(void *ctx, const nd_passage *p);

/* Every reused passage in the store (id NULL), or those where `id` is a or b, in the order
 * they were found. Restatements inside one article have a_id == b_id. ND_ERR_NOT_FOUND when
 * `id` is not stored. */
nd_status nd_reuse_list(nd_store *st, const char *id, nd_passage_fn fn, void *ctx);

/* Scores of reuse found in a store against gold passages; see docs/reuse-eval.md.
 * Pairs are unordered article pairs; a pair is reported when the store has any passage
 * between its two articles. A pair's kind is the kind covering most bytes of its passages. */
typedef struct nd_reuse_kind_eval {
    int64_t gold, found;        /* gold pairs of this kind; of them, reported (with any kind) */
    int64_t predicted, correct; /* judged pairs reported with this kind; of them, gold pairs */
    double precision, recall;   /* correct / predicted, found / gold (0 when empty) */
    nd_prf chars;               /* characters, over the gold pairs of this kind */
} nd_reuse_kind_eval;

#define ND_REUSE_EVAL_CASES 16
/* Recall of one `case` of the gold file (how the generator made the pair). */
typedef struct nd_reuse_case_eval {
    char name[32];
    int64_t gold, found;
    double recall;
    nd_prf chars;
} nd_reuse_case_eval;

typedef struct nd_reuse_eval {
    int64_t gold_pairs;     /* pairs with gold passages */
    int64_t reported_pairs; /* distinct pairs of two articles with found passages */
    nd_prf pairs;           /* tp: gold pairs reported; fp: judged pairs reported that are not
                               gold; fn: gold pairs not reported */
    nd_reuse_kind_eval kinds[ND_REUSE_KIND_COUNT_];
    int64_t confusion[ND_REUSE_KIND_COUNT_][ND_REUSE_KIND_COUNT_]; /* [gold][reported] */
    nd_prf chars;           /* non-space characters of the passages, over judged pairs */
    int64_t negatives, negatives_reported; /* gold `none` pairs; of them, reported */
    int64_t unjudged, unjudged_reported;   /* gold `ignore` pairs; of them, reported */
    int64_t restatements;                  /* passages inside one article: not scored */
    int64_t origin_judged, origin_right;   /* reported gold pairs; of them, a = the gold a */
    size_t ncases;                         /* the first ND_REUSE_EVAL_CASES cases */
    nd_reuse_case_eval cases[ND_REUSE_EVAL_CASES];
} nd_reuse_eval;

/* Scores every passage of the store (nd_reuse_list) against a gold TSV with the columns of
 * `newsdesk reuse --format tsv` and an optional ninth, `case`; gold kinds are the passage
 * kinds, `none` (a judged pair that is not reuse) and `ignore` (a pair left out of the
 * scores). On failure a message is written to `errbuf`. */
nd_status nd_eval_reuse(nd_reuse_eval *out, nd_store *st, const char *gold_tsv, char *errbuf,
                        size_t errlen);

/* ------------------------------------------------------------------------------------------
 * Stories and events
 *
 * Every article is assigned once, when it is added, to a story and to an event inside that
 * story (see docs/cluster.md). Ids are short and stable: stories "S<n>", events "E<n>". When
 * two stories (or events) turn out to be one, they merge: the absorbed id is recorded as an
 * alias and still resolves to the survivor. When the articles of an event turn out to form
 * two groups (two look-alike events, mixed because the first report of the second arrived
 * before anything told them apart), the event splits: the group without its first article
 * moves to a new event id, the old id stays with the rest, and the split is recorded. Old
 * stories retire from the active window but stay in the store.
 * ---------------------------------------------------------------------------------------- */

/* One article's place: its current story and event (resolved through merges). */
typedef struct nd_assignment {
    const char *article, *story, *event;
} nd_assignment;

/* Return non-zero to stop. Pointers are borrowed for the call. */
typedef int (*nd_assignment_fn)(void *ctx, const nd_assignment *a);

/* Every stored article with its current story and event ids, in the order the articles were
 * added. An article without an assignment (none should exist) has story and event "". */
nd_status nd_clusters_export(nd_store *st, nd_assignment_fn fn, void *ctx);

/* One story in a listing. Dates are ISO 8601 (NULL when no article is dated). */
typedef struct nd_story_info {
    const char *id;
    int64_t articles, events, outlets;
    const char *first_date, *last_date;
    const char *headline; /* of its earliest article with one; NULL when none has */
    int active;           /* still in the active window (not retired) */
} nd_story_info;

typedef int (*nd_story_fn)(void *ctx, const nd_story_info *s);

/* Lists the stories, largest first (ties: latest activity first). With `all` zero only the
 * active ones; otherwise retired ones too. */
nd_status nd_stories_list(nd_store *st, int all, nd_story_fn fn, void *ctx);

/* One article of an event. */
typedef struct nd_event_article {
    const char *id, *date, *outlet, *headline; /* NULL when absent (id never is) */
} nd_event_article;

/* One event of a story, with its articles in added order. */
typedef struct nd_event_info {
    const char *story; /* the story's current id (an old merged id resolved) */
    const char *id;
    int64_t outlets;
    const char *first_date, *last_date;
    const nd_event_article *articles;
    size_t narticles;
} nd_event_info;

typedef int (*nd_event_fn)(void *ctx, const nd_event_info *e);

/* Walks the events of story `id` ("S12", or an id merged into another story), in the order
 * they began. ND_ERR_NOT_FOUND when no story has that id. */
nd_status nd_story_events(nd_store *st, const char *id, nd_event_fn fn, void *ctx);

/* Resolves a story or event id through merges into `out` (at least 24 bytes).
 * ND_ERR_NOT_FOUND when unknown. */
nd_status nd_cluster_resolve(nd_store *st, const char *id, char *out, size_t outlen);

#ifdef __cplusplus
}
#endif
#endif /* NEWSDESK_H */
