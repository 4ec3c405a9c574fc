/* mkdtemp, popen: POSIX, hidden by -std=c17 without it. */
#define _POSIX_C_SOURCE 200809L

#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

const char *t_corpus(void)
{
    static char buf[4096];
    const char *env = getenv("ND_CORPUS");
    const char *dir = env && *env ? env : ND_CORPUS_DIR;
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return NULL;
    snprintf(buf, sizeof buf, "%s", dir);
    return buf;
}

const char *t_corpus_path(const char *rel)
{
    static char buf[4096];
    const char *c = t_corpus();
    if (!c)
        fail_msg("gold corpus not found (set ND_CORPUS)");
    int n = snprintf(buf, sizeof buf, "%s/%s", c, rel);
    if (n < 0 || (size_t)n >= sizeof buf)
        fail_msg("corpus path too long: %s/%s", c, rel);
    return buf;
}

char *t_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n)
        fail_msg("cannot read %s", path);
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = (size_t)n;
    return buf;
}

void t_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        fail_msg("cannot create %s", path);
    if (len && fwrite(data, 1, len, f) != len)
        fail_msg("cannot write %s", path);
    fclose(f);
}

const char *t_tmpdir(void)
{
    static char buf[256];
    const char *base = getenv("TMPDIR");
    snprintf(buf, sizeof buf, "%s/ndtest.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(buf))
        fail_msg("mkdtemp failed");
    return buf;
}

void t_rmtree(const char *path)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system(cmd) != 0)
        fail_msg("cannot remove %s", path);
}

char *t_run(const char *cmd, int *status)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        fail_msg("popen failed: %s", cmd);
    size_t cap = 4096, len = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    size_t n;
    while ((n = fread(out + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 2) {
            cap *= 2;
            out = realloc(out, cap);
            assert_non_null(out);
        }
    }
    out[len] = '\0';
    int st = pclose(p);
    if (status)
        *status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    return out;
}

static char scratch[256];

int t_dir_setup(void **state)
{
    (void)state;
    snprintf(scratch, sizeof scratch, "%s", t_tmpdir());
    return 0;
}

int t_dir_teardown(void **state)
{
    (void)state;
    t_rmtree(scratch);
    scratch[0] = '\0';
    return 0;
}

const char *t_dir(void)
{
    return scratch;
}

const char *t_path(const char *name)
{
    static char buf[2][512];
    static int k;
    k ^= 1;
    snprintf(buf[k], sizeof buf[k], "%s/%s", scratch, name);
    return buf[k];
}
