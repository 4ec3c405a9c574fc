/*
 * Reuse scores: the scorer on small hand-made sets of gold rows and found passages whose
 * numbers are worked out in the comments, the gold TSV reader on bad files, allocation
 * failures, and end to end: a generated reuse stream (bench/gen_reuse) added to a fresh store,
 * scored through nd_eval_reuse() and `newsdesk eval reuse`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "eval/eval_reuse.h"
#include "newsdesk.h"
#include "support.h"
#include "util/alloc.h"

#define EPS 1e-9

static nd_passage P(const char *a, size_t as, size_t ae, const char *b, size_t bs, size_t be,
                    nd_reuse_kind kind)
{
    nd_passage p = {a, as, ae, b, bs, be, kind, 1.0, ND_ORIGIN_DATE};
    return p;
}

static void gold(nd_reuse_scorer *s, nd_passage p, int label, const char *cas)
{
    assert_int_equal(nd_reuse_scorer_gold(s, &p, label, cas), ND_OK);
}

static void found(nd_reuse_scorer *s, nd_passage p)
{
    assert_int_equal(nd_reuse_scorer_found(s, &p), ND_OK);
}

/*
 * The worked example:
 *   gold  A-B  verbatim  A[0,100) B[0,100)  case copy
 *         C-D  reworded  C[10,60) D[20,70)  case rewrite
 *         E-F  verbatim  E[0,40)  F[0,40)   (no case)        -> never found
 *         G-H  none                                          -> found: a negative
 *         I-J  ignore                                        -> found: not scored
 *   found A-B in two verbatim halves plus A[100,120) B[100,120) (40 bytes beyond the gold),
 *         D-C near-verbatim (a and b swapped: the origin is wrong), G-H verbatim 30+30 bytes,
 *         I-J, and a restatement inside K.
 * Pairs: gold 3, judged reported 3 (A-B, C-D, G-H): tp 2, fp 1, fn 1.
 * Kinds: verbatim gold 2 found 1; reworded gold 1 found 1; reported verbatim A-B and G-H
 * (1 correct), near-verbatim C-D (correct).
 * Characters: A-B tp 200 fp 40; C-D tp 100; E-F fn 80; G-H fp 60 => tp 300 fp 100 fn 80.
 */
static void build_example(nd_reuse_scorer *s)
{
    gold(s, P("A", 0, 100, "B", 0, 100, 0), ND_REUSE_VERBATIM, "copy");
    gold(s, P("C", 10, 60, "D", 20, 70, 0), ND_REUSE_REWORDED, "rewrite");
    gold(s, P("E", 0, 40, "F", 0, 40, 0), ND_REUSE_VERBATIM, NULL);
    gold(s, P("G", 0, 0, "H", 0, 0, 0), ND_GOLD_NONE, "negative");
    gold(s, P("I", 0, 0, "J", 0, 0, 0), ND_GOLD_IGNORE, "unjudged");
    found(s, P("A", 0, 50, "B", 0, 50, ND_REUSE_VERBATIM));
    found(s, P("A", 50, 100, "B", 50, 100, ND_REUSE_VERBATIM));
    found(s, P("A", 100, 120, "B", 100, 120, ND_REUSE_VERBATIM));
    found(s, P("D", 20, 70, "C", 10, 60, ND_REUSE_NEAR_VERBATIM));
    found(s, P("G", 0, 30, "H", 0, 30, ND_REUSE_VERBATIM));
    found(s, P("I", 0, 10, "J", 0, 10, ND_REUSE_REWORDED));
    found(s, P("K", 0, 10, "K", 20, 30, ND_REUSE_REWORDED));
}

