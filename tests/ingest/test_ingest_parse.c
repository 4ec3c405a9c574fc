/*
 * nd_article_parse_text() and nd_article_parse_json() on texts written for these tests:
 * header layouts, block kinds of every genre, hard-wrapped text, CRLF, BOM, overrides, and
 * every kind of bad input.
 */
#define _POSIX_C_SOURCE 200809L
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

/* An article with a full header, written for these tests. */
static const char ARTICLE[] =
    "https://www.example-news.com/world/2025/06/06/harbour-bridge-reopens\n"
    "First Published: June 6, 2025, 10:30 IST\n"
    "\n"
    "Harbour Bridge Reopens After Two Years of Repairs\n"
    "Engineers finished the last inspection on Thursday night and the first traffic crossed "
    "the river at dawn\n"
    "\n"
    "By Maria Lopez, Example News\n"
    "\n"
    "FILE - Workers stand on the deck of the bridge during repairs, March 3, 2024. "
    "(AP Photo/Tom Reyes)\n"
    "\n"
    "The bridge carried its first cars at six in the morning, after a short ceremony attended "
    "by the mayor and the crews who rebuilt it.\n"
    "\n"
    "City officials said the repairs cost less than planned. The final bill will be published "
    "next month.\n"
    "\n"
    "What comes next\n"
    "\n"
    "The council will vote in July on a plan to add a cycle lane on the east side.\n"
    "\n"
    "Read more: How the city chose its bridge contractor\n"
    "\n"
    "\xc2\xa9 2025 Example News. All rights reserved.";

static const nd_block_kind ARTICLE_KINDS[] = {
    ND_BLOCK_URL,       ND_BLOCK_DATE,      ND_BLOCK_HEADLINE,  ND_BLOCK_DEK,
    ND_BLOCK_BYLINE,    ND_BLOCK_CAPTION,   ND_BLOCK_PARAGRAPH, ND_BLOCK_PARAGRAPH,
    ND_BLOCK_CROSSHEAD, ND_BLOCK_PARAGRAPH, ND_BLOCK_BOILERPLATE, ND_BLOCK_BOILERPLATE};

static nd_article *parse_ok(const char *text, size_t len, const nd_read_opts *opts)
{
    char err[256];
    nd_article *a = NULL;
    nd_status st = nd_article_parse_text(&a, text, len, "t", "test", opts, err, sizeof err);
    if (st != ND_OK)
        fail_msg("parse failed: %s: %s", nd_status_str(st), err);
    return a;
}

static nd_status parse_err(const char *text, size_t len, const nd_read_opts *opts, char *err,
                           size_t errlen)
{
    nd_article *a = (nd_article *)1;
    nd_status st = nd_article_parse_text(&a, text, len, "t", "test", opts, err, errlen);
    assert_null(a);
    return st;
}

/* The kinds of all blocks, checked against `want`, and sanity of every span. */
static void expect_kinds(const nd_article *a, const nd_block_kind *want, size_t n)
{
    size_t rl, bl;
    const char *raw = nd_article_raw(a, &rl);
    const char *body = nd_article_body(a, &bl);
    size_t nb = nd_article_count(a, ND_PART_BLOCK);
    for (size_t i = 0; i < nb && i < n; i++) {
        nd_span s;
        assert_int_equal(nd_article_span(&s, a, ND_PART_BLOCK, i), ND_OK);
        if (s.kind != want[i])
            fail_msg("block %zu \"%.*s\": %s, expected %s", i, (int)(s.raw_end - s.raw_start),
                     raw + s.raw_start, nd_block_kind_str(s.kind), nd_block_kind_str(want[i]));
        assert_true(s.raw_start < s.raw_end && s.raw_end <= rl);
        if (s.start != ND_NOPOS)
            assert_memory_equal(body + s.start, raw + s.raw_start, s.raw_end - s.raw_start);
    }
    assert_int_equal(nb, n);
}

static const char *block_text(const nd_article *a, size_t i, size_t *n)
{
    nd_span s;
    size_t rl;
    assert_int_equal(nd_article_span(&s, a, ND_PART_BLOCK, i), ND_OK);
    *n = s.raw_end - s.raw_start;
    return nd_article_raw(a, &rl) + s.raw_start;
}

