/*
 * `newsdesk show ID`: everything the store knows about one article.
 *
 * Each span is printed with both of its offsets (into the body and into the original text),
 * because the point of showing them is to let a user check the parse against their own
 * input: `cut -b` on the original file, or slicing the "body" of the JSON output.
 */
#define _POSIX_C_SOURCE 200809L

#include <string.h>

#include "cli.h"

static const char show_help[] =
    "Usage: newsdesk show [--raw] [--reuse] ID\n"
    "\n"
    "Shows one stored article: its metadata (outlet, url, date as ISO 8601 and as written,\n"
    "headline, dek, byline, language, source, content hash), its layout blocks (captions,\n"
    "credits, bylines, boilerplate, ...) with byte offsets into the original text, and its\n"
    "body: paragraphs and sentences with byte offsets into the body and into the original.\n"
    "\n"
    "Options:\n"
    "  --raw              also print the original text, exactly as it was read\n"
    "  --reuse            also list the reused passages of the article (see 'newsdesk\n"
    "                     reuse') and print the original text with them marked\n"
    "                     [n> ... <n]; json adds a \"reuse\" array, tsv \"reuse\" rows\n"
    "  --db PATH, --format FORMAT, --busy-timeout MS, -h: see 'newsdesk --help'\n"
    "\n"
    "Formats: text is for reading; json is one object with every field (offsets of parts\n"
    "that are not in the body are null); tsv prints one row per field and per span:\n"
    "part, kind, start, end, raw_start, raw_end, text (parts: field, block, paragraph,\n"
    "sentence, raw). Offsets are bytes, end exclusive.\n"
    "\n"
    "Exit status: 0 success; 2 usage error; 3 store error; 5 no article with that id.\n";

enum { OPT_RAW = 1, OPT_REUSE };

static const cli_opt show_opts[] = {
    {"raw", 0, 0, OPT_RAW},
    {"reuse", 0, 0, OPT_REUSE},
    {NULL, 0, 0, 0},
};

static const char *const field_names[ND_FIELD_COUNT_] = {
    [ND_FIELD_ID] = "id",
    [ND_FIELD_SOURCE] = "source",
    [ND_FIELD_OUTLET] = "outlet",
    [ND_FIELD_URL] = "url",
    [ND_FIELD_DATE] = "date",
    [ND_FIELD_DATE_RAW] = "date_raw",
    [ND_FIELD_HEADLINE] = "headline",
    [ND_FIELD_DEK] = "dek",
    [ND_FIELD_BYLINE] = "byline",
    [ND_FIELD_LANGUAGE] = "language",
};

/* The order fields are shown in the text format: what a reader looks for first. */
static const nd_field text_order[] = {
    ND_FIELD_ID,  ND_FIELD_OUTLET, ND_FIELD_URL,      ND_FIELD_DATE,   ND_FIELD_HEADLINE,
    ND_FIELD_DEK, ND_FIELD_BYLINE, ND_FIELD_LANGUAGE, ND_FIELD_SOURCE,
};

/* One article with its texts, for slicing spans. */
typedef struct shown {
    const nd_article *a;
    const char *body, *raw;
    size_t body_len, raw_len;
    json_t *reuse; /* --reuse with json: the passages, added to the document */
} shown;

/* The text of [start, end) in a text of length n, or NULL (len 0) when the range is not in
 * it: a defensive check, so that a bad stored offset shows as missing instead of reading past
 * the end. */
static const char *slice(const char *s, size_t n, size_t start, size_t end, size_t *len)
{
    *len = 0;
    if (start == ND_NOPOS || end == ND_NOPOS || start > end || end > n)
        return NULL;
    *len = end - start;
    return s + start;
}

static const char *body_text(const shown *w, const nd_span *sp, size_t *len)
{
    return slice(w->body, w->body_len, sp->start, sp->end, len);
}

static const char *raw_text(const shown *w, const nd_span *sp, size_t *len)
{
    return slice(w->raw, w->raw_len, sp->raw_start, sp->raw_end, len);
}

/* The index of the paragraph that holds body offset `off`, moving *p forward; paragraphs
 * and sentences are both in body order, so one walk serves all sentences. */
static size_t para_of(const nd_article *a, size_t off, size_t *p)
{
    size_t n = nd_article_count(a, ND_PART_PARAGRAPH);
    nd_span sp;
    while (*p < n && nd_article_span(&sp, a, ND_PART_PARAGRAPH, *p) == ND_OK && sp.end <= off)
        (*p)++;
    return *p < n ? *p : ND_NOPOS;
}

