/* The text layer below sentences: UTF-8 validation, normalisation and its offset map, tokens,
 * stems, stopwords, the content hash, and allocation failures in each. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <xxhash.h>

#include "support.h"
#include "text/text.h"
#include "util/alloc.h"

/* ---- UTF-8 -------------------------------------------------------------------------------- */

static void expect_bad(const char *s, size_t len, size_t offset)
{
    size_t bad = 12345;
    if (nd_utf8_check(s, len, &bad))
        fail_msg("accepted invalid UTF-8 (expected a bad byte at %zu)", offset);
    assert_int_equal(bad, offset);
}

static void test_utf8_valid(void **state)
{
    (void)state;
    assert_true(nd_utf8_check("", 0, NULL));
    const char *ascii = "A long line of plain ASCII text that spans several words.";
    assert_true(nd_utf8_check(ascii, strlen(ascii), NULL));
    /* Two, three and four byte forms, and the edges around the excluded ranges. */
    const char *mixed = "h\xc3\xa9llo \xe2\x82\xac \xf0\x9d\x84\x9e \xed\x9f\xbf \xee\x80\x80 "
                        "\xf4\x8f\xbf\xbf \xc2\x80 \xe0\xa0\x80 \xf0\x90\x80\x80";
    assert_true(nd_utf8_check(mixed, strlen(mixed), NULL));
    /* NUL is a valid character inside a length-delimited buffer. */
    assert_true(nd_utf8_check("a\0b", 3, NULL));
}

static void test_utf8_invalid(void **state)
{
    (void)state;
    expect_bad("ab\x80", 3, 2);             /* stray continuation byte */
    expect_bad("a\xc0\xaf", 3, 1);          /* overlong two-byte form */
    expect_bad("a\xc1\xbf", 3, 1);          /* overlong two-byte form */
    expect_bad("a\xe0\x80\xaf", 4, 1);      /* overlong three-byte form */
    expect_bad("ab\xf0\x80\x80\xaf", 6, 2); /* overlong four-byte form */
    expect_bad("\xed\xa0\x80", 3, 0);       /* high surrogate U+D800 */
    expect_bad("x\xed\xbf\xbf", 4, 1);      /* low surrogate U+DFFF */
    expect_bad("xy\xf4\x90\x80\x80", 6, 2); /* U+110000 */
    expect_bad("\xf5\x80\x80\x80", 4, 0);   /* lead byte beyond U+10FFFF */
    expect_bad("\xff", 1, 0);               /* never valid */
    expect_bad("abc\xe2\x82", 5, 3);        /* truncated by the end */
    expect_bad("\xe2\x82z", 3, 0);          /* truncated by a non-continuation */
    expect_bad("\xf0\x9d\x84", 3, 0);       /* four-byte form cut short */
    expect_bad("\xc3\xa9\xc3", 3, 2);       /* valid, then cut short */
    /* After a run long enough for the eight-byte fast path. */
    expect_bad("0123456789abcdef\x80", 17, 16);
    expect_bad("0123456789abcdef\xc3\xa9xyz\xbf", 22, 21);
}

/* ---- Normalisation ------------------------------------------------------------------------ */

/* Normalises `in` with `flags` and checks the text and, when given, the whole map. */
static void expect_norm(const char *in, unsigned flags, const char *want, const uint32_t *map)
{
    nd_norm n = {0};
    assert_int_equal(nd_normalize(&n, in, strlen(in), flags), ND_OK);
    assert_string_equal(n.text.data, want);
    assert_int_equal(n.text.len, strlen(want));
    assert_int_equal(n.map[n.text.len], strlen(in));
    for (size_t i = 1; i <= n.text.len; i++)
        assert_true(n.map[i - 1] <= n.map[i]);
    if (map)
        for (size_t i = 0; i <= n.text.len; i++)
            if (n.map[i] != map[i])
                fail_msg("map[%zu] = %u, want %u (text \"%s\")", i, n.map[i], map[i], want);
    nd_norm_free(&n);
}