static void test_full_header(void **state)
{
    (void)state;
    nd_article *a = parse_ok(ARTICLE, strlen(ARTICLE), NULL);
    expect_kinds(a, ARTICLE_KINDS, sizeof ARTICLE_KINDS / sizeof *ARTICLE_KINDS);
    assert_string_equal(nd_article_get(a, ND_FIELD_URL),
                        "https://www.example-news.com/world/2025/06/06/harbour-bridge-reopens");
    assert_string_equal(nd_article_get(a, ND_FIELD_OUTLET), "example-news.com");
    assert_string_equal(nd_article_get(a, ND_FIELD_DATE), "2025-06-06T10:30");
    assert_string_equal(nd_article_get(a, ND_FIELD_DATE_RAW),
                        "First Published: June 6, 2025, 10:30 IST");
    assert_string_equal(nd_article_get(a, ND_FIELD_HEADLINE),
                        "Harbour Bridge Reopens After Two Years of Repairs");
    assert_non_null(strstr(nd_article_get(a, ND_FIELD_DEK), "first traffic crossed"));
    assert_string_equal(nd_article_get(a, ND_FIELD_BYLINE), "By Maria Lopez, Example News");
    assert_string_equal(nd_article_get(a, ND_FIELD_ID), "t");
    assert_string_equal(nd_article_get(a, ND_FIELD_SOURCE), "test");
    assert_null(nd_article_get(a, ND_FIELD_LANGUAGE));
    size_t bl;
    const char *body = nd_article_body(a, &bl);
    assert_true(strncmp(body, "The bridge carried", 18) == 0);
    assert_non_null(strstr(body, "\n\nWhat comes next\n\nThe council"));
    assert_null(strstr(body, "Read more"));
    assert_int_equal(nd_article_count(a, ND_PART_PARAGRAPH), 4);
    assert_int_equal(nd_article_count(a, ND_PART_SENTENCE), 5);
    nd_article_free(a);
}

/* Overrides: outlet, url and date from the caller win; the outlet follows an overriding url. */
static void test_overrides(void **state)
{
    (void)state;
    nd_read_opts o = {.outlet = "Harbour Gazette", .date = "7 June 2025", .url = "u"};
    nd_article *a = parse_ok(ARTICLE, strlen(ARTICLE), &o);
    assert_string_equal(nd_article_get(a, ND_FIELD_OUTLET), "Harbour Gazette");
    assert_string_equal(nd_article_get(a, ND_FIELD_DATE), "2025-06-07");
    assert_string_equal(nd_article_get(a, ND_FIELD_DATE_RAW), "7 June 2025");
    assert_string_equal(nd_article_get(a, ND_FIELD_URL), "u");
    nd_article_free(a);

    nd_read_opts o2 = {.url = "http://News.Example.ORG:8080/a/b"};
    a = parse_ok(ARTICLE, strlen(ARTICLE), &o2);
    assert_string_equal(nd_article_get(a, ND_FIELD_OUTLET), "news.example.org");
    nd_article_free(a);

    char err[256];
    nd_read_opts bad = {.date = "next Tuesday"};
    assert_int_equal(parse_err(ARTICLE, strlen(ARTICLE), &bad, err, sizeof err), ND_ERR_ARG);
    assert_non_null(strstr(err, "next Tuesday"));
    nd_reader *r = NULL;
    assert_int_equal(nd_reader_new(&r, &bad), ND_ERR_ARG);
    assert_null(r);
}

/* The same article with CRLF line ends and a byte order mark. */
static void test_crlf_and_bom(void **state)
{
    (void)state;
    size_t n = strlen(ARTICLE), k = 3;
    char *crlf = malloc(2 * n + 4);
    assert_non_null(crlf);
    memcpy(crlf, "\xEF\xBB\xBF", 3);
    for (size_t i = 0; i < n; i++) {
        if (ARTICLE[i] == '\n')
            crlf[k++] = '\r';
        crlf[k++] = ARTICLE[i];
    }
    nd_article *a = parse_ok(crlf, k, NULL);
    expect_kinds(a, ARTICLE_KINDS, sizeof ARTICLE_KINDS / sizeof *ARTICLE_KINDS);
    size_t rl, bl;
    const char *raw = nd_article_raw(a, &rl);
    assert_int_equal(rl, k); /* raw is the input as given, BOM and all */
    assert_memory_equal(raw, crlf, k);
    nd_span s;
    assert_int_equal(nd_article_span(&s, a, ND_PART_BLOCK, 0), ND_OK);
    assert_int_equal(s.raw_start, 3); /* the first block starts after the BOM */
    for (size_t i = 0; i < nd_article_count(a, ND_PART_BLOCK); i++) {
        size_t tl;
        const char *t = block_text(a, i, &tl);
        assert_null(memchr(t, '\r', tl));
    }
    const char *body = nd_article_body(a, &bl);
    assert_null(memchr(body, '\r', bl));
    assert_string_equal(nd_article_get(a, ND_FIELD_HEADLINE),
                        "Harbour Bridge Reopens After Two Years of Repairs");
    nd_article_free(a);
    free(crlf);
}

