/*
 * Scoring the sentence splitter against gold sentence spans (ECB+ `sentences.tsv` format).
 *
 * Each gold article is read exactly as a user's file would be: parsed by the plain-text reader,
 * then every layout block is split on its own. Boundaries are compared by end offset (a
 * sentence end found at the gold byte), spans by start and end together. Both lists are in
 * text order, so one merge per article counts the matches.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval.h"
#include "newsdesk.h"
#include "text/text.h"
#include "util/alloc.h"
#include "util/errf.h"

/* Limits on the gold data: a TSV larger than this is not a gold file. */
#define GOLD_MAX_BYTES ((size_t)256 << 20)
#define ID_MAX 200

/* A gold or found sentence in raw offsets. */
typedef struct span2 {
    size_t start, end;
} span2;

typedef struct spans {
    span2 *v;
    size_t n, cap;
} spans;

static nd_status spans_push(spans *s, size_t start, size_t end)
{
    span2 *v = nd_grow(s->v, &s->cap, s->n, sizeof *v, 64);
    if (!v)
        return ND_ERR_NOMEM;
    s->v = v;
    s->v[s->n].start = start;
    s->v[s->n].end = end;
    s->n++;
    return ND_OK;
}

/* Reads a whole file into a NUL-terminated nd_malloc'd buffer of at most `cap` bytes. */
static nd_status read_file(char **out, size_t *len, const char *path, size_t cap)
{
    *out = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return ND_ERR_IO;
    nd_buf b;
    nd_buf_init(&b, cap);
    nd_status st = ND_OK;
    char chunk[65536];
    for (;;) {
        size_t n = fread(chunk, 1, sizeof chunk, f);
        if (n > 0 && (st = nd_buf_append(&b, chunk, n)) != ND_OK)
            break;
        if (n < sizeof chunk) {
            if (ferror(f))
                st = ND_ERR_IO;
            break;
        }
    }
    fclose(f);
    if (st == ND_OK && !b.data)
        st = nd_buf_reserve(&b, 0);
    if (st != ND_OK) {
        nd_buf_free(&b);
        return st;
    }
    *out = b.data;
    *len = b.len;
    return ND_OK;
}

/*
 * Reads one article, splits all its blocks and adds the comparison with `gold` (the article's
 * gold spans in order) to `ev`. `line` is the TSV line of the article's first row, for
 * messages.
 */
static nd_status score_article(nd_sentence_eval *ev, const spans *gold, const char *id,
                               const char *dir, const char *tsv, size_t line, spans *found,
                               nd_ranges *ranges, char *errbuf, size_t errlen)
{
    char path[4096];
    int pn = snprintf(path, sizeof path, "%s/%s.txt", dir, id);
    if (pn < 0 || (size_t)pn >= sizeof path) {
        nd_errf(errbuf, errlen, "%s:%zu: article path too long", tsv, line);
        return ND_ERR_ARG;
    }
    char *buf;
    size_t len;
    nd_status st = read_file(&buf, &len, path, ND_DEFAULT_MAX_ARTICLE_BYTES);
    if (st != ND_OK) {
        if (st == ND_ERR_IO)
            nd_errf(errbuf, errlen, "%s:%zu: cannot read %s: %s", tsv, line, path, strerror(errno));
        else
            nd_errf(errbuf, errlen, "%s:%zu: %s: %s", tsv, line, path, nd_status_str(st));
        return st;
    }
    nd_article *a = NULL;
    char perr[512] = "";
    st = nd_article_parse_text(&a, buf, len, id, path, NULL, perr, sizeof perr);
    if (st != ND_OK) {
        nd_errf(errbuf, errlen, "%s:%zu: %s: %s", tsv, line, path, *perr ? perr : nd_status_str(st));
        nd_free(buf);
        return st;
    }
    size_t raw_len;
    const char *raw = nd_article_raw(a, &raw_len);
    found->n = 0;
    size_t nblocks = nd_article_count(a, ND_PART_BLOCK);
    for (size_t b = 0; b < nblocks && st == ND_OK; b++) {
        nd_span sp;
        if ((st = nd_article_span(&sp, a, ND_PART_BLOCK, b)) != ND_OK)
            break;
        if (sp.raw_end > raw_len || sp.raw_start > sp.raw_end) {
            nd_errf(errbuf, errlen, "%s: block %zu out of range", path, b);
            st = ND_ERR_INPUT;
            break;
        }
        ranges->n = 0;
        st = nd_sentences_split(ranges, raw + sp.raw_start, sp.raw_end - sp.raw_start);
        for (size_t k = 0; k < ranges->n && st == ND_OK; k++)
            st = spans_push(found, sp.raw_start + ranges->v[k].start,
                            sp.raw_start + ranges->v[k].end);
    }
    nd_article_free(a);
    nd_free(buf);
    if (st != ND_OK) {
        if (errbuf && !*errbuf)
            nd_errf(errbuf, errlen, "%s:%zu: %s: %s", tsv, line, path, nd_status_str(st));
        return st;
    }

    /* Both lists are in text order and neither has two sentences ending at one offset. */
    size_t i = 0, j = 0;
    int64_t tp = 0, exact = 0;
    while (i < gold->n && j < found->n) {
        const span2 *g = &gold->v[i], *f = &found->v[j];
        if (g->end == f->end) {
            tp++;
            exact += g->start == f->start;
            i++;
            j++;
        } else if (g->end < f->end) {
            i++;
        } else {
            j++;
        }
    }
    ev->articles++;
    ev->gold_sentences += (int64_t)gold->n;
    ev->found_sentences += (int64_t)found->n;
    ev->boundaries.tp += tp;
    ev->boundaries.fp += (int64_t)found->n - tp;
    ev->boundaries.fn += (int64_t)gold->n - tp;
    ev->exact.tp += exact;
    ev->exact.fp += (int64_t)found->n - exact;
    ev->exact.fn += (int64_t)gold->n - exact;
    return ND_OK;
}

