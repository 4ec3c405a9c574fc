/*
 * Messages, output formats and the small terminal helpers of the command-line tool.
 *
 * Three output formats share one rule: stdout carries only the requested data, so that it
 * can be piped; everything meant for a person in passing (errors, notes, progress) goes to
 * stderr. JSON is built with Jansson and always printed with sorted keys, so the same store
 * gives byte-identical output. TSV escapes the characters that would break its rows.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* ---- messages ----------------------------------------------------------------------------*/

static int progress_on;

void cli_progress_shown(int shown)
{
    progress_on = shown;
}

void cli_err(const char *fmt, ...)
{
    va_list ap;
    if (progress_on) {
        /* Wipe the progress line so the message starts at column 0; the next redraw puts the
         * bar back under it. */
        fputs("\r\033[K", stderr);
        progress_on = 0;
    }
    fputs("newsdesk: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_store_fail(const cli_ctx *ctx, nd_status st, const char *msg)
{
    if (!msg || !*msg)
        msg = nd_status_str(st);
    /* The store's messages usually name the file; add it when they do not, so that the user
     * always learns which store is meant (it may come from $NEWSDESK_DB). */
    if (strstr(msg, ctx->db))
        cli_err("%s", msg);
    else
        cli_err("%s: %s", ctx->db, msg);
    return CLI_EXIT_STORE;
}

int cli_open_store(const cli_ctx *ctx, int readonly, nd_store **out)
{
    struct stat sb;
    *out = NULL;
    if (readonly && stat(ctx->db, &sb) != 0) {
        cli_err("no store at %s (add articles first, or name the store with --db)", ctx->db);
        return CLI_EXIT_STORE;
    }
    nd_store_opts opts = {0};
    opts.readonly = readonly;
    opts.busy_timeout_ms = ctx->busy_timeout_ms;
    /* Testing only: a small cap on the file makes "disk full" reproducible, so the tests can
     * check that a failing batch is rolled back and the earlier ones stay (docs/cli.md). */
    const char *cap = getenv("ND_TEST_MAX_PAGES");
    if (cap && *cap)
        opts.max_pages = strtoll(cap, NULL, 10);
    nd_store *st = NULL;
    nd_status rc = nd_store_open(&st, ctx->db, &opts);
    if (rc != ND_OK) {
        int code = cli_store_fail(ctx, rc, st ? nd_store_errmsg(st) : NULL);
        nd_store_close(st);
        return code;
    }
    *out = st;
    return CLI_EXIT_OK;
}

/* ---- TSV ---------------------------------------------------------------------------------*/

void cli_tsv_field(FILE *f, const char *s, size_t len)
{
    if (!s)
        return;
    size_t run = 0; /* start of the pending run of bytes that need no escape */
    for (size_t i = 0; i < len; i++) {
        const char *esc = NULL;
        switch (s[i]) {
        case '\t': esc = "\\t"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\\': esc = "\\\\"; break;
        default: break;
        }
        if (esc) {
            fwrite(s + run, 1, i - run, f);
            fputs(esc, f);
            run = i + 1;
        }
    }
    fwrite(s + run, 1, len - run, f);
}

void cli_tsv_str(FILE *f, const char *s)
{
    cli_tsv_field(f, s, s ? strlen(s) : 0);
}

/* ---- JSON --------------------------------------------------------------------------------*/

static int json_oom; /* a value could not be built; reported when the document is printed */

static json_t *checked(json_t *v)
{
    if (!v)
        json_oom = 1;
    return v;
}

json_t *cli_jstr(const char *s)
{
    return s ? cli_jstrn(s, strlen(s)) : checked(json_null());
}

json_t *cli_jstrn(const char *s, size_t len)
{
    /* Everything the library hands out is valid UTF-8; a failure here is out of memory. */
    return checked(s ? json_stringn(s, len) : json_null());
}

json_t *cli_jint(int64_t v)
{
    return checked(json_integer((json_int_t)v));
}

json_t *cli_jsize(size_t v)
{
    return checked(v == ND_NOPOS ? json_null() : json_integer((json_int_t)v));
}

void cli_jset(json_t *obj, const char *key, json_t *v)
{
    /* json_object_set_new() takes ownership of v even when it fails. */
    if (!obj || !v || json_object_set_new(obj, key, v) != 0)
        json_oom = 1;
}

void cli_jpush(json_t *arr, json_t *v)
{
    if (!arr || !v || json_array_append_new(arr, v) != 0)
        json_oom = 1;
}

static int json_out(json_t *doc, size_t flags)
{
    int bad = json_oom || !doc || json_dumpf(doc, stdout, flags) != 0;
    json_decref(doc);
    json_oom = 0;
    if (bad) {
        cli_err("out of memory while building the JSON output");
        return CLI_EXIT_STORE;
    }
    return CLI_EXIT_OK;
}

/* Ten significant digits: enough for any score or duration we print, and free of the binary
 * noise of the default 17 (0.119 instead of 0.11899999999999999). */
#define REAL_DIGITS JSON_REAL_PRECISION(10)

int cli_json_print(json_t *doc)
{
    int rc = json_out(doc, JSON_SORT_KEYS | JSON_INDENT(2) | REAL_DIGITS);
    if (rc == CLI_EXIT_OK)
        fputc('\n', stdout);
    return rc;
}

int cli_json_print_compact(json_t *v)
{
    return json_out(v, JSON_SORT_KEYS | JSON_COMPACT | REAL_DIGITS);
}

/* ---- text cells --------------------------------------------------------------------------*/

size_t cli_utf8_width(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

/* Writes s[0..len) with tabs and line breaks shown as spaces. */
static void put_flat(FILE *f, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        fputc(s[i] == '\t' || s[i] == '\n' || s[i] == '\r' ? ' ' : s[i], f);
}

void cli_print_cell(FILE *f, const char *s, size_t width, int pad)
{
    if (!s)
        s = "-";
    size_t len = strlen(s);
    size_t w = cli_utf8_width(s, len);
    if (w <= width) {
        put_flat(f, s, len);
        for (; pad && w < width; w++)
            fputc(' ', f);
        return;
    }
    if (width == 0)
        return;
    /* Keep width-1 code points, then the ellipsis. */
    size_t cps = 0, i = 0;
    for (; i < len; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (cps == width - 1)
                break;
            cps++;
        }
    }
    put_flat(f, s, i);
    fputs("\xE2\x80\xA6", f);
}

int cli_term_columns(void)
{
    if (!isatty(STDOUT_FILENO))
        return 0;
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    const char *env = getenv("COLUMNS");
    int cols = env ? atoi(env) : 0;
    return cols > 0 ? cols : 80;
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
