/*
 * newsdesk: the command-line tool. main() reads the options shared by all commands, finds
 * the command and runs it; each command lives in its own cli_<name>.c.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char general_help[] =
    "Usage: newsdesk [--db PATH] [--format text|json|tsv] COMMAND [OPTIONS] [ARGS]\n"
    "\n"
    "Reads news articles into a store (one SQLite file) and shows what was found in them.\n"
    "\n"
    "Commands:\n"
    "  add PATH...|-     read articles from files, folders, JSON Lines or standard input\n"
    "  ls                list the stored articles\n"
    "  show ID           show one article: metadata, layout, paragraphs and sentences\n"
    "  stats             counts and sizes of the store\n"
    "  reuse [ID]        copied and reworded passages between articles, and their origin\n"
    "  stories           the active stories, largest first\n"
    "  story ID          one story: its events and their articles\n"
    "  export clusters   every article with its story and event (TSV)\n"
    "  eval sentences    score the sentence splitter against gold sentence boundaries\n"
    "  eval clusters     score the stories and events against gold labels\n"
    "  eval reuse GOLD   score the reused passages against a reuse gold file\n"
    "  help [COMMAND]    show this help, or the help of a command\n"
    "\n"
    "Options, accepted before or after the command:\n"
    "  --db PATH            the store (default: $NEWSDESK_DB, else ./newsdesk.db)\n"
    "  --format FORMAT      text (the default), json or tsv\n"
    "  --busy-timeout MS    how long to wait for another writer (default 5000)\n"
    "  -h, --help           show help; 'newsdesk COMMAND --help' for a command\n"
    "  --version            show the version\n"
    "\n"
    "Exit status:\n"
    "  0    success\n"
    "  1    some articles were rejected; the others were stored\n"
    "  2    usage error; nothing was done\n"
    "  3    store error: busy, not a store, newer schema, disk full, out of memory\n"
    "  4    a file could not be read or written (missing input path, unreadable file)\n"
    "  5    not found: no article with that id\n"
    "  130  interrupted; articles added before the interruption stay stored\n"
    "\n"
    "Environment: NEWSDESK_DB (the store), ND_CORPUS (gold data for eval).\n"
    "See newsdesk(1) for the details.\n";

static const cli_command *const commands[] = {&cli_add,   &cli_ls,   &cli_show,
                                              &cli_stats, &cli_eval, &cli_reuse,
                                              &cli_stories, &cli_story, &cli_export};

static const cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    return NULL;
}

int cli_print_help(const cli_command *cmd)
{
    fputs(cmd->help, stdout);
    return CLI_EXIT_OK;
}

/* `newsdesk help [COMMAND]`. */
static int run_help(cli_ctx *ctx, int argc, char **argv)
{
    if (argc == 0) {
        fputs(general_help, stdout);
        return CLI_EXIT_OK;
    }
    const cli_command *cmd = find_command(argv[0]);
    if (!cmd || argc > 1)
        return cli_usage(ctx, "unknown command '%s'", argv[argc > 1 ? 1 : 0]);
    return cli_print_help(cmd);
}

enum { OPT_VERSION = 1 };

int main(int argc, char **argv)
{
    static const cli_opt opts[] = {
        {"version", 0, 0, OPT_VERSION},
        {NULL, 0, 0, 0},
    };
    cli_ctx ctx = {0};
    const char *env = getenv("NEWSDESK_DB");
    ctx.db = env && *env ? env : "newsdesk.db";

    cli_parser p;
    cli_parser_init(&p, &ctx, argc - 1, argv + 1);
    const char *name = NULL;
    while (!name) {
        const char *arg;
        switch (cli_next(&p, opts, &arg)) {
        case CLI_END: return cli_usage(&ctx, "no command given");
        case CLI_HELP: fputs(general_help, stdout); return CLI_EXIT_OK;
        case OPT_VERSION:
            printf("newsdesk %s (store schema %d)\n", ND_VERSION, nd_store_schema_version());
            return CLI_EXIT_OK;
        case CLI_POS: name = arg; break;
        default: return CLI_EXIT_USAGE;
        }
    }

    int rest = p.argc - p.i;
    char **rest_argv = p.argv + p.i;
    int rc;
    if (strcmp(name, "help") == 0) {
        ctx.cmd = NULL;
        rc = run_help(&ctx, rest, rest_argv);
    } else {
        const cli_command *cmd = find_command(name);
        if (!cmd)
            return cli_usage(&ctx, "unknown command '%s'", name);
        ctx.cmd = cmd->name;
        rc = cmd->run(&ctx, rest, rest_argv);
    }

    /* Output that could not be written (a full disk behind a redirection) must not pass
     * for success. */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_err("cannot write the output: %s", strerror(errno));
        if (rc == CLI_EXIT_OK || rc == CLI_EXIT_REJECTED)
            rc = CLI_EXIT_INPUT;
    }
    return rc;
}