/*
 * Walks the gold TSV line by line. Rows of one article must be consecutive and in order (as
 * ECB+ writes them); each run of rows is scored when the next article starts.
 */
nd_status nd_eval_sentences(nd_sentence_eval *out, const char *gold_tsv, const char *articles_dir,
                            char *errbuf, size_t errlen)
{
    if (errbuf && errlen)
        errbuf[0] = '\0';
    if (!out || !gold_tsv || !articles_dir) {
        nd_errf(errbuf, errlen, "nd_eval_sentences: missing argument");
        return ND_ERR_ARG;
    }
    memset(out, 0, sizeof *out);
    char *tsv;
    size_t len;
    nd_status st = read_file(&tsv, &len, gold_tsv, GOLD_MAX_BYTES);
    if (st != ND_OK) {
        if (st == ND_ERR_IO)
            nd_errf(errbuf, errlen, "cannot read %s: %s", gold_tsv, strerror(errno));
        else
            nd_errf(errbuf, errlen, "%s: %s", gold_tsv, nd_status_str(st));
        return st;
    }
    spans gold = {0}, found = {0};
    nd_ranges ranges = {0};
    char cur[ID_MAX + 1] = "";
    size_t cur_line = 0, lineno = 0, pos = 0, prev_end = 0;
    while (pos < len && st == ND_OK) {
        const char *ln = tsv + pos;
        const char *nl = memchr(ln, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - ln) : len - pos;
        pos += n + (nl ? 1 : 0);
        lineno++;
        if (n > 0 && ln[n - 1] == '\r')
            n--;
        if (lineno == 1) {
            if (n < 17 || memcmp(ln, "article\tstart\tend", 17) != 0) {
                nd_errf(errbuf, errlen, "%s:1: expected the header 'article<TAB>start<TAB>end'",
                       gold_tsv);
                st = ND_ERR_INPUT;
            }
            continue;
        }
        if (n == 0)
            continue;
        const char *t1 = memchr(ln, '\t', n);
        const char *t2 = t1 ? memchr(t1 + 1, '\t', n - (size_t)(t1 + 1 - ln)) : NULL;
        size_t idlen = t1 ? (size_t)(t1 - ln) : 0;
        size_t start, end;
        if (!t2 || idlen == 0 || !nd_eval_parse_size(t1 + 1, (size_t)(t2 - t1 - 1), &start) ||
            !nd_eval_parse_size(t2 + 1, n - (size_t)(t2 + 1 - ln), &end) || end < start) {
            nd_errf(errbuf, errlen, "%s:%zu: expected 'article<TAB>start<TAB>end'", gold_tsv,
                   lineno);
            st = ND_ERR_INPUT;
            break;
        }
        /* The id names a file in articles_dir: no path separators, no dot files. */
        if (idlen > ID_MAX || memchr(ln, '/', idlen) || memchr(ln, '\\', idlen) || ln[0] == '.') {
            nd_errf(errbuf, errlen, "%s:%zu: bad article id", gold_tsv, lineno);
            st = ND_ERR_INPUT;
            break;
        }
        if (strlen(cur) != idlen || memcmp(cur, ln, idlen) != 0) {
            if (*cur)
                st = score_article(out, &gold, cur, articles_dir, gold_tsv, cur_line, &found,
                                   &ranges, errbuf, errlen);
            memcpy(cur, ln, idlen);
            cur[idlen] = '\0';
            cur_line = lineno;
            gold.n = 0;
            prev_end = 0;
        }
        if (st != ND_OK)
            break;
        if (start < prev_end) {
            nd_errf(errbuf, errlen, "%s:%zu: spans of %s overlap or are out of order", gold_tsv,
                   lineno, cur);
            st = ND_ERR_INPUT;
            break;
        }
        prev_end = end;
        st = spans_push(&gold, start, end);
    }
    if (st == ND_OK && *cur)
        st = score_article(out, &gold, cur, articles_dir, gold_tsv, cur_line, &found, &ranges,
                           errbuf, errlen);
    if (st == ND_OK && lineno == 0) {
        nd_errf(errbuf, errlen, "%s: empty file", gold_tsv);
        st = ND_ERR_INPUT;
    }
    nd_free(gold.v);
    nd_free(found.v);
    nd_ranges_free(&ranges);
    nd_free(tsv);
    nd_eval_prf_finish(&out->boundaries);
    nd_eval_prf_finish(&out->exact);
    if (st != ND_OK && errbuf && !*errbuf)
        nd_errf(errbuf, errlen, "%s: %s", gold_tsv, nd_status_str(st));
    return st;
}
