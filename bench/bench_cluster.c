/*
 * bench_cluster: the clustering model alone (no SQLite), per part, on a stream of articles.
 *
 *   bench_cluster STREAM.jsonl [N]
 *
 * Reads the stream with the library's reader in chunks of 1,000 articles and runs the three
 * parts of the clustering stage on each chunk in turn: extraction (nd_cx_extract), weighting
 * (nd_cx_weigh), and counting frequencies with assignment (nd_cx_df_count, nd_cx_assign). Each
 * part is timed over the whole chunk with the process CPU clock, so reading and parsing are
 * left out and the clock is read six times per chunk, not per article. Prints, on stdout,
 * one line: articles, µs per article for each part and in all, articles/s, the model's
 * bytes at the end, and stories opened. The stage (`newsdesk add --timings`, cluster_s)
 * adds persistence to this.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cluster/cluster.h"
#include "newsdesk.h"

#define CHUNK 1000

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_cluster STREAM.jsonl [N]\n");
        return 2;
    }
    long limit = argc > 2 ? atol(argv[2]) : -1;
    nd_reader *rd = NULL;
    nd_cx_model *m = NULL;
    nd_cx_extractor *x = NULL;
    if (nd_reader_new(&rd, NULL) != ND_OK || nd_reader_add_path(rd, argv[1]) != ND_OK ||
        nd_cx_model_new(&m, NULL) != ND_OK || nd_cx_extractor_new(&x) != ND_OK) {
        fprintf(stderr, "bench_cluster: cannot start on %s\n", argv[1]);
        return 1;
    }
    nd_article **chunk = calloc(CHUNK, sizeof *chunk);
    nd_cx_raw *raw = calloc(CHUNK, sizeof *raw);
    nd_cx_vec vec = {0};
    if (!chunk || !raw) {
        fprintf(stderr, "bench_cluster: out of memory\n");
        return 1;
    }
    double t_ex = 0, t_df = 0, t_as = 0;
    long n = 0, stories = 0;
    int done = 0;
    while (!done) {
        int k = 0;
        while (k < CHUNK && (limit < 0 || n + k < limit)) {
            nd_status s = nd_reader_next(rd, &chunk[k]);
            if (s == ND_OK) {
                k++;
                continue;
            }
            if (s == ND_DONE) {
                done = 1;
                break;
            }
            if (s != ND_SKIPPED)
                fprintf(stderr, "bench_cluster: %s\n", nd_reader_errmsg(rd));
        }
        if (k < CHUNK)
            done = 1;
        double t0 = cpu_seconds();
        for (int i = 0; i < k; i++)
            if (nd_cx_extract(x, chunk[i], &raw[i]) != ND_OK)
                return 1;
        double t1 = cpu_seconds();
        double tw = 0, ta = 0;
        for (int i = 0; i < k; i++) {
            nd_cx_result res;
            if (nd_cx_df_count(m, &raw[i]) != ND_OK || nd_cx_weigh(m, &raw[i], &vec) != ND_OK ||
                nd_cx_assign(m, &vec, n + i + 1, &res) != ND_OK) {
                fprintf(stderr, "bench_cluster: out of memory\n");
                return 1;
            }
            stories += res.new_story;
        }
        /* Weighing and assignment are interleaved per article; they are split by timing the
         * weighing alone once more on the same articles (it only reads the model). */
        double t2 = cpu_seconds();
        for (int i = 0; i < k; i++)
            if (nd_cx_weigh(m, &raw[i], &vec) != ND_OK)
                return 1;
        double t3 = cpu_seconds();
        tw = t3 - t2;
        ta = (t2 - t1) - tw;
        t_ex += t1 - t0;
        t_df += tw;
        t_as += ta;
        for (int i = 0; i < k; i++) {
            nd_article_free(chunk[i]);
            chunk[i] = NULL;
        }
        n += k;
    }
    double total = t_ex + t_df + t_as;
    printf("articles=%ld extract_us=%.1f weigh_us=%.1f count_assign_us=%.1f total_us=%.1f"
           " articles_per_s=%.0f model_bytes=%zu stories=%ld\n",
           n, 1e6 * t_ex / (double)n, 1e6 * t_df / (double)n, 1e6 * t_as / (double)n,
           1e6 * total / (double)n, (double)n / total, nd_cx_model_bytes(m), stories);
    for (int i = 0; i < CHUNK; i++)
        nd_cx_raw_free(&raw[i]);
    free(raw);
    free(chunk);
    nd_cx_vec_free(&vec);
    nd_cx_model_free(m);
    nd_cx_extractor_free(x);
    nd_reader_free(rd);
    return 0;
}
