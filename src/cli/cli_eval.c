/*
 * `newsdesk eval sentences`: scores the sentence splitter against gold boundaries, so that
 * every reported number comes with the one command that reproduces it.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char eval_help[] =
    "Usage: newsdesk eval sentences [--gold TSV] [--articles DIR]\n"
    "       newsdesk eval clusters [--gold TSV] [--pred TSV]\n"
    "       newsdesk eval reuse GOLD\n"
    "\n"
    "eval sentences:\n"
    "Scores the sentence splitter against gold sentence spans. Each gold article is read\n"
    "with the plain-text reader and split; a found sentence matches a gold one when its end\n"
    "(boundaries) or both its start and end (exact spans) fall on the same byte offsets.\n"
    "Prints precision, recall and F1 of both, with the counts behind them.\n"
    "\n"
    "Options:\n"
    "  --gold TSV         gold spans: header 'article<TAB>start<TAB>end', byte offsets\n"
    "                     (default: $ND_CORPUS/ecbplus/sentences.tsv)\n"
    "  --articles DIR     folder of <article>.txt (default: 'articles' beside the gold file)\n"
    "  --format FORMAT, -h: see 'newsdesk --help'\n"
    "\n"
    "ND_CORPUS defaults to ../shared/corpus, relative to the current folder.\n"
    "\n"
    "Formats: text is a small table; json one object; tsv a header row and one row.\n"
    "\n"
    "Exit status: 0 success; 2 usage error; 3 out of memory; 4 the gold data could not be\n"
    "read.\n"
    "\n"
    "eval clusters:\n"
    "Scores the stories and events of the store (or of the clustering in --pred) against\n"
    "gold labels: B-cubed and pairwise precision, recall and F1 at the story level and at the\n"
    "event level (an event is a story and an event id together), with the number of gold and\n"
    "found clusters. Every gold article is scored: one without a prediction counts as a\n"
    "cluster of its own; predicted articles that are not in the gold are counted, not scored.\n"
    "Both are reported on stderr as well.\n"
    "\n"
    "  --gold TSV         gold labels: header 'article<TAB>story<TAB>event'\n"
    "                     (default: $ND_CORPUS/ecbplus/gold.tsv)\n"
    "  --pred TSV         score this clustering (same header, as 'newsdesk export clusters'\n"
    "                     writes it) instead of the store\n"
    "\n"
    "Exit status as above; 3 also when the store cannot be read.\n"
    "\n"
    "eval reuse:\n"
    "Scores the reused passages of the store against GOLD (or --gold), a TSV with the\n"
    "columns of 'newsdesk reuse --format tsv' and a ninth, 'case', as bench/gen_reuse writes\n"
    "it (kind 'none' marks a judged pair that is not reuse, 'ignore' one left out). Prints\n"
    "pair precision and recall, overall and per kind (recall by gold kind, precision by\n"
    "reported kind), the reported kinds of the gold pairs, recall per case, character\n"
    "precision and recall of the passages (non-space characters), the negatives reported\n"
    "and how often the origin is right. See docs/reuse-eval.md. Exit status as above.\n";

enum { OPT_GOLD = 1, OPT_ARTICLES, OPT_PRED };

static const cli_opt eval_opts[] = {
    {"gold", 0, 1, OPT_GOLD},
    {"articles", 0, 1, OPT_ARTICLES},
    {"pred", 0, 1, OPT_PRED},
    {NULL, 0, 0, 0},
};

static json_t *prf_json(const nd_prf *p)
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

static void prf_text(const char *name, const nd_prf *p)
{
    printf("%-12s %9.4f %7.4f %7.4f %8lld %7lld %7lld\n", name, p->precision, p->recall, p->f1,
           (long long)p->tp, (long long)p->fp, (long long)p->fn);
}

static void prf_tsv(const nd_prf *p)
{
    printf("\t%.6f\t%.6f\t%.6f\t%lld\t%lld\t%lld", p->precision, p->recall, p->f1, (long long)p->tp,
           (long long)p->fp, (long long)p->fn);
}

static int print_eval(const cli_ctx *ctx, const nd_sentence_eval *ev, const char *gold)
{
    if (ctx->format == CLI_FMT_JSON) {
        json_t *o = json_object();
        cli_jset(o, "articles", cli_jint(ev->articles));
        cli_jset(o, "gold_sentences", cli_jint(ev->gold_sentences));
        cli_jset(o, "found_sentences", cli_jint(ev->found_sentences));
        cli_jset(o, "boundaries", prf_json(&ev->boundaries));
        cli_jset(o, "exact", prf_json(&ev->exact));
        return cli_json_print(o);
    }
    if (ctx->format == CLI_FMT_TSV) {
        fputs("articles\tgold_sentences\tfound_sentences", stdout);
        static const char *const m[] = {"precision", "recall", "f1", "tp", "fp", "fn"};
        for (int k = 0; k < 2; k++)
            for (size_t i = 0; i < 6; i++)
                printf("\t%s_%s", k ? "exact" : "boundary", m[i]);
        printf("\n%lld\t%lld\t%lld", (long long)ev->articles, (long long)ev->gold_sentences,
               (long long)ev->found_sentences);
        prf_tsv(&ev->boundaries);
        prf_tsv(&ev->exact);
        fputc('\n', stdout);
        return CLI_EXIT_OK;
    }
    printf("gold             %s\n", gold);
    printf("articles         %lld\n", (long long)ev->articles);
    printf("gold sentences   %lld\n", (long long)ev->gold_sentences);
    printf("found sentences  %lld\n\n", (long long)ev->found_sentences);
    printf("%-12s %9s %7s %7s %8s %7s %7s\n", "", "precision", "recall", "F1", "tp", "fp", "fn");
    prf_text("boundaries", &ev->boundaries);
    prf_text("exact spans", &ev->exact);
    return CLI_EXIT_OK;
}

static int run_eval(cli_ctx *ctx, int argc, char **argv)
{
    const char *what = NULL, *gold = NULL, *articles = NULL, *pred = NULL;
    cli_parser p;
    cli_parser_init(&p, ctx, argc, argv);
    for (;;) {
        const char *arg;
        int id = cli_next(&p, eval_opts, &arg);
        if (id == CLI_END)
            break;
        if (id == CLI_HELP)
            return cli_print_help(&cli_eval);
        if (id == CLI_BAD)
            return CLI_EXIT_USAGE;
        if (id == OPT_GOLD)
            gold = arg;
        if (id == OPT_ARTICLES)
            articles = arg;
        if (id == OPT_PRED)
            pred = arg;
        if (id == CLI_POS) {
            if (what && (strcmp(what, "reuse") != 0 || gold))
                return cli_usage(ctx, "unexpected argument '%s'", arg);
            *(what ? &gold : &what) = arg;
        }
    }
    if (!what)
        return cli_usage(ctx, "say what to evaluate: 'newsdesk eval sentences|clusters'");
    int clusters = strcmp(what, "clusters") == 0;
    if (strcmp(what, "reuse") == 0) {
        if (articles || pred)
            return cli_usage(ctx, "%s is not an option of 'eval reuse'",
                             articles ? "--articles" : "--pred");
        return cli_eval_reuse(ctx, gold);
    }
    if (strcmp(what, "sentences") != 0 && !clusters)
        return cli_usage(ctx, "cannot evaluate '%s' (known: sentences, clusters, reuse)", what);
    if (clusters ? articles != NULL : pred != NULL)
        return cli_usage(ctx, "%s is not an option of 'eval %s'",
                         clusters ? "--articles" : "--pred", what);

    char gold_buf[4096], art_buf[4096];
    if (!gold) {
        const char *corpus = getenv("ND_CORPUS");
        if (!corpus || !*corpus)
            corpus = "../shared/corpus";
        snprintf(gold_buf, sizeof gold_buf, "%s/ecbplus/%s.tsv", corpus,
                 clusters ? "gold" : "sentences");
        gold = gold_buf;
    }
    if (clusters)
        return cli_eval_clusters(ctx, gold, pred);
    if (!articles) {
        const char *slash = strrchr(gold, '/');
        int dir_len = slash ? (int)(slash - gold) : 1;
        snprintf(art_buf, sizeof art_buf, "%.*s/articles", dir_len, slash ? gold : ".");
        articles = art_buf;
    }

    nd_sentence_eval ev;
    memset(&ev, 0, sizeof ev);
    char err[1024] = "";
    nd_status st = nd_eval_sentences(&ev, gold, articles, err, sizeof err);
    if (st != ND_OK) {
        cli_err("%s", *err ? err : nd_status_str(st));
        if (st == ND_ERR_NOMEM)
            return CLI_EXIT_STORE;
        return st == ND_ERR_ARG ? CLI_EXIT_USAGE : CLI_EXIT_INPUT;
    }
    return print_eval(ctx, &ev, gold);
}

const cli_command cli_eval = {
    "eval",
    run_eval,
    "score the sentence splitter or the clustering against gold data",
    eval_help,
};