static void test_norm_nfkc(void **state)
{
    (void)state;
    /* The ligature "fi" becomes two letters that both map to the ligature. */
    expect_norm("\xef\xac\x81nd", ND_NORM_NFKC, "find", (const uint32_t[]){0, 0, 3, 4, 5});
    /* Full-width letters. */
    expect_norm("\xef\xbc\xa1\xef\xbc\xa2", ND_NORM_NFKC, "AB", (const uint32_t[]){0, 3, 6});
    expect_norm("\xef\xbc\xa1\xef\xbc\xa2", ND_NORM_ALL, "ab", NULL);
    /* A starter and a combining mark compose; both output bytes map to the starter. */
    expect_norm("cafe\xcc\x81!", ND_NORM_NFKC, "caf\xc3\xa9!",
                (const uint32_t[]){0, 1, 2, 3, 3, 6, 7});
    /* Marks in either order compose to the same character (canonical reordering). */
    expect_norm("a\xcc\xa3\xcc\x82", ND_NORM_NFKC, "\xe1\xba\xad", NULL);
    expect_norm("a\xcc\x82\xcc\xa3", ND_NORM_NFKC, "\xe1\xba\xad", NULL);
    /* Hangul jamo compose into a syllable. */
    expect_norm("\xe1\x84\x80\xe1\x85\xa1", ND_NORM_NFKC, "\xea\xb0\x80", NULL);
    /* Without NFKC nothing is composed. */
    expect_norm("e\xcc\x81", ND_NORM_UNIFY, "e\xcc\x81", NULL);
}

static void test_norm_casefold(void **state)
{
    (void)state;
    expect_norm("Stra\xc3\x9f"
                "e",
                ND_NORM_CASEFOLD, "strasse", (const uint32_t[]){0, 1, 2, 3, 4, 4, 6, 7});
    expect_norm("\xc3\x89T\xc3\x89", ND_NORM_ALL, "\xc3\xa9t\xc3\xa9", NULL);
    expect_norm("MiXeD CaSe", ND_NORM_CASEFOLD, "mixed case", NULL);
    /* Without case folding the case stays. */
    expect_norm("MiXeD", ND_NORM_NFKC, "MiXeD", NULL);
}

static void test_norm_unify(void **state)
{
    (void)state;
    /* Curly quotes: one output byte for each three input bytes. */
    expect_norm("\xe2\x80\x9cHi\xe2\x80\x9d", ND_NORM_UNIFY, "\"Hi\"",
                (const uint32_t[]){0, 3, 4, 5, 8});
    expect_norm("it\xe2\x80\x99s \xe2\x80\x98ok\xe2\x80\x99", ND_NORM_UNIFY, "it's 'ok'", NULL);
    /* Primes. */
    expect_norm("6\xe2\x80\xb2 2\xe2\x80\xb3", ND_NORM_UNIFY, "6' 2\"", NULL);
    /* En, em, minus, figure dash and horizontal bar. */
    expect_norm("a\xe2\x80\x93"
                "b\xe2\x80\x94"
                "c\xe2\x88\x92"
                "d\xe2\x80\x92"
                "e\xe2\x80\x95"
                "f",
                ND_NORM_UNIFY, "a-b-c-d-e-f", NULL);
    /* NBSP, thin space, ideographic space and tab become spaces; line breaks stay. */
    expect_norm("a\xc2\xa0"
                "b\xe2\x80\x89"
                "c\xe3\x80\x80"
                "d\te\nf",
                ND_NORM_UNIFY, "a b c d e\nf",
                (const uint32_t[]){0, 1, 3, 4, 7, 8, 11, 12, 13, 14, 15, 16});
    /* Without UNIFY they stay as they are. */
    expect_norm("a\xe2\x80\x94"
                "b",
                ND_NORM_CASEFOLD,
                "a\xe2\x80\x94"
                "b",
                NULL);
}

static void test_norm_collapse(void **state)
{
    (void)state;
    /* Leading and trailing white space goes; an inner run becomes one space mapped to the
     * first byte of the run. */
    expect_norm("  a \n\n b  ", ND_NORM_COLLAPSE, "a b", (const uint32_t[]){2, 3, 7, 10});
    expect_norm("x\xc2\xa0\xc2\xa0\ty", ND_NORM_UNIFY | ND_NORM_COLLAPSE, "x y",
                (const uint32_t[]){0, 1, 6, 7});
    expect_norm(" \n\t ", ND_NORM_ALL, "", (const uint32_t[]){4});
    expect_norm("", ND_NORM_ALL, "", (const uint32_t[]){0});

    nd_norm n = {0};
    assert_int_equal(nd_normalize(&n, "word   ", 7, ND_NORM_COLLAPSE), ND_OK);
    assert_int_equal(n.content_end, 4);
    /* The same handle is reused without leaking. */
    assert_int_equal(nd_normalize(&n, "A  b", 4, ND_NORM_ALL), ND_OK);
    assert_string_equal(n.text.data, "a b");
    assert_int_equal(n.content_end, 4);
    nd_norm_free(&n);
    nd_norm_free(NULL);
}

