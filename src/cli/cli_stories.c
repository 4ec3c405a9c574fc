/*
 * `newsdesk stories`, `newsdesk story ID` and `newsdesk export clusters`: what the online
 * clustering made of the stored articles (docs/cluster.md).
 */
#include <string.h>

#include "cli.h"

static const char stories_help[] =
    "Usage: newsdesk stories [--all] [--limit N]\n"
    "\n"
    "Lists the active stories, largest first: id, articles, events, distinct outlets, first\n"
    "and last publication date, and the headline of the story's earliest article that has\n"
    "one. Stories idle for longer than the active window have retired; --all lists them too.\n"
    "\n"
    "Options:\n"
    "  --all              also the retired stories\n"
    "  --limit N          at most N stories\n"
    "  --db PATH, --format FORMAT, --busy-timeout MS, -h: see 'newsdesk --help'\n"
    "\n"
    "Formats: text prints aligned columns; json an array of objects; tsv a header row\n"
    "(story, articles, events, outlets, first_date, last_date, active, headline).\n"
    "\n"
    "Exit status: 0 success; 2 usage error; 3 store error.\n";

static const char story_help[] =
    "Usage: newsdesk story ID\n"
    "\n"
    "Shows one story: its events in the order they began, each with its articles (id, date,\n"
    "outlet, headline). ID is a story id such as S12; an id that was merged into another\n"
    "story shows the story it became.\n"
    "\n"
    "Options:\n"
    "  --db PATH, --format FORMAT, --busy-timeout MS, -h: see 'newsdesk --help'\n"
    "\n"
    "Formats: text prints one block per event; json one object with an array of events;\n"
    "tsv a header row (story, event, article, date, outlet, headline) and one row an article.\n"
    "\n"
    "Exit status: 0 success; 2 usage error; 3 store error; 5 no such story.\n";

static const char export_help[] =
    "Usage: newsdesk export clusters\n"
    "\n"
    "Writes every stored article with its current story and event, in the order the\n"
    "articles were added: a header row 'article<TAB>story<TAB>event' and one row an article\n"
    "(ids resolved through merges). This is the input 'newsdesk eval clusters' scores.\n"
    "\n"
    "Options:\n"
    "  --db PATH, --format FORMAT, --busy-timeout MS, -h: see 'newsdesk --help'\n"
    "\n"
    "Formats: text and tsv print the TSV above; json an array of objects.\n"
    "\n"
    "Exit status: 0 success; 2 usage error; 3 store error.\n";

/* The end of every command here: a failed listing is reported (its partial JSON dropped),
 * the store closed, and the JSON document, if any, printed. */
static int finish(const cli_ctx *ctx, nd_store *st, nd_status s, json_t *doc)
{
    if (s != ND_OK) {
        int rc = cli_store_fail(ctx, s, nd_store_errmsg(st));
        json_decref(doc);
        nd_store_close(st);
        return rc;
    }
    nd_store_close(st);
    if (ctx->format == CLI_FMT_JSON)
        return cli_json_print(doc);
    return CLI_EXIT_OK;
}

/* ---- stories ------------------------------------------------------------------------------ */

typedef struct stories_run {
    const cli_ctx *ctx;
    uint64_t limit, shown;
    json_t *arr;
    int width; /* headline column width */
} stories_run;

/* The date part of an ISO date-time. */
static void day_of(char out[11], const char *iso)
{
    if (!iso) {
        strcpy(out, "-");
        return;
    }
    size_t n = strlen(iso);
    n = n > 10 ? 10 : n;
    memcpy(out, iso, n);
    out[n] = '\0';
}

