/*
 * ECB+ .txt files against articles.jsonl: the plain-text layout parser must find the same
 * headline (the JSON `title`) and the same body paragraphs (the `maintext` lines) as the
 * corpus's own conversion. The JSONL side is parsed too (body mode) and compared the same
 * way. The corpus keeps stray date lines and deks as body paragraphs while the parser files
 * them as date and dek blocks (as it should), so body agreement is below 100% by design; the
 * disagreements are printed by kind.
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
#include <jansson.h>

#include "newsdesk.h"
#include "support.h"
#include "util/alloc.h"

typedef struct tally {
    int articles, headline_ok, body_ok, both_ok, outlet_ok;
    long gold_lines, gold_found;   /* maintext lines that are body paragraphs */
    long mine, mine_gold;          /* body paragraphs that are maintext lines */
    int why[ND_BLOCK_KIND_COUNT_]; /* kinds given to maintext lines left out of the body */
    int json_body_ok;
} tally;

/* The article's body paragraphs joined with "\n" (the maintext convention). Malloc'd. */
static char *paragraphs(const nd_article *a)
{
    size_t bl, np = nd_article_count(a, ND_PART_PARAGRAPH);
    const char *body = nd_article_body(a, &bl);
    char *s = malloc(bl + 2);
    size_t n = 0;
    assert_non_null(s);
    for (size_t k = 0; k < np; k++) {
        nd_span sp;
        assert_int_equal(nd_article_span(&sp, a, ND_PART_PARAGRAPH, k), ND_OK);
        if (k)
            s[n++] = '\n';
        memcpy(s + n, body + sp.start, sp.end - sp.start);
        n += sp.end - sp.start;
    }
    s[n] = '\0';
    return s;
}

/* Is `line` one of the "\n"-separated lines of `text`? */
static int has_line(const char *text, const char *line, size_t n)
{
    const char *p = text;
    while ((p = strstr(p, line)) != NULL) {
        if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
            return 1;
        p++;
    }
    return 0;
}

/* Which kind did the parser give the raw text `line`? */
static int kind_of_line(const nd_article *a, const char *line, size_t n)
{
    size_t rl, nb = nd_article_count(a, ND_PART_BLOCK);
    const char *raw = nd_article_raw(a, &rl);
    for (size_t k = 0; k < nb; k++) {
        nd_span sp;
        nd_article_span(&sp, a, ND_PART_BLOCK, k);
        if (sp.raw_end - sp.raw_start == n && memcmp(raw + sp.raw_start, line, n) == 0)
            return (int)sp.kind;
    }
    return -1;
}

static void compare(tally *t, const char *id, const nd_article *a, const char *title,
                    const char *maintext, const char *domain)
{
    const char *h = nd_article_get(a, ND_FIELD_HEADLINE);
    int hm = (!h && !title) || (h && title && strcmp(h, title) == 0);
    char *mine = paragraphs(a);
    int bm = strcmp(mine, maintext) == 0;
    const char *o = nd_article_get(a, ND_FIELD_OUTLET);
    t->outlet_ok += (!o && !domain) || (o && domain && strcmp(o, domain) == 0);
    t->headline_ok += hm;
    t->body_ok += bm;
    t->both_ok += hm && bm;
    if (!hm)
        printf("  %s: headline \"%s\", corpus \"%s\"\n", id, h ? h : "", title ? title : "");

    char *g = strdup(maintext);
    assert_non_null(g);
    char *save = NULL;
    for (char *p = strtok_r(g, "\n", &save); p; p = strtok_r(NULL, "\n", &save)) {
        size_t n = strlen(p);
        t->gold_lines++;
        if (has_line(mine, p, n)) {
            t->gold_found++;
        } else {
            int k = kind_of_line(a, p, n);
            if (k >= 0)
                t->why[k]++;
            printf("  %s: corpus body line filed as %s: %.70s\n", id,
                   k >= 0 ? nd_block_kind_str((nd_block_kind)k) : "(split differently)", p);
        }
    }
    free(g);
    size_t np = nd_article_count(a, ND_PART_PARAGRAPH), bl;
    const char *body = nd_article_body(a, &bl);
    for (size_t k = 0; k < np; k++) {
        nd_span sp;
        nd_article_span(&sp, a, ND_PART_PARAGRAPH, k);
        char *p = strndup(body + sp.start, sp.end - sp.start);
        assert_non_null(p);
        t->mine++;
        if (has_line(maintext, p, sp.end - sp.start))
            t->mine_gold++;
        else
            printf("  %s: body paragraph not in the corpus body: %.70s\n", id, p);
        free(p);
    }
    free(mine);
}

