/*
 * The store: articles in an SQLite database in WAL mode. See docs/store.md for the schema, the
 * transactions and the locking.
 *
 * One handle owns one SQLite connection, its prepared statements (prepared on first use and
 * kept for the life of the handle) and two scratch buffers for encoding span lists, so adding
 * an article allocates nothing in the steady state.
 */
#define _POSIX_C_SOURCE 200809L

#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cluster/cluster.h"
#include "ingest/article.h"
#include "newsdesk.h"
#include "reuse/reuse.h"
#include "store_blob.h"
#include "store_db.h"
#include "store_schema.h"
#include "util/alloc.h"
#include "util/buf.h"

#define DEFAULT_BUSY_MS 5000

/* Page cache per connection (negative: KiB). A batch of 1,000 articles dirties about 5 MB;
 * a cache that holds it avoids spilling to the WAL in the middle of a transaction. */
#define CACHE_KIB 16384

/* 16 KiB pages pack rows of 2-4 KB a little tighter (a store 10% smaller) but add a third
 * slower: the statement journal of each insertion copies whole pages (docs/store.md). */
#define PAGE_SIZE 4096

/* ---- Statements ------------------------------------------------------------------------- */

enum query {
    Q_BEGIN,
    Q_COMMIT,
    Q_ROLLBACK,
    Q_SAVEPOINT,
    Q_RELEASE,
    Q_ROLLBACK_TO,
    Q_LOOKUP,
    Q_INSERT,
    Q_GET,
    Q_LIST,
    Q_STATS,
    Q_PAGE_COUNT,
    Q_PAGE_SIZE,
    Q_USER_VERSION,
    Q_DATA_VERSION,
    Q_GET_ROWID,
    Q_ID_OF,
    Q_COUNT_
};

/* The ten nd_field columns come first in INSERT and GET, in nd_field order, so that parameter
 * f + 1 and result column f belong to field f.
 *
 * INSERT ... SELECT rather than VALUES: it makes SQLite keep a statement journal, so that when
 * the insertion runs out of disk or memory halfway SQLite undoes just this statement. With
 * VALUES it rolls back the whole transaction, and a batch of a thousand articles would be lost
 * for the one that did not fit. The journal costs about 5% of the adding speed. */
#define FIELD_COLUMNS "id, source, outlet, url, date, date_raw, headline, dek, byline, language"

static const char *const query_sql[Q_COUNT_] = {
    [Q_BEGIN] = "BEGIN IMMEDIATE",
    [Q_COMMIT] = "COMMIT",
    [Q_ROLLBACK] = "ROLLBACK",
    [Q_SAVEPOINT] = "SAVEPOINT nd_add",
    [Q_RELEASE] = "RELEASE nd_add",
    [Q_ROLLBACK_TO] = "ROLLBACK TO nd_add",
    [Q_LOOKUP] = "SELECT hash, source FROM articles WHERE id = ?1",
    [Q_INSERT] = "INSERT INTO articles(" FIELD_COLUMNS ", hash, added_at, body_bytes, raw_bytes,"
                 " paragraphs, sentences, blocks, sents, raw)"
                 " SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
                 " strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?12, ?13, ?14, ?15, ?16, ?17, ?18",
    [Q_GET] = "SELECT " FIELD_COLUMNS ", hash, body_bytes, paragraphs, sentences, blocks, sents,"
              " raw FROM articles WHERE id = ?1",
    [Q_LIST] = "SELECT id, outlet, url, date, headline, source, body_bytes, paragraphs, sentences"
               " FROM articles ORDER BY rowid",
    [Q_STATS] =
        "SELECT count(*), count(DISTINCT outlet), count(date), coalesce(sum(paragraphs), 0),"
        " coalesce(sum(sentences), 0), coalesce(sum(body_bytes), 0),"
        " coalesce(sum(raw_bytes), 0), min(date), max(date)"
        " FROM articles",
    [Q_PAGE_COUNT] = "PRAGMA page_count",
    [Q_PAGE_SIZE] = "PRAGMA page_size",
    [Q_USER_VERSION] = "PRAGMA user_version",
    [Q_DATA_VERSION] = "PRAGMA data_version",
    [Q_GET_ROWID] = "SELECT " FIELD_COLUMNS ", hash, body_bytes, paragraphs, sentences, blocks,"
                    " sents, raw FROM articles WHERE rowid = ?1",
    [Q_ID_OF] = "SELECT id FROM articles WHERE rowid = ?1",
};

/* Result columns of Q_GET after the fields. */
enum { G_HASH = ND_FIELD_COUNT_, G_BODY_BYTES, G_PARAS, G_SENTS, G_BLOCKS, G_SENTS_BLOB, G_RAW };

/* CPU time of the parts of an addition, for nd_store_timings(). The process CPU clock is a
 * system call (2-4 µs on a virtual machine, more than a tenth of a stage's time per article),
 * so each part is timed with the monotonic clock (a read of shared memory), and those wall
 * times are turned into CPU time by the share of CPU the process got: CPU over wall time,
 * measured around one addition in SAMPLE_EVERY, summed over a block of BLOCK additions.
 * Without contention the share is 1 and a part's wall time is its CPU time; on a loaded
 * machine the time spent waiting for a core is taken out, as the CPU clock did. */
#define SAMPLE_EVERY 8
#define BLOCK 128

enum { PART_INSERT, PART_REUSE, PART_CLUSTER, NPARTS };

