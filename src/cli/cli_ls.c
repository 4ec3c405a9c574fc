/*
 * `newsdesk ls`: one line per stored article, in the order they were added.
 *
 * Rows are streamed so that listing a large store needs no memory in proportion to it. The
 * text format only holds back the first rows (up to ALIGN_ROWS) to size its columns from
 * them; later rows reuse those widths and are cut with an ellipsis when they are wider.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char ls_help[] =
    "Usage: newsdesk ls [--limit N] [--outlet NAME]\n"
    "\n"
    "Lists the stored articles in the order they were added: id, date, outlet and headline.\n"
    "\n"
    "Options:\n"
    "  --limit N          list at most N articles\n"
    "  --outlet NAME      only articles of this outlet (ASCII letters compared without case)\n"
    "  --db PATH, --format FORMAT, --busy-timeout MS, -h: see 'newsdesk --help'\n"
    "\n"
    "Formats: text prints aligned columns, the headline cut to the terminal width (70\n"
    "characters when not a terminal); json prints one array of objects (also url, source,\n"
    "body_bytes, paragraphs, sentences); tsv prints a header row and the same fields.\n"
    "\n"
    "Exit status: 0 success; 2 usage error; 3 store error (no store, not a store, ...).\n";

enum { OPT_LIMIT = 1, OPT_OUTLET };

static const cli_opt ls_opts[] = {
    {"limit", 'n', 1, OPT_LIMIT},
    {"outlet", 0, 1, OPT_OUTLET},
    {NULL, 0, 0, 0},
};

#define ALIGN_ROWS 1000
#define MAX_ID_WIDTH 32
#define MAX_DATE_WIDTH 19 /* 2025-06-06T12:34:56 */
#define MAX_OUTLET_WIDTH 24
#define HEADLINE_WIDTH 70 /* when stdout is not a terminal */
#define MIN_HEADLINE_WIDTH 20

typedef struct ls_row {
    char *id, *date, *outlet, *headline;
} ls_row;

typedef struct ls_run {
    const cli_ctx *ctx;
    const char *outlet;
    uint64_t limit; /* 0: no limit */
    uint64_t shown;
    /* text */
    ls_row *rows;
    size_t nrows;
    int aligned; /* widths are fixed and held rows printed */
    size_t w_id, w_date, w_outlet, w_headline;
    int oom;
    int rc;
} ls_run;

static int same_ascii_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
        char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
        if (x != y)
            return 0;
    }
    return *a == *b;
}

static char *dup_or_null(const char *s, int *oom)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *oom = 1;
    return d;
}

static size_t width_of(const char *s, size_t cap)
{
    size_t w = s ? cli_utf8_width(s, strlen(s)) : 1; /* "-" */
    return w < cap ? w : cap;
}

static void print_text_row(const ls_run *r, const char *id, const char *date, const char *outlet,
                           const char *headline)
{
    cli_print_cell(stdout, id, r->w_id, 1);
    fputs("  ", stdout);
    cli_print_cell(stdout, date, r->w_date, 1);
    fputs("  ", stdout);
    cli_print_cell(stdout, outlet, r->w_outlet, 1);
    fputs("  ", stdout);
    cli_print_cell(stdout, headline, r->w_headline, 0);
    fputc('\n', stdout);
}

/* Fixes the column widths from the rows held so far and prints them. */
static void align_and_flush(ls_run *r)
{
    r->w_id = strlen("ID");
    r->w_date = strlen("DATE");
    r->w_outlet = strlen("OUTLET");
    for (size_t i = 0; i < r->nrows; i++) {
        size_t w;
        if ((w = width_of(r->rows[i].id, MAX_ID_WIDTH)) > r->w_id)
            r->w_id = w;
        if ((w = width_of(r->rows[i].date, MAX_DATE_WIDTH)) > r->w_date)
            r->w_date = w;
        if ((w = width_of(r->rows[i].outlet, MAX_OUTLET_WIDTH)) > r->w_outlet)
            r->w_outlet = w;
    }
    int cols = cli_term_columns();
    size_t used = r->w_id + r->w_date + r->w_outlet + 6;
    r->w_headline = HEADLINE_WIDTH;
    if (cols > 0)
        r->w_headline =
            (size_t)cols > used + MIN_HEADLINE_WIDTH ? (size_t)cols - used : MIN_HEADLINE_WIDTH;
    if (r->nrows > 0)
        print_text_row(r, "ID", "DATE", "OUTLET", "HEADLINE");
    for (size_t i = 0; i < r->nrows; i++) {
        ls_row *w = &r->rows[i];
        print_text_row(r, w->id, w->date, w->outlet, w->headline);
        free(w->id);
        free(w->date);
        free(w->outlet);
        free(w->headline);
    }
    r->nrows = 0;
    r->aligned = 1;
}

