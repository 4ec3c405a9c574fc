/*
 * `newsdesk add`: read articles and store them.
 *
 * Articles go into the store in transactions of --batch articles: one transaction per
 * article would make a large import a hundred times slower, one transaction for everything
 * would lose the whole import to a single late failure. Within a batch a rejected article
 * costs nothing (nd_store_add leaves nothing behind), so only failures of the store itself
 * (busy, full, not a store, out of memory) stop the run, and they roll back just the open
 * batch: what earlier batches committed stays.
 */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char add_help[] =
    "Usage: newsdesk add [OPTIONS] PATH...|-\n"
    "\n"
    "Reads articles and adds them to the store. A PATH is a text file (one article), a JSON\n"
    "Lines file (.jsonl or .ndjson: one news-please object a line) or a folder, read\n"
    "recursively; '-' reads one text article from standard input. Files in folders that are\n"
    "not articles are skipped. An article that cannot be read or stored is reported on\n"
    "stderr (file and line) and the others go on.\n"
    "\n"
    "Options:\n"
    "  --outlet NAME      set the outlet of every article read\n"
    "  --date DATE        set the date (6.06.2025, June 6, 2025, 2025-06-06, ...)\n"
    "  --url URL          set the address of every article read\n"
    "  --id ID            id of the article read from standard input (default: stdin)\n"
    "  --max-bytes SIZE   largest article accepted (default 16M; suffixes K, M, G)\n"
    "  --batch N          articles per transaction (default 1000)\n"
    "  -v, --verbose      also name the files skipped as not articles\n"
    "  --timings          end with a line on stderr of the time spent in each stage\n"
    "  --db PATH, --format FORMAT, --busy-timeout MS, -h: see 'newsdesk --help'\n"
    "\n"
    "Ends with one summary line on stderr: \"added N, unchanged N, rejected N, skipped N\n"
    "(T s)\"; with --format json or tsv the summary goes to stdout in that format instead.\n"
    "While stderr is a terminal a progress line shows articles, rate, bytes and time left.\n"
    "\n"
    "Exit status: 0 everything stored; 1 some articles rejected, the others stored; 2 usage\n"
    "error; 3 store error (the open batch is rolled back, earlier batches stay); 4 a path\n"
    "could not be read; 130 interrupted (articles read so far are committed).\n";

enum { OPT_OUTLET = 1, OPT_DATE, OPT_URL, OPT_ID, OPT_MAX_BYTES, OPT_BATCH, OPT_VERBOSE, OPT_TIMINGS };

static const cli_opt add_opts[] = {
    {"outlet", 0, 1, OPT_OUTLET},
    {"date", 0, 1, OPT_DATE},
    {"url", 0, 1, OPT_URL},
    {"id", 0, 1, OPT_ID},
    {"max-bytes", 0, 1, OPT_MAX_BYTES},
    {"batch", 0, 1, OPT_BATCH},
    {"verbose", 'v', 0, OPT_VERBOSE},
    {"timings", 0, 0, OPT_TIMINGS},
    {NULL, 0, 0, 0},
};

#define DEFAULT_BATCH 1000
#define MAX_BATCH 10000000
#define PROGRESS_INTERVAL 0.1 /* seconds between redraws: smooth, yet cheap on slow terminals */

/* ---- signals ---------------------------------------------------------------------------- */

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

/* Ctrl-C ends the run cleanly at the next article, so the open batch is committed; a second
 * Ctrl-C (SA_RESETHAND) kills at once, and the store stays consistent anyway. SA_RESTART keeps
 * a read blocked on standard input from failing with EINTR. */
static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = (int)(SA_RESETHAND | SA_RESTART);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* ---- the run ---------------------------------------------------------------------------- */

/* The reader's message for the last failure, never empty. */
static const char *reader_msg(const nd_reader *rd, nd_status st)
{
    const char *m = nd_reader_errmsg(rd);
    return m && *m ? m : nd_status_str(st);
}

typedef struct add_run {
    cli_ctx *ctx;
    nd_store *st;
    nd_reader *rd;
    uint64_t batch;
    int verbose;
    int in_txn;
    int io_failed;                              /* some input could not be read at all */
    int64_t added, unchanged;                   /* committed */
    int64_t pend_added, pend_unchanged, pend_n; /* in the open transaction */
    int64_t rejected, skipped;
    double t0;
    int progress;     /* stderr is a terminal */
    int drawn;        /* a progress line is on the screen */
    double last_draw; /* starts at t0: a run shorter than one interval shows none */
} add_run;