typedef struct stage_clock {
    double wall[NPARTS];   /* wall seconds of each part in the current block */
    double s_cpu, s_wall;  /* CPU and wall seconds of the sampled additions of the block */
    double add_cpu, add_wall; /* at the start of the addition being sampled */
    unsigned n;            /* additions in the current block */
} stage_clock;

struct nd_store {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *q[Q_COUNT_];
    int readonly;
    int batch;      /* inside nd_store_begin() */
    int batch_lost; /* SQLite rolled the whole batch back after an error */
    nd_buf blocks, sents;
    char msg[512];
    /* The stages' in-memory caches (NULL until the first addition needs them) and the
     * PRAGMA data_version they were built under: another connection's commit changes it. */
    nd_reuse_state *reuse;
    nd_cluster_state *cluster;
    int64_t data_version;
    nd_timings timings;
    stage_clock clock;
};

/* ---- Errors ----------------------------------------------------------------------------- */

static void set_msg(nd_store *st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->msg, sizeof st->msg, fmt, ap);
    va_end(ap);
}

/* Turns an SQLite result code (extended codes are on) into a status and a message naming the
 * store. `what` says what was being done; `detail` is SQLite's message, or NULL to read it from
 * the connection (callers pass it when something has run since the failure). */
static nd_status sql_map(nd_store *st, int rc, const char *what, const char *detail)
{
    if (!detail)
        detail = st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc);
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        set_msg(st, "store %s is locked by another writer", st->path);
        return ND_ERR_BUSY;
    case SQLITE_FULL:
        set_msg(st, "store %s is full (%s: %s)", st->path, what, detail);
        return ND_ERR_FULL;
    case SQLITE_NOMEM:
        set_msg(st, "out of memory in store %s (%s)", st->path, what);
        return ND_ERR_NOMEM;
    case SQLITE_NOTADB:
        set_msg(st, "%s is not a newsdesk store (not an SQLite database)", st->path);
        return ND_ERR_NOT_STORE;
    case SQLITE_CANTOPEN:
        set_msg(st, "cannot open store %s: %s", st->path, detail);
        return ND_ERR_IO;
    case SQLITE_IOERR:
        if (rc == SQLITE_IOERR_NOMEM) {
            set_msg(st, "out of memory in store %s (%s)", st->path, what);
            return ND_ERR_NOMEM;
        }
        set_msg(st, "store %s: %s: input/output error: %s", st->path, what, detail);
        return ND_ERR_IO;
    case SQLITE_CORRUPT:
        set_msg(st, "store %s is corrupt (%s: %s)", st->path, what, detail);
        return ND_ERR_STORE;
    default: set_msg(st, "store %s: %s: %s", st->path, what, detail); return ND_ERR_STORE;
    }
}

/* Appends to the message (used to say that a batch was lost as well). */
static void add_msg(nd_store *st, const char *s)
{
    size_t n = strlen(st->msg);
    if (n < sizeof st->msg - 1)
        snprintf(st->msg + n, sizeof st->msg - n, "%s", s);
}

/* After out-of-memory, disk-full and I/O errors SQLite may roll back the whole transaction,
 * even for a failed read. Inside a batch that loses every addition since nd_store_begin();
 * the batch is then marked lost, so that no later call can commit half of it believing it
 * whole, until nd_store_rollback(). */
static void check_batch(nd_store *st)
{
    if (st->batch && st->db && sqlite3_get_autocommit(st->db)) {
        st->batch = 0;
        st->batch_lost = 1;
        add_msg(st, " (SQLite rolled the whole batch back)");
    }
}

/* sql_map() for every failure of an SQLite call, and a check that the batch survived it. */
static nd_status sql_fail(nd_store *st, int rc, const char *what, const char *detail)
{
    nd_status s = sql_map(st, rc, what, detail);
    check_batch(st);
    return s;
}

const char *nd_store_errmsg(const nd_store *st)
{
    if (!st)
        return "no store";
    return st->msg;
}

/* ---- Statement helpers ------------------------------------------------------------------ */

/* The cached statement for q, prepared on first use. Returns an SQLite code. */
static int stmt(nd_store *st, enum query q, sqlite3_stmt **out)
{
    if (!st->q[q]) {
        int rc = sqlite3_prepare_v3(st->db, query_sql[q], -1, SQLITE_PREPARE_PERSISTENT, &st->q[q],
                                    NULL);
        if (rc != SQLITE_OK)
            return rc;
    }
    *out = st->q[q];
    return SQLITE_OK;
}

/* Runs a statement without parameters or results (transaction control). */
static int run(nd_store *st, enum query q)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt(st, q, &s);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/* Runs a cached statement that returns one integer. */
static int cached_int(nd_store *st, enum query q, int64_t *out)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt(st, q, &s);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(s, 0);
        rc = SQLITE_OK;
    }
    sqlite3_reset(s);
    return rc;
}

/* Runs a one-off statement that returns one integer (PRAGMAs at open). */
static int query_int(nd_store *st, const char *sql, int64_t *out)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(s, 0);
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    return rc;
}

/* Runs a one-off statement that returns one string (PRAGMA journal_mode) into buf. */
static int query_str(nd_store *st, const char *sql, char *buf, size_t len)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
    if (rc != SQLITE_OK)
        return rc;
    buf[0] = '\0';
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const unsigned char *v = sqlite3_column_text(s, 0);
        snprintf(buf, len, "%s", v ? (const char *)v : "");
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    return rc;
}

/* ---- Stages ----------------------------------------------------------------------------- */

/* Drops the stages' in-memory state; the next addition rebuilds it from the database. Called
 * whenever memory may have run ahead of the database or behind it. */
