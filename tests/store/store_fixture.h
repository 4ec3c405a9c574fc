/*
 * Made-up articles for the store tests: deterministic for a seed, built with
 * nd_article_assemble() from sentences written for these tests (no corpus text), with a
 * headline, body paragraphs, sometimes a crosshead, a caption and a boilerplate line, so that
 * every kind of span goes through the store. Include after <cmocka.h>.
 */
#ifndef ND_TESTS_STORE_FIXTURE_H
#define ND_TESTS_STORE_FIXTURE_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ingest/article.h"

static const char *const fx_subj[] = {
    "The harbour authority",
    "A spokesperson for the mayor",
    "Local farmers",
    "The regional court",
    "Two engineers from the water board",
    "The bakery on Elm Street",
    "Volunteers from the rowing club",
    "The new science museum",
    "Dr. Ines Vale",
    "The committee",
};
static const char *const fx_verb[] = {
    "announced", "postponed",  "criticised", "welcomed", "reviewed",
    "rejected",  "celebrated", "questioned", "defended", "explained",
};
static const char *const fx_obj[] = {
    "a plan to widen the old canal",     "the late delivery of twelve buses",
    "the price of winter wheat",         "a proposal for a night market",
    "the budget for street lighting",    "an unusual request from the U.S. embassy",
    "the results of the spring survey",  "repairs to the eastern pier",
    "a 3.5 percent rise in ferry fares", "the closure of the café on Rue Émile",
};
static const char *const fx_when[] = {
    "on Tuesday",         "last week",           "after a long meeting", "in a short statement",
    "before the holiday", "at 9 a.m. on Friday", "despite the rain",     "earlier this month",
};
static const char *const fx_outlets[] = {"Harbour Gazette", "northbridge.example",
                                         "The Daily Wren"};

#define FX_N(a) (sizeof(a) / sizeof *(a))

static inline uint64_t fx_rand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dULL;
}

#define FX_PICK(s, a) ((a)[fx_rand(s) % FX_N(a)])

/* Appends a made-up sentence to buf at *len. */
static inline void fx_sentence(char *buf, size_t cap, size_t *len, uint64_t *s)
{
    int n;
    if (fx_rand(s) % 5 == 0)
        n = snprintf(buf + *len, cap - *len, "\"We did not expect %s,\" said %s %s.",
                     FX_PICK(s, fx_obj), FX_PICK(s, fx_subj), FX_PICK(s, fx_when));
    else
        n = snprintf(buf + *len, cap - *len, "%s %s %s %s.", FX_PICK(s, fx_subj),
                     FX_PICK(s, fx_verb), FX_PICK(s, fx_obj), FX_PICK(s, fx_when));
    assert_true(n > 0 && (size_t)n < cap - *len);
    *len += (size_t)n;
}

/* Builds article `id` from `seed` with `nparas` body paragraphs of 1-4 sentences. The article
 * is the caller's. */
