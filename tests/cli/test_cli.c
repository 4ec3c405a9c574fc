/*
 * The command-line tool's exit statuses and messages for each kind of bad input, and the
 * promise that a rejected article never stops the others from being stored. Runs the real
 * binary (ND_CLI_PATH) in a temporary folder; the store lock is held through sqlite3 itself,
 * as another process would.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "support.h"

static char dir[512];            /* the test's temporary folder */
static char *last_out;           /* stdout and stderr of the last run */
static const char *run_env = ""; /* environment assignments put before the command */

/* Runs `newsdesk --db t.db ARGS` in the test folder with stdin from /dev/null unless ARGS
 * redirect it; returns the exit status and keeps the combined output in last_out. */
static int run(const char *fmt, ...)
{
    char args[2048], cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "cd '%s' && %s '%s' --db t.db %s 2>&1", dir, run_env, ND_CLI_PATH,
             args);
    free(last_out);
    int status = -1;
    last_out = t_run(cmd, &status);
    return status;
}

static void expect_status(int want, int got)
{
    if (want != got)
        fail_msg("exit status %d, expected %d; output:\n%s", got, want, last_out);
}

static void expect_output(const char *needle)
{
    if (!strstr(last_out, needle))
        fail_msg("output lacks \"%s\":\n%s", needle, last_out);
}

static void write_in(const char *name, const void *data, size_t len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    t_write_file(path, data, len);
}

static void write_text(const char *name, const char *text)
{
    write_in(name, text, strlen(text));
}

static void make_dir(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_equal(mkdir(path, 0755), 0);
}

/* A short article of our own; `n` varies the text so bodies differ. */
static void write_article(const char *name, int n)
{
    char text[1024];
    snprintf(text, sizeof text,
             "Lighthouse %d reopens after repairs\n"
             "\n"
             "The lighthouse on the north pier was lit again on Friday evening, %d weeks after a "
             "storm broke its lantern glass. Harbour staff said ships had used a temporary buoy "
             "in the meantime.\n"
             "\n"
             "The repairs cost less than planned, the harbour office said. A small exhibition "
             "about the keepers opens in the tower next month.\n",
             n, n + 1);
    write_text(name, text);
}

/* Lists the store once (ls --format tsv) so that several ids can be checked against it. */
static void list_store(void)
{
    expect_status(0, run("ls --format tsv"));
}

/* True when the last listing holds an article with this id (first TSV column). */
static int listed(const char *id)
{
    char needle[256];
    snprintf(needle, sizeof needle, "\n%s\t", id);
    return strstr(last_out, needle) != NULL;
}

static void exec_sql(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", sql, err ? err : "?");
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "%s", t_tmpdir());
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    t_rmtree(dir);
    free(last_out);
    last_out = NULL;
    return 0;
}

/* ---- bad input: the article is rejected (1), the others are stored ---------------------- */

static void test_invalid_utf8(void **state)
{
    (void)state;
    write_article("good.txt", 1);
    static const char bad[] = "Tide tables\n\nThe high tide comes at \xff\xfe six o'clock.\n";
    write_in("bad.txt", bad, sizeof bad - 1);
    expect_status(1, run("add good.txt bad.txt"));
    expect_output("newsdesk: bad.txt");
    expect_output("added 1, unchanged 0, rejected 1, skipped 0");
    list_store();
    assert_true(listed("good"));
    assert_false(listed("bad"));
}

static void test_empty_file(void **state)
{
    (void)state;
    write_text("empty.txt", "");
    write_article("good.txt", 2);
    expect_status(1, run("add empty.txt good.txt"));
    expect_output("newsdesk: empty.txt");
    list_store();
    assert_true(listed("good"));
    assert_false(listed("empty"));
}

static void test_binary_file(void **state)
{
    (void)state;
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0x0d,
                                        'I',  'H', 'D', 'R', 0,    0,    1,    0,    0, 0, 1, 0};
    write_in("picture.txt", png, sizeof png);
    write_article("good.txt", 3);
    expect_status(1, run("add picture.txt good.txt"));
    expect_output("newsdesk: picture.txt");
    list_store();
    assert_true(listed("good"));
    assert_false(listed("picture"));
}