static void drop_stages(nd_store *st)
{
    nd_reuse_state_free(st->reuse);
    nd_cluster_state_free(st->cluster);
    st->reuse = NULL;
    st->cluster = NULL;
}

/* Inside a write transaction, before the stages run: when another connection has committed
 * since the stages loaded their state, that state is stale. */
static int check_data_version(nd_store *st)
{
    int64_t v = 0;
    int rc = cached_int(st, Q_DATA_VERSION, &v);
    if (rc != SQLITE_OK)
        return rc;
    if (v != st->data_version) {
        drop_stages(st);
        st->data_version = v;
    }
    return SQLITE_OK;
}

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The share of CPU the sampled additions of the block got (1 before any sample). */
static double cpu_share(const stage_clock *c)
{
    if (c->s_wall <= 0)
        return 1;
    double f = c->s_cpu / c->s_wall;
    return f < 1 ? f : 1;
}

/* Adds the block's parts, as CPU seconds, to out. */
static void clock_settle(const stage_clock *c, nd_timings *out)
{
    double f = cpu_share(c);
    out->insert_s += c->wall[PART_INSERT] * f;
    out->reuse_s += c->wall[PART_REUSE] * f;
    out->cluster_s += c->wall[PART_CLUSTER] * f;
}

/* Called at the start and the end of each addition: samples one in SAMPLE_EVERY, and closes
 * the block every BLOCK additions. */
static void clock_add_begin(stage_clock *c)
{
    if (c->n % SAMPLE_EVERY == 0) {
        c->add_cpu = cpu_seconds();
        c->add_wall = wall_seconds();
    }
}

static void clock_add_end(nd_store *st)
{
    stage_clock *c = &st->clock;
    if (c->n % SAMPLE_EVERY == 0) {
        c->s_wall += wall_seconds() - c->add_wall;
        c->s_cpu += cpu_seconds() - c->add_cpu;
    }
    if (++c->n == BLOCK) {
        clock_settle(c, &st->timings);
        memset(c, 0, sizeof *c);
    }
}

/* Runs the stages on a newly inserted article, in order: reuse, then clustering (which may
 * read what reuse found). */
static nd_status run_stages(nd_store *st, const nd_article *a)
{
    int64_t rowid = (int64_t)sqlite3_last_insert_rowid(st->db);
    double t0 = wall_seconds();
    nd_status s = nd_reuse_on_add(&st->reuse, st, rowid, a);
    double t1 = wall_seconds();
    st->clock.wall[PART_REUSE] += t1 - t0;
    if (s != ND_OK)
        return s;
    s = nd_cluster_on_add(&st->cluster, st, rowid, a);
    st->clock.wall[PART_CLUSTER] += wall_seconds() - t1;
    return s;
}

sqlite3 *nd_store_db(nd_store *st)
{
    return st ? st->db : NULL;
}

void nd_store_set_errmsg(nd_store *st, const char *fmt, ...)
{
    if (!st)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->msg, sizeof st->msg, fmt, ap);
    va_end(ap);
}

void nd_store_timings(const nd_store *st, nd_timings *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof *out);
    if (!st)
        return;
    *out = st->timings;
    clock_settle(&st->clock, out);
    out->reuse_bytes = nd_reuse_state_bytes(st->reuse);
    out->cluster_bytes = nd_cluster_state_bytes(st->cluster);
}

/* ---- Open and close --------------------------------------------------------------------- */

int nd_store_schema_version(void)
{
    return nd_store_nmigrations;
}

/* Decides from the file's header and catalogue whether it is ours, before anything writes to
 * it: switching a stranger's database to WAL would already change it. A new or empty file has
 * no application_id, no user_version and no tables; anything else without our id belongs to
 * another program. Sets *version to the store's schema version. */
static nd_status check_identity(nd_store *st, int64_t *version)
{
    int64_t app = 0, uv = 0, tables = 0;
    int rc;
    if ((rc = query_int(st, "PRAGMA application_id", &app)) != SQLITE_OK ||
        (rc = query_int(st, "PRAGMA user_version", &uv)) != SQLITE_OK ||
        (rc = query_int(st, "SELECT count(*) FROM sqlite_master", &tables)) != SQLITE_OK)
        return sql_fail(st, rc, "reading the header", NULL);
    if (app != ND_STORE_APP_ID && app != 0) {
        set_msg(st, "%s is not a newsdesk store (an SQLite database with application_id 0x%08lx)",
                st->path, (unsigned long)(uint32_t)app);
        return ND_ERR_NOT_STORE;
    }
    if (app == 0 && (tables > 0 || uv != 0)) {
        set_msg(st, "%s is not a newsdesk store (an SQLite database of another program)", st->path);
        return ND_ERR_NOT_STORE;
    }
    if (uv > nd_store_schema_version()) {
        set_msg(st,
                "store schema %ld is newer than this newsdesk (schema %d); upgrade newsdesk"
                " to open %s",
                (long)uv, nd_store_schema_version(), st->path);
        return ND_ERR_SCHEMA;
    }
    if (st->readonly && uv == 0) {
        set_msg(st, "%s is empty, not a newsdesk store", st->path);
        return ND_ERR_NOT_STORE;
    }
    if (st->readonly && uv < nd_store_schema_version()) {
        set_msg(st,
                "store schema %ld of %s is older than this newsdesk (schema %d); open it "
                "for writing once to upgrade it",
                (long)uv, st->path, nd_store_schema_version());
        return ND_ERR_SCHEMA;
    }
    *version = uv;
    return ND_OK;
}

