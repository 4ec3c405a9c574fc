/* Allocation failures: the N-th allocation of SQLite (through SQLITE_CONFIG_MALLOC) or of
 * newsdesk (nd_alloc_fail_after) fails, and every allocation after it, for n = 0, 1, 2, ...
 * while opening a store (new and existing), adding articles alone and in a batch, and reading
 * them back. Every failure must come back as a clean error, leak nothing and leave a store
 * that passes the integrity check with every article either absent or intact. */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "newsdesk.h"
#include "store_fixture.h"
#include "support.h"
#include "util/alloc.h"

/* ---- a failing allocator for SQLite ------------------------------------------------------ */

static sqlite3_mem_methods sys_mem;
static long sq_fail_after = -1;
static long sq_failures;
static int sq_transient; /* fail only one allocation, not every one after it */
static long lost_batches;
static int reached_create; /* the last run got as far as creating a new store */

static int sq_should_fail(void)
{
    if (sq_fail_after < 0)
        return 0;
    if (sq_fail_after == 0) {
        sq_failures++;
        if (sq_transient)
            sq_fail_after = -1;
        return 1;
    }
    sq_fail_after--;
    return 0;
}

static void *sq_malloc(int n)
{
    return sq_should_fail() ? NULL : sys_mem.xMalloc(n);
}

static void *sq_realloc(void *p, int n)
{
    return sq_should_fail() ? NULL : sys_mem.xRealloc(p, n);
}

static int install_allocator(void **state)
{
    (void)state;
    sqlite3_mem_methods m;
    if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sys_mem) != SQLITE_OK)
        return -1;
    m = sys_mem;
    m.xMalloc = sq_malloc;
    m.xRealloc = sq_realloc;
    /* Without lookaside every small object is a real allocation that can fail. */
    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &m) != SQLITE_OK ||
        sqlite3_config(SQLITE_CONFIG_LOOKASIDE, 0, 0) != SQLITE_OK ||
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 1) != SQLITE_OK)
        return -1;
    return sqlite3_initialize() == SQLITE_OK ? 0 : -1;
}

/* ---- the scenario ----------------------------------------------------------------------- */

enum { BASE = 3 };

typedef enum { FAIL_SQLITE, FAIL_ND } which;

static void arm(which w, long n)
{
    if (w == FAIL_SQLITE) {
        sq_failures = 0;
        sq_fail_after = n;
    } else {
        nd_alloc_fail_after(n);
    }
}

/* Disarms and returns how many allocations failed. */
static long disarm(which w)
{
    if (w == FAIL_SQLITE) {
        sq_fail_after = -1;
        return sq_failures;
    }
    long f = nd_alloc_failures();
    nd_alloc_fail_after(-1);
    return f;
}

static int clean_error(nd_status s)
{
    return s == ND_ERR_NOMEM || s == ND_ERR_STORE;
}

/* Checks a failure: a clean code and a message. Returns 1 when `s` failed. */
static int failed(nd_status s, nd_store *st, const char *what, long n)
{
    if (s >= 0)
        return 0;
    if (!clean_error(s))
        fail_msg("n=%ld %s: %s: %s", n, what, nd_status_str(s), nd_store_errmsg(st));
    assert_true(st == NULL || nd_store_errmsg(st)[0] != '\0');
    return 1;
}

/* Runs PRAGMA integrity_check on an open connection; true when "ok". */
static int integrity_ok(sqlite3 *db)
{
    sqlite3_stmt *q = NULL;
    int ok = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW) {
        const unsigned char *r = sqlite3_column_text(q, 0);
        ok = r && strcmp((const char *)r, "ok") == 0;
    }
    sqlite3_finalize(q);
    return ok;
}

/* Everything the store holds is either one of `arts` intact, and the first BASE are there.
 * Then removes the articles the run added, so that the next run starts from the base. One
 * SQLite connection stays open throughout so that the store's last close does not
 * checkpoint every time (thousands of runs). */