/* ---- text ------------------------------------------------------------------------------- */

static void put_range(char *out, size_t len, size_t start, size_t end)
{
    if (start == ND_NOPOS || end == ND_NOPOS)
        snprintf(out, len, "-");
    else
        snprintf(out, len, "%zu-%zu", start, end);
}

/* Prints text, indenting every line after the first so a multi-line block stays readable. */
static void put_indented(const char *s, size_t len, const char *indent)
{
    for (size_t i = 0; i < len; i++) {
        fputc(s[i], stdout);
        if (s[i] == '\n' && i + 1 < len)
            fputs(indent, stdout);
    }
}

static void show_text(const shown *w, int with_raw)
{
    const nd_article *a = w->a;
    for (size_t i = 0; i < sizeof text_order / sizeof text_order[0]; i++) {
        nd_field f = text_order[i];
        const char *v = nd_article_get(a, f);
        printf("%-10s %s", field_names[f], v ? v : "-");
        const char *raw = nd_article_get(a, ND_FIELD_DATE_RAW);
        if (f == ND_FIELD_DATE && raw && (!v || strcmp(raw, v) != 0))
            printf(" (as written: %s)", raw);
        fputc('\n', stdout);
    }
    printf("%-10s %s\n", "hash", nd_article_hash(a));

    size_t nb = nd_article_count(a, ND_PART_BLOCK);
    size_t np = nd_article_count(a, ND_PART_PARAGRAPH);
    size_t ns = nd_article_count(a, ND_PART_SENTENCE);
    nd_span sp;
    char r1[48], r2[48];

    printf("\nLayout: %zu blocks (byte offsets into the original text)\n", nb);
    size_t para = 0;
    for (size_t i = 0; i < nb; i++) {
        if (nd_article_span(&sp, a, ND_PART_BLOCK, i) != ND_OK)
            continue;
        put_range(r1, sizeof r1, sp.raw_start, sp.raw_end);
        printf("  %-12s %-12s ", nd_block_kind_str(sp.kind), r1);
        if (sp.start != ND_NOPOS) {
            printf("-> paragraph %zu\n", ++para);
        } else {
            size_t len;
            const char *t = raw_text(w, &sp, &len);
            put_indented(t ? t : "", len, "                              ");
            fputc('\n', stdout);
        }
    }

    printf("\nBody: %zu bytes, %zu paragraphs, %zu sentences "
           "(byte offsets into the body | into the original)\n",
           w->body_len, np, ns);
    size_t s = 0, walk = 0;
    for (size_t p = 0; p < np; p++) {
        if (nd_article_span(&sp, a, ND_PART_PARAGRAPH, p) != ND_OK)
            continue;
        put_range(r1, sizeof r1, sp.start, sp.end);
        put_range(r2, sizeof r2, sp.raw_start, sp.raw_end);
        printf("\n[%zu] %s  %s | %s\n", p + 1, nd_block_kind_str(sp.kind), r1, r2);
        size_t k = 0;
        for (; s < ns; s++) {
            nd_span ss;
            if (nd_article_span(&ss, a, ND_PART_SENTENCE, s) != ND_OK)
                continue;
            if (para_of(a, ss.start, &walk) != p)
                break;
            size_t len;
            const char *t = body_text(w, &ss, &len);
            put_range(r1, sizeof r1, ss.start, ss.end);
            put_range(r2, sizeof r2, ss.raw_start, ss.raw_end);
            printf("  %zu.%zu  %s | %s  ", p + 1, ++k, r1, r2);
            put_indented(t ? t : "", len, "      ");
            fputc('\n', stdout);
        }
    }
    /* Sentences outside every paragraph would be a library bug; still show them. */
    for (; s < ns; s++) {
        nd_span ss;
        size_t len;
        if (nd_article_span(&ss, a, ND_PART_SENTENCE, s) != ND_OK)
            continue;
        const char *t = body_text(w, &ss, &len);
        put_range(r1, sizeof r1, ss.start, ss.end);
        printf("  ?  %s  %.*s\n", r1, (int)len, t ? t : "");
    }

    if (with_raw) {
        printf("\nOriginal text: %zu bytes\n", w->raw_len);
        fwrite(w->raw, 1, w->raw_len, stdout);
        if (w->raw_len == 0 || w->raw[w->raw_len - 1] != '\n')
            fputc('\n', stdout);
    }
}

/* ---- json ------------------------------------------------------------------------------- */

