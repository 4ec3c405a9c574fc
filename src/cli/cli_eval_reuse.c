/*
 * `newsdesk eval reuse GOLD`: scores the passages of the store against a reuse gold file
 * (bench/gen_reuse writes one; docs/reuse-eval.md defines every number).
 */
#define _POSIX_C_SOURCE 200809L

#include <string.h>

#include "cli.h"

static json_t *reuse_prf_json(const nd_prf *p)
{
    json_t *o = json_object();
    cli_jset(o, "tp", cli_jint(p->tp));
    cli_jset(o, "fp", cli_jint(p->fp));
    cli_jset(o, "fn", cli_jint(p->fn));
    cli_jset(o, "precision", json_real(p->precision));
    cli_jset(o, "recall", json_real(p->recall));
    cli_jset(o, "f1", json_real(p->f1));
    return o;
}

static const char *kind_name(int k)
{
    return nd_reuse_kind_str((nd_reuse_kind)k);
}

static int print_json(const nd_reuse_eval *ev)
{
    json_t *o = json_object();
    cli_jset(o, "gold_pairs", cli_jint(ev->gold_pairs));
    cli_jset(o, "reported_pairs", cli_jint(ev->reported_pairs));
    cli_jset(o, "pairs", reuse_prf_json(&ev->pairs));
    cli_jset(o, "chars", reuse_prf_json(&ev->chars));
    json_t *kinds = json_object();
    for (int k = 0; k < ND_REUSE_KIND_COUNT_; k++) {
        const nd_reuse_kind_eval *ke = &ev->kinds[k];
        json_t *ko = json_object();
        cli_jset(ko, "gold", cli_jint(ke->gold));
        cli_jset(ko, "found", cli_jint(ke->found));
        cli_jset(ko, "recall", json_real(ke->recall));
        cli_jset(ko, "predicted", cli_jint(ke->predicted));
        cli_jset(ko, "correct", cli_jint(ke->correct));
        cli_jset(ko, "precision", json_real(ke->precision));
        cli_jset(ko, "chars", reuse_prf_json(&ke->chars));
        json_t *conf = json_object();
        for (int j = 0; j < ND_REUSE_KIND_COUNT_; j++)
            cli_jset(conf, kind_name(j), cli_jint(ev->confusion[k][j]));
        cli_jset(ko, "reported_as", conf);
        cli_jset(kinds, kind_name(k), ko);
    }
    cli_jset(o, "kinds", kinds);
    json_t *cases = json_object();
    for (size_t c = 0; c < ev->ncases; c++) {
        const nd_reuse_case_eval *ce = &ev->cases[c];
        json_t *co = json_object();
        cli_jset(co, "gold", cli_jint(ce->gold));
        cli_jset(co, "found", cli_jint(ce->found));
        cli_jset(co, "recall", json_real(ce->recall));
        cli_jset(co, "chars", reuse_prf_json(&ce->chars));
        cli_jset(cases, ce->name, co);
    }
    cli_jset(o, "cases", cases);
    cli_jset(o, "negatives", cli_jint(ev->negatives));
    cli_jset(o, "negatives_reported", cli_jint(ev->negatives_reported));
    cli_jset(o, "unjudged", cli_jint(ev->unjudged));
    cli_jset(o, "unjudged_reported", cli_jint(ev->unjudged_reported));
    cli_jset(o, "restatements", cli_jint(ev->restatements));
    cli_jset(o, "origin_judged", cli_jint(ev->origin_judged));
    cli_jset(o, "origin_right", cli_jint(ev->origin_right));
    return cli_json_print(o);
}

/* One row per measure: the pair and character scores overall, per kind and per case. */
static int print_tsv(const nd_reuse_eval *ev)
{
    puts("scope\tname\tgold\tfound\tpredicted\tcorrect\tprecision\trecall\t"
         "char_precision\tchar_recall\tchar_f1\tchar_tp\tchar_fp\tchar_fn");
    const nd_prf *c = &ev->chars;
    printf("all\tpairs\t%lld\t%lld\t%lld\t%lld\t%.6f\t%.6f\t%.6f\t%.6f\t%.6f\t%lld\t%lld\t%lld\n",
           (long long)ev->gold_pairs, (long long)ev->pairs.tp, (long long)ev->reported_pairs,
           (long long)ev->pairs.tp, ev->pairs.precision, ev->pairs.recall, c->precision, c->recall,
           c->f1, (long long)c->tp, (long long)c->fp, (long long)c->fn);
    for (int k = 0; k < ND_REUSE_KIND_COUNT_; k++) {
        const nd_reuse_kind_eval *ke = &ev->kinds[k];
        c = &ke->chars;
        printf("kind\t%s\t%lld\t%lld\t%lld\t%lld\t%.6f\t%.6f\t%.6f\t%.6f\t%.6f\t%lld\t%lld\t%lld\n",
               kind_name(k), (long long)ke->gold, (long long)ke->found, (long long)ke->predicted,
               (long long)ke->correct, ke->precision, ke->recall, c->precision, c->recall, c->f1,
               (long long)c->tp, (long long)c->fp, (long long)c->fn);
    }
    for (size_t i = 0; i < ev->ncases; i++) {
        const nd_reuse_case_eval *ce = &ev->cases[i];
        c = &ce->chars;
        printf("case\t%s\t%lld\t%lld\t\t\t\t%.6f\t%.6f\t%.6f\t%.6f\t%lld\t%lld\t%lld\n", ce->name,
               (long long)ce->gold, (long long)ce->found, ce->recall, c->precision, c->recall,
               c->f1, (long long)c->tp, (long long)c->fp, (long long)c->fn);
    }
    printf("negatives\treported\t%lld\t%lld\t\t\t\t\t\t\t\t\t\t\n", (long long)ev->negatives,
           (long long)ev->negatives_reported);
    printf("unjudged\treported\t%lld\t%lld\t\t\t\t\t\t\t\t\t\t\n", (long long)ev->unjudged,
           (long long)ev->unjudged_reported);
    printf("origin\tright\t%lld\t%lld\t\t\t\t\t\t\t\t\t\t\n", (long long)ev->origin_judged,
           (long long)ev->origin_right);
    return CLI_EXIT_OK;
}

