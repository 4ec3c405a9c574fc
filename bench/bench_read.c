/*
 * bench_read: the reader alone, as the baseline for `newsdesk add` in bench/run.sh.
 *
 *   bench_read INPUT...
 *
 * Reads every article of the inputs with the public reader (layout, sentences, hash: all of
 * `add` except the store) and prints articles, seconds and articles/s on one line.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <time.h>

#include "newsdesk.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_read INPUT...\n");
        return 2;
    }
    nd_reader *r = NULL;
    if (nd_reader_new(&r, NULL) != ND_OK)
        return 1;
    for (int i = 1; i < argc; i++)
        if (nd_reader_add_path(r, argv[i]) != ND_OK) {
            fprintf(stderr, "bench_read: %s\n", nd_reader_errmsg(r));
            return 1;
        }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long n = 0, bad = 0;
    for (;;) {
        nd_article *a = NULL;
        nd_status st = nd_reader_next(r, &a);
        if (st == ND_DONE)
            break;
        if (st == ND_OK) {
            n++;
            nd_article_free(a);
        } else if (st == ND_ERR_NOMEM) {
            fprintf(stderr, "bench_read: out of memory\n");
            return 1;
        } else if (st != ND_SKIPPED) {
            bad++;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("%ld %.3f %.0f %ld\n", n, s, s > 0 ? (double)n / s : 0.0, bad);
    nd_reader_free(r);
    return 0;
}