static void test_txt_vs_jsonl(void **state)
{
    (void)state;
    if (!t_corpus())
        skip();
    nd_alloc_init();
    size_t jl;
    char *jsonl = t_read_file(t_corpus_path("ecbplus/articles.jsonl"), &jl);
    tally t = {0};
    char *save = NULL;
    for (char *ln = strtok_r(jsonl, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
        json_error_t e;
        json_t *o = json_loads(ln, 0, &e);
        assert_non_null(o);
        const char *id = json_string_value(json_object_get(o, "id"));
        const char *title = json_string_value(json_object_get(o, "title"));
        const char *mt = json_string_value(json_object_get(o, "maintext"));
        const char *dom = json_string_value(json_object_get(o, "source_domain"));
        assert_non_null(id);
        assert_non_null(mt);

        char rel[256], err[256];
        snprintf(rel, sizeof rel, "ecbplus/articles/%s.txt", id);
        size_t tl;
        char *txt = t_read_file(t_corpus_path(rel), &tl);
        nd_article *a = NULL;
        nd_status st = nd_article_parse_text(&a, txt, tl, id, rel, NULL, err, sizeof err);
        if (st != ND_OK)
            fail_msg("%s: %s", id, err);
        t.articles++;
        compare(&t, id, a, title, mt, dom);
        assert_string_equal(nd_article_get(a, ND_FIELD_ID), id);
        nd_article_free(a);
        free(txt);

        /* the same article through the JSON reader */
        nd_article *b = NULL;
        st = nd_article_parse_json(&b, ln, strlen(ln), "x", "jsonl", NULL, err, sizeof err);
        if (st != ND_OK)
            fail_msg("%s (json): %s", id, err);
        char *mine = paragraphs(b);
        t.json_body_ok += strcmp(mine, mt) == 0;
        if (title)
            assert_string_equal(nd_article_get(b, ND_FIELD_HEADLINE), title);
        free(mine);
        nd_article_free(b);
        json_decref(o);
    }
    free(jsonl);

    printf("ECB+ txt vs jsonl: %d articles; headline %d (%.2f%%); body %d (%.2f%%); both %d "
           "(%.2f%%); outlet %d\n",
           t.articles, t.headline_ok, 100.0 * t.headline_ok / t.articles, t.body_ok,
           100.0 * t.body_ok / t.articles, t.both_ok, 100.0 * t.both_ok / t.articles,
           t.outlet_ok);
    printf("  corpus body lines found in the body: %ld of %ld (%.2f%%); body paragraphs that "
           "are corpus body lines: %ld of %ld (%.2f%%)\n",
           t.gold_found, t.gold_lines, 100.0 * (double)t.gold_found / (double)t.gold_lines,
           t.mine_gold, t.mine, 100.0 * (double)t.mine_gold / (double)t.mine);
    printf("  corpus body lines left out of the body, by the kind given:");
    for (int k = 0; k < ND_BLOCK_KIND_COUNT_; k++)
        if (t.why[k])
            printf(" %s %d", nd_block_kind_str((nd_block_kind)k), t.why[k]);
    printf("\n  jsonl maintext (body mode) equal to its own lines: %d (%.2f%%)\n",
           t.json_body_ok, 100.0 * t.json_body_ok / t.articles);

    assert_int_equal(t.articles, 982);
    /* thresholds a little under what is reached (100, 92.2, 98.2, 100 and 100 percent) */
    assert_true(t.headline_ok * 1000 >= t.articles * 998);
    assert_true(t.both_ok * 100 >= t.articles * 91);
    assert_true(t.gold_found * 100 >= t.gold_lines * 98);
    assert_true(t.mine_gold * 1000 >= t.mine * 999);
    assert_true(t.outlet_ok * 1000 >= t.articles * 999);
    assert_true(t.json_body_ok * 100 >= t.articles * 91);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_txt_vs_jsonl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
