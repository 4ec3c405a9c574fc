/* Crash safety: a child process adds articles (in batches and one by one) and is killed with
 * SIGKILL at random moments; after every kill the store must pass SQLite's integrity check and
 * every stored article must load and match what was added. */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "newsdesk.h"
#include "store_fixture.h"
#include "support.h"

enum { ROUNDS = 3, KILLS = 4, PER_CHILD = 100000 };

/* The id of the n-th article of child k, and back. */
static void child_id(char *buf, size_t len, int k, int n)
{
    snprintf(buf, len, "k%d-%d", k, n);
}

static uint64_t id_seed(const char *id)
{
    int k = 0, n = 0;
    assert_int_equal(sscanf(id, "k%d-%d", &k, &n), 2);
    return (uint64_t)k * 1000003u + (uint64_t)n;
}

/* The child: adds articles until killed, telling the parent after each commit through `fd`.
 * Never returns. */
static void child(const char *path, int k, int fd)
{
    nd_store *st = NULL;
    if (nd_store_open(&st, path, NULL) != ND_OK)
        _exit(2);
    char id[32];
    int n = 0;
    while (n < PER_CHILD) {
        /* Alternate batches of 1-40 articles with single additions. */
        int batch = (n / 7) % 2 ? 1 + n % 40 : 0;
        if (batch && nd_store_begin(st) != ND_OK)
            _exit(3);
        for (int i = 0; i < (batch ? batch : 1); i++, n++) {
            child_id(id, sizeof id, k, n);
            nd_article *a = fx_article(id, id_seed(id), 1 + n % 9);
            nd_status s = nd_store_add(st, a);
            nd_article_free(a);
            if (s != ND_OK)
                _exit(4);
        }
        if (batch && nd_store_commit(st) != ND_OK)
            _exit(5);
        if (write(fd, "+", 1) != 1)
            _exit(6);
    }
    nd_store_close(st);
    _exit(0);
}

typedef struct {
    nd_store *st;
    int64_t n;
} check_ctx;

/* Every listed article loads, and equals the article its id was made from. */
static int check_one(void *ctx, const nd_summary *s)
{
    check_ctx *c = ctx;
    nd_article *got = NULL;
    nd_status st = nd_store_get(c->st, &got, s->id);
    if (st != ND_OK)
        fail_msg("get %s: %s", s->id, nd_store_errmsg(c->st));
    nd_article *want =
        fx_article(s->id, id_seed(s->id), (int)(1 + (id_seed(s->id) % 1000003u) % 9));
    assert_string_equal(nd_article_hash(got), nd_article_hash(want));
    fx_same(want, got);
    nd_article_free(want);
    nd_article_free(got);
    c->n++;
    return 0;
}

static void test_kill_writer(void **state)
{
    (void)state;
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    srand(seed);
    print_message("seed %u\n", seed);
    for (int round = 0; round < ROUNDS; round++) {
        char dir[256], path[300];
        snprintf(dir, sizeof dir, "%s", t_tmpdir());
        snprintf(path, sizeof path, "%s/crash.db", dir);
        int64_t last = 0;
        for (int kill_no = 0; kill_no < KILLS; kill_no++) {
            int k = round * KILLS + kill_no;
            int fds[2];
            assert_int_equal(pipe(fds), 0);
            pid_t pid = fork();
            assert_true(pid >= 0);
            if (pid == 0) {
                close(fds[0]);
                child(path, k, fds[1]);
            }
            close(fds[1]);
            /* Wait for a first commit, then let it run a random while: the kill lands
             * anywhere, mostly inside a transaction. */
            char c;
            assert_int_equal(read(fds[0], &c, 1), 1);
            struct timespec ts = {0,
                                  (long)(rand() % 40) * 1000000L + (long)(rand() % 1000) * 1000L};
            nanosleep(&ts, NULL);
            kill(pid, SIGKILL);
            int status;
            assert_int_equal(waitpid(pid, &status, 0), pid);
            if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
                fail_msg("child ended by itself (status %d)", status);
            close(fds[0]);

            assert_true(fx_integrity_ok(path));
            nd_store *st = NULL;
            nd_status s = nd_store_open(&st, path, NULL);
            if (s != ND_OK)
                fail_msg("open after kill: %s", nd_store_errmsg(st));
            check_ctx cc = {.st = st};
            assert_int_equal(nd_store_list(st, check_one, &cc), ND_OK);
            nd_stats stats;
            assert_int_equal(nd_store_stats(st, &stats), ND_OK);
            assert_int_equal(stats.articles, cc.n);
            /* Each child committed at least once before it was killed. */
            assert_true(cc.n > last);
            print_message("round %d, kill %d: %lld articles intact\n", round, kill_no,
                          (long long)cc.n);
            last = cc.n;
            nd_store_close(st);
        }
        t_rmtree(dir);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_writer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