static int story_row(void *ctx, const nd_story_info *s)
{
    stories_run *r = ctx;
    if (r->limit && r->shown >= r->limit)
        return 1;
    r->shown++;
    if (r->ctx->format == CLI_FMT_JSON) {
        json_t *o = json_object();
        cli_jset(o, "story", cli_jstr(s->id));
        cli_jset(o, "articles", cli_jint(s->articles));
        cli_jset(o, "events", cli_jint(s->events));
        cli_jset(o, "outlets", cli_jint(s->outlets));
        cli_jset(o, "first_date", cli_jstr(s->first_date));
        cli_jset(o, "last_date", cli_jstr(s->last_date));
        cli_jset(o, "active", s->active ? json_true() : json_false());
        cli_jset(o, "headline", cli_jstr(s->headline));
        cli_jpush(r->arr, o);
        return 0;
    }
    if (r->ctx->format == CLI_FMT_TSV) {
        printf("%s\t%lld\t%lld\t%lld\t", s->id, (long long)s->articles, (long long)s->events,
               (long long)s->outlets);
        cli_tsv_str(stdout, s->first_date);
        putchar('\t');
        cli_tsv_str(stdout, s->last_date);
        printf("\t%d\t", s->active);
        cli_tsv_str(stdout, s->headline);
        putchar('\n');
        return 0;
    }
    char first[11], last[11];
    day_of(first, s->first_date);
    day_of(last, s->last_date);
    printf("%-7s %8lld %6lld %7lld  %-10s  %-10s  ", s->id, (long long)s->articles,
           (long long)s->events, (long long)s->outlets, first, last);
    cli_print_cell(stdout, s->headline ? s->headline : "-", (size_t)r->width, 0);
    putchar('\n');
    return 0;
}

static int run_stories(cli_ctx *ctx, int argc, char **argv)
{
    enum { OPT_ALL = 1, OPT_LIMIT };
    static const cli_opt opts[] = {
        {"all", 'a', 0, OPT_ALL}, {"limit", 'n', 1, OPT_LIMIT}, {NULL, 0, 0, 0}};
    stories_run r = {ctx, 0, 0, NULL, 0};
    int all = 0;
    cli_parser p;
    cli_parser_init(&p, ctx, argc, argv);
    for (;;) {
        const char *arg;
        int id = cli_next(&p, opts, &arg);
        if (id == CLI_END)
            break;
        if (id == CLI_HELP)
            return cli_print_help(&cli_stories);
        if (id == CLI_POS)
            return cli_usage(ctx, "unexpected argument '%s'", arg);
        if (id == OPT_ALL)
            all = 1;
        else if (id == OPT_LIMIT) {
            if (cli_parse_count(ctx, "--limit", arg, UINT64_MAX / 2, &r.limit) != CLI_EXIT_OK)
                return CLI_EXIT_USAGE;
        } else
            return CLI_EXIT_USAGE;
    }
    nd_store *st;
    int rc = cli_open_store(ctx, 1, &st);
    if (rc != CLI_EXIT_OK)
        return rc;
    int cols = cli_term_columns();
    r.width = cols > 80 ? cols - 60 : 70;
    if (ctx->format == CLI_FMT_JSON)
        r.arr = json_array();
    else if (ctx->format == CLI_FMT_TSV)
        puts("story\tarticles\tevents\toutlets\tfirst_date\tlast_date\tactive\theadline");
    else
        printf("%-7s %8s %6s %7s  %-10s  %-10s  %s\n", "STORY", "ARTICLES", "EVENTS", "OUTLETS",
               "FIRST", "LAST", "HEADLINE");
    nd_status s = nd_stories_list(st, all, story_row, &r);
    return finish(ctx, st, s, r.arr);
}

const cli_command cli_stories = {"stories", run_stories, "the active stories, largest first",
                                 stories_help};

/* ---- story ID ----------------------------------------------------------------------------- */

typedef struct story_run {
    const cli_ctx *ctx;
    json_t *obj, *events;
    int nevents;
} story_run;