static void test_worked_example(void **state)
{
    (void)state;
    nd_reuse_scorer *s;
    assert_int_equal(nd_reuse_scorer_new(&s), ND_OK);
    build_example(s);
    nd_reuse_eval ev;
    assert_int_equal(nd_reuse_scorer_finish(s, &ev, NULL, NULL), ND_OK);
    nd_reuse_scorer_free(s);

    assert_int_equal(ev.gold_pairs, 3);
    assert_int_equal(ev.reported_pairs, 3);
    assert_int_equal(ev.pairs.tp, 2);
    assert_int_equal(ev.pairs.fp, 1);
    assert_int_equal(ev.pairs.fn, 1);
    assert_true(ev.pairs.precision > 2.0 / 3 - EPS && ev.pairs.precision < 2.0 / 3 + EPS);
    assert_true(ev.pairs.recall > 2.0 / 3 - EPS && ev.pairs.recall < 2.0 / 3 + EPS);

    const nd_reuse_kind_eval *v = &ev.kinds[ND_REUSE_VERBATIM];
    const nd_reuse_kind_eval *n = &ev.kinds[ND_REUSE_NEAR_VERBATIM];
    const nd_reuse_kind_eval *r = &ev.kinds[ND_REUSE_REWORDED];
    assert_int_equal(v->gold, 2);
    assert_int_equal(v->found, 1);
    assert_int_equal(v->predicted, 2);
    assert_int_equal(v->correct, 1);
    assert_true(v->precision > 0.5 - EPS && v->precision < 0.5 + EPS);
    assert_true(v->recall > 0.5 - EPS && v->recall < 0.5 + EPS);
    assert_int_equal(n->gold, 0);
    assert_int_equal(n->predicted, 1);
    assert_int_equal(n->correct, 1);
    assert_int_equal(r->gold, 1);
    assert_int_equal(r->found, 1);
    assert_int_equal(r->predicted, 0);
    assert_int_equal(ev.confusion[ND_REUSE_VERBATIM][ND_REUSE_VERBATIM], 1);
    assert_int_equal(ev.confusion[ND_REUSE_REWORDED][ND_REUSE_NEAR_VERBATIM], 1);
    assert_int_equal(ev.confusion[ND_REUSE_REWORDED][ND_REUSE_REWORDED], 0);

    assert_int_equal(ev.chars.tp, 300);
    assert_int_equal(ev.chars.fp, 100);
    assert_int_equal(ev.chars.fn, 80);
    /* per gold kind: verbatim A-B (tp 200, fp 40) and E-F (fn 80); reworded C-D (tp 100) */
    assert_int_equal(v->chars.tp, 200);
    assert_int_equal(v->chars.fp, 40);
    assert_int_equal(v->chars.fn, 80);
    assert_int_equal(r->chars.tp, 100);
    assert_int_equal(r->chars.fn, 0);

    assert_int_equal(ev.negatives, 1);
    assert_int_equal(ev.negatives_reported, 1);
    assert_int_equal(ev.unjudged, 1);
    assert_int_equal(ev.unjudged_reported, 1);
    assert_int_equal(ev.restatements, 1);
    assert_int_equal(ev.origin_judged, 2);
    assert_int_equal(ev.origin_right, 1);

    assert_int_equal(ev.ncases, 2);
    assert_string_equal(ev.cases[0].name, "copy");
    assert_int_equal(ev.cases[0].gold, 1);
    assert_int_equal(ev.cases[0].found, 1);
    assert_int_equal(ev.cases[0].chars.tp, 200);
    assert_int_equal(ev.cases[0].chars.fp, 40);
    assert_string_equal(ev.cases[1].name, "rewrite");
    assert_int_equal(ev.cases[1].chars.tp, 100);
}

/* Made-up texts for the weight test: only non-space characters count. */
static nd_status text_weight(void *ctx, uint32_t art, const char *id, size_t start, size_t end,
                             int64_t *out)
{
    (void)ctx, (void)art;
    const char *t = !strcmp(id, "x") ? "the ferry left at noon\nand came back late"
                                     : "  the ferry left at noon and came back late";
    assert_true(end <= strlen(t));
    int64_t n = 0;
    for (size_t i = start; i < end; i++)
        n += t[i] != ' ' && t[i] != '\n';
    *out = n;
    return ND_OK;
}

/* Gold x[0,41) y[2,43) as one passage, found as two passages split at the newline of x and
 * the space of y: the white space between the found pieces is not missed, the 33 letters on
 * each side are all found. */
static void test_spaces_do_not_count(void **state)
{
    (void)state;
    nd_reuse_scorer *s;
    assert_int_equal(nd_reuse_scorer_new(&s), ND_OK);
    gold(s, P("x", 0, 41, "y", 2, 43, 0), ND_REUSE_VERBATIM, "copy");
    found(s, P("x", 0, 22, "y", 2, 24, ND_REUSE_VERBATIM));
    found(s, P("x", 23, 41, "y", 25, 43, ND_REUSE_VERBATIM));
    nd_reuse_eval ev;
    assert_int_equal(nd_reuse_scorer_finish(s, &ev, text_weight, NULL), ND_OK);
    nd_reuse_scorer_free(s);
    assert_int_equal(ev.chars.tp, 66);
    assert_int_equal(ev.chars.fp, 0);
    assert_int_equal(ev.chars.fn, 0);
    assert_true(ev.chars.f1 > 1.0 - EPS);
}

