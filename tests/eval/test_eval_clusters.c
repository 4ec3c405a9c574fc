/*
 * Clustering scores: nd_eval_partition on label sets whose B-cubed and pairwise numbers were
 * worked out by hand (in the comments), nd_eval_clusters on small TSV files (missing and extra
 * articles, event ids reused across stories, bad files, allocation failures), the ECB+ gold
 * scored against itself, and `newsdesk eval clusters` end to end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eval/eval.h"
#include "newsdesk.h"
#include "support.h"
#include "util/alloc.h"

#define EPS 1e-9

static void write_str(const char *name, const char *s)
{
    t_write_file(t_path(name), s, strlen(s));
}

static void expect_prf(const nd_prf *p, int64_t tp, int64_t fp, int64_t fn, double prec,
                       double rec, double f1)
{
    assert_int_equal(p->tp, tp);
    assert_int_equal(p->fp, fp);
    assert_int_equal(p->fn, fn);
    assert_float_equal(p->precision, prec, EPS);
    assert_float_equal(p->recall, rec, EPS);
    assert_float_equal(p->f1, f1, EPS);
}

static void expect_bcubed(const nd_cluster_scores *s, double p, double r, double f1)
{
    assert_float_equal(s->bcubed_precision, p, EPS);
    assert_float_equal(s->bcubed_recall, r, EPS);
    assert_float_equal(s->bcubed_f1, f1, EPS);
}

/* The same partition under other label names scores 1 everywhere. */
static void test_partition_identical(void **state)
{
    (void)state;
    const uint32_t gold[] = {1, 1, 2, 2, 2, 3};
    const uint32_t pred[] = {9, 9, 4000000000u, 4000000000u, 4000000000u, 0};
    nd_cluster_scores s;
    assert_int_equal(nd_eval_partition(&s, gold, pred, 6), ND_OK);
    assert_int_equal(s.gold_clusters, 3);
    assert_int_equal(s.pred_clusters, 3);
    expect_bcubed(&s, 1.0, 1.0, 1.0);
    expect_prf(&s.pairs, 4, 0, 0, 1.0, 1.0, 1.0);
}

/*
 * Gold {a,a,b,b,b}, every article alone: B-cubed P = 1, R = (2*(1/2) + 3*(1/3))/5 = 0.4,
 * F1 = 0.8/1.4. Gold pairs 1 + 3 = 4, none found: pairwise P = 1 (no pair claimed), R = 0.
 */
static void test_partition_singletons(void **state)
{
    (void)state;
    const uint32_t gold[] = {1, 1, 2, 2, 2};
    const uint32_t pred[] = {10, 11, 12, 13, 14};
    nd_cluster_scores s;
    assert_int_equal(nd_eval_partition(&s, gold, pred, 5), ND_OK);
    assert_int_equal(s.gold_clusters, 2);
    assert_int_equal(s.pred_clusters, 5);
    expect_bcubed(&s, 1.0, 0.4, 0.8 / 1.4);
    expect_prf(&s.pairs, 0, 0, 4, 1.0, 0.0, 0.0);

    /* Both all singletons: nothing to get wrong. */
    const uint32_t alone[] = {5, 6, 7};
    assert_int_equal(nd_eval_partition(&s, alone, alone, 3), ND_OK);
    expect_bcubed(&s, 1.0, 1.0, 1.0);
    expect_prf(&s.pairs, 0, 0, 0, 1.0, 1.0, 1.0);
}

/*
 * Gold {a,a,b,b,b}, everything in one cluster: B-cubed P = (2*2/5 + 3*3/5)/5 = 13/25,
 * R = 1, F1 = 2*0.52/1.52. Pairs: 10 found, 4 right: P = 0.4, R = 1, F1 = 0.8/1.4.
 */
static void test_partition_all_in_one(void **state)
{
    (void)state;
    const uint32_t gold[] = {1, 1, 2, 2, 2};
    const uint32_t pred[] = {7, 7, 7, 7, 7};
    nd_cluster_scores s;
    assert_int_equal(nd_eval_partition(&s, gold, pred, 5), ND_OK);
    assert_int_equal(s.gold_clusters, 2);
    assert_int_equal(s.pred_clusters, 1);
    expect_bcubed(&s, 0.52, 1.0, 1.04 / 1.52);
    expect_prf(&s.pairs, 4, 6, 0, 0.4, 1.0, 0.8 / 1.4);
}

