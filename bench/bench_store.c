/*
 * Adding speed of the store: reads articles with the public reader (a JSON Lines file, a text
 * file or a folder), then adds COUNT copies of them, each under a new id, into a fresh store
 * in batches, as `newsdesk add` does.
 *
 *   bench_store [-n COUNT] [-b BATCH] [-s STORE] [-k] [INPUT]
 *
 * INPUT defaults to ../shared/corpus/ecbplus/articles.jsonl, COUNT to 50000, BATCH to 1000,
 * STORE to bench_store.db in the current folder (removed before each run and, unless -k, at
 * the end).
 * Prints articles/s and MB/s (of raw text) for each of five runs and their median, then how
 * fast the last store reads back: get by id, list and stats.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ingest/article.h" /* only to give the copies new ids */
#include "newsdesk.h"

#define RUNS 5

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void remove_store(const char *path)
{
    char p[4200];
    remove(path);
    snprintf(p, sizeof p, "%s-wal", path);
    remove(p);
    snprintf(p, sizeof p, "%s-shm", path);
    remove(p);
}

static int die(const char *what, const char *msg)
{
    fprintf(stderr, "bench_store: %s: %s\n", what, msg);
    return 1;
}

static int count_row(void *ctx, const nd_summary *s)
{
    (void)s;
    (*(long *)ctx)++;
    return 0;
}

int main(int argc, char **argv)
{
    long count = 50000, batch = 1000;
    const char *store_path = "bench_store.db";
    int opt, keep = 0;
    while ((opt = getopt(argc, argv, "n:b:s:k")) != -1) {
        switch (opt) {
        case 'n': count = atol(optarg); break;
        case 'b': batch = atol(optarg); break;
        case 's': store_path = optarg; break;
        case 'k': keep = 1; break;
        default:
            fprintf(stderr, "usage: bench_store [-n COUNT] [-b BATCH] [-s STORE] [-k] [INPUT]\n");
            return 2;
        }
    }
    const char *input = optind < argc ? argv[optind] : "../shared/corpus/ecbplus/articles.jsonl";
    if (count < 1 || batch < 1)
        return die("arguments", "COUNT and BATCH must be positive");

    nd_reader *r = NULL;
    if (nd_reader_new(&r, NULL) != ND_OK || nd_reader_add_path(r, input) != ND_OK)
        return die(input, r ? nd_reader_errmsg(r) : "out of memory");
    size_t n = 0, cap = 1024, raw_bytes = 0;
    nd_article **arts = malloc(cap * sizeof *arts);
    nd_article *a;
    nd_status st;
    while ((st = nd_reader_next(r, &a)) != ND_DONE) {
        if (st != ND_OK)
            continue;
        if (n == cap && !(arts = realloc(arts, (cap *= 2) * sizeof *arts)))
            return die("reading", "out of memory");
        size_t len;
        nd_article_raw(a, &len);
        raw_bytes += len;
        arts[n++] = a;
    }
    nd_reader_free(r);
    if (n == 0)
        return die(input, "no articles");
    printf("%zu articles read from %s, %zu bytes of raw text on average\n", n, input,
           raw_bytes / n);

    /* The copies share their text; only the id changes, so the ids are kept aside and put
     * back before freeing. */
    const char **orig_id = malloc(n * sizeof *orig_id);
    for (size_t i = 0; i < n; i++)
        orig_id[i] = arts[i]->field[ND_FIELD_ID];
    double rate[RUNS], mbs[RUNS];
    char id[64];
    nd_store *s = NULL;
    for (int run = 0; run < RUNS; run++) {
        remove_store(store_path);
        if (nd_store_open(&s, store_path, NULL) != ND_OK)
            return die(store_path, nd_store_errmsg(s));
        double bytes = 0, t0 = now();
        for (long k = 0; k < count; k++) {
            if (k % batch == 0 && nd_store_begin(s) != ND_OK)
                return die("begin", nd_store_errmsg(s));
            a = arts[(size_t)k % n];
            snprintf(id, sizeof id, "%s~%ld", orig_id[(size_t)k % n], k);
            a->field[ND_FIELD_ID] = id;
            st = nd_store_add(s, a);
            if (st != ND_OK)
                return die("add", nd_store_errmsg(s));
            bytes += (double)a->raw_len;
            if ((k % batch == batch - 1 || k == count - 1) && nd_store_commit(s) != ND_OK)
                return die("commit", nd_store_errmsg(s));
        }
        double t = now() - t0;
        rate[run] = (double)count / t;
        mbs[run] = bytes / t / 1e6;
        printf("run %d: %ld articles in %.3f s: %.0f articles/s, %.1f MB/s\n", run + 1, count, t,
               rate[run], mbs[run]);
        if (run < RUNS - 1)
            nd_store_close(s);
    }
    qsort(rate, RUNS, sizeof *rate, cmp_double);
    qsort(mbs, RUNS, sizeof *mbs, cmp_double);
    printf("median: %.0f articles/s, %.1f MB/s (batches of %ld)\n", rate[RUNS / 2], mbs[RUNS / 2],
           batch);

    /* Reading back from the last store. */
    nd_stats stats;
    double t0 = now();
    long gets = count < 20000 ? count : 20000;
    for (long k = 0; k < gets; k++) {
        long j = (long)(((unsigned long)k * 7919u) % (unsigned long)count);
        snprintf(id, sizeof id, "%s~%ld", orig_id[(size_t)j % n], j);
        nd_article *got = NULL;
        if (nd_store_get(s, &got, id) != ND_OK)
            return die("get", nd_store_errmsg(s));
        nd_article_free(got);
    }
    double tg = now() - t0;
    long rows = 0;
    t0 = now();
    if (nd_store_list(s, count_row, &rows) != ND_OK)
        return die("list", nd_store_errmsg(s));
    double tl = now() - t0;
    t0 = now();
    if (nd_store_stats(s, &stats) != ND_OK)
        return die("stats", nd_store_errmsg(s));
    double ts = now() - t0;
    printf("get: %.0f articles/s; list: %.0f rows/s; stats: %.3f s; store %.1f MB for %.1f MB "
           "of raw text\n",
           (double)gets / tg, (double)rows / tl, ts, (double)stats.file_bytes / 1e6,
           (double)stats.raw_bytes / 1e6);
    nd_store_close(s);
    if (!keep)
        remove_store(store_path);

    for (size_t i = 0; i < n; i++) {
        arts[i]->field[ND_FIELD_ID] = orig_id[i];
        nd_article_free(arts[i]);
    }
    free(orig_id);
    free(arts);
    return 0;
}
