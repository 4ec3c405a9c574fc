/*
 * bench_reuse: `newsdesk add --timings` with the clustering stage left out, so that the
 * reuse stage can be measured at a million articles in minutes.
 *
 *   bench_reuse STORE STREAM.jsonl
 *
 * Reads the stream with the library's reader and adds it to STORE in transactions of 1,000
 * articles, as `newsdesk add` does, then prints the same line as `add --timings` on stderr.
 * The store times each stage on its own (CPU seconds inside nd_reuse_on_add), so reuse_s
 * means the same here as under `newsdesk add`; only the wall time and cluster_s differ.
 *
 * The three functions of the clustering stage are defined here as no-ops. A program's own
 * definitions win over a static library's, and nothing else pulls the stage's objects in, so
 * the store links against these. This is for benchmarks only.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cluster/cluster.h"
#include "newsdesk.h"
#include "reuse/reuse.h"

nd_status nd_cluster_on_add(nd_cluster_state **state, nd_store *st, int64_t rowid,
                            const nd_article *a)
{
    (void)state, (void)st, (void)rowid, (void)a;
    return ND_OK;
}

void nd_cluster_state_free(nd_cluster_state *s)
{
    (void)s;
}

size_t nd_cluster_state_bytes(const nd_cluster_state *s)
{
    (void)s;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fputs("usage: bench_reuse STORE STREAM.jsonl\n", stderr);
        return 2;
    }
    nd_reuse_profile_enable(1);
    nd_store *st = NULL;
    nd_status s = nd_store_open(&st, argv[1], NULL);
    if (s != ND_OK) {
        fprintf(stderr, "bench_reuse: %s: %s\n", argv[1], st ? nd_store_errmsg(st) : "");
        nd_store_close(st);
        return 1;
    }
    nd_reader *r = NULL;
    if (nd_reader_new(&r, NULL) != ND_OK || nd_reader_add_path(r, argv[2]) != ND_OK) {
        fprintf(stderr, "bench_reuse: cannot read %s\n", argv[2]);
        return 1;
    }
    long added = 0, failed = 0;
    int open = 0;
    for (;;) {
        nd_article *a = NULL;
        s = nd_reader_next(r, &a);
        if (s == ND_DONE)
            break;
        if (s != ND_OK) {
            failed++;
            continue;
        }
        if (!open && nd_store_begin(st) == ND_OK)
            open = 1;
        s = nd_store_add(st, a);
        nd_article_free(a);
        if (ND_FAILED(s)) {
            fprintf(stderr, "bench_reuse: %s\n", nd_store_errmsg(st));
            failed++;
        } else {
            added++;
        }
        if (open && added % 1000 == 0) {
            if (nd_store_commit(st) != ND_OK) {
                fprintf(stderr, "bench_reuse: commit: %s\n", nd_store_errmsg(st));
                return 1;
            }
            open = 0;
        }
    }
    if (open && nd_store_commit(st) != ND_OK) {
        fprintf(stderr, "bench_reuse: commit: %s\n", nd_store_errmsg(st));
        return 1;
    }
    nd_timings t;
    nd_store_timings(st, &t);
    fprintf(stderr,
            "timings articles=%lld insert_s=%.3f reuse_s=%.3f cluster_s=%.3f commit_s=%.3f "
            "reuse_bytes=%zu cluster_bytes=%zu\n",
            (long long)t.articles, t.insert_s, t.reuse_s, t.cluster_s, t.commit_s, t.reuse_bytes,
            t.cluster_bytes);
    /* The stage's own split (docs/reuse.md): the target counts signature, candidates
     * and verification; alignment, restatements and writing rows come on top. Phase times are
     * sampled (one article in ND_REUSE_PROF_EVERY), so they are given per timed article. */
    nd_reuse_prof p;
    nd_reuse_profile(&p);
    double per = p.timed ? 1e6 / (double)p.timed : 0;
    fprintf(stderr,
            "reuse_prof articles=%lld postings=%lld eligible=%lld sketched=%lld candidates=%lld "
            "verified=%lld sig_reads=%lld lsh_postings=%lld lsh_eligible=%lld "
            "verified_keys=%lld verified_both=%lld verified_lsh=%lld timed=%lld "
            "signature_us=%.2f candidates_us=%.2f "
            "align_us=%.2f restate_us=%.2f store_us=%.2f target_art_per_s=%.0f\n",
            (long long)p.articles, (long long)p.postings, (long long)p.eligible,
            (long long)p.sketched, (long long)p.candidates, (long long)p.verified,
            (long long)p.sig_reads, (long long)p.lsh_postings, (long long)p.lsh_eligible,
            (long long)p.verified_keys, (long long)p.verified_both, (long long)p.verified_lsh,
            (long long)p.timed, p.signature_s * per, p.candidates_s * per, p.align_s * per,
            p.restate_s * per, p.store_s * per,
            p.signature_s + p.candidates_s > 0 ? (double)p.timed / (p.signature_s + p.candidates_s)
                                               : 0.0);
    fprintf(stderr, "bench_reuse: added %ld, failed %ld\n", added, failed);
    nd_reader_free(r);
    nd_store_close(st);
    return failed ? 1 : 0;
}
