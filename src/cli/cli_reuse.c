/*
 * `newsdesk reuse [ID]`: the reused passages found while articles were added.
 *
 * Rows are streamed from nd_reuse_list(). The text format adds the start of each passage's
 * text in b (the later copy) so that a reader sees what was reused without cutting offsets by
 * hand; it loads each article once per run of rows that name it.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char reuse_help[] =
    "Usage: newsdesk reuse [--limit N] [ID]\n"
    "\n"
    "Lists the reused passages found while articles were added: text copied from one\n"
    "article into another (verbatim or near-verbatim), reworded from it, and restatements\n"
    "inside one article. With ID, only the passages where that article is one of the two.\n"
    "\n"
    "Each passage is a pair of byte ranges (end exclusive) into the two articles' original\n"
    "text: the whole text file, or the decoded maintext of a JSON line. Article a is the\n"
    "origin (or the earlier), b the later copy; the origin column says why: date (a has the\n"
    "earlier date), contains (same or missing dates and a contains b), tie (same dates,\n"
    "or a restatement inside one article: a == b), unknown (a date is missing: a is only the\n"
    "one stored first).\n"
    "\n"
    "Options:\n"
    "  --limit N          list at most N passages\n"
    "  --db PATH, --format FORMAT, --busy-timeout MS, -h: see 'newsdesk --help'\n"
    "\n"
    "Formats: text prints one passage per line with the start of b's text; tsv prints a\n"
    "header row and the columns article_a a_start a_end article_b b_start b_end kind\n"
    "similarity; json prints one array of objects with those fields and origin.\n"
    "\n"
    "Exit status: 0 success; 2 usage error; 3 store error; 5 no article with that id.\n";

enum { OPT_LIMIT = 1 };

static const cli_opt reuse_opts[] = {
    {"limit", 'n', 1, OPT_LIMIT},
    {NULL, 0, 0, 0},
};

/* Characters of b's text shown in the text format. */
#define SNIPPET 60

typedef struct reuse_run {
    const cli_ctx *ctx;
    nd_store *st;
    uint64_t limit, shown;
    nd_article *cached; /* the last article loaded for a snippet */
    char *cached_id;
    int rc;
} reuse_run;

static const char *raw_of(reuse_run *r, const char *id, size_t *len)
{
    *len = 0;
    if (!r->cached_id || strcmp(r->cached_id, id) != 0) {
        nd_article_free(r->cached);
        free(r->cached_id);
        r->cached = NULL;
        r->cached_id = strdup(id);
        if (!r->cached_id || nd_store_get(r->st, &r->cached, id) != ND_OK)
            return NULL;
    }
    return r->cached ? nd_article_raw(r->cached, len) : NULL;
}

static void row_text(reuse_run *r, const nd_passage *p)
{
    printf("%s %zu-%zu -> %s %zu-%zu  %s %.2f  origin: %s", p->a_id, p->a_start, p->a_end, p->b_id,
           p->b_start, p->b_end, nd_reuse_kind_str(p->kind), p->similarity,
           nd_origin_basis_str(p->basis));
    size_t len;
    const char *raw = raw_of(r, p->b_id, &len);
    if (raw && p->b_end <= len && p->b_start < p->b_end) {
        fputs("\n    \"", stdout);
        cli_print_cell(stdout, raw + p->b_start, SNIPPET, 0);
        fputc('"', stdout);
    }
    fputc('\n', stdout);
}

static void row_json(reuse_run *r, const nd_passage *p)
{
    json_t *o = json_object();
    cli_jset(o, "article_a", cli_jstr(p->a_id));
    cli_jset(o, "a_start", cli_jsize(p->a_start));
    cli_jset(o, "a_end", cli_jsize(p->a_end));
    cli_jset(o, "article_b", cli_jstr(p->b_id));
    cli_jset(o, "b_start", cli_jsize(p->b_start));
    cli_jset(o, "b_end", cli_jsize(p->b_end));
    cli_jset(o, "kind", cli_jstr(nd_reuse_kind_str(p->kind)));
    cli_jset(o, "similarity", json_real(p->similarity));
    cli_jset(o, "origin", cli_jstr(nd_origin_basis_str(p->basis)));
    fputs(r->shown == 0 ? "[\n" : ",\n", stdout);
    if (cli_json_print_compact(o) != CLI_EXIT_OK)
        r->rc = CLI_EXIT_STORE;
}

