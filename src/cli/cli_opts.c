/*
 * Option parsing for the command-line tool.
 *
 * A small parser of our own rather than getopt_long(): it must accept the shared options
 * (--db, --format, --busy-timeout) both before and after the command name, it never permutes
 * arguments (so "-" for standard input and "--" behave predictably), and its messages follow
 * the tool's "newsdesk: CMD: ..." convention.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_DB = CLI_OPT_COMMON_, OPT_FORMAT, OPT_BUSY, OPT_HELP };

static const cli_opt common_opts[] = {
    {"db", 0, 1, OPT_DB},
    {"format", 0, 1, OPT_FORMAT},
    {"busy-timeout", 0, 1, OPT_BUSY},
    {"help", 'h', 0, OPT_HELP},
    {NULL, 0, 0, 0},
};

void cli_parser_init(cli_parser *p, cli_ctx *ctx, int argc, char **argv)
{
    p->argc = argc;
    p->argv = argv;
    p->i = 0;
    p->only_pos = 0;
    p->ctx = ctx;
}

int cli_usage(const cli_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    fputs("newsdesk: ", stderr);
    if (ctx->cmd)
        fprintf(stderr, "%s: ", ctx->cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (ctx->cmd)
        fprintf(stderr, "Try 'newsdesk %s --help'.\n", ctx->cmd);
    else
        fputs("Try 'newsdesk --help'.\n", stderr);
    return CLI_EXIT_USAGE;
}

/* Finds a long option by the name before any '=' (name[0..len)). */
static const cli_opt *find_long(const cli_opt *opts, const char *name, size_t len)
{
    for (const cli_opt *o = opts; o && o->name; o++)
        if (strlen(o->name) == len && memcmp(o->name, name, len) == 0)
            return o;
    return NULL;
}

static const cli_opt *find_short(const cli_opt *opts, char c)
{
    for (const cli_opt *o = opts; o && o->name; o++)
        if (o->short_name && o->short_name == c)
            return o;
    return NULL;
}

/* Stores a shared option in the context. Returns 0, or CLI_BAD after reporting. */
static int apply_common(cli_ctx *ctx, int id, const char *arg)
{
    uint64_t v = 0;
    switch (id) {
    case OPT_DB:
        if (!*arg) {
            cli_usage(ctx, "--db needs a path");
            return CLI_BAD;
        }
        ctx->db = arg;
        return 0;
    case OPT_FORMAT:
        if (strcmp(arg, "text") == 0) {
            ctx->format = CLI_FMT_TEXT;
        } else if (strcmp(arg, "json") == 0) {
            ctx->format = CLI_FMT_JSON;
        } else if (strcmp(arg, "tsv") == 0) {
            ctx->format = CLI_FMT_TSV;
        } else {
            cli_usage(ctx, "unknown format '%s' (use text, json or tsv)", arg);
            return CLI_BAD;
        }
        return 0;
    case OPT_BUSY:
        if (cli_parse_count(ctx, "--busy-timeout", arg, 3600000, &v) != CLI_EXIT_OK)
            return CLI_BAD;
        ctx->busy_timeout_ms = (int)v;
        return 0;
    default: return CLI_BAD;
    }
}

/* Parsing walks argv left to right. An argument that starts with '-' and is not "-" itself
 * is an option until "--" is seen. Long options take their value after '=' or as the next
 * argument; short ones as the rest of the argument or the next one. */
