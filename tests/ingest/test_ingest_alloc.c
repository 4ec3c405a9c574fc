/*
 * Allocation failures: make the n-th allocation fail, for n = 0, 1, 2, ... until the call
 * succeeds. Every failure must come back as ND_ERR_NOMEM with nothing returned and nothing
 * leaked (the sanitizer build checks the leaks).
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "newsdesk.h"
#include "support.h"
#include "util/alloc.h"

static const char TEXT[] =
    "https://www.harbour-times.example/2025/06/06/bridge\n"
    "Published: June 6, 2025 9:39 AM\n"
    "\n"
    "Harbour Bridge Reopens After Two Years\n"
    "Engineers finished the last inspection on Thursday night and the first traffic crossed "
    "the river at dawn\n"
    "\n"
    "By Maria Lopez\n"
    "\n"
    "FILE - Workers on the deck of the bridge during repairs. (AP Photo/Tom Reyes)\n"
    "\n"
    "The bridge carried its first cars at six in the morning. The mayor cut a ribbon.\n"
    "\n"
    "What comes next\n"
    "\n"
    "The council will vote in July on a plan to add a cycle lane, Mr. Reyes said.\n"
    "\n"
    "Read more: How the city chose its contractor\n";

static const char JSON[] =
    "{\"id\": \"h-1\", \"title\": \"Harbour Bridge Reopens\", \"description\": \"At dawn.\", "
    "\"maintext\": \"The bridge carried its first cars at six. The mayor cut a ribbon.\\n"
    "Advertisement\\nWhat comes next\\nThe council will vote in July.\", \"date_publish\": "
    "\"2025-06-06 10:24:00\", \"source_domain\": \"harbour-times.example\", \"authors\": "
    "[\"Maria Lopez\", \"Tom Reyes\"], \"language\": \"en\", \"extra\": {\"a\": [1, 2, 3]}}";

static void test_parse_text(void **state)
{
    (void)state;
    long n;
    for (n = 0;; n++) {
        nd_article *a = (nd_article *)1;
        char err[128];
        nd_alloc_fail_after(n);
        nd_status st = nd_article_parse_text(&a, TEXT, sizeof TEXT - 1, "id", "src", NULL, err,
                                             sizeof err);
        long failed = nd_alloc_failures();
        nd_alloc_fail_after(-1);
        if (st == ND_OK) {
            assert_int_equal(failed, 0);
            assert_string_equal(nd_article_get(a, ND_FIELD_HEADLINE),
                                "Harbour Bridge Reopens After Two Years");
            nd_article_free(a);
            break;
        }
        if (st != ND_ERR_NOMEM)
            fail_msg("allocation %ld failed: %s (%s)", n, nd_status_str(st), err);
        assert_null(a);
        assert_true(failed > 0);
    }
    assert_true(n > 3); /* the loop did test some failures */
}

static void test_parse_json(void **state)
{
    (void)state;
    long n;
    for (n = 0;; n++) {
        nd_article *a = (nd_article *)1;
        char err[128];
        nd_alloc_fail_after(n);
        nd_status st = nd_article_parse_json(&a, JSON, sizeof JSON - 1, "fb", "src", NULL, err,
                                             sizeof err);
        long failed = nd_alloc_failures();
        nd_alloc_fail_after(-1);
        if (st == ND_OK) {
            assert_int_equal(failed, 0);
            assert_string_equal(nd_article_get(a, ND_FIELD_BYLINE), "Maria Lopez, Tom Reyes");
            nd_article_free(a);
            break;
        }
        if (st != ND_ERR_NOMEM)
            fail_msg("allocation %ld failed: %s (%s)", n, nd_status_str(st), err);
        assert_null(a);
    }
    assert_true(n > 10); /* Jansson's allocations went through the wrappers too */
}

/* The reader over a folder with a text file and a JSON Lines file. A failure may surface in
 * any call; the reader must then still be freed cleanly. */
static void test_reader(void **state)
{
    (void)state;
    const char *dir = t_tmpdir();
    char path[600], sub[600];
    snprintf(path, sizeof path, "%s/a.txt", dir);
    t_write_file(path, TEXT, sizeof TEXT - 1);
    snprintf(sub, sizeof sub, "%s/b.jsonl", dir);
    t_write_file(sub, JSON, sizeof JSON - 1);
    long n;
    for (n = 0;; n++) {
        nd_reader *r = NULL;
        nd_alloc_fail_after(n);
        nd_status st = nd_reader_new(&r, NULL);
        if (st == ND_OK)
            st = nd_reader_add_path(r, dir);
        int articles = 0;
        while (st == ND_OK) {
            nd_article *a = NULL;
            st = nd_reader_next(r, &a);
            if (st == ND_OK) {
                articles++;
                nd_article_free(a);
            }
        }
        long failed = nd_alloc_failures();
        nd_alloc_fail_after(-1);
        nd_reader_free(r);
        if (st == ND_DONE && failed == 0) {
            assert_int_equal(articles, 2);
            break;
        }
        if (st != ND_ERR_NOMEM)
            fail_msg("allocation %ld failed: %s", n, nd_status_str(st));
    }
    assert_true(n > 10);
    t_rmtree(dir);
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
        cmocka_unit_test(test_parse_text),
        cmocka_unit_test(test_parse_json),
        cmocka_unit_test(test_reader),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