static inline nd_article *fx_article(const char *id, uint64_t seed, int nparas)
{
    static char raw[1 << 17];
    nd_span blocks[128];
    size_t nb = 0, len = 0;
    uint64_t s = seed * 0x9e3779b97f4a7c15ULL + 1;
    assert_true(nparas < 100);

    size_t b0 = len;
    len += (size_t)snprintf(raw + len, sizeof raw - len, "%s %s %s", FX_PICK(&s, fx_subj),
                            FX_PICK(&s, fx_verb), FX_PICK(&s, fx_obj));
    blocks[nb++] = (nd_span){.raw_start = b0, .raw_end = len, .kind = ND_BLOCK_HEADLINE};
    char headline[512];
    snprintf(headline, sizeof headline, "%.*s", (int)(len - b0), raw + b0);
    for (int p = 0; p < nparas; p++) {
        raw[len++] = '\n';
        raw[len++] = '\n';
        b0 = len;
        nd_block_kind kind = ND_BLOCK_PARAGRAPH;
        if (p > 0 && fx_rand(&s) % 6 == 0) {
            len +=
                (size_t)snprintf(raw + len, sizeof raw - len, "What %s said", FX_PICK(&s, fx_subj));
            kind = ND_BLOCK_CROSSHEAD;
        } else if (p > 0 && fx_rand(&s) % 9 == 0) {
            len += (size_t)snprintf(raw + len, sizeof raw - len, "Photo: %s at the pier.",
                                    FX_PICK(&s, fx_subj));
            kind = ND_BLOCK_CAPTION;
        } else {
            int k = 1 + (int)(fx_rand(&s) % 4);
            for (int i = 0; i < k; i++) {
                if (i)
                    raw[len++] = ' ';
                fx_sentence(raw, sizeof raw, &len, &s);
            }
        }
        blocks[nb++] = (nd_span){.raw_start = b0, .raw_end = len, .kind = kind};
    }
    if (seed % 3 == 0) {
        raw[len++] = '\n';
        raw[len++] = '\n';
        b0 = len;
        len += (size_t)snprintf(raw + len, sizeof raw - len, "Read more: local news.");
        blocks[nb++] = (nd_span){.raw_start = b0, .raw_end = len, .kind = ND_BLOCK_BOILERPLATE};
    }
    raw[len++] = '\n';

    char source[64], date[32];
    snprintf(source, sizeof source, "fixture:%llu", (unsigned long long)seed);
    snprintf(date, sizeof date, "2024-%02d-%02d", (int)(seed % 12) + 1, (int)(seed % 28) + 1);
    nd_article_init in = {.raw = raw, .raw_len = len, .blocks = blocks, .nblocks = nb};
    in.field[ND_FIELD_ID] = id;
    in.field[ND_FIELD_SOURCE] = source;
    in.field[ND_FIELD_OUTLET] = seed % 4 ? fx_outlets[seed % FX_N(fx_outlets)] : NULL;
    in.field[ND_FIELD_DATE] = seed % 5 ? date : NULL;
    in.field[ND_FIELD_HEADLINE] = headline;
    in.field[ND_FIELD_LANGUAGE] = "en";
    nd_article *a = NULL;
    assert_int_equal(nd_article_assemble(&a, &in), ND_OK);
    return a;
}

static inline void fx_same_spans(const nd_article *x, const nd_article *y, nd_part part)
{
    size_t n = nd_article_count(x, part);
    assert_int_equal(n, nd_article_count(y, part));
    for (size_t i = 0; i < n; i++) {
        nd_span a, b;
        assert_int_equal(nd_article_span(&a, x, part, i), ND_OK);
        assert_int_equal(nd_article_span(&b, y, part, i), ND_OK);
        assert_int_equal(a.start, b.start);
        assert_int_equal(a.end, b.end);
        assert_int_equal(a.raw_start, b.raw_start);
        assert_int_equal(a.raw_end, b.raw_end);
        assert_int_equal(a.kind, b.kind);
    }
}

/* Asserts that two articles are the same in every field, text and span. */
static inline void fx_same(const nd_article *x, const nd_article *y)
{
    for (int f = 0; f < ND_FIELD_COUNT_; f++) {
        const char *a = nd_article_get(x, (nd_field)f), *b = nd_article_get(y, (nd_field)f);
        if (!a || !b)
            assert_true(a == b);
        else
            assert_string_equal(a, b);
    }
    size_t la, lb;
    const char *ra = nd_article_raw(x, &la), *rb = nd_article_raw(y, &lb);
    assert_int_equal(la, lb);
    assert_memory_equal(ra, rb, la);
    ra = nd_article_body(x, &la);
    rb = nd_article_body(y, &lb);
    assert_int_equal(la, lb);
    assert_memory_equal(ra, rb, la);
    assert_string_equal(nd_article_hash(x), nd_article_hash(y));
    fx_same_spans(x, y, ND_PART_BLOCK);
    fx_same_spans(x, y, ND_PART_PARAGRAPH);
    fx_same_spans(x, y, ND_PART_SENTENCE);
}

/* Runs PRAGMA integrity_check on a store file with SQLite directly; true when "ok". Opens it
 * for writing so that SQLite can recover the WAL of a killed writer first. */
static inline int fx_integrity_ok(const char *path)
{
    sqlite3 *db = NULL;
    int ok = 0;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) {
        sqlite3_stmt *q = NULL;
        if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &q, NULL) == SQLITE_OK &&
            sqlite3_step(q) == SQLITE_ROW) {
            const unsigned char *r = sqlite3_column_text(q, 0);
            ok = r && strcmp((const char *)r, "ok") == 0;
        }
        sqlite3_finalize(q);
    }
    sqlite3_close(db);
    return ok;
}

#endif