/* A long mixed text normalised in one go equals the concatenation of its parts normalised on
 * their own (the fast path and the segments agree), and the map round-trips each word. */
static void test_norm_long(void **state)
{
    (void)state;
    const char *piece = "The Caf\xc3\xa9 \xe2\x80\x9c"
                        "DAILY\xe2\x80\x9d \xe2\x80\x94 now  "
                        "\xef\xac\x81nal edition. ";
    const char *want = "the caf\xc3\xa9 \"daily\" - now final edition.";
    nd_buf in;
    nd_buf_init(&in, 0);
    for (int i = 0; i < 200; i++)
        assert_int_equal(nd_buf_puts(&in, piece), ND_OK);
    nd_norm n = {0};
    assert_int_equal(nd_normalize(&n, in.data, in.len, ND_NORM_ALL), ND_OK);
    size_t wl = strlen(want);
    assert_int_equal(n.text.len, 200 * (wl + 1) - 1);
    for (int i = 0; i < 200; i++) {
        size_t at = (size_t)i * (wl + 1);
        assert_memory_equal(n.text.data + at, want, wl);
        /* "final" starts at the ligature of piece i. */
        const char *fin = strstr(n.text.data + at, "final");
        assert_non_null(fin);
        uint32_t o = n.map[fin - n.text.data];
        assert_memory_equal(in.data + o, "\xef\xac\x81nal", 6);
    }
    nd_norm_free(&n);
    nd_buf_free(&in);
}

/* A long run of combining marks (hostile input) is normalised in bounded pieces: the result is
 * still well-formed, keeps every mark and maps monotonically. */
static void test_norm_mark_run(void **state)
{
    (void)state;
    nd_buf in;
    nd_buf_init(&in, 0);
    assert_int_equal(nd_buf_puts(&in, "a"), ND_OK);
    for (int i = 0; i < 20000; i++)
        assert_int_equal(nd_buf_puts(&in, "\xcc\x81\xcc\xa3"), ND_OK);
    assert_int_equal(nd_buf_puts(&in, "b"), ND_OK);
    nd_norm n = {0};
    assert_int_equal(nd_normalize(&n, in.data, in.len, ND_NORM_ALL), ND_OK);
    assert_true(nd_utf8_check(n.text.data, n.text.len, NULL));
    /* "a" composes with at most two of the marks; all others stay two bytes each. */
    assert_true(n.text.len >= in.len - 6 && n.text.len <= in.len);
    assert_int_equal(n.text.data[n.text.len - 1], 'b');
    for (size_t i = 1; i <= n.text.len; i++)
        assert_true(n.map[i - 1] <= n.map[i]);
    nd_norm_free(&n);
    nd_buf_free(&in);
}

/* ---- Tokens ------------------------------------------------------------------------------- */

typedef struct want_tok {
    const char *text;
    int kind;
    int stop;
    uint32_t ostart, oend;
} want_tok;

static void expect_tokens(const char *in, const want_tok *want, size_t nwant)
{
    nd_norm n = {0};
    nd_tokens t = {0};
    assert_int_equal(nd_normalize(&n, in, strlen(in), ND_NORM_ALL), ND_OK);
    assert_int_equal(nd_tokenize(&t, &n), ND_OK);
    for (size_t i = 0; i < t.n && i < nwant; i++) {
        const nd_token *k = &t.v[i];
        size_t len = k->end - k->start;
        if (len != strlen(want[i].text) || memcmp(n.text.data + k->start, want[i].text, len))
            fail_msg("token %zu is \"%.*s\", want \"%s\"", i, (int)len, n.text.data + k->start,
                     want[i].text);
        assert_int_equal(k->kind, want[i].kind);
        assert_int_equal(k->stop, want[i].stop);
        assert_int_equal(k->ostart, want[i].ostart);
        assert_int_equal(k->oend, want[i].oend);
    }
    assert_int_equal(t.n, nwant);
    nd_tokens_free(&t);
    nd_norm_free(&n);
}