static int event_block(void *ctx, const nd_event_info *e)
{
    story_run *r = ctx;
    if (r->ctx->format == CLI_FMT_JSON) {
        if (!r->obj) {
            r->obj = json_object();
            r->events = json_array();
            cli_jset(r->obj, "story", cli_jstr(e->story));
            cli_jset(r->obj, "events", r->events);
        }
        json_t *o = json_object(), *arts = json_array();
        cli_jset(o, "event", cli_jstr(e->id));
        cli_jset(o, "outlets", cli_jint(e->outlets));
        cli_jset(o, "first_date", cli_jstr(e->first_date));
        cli_jset(o, "last_date", cli_jstr(e->last_date));
        for (size_t i = 0; i < e->narticles; i++) {
            const nd_event_article *a = &e->articles[i];
            json_t *ja = json_object();
            cli_jset(ja, "article", cli_jstr(a->id));
            cli_jset(ja, "date", cli_jstr(a->date));
            cli_jset(ja, "outlet", cli_jstr(a->outlet));
            cli_jset(ja, "headline", cli_jstr(a->headline));
            cli_jpush(arts, ja);
        }
        cli_jset(o, "articles", arts);
        cli_jpush(r->events, o);
        r->nevents++;
        return 0;
    }
    if (r->ctx->format == CLI_FMT_TSV) {
        for (size_t i = 0; i < e->narticles; i++) {
            const nd_event_article *a = &e->articles[i];
            printf("%s\t%s\t", e->story, e->id);
            cli_tsv_str(stdout, a->id);
            putchar('\t');
            cli_tsv_str(stdout, a->date);
            putchar('\t');
            cli_tsv_str(stdout, a->outlet);
            putchar('\t');
            cli_tsv_str(stdout, a->headline);
            putchar('\n');
        }
        r->nevents++;
        return 0;
    }
    if (r->nevents == 0)
        printf("Story %s\n", e->story);
    char first[11], last[11];
    day_of(first, e->first_date);
    day_of(last, e->last_date);
    printf("\nEvent %s: %zu article%s, %lld outlet%s, %s .. %s\n", e->id, e->narticles,
           e->narticles == 1 ? "" : "s", (long long)e->outlets, e->outlets == 1 ? "" : "s",
           first, last);
    for (size_t i = 0; i < e->narticles; i++) {
        const nd_event_article *a = &e->articles[i];
        char d[11];
        day_of(d, a->date);
        printf("  ");
        cli_print_cell(stdout, a->id, 24, 1);
        printf("  %-10s  ", d);
        cli_print_cell(stdout, a->outlet ? a->outlet : "-", 20, 1);
        printf("  ");
        cli_print_cell(stdout, a->headline ? a->headline : "-", 60, 0);
        putchar('\n');
    }
    r->nevents++;
    return 0;
}

static int run_story(cli_ctx *ctx, int argc, char **argv)
{
    const char *id;
    int rc = cli_one_arg(ctx, argc, argv, &id);
    if (rc == CLI_HELP)
        return cli_print_help(&cli_story);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (!id)
        return cli_usage(ctx, "missing story id");
    nd_store *st;
    rc = cli_open_store(ctx, 1, &st);
    if (rc != CLI_EXIT_OK)
        return rc;
    story_run r = {ctx, NULL, NULL, 0};
    if (ctx->format == CLI_FMT_TSV)
        puts("story\tevent\tarticle\tdate\toutlet\theadline");
    nd_status s = nd_story_events(st, id, event_block, &r);
    if (s == ND_ERR_NOT_FOUND) {
        cli_err("%s: %s", ctx->cmd, nd_store_errmsg(st));
        json_decref(r.obj);
        nd_store_close(st);
        return CLI_EXIT_NOT_FOUND;
    }
    if (ctx->format == CLI_FMT_JSON && !r.obj)
        r.obj = json_object();
    return finish(ctx, st, s, r.obj);
}

const cli_command cli_story = {"story", run_story, "one story: its events and their articles",
                               story_help};

/* ---- export clusters ---------------------------------------------------------------------- */

typedef struct export_run {
    const cli_ctx *ctx;
    json_t *arr;
} export_run;

static int export_row(void *ctx, const nd_assignment *a)
{
    export_run *r = ctx;
    if (r->ctx->format == CLI_FMT_JSON) {
        json_t *o = json_object();
        cli_jset(o, "article", cli_jstr(a->article));
        cli_jset(o, "story", cli_jstr(a->story));
        cli_jset(o, "event", cli_jstr(a->event));
        cli_jpush(r->arr, o);
        return 0;
    }
    cli_tsv_str(stdout, a->article);
    putchar('\t');
    cli_tsv_str(stdout, a->story);
    putchar('\t');
    cli_tsv_str(stdout, a->event);
    putchar('\n');
    return 0;
}

static int run_export(cli_ctx *ctx, int argc, char **argv)
{
    const char *what;
    int rc = cli_one_arg(ctx, argc, argv, &what);
    if (rc == CLI_HELP)
        return cli_print_help(&cli_export);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (!what || strcmp(what, "clusters") != 0)
        return cli_usage(ctx, "what to export? ('clusters')");
    nd_store *st;
    rc = cli_open_store(ctx, 1, &st);
    if (rc != CLI_EXIT_OK)
        return rc;
    export_run r = {ctx, NULL};
    if (ctx->format == CLI_FMT_JSON)
        r.arr = json_array();
    else
        puts("article\tstory\tevent");
    nd_status s = nd_clusters_export(st, export_row, &r);
    return finish(ctx, st, s, r.arr);
}

const cli_command cli_export = {"export", run_export, "write the stories and events as TSV",
                                export_help};