/* Labels: a passage row makes a gold pair whatever else is said of it; ignore beats none;
 * the kind of a pair is the kind of most of its bytes, a tie going to the more literal. */
static void test_labels_and_kinds(void **state)
{
    (void)state;
    nd_reuse_scorer *s;
    assert_int_equal(nd_reuse_scorer_new(&s), ND_OK);
    gold(s, P("p", 0, 0, "q", 0, 0, 0), ND_GOLD_NONE, NULL);
    gold(s, P("q", 0, 10, "p", 0, 10, 0), ND_REUSE_REWORDED, NULL);
    gold(s, P("p", 0, 30, "q", 0, 30, 0), ND_REUSE_NEAR_VERBATIM, NULL); /* most bytes */
    gold(s, P("u", 0, 0, "v", 0, 0, 0), ND_GOLD_NONE, NULL);
    gold(s, P("v", 0, 0, "u", 0, 0, 0), ND_GOLD_IGNORE, NULL);
    gold(s, P("u", 0, 0, "v", 0, 0, 0), ND_GOLD_NONE, NULL);
    found(s, P("p", 0, 10, "q", 0, 10, ND_REUSE_VERBATIM));
    found(s, P("p", 10, 20, "q", 10, 20, ND_REUSE_REWORDED));
    found(s, P("u", 0, 5, "v", 0, 5, ND_REUSE_VERBATIM));
    nd_passage self = P("p", 0, 1, "p", 2, 3, 0);
    assert_int_equal(nd_reuse_scorer_gold(s, &self, ND_REUSE_VERBATIM, NULL), ND_ERR_ARG);
    nd_passage other = P("p", 0, 1, "q", 2, 3, 0);
    assert_int_equal(nd_reuse_scorer_gold(s, &other, 7, NULL), ND_ERR_ARG);
    nd_reuse_eval ev;
    assert_int_equal(nd_reuse_scorer_finish(s, &ev, NULL, NULL), ND_OK);
    nd_reuse_scorer_free(s);
    assert_int_equal(ev.gold_pairs, 1);
    assert_int_equal(ev.kinds[ND_REUSE_NEAR_VERBATIM].gold, 1);
    assert_int_equal(ev.confusion[ND_REUSE_NEAR_VERBATIM][ND_REUSE_VERBATIM], 1);
    assert_int_equal(ev.negatives, 0);
    assert_int_equal(ev.unjudged, 1);
    assert_int_equal(ev.unjudged_reported, 1);
    assert_int_equal(ev.reported_pairs, 1);
    assert_int_equal(ev.pairs.fp, 0);
    /* p-q: gold [0,30) on both sides, found [0,20): tp 40, fn 20 */
    assert_int_equal(ev.chars.tp, 40);
    assert_int_equal(ev.chars.fn, 20);
    assert_int_equal(ev.chars.fp, 0);
}

/* Nothing found, nothing in the gold: all zero, no division by zero. */
static void test_empty(void **state)
{
    (void)state;
    nd_reuse_scorer *s;
    assert_int_equal(nd_reuse_scorer_new(&s), ND_OK);
    nd_reuse_eval ev;
    assert_int_equal(nd_reuse_scorer_finish(s, &ev, NULL, NULL), ND_OK);
    nd_reuse_scorer_free(s);
    assert_int_equal(ev.gold_pairs + ev.reported_pairs + ev.chars.tp + ev.chars.fn, 0);
    assert_true(ev.pairs.precision == 0.0 && ev.pairs.recall == 0.0);
}

/* Every allocation of the scorer may fail: the failure comes back as ND_ERR_NOMEM, and the
 * run that succeeds gives the worked example's numbers. */