static void test_malformed_json_line(void **state)
{
    (void)state;
    write_text("feed.jsonl",
               "{\"id\": \"one\", \"title\": \"Bridge opens\", \"maintext\": \"The new bridge "
               "opened on Monday. Cyclists were the first to cross.\"}\n"
               "{\"id\": \"two\", \"title\": \"Broken\", \"maintext\": \"This line stops\n"
               "{\"id\": \"three\", \"title\": \"Market day\", \"maintext\": \"The market moved "
               "to the square. Stalls opened at seven.\"}\n");
    expect_status(1, run("add --format tsv feed.jsonl"));
    expect_output("newsdesk: feed.jsonl:2");
    expect_output("added\tunchanged\trejected\tskipped\tseconds\n2\t0\t1\t0\t");
    list_store();
    assert_true(listed("one"));
    assert_true(listed("three"));
    assert_false(listed("two"));
}

static void test_too_big(void **state)
{
    (void)state;
    char big[4096];
    memset(big, 'a', sizeof big);
    memcpy(big, "Long words\n\n", 12);
    for (size_t i = 100; i < sizeof big; i += 10)
        big[i] = ' ';
    big[sizeof big - 2] = '.';
    big[sizeof big - 1] = '\n';
    write_in("big.txt", big, sizeof big);
    write_article("small.txt", 4);
    expect_status(1, run("add --max-bytes 1K big.txt small.txt"));
    expect_output("newsdesk: big.txt");
    list_store();
    assert_true(listed("small"));
    assert_false(listed("big"));
}

static void test_conflicting_id(void **state)
{
    (void)state;
    make_dir("a");
    make_dir("b");
    write_article("a/same.txt", 5);
    write_article("b/same.txt", 6);
    expect_status(1, run("add a/same.txt b/same.txt"));
    expect_output("newsdesk: b/same.txt");
    expect_output("different content");
    /* The same content again is not a failure. */
    expect_status(0, run("add --format tsv a/same.txt"));
    expect_output("\n0\t1\t0\t0\t");
}

/* The promise itself: a folder mixing good and bad input, in small batches. */
static void test_rejected_do_not_stop_others(void **state)
{
    (void)state;
    make_dir("in");
    char name[64];
    for (int i = 0; i < 6; i++) {
        snprintf(name, sizeof name, "in/good%d.txt", i);
        write_article(name, 10 + i);
    }
    write_text("in/bad-utf8.txt", "Bad\n\nA \xc3 sentence.\n");
    write_text("in/empty.txt", "");
    write_text("in/lines.jsonl", "{\"id\": \"j1\", \"maintext\": \"Only this one is fine.\"}\n"
                                 "not json at all\n");
    expect_status(1, run("add --batch 2 --format tsv in"));
    expect_output("\n7\t0\t");
    list_store();
    for (int i = 0; i < 6; i++) {
        snprintf(name, sizeof name, "good%d", i);
        assert_true(listed(name));
    }
    assert_true(listed("j1"));
}

/* ---- inputs that cannot be read at all (4) ---------------------------------------------- */

static void test_missing_path(void **state)
{
    (void)state;
    expect_status(4, run("add missing.txt"));
    expect_output("newsdesk: missing.txt");
    write_article("good.txt", 7);
    expect_status(4, run("add missing.txt good.txt"));
    list_store();
    assert_true(listed("good"));
}

/* ---- the store (3) ---------------------------------------------------------------------- */

