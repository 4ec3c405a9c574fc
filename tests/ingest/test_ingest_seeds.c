/*
 * The five seed articles (corpus/seeds), read at run time: each layout must come out right.
 * Expectations are given per line of the file (which kind each line is), not as copied text.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "newsdesk.h"
#include "support.h"
#include "util/alloc.h"

enum { H = ND_BLOCK_HEADLINE, D = ND_BLOCK_DEK, S = ND_BLOCK_SEPARATOR, C = ND_BLOCK_CAPTION,
       P = ND_BLOCK_PARAGRAPH, X = ND_BLOCK_CROSSHEAD, B = ND_BLOCK_BOILERPLATE,
       T = ND_BLOCK_DATE };

/* The seed whose name starts with `prefix` ("001_"), read whole. */
static char *seed(const char *prefix, size_t *len, char *path, size_t pathlen)
{
    const char *dir = t_corpus_path("seeds");
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *de;
    char found[512] = "";
    while ((de = readdir(d)) != NULL)
        if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
            snprintf(found, sizeof found, "%s", de->d_name);
    closedir(d);
    assert_true(found[0]);
    snprintf(path, pathlen, "%s/%s", dir, found);
    return t_read_file(path, len);
}

/* The non-blank lines of a text as [start, end) pairs. */
static size_t lines_of(const char *s, size_t len, size_t (*v)[2], size_t max)
{
    size_t n = 0, i = 0;
    while (i < len && n < max) {
        size_t b = i;
        while (i < len && s[i] != '\n')
            i++;
        if (i > b) {
            v[n][0] = b;
            v[n][1] = i;
            n++;
        }
        i++;
    }
    return n;
}

static nd_article *parse(const char *prefix, char **text, size_t *len)
{
    char path[4096], err[256];
    *text = seed(prefix, len, path, sizeof path);
    nd_article *a = NULL;
    nd_status st = nd_article_parse_text(&a, *text, *len, prefix, path, NULL, err, sizeof err);
    if (st != ND_OK)
        fail_msg("%s: %s", path, err);
    return a;
}

/* Every non-blank line is one block of the expected kind, in order; the body is the body
 * lines separated by blank lines. */
static void expect_lines(const nd_article *a, const char *text, size_t len, const int *kinds,
                         size_t nkinds)
{
    size_t lines[64][2];
    size_t n = lines_of(text, len, lines, 64);
    assert_int_equal(n, nkinds);
    assert_int_equal(nd_article_count(a, ND_PART_BLOCK), n);
    size_t rl;
    const char *raw = nd_article_raw(a, &rl);
    assert_int_equal(rl, len);
    assert_memory_equal(raw, text, len);
    size_t paras = 0;
    for (size_t i = 0; i < n; i++) {
        nd_span sp;
        assert_int_equal(nd_article_span(&sp, a, ND_PART_BLOCK, i), ND_OK);
        if ((int)sp.kind != kinds[i])
            fail_msg("line %zu: %s, expected %s", i + 1, nd_block_kind_str(sp.kind),
                     nd_block_kind_str((nd_block_kind)kinds[i]));
        assert_int_equal(sp.raw_start, lines[i][0]);
        assert_int_equal(sp.raw_end, lines[i][1]);
        if (kinds[i] == P || kinds[i] == X) {
            paras++;
            assert_int_not_equal(sp.start, ND_NOPOS);
        } else {
            assert_int_equal(sp.start, ND_NOPOS);
        }
    }
    assert_int_equal(nd_article_count(a, ND_PART_PARAGRAPH), paras);
    assert_true(nd_article_count(a, ND_PART_SENTENCE) >= paras);

    /* the body: body lines verbatim, joined by one blank line */
    size_t bl, pos = 0;
    const char *body = nd_article_body(a, &bl);
    for (size_t i = 0; i < n; i++) {
        if (kinds[i] != P && kinds[i] != X)
            continue;
        size_t ll = lines[i][1] - lines[i][0];
        assert_true(pos + ll <= bl);
        assert_memory_equal(body + pos, text + lines[i][0], ll);
        pos += ll;
        if (pos < bl) {
            assert_memory_equal(body + pos, "\n\n", 2);
            pos += 2;
        }
    }
    assert_int_equal(pos, bl);
    assert_int_equal(strlen(nd_article_hash(a)), 32);
}

static void expect_field_line(const nd_article *a, nd_field f, const char *text, size_t *line)
{
    const char *v = nd_article_get(a, f);
    assert_non_null(v);
    assert_int_equal(strlen(v), line[1] - line[0]);
    assert_memory_equal(v, text + line[0], line[1] - line[0]);
}

