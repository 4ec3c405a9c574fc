/*
 * `newsdesk stories`, `story` and `export clusters` end to end on the invented examples/
 * (one story, two events two weeks apart) and on the seed reports (one affair: two visits
 * to Pyongyang less than two weeks apart).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

static char db[512];

static int setup(void **state)
{
    (void)state;
    snprintf(db, sizeof db, "%s/c.db", t_tmpdir());
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    t_rmtree(t_tmpdir());
    return 0;
}

static char *run(int expect, const char *fmt, ...)
{
    char cmd[2048];
    int n = snprintf(cmd, sizeof cmd, "'%s' --db '%s' ", ND_CLI_PATH, db);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd + n, sizeof cmd - (size_t)n, fmt, ap);
    va_end(ap);
    int status;
    char *out = t_run(cmd, &status);
    if (status != expect)
        fail_msg("'%s' exited %d, not %d:\n%s", cmd, status, expect, out);
    return out;
}

/* The number of lines of `s` (TSV rows, header included). */
static int lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* The event of `article` in the TSV of `story` (story, event, article, ...). */
static void event_of(const char *tsv, const char *article, char *out, size_t len)
{
    char key[128];
    snprintf(key, sizeof key, "\t%s\t", article);
    const char *p = strstr(tsv, key);
    if (!p)
        fail_msg("%s not in:\n%s", article, tsv);
    const char *e = p;
    while (e > tsv && e[-1] != '\t')
        e--;
    size_t n = (size_t)(p - e);
    assert_true(n < len);
    memcpy(out, e, n);
    out[n] = '\0';
}

static void test_examples(void **state)
{
    (void)state;
    free(run(0, "add '%s/examples' 2>/dev/null", ND_SOURCE_DIR));
    char *s = run(0, "stories --format tsv");
    /* Header and one story: the Marrowhaven flood, 8 reports, two events. */
    assert_int_equal(lines(s), 2);
    assert_non_null(strstr(s, "S1\t8\t2\t"));
    free(s);

    char *t = run(0, "story S1 --format tsv");
    char gate[16], ev[16];
    event_of(t, "ledger-gate", gate, sizeof gate);
    static const char *const first[] = {"courier-gate", "wire-gate", "northgate-gate"};
    for (int i = 0; i < 3; i++) {
        event_of(t, first[i], ev, sizeof ev);
        assert_string_equal(ev, gate);
    }
    char evac[16];
    event_of(t, "ledger-evacuation", evac, sizeof evac);
    assert_string_not_equal(evac, gate);
    event_of(t, "radio-evacuation", ev, sizeof ev);
    assert_string_equal(ev, evac);
    free(t);

    /* Text and JSON render the same story; an unknown id is "not found". */
    char *x = run(0, "story S1");
    assert_non_null(strstr(x, "Story S1"));
    assert_non_null(strstr(x, "Event "));
    free(x);
    char *j = run(0, "--format json story S1");
    assert_non_null(strstr(j, "\"events\""));
    free(j);
    free(run(5, "story S99 2>/dev/null"));

    char *e = run(0, "export clusters");
    assert_true(strncmp(e, "article\tstory\tevent\n", 20) == 0);
    assert_int_equal(lines(e), 9);
    free(e);
}

/* The seeds carry almost no dates (one date line among five); given the dates the reports
 * were published, the second visit (reported on 17 June) is an event of its own. */
static void test_seeds(void **state)
{
    (void)state;
    const char *dir = t_corpus_path("seeds");
    if (!t_corpus())
        skip();
    static const char *const first[] = {"000_12990f7d1861440b", "001_edba56166cb57432",
                                        "002_090142aa25d88a6f"};
    for (int i = 0; i < 3; i++)
        free(run(0, "add --date 2025-06-04 '%s/%s.txt' 2>/dev/null", dir, first[i]));
    free(run(0, "add --date 2025-06-17 '%s/003_0a4d1c7dadfa6c43.txt' 2>/dev/null", dir));
    free(run(0, "add '%s/004_f68cb7aa9c75da0d.txt' 2>/dev/null", dir));
    char *s = run(0, "stories --format tsv");
    assert_int_equal(lines(s), 2);
    assert_non_null(strstr(s, "S1\t5\t2\t"));
    free(s);
    char *t = run(0, "story S1 --format tsv");
    char a[16], b[16];
    event_of(t, "000_12990f7d1861440b", a, sizeof a);
    for (int i = 1; i < 3; i++) {
        event_of(t, first[i], b, sizeof b);
        assert_string_equal(a, b);
    }
    event_of(t, "004_f68cb7aa9c75da0d", b, sizeof b);
    assert_string_equal(a, b);
    event_of(t, "003_0a4d1c7dadfa6c43", b, sizeof b);
    assert_string_not_equal(a, b);
    free(t);
}

/* Without dates the five seed reports are still one story. */
static void test_seeds_undated(void **state)
{
    (void)state;
    if (!t_corpus())
        skip();
    free(run(0, "add '%s' 2>/dev/null", t_corpus_path("seeds")));
    char *s = run(0, "stories --format tsv");
    assert_int_equal(lines(s), 2);
    assert_non_null(strstr(s, "S1\t5\t"));
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_examples, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seeds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seeds_undated, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