static void test_tokens(void **state)
{
    (void)state;
    /* "Don’t" has a three-byte apostrophe: its normalised form is two bytes shorter. */
    const char *in = "Don\xe2\x80\x99t stop: 6.1 quakes hit 30,000 homes in COVID-19 era.  ";
    const want_tok want[] = {
        {"don't", ND_TOK_WORD, 1, 0, 7},      {"stop", ND_TOK_WORD, 0, 8, 12},
        {":", ND_TOK_PUNCT, 0, 12, 13},       {"6.1", ND_TOK_NUMBER, 0, 14, 17},
        {"quakes", ND_TOK_WORD, 0, 18, 24},   {"hit", ND_TOK_WORD, 0, 25, 28},
        {"30,000", ND_TOK_NUMBER, 0, 29, 35}, {"homes", ND_TOK_WORD, 0, 36, 41},
        {"in", ND_TOK_WORD, 1, 42, 44},       {"covid-19", ND_TOK_WORD, 0, 45, 53},
        {"era", ND_TOK_WORD, 0, 54, 57},      {".", ND_TOK_PUNCT, 0, 57, 58},
    };
    expect_tokens(in, want, sizeof want / sizeof want[0]);

    /* Separators only stay inside when a word or digit follows; a ligature token maps back to
     * the whole ligature. */
    const want_tok want2[] = {
        {"rock", ND_TOK_WORD, 0, 0, 4},        {"-", ND_TOK_PUNCT, 0, 4, 5},
        {"10", ND_TOK_NUMBER, 0, 6, 8},        {".", ND_TOK_PUNCT, 0, 8, 9},
        {"fin", ND_TOK_WORD, 0, 10, 14},       {"10:30", ND_TOK_NUMBER, 0, 15, 20},
        {"jae-myung", ND_TOK_WORD, 0, 21, 30}, {"1990s", ND_TOK_WORD, 0, 31, 36},
        {"'", ND_TOK_PUNCT, 0, 37, 38},
    };
    expect_tokens("rock- 10. \xef\xac\x81n 10:30 Jae-myung 1990s '", want2,
                  sizeof want2 / sizeof want2[0]);

    /* Letters of other scripts are words; symbols are punctuation. */
    const want_tok want3[] = {
        {"\xce\xb1\xce\xb8\xce\xae\xce\xbd\xce\xb1", ND_TOK_WORD, 0, 0, 10},
        {"\xe2\x82\xac", ND_TOK_PUNCT, 0, 11, 14},
        {"5", ND_TOK_NUMBER, 0, 14, 15},
    };
    expect_tokens("\xce\x91\xce\xb8\xce\xae\xce\xbd\xce\xb1 \xe2\x82\xac"
                  "5",
                  want3, 3);

    /* Tokens are appended. */
    nd_norm n = {0};
    nd_tokens t = {0};
    assert_int_equal(nd_normalize(&n, "a b", 3, ND_NORM_ALL), ND_OK);
    assert_int_equal(nd_tokenize(&t, &n), ND_OK);
    assert_int_equal(nd_tokenize(&t, &n), ND_OK);
    assert_int_equal(t.n, 4);
    nd_tokens_free(&t);
    nd_tokens_free(NULL);
    nd_norm_free(&n);
}

/* ---- Stems and stopwords ------------------------------------------------------------------ */

static void expect_stem(nd_stemmer *s, const char *w, const char *want)
{
    size_t n = 0;
    const char *r = nd_stem(s, w, strlen(w), &n);
    assert_non_null(r);
    if (n != strlen(want) || memcmp(r, want, n) != 0)
        fail_msg("stem of %s is %.*s, want %s", w, (int)n, r, want);
}

static void test_stems(void **state)
{
    (void)state;
    nd_stemmer *s = NULL;
    assert_int_equal(nd_stemmer_new(&s), ND_OK);
    expect_stem(s, "running", "run");
    expect_stem(s, "connected", "connect");
    expect_stem(s, "connections", "connect");
    expect_stem(s, "studies", "studi");
    expect_stem(s, "elections", "elect");
    expect_stem(s, "news", "news");
    nd_stemmer_free(s);
    nd_stemmer_free(NULL);
}