int cli_next(cli_parser *p, const cli_opt *opts, const char **arg)
{
    *arg = NULL;
    if (p->i >= p->argc)
        return CLI_END;
    char *a = p->argv[p->i++];
    if (p->only_pos || a[0] != '-' || a[1] == '\0') {
        *arg = a;
        return CLI_POS;
    }
    if (strcmp(a, "--") == 0) {
        p->only_pos = 1;
        return cli_next(p, opts, arg);
    }

    const cli_opt *o;
    const char *val = NULL;
    if (a[1] == '-') {
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        o = find_long(opts, name, len);
        if (!o)
            o = find_long(common_opts, name, len);
        if (!o) {
            cli_usage(p->ctx, "unknown option '--%.*s'", (int)len, name);
            return CLI_BAD;
        }
        if (eq) {
            if (!o->has_arg) {
                cli_usage(p->ctx, "option '--%s' takes no value", o->name);
                return CLI_BAD;
            }
            val = eq + 1;
        }
    } else {
        o = find_short(opts, a[1]);
        if (!o)
            o = find_short(common_opts, a[1]);
        if (!o) {
            cli_usage(p->ctx, "unknown option '-%c'", a[1]);
            return CLI_BAD;
        }
        if (a[2] != '\0') {
            if (!o->has_arg) {
                cli_usage(p->ctx, "option '-%c' takes no value", a[1]);
                return CLI_BAD;
            }
            val = a + 2;
        }
    }
    if (o->has_arg && !val) {
        if (p->i >= p->argc) {
            cli_usage(p->ctx, "option '--%s' needs a value", o->name);
            return CLI_BAD;
        }
        val = p->argv[p->i++];
    }
    *arg = val;
    if (o->id == OPT_HELP)
        return CLI_HELP;
    if (o->id >= CLI_OPT_COMMON_)
        return apply_common(p->ctx, o->id, val) == 0 ? cli_next(p, opts, arg) : CLI_BAD;
    return o->id;
}

/* Reads leading decimal digits into *out, rejecting overflow. Returns the first unread byte,
 * or NULL when there are no digits or the value overflows. */
static const char *parse_digits(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    const char *q = s;
    while (*q >= '0' && *q <= '9') {
        unsigned d = (unsigned)(*q - '0');
        if (v > (UINT64_MAX - d) / 10)
            return NULL;
        v = v * 10 + d;
        q++;
    }
    if (q == s)
        return NULL;
    *out = v;
    return q;
}

int cli_parse_count(const cli_ctx *ctx, const char *opt, const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    const char *end = parse_digits(s, &v);
    if (!end || *end || v == 0 || v > max)
        return cli_usage(ctx, "%s needs a whole number from 1 to %llu, not '%s'", opt,
                         (unsigned long long)max, s);
    *out = v;
    return CLI_EXIT_OK;
}

int cli_parse_size(const cli_ctx *ctx, const char *opt, const char *s, uint64_t *out)
{
    uint64_t v = 0;
    const char *end = parse_digits(s, &v);
    unsigned shift = 0;
    if (end) {
        switch (*end) {
        case 'k':
        case 'K':
            shift = 10;
            end++;
            break;
        case 'm':
        case 'M':
            shift = 20;
            end++;
            break;
        case 'g':
        case 'G':
            shift = 30;
            end++;
            break;
        default: break;
        }
        if (shift && (strcmp(end, "B") == 0 || strcmp(end, "iB") == 0))
            end += strlen(end);
        else if (!shift && strcmp(end, "B") == 0)
            end++;
    }
    if (!end || *end || v == 0 || v > (UINT64_MAX >> shift) || (v << shift) > SIZE_MAX)
        return cli_usage(ctx, "%s needs a size such as 65536, 512K, 16M or 1G, not '%s'", opt, s);
    *out = v << shift;
    return CLI_EXIT_OK;
}

/* story, export and stats share this: nothing but the common options and one argument. */
int cli_one_arg(cli_ctx *ctx, int argc, char **argv, const char **pos)
{
    static const cli_opt none[] = {{NULL, 0, 0, 0}};
    cli_parser p;
    cli_parser_init(&p, ctx, argc, argv);
    *pos = NULL;
    for (;;) {
        const char *arg;
        int o = cli_next(&p, none, &arg);
        if (o == CLI_END)
            return CLI_EXIT_OK;
        if (o == CLI_HELP)
            return CLI_HELP;
        if (o != CLI_POS)
            return CLI_EXIT_USAGE;
        if (*pos)
            return cli_usage(ctx, "unexpected argument '%s'", arg);
        *pos = arg;
    }
}