static json_t *span_json(const shown *w, const nd_span *sp, int with_kind, int text_from_body)
{
    json_t *o = json_object();
    size_t len;
    const char *t = text_from_body ? body_text(w, sp, &len) : raw_text(w, sp, &len);
    if (with_kind)
        cli_jset(o, "kind", cli_jstr(nd_block_kind_str(sp->kind)));
    cli_jset(o, "start", cli_jsize(sp->start));
    cli_jset(o, "end", cli_jsize(sp->end));
    cli_jset(o, "raw_start", cli_jsize(sp->raw_start));
    cli_jset(o, "raw_end", cli_jsize(sp->raw_end));
    cli_jset(o, "text", cli_jstrn(t, len));
    return o;
}

static int show_json(const shown *w, int with_raw)
{
    const nd_article *a = w->a;
    json_t *doc = json_object();
    for (int f = 0; f < ND_FIELD_COUNT_; f++)
        cli_jset(doc, field_names[f], cli_jstr(nd_article_get(a, (nd_field)f)));
    cli_jset(doc, "hash", cli_jstr(nd_article_hash(a)));
    cli_jset(doc, "body", cli_jstrn(w->body, w->body_len));
    if (with_raw)
        cli_jset(doc, "raw", cli_jstrn(w->raw, w->raw_len));

    /* Blocks in input order, and the kinds a user most often wants as lists of their own. */
    json_t *blocks = json_array();
    json_t *captions = json_array(), *credits = json_array(), *bylines = json_array();
    json_t *boiler = json_array();
    nd_span sp;
    size_t nb = nd_article_count(a, ND_PART_BLOCK);
    for (size_t i = 0; i < nb; i++) {
        if (nd_article_span(&sp, a, ND_PART_BLOCK, i) != ND_OK)
            continue;
        cli_jpush(blocks, span_json(w, &sp, 1, 0));
        json_t *list = sp.kind == ND_BLOCK_CAPTION       ? captions
                       : sp.kind == ND_BLOCK_CREDIT      ? credits
                       : sp.kind == ND_BLOCK_BYLINE      ? bylines
                       : sp.kind == ND_BLOCK_BOILERPLATE ? boiler
                                                         : NULL;
        if (list) {
            size_t len;
            const char *t = raw_text(w, &sp, &len);
            json_t *o = json_object();
            cli_jset(o, "raw_start", cli_jsize(sp.raw_start));
            cli_jset(o, "raw_end", cli_jsize(sp.raw_end));
            cli_jset(o, "text", cli_jstrn(t, len));
            cli_jpush(list, o);
        }
    }
    cli_jset(doc, "blocks", blocks);
    cli_jset(doc, "captions", captions);
    cli_jset(doc, "credits", credits);
    cli_jset(doc, "bylines", bylines);
    cli_jset(doc, "boilerplate", boiler);

    json_t *paras = json_array();
    size_t np = nd_article_count(a, ND_PART_PARAGRAPH);
    for (size_t i = 0; i < np; i++)
        if (nd_article_span(&sp, a, ND_PART_PARAGRAPH, i) == ND_OK)
            cli_jpush(paras, span_json(w, &sp, 1, 1));
    cli_jset(doc, "paragraphs", paras);

    json_t *sents = json_array();
    size_t ns = nd_article_count(a, ND_PART_SENTENCE), walk = 0;
    for (size_t i = 0; i < ns; i++) {
        if (nd_article_span(&sp, a, ND_PART_SENTENCE, i) != ND_OK)
            continue;
        json_t *o = span_json(w, &sp, 0, 1);
        cli_jset(o, "paragraph", cli_jsize(para_of(a, sp.start, &walk)));
        cli_jpush(sents, o);
    }
    cli_jset(doc, "sentences", sents);
    if (w->reuse)
        cli_jset(doc, "reuse", w->reuse);
    return cli_json_print(doc);
}

/* ---- tsv -------------------------------------------------------------------------------- */

static void tsv_off(size_t v)
{
    fputc('\t', stdout);
    if (v != ND_NOPOS)
        printf("%zu", v);
}

static void tsv_span(const char *part, const char *kind, const nd_span *sp, const char *t,
                     size_t len)
{
    fputs(part, stdout);
    fputc('\t', stdout);
    fputs(kind, stdout);
    tsv_off(sp->start);
    tsv_off(sp->end);
    tsv_off(sp->raw_start);
    tsv_off(sp->raw_end);
    fputc('\t', stdout);
    cli_tsv_field(stdout, t, len);
    fputc('\n', stdout);
}