static void test_stopwords(void **state)
{
    (void)state;
    const char *yes[] = {"the",        "a",    "and", "of",  "to",   "in",    "don't",
                         "yourselves", "whom", "is",  "was", "it's", "would", "i"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        if (!nd_stopword(yes[i], strlen(yes[i])))
            fail_msg("%s should be a stopword", yes[i]);
    const char *no[] = {"president", "thee", "th",  "",  "earthquake",
                        "pyongyang", "ands", "THE", "x", "yourselvesx"};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (nd_stopword(no[i], strlen(no[i])))
            fail_msg("%s should not be a stopword", no[i]);
    /* Length-delimited: a prefix of a longer buffer. */
    assert_true(nd_stopword("there", 3));
    assert_false(nd_stopword("thereby", 7));
}

/* ---- Content hash ------------------------------------------------------------------------- */

static void hash_of(char out[33], const char *s)
{
    assert_int_equal(nd_content_hash(out, s, strlen(s)), ND_OK);
}

static void test_hash(void **state)
{
    (void)state;
    char a[33], b[33], c[33], d[33];
    hash_of(a, "He said \xe2\x80\x9cHello\xe2\x80\x9d  to the\n\nWORLD \xe2\x80\x94 twice.");
    hash_of(b, "he said \"hello\" to the world - twice.\n");
    hash_of(c, "  He said \"Hello\"\tto\xc2\xa0the World \xe2\x80\x93 twice.");
    hash_of(d, "He said \"Hello\" to the world - thrice.");
    assert_string_equal(a, b);
    assert_string_equal(a, c);
    assert_string_not_equal(a, d);
    assert_int_equal(strlen(a), 32);
    for (int i = 0; i < 32; i++)
        assert_non_null(strchr("0123456789abcdef", a[i]));

    /* The digits are XXH3-128 of the normalised text, high half first. */
    const char *norm = "he said \"hello\" to the world - twice.";
    XXH128_hash_t h = XXH3_128bits(norm, strlen(norm));
    char want[33];
    snprintf(want, sizeof want, "%016llx%016llx", (unsigned long long)h.high64,
             (unsigned long long)h.low64);
    assert_string_equal(a, want);
}

/* ---- Allocation failures ------------------------------------------------------------------ */

static const char fail_text[] =
    "The \xef\xac\x81rst report \xe2\x80\x94 \xe2\x80\x9cStra\xc3\x9f"
    "e\xe2\x80\x9d \xe2\x80\x94 "
    "said Mr. Smith. It rained in the U.S. The end. Caf\xc3\xa9 6.1 quakes.\n\nNext paragraph.";

/* Each call fails at every allocation in turn; each failure must be ND_ERR_NOMEM and leave
 * nothing behind (ASan checks the leaks), and the loop ends with a success. */
static void test_alloc_failures(void **state)
{
    (void)state;
    const size_t len = sizeof fail_text - 1;
    long n, failed = 0;

    for (n = 0;; n++) {
        nd_alloc_fail_after(n);
        nd_norm nm = {0};
        nd_status st = nd_normalize(&nm, fail_text, len, ND_NORM_ALL);
        nd_norm_free(&nm);
        if (st == ND_OK)
            break;
        assert_int_equal(st, ND_ERR_NOMEM);
        failed++;
    }
    assert_true(failed > 0);

    failed = 0;
    for (n = 0;; n++) {
        nd_norm nm = {0};
        nd_tokens t = {0};
        nd_alloc_fail_after(-1);
        assert_int_equal(nd_normalize(&nm, fail_text, len, ND_NORM_ALL), ND_OK);
        nd_alloc_fail_after(n);
        nd_status st = nd_tokenize(&t, &nm);
        nd_alloc_fail_after(-1);
        nd_tokens_free(&t);
        nd_norm_free(&nm);
        if (st == ND_OK)
            break;
        assert_int_equal(st, ND_ERR_NOMEM);
        failed++;
    }
    assert_true(failed > 0);

    failed = 0;
    for (n = 0;; n++) {
        char h[33];
        nd_alloc_fail_after(n);
        nd_status st = nd_content_hash(h, fail_text, len);
        if (st == ND_OK)
            break;
        assert_int_equal(st, ND_ERR_NOMEM);
        failed++;
    }
    assert_true(failed > 0);

    failed = 0;
    for (n = 0;; n++) {
        nd_ranges r = {0};
        nd_alloc_fail_after(n);
        nd_status st = nd_sentences_split(&r, fail_text, len);
        nd_alloc_fail_after(-1);
        size_t got = r.n;
        nd_ranges_free(&r);
        if (st == ND_OK) {
            assert_int_equal(got, 5);
            break;
        }
        assert_int_equal(st, ND_ERR_NOMEM);
        failed++;
    }
    assert_true(failed > 0);

    nd_alloc_fail_after(0);
    nd_stemmer *s = NULL;
    assert_int_equal(nd_stemmer_new(&s), ND_ERR_NOMEM);
    assert_null(s);
    nd_alloc_fail_after(-1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_valid),     cmocka_unit_test(test_utf8_invalid),
        cmocka_unit_test(test_norm_nfkc),      cmocka_unit_test(test_norm_casefold),
        cmocka_unit_test(test_norm_unify),     cmocka_unit_test(test_norm_collapse),
        cmocka_unit_test(test_norm_long),      cmocka_unit_test(test_norm_mark_run),
        cmocka_unit_test(test_tokens),         cmocka_unit_test(test_stems),
        cmocka_unit_test(test_stopwords),      cmocka_unit_test(test_hash),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