static void row_json(ls_run *r, const nd_summary *s)
{
    json_t *o = json_object();
    cli_jset(o, "id", cli_jstr(s->id));
    cli_jset(o, "date", cli_jstr(s->date));
    cli_jset(o, "outlet", cli_jstr(s->outlet));
    cli_jset(o, "headline", cli_jstr(s->headline));
    cli_jset(o, "url", cli_jstr(s->url));
    cli_jset(o, "source", cli_jstr(s->source));
    cli_jset(o, "body_bytes", cli_jsize(s->body_bytes));
    cli_jset(o, "paragraphs", cli_jsize(s->paragraphs));
    cli_jset(o, "sentences", cli_jsize(s->sentences));
    fputs(r->shown == 0 ? "[\n" : ",\n", stdout);
    if (cli_json_print_compact(o) != CLI_EXIT_OK)
        r->rc = CLI_EXIT_STORE;
}

static void row_tsv(const nd_summary *s)
{
    cli_tsv_str(stdout, s->id);
    fputc('\t', stdout);
    cli_tsv_str(stdout, s->date);
    fputc('\t', stdout);
    cli_tsv_str(stdout, s->outlet);
    fputc('\t', stdout);
    cli_tsv_str(stdout, s->headline);
    fputc('\t', stdout);
    cli_tsv_str(stdout, s->url);
    fputc('\t', stdout);
    cli_tsv_str(stdout, s->source);
    printf("\t%zu\t%zu\t%zu\n", s->body_bytes, s->paragraphs, s->sentences);
}

/* Called by nd_store_list for each article; returns non-zero to stop. */
static int on_row(void *ctx, const nd_summary *s)
{
    ls_run *r = ctx;
    if (r->outlet && !(s->outlet && same_ascii_nocase(s->outlet, r->outlet)))
        return 0;
    switch (r->ctx->format) {
    case CLI_FMT_JSON: row_json(r, s); break;
    case CLI_FMT_TSV: row_tsv(s); break;
    case CLI_FMT_TEXT:
        if (r->aligned) {
            print_text_row(r, s->id, s->date, s->outlet, s->headline);
        } else {
            ls_row *w = &r->rows[r->nrows++];
            w->id = dup_or_null(s->id, &r->oom);
            w->date = dup_or_null(s->date, &r->oom);
            w->outlet = dup_or_null(s->outlet, &r->oom);
            w->headline = dup_or_null(s->headline, &r->oom);
            if (r->nrows == ALIGN_ROWS)
                align_and_flush(r);
        }
        break;
    }
    r->shown++;
    if (r->oom || r->rc != CLI_EXIT_OK)
        return 1;
    return r->limit && r->shown >= r->limit;
}

static int run_ls(cli_ctx *ctx, int argc, char **argv)
{
    ls_run r = {0};
    r.ctx = ctx;
    cli_parser p;
    cli_parser_init(&p, ctx, argc, argv);
    for (;;) {
        const char *arg;
        int id = cli_next(&p, ls_opts, &arg);
        if (id == CLI_END)
            break;
        if (id == CLI_HELP)
            return cli_print_help(&cli_ls);
        if (id == CLI_BAD)
            return CLI_EXIT_USAGE;
        if (id == CLI_POS)
            return cli_usage(ctx, "unexpected argument '%s'", arg);
        if (id == OPT_LIMIT && cli_parse_count(ctx, "--limit", arg, INT64_MAX, &r.limit))
            return CLI_EXIT_USAGE;
        if (id == OPT_OUTLET)
            r.outlet = arg;
    }

    nd_store *st;
    int rc = cli_open_store(ctx, 1, &st);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (ctx->format == CLI_FMT_TEXT) {
        r.rows = calloc(ALIGN_ROWS, sizeof *r.rows);
        if (!r.rows) {
            nd_store_close(st);
            cli_err("out of memory");
            return CLI_EXIT_STORE;
        }
    }
    if (ctx->format == CLI_FMT_TSV)
        fputs("id\tdate\toutlet\theadline\turl\tsource\tbody_bytes\tparagraphs\tsentences\n",
              stdout);

    nd_status ls = nd_store_list(st, on_row, &r);
    if (ctx->format == CLI_FMT_TEXT && !r.aligned)
        align_and_flush(&r);
    if (ctx->format == CLI_FMT_JSON)
        fputs(r.shown ? "\n]\n" : "[]\n", stdout);
    rc = r.rc;
    if (r.oom) {
        cli_err("out of memory");
        rc = CLI_EXIT_STORE;
    } else if (ND_FAILED(ls)) {
        rc = cli_store_fail(ctx, ls, nd_store_errmsg(st));
    }
    free(r.rows);
    nd_store_close(st);
    return rc;
}

const cli_command cli_ls = {
    "ls",
    run_ls,
    "list the stored articles",
    ls_help,
};