static void verify_and_reset(const char *path, nd_article **arts, int narts, long n)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (!integrity_ok(db))
        fail_msg("n=%ld: integrity check failed", n);
    nd_store *st = NULL;
    nd_status s = nd_store_open(&st, path, NULL);
    if (s != ND_OK)
        fail_msg("n=%ld: reopen: %s", n, nd_store_errmsg(st));
    nd_stats stats;
    assert_int_equal(nd_store_stats(st, &stats), ND_OK);
    int64_t found = 0;
    for (int i = 0; i < narts; i++) {
        nd_article *got = NULL;
        s = nd_store_get(st, &got, nd_article_get(arts[i], ND_FIELD_ID));
        if (i < BASE && s != ND_OK)
            fail_msg("n=%ld: base article %d: %s", n, i, nd_store_errmsg(st));
        if (s == ND_OK) {
            fx_same(arts[i], got);
            found++;
        } else {
            assert_int_equal(s, ND_ERR_NOT_FOUND);
        }
        nd_article_free(got);
    }
    assert_int_equal(stats.articles, found);
    nd_store_close(st);
    char sql[128];
    snprintf(sql, sizeof sql, "DELETE FROM articles WHERE rowid > %d", BASE);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

/* A store whose creation failed halfway is completed by the next open. */
static void verify_fresh(const char *path, long n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    fclose(f);
    nd_store *st = NULL;
    nd_status s = nd_store_open(&st, path, NULL);
    if (s != ND_OK)
        fail_msg("n=%ld: reopen new store: %s", n, nd_store_errmsg(st));
    nd_stats stats;
    assert_int_equal(nd_store_stats(st, &stats), ND_OK);
    assert_true(stats.articles <= 1);
    nd_store_close(st);
    if (!fx_integrity_ok(path))
        fail_msg("n=%ld: integrity check of the new store failed", n);
}

static void remove_store(const char *path)
{
    char p[600];
    remove(path);
    snprintf(p, sizeof p, "%s-wal", path);
    remove(p);
    snprintf(p, sizeof p, "%s-shm", path);
    remove(p);
}

/* One run with allocation n failing: open an existing store, add two articles on their own
 * and two in a batch, read one back, list, count; then create a new store. Returns the number
 * of failed allocations (0: the run got through). */
static long run_once(which w, long n, const char *path, const char *fresh, nd_article **arts)
{
    nd_store *st = NULL;
    nd_article *got = NULL;
    nd_stats stats;
    int in_batch = 0;
    reached_create = 0;
    arm(w, n);
    nd_status s = nd_store_open(&st, path, NULL);
    if (failed(s, st, "open", n))
        goto done;
    for (int i = BASE; i < BASE + 2; i++)
        if (failed(nd_store_add(st, arts[i]), st, "add", n))
            goto done;
    if (failed(nd_store_begin(st), st, "begin", n))
        goto done;
    in_batch = 1;
    for (int i = BASE + 2; i < BASE + 4; i++) {
        s = nd_store_add(st, arts[i]);
        /* Usually SQLite undoes just the failed statement and the batch goes on. When it had
         * to roll the whole batch back, the batch refuses further work until rolled back. */
        if (failed(s, st, "add in batch", n) && strstr(nd_store_errmsg(st), "whole batch")) {
            lost_batches++;
            assert_int_equal(nd_store_add(st, arts[i]), ND_ERR_STORE);
        }
    }
    /* A failed read inside the batch may cost the batch too, never silently. */
    s = nd_store_get(st, &got, nd_article_get(arts[0], ND_FIELD_ID));
    if (!failed(s, st, "get in batch", n))
        assert_non_null(got);
    else if (strstr(nd_store_errmsg(st), "whole batch"))
        lost_batches++;
    nd_article_free(got);
    got = NULL;
    s = nd_store_commit(st);
    in_batch = 0;
    if (failed(s, st, "commit", n))
        goto done;
    s = nd_store_get(st, &got, nd_article_get(arts[BASE + 3], ND_FIELD_ID));
    if (s == ND_ERR_NOT_FOUND)
        s = nd_store_get(st, &got, nd_article_get(arts[0], ND_FIELD_ID));
    if (failed(s, st, "get", n))
        goto done;
    assert_non_null(got);
    nd_article_free(got);
    got = NULL;
    if (failed(nd_store_stats(st, &stats), st, "stats", n))
        goto done;
    nd_store_close(st);
    st = NULL;
    reached_create = 1;
    remove_store(fresh);
    s = nd_store_open(&st, fresh, NULL);
    if (failed(s, st, "create", n))
        goto done;
    failed(nd_store_add(st, arts[0]), st, "add to new", n);
done:
    if (in_batch)
        nd_store_rollback(st);
    nd_store_close(st);
    return disarm(w);
}