/*
 * Gold {1,1,1,2,2,3}, found {A,A,B,B,B,C}. Cells (1,A)=2 (1,B)=1 (2,B)=2 (3,C)=1; gold sizes
 * 3,2,1; found sizes 2,3,1. B-cubed P = (4/2 + 1/3 + 4/3 + 1/1)/6 = 7/9 and R = (4/3 + 1/3 +
 * 4/2 + 1/1)/6 = 7/9. Pairs: right 1 + 1 = 2, found 1 + 3 = 4, gold 3 + 1 = 4.
 */
static void test_partition_mixed(void **state)
{
    (void)state;
    const uint32_t gold[] = {1, 1, 1, 2, 2, 3};
    const uint32_t pred[] = {100, 100, 200, 200, 200, 300};
    nd_cluster_scores s;
    assert_int_equal(nd_eval_partition(&s, gold, pred, 6), ND_OK);
    assert_int_equal(s.gold_clusters, 3);
    assert_int_equal(s.pred_clusters, 3);
    expect_bcubed(&s, 7.0 / 9.0, 7.0 / 9.0, 7.0 / 9.0);
    expect_prf(&s.pairs, 2, 2, 2, 0.5, 0.5, 0.5);

    /* Swapping the roles swaps precision and recall; here both are symmetric already, so
     * check an asymmetric case: gold {1,1,2}, found {1,1,1}. */
    const uint32_t g2[] = {1, 1, 2}, p2[] = {1, 1, 1};
    assert_int_equal(nd_eval_partition(&s, g2, p2, 3), ND_OK);
    expect_bcubed(&s, 5.0 / 9.0, 1.0, 2.0 * (5.0 / 9.0) / (14.0 / 9.0));
    assert_int_equal(nd_eval_partition(&s, p2, g2, 3), ND_OK);
    expect_bcubed(&s, 1.0, 5.0 / 9.0, 2.0 * (5.0 / 9.0) / (14.0 / 9.0));

    assert_int_equal(nd_eval_partition(&s, gold, pred, 0), ND_OK);
    assert_int_equal(s.gold_clusters, 0);
    assert_float_equal(s.bcubed_f1, 0.0, EPS);
}

/*
 * 200,000 items, gold clusters of 100, each found as two halves of 50: B-cubed P = 1,
 * R = 0.5; pairs right 4,000 * C(50,2) = 4,900,000 of 2,000 * C(100,2) = 9,900,000. At this
 * size an all-pairs count would be 2e10 comparisons; the test finishing at all shows the
 * contingency counts are used.
 */
static void test_partition_large(void **state)
{
    (void)state;
    size_t n = 200000;
    uint32_t *gold = malloc(n * sizeof *gold), *pred = malloc(n * sizeof *pred);
    assert_non_null(gold);
    assert_non_null(pred);
    for (size_t i = 0; i < n; i++) {
        gold[i] = (uint32_t)(i / 100);
        pred[i] = (uint32_t)(i / 50) * 2654435761u;
    }
    nd_cluster_scores s;
    assert_int_equal(nd_eval_partition(&s, gold, pred, n), ND_OK);
    assert_int_equal(s.gold_clusters, 2000);
    assert_int_equal(s.pred_clusters, 4000);
    expect_bcubed(&s, 1.0, 0.5, 2.0 / 3.0);
    expect_prf(&s.pairs, 4900000, 0, 5000000, 1.0, 4.9 / 9.9, 2.0 * (4.9 / 9.9) / (1 + 4.9 / 9.9));
    free(gold);
    free(pred);
}

/* Gold for the file tests: story s1 holds events e1 and e2, story s2 reuses the event id e1
 * for an event of its own, s3 has one article. */