/* True for failures of nd_store_add/begin/commit that are about the store, not the article:
 * going on would fail the same way for every following article. */
static int store_fatal(nd_status st)
{
    switch (st) {
    case ND_ERR_NOMEM:
    case ND_ERR_IO:
    case ND_ERR_BUSY:
    case ND_ERR_NOT_STORE:
    case ND_ERR_SCHEMA:
    case ND_ERR_FULL:
    case ND_ERR_STORE: return 1;
    default: return 0;
    }
}

/* Reports a fatal store failure, rolls back the open batch and returns the exit status. */
static int fail_store(add_run *r, nd_status st)
{
    char msg[1024];
    const char *m = nd_store_errmsg(r->st);
    snprintf(msg, sizeof msg, "%s", m && *m ? m : nd_status_str(st));
    if (r->in_txn) {
        nd_store_rollback(r->st);
        r->in_txn = 0;
        if (r->pend_n > 0) {
            size_t n = strlen(msg);
            snprintf(msg + n, sizeof msg - n, " (rolled back the last %lld article%s)",
                     (long long)r->pend_n, r->pend_n == 1 ? "" : "s");
        }
    }
    r->pend_added = r->pend_unchanged = r->pend_n = 0;
    return cli_store_fail(r->ctx, st, msg);
}

static int commit(add_run *r)
{
    if (!r->in_txn)
        return CLI_EXIT_OK;
    nd_status st = nd_store_commit(r->st);
    if (st != ND_OK)
        return fail_store(r, st);
    r->in_txn = 0;
    r->added += r->pend_added;
    r->unchanged += r->pend_unchanged;
    r->pend_added = r->pend_unchanged = r->pend_n = 0;
    return CLI_EXIT_OK;
}

/* ---- progress --------------------------------------------------------------------------- */

