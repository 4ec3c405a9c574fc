/*
 * The command-line tool's own declarations. The tool is a client of include/newsdesk.h only:
 * nothing here may include a header from another src/ module.
 *
 * Every command is a function `int cli_cmd_X(cli_ctx *ctx, int argc, char **argv)` that gets
 * the arguments after its name and returns the process exit status. Output for the user goes
 * to stdout; messages go to stderr as one line each, prefixed with "newsdesk: ".
 */
#ifndef ND_CLI_H
#define ND_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "newsdesk.h"

/* Exit statuses. When several things go wrong in one run the most severe wins, in the order
 * store > interrupted > input > rejected; usage errors are found before anything is done. */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_REJECTED = 1,  /* some articles were rejected; the others were stored */
    CLI_EXIT_USAGE = 2,     /* bad command line; nothing was done */
    CLI_EXIT_STORE = 3,     /* the store failed (busy, not a store, newer schema, full, ...) */
    CLI_EXIT_INPUT = 4,     /* an input could not be read at all (missing, unreadable) */
    CLI_EXIT_NOT_FOUND = 5, /* no article with that id */
    CLI_EXIT_INTERRUPTED = 130,
};

typedef enum cli_format { CLI_FMT_TEXT, CLI_FMT_JSON, CLI_FMT_TSV } cli_format;

/* Settings shared by every command; filled from the environment, then from options given
 * before or after the command name. */
typedef struct cli_ctx {
    const char *db; /* path of the store */
    cli_format format;
    int busy_timeout_ms; /* 0: the library's default */
    const char *cmd;     /* name of the running command, for messages */
} cli_ctx;

/* ---- option parsing (cli_opts.c) -------------------------------------------------------- */

/* One option of a command: `--name`, optionally `-c`; with an argument when has_arg. */
typedef struct cli_opt {
    const char *name;
    char short_name;
    int has_arg;
    int id; /* > 0, below CLI_OPT_COMMON_ */
} cli_opt;

/* What cli_next() returns besides an option id. */
enum {
    CLI_END = 0,   /* no more arguments */
    CLI_POS = -1,  /* a positional argument, in *arg */
    CLI_BAD = -2,  /* a usage error, already reported */
    CLI_HELP = -3, /* --help or -h */
    CLI_OPT_COMMON_ = 1000,
};

typedef struct cli_parser {
    int argc;
    char **argv;
    int i;
    int only_pos; /* after "--" */
    cli_ctx *ctx;
} cli_parser;

/* Starts parsing argv[0..argc) (the arguments after the command name). */
void cli_parser_init(cli_parser *p, cli_ctx *ctx, int argc, char **argv);

/* Returns the next option's id (its argument in *arg), CLI_POS, CLI_END, CLI_BAD or CLI_HELP.
 * The options every command shares (--db, --format, --busy-timeout) are handled here and
 * stored in the context; `opts` ends with an entry whose name is NULL. */
int cli_next(cli_parser *p, const cli_opt *opts, const char **arg);

/* Parses the arguments of a command that has no options of its own and takes at most one
 * positional argument (NULL in *pos when there is none). Returns CLI_EXIT_OK to go on,
 * CLI_HELP when --help was asked (the caller prints its help), or CLI_EXIT_USAGE. */
int cli_one_arg(cli_ctx *ctx, int argc, char **argv, const char **pos);

/* Reports a usage error of the current command ("newsdesk: CMD: ...", then a hint to use
 * --help) and returns CLI_EXIT_USAGE. */