static int on_passage(void *ctx, const nd_passage *p)
{
    reuse_run *r = ctx;
    switch (r->ctx->format) {
    case CLI_FMT_JSON: row_json(r, p); break;
    case CLI_FMT_TSV:
        cli_tsv_str(stdout, p->a_id);
        printf("\t%zu\t%zu\t", p->a_start, p->a_end);
        cli_tsv_str(stdout, p->b_id);
        printf("\t%zu\t%zu\t%s\t%.4f\n", p->b_start, p->b_end, nd_reuse_kind_str(p->kind),
               p->similarity);
        break;
    case CLI_FMT_TEXT: row_text(r, p); break;
    }
    r->shown++;
    if (r->rc != CLI_EXIT_OK)
        return 1;
    return r->limit && r->shown >= r->limit;
}

static int run_reuse(cli_ctx *ctx, int argc, char **argv)
{
    reuse_run r = {0};
    r.ctx = ctx;
    const char *id = NULL;
    cli_parser p;
    cli_parser_init(&p, ctx, argc, argv);
    for (;;) {
        const char *arg;
        int o = cli_next(&p, reuse_opts, &arg);
        if (o == CLI_END)
            break;
        if (o == CLI_HELP)
            return cli_print_help(&cli_reuse);
        if (o == CLI_BAD)
            return CLI_EXIT_USAGE;
        if (o == CLI_POS) {
            if (id)
                return cli_usage(ctx, "unexpected argument '%s'", arg);
            id = arg;
        }
        if (o == OPT_LIMIT && cli_parse_count(ctx, "--limit", arg, INT64_MAX, &r.limit))
            return CLI_EXIT_USAGE;
    }
    int rc = cli_open_store(ctx, 1, &r.st);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (ctx->format == CLI_FMT_TSV)
        fputs("article_a\ta_start\ta_end\tarticle_b\tb_start\tb_end\tkind\tsimilarity\n", stdout);
    nd_status s = nd_reuse_list(r.st, id, on_passage, &r);
    if (ctx->format == CLI_FMT_JSON && s != ND_ERR_NOT_FOUND)
        fputs(r.shown ? "\n]\n" : "[]\n", stdout);
    rc = r.rc;
    if (s == ND_ERR_NOT_FOUND) {
        cli_err("%s", nd_store_errmsg(r.st));
        rc = CLI_EXIT_NOT_FOUND;
    } else if (ND_FAILED(s)) {
        rc = cli_store_fail(ctx, s, nd_store_errmsg(r.st));
    }
    nd_article_free(r.cached);
    free(r.cached_id);
    nd_store_close(r.st);
    return rc;
}

const cli_command cli_reuse = {
    "reuse",
    run_reuse,
    "list copied, near-verbatim and reworded passages and their origin",
    reuse_help,
};

/* ---- show --reuse ----------------------------------------------------------------------- */

/* One passage as seen from the shown article: its span here and the other side. */
typedef struct side {
    size_t start, end;             /* in the shown article's raw text */
    char *other;                   /* the other article's id */
    size_t other_start, other_end; /* in the other's raw text */
    int is_copy;                   /* 1: the shown article is b (the later copy) */
    nd_reuse_kind kind;
    double similarity;
    nd_origin_basis basis;
} side;

typedef struct sides {
    const char *id;
    side *v;
    size_t n, cap;
    int oom;
} sides;

static void push_side(sides *s, const side *x)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        side *v = realloc(s->v, cap * sizeof *v);
        if (!v) {
            s->oom = 1;
            return;
        }
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n] = *x;
    s->v[s->n].other = strdup(x->other);
    if (!s->v[s->n].other)
        s->oom = 1;
    else
        s->n++;
}

static int on_side(void *ctx, const nd_passage *p)
{
    sides *s = ctx;
    side x = {0};
    x.kind = p->kind;
    x.similarity = p->similarity;
    x.basis = p->basis;
    if (strcmp(p->b_id, s->id) == 0) {
        x.start = p->b_start, x.end = p->b_end;
        x.other = (char *)p->a_id;
        x.other_start = p->a_start, x.other_end = p->a_end;
        x.is_copy = 1;
        push_side(s, &x);
    }
    /* A restatement is shown from both of its ends. */
    if (strcmp(p->a_id, s->id) == 0) {
        x.start = p->a_start, x.end = p->a_end;
        x.other = (char *)p->b_id;
        x.other_start = p->b_start, x.other_end = p->b_end;
        x.is_copy = 0;
        push_side(s, &x);
    }
    return s->oom;
}

typedef struct mark {
    size_t at;
    int open; /* 1 opens passage `no`, 0 closes it */
    size_t no;
} mark;

static int cmp_mark(const void *x, const void *y)
{
    const mark *a = x, *b = y;
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    if (a->open != b->open)
        return a->open - b->open; /* close before open at one offset */
    return a->no < b->no ? -1 : a->no > b->no;
}