static void fmt_count(char *out, size_t len, int64_t n)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%lld", (long long)n);
    size_t nd = strlen(digits), o = 0;
    for (size_t i = 0; i < nd && o + 2 < len; i++) {
        if (i > 0 && (nd - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
}

static void fmt_bytes(char *out, size_t len, uint64_t b)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
    if (b < 1024) {
        snprintf(out, len, "%llu B", (unsigned long long)b);
        return;
    }
    double v = (double)b / 1024.0;
    size_t u = 0;
    while (v >= 1024.0 && u + 1 < sizeof units / sizeof units[0]) {
        v /= 1024.0;
        u++;
    }
    snprintf(out, len, "%.1f %s", v, units[u]);
}

/* Redraws the progress line at most every PROGRESS_INTERVAL seconds (or always when
 * `force`): articles handled, their rate, bytes read and, when the total size of the input
 * is known, the time left at the current byte rate. */
static void draw_progress(add_run *r, int force)
{
    if (!r->progress)
        return;
    double now = cli_now();
    if (!force && now - r->last_draw < PROGRESS_INTERVAL)
        return;
    r->last_draw = now;
    double dt = now - r->t0;
    uint64_t done = 0, total = 0;
    nd_reader_progress(r->rd, &done, &total);
    int64_t n = r->added + r->unchanged + r->pend_n + r->rejected;

    char cnt[32], rate[32], bd[32], bt[32], eta[32] = "";
    fmt_count(cnt, sizeof cnt, n);
    fmt_count(rate, sizeof rate, dt > 0 ? (int64_t)((double)n / dt) : 0);
    fmt_bytes(bd, sizeof bd, done);
    if (total > 0 && done > 0 && done <= total && dt > 0.5) {
        double left = (double)(total - done) / ((double)done / dt);
        long s = (long)(left + 0.5);
        if (s >= 3600)
            snprintf(eta, sizeof eta, "  ETA %ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
        else
            snprintf(eta, sizeof eta, "  ETA %ld:%02ld", s / 60, s % 60);
    }
    if (total > 0) {
        fmt_bytes(bt, sizeof bt, total);
        fprintf(stderr, "\r%s articles  %s/s  %s of %s%s\033[K", cnt, rate, bd, bt, eta);
    } else {
        fprintf(stderr, "\r%s articles  %s/s  %s\033[K", cnt, rate, bd);
    }
    fflush(stderr);
    r->drawn = 1;
    cli_progress_shown(1);
}

static void clear_progress(add_run *r)
{
    if (r->progress && r->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        cli_progress_shown(0);
    }
}

/* ---- summary ---------------------------------------------------------------------------- */

static void print_summary(const add_run *r, cli_format fmt)
{
    double secs = cli_now() - r->t0;
    if (fmt == CLI_FMT_JSON) {
        json_t *o = json_object();
        cli_jset(o, "added", cli_jint(r->added));
        cli_jset(o, "unchanged", cli_jint(r->unchanged));
        cli_jset(o, "rejected", cli_jint(r->rejected));
        cli_jset(o, "skipped", cli_jint(r->skipped));
        cli_jset(o, "seconds", json_real((double)(int64_t)(secs * 1000.0 + 0.5) / 1000.0));
        cli_json_print(o);
    } else if (fmt == CLI_FMT_TSV) {
        printf("added\tunchanged\trejected\tskipped\tseconds\n%lld\t%lld\t%lld\t%lld\t%.3f\n",
               (long long)r->added, (long long)r->unchanged, (long long)r->rejected,
               (long long)r->skipped, secs);
    } else {
        fprintf(stderr, "added %lld, unchanged %lld, rejected %lld, skipped %lld (%.2f s)\n",
                (long long)r->added, (long long)r->unchanged, (long long)r->rejected,
                (long long)r->skipped, secs);
    }
}

/* ---- one article ------------------------------------------------------------------------ */

/* Stores one article read successfully. Returns CLI_EXIT_OK, or an exit status when the
 * store failed for good. */
static int store_one(add_run *r, nd_article *a)
{
    nd_status st;
    if (!r->in_txn) {
        st = nd_store_begin(r->st);
        if (st != ND_OK)
            return fail_store(r, st);
        r->in_txn = 1;
    }
    st = nd_store_add(r->st, a);
    if (st == ND_OK) {
        r->pend_added++;
        r->pend_n++;
    } else if (st == ND_UNCHANGED) {
        r->pend_unchanged++;
        r->pend_n++;
    } else if (store_fatal(st)) {
        return fail_store(r, st);
    } else {
        /* Conflicting id or an article the store refuses: this one only. */
        const char *src = nd_article_get(a, ND_FIELD_SOURCE);
        const char *msg = nd_store_errmsg(r->st);
        if (!msg || !*msg)
            msg = nd_status_str(st);
        if (src && !strstr(msg, src))
            cli_err("%s: %s", src, msg);
        else
            cli_err("%s", msg);
        r->rejected++;
    }
    if ((uint64_t)r->pend_n >= r->batch)
        return commit(r);
    return CLI_EXIT_OK;
}

/* Reads until the reader is exhausted, a signal arrives or the store fails. */
static int read_all(add_run *r)
{
    for (;;) {
        if (stop_signal)
            return CLI_EXIT_OK;
        nd_article *a = NULL;
        nd_status st = nd_reader_next(r->rd, &a);
        if (st == ND_DONE)
            return CLI_EXIT_OK;
        if (st == ND_OK) {
            int rc = store_one(r, a);
            nd_article_free(a);
            if (rc != CLI_EXIT_OK)
                return rc;
        } else if (st == ND_SKIPPED) {
            r->skipped++;
            if (r->verbose) {
                const char *m = reader_msg(r->rd, st);
                cli_err(strncmp(m, "skipped ", 8) == 0 ? "%s" : "skipped %s", m);
            }
        } else if (st == ND_ERR_NOMEM) {
            /* The reader may be unusable now: stop, but keep the articles already added,
             * since nothing is wrong with them or with the store. */
            cli_err("%s", reader_msg(r->rd, st));
            int rc = commit(r);
            return rc != CLI_EXIT_OK ? rc : CLI_EXIT_STORE;
        } else {
            cli_err("%s", reader_msg(r->rd, st));
            r->rejected++;
            if (st == ND_ERR_IO)
                r->io_failed = 1;
        }
        draw_progress(r, 0);
    }
}

/* ---- the command ------------------------------------------------------------------------ */

/* One machine-readable line for the benchmarks: CPU seconds per part of an addition. */
static void print_timings(const nd_store *st)
{
    nd_timings t;
    nd_store_timings(st, &t);
    fprintf(stderr,
            "timings articles=%lld insert_s=%.3f reuse_s=%.3f cluster_s=%.3f commit_s=%.3f"
            " reuse_bytes=%zu cluster_bytes=%zu\n",
            (long long)t.articles, t.insert_s, t.reuse_s, t.cluster_s, t.commit_s, t.reuse_bytes,
            t.cluster_bytes);
}

static int run_add(cli_ctx *ctx, int argc, char **argv)
{
    nd_read_opts ropts = {0};
    add_run r = {0};
    r.ctx = ctx;
    r.batch = DEFAULT_BATCH;
    int stdin_used = 0;
    int timings = 0;
    int rc = CLI_EXIT_OK;

    const char **paths = calloc((size_t)argc + 1, sizeof *paths);
    if (!paths) {
        cli_err("out of memory");
        return CLI_EXIT_STORE;
    }
    size_t npaths = 0;

    cli_parser p;
    cli_parser_init(&p, ctx, argc, argv);
    for (int done = 0; !done && rc == CLI_EXIT_OK;) {
        const char *arg;
        uint64_t v = 0;
        switch (cli_next(&p, add_opts, &arg)) {
        case CLI_END: done = 1; break;
        case CLI_HELP: free(paths); return cli_print_help(&cli_add);
        case CLI_BAD: rc = CLI_EXIT_USAGE; break;
        case CLI_POS:
            paths[npaths++] = arg;
            stdin_used |= strcmp(arg, "-") == 0;
            break;
        case OPT_OUTLET: ropts.outlet = arg; break;
        case OPT_DATE: ropts.date = arg; break;
        case OPT_URL: ropts.url = arg; break;
        case OPT_ID: ropts.stdin_id = arg; break;
        case OPT_MAX_BYTES:
            rc = cli_parse_size(ctx, "--max-bytes", arg, &v);
            ropts.max_article_bytes = (size_t)v;
            break;
        case OPT_BATCH: rc = cli_parse_count(ctx, "--batch", arg, MAX_BATCH, &r.batch); break;
        case OPT_VERBOSE: r.verbose = 1; break;
        case OPT_TIMINGS: timings = 1; break;
        default: rc = CLI_EXIT_USAGE; break;
        }
    }
    if (rc == CLI_EXIT_OK && npaths == 0)
        rc = cli_usage(ctx, "no input given (name files or folders, or '-' for stdin)");
    if (rc == CLI_EXIT_OK && ropts.stdin_id && !stdin_used)
        rc = cli_usage(ctx, "--id names the article read from standard input ('-')");
    if (rc == CLI_EXIT_OK && ropts.stdin_id && !*ropts.stdin_id)
        rc = cli_usage(ctx, "--id needs a value");
    if (rc == CLI_EXIT_OK && ropts.date) {
        char iso[32];
        if (nd_date_parse(iso, sizeof iso, ropts.date, strlen(ropts.date)) != ND_OK)
            rc = cli_usage(ctx, "--date: cannot read '%s' as a date", ropts.date);
    }
    if (rc != CLI_EXIT_OK) {
        free(paths);
        return rc;
    }

    /* The store first: when it is busy or not a store, nothing is read in vain. */
    r.t0 = cli_now();
    rc = cli_open_store(ctx, 0, &r.st);
    if (rc != CLI_EXIT_OK) {
        free(paths);
        return rc;
    }
    nd_status st = nd_reader_new(&r.rd, &ropts);
    if (st != ND_OK) {
        cli_err("cannot start reading: %s", nd_status_str(st));
        nd_store_close(r.st);
        free(paths);
        return CLI_EXIT_STORE;
    }
    for (size_t i = 0; i < npaths; i++) {
        st = nd_reader_add_path(r.rd, paths[i]);
        if (st == ND_ERR_NOMEM) {
            cli_err("%s", reader_msg(r.rd, st));
            rc = CLI_EXIT_STORE;
            break;
        }
        if (st != ND_OK) {
            const char *m = reader_msg(r.rd, st);
            if (strstr(m, paths[i]))
                cli_err("%s", m);
            else
                cli_err("%s: %s", paths[i], m);
            r.rejected++;
            r.io_failed |= st == ND_ERR_IO;
        }
    }
    free(paths);

    r.progress = isatty(STDERR_FILENO);
    r.last_draw = r.t0;
    stop_signal = 0;
    catch_signals();
    if (rc == CLI_EXIT_OK)
        rc = read_all(&r);
    if (rc == CLI_EXIT_OK)
        rc = commit(&r);
    clear_progress(&r);
    if (rc == CLI_EXIT_OK && stop_signal) {
        cli_err("interrupted; the articles read so far are stored");
        rc = 128 + (int)stop_signal;
    }
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);

    print_summary(&r, ctx->format);
    if (timings)
        print_timings(r.st);
    nd_reader_free(r.rd);
    nd_store_close(r.st);
    if (rc == CLI_EXIT_OK && r.io_failed)
        rc = CLI_EXIT_INPUT;
    if (rc == CLI_EXIT_OK && r.rejected > 0)
        rc = CLI_EXIT_REJECTED;
    return rc;
}

const cli_command cli_add = {
    "add",
    run_add,
    "read articles from files, folders, JSON Lines or standard input",
    add_help,
};