/* Connection settings and, for writers, WAL mode and the migrations. */
static nd_status configure(nd_store *st, const nd_store_opts *opts, int64_t version)
{
    char sql[96];
    int rc;
    if ((rc = sqlite3_exec(st->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL)) != SQLITE_OK)
        return sql_fail(st, rc, "setting foreign_keys", NULL);
    snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", CACHE_KIB);
    if ((rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL)) != SQLITE_OK)
        return sql_fail(st, rc, "setting cache_size", NULL);
    if (st->readonly)
        return ND_OK;

    /* The page size can only be chosen before the first table is written. */
    if (version == 0) {
        char ps[64];
        snprintf(ps, sizeof ps, "PRAGMA page_size = %d", PAGE_SIZE);
        if ((rc = sqlite3_exec(st->db, ps, NULL, NULL, NULL)) != SQLITE_OK)
            return sql_fail(st, rc, "setting page_size", NULL);
    }
    /* A reader of a WAL database never blocks the writer and sees only committed data. */
    char mode[16];
    if ((rc = query_str(st, "PRAGMA journal_mode = WAL", mode, sizeof mode)) != SQLITE_OK)
        return sql_fail(st, rc, "switching to WAL mode", NULL);
    const char *file = sqlite3_db_filename(st->db, "main");
    if (strcmp(mode, "wal") != 0 && file && *file) {
        set_msg(st, "cannot switch store %s to WAL mode (journal mode stays %s)", st->path, mode);
        return ND_ERR_STORE;
    }
    /* NORMAL: in WAL mode a commit is not synced, only checkpoints are. The store can never be
     * corrupted, but a power loss may forget the last commits (docs/store.md). */
    if ((rc = sqlite3_exec(st->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL)) != SQLITE_OK)
        return sql_fail(st, rc, "setting synchronous", NULL);
    /* Each addition inside a batch is a savepoint, and SQLite keeps the original of every page
     * the savepoint changes in a statement journal. Past 64 KiB that journal spills to a
     * temporary file, one write system call per page: a fifth of the clustering stage's time,
     * and the same in the other stages. In memory it is a copy, bounded by what one addition
     * changes. Only writers: readers keep their large sorts on disk. */
    if ((rc = sqlite3_exec(st->db, "PRAGMA temp_store = MEMORY", NULL, NULL, NULL)) != SQLITE_OK)
        return sql_fail(st, rc, "setting temp_store", NULL);
    if (opts && opts->max_pages > 0) {
        snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld", (long long)opts->max_pages);
        if ((rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL)) != SQLITE_OK)
            return sql_fail(st, rc, "setting max_page_count", NULL);
    }
    if (version < nd_store_schema_version()) {
        char detail[256] = "";
        int step = 0;
        rc = nd_store_migrate(st->db, nd_store_migrations, nd_store_nmigrations, &step, detail,
                              sizeof detail);
        if (rc != SQLITE_OK) {
            char what[64];
            snprintf(what, sizeof what, "creating schema %d", step + 1);
            return sql_fail(st, rc, what, detail);
        }
        /* A newer newsdesk may have created the store while we waited for the lock. */
        if ((rc = query_int(st, "PRAGMA user_version", &version)) != SQLITE_OK)
            return sql_fail(st, rc, "reading the schema version", NULL);
        if (version > nd_store_schema_version()) {
            set_msg(st,
                    "store schema %ld is newer than this newsdesk (schema %d); upgrade "
                    "newsdesk to open %s",
                    (long)version, nd_store_schema_version(), st->path);
            return ND_ERR_SCHEMA;
        }
    }
    return ND_OK;
}

