/*
 * `newsdesk stats`: the counts and sizes of a store (nd_stats), one field per line.
 */
#include <string.h>

#include "cli.h"

static const char stats_help[] =
    "Usage: newsdesk stats\n"
    "\n"
    "Shows the counts and sizes of the store: articles, distinct outlets, dated articles and\n"
    "the first and last date, paragraphs, sentences, body and original bytes, the size of\n"
    "the database file and its schema version.\n"
    "\n"
    "Options:\n"
    "  --db PATH, --format FORMAT, --busy-timeout MS, -h: see 'newsdesk --help'\n"
    "\n"
    "Formats: text prints one field a line; json one object; tsv a header row and one row.\n"
    "\n"
    "Exit status: 0 success; 2 usage error; 3 store error (no store, not a store, ...).\n";

/* One field of nd_stats: its name and either an integer or a date. */
typedef struct stat_field {
    const char *name;
    int64_t num;
    const char *text; /* for dates; NULL for numbers */
} stat_field;

#define NFIELDS 11

static void collect(stat_field *f, const nd_stats *s)
{
    stat_field v[NFIELDS] = {
        {"articles", s->articles, NULL},
        {"outlets", s->outlets, NULL},
        {"dated", s->dated, NULL},
        {"first_date", 0, s->first_date},
        {"last_date", 0, s->last_date},
        {"paragraphs", s->paragraphs, NULL},
        {"sentences", s->sentences, NULL},
        {"body_bytes", s->body_bytes, NULL},
        {"raw_bytes", s->raw_bytes, NULL},
        {"file_bytes", s->file_bytes, NULL},
        {"schema_version", s->schema_version, NULL},
    };
    memcpy(f, v, sizeof v);
}

static int run_stats(cli_ctx *ctx, int argc, char **argv)
{
    const char *extra;
    int rc = cli_one_arg(ctx, argc, argv, &extra);
    if (rc == CLI_HELP)
        return cli_print_help(&cli_stats);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (extra)
        return cli_usage(ctx, "unexpected argument '%s'", extra);

    nd_store *st;
    rc = cli_open_store(ctx, 1, &st);
    if (rc != CLI_EXIT_OK)
        return rc;
    nd_stats s;
    memset(&s, 0, sizeof s);
    nd_status ss = nd_store_stats(st, &s);
    if (ss != ND_OK) {
        rc = cli_store_fail(ctx, ss, nd_store_errmsg(st));
        nd_store_close(st);
        return rc;
    }
    nd_store_close(st);
    /* The dates are fixed-size buffers filled by the library; never trust a missing NUL. */
    s.first_date[sizeof s.first_date - 1] = '\0';
    s.last_date[sizeof s.last_date - 1] = '\0';

    stat_field f[NFIELDS];
    collect(f, &s);
    if (ctx->format == CLI_FMT_JSON) {
        json_t *o = json_object();
        for (size_t i = 0; i < NFIELDS; i++)
            cli_jset(o, f[i].name,
                     f[i].text ? cli_jstr(*f[i].text ? f[i].text : NULL) : cli_jint(f[i].num));
        return cli_json_print(o);
    }
    if (ctx->format == CLI_FMT_TSV) {
        for (size_t i = 0; i < NFIELDS; i++)
            printf("%s%c", f[i].name, i + 1 < NFIELDS ? '\t' : '\n');
        for (size_t i = 0; i < NFIELDS; i++) {
            if (f[i].text)
                cli_tsv_str(stdout, f[i].text);
            else
                printf("%lld", (long long)f[i].num);
            fputc(i + 1 < NFIELDS ? '\t' : '\n', stdout);
        }
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < NFIELDS; i++) {
        if (f[i].text)
            printf("%-16s %s\n", f[i].name, *f[i].text ? f[i].text : "-");
        else
            printf("%-16s %lld\n", f[i].name, (long long)f[i].num);
    }
    return CLI_EXIT_OK;
}

const cli_command cli_stats = {
    "stats",
    run_stats,
    "counts and sizes of the store",
    stats_help,
};
