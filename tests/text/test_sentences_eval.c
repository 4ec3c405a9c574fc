/* nd_eval_sentences: scores on small gold files written here (exact counts), its error
 * messages, and the splitter's score on the ECB+ gold, which must stay at F1 >= 0.98. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "newsdesk.h"
#include "support.h"

static void write_str(const char *name, const char *s)
{
    t_write_file(t_path(name), s, strlen(s));
}

/* Two articles written for this test. In "a" the splitter finds both gold sentences; in "b"
 * the gold (deliberately) has one sentence where the splitter finds two, and one gold
 * sentence starts earlier than the splitter's. */
static void test_small_gold(void **state)
{
    (void)state;
    /* a: "The vote passed. Critics objected.\n" */
    write_str("a.txt", "The vote passed. Critics objected.\n");
    /* b: "Rain fell. Roads closed. Schools shut.\n" */
    write_str("b.txt", "Rain fell. Roads closed. Schools shut.\n");
    write_str("gold.tsv", "article\tstart\tend\n"
                          "a\t0\t16\n"
                          "a\t17\t34\n"
                          "b\t0\t24\n"
                          "b\t24\t38\n");
    nd_sentence_eval ev;
    char err[512] = "x";
    assert_int_equal(nd_eval_sentences(&ev, t_path("gold.tsv"), t_dir(), err, sizeof err), ND_OK);
    assert_string_equal(err, "");
    assert_int_equal(ev.articles, 2);
    assert_int_equal(ev.gold_sentences, 4);
    assert_int_equal(ev.found_sentences, 5);
    /* Ends: gold {16, 34, 24, 38}, found {16, 34, 10, 24, 38}. */
    assert_int_equal(ev.boundaries.tp, 4);
    assert_int_equal(ev.boundaries.fp, 1);
    assert_int_equal(ev.boundaries.fn, 0);
    assert_true(ev.boundaries.precision > 0.79 && ev.boundaries.precision < 0.81);
    assert_true(ev.boundaries.recall > 0.999);
    /* Exact: a's two, b's first ([0,24) vs found [11,24)) misses, b's last ([24,38) vs
     * [25,38)) misses. */
    assert_int_equal(ev.exact.tp, 2);
    assert_int_equal(ev.exact.fp, 3);
    assert_int_equal(ev.exact.fn, 2);
    assert_true(ev.exact.f1 > 0.44 && ev.exact.f1 < 0.45);
}

static void expect_error(const char *tsv, nd_status want, const char *fragment)
{
    write_str("bad.tsv", tsv);
    nd_sentence_eval ev;
    char err[512] = "";
    assert_int_equal(nd_eval_sentences(&ev, t_path("bad.tsv"), t_dir(), err, sizeof err), want);
    if (!strstr(err, fragment))
        fail_msg("message \"%s\" lacks \"%s\"", err, fragment);
}

static void test_errors(void **state)
{
    (void)state;
    write_str("a.txt", "The vote passed. Critics objected.\n");
    expect_error("id\tfrom\tto\na\t0\t16\n", ND_ERR_INPUT, "bad.tsv:1:");
    expect_error("article\tstart\tend\na\t0\t16\na\tx\t34\n", ND_ERR_INPUT, "bad.tsv:3:");
    expect_error("article\tstart\tend\na\t0\n", ND_ERR_INPUT, "bad.tsv:2:");
    expect_error("article\tstart\tend\na\t20\t16\n", ND_ERR_INPUT, "bad.tsv:2:");
    expect_error("article\tstart\tend\na\t17\t34\na\t0\t16\n", ND_ERR_INPUT, "bad.tsv:3:");
    expect_error("article\tstart\tend\n../a\t0\t16\n", ND_ERR_INPUT, "bad.tsv:2:");
    expect_error("article\tstart\tend\na\t0\t16\nmissing\t0\t5\n", ND_ERR_IO,
                 "bad.tsv:3: cannot read");
    expect_error("", ND_ERR_INPUT, "bad.tsv");

    nd_sentence_eval ev;
    char err[512] = "";
    assert_int_equal(nd_eval_sentences(&ev, t_path("nope.tsv"), t_dir(), err, sizeof err), ND_ERR_IO);
    assert_non_null(strstr(err, "nope.tsv"));
    assert_int_equal(nd_eval_sentences(&ev, NULL, t_dir(), err, sizeof err), ND_ERR_ARG);
}

/* The quality bar of the splitter on real news text. */
static void test_ecbplus(void **state)
{
    (void)state;
    if (!t_corpus()) {
        print_message("gold corpus not found (set ND_CORPUS): skipping the ECB+ score\n");
        skip();
    }
    char gold[4096], arts[4096];
    snprintf(gold, sizeof gold, "%s", t_corpus_path("ecbplus/sentences.tsv"));
    snprintf(arts, sizeof arts, "%s", t_corpus_path("ecbplus/articles"));
    nd_sentence_eval ev;
    char err[512] = "";
    nd_status st = nd_eval_sentences(&ev, gold, arts, err, sizeof err);
    if (st != ND_OK)
        fail_msg("eval failed: %s", err);
    print_message("ECB+ boundaries P=%.4f R=%.4f F1=%.4f; exact F1=%.4f\n", ev.boundaries.precision,
                  ev.boundaries.recall, ev.boundaries.f1, ev.exact.f1);
    assert_int_equal(ev.articles, 982);
    assert_int_equal(ev.gold_sentences, 16314);
    assert_true(ev.boundaries.f1 >= 0.98);
    assert_true(ev.exact.f1 >= 0.95);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_small_gold, t_dir_setup, t_dir_teardown),
        cmocka_unit_test_setup_teardown(test_errors, t_dir_setup, t_dir_teardown),
        cmocka_unit_test(test_ecbplus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