nd_status nd_store_open(nd_store **out, const char *path, const nd_store_opts *opts)
{
    if (!out)
        return ND_ERR_ARG;
    *out = NULL;
    if (!path || !*path)
        return ND_ERR_ARG;
    nd_store *st = nd_calloc(1, sizeof *st);
    if (!st)
        return ND_ERR_NOMEM;
    if (!(st->path = nd_strdup(path))) {
        nd_free(st);
        return ND_ERR_NOMEM;
    }
    nd_buf_init(&st->blocks, 0);
    nd_buf_init(&st->sents, 0);
    *out = st;
    st->readonly = opts && opts->readonly;

    /* A reader opens read-write (never creating) and is made read-only by query_only: after
     * a writer was killed, the first connection must recover the WAL index, which a
     * SQLITE_OPEN_READONLY connection cannot do (SQLITE_READONLY_RECOVERY). SQLite falls
     * back to read-only by itself when the file is write-protected. */
    int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_READWRITE |
                (st->readonly ? 0 : SQLITE_OPEN_CREATE);
    int rc = sqlite3_open_v2(path, &st->db, flags, NULL);
    if (rc == SQLITE_OK && st->readonly)
        rc = sqlite3_exec(st->db, "PRAGMA query_only = ON", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return sql_fail(st, rc, "opening", NULL);
    sqlite3_extended_result_codes(st->db, 1);
    sqlite3_busy_timeout(st->db, opts && opts->busy_timeout_ms > 0 ? opts->busy_timeout_ms
                                                                   : DEFAULT_BUSY_MS);
    int64_t version = 0;
    nd_status s = check_identity(st, &version);
    if (s == ND_OK)
        s = configure(st, opts, version);
    return s;
}

void nd_store_close(nd_store *st)
{
    if (!st)
        return;
    drop_stages(st);
    for (int i = 0; i < Q_COUNT_; i++)
        sqlite3_finalize(st->q[i]);
    /* Closing rolls back an open transaction; the last connection checkpoints the WAL. */
    sqlite3_close_v2(st->db);
    nd_buf_free(&st->blocks);
    nd_buf_free(&st->sents);
    nd_free(st->path);
    nd_free(st);
}

/* ---- Transactions ----------------------------------------------------------------------- */

static nd_status writable(nd_store *st)
{
    if (st->readonly) {
        set_msg(st, "store %s is open for reading only", st->path);
        return ND_ERR_ARG;
    }
    if (st->batch_lost) {
        set_msg(st,
                "store %s: the batch was rolled back after an error; call "
                "nd_store_rollback() before going on",
                st->path);
        return ND_ERR_STORE;
    }
    return ND_OK;
}

nd_status nd_store_begin(nd_store *st)
{
    if (!st)
        return ND_ERR_ARG;
    nd_status s = writable(st);
    if (s != ND_OK)
        return s;
    if (st->batch) {
        set_msg(st, "store %s: a batch is already open", st->path);
        return ND_ERR_ARG;
    }
    /* IMMEDIATE takes the write lock now: a second writer waits here (up to the busy timeout)
     * instead of failing later when its read transaction cannot be upgraded. */
    int rc = run(st, Q_BEGIN);
    if (rc == SQLITE_OK && (rc = check_data_version(st)) != SQLITE_OK)
        run(st, Q_ROLLBACK);
    if (rc != SQLITE_OK)
        return sql_fail(st, rc, "beginning a batch", NULL);
    st->batch = 1;
    return ND_OK;
}

nd_status nd_store_commit(nd_store *st)
{
    if (!st)
        return ND_ERR_ARG;
    if (st->batch_lost) {
        st->batch_lost = 0;
        set_msg(st, "store %s: nothing committed: the batch was rolled back after an error",
                st->path);
        return ND_ERR_STORE;
    }
    if (!st->batch) {
        set_msg(st, "store %s: no batch to commit", st->path);
        return ND_ERR_ARG;
    }
    st->batch = 0;
    double t0 = wall_seconds();
    int rc = run(st, Q_COMMIT);
    st->timings.commit_s += wall_seconds() - t0;
    if (rc == SQLITE_OK)
        return ND_OK;
    /* A failed commit is a lost batch: leave no half-open transaction behind. */
    drop_stages(st);
    nd_status s = sql_fail(st, rc, "committing", NULL);
    if (!sqlite3_get_autocommit(st->db))
        run(st, Q_ROLLBACK);
    add_msg(st, " (the batch was rolled back)");
    return s;
}

nd_status nd_store_rollback(nd_store *st)
{
    if (!st)
        return ND_ERR_ARG;
    drop_stages(st);
    if (st->batch_lost) {
        st->batch_lost = 0;
        return ND_OK;
    }
    if (!st->batch) {
        set_msg(st, "store %s: no batch to roll back", st->path);
        return ND_ERR_ARG;
    }
    st->batch = 0;
    int rc = sqlite3_get_autocommit(st->db) ? SQLITE_OK : run(st, Q_ROLLBACK);
    return rc == SQLITE_OK ? ND_OK : sql_fail(st, rc, "rolling back", NULL);
}

/* ---- Adding ----------------------------------------------------------------------------- */

static int is_hash(const char *h)
{
    for (int i = 0; i < 32; i++)
        if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f')))
            return 0;
    return h[32] == '\0';
}

/* Looks the article's id up: ND_OK when it is not stored yet, ND_UNCHANGED when it is stored
 * with the same hash, ND_ERR_CONFLICT when with another, or an error. */
static nd_status lookup(nd_store *st, const nd_article *a)
{
    const char *id = a->field[ND_FIELD_ID];
    sqlite3_stmt *q = NULL;
    int rc = stmt(st, Q_LOOKUP, &q);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    if (rc != SQLITE_OK)
        return sql_fail(st, rc, "looking up an article", NULL);
    nd_status s = ND_OK;
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        const char *hash = (const char *)sqlite3_column_text(q, 0);
        const char *src = (const char *)sqlite3_column_text(q, 1);
        if ((!hash && sqlite3_column_type(q, 0) != SQLITE_NULL) ||
            (!src && sqlite3_column_type(q, 1) != SQLITE_NULL)) {
            s = sql_fail(st, SQLITE_NOMEM, "looking up an article", NULL);
        } else if (hash && strcmp(hash, a->hash) == 0) {
            s = ND_UNCHANGED;
            set_msg(st, "article %s is already stored with the same content", id);
        } else {
            s = ND_ERR_CONFLICT;
            set_msg(st, "article %s already stored with different content (source %s)", id,
                    src ? src : "unknown");
        }
    } else if (rc != SQLITE_DONE) {
        s = sql_fail(st, rc, "looking up an article", NULL);
    }
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return s;
}