/* A fresh folder, in RAM when the system has a RAM disk: thousands of runs each open and
 * close the store several times, and every last close checkpoints and syncs the WAL. */
static void make_dir(char *dir, size_t len)
{
    snprintf(dir, len, "/dev/shm/ndoom.XXXXXX");
    if (!mkdtemp(dir))
        snprintf(dir, len, "%s", t_tmpdir());
}

/* Runs the scenario for n = 0, step, 2 step, ... until a run sees no failure. Creating a new
 * store takes about as many allocations as all the rest, nearly all of them SQLite parsing the
 * schema; there every third n is enough (the test ran too long otherwise). */
static void run_all(which w, long step, const char *label)
{
    lost_batches = 0;
    char dir[256], path[300], fresh[300];
    make_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/oom.db", dir);
    snprintf(fresh, sizeof fresh, "%s/fresh.db", dir);
    nd_article *arts[BASE + 4];
    char id[16];
    for (int i = 0; i < BASE + 4; i++) {
        snprintf(id, sizeof id, "oom-%d", i);
        arts[i] = fx_article(id, (uint64_t)i * 13 + 1, 2 + i);
    }
    nd_store *st = NULL;
    assert_int_equal(nd_store_open(&st, path, NULL), ND_OK);
    for (int i = 0; i < BASE; i++)
        assert_int_equal(nd_store_add(st, arts[i]), ND_OK);
    nd_store_close(st);
    sqlite3_int64 base_mem = sqlite3_memory_used();

    long n = 0, fails, runs = 0;
    for (;; n += reached_create ? 3 * step : step, runs++) {
        fails = run_once(w, n, path, fresh, arts);
        /* Nothing SQLite allocated survives the closed handles. */
        assert_int_equal(sqlite3_memory_used(), base_mem);
        verify_and_reset(path, arts, BASE + 4, n);
        verify_fresh(fresh, n);
        if (fails == 0)
            break;
        assert_true(n < 100000);
    }
    print_message("%s: %ld runs, the last without failure at n = %ld; %ld lost batches\n", label,
                  runs + 1, n, lost_batches);
    assert_true(runs > 10);
    for (int i = 0; i < BASE + 4; i++)
        nd_article_free(arts[i]);
    t_rmtree(dir);
}

static void test_sqlite_alloc_failures(void **state)
{
    (void)state;
    run_all(FAIL_SQLITE, 1, "SQLite allocations");
}

static void test_sqlite_single_alloc_failure(void **state)
{
    (void)state;
    /* Every seventh n: the sticky failures above already reach every site once. */
    sq_transient = 1;
    run_all(FAIL_SQLITE, 7, "one SQLite allocation");
    sq_transient = 0;
}

static void test_nd_alloc_failures(void **state)
{
    (void)state;
    run_all(FAIL_ND, 1, "newsdesk allocations");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqlite_alloc_failures),
        cmocka_unit_test(test_sqlite_single_alloc_failure),
        cmocka_unit_test(test_nd_alloc_failures),
    };
    return cmocka_run_group_tests(tests, install_allocator, NULL);
}