static void test_alloc_failures(void **state)
{
    (void)state;
    for (long n = 0;; n++) {
        nd_alloc_fail_after(n);
        nd_reuse_scorer *s = NULL;
        nd_status st = nd_reuse_scorer_new(&s);
        nd_passage ps[] = {P("A", 0, 100, "B", 0, 100, 0), P("C", 10, 60, "D", 20, 70, 0)};
        for (size_t i = 0; st == ND_OK && i < 2; i++)
            st = nd_reuse_scorer_gold(s, &ps[i], ND_REUSE_VERBATIM, "copy");
        for (size_t i = 0; st == ND_OK && i < 2; i++)
            st = nd_reuse_scorer_found(s, &ps[i]);
        nd_reuse_eval ev;
        if (st == ND_OK)
            st = nd_reuse_scorer_finish(s, &ev, NULL, NULL);
        nd_reuse_scorer_free(s);
        long failures = nd_alloc_failures();
        nd_alloc_fail_after(-1);
        if (st == ND_OK) {
            assert_int_equal(failures, 0);
            assert_int_equal(ev.pairs.tp, 2);
            assert_int_equal(ev.chars.tp, 300);
            break;
        }
        assert_int_equal(st, ND_ERR_NOMEM);
        assert_true(n < 1000);
    }
}

static void write_str(const char *path, const char *s)
{
    t_write_file(path, s, strlen(s));
}

static nd_store *open_store(const char *name)
{
    nd_store *st = NULL;
    assert_int_equal(nd_store_open(&st, t_path(name), NULL), ND_OK);
    return st;
}

/* Bad gold files fail with a message naming the line; a gold article that is not in the
 * store fails too (its characters could not be counted). */
static void test_bad_gold(void **state)
{
    (void)state;
    nd_store *st = open_store("empty.db");
    nd_reuse_eval ev;
    char err[512];
    assert_int_equal(nd_eval_reuse(&ev, st, t_path("missing.tsv"), err, sizeof err), ND_ERR_IO);

    write_str(t_path("g1.tsv"), "article\tstart\tend\nx\t0\t1\n");
    assert_int_equal(nd_eval_reuse(&ev, st, t_path("g1.tsv"), err, sizeof err), ND_ERR_INPUT);
    assert_non_null(strstr(err, ":1:"));

    static const char header[] =
        "article_a\ta_start\ta_end\tarticle_b\tb_start\tb_end\tkind\tsimilarity\tcase\n";
    char buf[1024];
    snprintf(buf, sizeof buf,
             "%sa\t0\t5\tb\t0\t5\tverbatim\t1\tcopy\na\t0\tx\tb\t0\t5\tverbatim\t1\n", header);
    write_str(t_path("g2.tsv"), buf);
    assert_int_equal(nd_eval_reuse(&ev, st, t_path("g2.tsv"), err, sizeof err), ND_ERR_INPUT);
    assert_non_null(strstr(err, ":3:"));

    snprintf(buf, sizeof buf, "%sa\t0\t5\tb\t0\t5\tcopied\t1\n", header);
    write_str(t_path("g3.tsv"), buf);
    assert_int_equal(nd_eval_reuse(&ev, st, t_path("g3.tsv"), err, sizeof err), ND_ERR_INPUT);

    snprintf(buf, sizeof buf, "%sa\t0\t5\ta\t9\t14\tverbatim\t1\n", header);
    write_str(t_path("g4.tsv"), buf);
    assert_int_equal(nd_eval_reuse(&ev, st, t_path("g4.tsv"), err, sizeof err), ND_ERR_INPUT);

    /* well formed, but the store has neither article */
    snprintf(buf, sizeof buf, "%sa\t0\t5\tb\t0\t5\tverbatim\t1\tcopy\nc\t0\t0\td\t0\t0\tnone\t0\n",
             header);
    write_str(t_path("g5.tsv"), buf);
    assert_int_equal(nd_eval_reuse(&ev, st, t_path("g5.tsv"), err, sizeof err), ND_ERR_NOT_FOUND);
    assert_non_null(strstr(err, "not in the store"));

    /* only negatives: nothing to load, nothing reported */
    snprintf(buf, sizeof buf, "%sc\t0\t0\td\t0\t0\tnone\t0\tnegative\n", header);
    write_str(t_path("g6.tsv"), buf);
    assert_int_equal(nd_eval_reuse(&ev, st, t_path("g6.tsv"), err, sizeof err), ND_OK);
    assert_int_equal(ev.negatives, 1);
    assert_int_equal(ev.negatives_reported, 0);
    nd_store_close(st);
}

/* The path of a program built beside the command-line tool. */
static const char *built(const char *name)
{
    static char buf[1024];
    snprintf(buf, sizeof buf, "%s", ND_CLI_PATH);
    char *slash = strrchr(buf, '/');
    snprintf(slash ? slash + 1 : buf, sizeof buf - (size_t)(slash ? slash + 1 - buf : 0), "%s",
             name);
    return buf;
}