static nd_status insert(nd_store *st, const nd_article *a)
{
    nd_buf_reset(&st->blocks);
    nd_buf_reset(&st->sents);
    nd_status s = nd_blob_encode(&st->blocks, a->blocks, a->nblocks, 1);
    if (s == ND_OK)
        s = nd_blob_encode(&st->sents, a->sents, a->nsents, 0);
    if (s != ND_OK) {
        set_msg(st, "article %s: cannot encode its spans (%s)", a->field[ND_FIELD_ID],
                nd_status_str(s));
        return s;
    }
    if (a->raw_len > INT32_MAX || st->blocks.len > INT32_MAX || st->sents.len > INT32_MAX) {
        set_msg(st, "article %s is too big for the store", a->field[ND_FIELD_ID]);
        return ND_ERR_TOO_BIG;
    }

    sqlite3_stmt *q = NULL;
    int rc = stmt(st, Q_INSERT, &q);
    for (int f = 0; f < ND_FIELD_COUNT_ && rc == SQLITE_OK; f++)
        rc = a->field[f] ? sqlite3_bind_text(q, f + 1, a->field[f], -1, SQLITE_STATIC)
                         : sqlite3_bind_null(q, f + 1);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(q, 11, a->hash, 32, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(q, 12, (sqlite3_int64)a->body_len);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(q, 13, (sqlite3_int64)a->raw_len);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(q, 14, (sqlite3_int64)a->nparas);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(q, 15, (sqlite3_int64)a->nsents);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_blob(q, 16, st->blocks.data, (int)st->blocks.len, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_blob(q, 17, st->sents.data, (int)st->sents.len, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(q, 18, a->raw, (int)a->raw_len, SQLITE_STATIC);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(q);
        if (rc == SQLITE_DONE)
            rc = SQLITE_OK;
    }
    if (rc != SQLITE_OK)
        s = sql_fail(st, rc, "adding an article", NULL);
    if (q) {
        sqlite3_reset(q);
        sqlite3_clear_bindings(q);
    }
    return s;
}

/* Ends an addition. On its own, the addition is a transaction: commit or roll back. Inside a
 * batch it is a savepoint: release it, or roll back to it so that a failure leaves nothing
 * (unless SQLite rolled the whole batch back already; see check_batch()). */
static nd_status finish_add(nd_store *st, nd_status s, int batch)
{
    int rc;
    if (!batch) {
        double t0 = wall_seconds();
        if (s == ND_OK && (rc = run(st, Q_COMMIT)) != SQLITE_OK)
            s = sql_fail(st, rc, "committing", NULL);
        st->timings.commit_s += wall_seconds() - t0;
        if (!sqlite3_get_autocommit(st->db))
            run(st, Q_ROLLBACK);
    } else {
        if (s == ND_OK && (rc = run(st, Q_RELEASE)) != SQLITE_OK)
            s = sql_fail(st, rc, "releasing a savepoint", NULL);
        if (s != ND_OK && st->batch) {
            run(st, Q_ROLLBACK_TO);
            run(st, Q_RELEASE);
            check_batch(st);
        }
    }
    /* The stages may have taken the article into memory before the failure. */
    if (s != ND_OK)
        drop_stages(st);
    else
        st->timings.articles++;
    return s;
}

nd_status nd_store_add(nd_store *st, const nd_article *a)
{
    if (!st)
        return ND_ERR_ARG;
    nd_status s = writable(st);
    if (s != ND_OK)
        return s;
    if (!a || !a->field[ND_FIELD_ID] || !*a->field[ND_FIELD_ID]) {
        set_msg(st, "store %s: cannot add an article without an id", st->path);
        return ND_ERR_ARG;
    }
    if (!is_hash(a->hash)) {
        set_msg(st, "article %s has no content hash", a->field[ND_FIELD_ID]);
        return ND_ERR_ARG;
    }
    /* Outside a batch, a stored article is found without taking the write lock; an id is never
     * updated, so the answer cannot change. The lookup is repeated under the lock. */
    if ((s = lookup(st, a)) != ND_OK)
        return s;
    int batch = st->batch;
    int rc = run(st, batch ? Q_SAVEPOINT : Q_BEGIN);
    if (rc != SQLITE_OK) {
        s = sql_fail(st, rc, "beginning a transaction", NULL);
        if (!batch && !sqlite3_get_autocommit(st->db))
            run(st, Q_ROLLBACK);
        return s;
    }
    if (!batch) {
        s = lookup(st, a);
        if (s == ND_OK && (rc = check_data_version(st)) != SQLITE_OK)
            s = sql_fail(st, rc, "reading the data version", NULL);
    }
    if (s == ND_OK) {
        clock_add_begin(&st->clock);
        double t0 = wall_seconds();
        s = insert(st, a);
        st->clock.wall[PART_INSERT] += wall_seconds() - t0;
        if (s == ND_OK)
            s = run_stages(st, a);
        clock_add_end(st);
    }
    return finish_add(st, s, batch);
}

/* ---- Reading ---------------------------------------------------------------------------- */

/* A non-NULL sentence list for articles without sentences: nd_article_assemble() splits the
 * body again when given NULL. */
static const nd_span no_spans[1];

/* Rebuilds the article of the current row of Q_GET. */
static nd_status load_row(nd_store *st, sqlite3_stmt *q, nd_article **out)
{
    nd_article_init in = {0};
    nd_span *blocks = NULL, *sents = NULL;
    size_t nblocks = 0, nsents = 0;
    const char *why = NULL;
    nd_status s;
    const char *id = (const char *)sqlite3_column_text(q, ND_FIELD_ID);

    /* A NULL from sqlite3_column_text() for a non-NULL value means out of memory. */
    for (int f = 0; f < ND_FIELD_COUNT_; f++) {
        in.field[f] = (const char *)sqlite3_column_text(q, f);
        if (!in.field[f] && sqlite3_column_type(q, f) != SQLITE_NULL)
            goto nomem;
    }
    if (!id)
        id = "?";
    const char *hash = (const char *)sqlite3_column_text(q, G_HASH);
    if (!hash || !is_hash(hash)) {
        why = "bad hash";
        goto corrupt;
    }
    in.raw = (const char *)sqlite3_column_text(q, G_RAW);
    if (!in.raw) {
        if (sqlite3_column_type(q, G_RAW) != SQLITE_NULL)
            goto nomem;
        why = "no text";
        goto corrupt;
    }
    in.raw_len = (size_t)sqlite3_column_bytes(q, G_RAW);
    int64_t body_bytes = sqlite3_column_int64(q, G_BODY_BYTES);
    int64_t nparas = sqlite3_column_int64(q, G_PARAS);
    int64_t nsent_col = sqlite3_column_int64(q, G_SENTS);
    const void *bb = sqlite3_column_blob(q, G_BLOCKS);
    size_t bblen = (size_t)sqlite3_column_bytes(q, G_BLOCKS);
    const void *sb = sqlite3_column_blob(q, G_SENTS_BLOB);
    size_t sblen = (size_t)sqlite3_column_bytes(q, G_SENTS_BLOB);
    if ((!bb && bblen) || (!sb && sblen))
        goto nomem;
    s = nd_blob_decode(&blocks, &nblocks, bb, bblen, 1, in.raw_len, &why);
    if (s == ND_ERR_NOMEM)
        goto nomem;
    if (s != ND_OK)
        goto corrupt;
    /* The body is the body blocks joined by blank lines: its length follows from the blocks
     * and must be the stored one before sentence offsets are checked against it. */
    uint64_t body_len = 0, nbody = 0;
    for (size_t i = 0; i < nblocks; i++) {
        if (nd_block_in_body(blocks[i].kind)) {
            body_len += (nbody ? 2 : 0) + (uint64_t)(blocks[i].raw_end - blocks[i].raw_start);
            nbody++;
        }
    }
    if (body_bytes < 0 || (uint64_t)body_bytes != body_len) {
        why = "body length does not match the blocks";
        goto corrupt;
    }
    s = nd_blob_decode(&sents, &nsents, sb, sblen, 0, (size_t)body_len, &why);
    if (s == ND_ERR_NOMEM)
        goto nomem;
    if (s != ND_OK)
        goto corrupt;
    in.blocks = blocks;
    in.nblocks = nblocks;
    in.sents = sents ? sents : no_spans;
    in.nsents = nsents;
    in.hash = hash;
    s = nd_article_assemble(out, &in);
    if (s == ND_ERR_NOMEM)
        goto nomem;
    if (s != ND_OK) {
        why = "spans do not fit the text";
        goto corrupt;
    }
    if ((*out)->body_len != (size_t)body_bytes || (int64_t)(*out)->nparas != nparas ||
        (int64_t)(*out)->nsents != nsent_col) {
        nd_article_free(*out);
        *out = NULL;
        why = "counts do not match the text";
        goto corrupt;
    }
    nd_free(blocks);
    nd_free(sents);
    return ND_OK;

nomem:
    nd_free(blocks);
    nd_free(sents);
    set_msg(st, "out of memory loading article %s from store %s", id ? id : "?", st->path);
    return ND_ERR_NOMEM;
corrupt:
    nd_free(blocks);
    nd_free(sents);
    set_msg(st, "stored article %s in %s is corrupt (%s)", id ? id : "?", st->path, why);
    return ND_ERR_STORE;
}

nd_status nd_store_get(nd_store *st, nd_article **out, const char *id)
{
    if (out)
        *out = NULL;
    if (!st)
        return ND_ERR_ARG;
    if (!out || !id) {
        set_msg(st, "nd_store_get: no %s", out ? "id" : "output");
        return ND_ERR_ARG;
    }
    sqlite3_stmt *q = NULL;
    int rc = stmt(st, Q_GET, &q);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    if (rc != SQLITE_OK)
        return sql_fail(st, rc, "loading an article", NULL);
    nd_status s;
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        s = load_row(st, q, out);
    } else if (rc == SQLITE_DONE) {
        set_msg(st, "no article %s in store %s", id, st->path);
        s = ND_ERR_NOT_FOUND;
    } else {
        s = sql_fail(st, rc, "loading an article", NULL);
    }
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return s;
}

nd_status nd_store_get_rowid(nd_store *st, nd_article **out, int64_t rowid)
{
    if (out)
        *out = NULL;
    if (!st || !out)
        return ND_ERR_ARG;
    /* A stage may load an article while a listing of its own runs on Q_GET_ROWID. */
    sqlite3_stmt *q = NULL, *own = NULL;
    int rc;
    if (st->q[Q_GET_ROWID] && sqlite3_stmt_busy(st->q[Q_GET_ROWID])) {
        rc = sqlite3_prepare_v2(st->db, query_sql[Q_GET_ROWID], -1, &own, NULL);
        q = own;
    } else {
        rc = stmt(st, Q_GET_ROWID, &q);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(q, 1, (sqlite3_int64)rowid);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(own);
        return sql_fail(st, rc, "loading an article", NULL);
    }
    nd_status s;
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        s = load_row(st, q, out);
    } else if (rc == SQLITE_DONE) {
        set_msg(st, "no article with rowid %lld in store %s", (long long)rowid, st->path);
        s = ND_ERR_NOT_FOUND;
    } else {
        s = sql_fail(st, rc, "loading an article", NULL);
    }
    if (own) {
        sqlite3_finalize(own);
    } else {
        sqlite3_reset(q);
        sqlite3_clear_bindings(q);
    }
    return s;
}