static const char *relation(const side *x, const char *id)
{
    if (strcmp(x->other, id) == 0)
        return x->is_copy ? "restates" : "is restated at";
    /* Without a decided origin neither side copied the other as far as we know. */
    if (x->basis == ND_ORIGIN_TIE || x->basis == ND_ORIGIN_UNKNOWN)
        return "shared with";
    return x->is_copy ? "copied from" : "copied by";
}

static void show_text_marks(const sides *s, const char *raw, size_t len)
{
    printf("\nReuse: %zu passage%s (byte offsets into the original text)\n", s->n,
           s->n == 1 ? "" : "s");
    for (size_t i = 0; i < s->n; i++) {
        const side *x = &s->v[i];
        printf("  [%zu] %zu-%zu  %s %.2f  %s %s %zu-%zu  (origin: %s)\n", i + 1, x->start, x->end,
               nd_reuse_kind_str(x->kind), x->similarity, relation(x, s->id), x->other,
               x->other_start, x->other_end, nd_origin_basis_str(x->basis));
    }
    if (!s->n)
        return;
    mark *m = calloc(2 * s->n, sizeof *m);
    if (!m) {
        cli_err("out of memory");
        return;
    }
    for (size_t i = 0; i < s->n; i++) {
        m[2 * i] = (mark){s->v[i].start, 1, i + 1};
        m[2 * i + 1] = (mark){s->v[i].end, 0, i + 1};
    }
    qsort(m, 2 * s->n, sizeof *m, cmp_mark);
    printf("\nOriginal text, reused spans marked [n> ... <n]:\n");
    size_t at = 0;
    for (size_t k = 0; k < 2 * s->n; k++) {
        size_t to = m[k].at <= len ? m[k].at : len;
        if (to > at) {
            fwrite(raw + at, 1, to - at, stdout);
            at = to;
        }
        printf(m[k].open ? "[%zu>" : "<%zu]", m[k].no);
    }
    if (at < len)
        fwrite(raw + at, 1, len - at, stdout);
    if (len == 0 || raw[len - 1] != '\n')
        fputc('\n', stdout);
    free(m);
}

int cli_reuse_show(const cli_ctx *ctx, nd_store *st, const nd_article *a, json_t **json)
{
    sides s = {0};
    s.id = nd_article_get(a, ND_FIELD_ID);
    nd_status rs = nd_reuse_list(st, s.id, on_side, &s);
    int rc = CLI_EXIT_OK;
    if (s.oom) {
        cli_err("out of memory");
        rc = CLI_EXIT_STORE;
    } else if (ND_FAILED(rs)) {
        rc = cli_store_fail(ctx, rs, nd_store_errmsg(st));
    } else if (json) {
        *json = json_array();
        for (size_t i = 0; i < s.n; i++) {
            const side *x = &s.v[i];
            json_t *o = json_object();
            cli_jset(o, "raw_start", cli_jsize(x->start));
            cli_jset(o, "raw_end", cli_jsize(x->end));
            cli_jset(o, "relation", cli_jstr(relation(x, s.id)));
            cli_jset(o, "other", cli_jstr(x->other));
            cli_jset(o, "other_start", cli_jsize(x->other_start));
            cli_jset(o, "other_end", cli_jsize(x->other_end));
            cli_jset(o, "kind", cli_jstr(nd_reuse_kind_str(x->kind)));
            cli_jset(o, "similarity", json_real(x->similarity));
            cli_jset(o, "origin", cli_jstr(nd_origin_basis_str(x->basis)));
            cli_jpush(*json, o);
        }
    } else if (ctx->format == CLI_FMT_TSV) {
        /* The rows of `show --format tsv`: part, kind, start, end, raw_start, raw_end, text;
         * the text names the relation, the other article and its range. */
        for (size_t i = 0; i < s.n; i++) {
            const side *x = &s.v[i];
            char note[512];
            snprintf(note, sizeof note, "%s %s %zu-%zu %.4f origin:%s", relation(x, s.id), x->other,
                     x->other_start, x->other_end, x->similarity, nd_origin_basis_str(x->basis));
            printf("reuse\t%s\t\t\t%zu\t%zu\t", nd_reuse_kind_str(x->kind), x->start, x->end);
            cli_tsv_str(stdout, note);
            fputc('\n', stdout);
        }
    } else {
        size_t len;
        const char *raw = nd_article_raw(a, &len);
        show_text_marks(&s, raw, len);
    }
    for (size_t i = 0; i < s.n; i++)
        free(s.v[i].other);
    free(s.v);
    return rc;
}