static const char gold6[] = "article\tstory\tevent\n"
                            "a1\ts1\te1\n"
                            "a2\ts1\te1\n"
                            "a3\ts1\te2\n"
                            "a4\ts2\te1\n"
                            "a5\ts2\te1\n"
                            "a6\ts3\te9\n";

/*
 * The prediction lacks a5 (scored alone) and has zz (not in the gold); a3 has no event (alone
 * at the event level); its event ids are global numbers. Story level: found {a1,a2,a3} {a4}
 * {a5} {a6}; B-cubed P = 1, R = (3*3/3 + 1/2 + 1/2 + 1)/6 = 5/6; pairs 3 right of 4 gold.
 * Event level: found {a1,a2} {a3} {a4} {a5} {a6} against gold {a1,a2} {a3} {a4,a5} {a6}:
 * P = 1, R = (4/2 + 1 + 1/2 + 1/2 + 1)/6 = 5/6; pairs 1 right of 2.
 */
static void test_files_missing_extra(void **state)
{
    (void)state;
    write_str("gold.tsv", gold6);
    write_str("pred.tsv", "article\tstory\tevent\r\n"
                          "a1\tX\t1\r\n"
                          "zz\tX\t1\r\n"
                          "a2\tX\t1\r\n"
                          "\r\n"
                          "a3\tX\t\r\n"
                          "a4\tY\t7\r\n"
                          "a6\tZ\t1");
    nd_cluster_eval ev;
    char err[256];
    assert_int_equal(nd_eval_clusters(&ev, t_path("gold.tsv"), NULL, t_path("pred.tsv"), err,
                                      sizeof err),
                     ND_OK);
    assert_int_equal(ev.articles, 6);
    assert_int_equal(ev.predicted, 6);
    assert_int_equal(ev.missing, 1);
    assert_string_equal(ev.first_missing, "a5");
    assert_int_equal(ev.extra, 1);
    assert_string_equal(ev.first_extra, "zz");

    assert_int_equal(ev.story.gold_clusters, 3);
    assert_int_equal(ev.story.pred_clusters, 4);
    expect_bcubed(&ev.story, 1.0, 5.0 / 6.0, 10.0 / 11.0);
    expect_prf(&ev.story.pairs, 3, 0, 1, 1.0, 0.75, 1.5 / 1.75);

    assert_int_equal(ev.event.gold_clusters, 4);
    assert_int_equal(ev.event.pred_clusters, 5);
    expect_bcubed(&ev.event, 1.0, 5.0 / 6.0, 10.0 / 11.0);
    expect_prf(&ev.event.pairs, 1, 0, 1, 1.0, 0.5, 1.0 / 1.5);
}

/* Event ids are read inside their story: "e1" of s1 and "e1" of s2 are two events, and a
 * prediction naming them 1 and 7 is exact. Were ids compared alone, gold e1 would be one
 * cluster of four split in two. Escaped fields (as the CLI writes them) are read back. */
static void test_files_event_pairs(void **state)
{
    (void)state;
    write_str("gold.tsv", gold6);
    write_str("pred.tsv", "article\tstory\tevent\textra column\n"
                          "a1\tX\t1\tignored\n"
                          "a2\tX\t1\n"
                          "a3\tX\t2\n"
                          "a4\tY\\tZ\t7\n"
                          "a5\tY\\tZ\t7\n"
                          "a6\tW\\\\\t1\n");
    nd_cluster_eval ev;
    char err[256];
    assert_int_equal(nd_eval_clusters(&ev, t_path("gold.tsv"), NULL, t_path("pred.tsv"), err,
                                      sizeof err),
                     ND_OK);
    assert_int_equal(ev.missing, 0);
    assert_int_equal(ev.extra, 0);
    assert_int_equal(ev.event.gold_clusters, 4);
    assert_int_equal(ev.event.pred_clusters, 4);
    expect_bcubed(&ev.story, 1.0, 1.0, 1.0);
    expect_bcubed(&ev.event, 1.0, 1.0, 1.0);
    expect_prf(&ev.event.pairs, 2, 0, 0, 1.0, 1.0, 1.0);
}

/* Runs nd_eval_clusters on gold.tsv and `pred` and expects failure `want` with a message
 * containing `needle`. */