nd_status nd_store_id_of(nd_store *st, int64_t rowid, char *buf, size_t len)
{
    if (!st || !buf || !len)
        return ND_ERR_ARG;
    buf[0] = '\0';
    sqlite3_stmt *q = NULL;
    int rc = stmt(st, Q_ID_OF, &q);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(q, 1, (sqlite3_int64)rowid);
    if (rc != SQLITE_OK)
        return sql_fail(st, rc, "reading an article id", NULL);
    nd_status s = ND_OK;
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        const unsigned char *id = sqlite3_column_text(q, 0);
        if (id)
            snprintf(buf, len, "%s", (const char *)id);
        else
            s = sql_fail(st, SQLITE_NOMEM, "reading an article id", NULL);
    } else if (rc == SQLITE_DONE) {
        set_msg(st, "no article with rowid %lld in store %s", (long long)rowid, st->path);
        s = ND_ERR_NOT_FOUND;
    } else {
        s = sql_fail(st, rc, "reading an article id", NULL);
    }
    sqlite3_reset(q);
    return s;
}

static size_t col_size(sqlite3_stmt *q, int c)
{
    int64_t v = sqlite3_column_int64(q, c);
    return v > 0 ? (size_t)v : 0;
}

nd_status nd_store_list(nd_store *st, nd_list_fn fn, void *ctx)
{
    if (!st)
        return ND_ERR_ARG;
    if (!fn) {
        set_msg(st, "nd_store_list: no callback");
        return ND_ERR_ARG;
    }
    /* A callback may list again; the nested listing gets a statement of its own. */
    sqlite3_stmt *q = NULL, *own = NULL;
    int rc;
    if (st->q[Q_LIST] && sqlite3_stmt_busy(st->q[Q_LIST])) {
        rc = sqlite3_prepare_v2(st->db, query_sql[Q_LIST], -1, &own, NULL);
        q = own;
    } else {
        rc = stmt(st, Q_LIST, &q);
    }
    if (rc != SQLITE_OK)
        return sql_fail(st, rc, "listing articles", NULL);
    nd_status s = ND_OK;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        nd_summary sum = {
            .id = (const char *)sqlite3_column_text(q, 0),
            .outlet = (const char *)sqlite3_column_text(q, 1),
            .url = (const char *)sqlite3_column_text(q, 2),
            .date = (const char *)sqlite3_column_text(q, 3),
            .headline = (const char *)sqlite3_column_text(q, 4),
            .source = (const char *)sqlite3_column_text(q, 5),
            .body_bytes = col_size(q, 6),
            .paragraphs = col_size(q, 7),
            .sentences = col_size(q, 8),
        };
        if (!sum.id) {
            s = sql_fail(st,
                         sqlite3_errcode(st->db) == SQLITE_NOMEM ? SQLITE_NOMEM : SQLITE_CORRUPT,
                         "listing articles", "a row without an id");
            break;
        }
        if (fn(ctx, &sum))
            break;
    }
    if (s == ND_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
        s = sql_fail(st, rc, "listing articles", NULL);
    if (own)
        sqlite3_finalize(own);
    else
        sqlite3_reset(q);
    return s;
}