/*
 * End to end: a small generated stream (10 topics of ECB+, 10 derived articles of each case)
 * added to a fresh store, then scored. The bounds are the targets of issue 4 loosened only by
 * what one miss weighs in a set this small; the full-size figures are in BENCHMARKS.md.
 */
static void test_generated_stream(void **state)
{
    (void)state;
    const char *gen = built("gen_reuse");
    if (access(gen, X_OK) != 0)
        fail_msg("%s is missing: build the gen_reuse target (bench/gen_reuse.c)", gen);
    const char *jsonl = t_corpus_path("ecbplus/articles.jsonl");
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' -s 11 -t 10 -c 10 '%s' '%s' '%s' 2>&1", gen, jsonl,
             t_path("stream.jsonl"), t_path("gold.tsv"));
    int status;
    char *out = t_run(cmd, &status);
    assert_int_equal(status, 0);
    free(out);

    nd_store *st = open_store("gen.db");
    nd_reader *r;
    assert_int_equal(nd_reader_new(&r, NULL), ND_OK);
    assert_int_equal(nd_reader_add_path(r, t_path("stream.jsonl")), ND_OK);
    assert_int_equal(nd_store_begin(st), ND_OK);
    size_t added = 0;
    for (;;) {
        nd_article *a;
        nd_status s = nd_reader_next(r, &a);
        if (s == ND_DONE)
            break;
        assert_int_equal(s, ND_OK);
        assert_int_equal(nd_store_add(st, a), ND_OK);
        nd_article_free(a);
        added++;
    }
    assert_int_equal(nd_store_commit(st), ND_OK);
    nd_reader_free(r);
    assert_true(added > 250 && added < 400);

    nd_reuse_eval ev;
    char err[512] = "";
    nd_status s = nd_eval_reuse(&ev, st, t_path("gold.tsv"), err, sizeof err);
    if (s != ND_OK)
        fail_msg("nd_eval_reuse: %s", err);
    nd_store_close(st);
    print_message("pairs P %.4f R %.4f; chars P %.4f R %.4f; negatives %lld/%lld; "
                  "origin %lld/%lld\n",
                  ev.pairs.precision, ev.pairs.recall, ev.chars.precision, ev.chars.recall,
                  (long long)ev.negatives_reported, (long long)ev.negatives,
                  (long long)ev.origin_right, (long long)ev.origin_judged);
    assert_int_equal(ev.gold_pairs, 80); /* 7 cases x 10, plus the second pair of embed */
    assert_true(ev.negatives > 1000);
    assert_int_equal(ev.negatives_reported, 0);
    assert_true(ev.pairs.precision >= 0.95);
    assert_true(ev.pairs.recall >= 0.9);
    assert_true(ev.kinds[ND_REUSE_VERBATIM].recall >= 0.95);
    assert_true(ev.chars.precision >= 0.95);
    assert_true(ev.chars.recall >= 0.9);
    assert_true(ev.origin_right >= ev.origin_judged - 2);

    /* The command prints the same numbers. */
    snprintf(cmd, sizeof cmd, "'%s' --db '%s' eval reuse '%s' --format tsv", ND_CLI_PATH,
             t_path("gen.db"), t_path("gold.tsv"));
    out = t_run(cmd, &status);
    assert_int_equal(status, 0);
    char line[256];
    snprintf(line, sizeof line, "all\tpairs\t%lld\t%lld\t", (long long)ev.gold_pairs,
             (long long)ev.pairs.tp);
    assert_non_null(strstr(out, line));
    assert_non_null(strstr(out, "negatives\treported\t"));
    free(out);
    snprintf(cmd, sizeof cmd, "'%s' --db '%s' eval reuse 2>&1", ND_CLI_PATH, t_path("gen.db"));
    out = t_run(cmd, &status);
    assert_int_equal(status, 2); /* usage: no gold file named */
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_example),
        cmocka_unit_test(test_spaces_do_not_count),
        cmocka_unit_test(test_labels_and_kinds),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_alloc_failures),
        cmocka_unit_test_setup_teardown(test_bad_gold, t_dir_setup, t_dir_teardown),
        cmocka_unit_test_setup_teardown(test_generated_stream, t_dir_setup, t_dir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
