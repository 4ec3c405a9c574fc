/*
 * `newsdesk eval clusters`: scores the store's stories and events (or any clustering TSV)
 * against gold labels, printing B-cubed and pairwise scores at both levels. Kept apart from
 * cli_eval.c, which only parses the options and dispatches here.
 */
#include <string.h>

#include "cli.h"

static json_t *level_json(const nd_cluster_scores *s)
{
    json_t *o = json_object();
    cli_jset(o, "gold_clusters", cli_jint(s->gold_clusters));
    cli_jset(o, "pred_clusters", cli_jint(s->pred_clusters));
    json_t *b = json_object();
    cli_jset(b, "precision", json_real(s->bcubed_precision));
    cli_jset(b, "recall", json_real(s->bcubed_recall));
    cli_jset(b, "f1", json_real(s->bcubed_f1));
    cli_jset(o, "bcubed", b);
    json_t *p = json_object();
    cli_jset(p, "tp", cli_jint(s->pairs.tp));
    cli_jset(p, "fp", cli_jint(s->pairs.fp));
    cli_jset(p, "fn", cli_jint(s->pairs.fn));
    cli_jset(p, "precision", json_real(s->pairs.precision));
    cli_jset(p, "recall", json_real(s->pairs.recall));
    cli_jset(p, "f1", json_real(s->pairs.f1));
    cli_jset(o, "pairs", p);
    return o;
}

static void level_tsv_header(const char *level)
{
    static const char *const m[] = {
        "gold_clusters",  "pred_clusters", "bcubed_precision", "bcubed_recall", "bcubed_f1",
        "pair_precision", "pair_recall",   "pair_f1",          "pair_tp",       "pair_fp",
        "pair_fn",
    };
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        printf("\t%s_%s", level, m[i]);
}

static void level_tsv(const nd_cluster_scores *s)
{
    printf("\t%lld\t%lld\t%.6f\t%.6f\t%.6f\t%.6f\t%.6f\t%.6f\t%lld\t%lld\t%lld",
           (long long)s->gold_clusters, (long long)s->pred_clusters, s->bcubed_precision,
           s->bcubed_recall, s->bcubed_f1, s->pairs.precision, s->pairs.recall, s->pairs.f1,
           (long long)s->pairs.tp, (long long)s->pairs.fp, (long long)s->pairs.fn);
}

static void level_text(const char *name, const nd_cluster_scores *s)
{
    printf("%-6s %6lld %6lld   %6.4f %6.4f %6.4f   %6.4f %6.4f %6.4f\n", name,
           (long long)s->gold_clusters, (long long)s->pred_clusters, s->bcubed_precision,
           s->bcubed_recall, s->bcubed_f1, s->pairs.precision, s->pairs.recall, s->pairs.f1);
}

static int print_clusters(const cli_ctx *ctx, const nd_cluster_eval *ev, const char *gold,
                          const char *pred)
{
    if (ctx->format == CLI_FMT_JSON) {
        json_t *o = json_object();
        cli_jset(o, "gold", cli_jstr(gold));
        cli_jset(o, "prediction", cli_jstr(pred ? pred : ctx->db));
        cli_jset(o, "articles", cli_jint(ev->articles));
        cli_jset(o, "predicted", cli_jint(ev->predicted));
        cli_jset(o, "missing", cli_jint(ev->missing));
        cli_jset(o, "extra", cli_jint(ev->extra));
        cli_jset(o, "first_missing", cli_jstr(ev->missing ? ev->first_missing : NULL));
        cli_jset(o, "first_extra", cli_jstr(ev->extra ? ev->first_extra : NULL));
        cli_jset(o, "story", level_json(&ev->story));
        cli_jset(o, "event", level_json(&ev->event));
        return cli_json_print(o);
    }
    if (ctx->format == CLI_FMT_TSV) {
        fputs("articles\tpredicted\tmissing\textra", stdout);
        level_tsv_header("story");
        level_tsv_header("event");
        printf("\n%lld\t%lld\t%lld\t%lld", (long long)ev->articles, (long long)ev->predicted,
               (long long)ev->missing, (long long)ev->extra);
        level_tsv(&ev->story);
        level_tsv(&ev->event);
        fputc('\n', stdout);
        return CLI_EXIT_OK;
    }
    printf("gold          %s\n", gold);
    printf("prediction    %s%s\n", pred ? pred : ctx->db, pred ? "" : " (store)");
    printf("articles      %lld in the gold, %lld predicted\n", (long long)ev->articles,
           (long long)ev->predicted);
    printf("missing       %lld gold articles without a prediction (scored as singletons)%s%s\n",
           (long long)ev->missing, ev->missing ? ", first " : "",
           ev->missing ? ev->first_missing : "");
    printf("extra         %lld predicted articles not in the gold (not scored)%s%s\n\n",
           (long long)ev->extra, ev->extra ? ", first " : "", ev->extra ? ev->first_extra : "");
    printf("%-6s %6s %6s   %-20s   %-20s\n", "", "gold", "found", "B-cubed", "pairwise");
    printf("%-6s %6s %6s   %6s %6s %6s   %6s %6s %6s\n", "level", "clust", "clust", "P", "R",
           "F1", "P", "R", "F1");
    level_text("story", &ev->story);
    level_text("event", &ev->event);
    return CLI_EXIT_OK;
}

int cli_eval_clusters(cli_ctx *ctx, const char *gold, const char *pred)
{
    nd_store *st = NULL;
    if (!pred) {
        int rc = cli_open_store(ctx, 1, &st);
        if (rc != CLI_EXIT_OK)
            return rc;
    }
    nd_cluster_eval ev;
    memset(&ev, 0, sizeof ev);
    char err[1024] = "";
    nd_status s = nd_eval_clusters(&ev, gold, st, pred, err, sizeof err);
    nd_store_close(st);
    if (s != ND_OK) {
        cli_err("%s", *err ? err : nd_status_str(s));
        if (s == ND_ERR_ARG)
            return CLI_EXIT_USAGE;
        return s == ND_ERR_IO || s == ND_ERR_INPUT ? CLI_EXIT_INPUT : CLI_EXIT_STORE;
    }
    /* Said on stderr too, so that a script reading json or tsv cannot miss it. */
    ev.first_missing[sizeof ev.first_missing - 1] = '\0';
    ev.first_extra[sizeof ev.first_extra - 1] = '\0';
    if (ev.missing)
        cli_err("eval: %lld gold articles have no prediction (first: %s); scored as singletons",
                (long long)ev.missing, ev.first_missing);
    if (ev.extra)
        cli_err("eval: %lld predicted articles are not in the gold (first: %s); not scored",
                (long long)ev.extra, ev.first_extra);
    return print_clusters(ctx, &ev, gold, pred);
}