/* Greedy wrap of paragraphs at `width` columns; blank lines between paragraphs or not.
 * *short_ends tells whether the last line of every paragraph but the last is visibly short
 * (under two thirds of the width): without blank lines, that is the only paragraph break a
 * reader can see. */
static char *wrap(const char *const *paras, size_t n, size_t width, int blank, int *short_ends)
{
    *short_ends = 1;
    char *out = malloc(8192);
    size_t o = 0;
    assert_non_null(out);
    for (size_t p = 0; p < n; p++) {
        const char *s = paras[p];
        size_t col = 0;
        while (*s) {
            size_t w = strcspn(s, " ");
            if (col && col + 1 + w > width) {
                out[o++] = '\n';
                col = 0;
            } else if (col) {
                out[o++] = ' ';
                col++;
            }
            memcpy(out + o, s, w);
            o += w;
            col += w;
            s += w;
            while (*s == ' ')
                s++;
        }
        out[o++] = '\n';
        if (blank && p + 1 < n)
            out[o++] = '\n';
        if (p + 1 < n && col * 3 >= width * 2)
            *short_ends = 0;
    }
    out[o] = '\0';
    return out;
}

static const char *const RIVER[] = {
    "The river rose by almost two metres overnight, and by the morning the water had reached "
    "the doors of the houses closest to the old mill. Most families had already left.",
    "Rescue teams used boats to reach the last people who had stayed behind. They said that "
    "everyone was safe by noon and that the water was falling again by the evening, slowly.",
    "Schools will stay closed until Monday while engineers check the two bridges.",
};

static void expect_paragraphs(const nd_article *a, const char *const *paras, size_t n)
{
    assert_int_equal(nd_article_count(a, ND_PART_PARAGRAPH), n);
    size_t bl;
    const char *body = nd_article_body(a, &bl);
    for (size_t i = 0; i < n; i++) {
        nd_span s;
        assert_int_equal(nd_article_span(&s, a, ND_PART_PARAGRAPH, i), ND_OK);
        assert_int_equal(s.kind, ND_BLOCK_PARAGRAPH);
        /* the paragraph, its line breaks read as spaces, is the original */
        char buf[1024];
        size_t k = s.end - s.start;
        assert_true(k < sizeof buf);
        memcpy(buf, body + s.start, k);
        buf[k] = '\0';
        for (size_t j = 0; j < k; j++)
            if (buf[j] == '\n')
                buf[j] = ' ';
        assert_string_equal(buf, paras[i]);
    }
}

static void test_hard_wrapped(void **state)
{
    (void)state;
    size_t widths[] = {40, 50, 60, 66, 72, 78};
    int tested = 0;
    for (size_t w = 0; w < sizeof widths / sizeof *widths; w++) {
        for (int blank = 0; blank < 2; blank++) {
            int short_ends;
            char *t = wrap(RIVER, 3, widths[w], blank, &short_ends);
            if (blank || short_ends) {
                nd_article *a = parse_ok(t, strlen(t), NULL);
                expect_paragraphs(a, RIVER, 3);
                nd_article_free(a);
                tested++;
            }
            free(t);
        }
    }
    assert_true(tested >= 8);
}

/* Lines of one blank-line group: joined when mid-sentence, kept apart otherwise. */
static void test_line_joins(void **state)
{
    (void)state;
    static const char t[] = "The storm reached the coast on Sunday.\n"
                            "\n"
                            "Officials said that the damage was limited, but\n"
                            "power lines were down in three districts and\n"
                            "the ferry stayed in port.\n"
                            "\n"
                            "Roads reopened by noon.\n"
                            "Trains ran again in the evening.\n";
    nd_article *a = parse_ok(t, strlen(t), NULL);
    static const nd_block_kind k[] = {ND_BLOCK_PARAGRAPH, ND_BLOCK_PARAGRAPH,
                                      ND_BLOCK_PARAGRAPH, ND_BLOCK_PARAGRAPH};
    expect_kinds(a, k, 4);
    size_t n;
    const char *b = block_text(a, 1, &n);
    assert_true(n > 60 && memcmp(b + n - 8, "in port.", 8) == 0);
    nd_article_free(a);

    /* without blank lines, every line is a block */
    static const char u[] = "The storm reached the coast on Sunday and flooded two towns.\n"
                            "officials said the damage was limited.\n"
                            "Roads reopened by noon.\n";
    a = parse_ok(u, strlen(u), NULL);
    assert_int_equal(nd_article_count(a, ND_PART_PARAGRAPH), 3);
    nd_article_free(a);
}

