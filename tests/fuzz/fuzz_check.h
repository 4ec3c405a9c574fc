/*
 * Invariants of a parsed article, shared by the fuzz targets: everything an nd_article hands
 * out must be consistent with itself and with its raw text. A broken invariant aborts, which
 * is what a fuzzer (or the replay driver under a sanitizer) reports.
 */
#ifndef ND_FUZZ_CHECK_H
#define ND_FUZZ_CHECK_H

#include <stdlib.h>
#include <string.h>

#include "newsdesk.h"

#define FUZZ_REQUIRE(c)                                                                        \
    do {                                                                                       \
        if (!(c))                                                                              \
            abort();                                                                           \
    } while (0)

static void fuzz_check_article(const nd_article *a)
{
    size_t rl, bl;
    const char *raw = nd_article_raw(a, &rl);
    const char *body = nd_article_body(a, &bl);
    FUZZ_REQUIRE(raw && body && body[bl] == '\0');
    for (int f = 0; f < ND_FIELD_COUNT_; f++) {
        const char *v = nd_article_get(a, (nd_field)f);
        FUZZ_REQUIRE(!v || strlen(v) < ((size_t)1 << 30));
    }
    const char *date = nd_article_get(a, ND_FIELD_DATE);
    FUZZ_REQUIRE(!date || (strlen(date) >= 10 && strlen(date) <= 25 && date[4] == '-'));

    /* blocks: in order, inside raw, not empty; body blocks make up the body */
    size_t nb = nd_article_count(a, ND_PART_BLOCK), prev_end = 0, pos = 0, paras = 0;
    for (size_t i = 0; i < nb; i++) {
        nd_span s;
        FUZZ_REQUIRE(nd_article_span(&s, a, ND_PART_BLOCK, i) == ND_OK);
        FUZZ_REQUIRE((unsigned)s.kind < ND_BLOCK_KIND_COUNT_);
        FUZZ_REQUIRE(s.raw_start < s.raw_end && s.raw_end <= rl && s.raw_start >= prev_end);
        prev_end = s.raw_end;
        if (s.kind == ND_BLOCK_PARAGRAPH || s.kind == ND_BLOCK_CROSSHEAD) {
            if (paras++)
                pos += 2;
            FUZZ_REQUIRE(s.start == pos && s.end - s.start == s.raw_end - s.raw_start);
            FUZZ_REQUIRE(memcmp(body + s.start, raw + s.raw_start, s.end - s.start) == 0);
            pos = s.end;
        } else {
            FUZZ_REQUIRE(s.start == ND_NOPOS && s.end == ND_NOPOS);
        }
    }
    FUZZ_REQUIRE(pos == bl && paras == nd_article_count(a, ND_PART_PARAGRAPH) && paras > 0);
    nd_span bad;
    FUZZ_REQUIRE(nd_article_span(&bad, a, ND_PART_BLOCK, nb) == ND_ERR_ARG);

    /* sentences: in order, inside the body, mapped to the same bytes of raw */
    size_t ns = nd_article_count(a, ND_PART_SENTENCE), last = 0;
    for (size_t i = 0; i < ns; i++) {
        nd_span s;
        FUZZ_REQUIRE(nd_article_span(&s, a, ND_PART_SENTENCE, i) == ND_OK);
        FUZZ_REQUIRE(s.start <= s.end && s.end <= bl && s.start >= last);
        FUZZ_REQUIRE(s.raw_end <= rl && s.raw_end - s.raw_start == s.end - s.start);
        FUZZ_REQUIRE(memcmp(body + s.start, raw + s.raw_start, s.end - s.start) == 0);
        last = s.end;
    }
    const char *h = nd_article_hash(a);
    FUZZ_REQUIRE(h && strlen(h) == 32 && strspn(h, "0123456789abcdef") == 32);
}

/* nd_date_parse() on the first line of the input: it must not crash, and when it reads a
 * date, the output is ISO 8601 of a known length. */
static void fuzz_check_date(const char *s, size_t n)
{
    const char *nl = memchr(s, '\n', n);
    size_t len = nl ? (size_t)(nl - s) : n;
    char out[26];
    if (nd_date_parse(out, sizeof out, s, len) == ND_OK) {
        size_t k = strlen(out);
        FUZZ_REQUIRE(k == 10 || k == 16 || k == 17 || k == 19 || k == 20 || k == 22 ||
                     k == 25);
        FUZZ_REQUIRE(out[4] == '-' && out[7] == '-');
    }
}

#endif