static void expect_failure(const char *pred, nd_status want, const char *needle)
{
    write_str("pred.tsv", pred);
    nd_cluster_eval ev;
    char err[256] = "";
    nd_status st =
        nd_eval_clusters(&ev, t_path("gold.tsv"), NULL, t_path("pred.tsv"), err, sizeof err);
    if (st != want || !strstr(err, needle))
        fail_msg("status %d (%s), message \"%s\"; expected %d and \"%s\"", st,
                 nd_status_str(st), err, want, needle);
}

static void test_files_errors(void **state)
{
    (void)state;
    write_str("gold.tsv", gold6);
    expect_failure("id\tstory\tevent\n", ND_ERR_INPUT, "pred.tsv:1: expected the header");
    expect_failure("", ND_ERR_INPUT, "empty file");
    expect_failure("article\tstory\tevent\na1\tX\n", ND_ERR_INPUT, "pred.tsv:2: expected");
    expect_failure("article\tstory\tevent\na1\tX\t1\na2\tX\t1\na1\tX\t2\n", ND_ERR_INPUT,
                   "pred.tsv:4: article assigned twice: a1");
    expect_failure("article\tstory\tevent\n\tX\t1\n", ND_ERR_INPUT, "pred.tsv:2: expected");

    char *longline = malloc(10000);
    assert_non_null(longline);
    strcpy(longline, "article\tstory\tevent\na1\t");
    size_t n = strlen(longline);
    memset(longline + n, 'x', 9000);
    strcpy(longline + n + 9000, "\t1\n");
    expect_failure(longline, ND_ERR_INPUT, "pred.tsv:2: line too long");
    free(longline);

    /* The gold file is checked the same way. */
    write_str("gold.tsv", "article\tstory\tevent\na1\ts\te\na1\ts\te\n");
    expect_failure("article\tstory\tevent\n", ND_ERR_INPUT, "gold.tsv:3: article listed twice");
    write_str("gold.tsv", "article\tstory\tevent\n");
    expect_failure("article\tstory\tevent\n", ND_ERR_INPUT, "no articles");

    nd_cluster_eval ev;
    char err[256] = "";
    assert_int_equal(nd_eval_clusters(&ev, t_path("none.tsv"), NULL, t_path("pred.tsv"), err,
                                      sizeof err),
                     ND_ERR_IO);
    assert_non_null(strstr(err, "none.tsv"));
    assert_int_equal(nd_eval_clusters(&ev, t_path("gold.tsv"), NULL, NULL, err, sizeof err),
                     ND_ERR_ARG);
}

/* Every allocation failure comes back as ND_ERR_NOMEM, leaking nothing (ASan checks). */
static void test_files_alloc_failures(void **state)
{
    (void)state;
    write_str("gold.tsv", gold6);
    write_str("pred.tsv", "article\tstory\tevent\na1\tX\t1\na2\tX\t1\na4\tY\t2\nq\tX\t1\n");
    nd_status st = ND_ERR_NOMEM;
    long k;
    for (k = 0; k < 1000 && st == ND_ERR_NOMEM; k++) {
        nd_cluster_eval ev;
        char err[256];
        nd_alloc_fail_after(k);
        st = nd_eval_clusters(&ev, t_path("gold.tsv"), NULL, t_path("pred.tsv"), err, sizeof err);
        nd_alloc_fail_after(-1);
        if (st == ND_ERR_NOMEM)
            assert_non_null(strstr(err, "memory"));
    }
    assert_int_equal(st, ND_OK);
    assert_true(k > 5);
}

/* The ECB+ gold against itself, and against a copy that puts every article in its story's
 * first event: the event level then merges each story's two events, the story level stays
 * exact. */