/* One body paragraph, then `line`, then another paragraph: what does `line` become? */
static nd_block_kind kind_between(const char *line)
{
    char t[2048];
    snprintf(t, sizeof t,
             "The council met on Tuesday evening to discuss the budget for next year.\n\n%s\n\n"
             "Members agreed to meet again in two weeks to take a final vote on it.\n",
             line);
    nd_article *a = parse_ok(t, strlen(t), NULL);
    assert_int_equal(nd_article_count(a, ND_PART_BLOCK), 3);
    nd_span s;
    assert_int_equal(nd_article_span(&s, a, ND_PART_BLOCK, 1), ND_OK);
    nd_article_free(a);
    return s.kind;
}

typedef struct kcase {
    const char *line;
    nd_block_kind kind;
} kcase;

static void test_block_kinds(void **state)
{
    (void)state;
    static const kcase cases[] = {
        /* boilerplate, by genre */
        {"Read more: Why the river flooded", ND_BLOCK_BOILERPLATE},
        {"READ MORE", ND_BLOCK_BOILERPLATE},
        {"Related: Ten years of floods in the valley", ND_BLOCK_BOILERPLATE},
        {"Related Articles", ND_BLOCK_BOILERPLATE},
        {"Also read: The mayor's plan for the harbour", ND_BLOCK_BOILERPLATE},
        {"Share this article", ND_BLOCK_BOILERPLATE},
        {"Share on Facebook", ND_BLOCK_BOILERPLATE},
        {"Facebook Twitter Email", ND_BLOCK_BOILERPLATE},
        {"Follow us on Twitter for the latest news", ND_BLOCK_BOILERPLATE},
        {"Subscribe to our newsletter for daily updates", ND_BLOCK_BOILERPLATE},
        {"Sign up for breaking news alerts", ND_BLOCK_BOILERPLATE},
        {"Click here to watch the video", ND_BLOCK_BOILERPLATE},
        {"Advertisement", ND_BLOCK_BOILERPLATE},
        {"Copyright 2025 Example News. All rights reserved.", ND_BLOCK_BOILERPLATE},
        {"\xc2\xa9 Example News 2025", ND_BLOCK_BOILERPLATE},
        {"(Reporting by Jane Doe; Editing by John Roe)", ND_BLOCK_BOILERPLATE},
        {"Sam Poe in Rome contributed to this report.", ND_BLOCK_BOILERPLATE},
        /* lookalikes that are body text */
        {"Related to this, the council also approved a new budget for the schools.",
         ND_BLOCK_PARAGRAPH},
        {"Subscribers to the service will pay less from July, the company said.",
         ND_BLOCK_PARAGRAPH},
        {"By the end of the day, most of the roads had reopened.", ND_BLOCK_PARAGRAPH},
        {"Share prices fell by two percent after the announcement on Monday.",
         ND_BLOCK_PARAGRAPH},
        {"Follow-up inspections are planned for the autumn, officials said.", ND_BLOCK_PARAGRAPH},
        {"The mayor thanked the crews (via a short video message).", ND_BLOCK_PARAGRAPH},
        {"The ministry said on June 6, 2025, that talks would resume soon.", ND_BLOCK_PARAGRAPH},
        /* captions and credits */
        {"FILE - The old bridge seen from the harbour, May 2, 2019. (AP Photo/Jane Doe)",
         ND_BLOCK_CAPTION},
        {"In this image released by the city, crews repair the deck of the bridge.",
         ND_BLOCK_CAPTION},
        {"Rescuers carry a child to a boat in the flooded town on Monday. (Getty Images)",
         ND_BLOCK_CAPTION},
        {"A ferry leaves the port on Sunday. (Reuters)", ND_BLOCK_CAPTION},
        {"Crowds on the bridge at dawn on Friday. Photograph: Jane Doe/AFP", ND_BLOCK_CAPTION},
        {"He posted a photo: a cat asleep on the roof of the old mill.", ND_BLOCK_PARAGRAPH},
        {"Source: a person familiar with the talks said the deal was close.",
         ND_BLOCK_PARAGRAPH},
        {"Source: Ministry of Health", ND_BLOCK_CREDIT},
        {"Share prices fell.", ND_BLOCK_PARAGRAPH},
        {"Photo: Jane Doe/Reuters", ND_BLOCK_CREDIT},
        {"(AP Photo/Jane Doe)", ND_BLOCK_CREDIT},
        {"AFP/Getty Images", ND_BLOCK_CREDIT},
        /* bylines */
        {"By Jane Doe", ND_BLOCK_BYLINE},
        {"BY JOHN ROE, ASSOCIATED PRESS", ND_BLOCK_BYLINE},
        {"Jane Doe | Reuters", ND_BLOCK_BYLINE},
        {"Written by Sam Poe", ND_BLOCK_BYLINE},
        /* separators */
        {"***", ND_BLOCK_SEPARATOR},
        {"* * *", ND_BLOCK_SEPARATOR},
        {"---", ND_BLOCK_SEPARATOR},
        {"___", ND_BLOCK_SEPARATOR},
        {"\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2", ND_BLOCK_SEPARATOR},
        {"\xe2\x80\x94", ND_BLOCK_SEPARATOR},
        {"-", ND_BLOCK_SEPARATOR},
        /* dates and addresses */
        {"Updated: June 7, 2025 9:15 AM ET", ND_BLOCK_DATE},
        {"8:24am:", ND_BLOCK_DATE},
        {"https://example.org/a/b", ND_BLOCK_URL},
        /* crossheads */
        {"What the council decided", ND_BLOCK_CROSSHEAD},
        {"A NEW PLAN FOR THE HARBOUR", ND_BLOCK_CROSSHEAD},
        {"Short line that goes on,", ND_BLOCK_PARAGRAPH},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        nd_block_kind k = kind_between(cases[i].line);
        if (k != cases[i].kind) {
            printf("\"%s\": %s, expected %s\n", cases[i].line, nd_block_kind_str(k),
                   nd_block_kind_str(cases[i].kind));
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

/* Headline forms: quoted, title case with a stop, a question; and leads that are not. */
static void test_headlines(void **state)
{
    (void)state;
    static const struct {
        const char *first;
        const char *headline; /* NULL: no headline */
    } cases[] = {
        {"\xe2\x80\x9c" "A Quiet Harbour Town Counts Its Losses\xe2\x80\x9d",
         "A Quiet Harbour Town Counts Its Losses"},
        {"Harbour Town Counts Its Losses.", "Harbour Town Counts Its Losses."},
        {"Will the bridge be ready by winter?", "Will the bridge be ready by winter?"},
        {"Floods close schools in the valley", "Floods close schools in the valley"},
        {"The river rose by two metres overnight and reached the doors of many houses.", NULL},
        {"officials said the water was falling", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char t[1024];
        snprintf(t, sizeof t,
                 "%s\n\nThe council met on Tuesday evening to discuss the damage.\n\nMembers "
                 "agreed to meet again in two weeks.\n",
                 cases[i].first);
        nd_article *a = parse_ok(t, strlen(t), NULL);
        const char *h = nd_article_get(a, ND_FIELD_HEADLINE);
        if (cases[i].headline) {
            if (!h || strcmp(h, cases[i].headline) != 0)
                fail_msg("\"%s\": headline \"%s\"", cases[i].first, h ? h : "(none)");
        } else if (h) {
            fail_msg("\"%s\": unexpected headline", cases[i].first);
        }
        nd_article_free(a);
    }
}

/* Bad input: each is refused with a message that says why and where. */
static void test_bad_text(void **state)
{
    (void)state;
    char err[256];
    assert_int_equal(parse_err("", 0, NULL, err, sizeof err), ND_ERR_INPUT);
    assert_string_equal(err, "empty");
    assert_int_equal(parse_err(NULL, 0, NULL, err, sizeof err), ND_ERR_INPUT);
    assert_int_equal(parse_err(" \n\t\r\n  \n", 8, NULL, err, sizeof err), ND_ERR_INPUT);
    assert_string_equal(err, "empty");
    assert_int_equal(parse_err("\xEF\xBB\xBF\n", 4, NULL, err, sizeof err), ND_ERR_INPUT);
    assert_string_equal(err, "empty");

    static const char nul[] = "Some text\0 and more.";
    assert_int_equal(parse_err(nul, sizeof nul - 1, NULL, err, sizeof err), ND_ERR_INPUT);
    assert_non_null(strstr(err, "NUL byte at offset 9"));

    static const char utf[] = "Good text. \xc3\x28 bad.";
    assert_int_equal(parse_err(utf, sizeof utf - 1, NULL, err, sizeof err), ND_ERR_INPUT);
    assert_non_null(strstr(err, "invalid UTF-8 at byte offset 11"));
    static const char trunc[] = "Ends in the middle of a character \xe2\x80";
    assert_int_equal(parse_err(trunc, sizeof trunc - 1, NULL, err, sizeof err), ND_ERR_INPUT);
    assert_non_null(strstr(err, "offset 34"));

    nd_read_opts small = {.max_article_bytes = 100};
    char big[300];
    memset(big, 'a', sizeof big);
    assert_int_equal(parse_err(big, sizeof big, &small, err, sizeof err), ND_ERR_TOO_BIG);
    assert_non_null(strstr(err, "300 bytes"));

    static const char only[] = "Advertisement\n\nRead more: Other stories\n";
    assert_int_equal(parse_err(only, sizeof only - 1, NULL, err, sizeof err), ND_ERR_INPUT);
    assert_non_null(strstr(err, "no body"));

    /* a tiny or missing error buffer is fine */
    assert_int_equal(parse_err("", 0, NULL, err, 3), ND_ERR_INPUT);
    assert_string_equal(err, "em");
    assert_int_equal(parse_err("", 0, NULL, NULL, 0), ND_ERR_INPUT);
    assert_int_equal(nd_article_parse_text(NULL, "x", 1, "t", "s", NULL, NULL, 0), ND_ERR_ARG);
}

/* Degenerate shapes: one line, one huge line, many empty lines, only separators. */
static void test_degenerate(void **state)
{
    (void)state;
    nd_article *a = parse_ok("One line.", 9, NULL);
    assert_int_equal(nd_article_count(a, ND_PART_PARAGRAPH), 1);
    nd_article_free(a);

    size_t n = 1 << 20;
    char *t = malloc(n + 1);
    assert_non_null(t);
    for (size_t i = 0; i < n; i++)
        t[i] = (i % 7 == 6) ? ' ' : (i % 97 == 96 ? '.' : 'a');
    a = parse_ok(t, n, NULL);
    assert_int_equal(nd_article_count(a, ND_PART_BLOCK), 1);
    nd_article_free(a);

    memset(t, '\n', n);
    memcpy(t + n / 2, "Text in the middle.", 19);
    a = parse_ok(t, n, NULL);
    assert_int_equal(nd_article_count(a, ND_PART_BLOCK), 1);
    nd_article_free(a);

    char err[128];
    memset(t, '-', n);
    for (size_t i = 0; i < n; i += 2)
        t[i] = '\n';
    assert_int_equal(parse_err(t, n, NULL, err, sizeof err), ND_ERR_INPUT);
    free(t);
}

/* ---- JSON ------------------------------------------------------------------------------- */

static nd_article *json_ok(const char *s, const nd_read_opts *opts)
{
    char err[256];
    nd_article *a = NULL;
    nd_status st = nd_article_parse_json(&a, s, strlen(s), "fb:1", "f.jsonl:1", opts, err,
                                         sizeof err);
    if (st != ND_OK)
        fail_msg("json failed: %s: %s", nd_status_str(st), err);
    return a;
}

static nd_status json_err(const char *s, char *err, size_t errlen)
{
    nd_article *a = (nd_article *)1;
    nd_status st = nd_article_parse_json(&a, s, strlen(s), "fb:1", "f.jsonl:1", NULL, err,
                                         errlen);
    assert_null(a);
    return st;
}

static void test_json_fields(void **state)
{
    (void)state;
    static const char j[] =
        "{\"id\": \"h-1\", \"title\": \"  Harbour Bridge Reopens \", \"description\": \"Traffic "
        "crossed at dawn.\", \"maintext\": \"The bridge carried its first cars at six in the "
        "morning.\\nAdvertisement\\nWhat comes next\\nThe council will vote in July on a cycle "
        "lane.\\nRescuers on the deck on Monday. (Getty Images)\\nThe works took two years.\", "
        "\"date_publish\": \"2025-06-06 10:24:00\", \"source_domain\": \"example-news.com\", "
        "\"url\": \"https://www.example-news.com/a\", \"language\": \"en\", \"authors\": "
        "[\"Maria Lopez\", \"Tom Reyes\"], \"image_url\": null, \"extra\": {\"a\": [1, 2]}}";
    nd_article *a = json_ok(j, NULL);
    assert_string_equal(nd_article_get(a, ND_FIELD_ID), "h-1");
    assert_string_equal(nd_article_get(a, ND_FIELD_SOURCE), "f.jsonl:1");
    assert_string_equal(nd_article_get(a, ND_FIELD_HEADLINE), "Harbour Bridge Reopens");
    assert_string_equal(nd_article_get(a, ND_FIELD_DEK), "Traffic crossed at dawn.");
    assert_string_equal(nd_article_get(a, ND_FIELD_DATE), "2025-06-06T10:24:00");
    assert_string_equal(nd_article_get(a, ND_FIELD_DATE_RAW), "2025-06-06 10:24:00");
    assert_string_equal(nd_article_get(a, ND_FIELD_OUTLET), "example-news.com");
    assert_string_equal(nd_article_get(a, ND_FIELD_URL), "https://www.example-news.com/a");
    assert_string_equal(nd_article_get(a, ND_FIELD_LANGUAGE), "en");
    assert_string_equal(nd_article_get(a, ND_FIELD_BYLINE), "Maria Lopez, Tom Reyes");
    static const nd_block_kind k[] = {ND_BLOCK_PARAGRAPH, ND_BLOCK_BOILERPLATE,
                                      ND_BLOCK_CROSSHEAD, ND_BLOCK_PARAGRAPH, ND_BLOCK_CAPTION,
                                      ND_BLOCK_PARAGRAPH};
    expect_kinds(a, k, 6);
    size_t rl;
    const char *raw = nd_article_raw(a, &rl);
    assert_true(strncmp(raw, "The bridge carried", 18) == 0); /* raw is the decoded maintext */
    assert_null(memchr(raw, '\\', rl));
    nd_article_free(a);

    /* integer id, "text" instead of "maintext", outlet from the url, fallback id */
    a = json_ok("{\"id\": 42, \"text\": \"Only a short body.\", \"url\": "
                "\"http://www.Example.org/x\"}",
                NULL);
    assert_string_equal(nd_article_get(a, ND_FIELD_ID), "42");
    assert_string_equal(nd_article_get(a, ND_FIELD_OUTLET), "example.org");
    assert_null(nd_article_get(a, ND_FIELD_HEADLINE));
    nd_article_free(a);
    a = json_ok("{\"maintext\": \"Only a short body.\", \"title\": null, \"authors\": []}", NULL);
    assert_string_equal(nd_article_get(a, ND_FIELD_ID), "fb:1");
    assert_null(nd_article_get(a, ND_FIELD_BYLINE));
    assert_null(nd_article_get(a, ND_FIELD_OUTLET));
    nd_article_free(a);

    /* an unreadable date keeps date_raw; a date line in the text fills in a missing date */
    a = json_ok("{\"maintext\": \"Body text here.\", \"date_publish\": \"soon\"}", NULL);
    assert_null(nd_article_get(a, ND_FIELD_DATE));
    assert_string_equal(nd_article_get(a, ND_FIELD_DATE_RAW), "soon");
    nd_article_free(a);
    a = json_ok("{\"maintext\": \"Posted: May 24, 2005\\nBody text here.\"}", NULL);
    assert_string_equal(nd_article_get(a, ND_FIELD_DATE), "2005-05-24");
    nd_article_free(a);

    /* overrides */
    nd_read_opts o = {.outlet = "Gazette", .date = "2025-01-02", .url = "u"};
    a = json_ok(j, &o);
    assert_string_equal(nd_article_get(a, ND_FIELD_OUTLET), "Gazette");
    assert_string_equal(nd_article_get(a, ND_FIELD_DATE), "2025-01-02");
    assert_string_equal(nd_article_get(a, ND_FIELD_URL), "u");
    nd_article_free(a);

    /* a JSON text and the same text as a file give the same body and hash */
    static const char body[] = "First paragraph of the story.\nSecond paragraph of it.";
    a = json_ok("{\"maintext\": \"First paragraph of the story.\\nSecond paragraph of it.\"}",
                NULL);
    nd_article *b = parse_ok(body, sizeof body - 1, NULL);
    assert_string_equal(nd_article_hash(a), nd_article_hash(b));
    nd_article_free(a);
    nd_article_free(b);
}

static void test_json_errors(void **state)
{
    (void)state;
    char err[256];
    assert_int_equal(json_err("{\"maintext\": \"x\"", err, sizeof err), ND_ERR_INPUT);
    assert_non_null(strstr(err, "invalid JSON at column"));
    assert_int_equal(json_err("", err, sizeof err), ND_ERR_INPUT);
    assert_int_equal(json_err("[1, 2]", err, sizeof err), ND_ERR_INPUT);
    assert_string_equal(err, "not a JSON object");
    assert_int_equal(json_err("{\"title\": \"T\"}", err, sizeof err), ND_ERR_INPUT);
    assert_non_null(strstr(err, "no \"maintext\" or \"text\""));
    assert_int_equal(json_err("{\"maintext\": \"  \\n \"}", err, sizeof err), ND_ERR_INPUT);
    assert_string_equal(err, "field \"maintext\" is empty");
    assert_int_equal(json_err("{\"maintext\": 5}", err, sizeof err), ND_ERR_INPUT);
    assert_string_equal(err, "field \"maintext\" must be a string");
    assert_int_equal(json_err("{\"maintext\": \"x.\", \"title\": 5}", err, sizeof err),
                     ND_ERR_INPUT);
    assert_string_equal(err, "field \"title\" must be a string");
    assert_int_equal(json_err("{\"maintext\": \"x.\", \"id\": [1]}", err, sizeof err),
                     ND_ERR_INPUT);
    assert_string_equal(err, "field \"id\" must be a string or an integer");
    assert_int_equal(json_err("{\"maintext\": \"x.\", \"id\": 1.5}", err, sizeof err),
                     ND_ERR_INPUT);
    assert_int_equal(json_err("{\"maintext\": \"x.\", \"authors\": [\"A\", 2]}", err,
                              sizeof err),
                     ND_ERR_INPUT);
    assert_string_equal(err, "field \"authors\" must be an array of strings");
    assert_int_equal(json_err("{\"maintext\": \"x.\", \"date_publish\": {}}", err, sizeof err),
                     ND_ERR_INPUT);
    assert_string_equal(err, "field \"date_publish\" must be a string");
    assert_int_equal(json_err("{\"maintext\": \"x.\", \"maintext\": \"y.\"}", err, sizeof err),
                     ND_ERR_INPUT);
    assert_non_null(strstr(err, "duplicate"));
    assert_int_equal(json_err("{\"maintext\": \"a\\u0000b\"}", err, sizeof err), ND_ERR_INPUT);
    assert_int_equal(json_err("{\"maintext\": \"Advertisement\"}", err, sizeof err),
                     ND_ERR_INPUT);
    assert_non_null(strstr(err, "no body"));
    assert_int_equal(json_err("{\"maintext\": \"x.\"} {}", err, sizeof err), ND_ERR_INPUT);

    nd_read_opts small = {.max_article_bytes = 10};
    nd_article *a = NULL;
    assert_int_equal(nd_article_parse_json(&a, "{\"maintext\": \"long enough\"}", 27, "f", "s",
                                           &small, err, sizeof err),
                     ND_ERR_TOO_BIG);
}

static char *nested(int depth)
{
    char *s = malloc((size_t)depth * 2 + 64);
    assert_non_null(s);
    size_t n = (size_t)sprintf(s, "{\"maintext\": \"Body.\", \"x\": ");
    for (int i = 1; i < depth; i++)
        s[n++] = '[';
    for (int i = 1; i < depth; i++)
        s[n++] = ']';
    s[n++] = '}';
    s[n] = '\0';
    return s;
}

static void test_json_depth(void **state)
{
    (void)state;
    char err[256];
    char *ok = nested(64), *deep = nested(65), *huge = nested(100000);
    nd_article *a = json_ok(ok, NULL);
    nd_article_free(a);
    assert_int_equal(json_err(deep, err, sizeof err), ND_ERR_INPUT);
    assert_string_equal(err, "nesting deeper than 64");
    assert_int_equal(json_err(huge, err, sizeof err), ND_ERR_INPUT);
    /* brackets inside strings do not count */
    a = json_ok("{\"maintext\": \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
                "[[[[[[[[[[[[ is fine.\", \"t\": \"\\\"{{{{\"}",
                NULL);
    nd_article_free(a);
    free(ok);
    free(deep);
    free(huge);
}

static int setup(void **state)
{
    (void)state;
    nd_alloc_init();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_header),  cmocka_unit_test(test_overrides),
        cmocka_unit_test(test_crlf_and_bom), cmocka_unit_test(test_hard_wrapped),
        cmocka_unit_test(test_line_joins),   cmocka_unit_test(test_block_kinds),
        cmocka_unit_test(test_headlines),    cmocka_unit_test(test_bad_text),
        cmocka_unit_test(test_degenerate),   cmocka_unit_test(test_json_fields),
        cmocka_unit_test(test_json_errors),  cmocka_unit_test(test_json_depth),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
