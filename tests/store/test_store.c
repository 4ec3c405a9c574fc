/* The store: round trips, duplicates and conflicts, batches, identity checks, migrations,
 * corrupt rows, concurrent handles, a full disk, statistics and the span codec. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "newsdesk.h"
#include "store/store_blob.h"
#include "store/store_schema.h"
#include "store_fixture.h"
#include "support.h"
#include "util/alloc.h"

static nd_store *open_ok(const char *path, const nd_store_opts *opts)
{
    nd_store *st = NULL;
    nd_status s = nd_store_open(&st, path, opts);
    if (s != ND_OK)
        fail_msg("open %s: %s: %s", path, nd_status_str(s), nd_store_errmsg(st));
    return st;
}

static void add_ok(nd_store *st, const nd_article *a)
{
    nd_status s = nd_store_add(st, a);
    if (s != ND_OK)
        fail_msg("add %s: %s: %s", nd_article_get(a, ND_FIELD_ID), nd_status_str(s),
                 nd_store_errmsg(st));
}

static void make_id(char *buf, size_t len, int i)
{
    snprintf(buf, len, "art-%04d", i);
}

/* Runs one SQL script on a file with SQLite directly. */
static void sql(const char *path, const char *script)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *err = NULL;
    if (sqlite3_exec(db, script, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", script, err);
    sqlite3_close(db);
}

static int64_t sql_int(const char *path, const char *query)
{
    sqlite3 *db;
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, query, -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return v;
}

/* ---- round trip ------------------------------------------------------------------------- */

typedef struct {
    int n;
    char ids[64][16];
    size_t sentences[64];
    int stop_after;
} list_ctx;

static int collect(void *ctx, const nd_summary *s)
{
    list_ctx *c = ctx;
    assert_true(c->n < 64);
    snprintf(c->ids[c->n], sizeof c->ids[c->n], "%s", s->id);
    c->sentences[c->n] = s->sentences;
    c->n++;
    return c->stop_after && c->n >= c->stop_after;
}

static void test_round_trip(void **state)
{
    (void)state;
    const char *path = t_path("rt.db");
    nd_store *st = open_ok(path, NULL);
    nd_stats stats;
    assert_int_equal(nd_store_stats(st, &stats), ND_OK);
    assert_int_equal(stats.articles, 0);
    assert_int_equal(stats.schema_version, nd_store_schema_version());
    assert_string_equal(stats.first_date, "");

    /* Ids added in an order that is not their sort order, to check insertion order. */
    enum { N = 30 };
    nd_article *arts[N];
    for (int i = 0; i < N; i++) {
        char id[16];
        make_id(id, sizeof id, (i * 7) % N);
        arts[i] = fx_article(id, (uint64_t)i, 1 + i % 9);
        add_ok(st, arts[i]);
    }
    for (int i = 0; i < N; i++) {
        nd_article *got = NULL;
        assert_int_equal(nd_store_get(st, &got, nd_article_get(arts[i], ND_FIELD_ID)), ND_OK);
        fx_same(arts[i], got);
        nd_article_free(got);
    }
    nd_store_close(st);

    /* Again from a read-only handle: the articles come back from the file. */
    nd_store_opts ro = {.readonly = 1};
    st = open_ok(path, &ro);
    list_ctx lc = {0};
    assert_int_equal(nd_store_list(st, collect, &lc), ND_OK);
    assert_int_equal(lc.n, N);
    for (int i = 0; i < N; i++) {
        assert_string_equal(lc.ids[i], nd_article_get(arts[i], ND_FIELD_ID));
        assert_int_equal(lc.sentences[i], nd_article_count(arts[i], ND_PART_SENTENCE));
        nd_article *got = NULL;
        assert_int_equal(nd_store_get(st, &got, lc.ids[i]), ND_OK);
        fx_same(arts[i], got);
        nd_article_free(got);
    }
    /* A callback that stops the listing early. */
    list_ctx early = {.stop_after = 3};
    assert_int_equal(nd_store_list(st, collect, &early), ND_OK);
    assert_int_equal(early.n, 3);

    /* Writing through a read-only handle is refused. */
    assert_int_equal(nd_store_add(st, arts[0]), ND_ERR_ARG);
    assert_non_null(strstr(nd_store_errmsg(st), "reading only"));
    assert_int_equal(nd_store_begin(st), ND_ERR_ARG);

    nd_article *none = NULL;
    assert_int_equal(nd_store_get(st, &none, "no-such-id"), ND_ERR_NOT_FOUND);
    assert_null(none);
    assert_non_null(strstr(nd_store_errmsg(st), "no-such-id"));
    nd_store_close(st);
    for (int i = 0; i < N; i++)
        nd_article_free(arts[i]);
}

/* An article with an empty body and no sentences survives the trip with none. */
static void test_empty_body(void **state)
{
    (void)state;
    nd_span blocks[1] = {{.raw_start = 0, .raw_end = 14, .kind = ND_BLOCK_HEADLINE}};
    nd_article_init in = {.raw = "Only a heading\n", .raw_len = 15, .blocks = blocks, .nblocks = 1};
    in.field[ND_FIELD_ID] = "empty";
    nd_article *a = NULL, *got = NULL;
    assert_int_equal(nd_article_assemble(&a, &in), ND_OK);
    assert_int_equal(nd_article_count(a, ND_PART_SENTENCE), 0);
    nd_store *st = open_ok(t_path("empty.db"), NULL);
    add_ok(st, a);
    assert_int_equal(nd_store_get(st, &got, "empty"), ND_OK);
    fx_same(a, got);
    nd_article_free(got);
    nd_store_close(st);
    nd_article_free(a);
}

/* ---- duplicates and batches ------------------------------------------------------------- */

static void test_unchanged_and_conflict(void **state)
{
    (void)state;
    nd_store *st = open_ok(t_path("dup.db"), NULL);
    nd_article *a = fx_article("same", 1, 4);
    nd_article *a2 = fx_article("same", 1, 4); /* the same content again */
    nd_article *b = fx_article("same", 2, 4);  /* other content under the same id */
    add_ok(st, a);
    assert_int_equal(nd_store_add(st, a2), ND_UNCHANGED);
    assert_int_equal(nd_store_add(st, b), ND_ERR_CONFLICT);
    const char *msg = nd_store_errmsg(st);
    assert_non_null(strstr(msg, "same"));
    assert_non_null(strstr(msg, "already stored with different content"));
    assert_non_null(strstr(msg, "fixture:1")); /* the source of the stored article */

    /* The same inside a batch, where they must not disturb the other additions. */
    nd_article *c = fx_article("other", 3, 2);
    assert_int_equal(nd_store_begin(st), ND_OK);
    assert_int_equal(nd_store_add(st, b), ND_ERR_CONFLICT);
    assert_int_equal(nd_store_add(st, a2), ND_UNCHANGED);
    add_ok(st, c);
    assert_int_equal(nd_store_add(st, c), ND_UNCHANGED);
    assert_int_equal(nd_store_commit(st), ND_OK);

    nd_article *got = NULL;
    assert_int_equal(nd_store_get(st, &got, "same"), ND_OK);
    fx_same(a, got);
    nd_article_free(got);
    nd_stats stats;
    assert_int_equal(nd_store_stats(st, &stats), ND_OK);
    assert_int_equal(stats.articles, 2);
    nd_store_close(st);
    nd_article_free(a);
    nd_article_free(a2);
    nd_article_free(b);
    nd_article_free(c);
}

static void test_batches(void **state)
{
    (void)state;
    const char *path = t_path("batch.db");
    nd_store *st = open_ok(path, NULL);
    nd_article *arts[10];
    for (int i = 0; i < 10; i++) {
        char id[16];
        make_id(id, sizeof id, i);
        arts[i] = fx_article(id, (uint64_t)(100 + i), 3);
    }
    assert_int_equal(nd_store_commit(st), ND_ERR_ARG);
    assert_int_equal(nd_store_rollback(st), ND_ERR_ARG);

    assert_int_equal(nd_store_begin(st), ND_OK);
    assert_int_equal(nd_store_begin(st), ND_ERR_ARG);
    for (int i = 0; i < 5; i++)
        add_ok(st, arts[i]);
    assert_int_equal(nd_store_rollback(st), ND_OK);
    nd_stats stats;
    assert_int_equal(nd_store_stats(st, &stats), ND_OK);
    assert_int_equal(stats.articles, 0);

    assert_int_equal(nd_store_begin(st), ND_OK);
    for (int i = 0; i < 10; i++)
        add_ok(st, arts[i]);
    assert_int_equal(nd_store_commit(st), ND_OK);
    /* An open batch is rolled back by close. */
    nd_article *extra = fx_article("uncommitted", 7, 2);
    assert_int_equal(nd_store_begin(st), ND_OK);
    add_ok(st, extra);
    nd_store_close(st);

    st = open_ok(path, NULL);
    assert_int_equal(nd_store_stats(st, &stats), ND_OK);
    assert_int_equal(stats.articles, 10);
    nd_article *got = NULL;
    assert_int_equal(nd_store_get(st, &got, "uncommitted"), ND_ERR_NOT_FOUND);
    nd_store_close(st);
    nd_article_free(extra);
    for (int i = 0; i < 10; i++)
        nd_article_free(arts[i]);
}

/* ---- identity ---------------------------------------------------------------------------- */

static nd_status open_status(const char *path, char *msg, size_t len)
{
    nd_store *st = NULL;
    nd_status s = nd_store_open(&st, path, NULL);
    snprintf(msg, len, "%s", nd_store_errmsg(st));
    nd_store_close(st);
    return s;
}

static void test_not_a_store(void **state)
{
    (void)state;
    char msg[512];
    const char *text = "This is a plain text file, not a database at all.\n";

    const char *p = t_path("notes.db");
    t_write_file(p, text, strlen(text));
    assert_int_equal(open_status(p, msg, sizeof msg), ND_ERR_NOT_STORE);
    assert_non_null(strstr(msg, p));
    /* The file was not touched. */
    size_t len;
    char *back = t_read_file(p, &len);
    assert_int_equal(len, strlen(text));
    free(back);

    /* A larger binary file that is not SQLite either. */
    char junk[8192];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (char)(i * 31 + 7);
    p = t_path("junk.db");
    t_write_file(p, junk, sizeof junk);
    assert_int_equal(open_status(p, msg, sizeof msg), ND_ERR_NOT_STORE);

    /* Another program's database: tables, no application id. It must stay in its journal
     * mode (byte 18 of the header is 1 for rollback journals, 2 for WAL). */
    p = t_path("other.db");
    sql(p, "CREATE TABLE recipes(name TEXT, minutes INTEGER);"
           "INSERT INTO recipes VALUES('soup', 40);");
    assert_int_equal(open_status(p, msg, sizeof msg), ND_ERR_NOT_STORE);
    assert_non_null(strstr(msg, p));
    back = t_read_file(p, &len);
    assert_true(len >= 100);
    assert_int_equal(back[18], 1);
    free(back);

    /* Another program's application id, even without tables. */
    p = t_path("otherid.db");
    sql(p, "PRAGMA application_id = 12345; CREATE TABLE t(x); DROP TABLE t;");
    assert_int_equal(open_status(p, msg, sizeof msg), ND_ERR_NOT_STORE);
    assert_non_null(strstr(msg, "application_id"));

    /* A store written by a newer newsdesk. */
    p = t_path("newer.db");
    nd_store *st = open_ok(p, NULL);
    nd_store_close(st);
    sql(p, "PRAGMA user_version = 99;");
    assert_int_equal(open_status(p, msg, sizeof msg), ND_ERR_SCHEMA);
    char want[96];
    snprintf(want, sizeof want, "store schema 99 is newer than this newsdesk (schema %d)",
             nd_store_schema_version());
    assert_non_null(strstr(msg, want));
    assert_non_null(strstr(msg, "upgrade newsdesk"));

    /* A read-only open needs an existing store. */
    nd_store_opts ro = {.readonly = 1};
    st = NULL;
    assert_int_equal(nd_store_open(&st, t_path("missing.db"), &ro), ND_ERR_IO);
    assert_non_null(strstr(nd_store_errmsg(st), "missing.db"));
    nd_store_close(st);
    p = t_path("zero.db");
    t_write_file(p, "", 0);
    st = NULL;
    assert_int_equal(nd_store_open(&st, p, &ro), ND_ERR_NOT_STORE);
    nd_store_close(st);
    /* ... but an empty file opened for writing becomes a store. */
    st = open_ok(p, NULL);
    nd_store_close(st);
    assert_int_equal(sql_int(p, "PRAGMA application_id"), ND_STORE_APP_ID);
    assert_int_equal(sql_int(p, "PRAGMA user_version"), nd_store_schema_version());

    /* Bad arguments. */
    st = (nd_store *)1;
    assert_int_equal(nd_store_open(&st, NULL, NULL), ND_ERR_ARG);
    assert_null(st);
    assert_int_equal(nd_store_open(NULL, p, NULL), ND_ERR_ARG);
    nd_store_close(NULL);
}

/* ---- migrations ------------------------------------------------------------------------- */

static void test_migrations(void **state)
{
    (void)state;
    const char *p = t_path("mig.db");
    sqlite3 *db;
    assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
    const char *steps[] = {
        "CREATE TABLE a(x); INSERT INTO a VALUES(1);",
        "CREATE TABLE b(y);",
        "CREATE TABLE c(z); INSERT INTO no_such_table VALUES(1);",
    };
    int failed = -1;
    char msg[256] = "";
    assert_int_equal(nd_store_migrate(db, steps, 2, &failed, msg, sizeof msg), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(sql_int(p, "PRAGMA user_version"), 2);
    assert_int_equal(sql_int(p, "PRAGMA application_id"), ND_STORE_APP_ID);

    /* At version 2, steps 0 and 1 are not run again (they would fail: the tables exist). */
    assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
    assert_int_equal(nd_store_migrate(db, steps, 2, &failed, msg, sizeof msg), SQLITE_OK);
    /* A failing step leaves the store at the last good version, with nothing of the step. */
    assert_int_equal(nd_store_migrate(db, steps, 3, &failed, msg, sizeof msg), SQLITE_ERROR);
    assert_int_equal(failed, 2);
    assert_non_null(strstr(msg, "no_such_table"));
    assert_int_equal(sqlite3_get_autocommit(db), 1);
    sqlite3_close(db);
    assert_int_equal(sql_int(p, "PRAGMA user_version"), 2);
    assert_int_equal(sql_int(p, "SELECT count(*) FROM sqlite_master WHERE name = 'c'"), 0);
    assert_int_equal(sql_int(p, "SELECT count(*) FROM a"), 1);

    /* A database at version 0 without tables (a file SQLite made but nobody filled) becomes a
     * store. */
    p = t_path("blank.db");
    sql(p, "CREATE TABLE t(x); DROP TABLE t;");
    nd_store *st = open_ok(p, NULL);
    nd_store_close(st);
    assert_int_equal(sql_int(p, "PRAGMA user_version"), nd_store_schema_version());

    /* Opening a current store changes nothing: the creation stamp stays. */
    sql(p, "UPDATE meta SET value = 'stamp' WHERE key = 'created_at';");
    st = open_ok(p, NULL);
    nd_store_close(st);
    assert_int_equal(sql_int(p, "SELECT count(*) FROM meta WHERE value = 'stamp'"), 1);
    assert_int_equal(sql_int(p, "PRAGMA user_version"), nd_store_schema_version());
    assert_int_equal(nd_store_schema_version(), nd_store_nmigrations);
}

/* A store of schema 1 (articles only) is upgraded in place: its articles stay readable and
 * new ones can be added. Made by stripping a current store down to what schema 1 had. */
static int parse_in(nd_article **out, const char *text, const char *id)
{
    return nd_article_parse_text(out, text, strlen(text), id, id, NULL, NULL, 0);
}

static void test_upgrade_from_v1(void **state)
{
    (void)state;
    const char *p = t_path("v1.db");
    nd_article *a = NULL, *b = NULL, *got = NULL;
    assert_int_equal(parse_in(&a, "Old report\n\nA harbour crane fell over in the storm.\n",
                              "old"), ND_OK);
    assert_int_equal(parse_in(&b, "New report\n\nThe crane was lifted again on Monday.\n",
                              "new"), ND_OK);
    nd_store *st = open_ok(p, NULL);
    add_ok(st, a);
    nd_store_close(st);

    sqlite3 *db;
    assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT type, name FROM sqlite_master WHERE name NOT IN"
                                        " ('articles', 'meta') AND type IN ('table', 'view')"
                                        " AND name NOT LIKE 'sqlite_%'",
                                        -1, &q, NULL),
                     SQLITE_OK);
    char drops[4096] = "";
    while (sqlite3_step(q) == SQLITE_ROW) {
        size_t n = strlen(drops);
        snprintf(drops + n, sizeof drops - n, "DROP %s %s;", sqlite3_column_text(q, 0),
                 sqlite3_column_text(q, 1));
    }
    sqlite3_finalize(q);
    assert_int_equal(sqlite3_exec(db, drops, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 1", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    st = open_ok(p, NULL);
    nd_stats stats;
    assert_int_equal(nd_store_stats(st, &stats), ND_OK);
    assert_int_equal(stats.schema_version, nd_store_schema_version());
    assert_int_equal(nd_store_get(st, &got, "old"), ND_OK);
    fx_same(a, got);
    add_ok(st, b);
    assert_int_equal(nd_store_stats(st, &stats), ND_OK);
    assert_int_equal(stats.articles, 2);
    nd_article_free(got);
    nd_store_close(st);
    nd_article_free(a);
    nd_article_free(b);
}

static int count_passages(void *ctx, const nd_passage *p)
{
    (void)p;
    (*(int *)ctx)++;
    return 0;
}

/* A store of schema 2 (reuse rows without MinHash signatures) is upgraded in place: the
 * column is added, old rows keep NULL, new rows get a signature, and an article added after
 * the upgrade is still checked against those stored before it. Made by dropping the column
 * from a current store. */
static void test_upgrade_from_v2(void **state)
{
    (void)state;
    const char *p = t_path("v2.db");
    static const char body[] =
        "Crane falls at the harbour\n\n"
        "The harbour crane collapsed during the storm on Tuesday night, crushing two parked "
        "lorries near the ferry terminal. Port engineers said corroded bolts at the base of the "
        "crane had failed under strong gusts.\n\n"
        "The ferry service to the islands resumed on Wednesday morning after inspectors cleared "
        "the quay.\n";
    nd_article *a = NULL, *b = NULL;
    assert_int_equal(parse_in(&a, body, "before"), ND_OK);
    assert_int_equal(parse_in(&b, body, "after"), ND_OK);
    nd_store *st = open_ok(p, NULL);
    add_ok(st, a);
    nd_store_close(st);
    sql(p, "ALTER TABLE reuse_sig DROP COLUMN mh; PRAGMA user_version = 2;");
    assert_int_equal(sql_int(p, "SELECT count(*) FROM pragma_table_info('reuse_sig')"
                                " WHERE name = 'mh'"),
                     0);

    st = open_ok(p, NULL);
    assert_int_equal(sql_int(p, "PRAGMA user_version"), 3);
    assert_int_equal(nd_store_schema_version(), 3);
    assert_int_equal(sql_int(p, "SELECT count(*) FROM reuse_sig WHERE mh IS NULL"), 1);
    add_ok(st, b);
    assert_int_equal(sql_int(p, "SELECT count(*) FROM reuse_sig WHERE mh IS NULL"), 1);
    assert_int_equal(sql_int(p, "SELECT length(mh) FROM reuse_sig WHERE mh IS NOT NULL"), 96);
    int n = 0;
    assert_int_equal(nd_reuse_list(st, "after", count_passages, &n), ND_OK);
    assert_true(n >= 1);
    nd_store_close(st);
    nd_article_free(a);
    nd_article_free(b);
}

/* ---- corrupt rows ----------------------------------------------------------------------- */

static nd_status get_status(const char *path, const char *id)
{
    nd_store *st = open_ok(path, NULL);
    nd_article *a = NULL;
    nd_status s = nd_store_get(st, &a, id);
    if (s == ND_OK)
        assert_non_null(a);
    else
        assert_null(a);
    if (s == ND_ERR_STORE)
        assert_non_null(strstr(nd_store_errmsg(st), "corrupt"));
    nd_article_free(a);
    nd_store_close(st);
    return s;
}

static void test_corrupt_rows(void **state)
{
    (void)state;
    const char *p = t_path("corrupt.db");
    nd_store *st = open_ok(p, NULL);
    nd_article *a = fx_article("victim", 5, 6);
    add_ok(st, a);
    nd_article_free(a);
    nd_store_close(st);

    const char *damage[] = {
        "UPDATE articles SET blocks = X'FF'",         /* truncated varint */
        "UPDATE articles SET blocks = X''",           /* no count */
        "UPDATE articles SET blocks = X'0109000000'", /* count 1, trailing bytes */
        "UPDATE articles SET blocks = X'016300000A'", /* kind 99 */
        "UPDATE articles SET blocks = X'7F010101'",   /* count larger than the data */
        "UPDATE articles SET blocks = X'010981FFFFFFFFFFFFFFFF0100'", /* varint > 64 bits */
        "UPDATE articles SET blocks = X'0109FFFFFFFF0F00'", /* offset past the end of raw */
        "UPDATE articles SET blocks = X'010903FF'",         /* truncated length */
        "UPDATE articles SET sents = X'02000A'",            /* truncated entry */
        "UPDATE articles SET sents = X'0103FF01'",          /* negative offset */
        "UPDATE articles SET sents = X'0100FFFF03'",        /* span past the body */
        "UPDATE articles SET hash = 'abc'",
        "UPDATE articles SET hash = 'ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ'",
        "UPDATE articles SET body_bytes = body_bytes + 1",
        "UPDATE articles SET body_bytes = -5",
        "UPDATE articles SET paragraphs = paragraphs + 1",
        "UPDATE articles SET sentences = 0",
        "UPDATE articles SET raw = substr(raw, 1, 20)",
    };
    const char *bp = t_path("corrupt-copy.db");
    for (size_t i = 0; i < sizeof damage / sizeof *damage; i++) {
        /* Damage a fresh copy of the store each time. */
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "cp '%s' '%s'", p, bp);
        assert_int_equal(system(cmd), 0);
        sql(bp, damage[i]);
        nd_status s = get_status(bp, "victim");
        if (s != ND_ERR_STORE)
            fail_msg("%s: got %s", damage[i], nd_status_str(s));
    }

    /* Random bytes and every truncation of the real blobs: never a crash, only OK or a clean
     * error. */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT blocks, sents FROM articles", -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    unsigned char blob[2][1024];
    int blen[2];
    for (int c = 0; c < 2; c++) {
        blen[c] = sqlite3_column_bytes(q, c);
        assert_true(blen[c] > 0 && blen[c] < 1024);
        memcpy(blob[c], sqlite3_column_blob(q, c), (size_t)blen[c]);
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    uint64_t seed = 42;
    for (int c = 0; c < 2; c++) {
        for (int n = 0; n < blen[c]; n++) {
            nd_span *v = NULL;
            size_t nv = 0;
            const char *why = NULL;
            nd_status s = nd_blob_decode(&v, &nv, blob[c], (size_t)n, c == 0, 100000, &why);
            assert_int_equal(s, ND_ERR_STORE);
            assert_non_null(why);
            assert_null(v);
        }
        for (int round = 0; round < 2000; round++) {
            unsigned char m[1024];
            memcpy(m, blob[c], (size_t)blen[c]);
            for (int k = 0; k < 3; k++)
                m[fx_rand(&seed) % (uint64_t)blen[c]] = (unsigned char)fx_rand(&seed);
            nd_span *v = NULL;
            size_t nv = 0;
            nd_status s = nd_blob_decode(&v, &nv, m, (size_t)blen[c], c == 0, 5000, NULL);
            assert_true(s == ND_OK || s == ND_ERR_STORE);
            for (size_t i = 0; i < nv; i++) {
                size_t e = c == 0 ? v[i].raw_end : v[i].end;
                assert_true(e <= 5000);
            }
            nd_free(v);
        }
    }
}

/* ---- span codec ------------------------------------------------------------------------- */

static void test_blob_codec(void **state)
{
    (void)state;
    uint64_t seed = 7;
    nd_span v[300], *back = NULL;
    for (int round = 0; round < 200; round++) {
        size_t n = (size_t)(fx_rand(&seed) % 300), pos = 0, limit = (size_t)1 << 40;
        for (size_t i = 0; i < n; i++) {
            /* Mostly increasing, sometimes overlapping or going back, sometimes far. */
            uint64_t r = fx_rand(&seed);
            size_t start =
                r % 7 == 0 && pos > 50 ? pos - (size_t)(r % 50) : pos + (size_t)(r % 300);
            if (r % 97 == 0)
                start = (size_t)(r % ((size_t)1 << 39));
            size_t end = start + (size_t)(fx_rand(&seed) % 2000);
            v[i] = (nd_span){.start = start,
                             .end = end,
                             .raw_start = start,
                             .raw_end = end,
                             .kind = (nd_block_kind)(fx_rand(&seed) % ND_BLOCK_KIND_COUNT_)};
            pos = end;
        }
        for (int with_kind = 0; with_kind < 2; with_kind++) {
            nd_buf b;
            nd_buf_init(&b, 0);
            assert_int_equal(nd_blob_encode(&b, v, n, with_kind), ND_OK);
            size_t nb = 0;
            assert_int_equal(nd_blob_decode(&back, &nb, b.data, b.len, with_kind, limit, NULL),
                             ND_OK);
            assert_int_equal(nb, n);
            for (size_t i = 0; i < n; i++) {
                if (with_kind) {
                    assert_int_equal(back[i].raw_start, v[i].raw_start);
                    assert_int_equal(back[i].raw_end, v[i].raw_end);
                    assert_int_equal(back[i].kind, v[i].kind);
                } else {
                    assert_int_equal(back[i].start, v[i].start);
                    assert_int_equal(back[i].end, v[i].end);
                }
            }
            /* The limit is enforced. */
            if (n > 0) {
                size_t maxend = 0;
                for (size_t i = 0; i < n; i++)
                    maxend = v[i].end > maxend ? v[i].end : maxend;
                nd_span *none = NULL;
                size_t nn = 0;
                assert_int_equal(
                    nd_blob_decode(&none, &nn, b.data, b.len, with_kind, maxend - 1, NULL),
                    ND_ERR_STORE);
                assert_null(none);
            }
            nd_free(back);
            back = NULL;
            nd_buf_free(&b);
        }
    }
    /* Small deltas take one byte each: a typical sentence costs two bytes. */
    nd_span s[3] = {
        {.start = 0, .end = 100}, {.start = 101, .end = 180}, {.start = 182, .end = 300}};
    nd_buf b;
    nd_buf_init(&b, 0);
    assert_int_equal(nd_blob_encode(&b, s, 3, 0), ND_OK);
    assert_int_equal(b.len, 1 + 3 * 2);
    nd_buf_free(&b);
}

/* ---- concurrency ------------------------------------------------------------------------ */

static void test_reader_and_writers(void **state)
{
    (void)state;
    const char *p = t_path("conc.db");
    nd_store_opts quick = {.busy_timeout_ms = 50};
    nd_store *w = open_ok(p, NULL);
    nd_store *r = open_ok(p, NULL);
    nd_store *w2 = open_ok(p, &quick);
    nd_article *a = fx_article("first", 11, 3), *b = fx_article("second", 12, 3);
    nd_article *c = fx_article("third", 13, 3), *got = NULL;
    add_ok(w, a);

    assert_int_equal(nd_store_begin(w), ND_OK);
    add_ok(w, b);
    /* The reader sees the committed article, not the one in the open batch. */
    assert_int_equal(nd_store_get(r, &got, "first"), ND_OK);
    nd_article_free(got);
    assert_int_equal(nd_store_get(r, &got, "second"), ND_ERR_NOT_FOUND);
    list_ctx lc = {0};
    assert_int_equal(nd_store_list(r, collect, &lc), ND_OK);
    assert_int_equal(lc.n, 1);
    /* A second writer gives up after its busy timeout. */
    assert_int_equal(nd_store_begin(w2), ND_ERR_BUSY);
    assert_non_null(strstr(nd_store_errmsg(w2), "locked by another writer"));
    assert_non_null(strstr(nd_store_errmsg(w2), p));
    assert_int_equal(nd_store_add(w2, c), ND_ERR_BUSY);
    /* ... and opening the store meanwhile works. */
    nd_store *r2 = open_ok(p, &quick);
    nd_store_close(r2);

    assert_int_equal(nd_store_commit(w), ND_OK);
    assert_int_equal(nd_store_get(r, &got, "second"), ND_OK);
    fx_same(b, got);
    nd_article_free(got);
    add_ok(w2, c);
    assert_int_equal(nd_store_get(w, &got, "third"), ND_OK);
    nd_article_free(got);

    nd_store_close(w);
    nd_store_close(r);
    nd_store_close(w2);
    nd_article_free(a);
    nd_article_free(b);
    nd_article_free(c);
}

/* Listing from inside a listing callback, and reading while listing. */
typedef struct {
    nd_store *st;
    int outer, inner;
} nest_ctx;

static int count_inner(void *ctx, const nd_summary *s)
{
    (void)s;
    ((nest_ctx *)ctx)->inner++;
    return 0;
}

static int nest(void *ctx, const nd_summary *s)
{
    nest_ctx *c = ctx;
    c->outer++;
    assert_int_equal(nd_store_list(c->st, count_inner, c), ND_OK);
    nd_article *a = NULL;
    assert_int_equal(nd_store_get(c->st, &a, s->id), ND_OK);
    nd_article_free(a);
    return 0;
}

static void test_nested_list(void **state)
{
    (void)state;
    nd_store *st = open_ok(t_path("nest.db"), NULL);
    for (int i = 0; i < 4; i++) {
        char id[16];
        make_id(id, sizeof id, i);
        nd_article *a = fx_article(id, (uint64_t)i, 2);
        add_ok(st, a);
        nd_article_free(a);
    }
    nest_ctx c = {.st = st};
    assert_int_equal(nd_store_list(st, nest, &c), ND_OK);
    assert_int_equal(c.outer, 4);
    assert_int_equal(c.inner, 16);
    nd_store_close(st);
}

/* ---- a full disk ------------------------------------------------------------------------ */

static void test_disk_full(void **state)
{
    (void)state;
    nd_store_opts small = {.max_pages = 60};
    char id[16];
    nd_article *got = NULL;
    nd_stats stats;
    for (int batch = 0; batch < 2; batch++) {
        const char *p = t_path(batch ? "full-batch.db" : "full.db");
        nd_store *st = open_ok(p, &small);
        int added = 0;
        nd_status s = ND_OK;
        if (batch) {
            assert_int_equal(nd_store_begin(st), ND_OK);
            /* A refused article does not end the batch. */
            assert_int_equal(nd_store_add(st, NULL), ND_ERR_ARG);
        }
        while (added < 1000) {
            make_id(id, sizeof id, added);
            nd_article *a = fx_article(id, (uint64_t)added, 8);
            s = nd_store_add(st, a);
            nd_article_free(a);
            if (s != ND_OK)
                break;
            added++;
        }
        assert_int_equal(s, ND_ERR_FULL);
        assert_non_null(strstr(nd_store_errmsg(st), "full"));
        assert_non_null(strstr(nd_store_errmsg(st), p));
        assert_true(added > 3);
        /* The failed article left nothing behind; in a batch, the articles before it are
         * still there to commit. */
        assert_int_equal(nd_store_get(st, &got, id), ND_ERR_NOT_FOUND);
        if (batch)
            assert_int_equal(nd_store_commit(st), ND_OK);
        /* Still full, still usable: a duplicate is recognised. */
        make_id(id, sizeof id, 0);
        nd_article *a = fx_article(id, 0, 8);
        assert_int_equal(nd_store_add(st, a), ND_UNCHANGED);
        nd_article_free(a);
        nd_store_close(st);

        assert_true(fx_integrity_ok(p));
        st = open_ok(p, NULL);
        for (int i = 0; i < added; i++) {
            make_id(id, sizeof id, i);
            assert_int_equal(nd_store_get(st, &got, id), ND_OK);
            nd_article *want = fx_article(id, (uint64_t)i, 8);
            fx_same(want, got);
            nd_article_free(want);
            nd_article_free(got);
        }
        assert_int_equal(nd_store_stats(st, &stats), ND_OK);
        assert_int_equal(stats.articles, added);
        nd_store_close(st);
    }
}

/* ---- statistics ------------------------------------------------------------------------- */

static void test_stats(void **state)
{
    (void)state;
    nd_store *st = open_ok(t_path("stats.db"), NULL);
    int64_t paras = 0, sents = 0, body = 0, raw = 0, dated = 0;
    char first[32] = "9999", last[32] = "";
    int outlets[FX_N(fx_outlets)] = {0};
    assert_int_equal(nd_store_begin(st), ND_OK);
    for (int i = 0; i < 40; i++) {
        char id[16];
        make_id(id, sizeof id, i);
        nd_article *a = fx_article(id, (uint64_t)i, 1 + i % 5);
        add_ok(st, a);
        paras += (int64_t)nd_article_count(a, ND_PART_PARAGRAPH);
        sents += (int64_t)nd_article_count(a, ND_PART_SENTENCE);
        size_t n;
        nd_article_body(a, &n);
        body += (int64_t)n;
        nd_article_raw(a, &n);
        raw += (int64_t)n;
        const char *d = nd_article_get(a, ND_FIELD_DATE);
        if (d) {
            dated++;
            if (strcmp(d, first) < 0)
                snprintf(first, sizeof first, "%s", d);
            if (strcmp(d, last) > 0)
                snprintf(last, sizeof last, "%s", d);
        }
        const char *o = nd_article_get(a, ND_FIELD_OUTLET);
        for (size_t k = 0; o && k < FX_N(fx_outlets); k++)
            if (strcmp(o, fx_outlets[k]) == 0)
                outlets[k] = 1;
        nd_article_free(a);
    }
    assert_int_equal(nd_store_commit(st), ND_OK);
    nd_stats s;
    assert_int_equal(nd_store_stats(st, &s), ND_OK);
    assert_int_equal(s.articles, 40);
    assert_int_equal(s.outlets, outlets[0] + outlets[1] + outlets[2]);
    assert_int_equal(s.dated, dated);
    assert_true(dated > 0 && dated < 40);
    assert_int_equal(s.paragraphs, paras);
    assert_int_equal(s.sentences, sents);
    assert_int_equal(s.body_bytes, body);
    assert_int_equal(s.raw_bytes, raw);
    assert_string_equal(s.first_date, first);
    assert_string_equal(s.last_date, last);
    assert_true(s.file_bytes > raw);
    assert_int_equal(s.schema_version, nd_store_schema_version());
    nd_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_empty_body),
        cmocka_unit_test(test_unchanged_and_conflict),
        cmocka_unit_test(test_batches),
        cmocka_unit_test(test_not_a_store),
        cmocka_unit_test(test_migrations),
        cmocka_unit_test(test_upgrade_from_v1),
        cmocka_unit_test(test_upgrade_from_v2),
        cmocka_unit_test(test_corrupt_rows),
        cmocka_unit_test(test_blob_codec),
        cmocka_unit_test(test_reader_and_writers),
        cmocka_unit_test(test_nested_list),
        cmocka_unit_test(test_disk_full),
        cmocka_unit_test(test_stats),
    };
    return cmocka_run_group_tests(tests, t_dir_setup, t_dir_teardown);
}