static void test_ecbplus_gold(void **state)
{
    (void)state;
    if (!t_corpus())
        skip();
    char gold[512];
    snprintf(gold, sizeof gold, "%s", t_corpus_path("ecbplus/gold.tsv"));
    nd_cluster_eval ev;
    char err[256];
    assert_int_equal(nd_eval_clusters(&ev, gold, NULL, gold, err, sizeof err), ND_OK);
    assert_int_equal(ev.articles, 982);
    assert_int_equal(ev.story.gold_clusters, 43);
    assert_int_equal(ev.event.gold_clusters, 86);
    expect_bcubed(&ev.story, 1.0, 1.0, 1.0);
    expect_bcubed(&ev.event, 1.0, 1.0, 1.0);

    size_t len;
    char *text = t_read_file(gold, &len);
    FILE *f = fopen(t_path("merged.tsv"), "w");
    assert_non_null(f);
    for (char *ln = strtok(text, "\n"); ln; ln = strtok(NULL, "\n")) {
        char *tab = strrchr(ln, '\t');
        assert_non_null(tab);
        *tab = '\0';
        fprintf(f, "%s\t%s\n", ln, strncmp(ln, "article\t", 8) == 0 ? "event" : "one");
    }
    fclose(f);
    free(text);
    assert_int_equal(nd_eval_clusters(&ev, gold, NULL, t_path("merged.tsv"), err, sizeof err),
                     ND_OK);
    expect_bcubed(&ev.story, 1.0, 1.0, 1.0);
    assert_int_equal(ev.event.pred_clusters, 43);
    assert_float_equal(ev.event.bcubed_recall, 1.0, EPS);
    assert_true(ev.event.bcubed_precision > 0.5 && ev.event.bcubed_precision < 0.6);
}

/* Three short articles written for this test, stored, and scored from the store against a
 * gold that also lists an article never added. Which stories the clusterer finds is its own
 * business (tested in tests/cluster); here every stored article must come back through
 * nd_clusters_export and the absent one must be reported. */
static void test_store(void **state)
{
    (void)state;
    static const char *const texts[][2] = {
        {"quay1", "Ferry service to the island resumes\n\nThe ferry between the harbour and the "
                  "island sailed again on Monday after the storm damaged its quay.\n"},
        {"quay2", "Island ferry back after storm repairs\n\nRepairs to the island quay were "
                  "finished and the ferry from the harbour carried its first passengers.\n"},
        {"choir", "Village choir wins regional contest\n\nThe village choir took first prize in "
                  "the regional singing contest held in the cathedral on Saturday.\n"},
    };
    nd_store *st = NULL;
    assert_int_equal(nd_store_open(&st, t_path("t.db"), NULL), ND_OK);
    for (size_t i = 0; i < 3; i++) {
        nd_article *a = NULL;
        assert_int_equal(nd_article_parse_text(&a, texts[i][1], strlen(texts[i][1]), texts[i][0],
                                               texts[i][0], NULL, NULL, 0),
                         ND_OK);
        assert_int_equal(nd_store_add(st, a), ND_OK);
        nd_article_free(a);
    }
    write_str("gold.tsv", "article\tstory\tevent\n"
                          "quay1\tferry\tresume\n"
                          "quay2\tferry\tresume\n"
                          "choir\tchoir\tprize\n"
                          "never\tchoir\tprize\n");
    nd_cluster_eval ev;
    char err[256] = "";
    assert_int_equal(nd_eval_clusters(&ev, t_path("gold.tsv"), st, NULL, err, sizeof err), ND_OK);
    assert_int_equal(ev.articles, 4);
    assert_int_equal(ev.predicted, 3);
    assert_int_equal(ev.missing, 1);
    assert_string_equal(ev.first_missing, "never");
    assert_int_equal(ev.extra, 0);
    assert_int_equal(ev.story.gold_clusters, 2);
    /* "never" is alone, and the ferry articles are not with the choir article unless the
     * clusterer merged unrelated stories: at least 2 found stories, at most 4. */
    assert_true(ev.story.pred_clusters >= 2 && ev.story.pred_clusters <= 4);
    assert_true(ev.story.bcubed_recall <= 0.75 + EPS);
    nd_store_close(st);
}

/* Runs the tool in the test folder; returns the exit status, output (stdout then stderr) in
 * *out (free it). */
static int run_cli(char **out, const char *args)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' --db t.db %s 2>&1", t_dir(), ND_CLI_PATH, args);
    int status = -1;
    *out = t_run(cmd, &status);
    return status;
}

