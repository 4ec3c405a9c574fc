/*
 * `newsdesk add` killed with SIGKILL at random moments leaves a consistent store: SQLite's
 * integrity check passes, every article the store lists loads, and adding the same input
 * again completes the store with each article exactly once (the ones stored before the kill
 * come back "unchanged").
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "support.h"

enum { ARTICLES = 6000 };

static const char *const subjects[] = {"The harbour board", "A council spokesman",
                                       "The port director", "Residents of the quay",
                                       "Engineers at the barrage", "The regional governor"};
static const char *const verbs[] = {"said", "warned", "confirmed", "denied", "reported"};
static const char *const objects[] = {
    "that the gate would be repaired before winter.", "that water levels were falling.",
    "that the evacuation order remained in force.", "that two more pumps had arrived.",
    "that the inquiry would report in the spring."};

/* Writes a JSON Lines file of ARTICLES distinct articles made of the sentences above. */
static void write_stream(const char *path)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < ARTICLES; i++) {
        fprintf(f, "{\"id\": \"k%d\", \"title\": \"Update number %d\", \"maintext\": \"", i, i);
        for (int s = 0; s < 12; s++)
            fprintf(f, "%s %s %s On day %d, %d crews worked. ", subjects[(i + s) % 6],
                    verbs[(i * 7 + s) % 5], objects[(i * 3 + s) % 5], s + 1, i % 97 + s);
        fprintf(f, "\\nSecond paragraph of report %d.\", \"source_domain\": \"w%d.example\"}\n", i,
                i % 5);
    }
    fclose(f);
}

/* Counts what `sql` returns in its first column of the first row. */
static long query_long(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long v = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

/* Opened read-write, as the next process would be: after a kill, the first connection
 * recovers the WAL index, which a read-only one cannot. */
static void check_integrity(const char *db)
{
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const char *res = (const char *)sqlite3_column_text(st, 0);
    if (!res || strcmp(res, "ok") != 0)
        fail_msg("integrity_check: %s", res ? res : "(null)");
    sqlite3_finalize(st);
    sqlite3_close(h);
}

/* Starts `newsdesk add` on the stream and kills it after `delay_ms`. Returns 1 when the
 * kill landed while it was still running. */
static int add_and_kill(const char *db, const char *stream, long delay_ms)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stderr))
            _exit(126);
        execl(ND_CLI_PATH, "newsdesk", "--db", db, "add", "--batch", "500", stream, (char *)NULL);
        _exit(127);
    }
    struct timespec ts = {delay_ms / 1000, (delay_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    int killed = kill(pid, SIGKILL) == 0;
    int status = 0;
    waitpid(pid, &status, 0);
    return killed && WIFSIGNALED(status);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void remove_store(const char *db)
{
    char p[700];
    snprintf(p, sizeof p, "%s-wal", db);
    remove(p);
    snprintf(p, sizeof p, "%s-shm", db);
    remove(p);
    remove(db);
}

/* Runs `newsdesk add` to completion and checks its tsv summary says added/unchanged. */
static void finish_add(const char *db, const char *stream, long added, long unchanged)
{
    char cmd[2000];
    snprintf(cmd, sizeof cmd, "'%s' --db '%s' add --format tsv '%s'", ND_CLI_PATH, db, stream);
    int status = 0;
    char *out = t_run(cmd, &status);
    assert_int_equal(status, 0);
    char expect[128];
    snprintf(expect, sizeof expect, "\n%ld\t%ld\t0\t", added, unchanged);
    if (!strstr(out, expect))
        fail_msg("summary lacks added/unchanged/rejected \"%ld %ld 0\":\n%s", added, unchanged,
                 out);
    free(out);
}

static void test_kill_add_at_random_moments(void **state)
{
    (void)state;
    const char *dir = t_tmpdir();
    char stream[600], db[600], cmd[2000];
    snprintf(stream, sizeof stream, "%s/stream.jsonl", dir);
    snprintf(db, sizeof db, "%s/k.db", dir);
    write_stream(stream);

    /* How long a whole run takes on this machine and build, so the kills land inside it. */
    double t0 = now_ms();
    finish_add(db, stream, ARTICLES, 0);
    long full_ms = (long)(now_ms() - t0);

    srand((unsigned)time(NULL));
    int mid_way = 0;
    for (int round = 0; round < 6; round++) {
        remove_store(db);
        long delay = 2 + rand() % (full_ms > 10 ? full_ms : 10);
        add_and_kill(db, stream, delay);
        long n = 0;
        /* Killed before the store file was created: nothing to check but the re-add. */
        bool exists = access(db, F_OK) == 0;
        if (exists)
            check_integrity(db);
        if (exists && query_long(db, "SELECT count(*) FROM sqlite_master"
                                     " WHERE name = 'articles'") == 0) {
            /* Killed before the schema was committed: no table at all, and the tool says
             * the file is not a store yet (the next add makes it one). */
            assert_int_equal(query_long(db, "SELECT count(*) FROM sqlite_master"), 0);
            snprintf(cmd, sizeof cmd, "'%s' --db '%s' ls 2>&1", ND_CLI_PATH, db);
            int status = 0;
            char *out = t_run(cmd, &status);
            assert_int_equal(status, 3);
            assert_non_null(strstr(out, "is empty, not a newsdesk store"));
            free(out);
        } else if (exists) {
            n = query_long(db, "SELECT count(*) FROM articles");
            assert_true(n >= 0 && n <= ARTICLES);
            if (n > 0 && n < ARTICLES)
                mid_way++;
            /* Every stored article is listed through the tool. */
            snprintf(cmd, sizeof cmd, "'%s' --db '%s' ls --format tsv | wc -l", ND_CLI_PATH, db);
            int status = 0;
            char *out = t_run(cmd, &status);
            assert_int_equal(status, 0);
            assert_int_equal(atol(out), n + 1); /* plus the header row */
            free(out);
        }
        /* Finishing the job stores each article once; what was there is unchanged. */
        finish_add(db, stream, ARTICLES - n, n);
        check_integrity(db);
        assert_int_equal(query_long(db, "SELECT count(*) FROM articles"), ARTICLES);
    }
    print_message("full run %ld ms; %d of 6 kills landed between batches' first and last\n",
                  full_ms, mid_way);
    t_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_add_at_random_moments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