static void show_tsv(const shown *w, int with_raw)
{
    const nd_article *a = w->a;
    nd_span none = {ND_NOPOS, ND_NOPOS, ND_NOPOS, ND_NOPOS, ND_BLOCK_PARAGRAPH};
    nd_span sp;
    size_t len;
    const char *t;

    fputs("part\tkind\tstart\tend\traw_start\traw_end\ttext\n", stdout);
    for (int f = 0; f < ND_FIELD_COUNT_; f++) {
        const char *v = nd_article_get(a, (nd_field)f);
        tsv_span("field", field_names[f], &none, v, v ? strlen(v) : 0);
    }
    t = nd_article_hash(a);
    tsv_span("field", "hash", &none, t, strlen(t));

    size_t nb = nd_article_count(a, ND_PART_BLOCK);
    for (size_t i = 0; i < nb; i++)
        if (nd_article_span(&sp, a, ND_PART_BLOCK, i) == ND_OK) {
            t = raw_text(w, &sp, &len);
            tsv_span("block", nd_block_kind_str(sp.kind), &sp, t, len);
        }
    size_t np = nd_article_count(a, ND_PART_PARAGRAPH);
    for (size_t i = 0; i < np; i++)
        if (nd_article_span(&sp, a, ND_PART_PARAGRAPH, i) == ND_OK) {
            t = body_text(w, &sp, &len);
            tsv_span("paragraph", nd_block_kind_str(sp.kind), &sp, t, len);
        }
    size_t ns = nd_article_count(a, ND_PART_SENTENCE);
    for (size_t i = 0; i < ns; i++)
        if (nd_article_span(&sp, a, ND_PART_SENTENCE, i) == ND_OK) {
            t = body_text(w, &sp, &len);
            tsv_span("sentence", "sentence", &sp, t, len);
        }
    if (with_raw) {
        nd_span whole = {ND_NOPOS, ND_NOPOS, 0, w->raw_len, ND_BLOCK_PARAGRAPH};
        tsv_span("raw", "raw", &whole, w->raw, w->raw_len);
    }
}

/* ---- the command ------------------------------------------------------------------------ */

static int run_show(cli_ctx *ctx, int argc, char **argv)
{
    const char *id = NULL;
    int with_raw = 0, with_reuse = 0;
    cli_parser p;
    cli_parser_init(&p, ctx, argc, argv);
    for (;;) {
        const char *arg;
        int o = cli_next(&p, show_opts, &arg);
        if (o == CLI_END)
            break;
        if (o == CLI_HELP)
            return cli_print_help(&cli_show);
        if (o == CLI_BAD)
            return CLI_EXIT_USAGE;
        if (o == OPT_RAW)
            with_raw = 1;
        if (o == OPT_REUSE)
            with_reuse = 1;
        if (o == CLI_POS) {
            if (id)
                return cli_usage(ctx, "unexpected argument '%s' (one ID at a time)", arg);
            id = arg;
        }
    }
    if (!id)
        return cli_usage(ctx, "no article id given");

    nd_store *st;
    int rc = cli_open_store(ctx, 1, &st);
    if (rc != CLI_EXIT_OK)
        return rc;
    nd_article *a = NULL;
    nd_status s = nd_store_get(st, &a, id);
    if (s == ND_ERR_NOT_FOUND) {
        cli_err("no article with id '%s' in %s", id, ctx->db);
        nd_store_close(st);
        return CLI_EXIT_NOT_FOUND;
    }
    if (s != ND_OK) {
        rc = cli_store_fail(ctx, s, nd_store_errmsg(st));
        nd_store_close(st);
        return rc;
    }

    shown w = {a, NULL, NULL, 0, 0, NULL};
    w.body = nd_article_body(a, &w.body_len);
    w.raw = nd_article_raw(a, &w.raw_len);
    if (with_reuse && ctx->format == CLI_FMT_JSON)
        rc = cli_reuse_show(ctx, st, a, &w.reuse);
    if (rc != CLI_EXIT_OK)
        ;
    else if (ctx->format == CLI_FMT_JSON)
        rc = show_json(&w, with_raw);
    else if (ctx->format == CLI_FMT_TSV)
        show_tsv(&w, with_raw);
    else
        show_text(&w, with_raw);
    if (with_reuse && rc == CLI_EXIT_OK && ctx->format != CLI_FMT_JSON)
        rc = cli_reuse_show(ctx, st, a, NULL);
    nd_article_free(a);
    nd_store_close(st);
    return rc;
}

const cli_command cli_show = {
    "show",
    run_show,
    "show one article: metadata, layout, paragraphs and sentences",
    show_help,
};