int cli_usage(const cli_ctx *ctx, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Parses a decimal count in [1, max]; reports a usage error naming `opt` when it is not. */
int cli_parse_count(const cli_ctx *ctx, const char *opt, const char *s, uint64_t max,
                    uint64_t *out);

/* Parses a size in bytes with an optional binary suffix (K, M, G, optionally followed by B
 * or iB: 512K = 524288). Reports a usage error naming `opt` on failure. */
int cli_parse_size(const cli_ctx *ctx, const char *opt, const char *s, uint64_t *out);

/* ---- messages and output (cli_out.c) ---------------------------------------------------- */

/* Prints "newsdesk: <message>" on stderr as one line. Clears a progress line first. */
void cli_err(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Tells cli_err() that a progress line is on stderr and must be wiped before a message. */
void cli_progress_shown(int shown);

/* Prints a failure of the store (`msg`, or the status name when it is NULL or empty), adding
 * the store path when the message does not name it, and returns CLI_EXIT_STORE. */
int cli_store_fail(const cli_ctx *ctx, nd_status st, const char *msg);

/* Opens the store of the context. Read-only commands do not create a store: a missing file
 * is reported as such. Returns CLI_EXIT_OK with *out set, or an exit status (reported). */
int cli_open_store(const cli_ctx *ctx, int readonly, nd_store **out);

/* Writes s[0..len) as one TSV field: tab, newline, carriage return and backslash become
 * \t \n \r \\ so that every row stays on one line. NULL writes an empty field. */
void cli_tsv_field(FILE *f, const char *s, size_t len);
void cli_tsv_str(FILE *f, const char *s);

/* Builds JSON values; NULL strings become JSON null. A failed allocation is remembered and
 * reported by cli_json_print(), so callers can build a whole document without checking each
 * step. */
json_t *cli_jstr(const char *s);
json_t *cli_jstrn(const char *s, size_t len);
json_t *cli_jint(int64_t v);
json_t *cli_jsize(size_t v); /* ND_NOPOS becomes null */
void cli_jset(json_t *obj, const char *key, json_t *v);
void cli_jpush(json_t *arr, json_t *v);

/* Prints one JSON document (sorted keys, indented) and a newline on stdout, then releases
 * it. Returns CLI_EXIT_OK, or CLI_EXIT_STORE after reporting an allocation failure. */
int cli_json_print(json_t *doc);
/* Prints one value compactly (sorted keys) without a newline; for streamed arrays. */
int cli_json_print_compact(json_t *v);

/* The number of code points in the UTF-8 string s[0..len). */
size_t cli_utf8_width(const char *s, size_t len);

/* Prints s padded with spaces to `width` code points, or cut to `width` with "…" at the end
 * when longer. Newlines and tabs print as spaces so that a row stays one line. */
void cli_print_cell(FILE *f, const char *s, size_t width, int pad);

/* Columns of the terminal on stdout, or 0 when stdout is not a terminal. */
int cli_term_columns(void);

/* Monotonic time in seconds. */
double cli_now(void);

/* ---- commands --------------------------------------------------------------------------- */

typedef struct cli_command {
    const char *name;
    int (*run)(cli_ctx *ctx, int argc, char **argv);
    const char *summary; /* one line for `newsdesk --help` */
    const char *help;    /* the text of `newsdesk NAME --help` */
} cli_command;

extern const cli_command cli_add, cli_ls, cli_show, cli_stats, cli_eval;
extern const cli_command cli_reuse;
/* `show --reuse` (cli_reuse.c): prints the passages of `a` in the context's format, or with
 * `json` set returns them as a JSON array there. Returns an exit status (reported). */
int cli_reuse_show(const cli_ctx *ctx, nd_store *st, const nd_article *a, json_t **json);
extern const cli_command cli_stories, cli_story, cli_export;

/* `newsdesk eval clusters` after its options were parsed (cli_eval_clusters.c); pred NULL
 * scores the store. */
int cli_eval_clusters(cli_ctx *ctx, const char *gold, const char *pred);
/* `newsdesk eval reuse GOLD` (cli_eval_reuse.c): scores the store's passages. */
int cli_eval_reuse(cli_ctx *ctx, const char *gold);

/* Prints a command's help on stdout and returns CLI_EXIT_OK. */
int cli_print_help(const cli_command *cmd);

#endif