/* 000 and 002: bodies without a header, one paragraph per line. */
static void test_no_header(void **state)
{
    (void)state;
    const char *prefixes[] = {"000_", "002_"};
    for (int k = 0; k < 2; k++) {
        char *text;
        size_t len, lines[64][2];
        nd_article *a = parse(prefixes[k], &text, &len);
        size_t n = lines_of(text, len, lines, 64);
        int kinds[64];
        for (size_t i = 0; i < n; i++)
            kinds[i] = P;
        expect_lines(a, text, len, kinds, n);
        assert_null(nd_article_get(a, ND_FIELD_HEADLINE));
        assert_null(nd_article_get(a, ND_FIELD_DEK));
        assert_null(nd_article_get(a, ND_FIELD_DATE));
        assert_string_equal(nd_article_get(a, ND_FIELD_ID), prefixes[k]);
        nd_article_free(a);
        free(text);
    }
}

/* 001: headline, dek, "-", photo caption, crossheads, a trailing "Read more:". */
static void test_headline_dek_caption_readmore(void **state)
{
    (void)state;
    static const int kinds[] = {H, D, S, C, P, P, X, P, P, P, P, P, X, P, P, X, P, P, B};
    char *text;
    size_t len, lines[64][2];
    nd_article *a = parse("001_", &text, &len);
    expect_lines(a, text, len, kinds, sizeof kinds / sizeof *kinds);
    lines_of(text, len, lines, 64);
    expect_field_line(a, ND_FIELD_HEADLINE, text, lines[0]);
    expect_field_line(a, ND_FIELD_DEK, text, lines[1]);
    assert_memory_equal(text + lines[18][0], "Read more:", 10);
    nd_article_free(a);
    free(text);
}

/* 003: headline, dek, "-", a caption ending in "(AP)", a crosshead. */
static void test_caption_with_credit(void **state)
{
    (void)state;
    static const int kinds[] = {H, D, S, C, P, P, P, P, P, P, X, P, P, P, P};
    char *text;
    size_t len, lines[64][2];
    nd_article *a = parse("003_", &text, &len);
    expect_lines(a, text, len, kinds, sizeof kinds / sizeof *kinds);
    lines_of(text, len, lines, 64);
    assert_memory_equal(text + lines[3][1] - 4, "(AP)", 4);
    expect_field_line(a, ND_FIELD_HEADLINE, text, lines[0]);
    expect_field_line(a, ND_FIELD_DEK, text, lines[1]);
    nd_article_free(a);
    free(text);
}

/* 004: a day-first numeric date, a quoted headline, a dek without a final stop, blank lines
 * between paragraphs. */
static void test_date_quoted_headline(void **state)
{
    (void)state;
    static const int kinds[] = {T, H, D, P, P, P, P, P, P};
    char *text;
    size_t len, lines[64][2];
    nd_article *a = parse("004_", &text, &len);
    expect_lines(a, text, len, kinds, sizeof kinds / sizeof *kinds);
    lines_of(text, len, lines, 64);
    assert_string_equal(nd_article_get(a, ND_FIELD_DATE), "2025-06-06");
    expect_field_line(a, ND_FIELD_DATE_RAW, text, lines[0]);
    /* the headline field drops the quotes that the block keeps */
    const char *h = nd_article_get(a, ND_FIELD_HEADLINE);
    assert_non_null(h);
    assert_int_equal(text[lines[1][0]], '"');
    assert_int_equal(text[lines[1][1] - 1], '"');
    assert_int_equal(strlen(h), lines[1][1] - lines[1][0] - 2);
    assert_memory_equal(h, text + lines[1][0] + 1, strlen(h));
    expect_field_line(a, ND_FIELD_DEK, text, lines[2]);
    nd_article_free(a);
    free(text);
}

/* The reader over the seeds folder: five articles, the README skipped. */
static void test_seeds_folder(void **state)
{
    (void)state;
    nd_reader *r;
    assert_int_equal(nd_reader_new(&r, NULL), ND_OK);
    assert_int_equal(nd_reader_add_path(r, t_corpus_path("seeds")), ND_OK);
    int ok = 0, skipped = 0;
    nd_status st;
    nd_article *a;
    while ((st = nd_reader_next(r, &a)) != ND_DONE) {
        if (st == ND_OK) {
            ok++;
            nd_article_free(a);
        } else {
            assert_int_equal(st, ND_SKIPPED);
            assert_non_null(strstr(nd_reader_errmsg(r), "README.md: not an article"));
            skipped++;
        }
    }
    assert_int_equal(ok, 5);
    assert_int_equal(skipped, 1);
    uint64_t done, total;
    nd_reader_progress(r, &done, &total);
    assert_true(done > 0 && done == total);
    nd_reader_free(r);
}

static int setup(void **state)
{
    (void)state;
    if (!t_corpus())
        return -1;
    nd_alloc_init();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_header),
        cmocka_unit_test(test_headline_dek_caption_readmore),
        cmocka_unit_test(test_caption_with_credit),
        cmocka_unit_test(test_date_quoted_headline),
        cmocka_unit_test(test_seeds_folder),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