/* Bytes of the database file and its WAL: what the store takes on disk right now. */
static int64_t disk_bytes(nd_store *st, int64_t fallback)
{
    const char *file = sqlite3_db_filename(st->db, "main");
    struct stat sb;
    if (!file || !*file || stat(file, &sb) != 0)
        return fallback;
    int64_t n = (int64_t)sb.st_size;
    char wal[4096];
    if ((size_t)snprintf(wal, sizeof wal, "%s-wal", file) < sizeof wal && stat(wal, &sb) == 0)
        n += (int64_t)sb.st_size;
    return n;
}

nd_status nd_store_stats(nd_store *st, nd_stats *out)
{
    if (!st)
        return ND_ERR_ARG;
    if (!out) {
        set_msg(st, "nd_store_stats: no output");
        return ND_ERR_ARG;
    }
    memset(out, 0, sizeof *out);
    sqlite3_stmt *q = NULL;
    int rc = stmt(st, Q_STATS, &q);
    if (rc != SQLITE_OK)
        return sql_fail(st, rc, "counting articles", NULL);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        out->articles = sqlite3_column_int64(q, 0);
        out->outlets = sqlite3_column_int64(q, 1);
        out->dated = sqlite3_column_int64(q, 2);
        out->paragraphs = sqlite3_column_int64(q, 3);
        out->sentences = sqlite3_column_int64(q, 4);
        out->body_bytes = sqlite3_column_int64(q, 5);
        out->raw_bytes = sqlite3_column_int64(q, 6);
        const unsigned char *d0 = sqlite3_column_text(q, 7);
        const unsigned char *d1 = sqlite3_column_text(q, 8);
        snprintf(out->first_date, sizeof out->first_date, "%s", d0 ? (const char *)d0 : "");
        snprintf(out->last_date, sizeof out->last_date, "%s", d1 ? (const char *)d1 : "");
        rc = SQLITE_OK;
    }
    sqlite3_reset(q);
    if (rc != SQLITE_OK)
        return sql_fail(st, rc, "counting articles", NULL);
    int64_t pages = 0, page_size = 0, version = 0;
    if ((rc = cached_int(st, Q_PAGE_COUNT, &pages)) != SQLITE_OK ||
        (rc = cached_int(st, Q_PAGE_SIZE, &page_size)) != SQLITE_OK ||
        (rc = cached_int(st, Q_USER_VERSION, &version)) != SQLITE_OK)
        return sql_fail(st, rc, "reading the store's size", NULL);
    out->file_bytes = disk_bytes(st, pages * page_size);
    out->schema_version = (int)version;
    return ND_OK;
}
