/*
 * Throughput of the text layer: UTF-8 check, normalisation (ND_NORM_ALL), tokens and sentence
 * splitting over every ECB+ article file, held in memory.
 *
 *   bench_text [ARTICLES_DIR] [PASSES]
 *
 * ARTICLES_DIR defaults to ../shared/corpus/ecbplus/articles, PASSES to 20. Prints the MB/s of
 * each of five runs (each run is PASSES passes over all files) and their median, for the whole
 * pipeline and for each stage alone. Time is the CPU time of the benchmark thread, so the
 * figure is per core and other load on the machine does not lower it.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "text/text.h"

#define RUNS 5

typedef struct doc {
    char *text;
    size_t len;
} doc;

/* CPU seconds used by this thread. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Reads every *.txt file of `dir`. */
static int load(const char *dir, doc **out, size_t *n, size_t *bytes)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    size_t cap = 1024;
    doc *docs = malloc(cap * sizeof *docs);
    *n = *bytes = 0;
    struct dirent *e;
    while (docs && (e = readdir(d)) != NULL) {
        size_t nl = strlen(e->d_name);
        if (nl < 5 || strcmp(e->d_name + nl - 4, ".txt") != 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        fseek(f, 0, SEEK_END);
        long sz = ftell(f);
        fseek(f, 0, SEEK_SET);
        char *t = sz >= 0 ? malloc((size_t)sz + 1) : NULL;
        if (t && fread(t, 1, (size_t)sz, f) == (size_t)sz) {
            if (*n == cap) {
                cap *= 2;
                doc *nd = realloc(docs, cap * sizeof *docs);
                if (!nd) {
                    free(t);
                    fclose(f);
                    break;
                }
                docs = nd;
            }
            t[sz] = '\0';
            docs[*n].text = t;
            docs[*n].len = (size_t)sz;
            (*n)++;
            *bytes += (size_t)sz;
        } else {
            free(t);
        }
        fclose(f);
    }
    closedir(d);
    *out = docs;
    return docs ? 0 : -1;
}

enum { ST_ALL, ST_UTF8, ST_NORM, ST_TOKENS, ST_SPLIT, ST_COUNT };
static const char *const stage_names[ST_COUNT] = {
    "all stages", "utf8 check", "normalize", "tokenize", "sentences",
};

/* One run: `passes` passes of the stage over all documents. Returns seconds, or -1. */
static double run(int stage, const doc *docs, size_t n, int passes, nd_norm *norm, nd_tokens *toks,
                  nd_ranges *ranges, size_t *sink)
{
    double t0 = now();
    for (int p = 0; p < passes; p++) {
        for (size_t i = 0; i < n; i++) {
            const doc *d = &docs[i];
            if (stage == ST_ALL || stage == ST_UTF8)
                *sink += nd_utf8_check(d->text, d->len, NULL);
            if (stage == ST_ALL || stage == ST_NORM || stage == ST_TOKENS) {
                if (nd_normalize(norm, d->text, d->len, ND_NORM_ALL) != ND_OK)
                    return -1;
            }
            if (stage == ST_ALL || stage == ST_TOKENS) {
                toks->n = 0;
                if (nd_tokenize(toks, norm) != ND_OK)
                    return -1;
                *sink += toks->n;
            }
            if (stage == ST_ALL || stage == ST_SPLIT) {
                ranges->n = 0;
                if (nd_sentences_split(ranges, d->text, d->len) != ND_OK)
                    return -1;
                *sink += ranges->n;
            }
        }
    }
    return now() - t0;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "../shared/corpus/ecbplus/articles";
    int passes = argc > 2 ? atoi(argv[2]) : 20;
    if (passes <= 0)
        passes = 20;
    doc *docs = NULL;
    size_t n = 0, bytes = 0;
    if (load(dir, &docs, &n, &bytes) != 0 || n == 0) {
        fprintf(stderr, "bench_text: no .txt files in %s\n", dir);
        free(docs);
        return 1;
    }
    printf("bench_text: %zu files, %.2f MB, %d passes per run, %d runs\n", n, (double)bytes / 1e6,
           passes, RUNS);

    nd_norm norm = {0};
    nd_tokens toks = {0};
    nd_ranges ranges = {0};
    size_t sink = 0;
    int rc = 0;
    for (int stage = 0; stage < ST_COUNT && rc == 0; stage++) {
        double mbs[RUNS];
        printf("%-11s", stage_names[stage]);
        for (int r = 0; r < RUNS; r++) {
            double s = run(stage, docs, n, passes, &norm, &toks, &ranges, &sink);
            if (s < 0) {
                fprintf(stderr, "bench_text: a text function failed\n");
                rc = 1;
                break;
            }
            mbs[r] = (double)bytes * passes / 1e6 / s;
            printf(" %8.1f", mbs[r]);
        }
        if (rc)
            break;
        qsort(mbs, RUNS, sizeof mbs[0], cmp_double);
        printf("   median %8.1f MB/s%s\n", mbs[RUNS / 2],
               stage == ST_TOKENS ? " (normalize + tokenize)" : "");
    }
    nd_norm_free(&norm);
    nd_tokens_free(&toks);
    nd_ranges_free(&ranges);
    for (size_t i = 0; i < n; i++)
        free(docs[i].text);
    free(docs);
    return rc || sink == 0;
}