static double ratio(int64_t a, int64_t b)
{
    return b ? (double)a / (double)b : 0.0;
}

static int print_text(const nd_reuse_eval *ev, const char *gold)
{
    printf("gold             %s\n", gold);
    printf("gold pairs       %lld\n", (long long)ev->gold_pairs);
    printf("reported pairs   %lld judged, %lld unjudged\n", (long long)ev->reported_pairs,
           (long long)ev->unjudged_reported);
    printf("\n%-16s %9s %7s %7s %8s %7s %7s\n", "", "precision", "recall", "F1", "tp", "fp", "fn");
    const nd_prf *p = &ev->pairs;
    printf("%-16s %9.4f %7.4f %7.4f %8lld %7lld %7lld\n", "pairs", p->precision, p->recall, p->f1,
           (long long)p->tp, (long long)p->fp, (long long)p->fn);
    p = &ev->chars;
    printf("%-16s %9.4f %7.4f %7.4f %8lld %7lld %7lld\n", "characters", p->precision, p->recall,
           p->f1, (long long)p->tp, (long long)p->fp, (long long)p->fn);
    printf("\nper kind: recall by gold kind, precision by reported kind\n");
    printf("%-16s %9s %7s %12s %12s %9s %9s\n", "", "precision", "recall", "correct/rep",
           "found/gold", "char P", "char R");
    for (int k = 0; k < ND_REUSE_KIND_COUNT_; k++) {
        const nd_reuse_kind_eval *ke = &ev->kinds[k];
        char a[32], b[32];
        snprintf(a, sizeof a, "%lld/%lld", (long long)ke->correct, (long long)ke->predicted);
        snprintf(b, sizeof b, "%lld/%lld", (long long)ke->found, (long long)ke->gold);
        printf("%-16s %9.4f %7.4f %12s %12s %9.4f %9.4f\n", kind_name(k), ke->precision, ke->recall,
               a, b, ke->chars.precision, ke->chars.recall);
    }
    printf("\nreported kind of the gold pairs found (rows: gold kind)\n%-16s", "");
    for (int j = 0; j < ND_REUSE_KIND_COUNT_; j++)
        printf(" %14s", kind_name(j));
    fputc('\n', stdout);
    for (int k = 0; k < ND_REUSE_KIND_COUNT_; k++) {
        printf("%-16s", kind_name(k));
        for (int j = 0; j < ND_REUSE_KIND_COUNT_; j++)
            printf(" %14lld", (long long)ev->confusion[k][j]);
        fputc('\n', stdout);
    }
    if (ev->ncases) {
        printf("\nper case\n%-16s %7s %12s %9s %9s\n", "", "recall", "found/gold", "char P",
               "char R");
        for (size_t i = 0; i < ev->ncases; i++) {
            const nd_reuse_case_eval *ce = &ev->cases[i];
            char b[32];
            snprintf(b, sizeof b, "%lld/%lld", (long long)ce->found, (long long)ce->gold);
            printf("%-16s %7.4f %12s %9.4f %9.4f\n", ce->name, ce->recall, b, ce->chars.precision,
                   ce->chars.recall);
        }
    }
    printf("\nnegatives        %lld of %lld reported (same topic, other event)\n",
           (long long)ev->negatives_reported, (long long)ev->negatives);
    printf("unjudged pairs   %lld of %lld reported (not scored)\n",
           (long long)ev->unjudged_reported, (long long)ev->unjudged);
    printf("restatements     %lld (inside one article; not scored)\n", (long long)ev->restatements);
    printf("origin           %lld of %lld found gold pairs have the gold origin as a (%.4f)\n",
           (long long)ev->origin_right, (long long)ev->origin_judged,
           ratio(ev->origin_right, ev->origin_judged));
    return CLI_EXIT_OK;
}

int cli_eval_reuse(cli_ctx *ctx, const char *gold)
{
    if (!gold)
        return cli_usage(ctx, "eval reuse: say which gold file: 'newsdesk eval reuse GOLD'");
    nd_store *st = NULL;
    int rc = cli_open_store(ctx, 1, &st);
    if (rc != CLI_EXIT_OK)
        return rc;
    nd_reuse_eval ev;
    char err[1024] = "";
    nd_status s = nd_eval_reuse(&ev, st, gold, err, sizeof err);
    nd_store_close(st);
    if (s != ND_OK) {
        cli_err("%s", *err ? err : nd_status_str(s));
        if (s == ND_ERR_ARG)
            return CLI_EXIT_USAGE;
        return s == ND_ERR_IO || s == ND_ERR_INPUT || s == ND_ERR_TOO_BIG ? CLI_EXIT_INPUT
                                                                          : CLI_EXIT_STORE;
    }
    if (ctx->format == CLI_FMT_JSON)
        return print_json(&ev);
    if (ctx->format == CLI_FMT_TSV)
        return print_tsv(&ev);
    return print_text(&ev, gold);
}