static void test_store_locked(void **state)
{
    (void)state;
    write_article("first.txt", 8);
    write_article("second.txt", 9);
    expect_status(0, run("add first.txt"));

    char path[1024];
    snprintf(path, sizeof path, "%s/t.db", dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    exec_sql(db, "BEGIN IMMEDIATE");
    expect_status(3, run("--busy-timeout 100 add second.txt"));
    expect_output("locked by another writer");
    /* Readers are not blocked by a writer. */
    list_store();
    assert_true(listed("first"));
    exec_sql(db, "ROLLBACK");
    sqlite3_close(db);

    expect_status(0, run("add second.txt"));
    list_store();
    assert_true(listed("second"));
}

/* A store that fills up mid-run: the open batch is rolled back, the committed batches stay,
 * and the summary counts exactly what is stored. The file cap (ND_TEST_MAX_PAGES) is raised
 * step by step so that the test does not depend on how many pages the schema takes. */
static void test_store_full_rolls_back_batch(void **state)
{
    (void)state;
    make_dir("in");
    char name[64], env[64], rm[2048];
    for (int i = 0; i < 60; i++) {
        snprintf(name, sizeof name, "in/notice%02d.txt", i);
        write_article(name, 100 + i);
    }
    snprintf(rm, sizeof rm, "rm -f '%s'/t.db '%s'/t.db-wal '%s'/t.db-shm", dir, dir, dir);
    int midway = 0;
    for (int pages = 4; pages <= 200 && !midway; pages++) {
        assert_int_equal(system(rm), 0);
        snprintf(env, sizeof env, "ND_TEST_MAX_PAGES=%d", pages);
        run_env = env;
        int st = run("add --batch 5 --format tsv in");
        run_env = "";
        if (st == 0)
            fail_msg("60 articles fit in %d pages before any failure:\n%s", pages, last_out);
        const char *row = strstr(last_out, "seconds\n");
        if (st != 3 || !row)
            continue; /* the cap is too small even to create the store */
        long added = strtol(row + 8, NULL, 10);
        if (added == 0)
            continue;
        midway = 1;
        expect_output("is full");
        expect_output("rolled back the last");
        assert_int_equal(added % 5, 0);
        expect_status(0, run("stats --format tsv"));
        const char *counts = strchr(last_out, '\n');
        assert_non_null(counts);
        assert_int_equal(strtol(counts + 1, NULL, 10), added);
    }
    assert_true(midway);
}

static void test_not_a_store(void **state)
{
    (void)state;
    static const char text[] = "shopping list: bread, apples, string\n";
    write_text("t.db", text);
    write_article("good.txt", 10);
    expect_status(3, run("add good.txt"));
    expect_output("not a newsdesk store");
    expect_status(3, run("ls"));
    expect_status(3, run("stats"));
    /* The stranger's file is left as it was. */
    char path[1024];
    snprintf(path, sizeof path, "%s/t.db", dir);
    size_t len;
    char *now = t_read_file(path, &len);
    assert_int_equal(len, strlen(text));
    assert_memory_equal(now, text, len);
    free(now);
}

static void test_newer_schema(void **state)
{
    (void)state;
    write_article("good.txt", 11);
    write_article("more.txt", 12);
    expect_status(0, run("add good.txt"));
    char path[1024];
    snprintf(path, sizeof path, "%s/t.db", dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    exec_sql(db, "PRAGMA user_version = 99");
    sqlite3_close(db);
    expect_status(3, run("add more.txt"));
    expect_output("newer");
    expect_status(3, run("ls"));
    expect_status(3, run("show good"));
}

static void test_no_store(void **state)
{
    (void)state;
    expect_status(3, run("ls"));
    expect_output("no store at t.db");
    /* Reading commands never create a store. */
    char path[1024];
    struct stat sb;
    snprintf(path, sizeof path, "%s/t.db", dir);
    assert_int_not_equal(stat(path, &sb), 0);
}

/* ---- usage (2) and not found (5) -------------------------------------------------------- */

static void test_usage_errors(void **state)
{
    (void)state;
    write_article("good.txt", 13);
    static const char *const bad[] = {
        "",                       /* no command */
        "frobnicate",             /* unknown command */
        "add",                    /* no input */
        "add --batch 0 good.txt", /* out of range */
        "add --batch x good.txt",
        "add --max-bytes 10Q good.txt",
        "add --date yesterday-ish good.txt",
        "add --id x good.txt", /* --id without '-' */
        "add --outlet",        /* missing value */
        "ls --limit -3",
        "ls extra",
        "ls --format xml",
        "show",
        "show a b",
        "stats --raw",
        "eval",
        "eval paragraphs",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int st = run("%s", bad[i]);
        if (st != 2)
            fail_msg("'%s': exit status %d, expected 2:\n%s", bad[i], st, last_out);
        if (!strstr(last_out, "newsdesk: ") || !strstr(last_out, "--help"))
            fail_msg("'%s': no message with a hint:\n%s", bad[i], last_out);
    }
    /* Nothing was done: no store was created. */
    char path[1024];
    struct stat sb;
    snprintf(path, sizeof path, "%s/t.db", dir);
    assert_int_not_equal(stat(path, &sb), 0);
}

static void test_show_not_found(void **state)
{
    (void)state;
    write_article("good.txt", 14);
    expect_status(0, run("add good.txt"));
    expect_status(5, run("show nothing-here"));
    expect_output("no article with id 'nothing-here'");
    expect_status(0, run("show good"));
}

/* ---- standard input --------------------------------------------------------------------- */

static void test_stdin_with_id(void **state)
{
    (void)state;
    write_article("piped.src", 15);
    expect_status(0, run("add --id from-pipe --outlet 'Pier Weekly' - < piped.src"));
    expect_status(0, run("show --format json from-pipe"));
    expect_output("\"id\": \"from-pipe\"");
    expect_output("\"outlet\": \"Pier Weekly\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_invalid_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_binary_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_json_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_big, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conflicting_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rejected_do_not_stop_others, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_locked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_full_rolls_back_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_a_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_usage_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_show_not_found, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stdin_with_id, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