static void expect_in(const char *out, const char *needle)
{
    if (!strstr(out, needle))
        fail_msg("output lacks \"%s\":\n%s", needle, out);
}

static void test_cli(void **state)
{
    (void)state;
    write_str("gold.tsv", gold6);
    write_str("pred.tsv", "article\tstory\tevent\na1\tX\t1\na2\tX\t1\na3\tX\t\na4\tY\t7\n"
                          "a6\tZ\t1\nzz\tX\t1\n");
    char *out;
    assert_int_equal(run_cli(&out, "eval clusters --gold gold.tsv --pred pred.tsv"), 0);
    expect_in(out, "articles      6 in the gold, 6 predicted");
    expect_in(out, "missing       1 gold articles without a prediction (scored as singletons)"
                   ", first a5");
    expect_in(out, "story       3      4   1.0000 0.8333 0.9091   1.0000 0.7500 0.8571");
    expect_in(out, "event       4      5   1.0000 0.8333 0.9091   1.0000 0.5000 0.6667");
    expect_in(out, "newsdesk: eval: 1 predicted articles are not in the gold (first: zz)");
    free(out);

    assert_int_equal(run_cli(&out, "eval clusters --gold gold.tsv --pred pred.tsv --format tsv"
                                   " 2>/dev/null"),
                     0);
    expect_in(out, "\n6\t6\t1\t1\t3\t4\t1.000000\t0.833333\t0.909091\t1.000000\t0.750000\t"
                   "0.857143\t3\t0\t1\t4\t5\t");
    free(out);

    assert_int_equal(run_cli(&out, "--format json eval clusters --gold gold.tsv "
                                   "--pred pred.tsv 2>/dev/null"),
                     0);
    expect_in(out, "\"first_missing\": \"a5\"");
    expect_in(out, "\"recall\": 0.75");
    free(out);

    assert_int_equal(run_cli(&out, "eval clusters --gold nothere.tsv --pred pred.tsv"), 4);
    expect_in(out, "cannot read nothere.tsv");
    free(out);
    assert_int_equal(run_cli(&out, "eval clusters --gold gold.tsv --articles x"), 2);
    free(out);
    /* Scoring the store needs a store. */
    assert_int_equal(run_cli(&out, "eval clusters --gold gold.tsv"), 3);
    expect_in(out, "no store");
    free(out);

    /* Two of the six gold articles added: four reported missing, the scores are the store's. */
    write_str("a1.txt", "Bridge closed for inspection\n\nThe old river bridge was closed on "
                        "Tuesday so that engineers could inspect its cables.\n");
    write_str("a4.txt", "Library extends opening hours\n\nThe town library will open until nine "
                        "in the evening from next month, the council said.\n");
    assert_int_equal(run_cli(&out, "add a1.txt a4.txt"), 0);
    free(out);
    assert_int_equal(run_cli(&out, "eval clusters --gold gold.tsv"), 0);
    expect_in(out, "prediction    t.db (store)");
    expect_in(out, "articles      6 in the gold, 2 predicted");
    expect_in(out, "newsdesk: eval: 4 gold articles have no prediction (first: a2)");
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_partition_identical),
        cmocka_unit_test(test_partition_singletons),
        cmocka_unit_test(test_partition_all_in_one),
        cmocka_unit_test(test_partition_mixed),
        cmocka_unit_test(test_partition_large),
        cmocka_unit_test_setup_teardown(test_files_missing_extra, t_dir_setup, t_dir_teardown),
        cmocka_unit_test_setup_teardown(test_files_event_pairs, t_dir_setup, t_dir_teardown),
        cmocka_unit_test_setup_teardown(test_files_errors, t_dir_setup, t_dir_teardown),
        cmocka_unit_test_setup_teardown(test_files_alloc_failures, t_dir_setup, t_dir_teardown),
        cmocka_unit_test_setup_teardown(test_ecbplus_gold, t_dir_setup, t_dir_teardown),
        cmocka_unit_test_setup_teardown(test_store, t_dir_setup, t_dir_teardown),
        cmocka_unit_test_setup_teardown(test_cli, t_dir_setup, t_dir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
