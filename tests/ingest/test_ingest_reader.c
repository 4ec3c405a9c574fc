/*
 * The reader: folders (order, what is skipped, symlink loops), JSON Lines streams (errors by
 * line, over-long lines, a 10 MB line), caps, missing and unreadable paths, standard input.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "newsdesk.h"
#include "support.h"
#include "util/alloc.h"

static const char TEXT_A[] = "Harbour Bridge Reopens\n\nThe bridge carried its first cars at "
                             "six in the morning, after a short ceremony.\n";
static const char TEXT_B[] = "The council met on Tuesday evening to discuss the budget.\n";

static char dir[512];

static const char *at(const char *rel)
{
    static char buf[4][1024];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, rel);
    return buf[k];
}

static void put(const char *rel, const char *s)
{
    t_write_file(at(rel), s, strlen(s));
}

/* One expected result of nd_reader_next(). */
typedef struct expect {
    nd_status st;
    const char *id;  /* for ND_OK */
    const char *msg; /* a substring of the message otherwise */
} expect;

static void drain(nd_reader *r, const expect *want, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        nd_article *a = NULL;
        nd_status st = nd_reader_next(r, &a);
        const char *m = nd_reader_errmsg(r);
        if (st != want[i].st)
            fail_msg("result %zu: %s (%s), expected %s", i, nd_status_str(st), m,
                     nd_status_str(want[i].st));
        if (st == ND_OK) {
            assert_non_null(a);
            if (strcmp(nd_article_get(a, ND_FIELD_ID), want[i].id) != 0)
                fail_msg("result %zu: id %s, expected %s", i, nd_article_get(a, ND_FIELD_ID),
                         want[i].id);
            nd_article_free(a);
        } else {
            assert_null(a);
            if (!strstr(m, want[i].msg))
                fail_msg("result %zu: message \"%s\" lacks \"%s\"", i, m, want[i].msg);
        }
    }
    nd_article *a = NULL;
    assert_int_equal(nd_reader_next(r, &a), ND_DONE);
    assert_int_equal(nd_reader_next(r, &a), ND_DONE);
}

static void test_folder(void **state)
{
    (void)state;
    put("a.txt", TEXT_A);
    put("b", TEXT_B);
    put("c.jsonl", "{\"id\": \"c1\", \"maintext\": \"First line article.\"}\n"
                   "{oops\n"
                   "\n"
                   "   \n"
                   "{\"title\": \"no text\"}\n"
                   "{\"maintext\": \"Article without an id.\"}");
    put("d.ndjson", "{\"id\": \"d1\", \"maintext\": \"Windows line.\"}\r\n"
                    "{\"id\": \"d2\", \"maintext\": \"Another one.\"}\r\n");
    put("e.txt", "  {\"id\": \"e1\", \"maintext\": \"A .txt file that holds JSON Lines.\"}\n");
    put("README.md", "# Not an article\n");
    put("LICENSE", "Some license text.\n");
    put("notes.md", "Notes that are not an article.\n");
    put("data.csv", "a,b\n1,2\n");
    put(".hidden", "Hidden text.\n");
    assert_int_equal(mkdir(at("sub"), 0755), 0);
    put("sub/f.text", TEXT_B);
    put("sub/g.TXT", TEXT_B);
    assert_int_equal(symlink("..", at("sub/loop")), 0);

    nd_reader *r;
    assert_int_equal(nd_reader_new(&r, NULL), ND_OK);
    assert_int_equal(nd_reader_add_path(r, dir), ND_OK);
    const expect want[] = {
        {ND_SKIPPED, NULL, ".hidden: not an article (hidden file)"},
        {ND_SKIPPED, NULL, "/LICENSE: not an article (LICENSE)"},
        {ND_SKIPPED, NULL, "/README.md: not an article (README)"},
        {ND_OK, "a", NULL},
        {ND_OK, "b", NULL},
        {ND_OK, "c1", NULL},
        {ND_ERR_INPUT, NULL, "c.jsonl:2: invalid JSON at column"},
        {ND_ERR_INPUT, NULL, "c.jsonl:5: no \"maintext\" or \"text\" field"},
        {ND_OK, "c:6", NULL},
        {ND_OK, "d1", NULL},
        {ND_OK, "d2", NULL},
        {ND_SKIPPED, NULL, "data.csv: not an article (.csv file)"},
        {ND_OK, "e1", NULL},
        {ND_SKIPPED, NULL, "notes.md: not an article (.md file)"},
        {ND_OK, "f", NULL},
        {ND_OK, "g", NULL},
        {ND_SKIPPED, NULL, "sub/loop: folder already visited (symlink loop)"},
    };
    drain(r, want, sizeof want / sizeof *want);
    uint64_t done, total;
    nd_reader_progress(r, &done, &total);
    assert_true(done > 0);
    assert_true(done == total);
    nd_reader_free(r);

    /* explicit paths are read whatever their name; sources and ids */
    assert_int_equal(nd_reader_new(&r, NULL), ND_OK);
    assert_int_equal(nd_reader_add_path(r, at("notes.md")), ND_OK);
    assert_int_equal(nd_reader_add_path(r, at("c.jsonl")), ND_OK);
    nd_article *a;
    assert_int_equal(nd_reader_next(r, &a), ND_OK);
    assert_string_equal(nd_article_get(a, ND_FIELD_ID), "notes");
    assert_string_equal(nd_article_get(a, ND_FIELD_SOURCE), at("notes.md"));
    nd_article_free(a);
    assert_int_equal(nd_reader_next(r, &a), ND_OK);
    char src[1100];
    snprintf(src, sizeof src, "%s:1", at("c.jsonl"));
    assert_string_equal(nd_article_get(a, ND_FIELD_SOURCE), src);
    nd_article_free(a);
    nd_reader_free(r);

    /* the same folder twice: read once */
    assert_int_equal(mkdir(at("two"), 0755), 0);
    put("two/x.txt", TEXT_B);
    put("two/y.txt", TEXT_B);
    assert_int_equal(nd_reader_new(&r, NULL), ND_OK);
    assert_int_equal(nd_reader_add_path(r, at("two")), ND_OK);
    assert_int_equal(nd_reader_add_path(r, at("two/")), ND_OK);
    int ok = 0, skipped = 0;
    nd_status st;
    while ((st = nd_reader_next(r, &a)) != ND_DONE) {
        if (st == ND_OK) {
            ok++;
            nd_article_free(a);
        } else {
            assert_int_equal(st, ND_SKIPPED);
            skipped++;
        }
    }
    assert_int_equal(ok, 2);
    assert_int_equal(skipped, 1);
    nd_reader_free(r);
}

static void test_missing_and_unreadable(void **state)
{
    (void)state;
    put("ok.txt", TEXT_B);
    put("locked.txt", TEXT_B);
    assert_int_equal(chmod(at("locked.txt"), 0), 0);
    nd_reader *r;
    assert_int_equal(nd_reader_new(&r, NULL), ND_OK);
    assert_int_equal(nd_reader_add_path(r, at("nope.txt")), ND_OK);
    assert_int_equal(nd_reader_add_path(r, at("locked.txt")), ND_OK);
    assert_int_equal(nd_reader_add_path(r, at("ok.txt")), ND_OK);
    assert_int_equal(nd_reader_add_path(r, ""), ND_ERR_ARG);
    nd_article *a;
    assert_int_equal(nd_reader_next(r, &a), ND_ERR_IO);
    char want[1100];
    snprintf(want, sizeof want, "%s: No such file or directory", at("nope.txt"));
    assert_string_equal(nd_reader_errmsg(r), want);
    if (geteuid() != 0) {
        /* root reads it anyway */
        assert_int_equal(nd_reader_next(r, &a), ND_ERR_IO);
        snprintf(want, sizeof want, "%s: Permission denied", at("locked.txt"));
        assert_string_equal(nd_reader_errmsg(r), want);
    } else {
        assert_int_equal(nd_reader_next(r, &a), ND_OK);
        nd_article_free(a);
    }
    assert_int_equal(nd_reader_next(r, &a), ND_OK);
    nd_article_free(a);
    assert_int_equal(nd_reader_next(r, &a), ND_DONE);
    nd_reader_free(r);
    chmod(at("locked.txt"), 0644);
}

static void test_caps(void **state)
{
    (void)state;
    char big[1000], line[400];
    memset(big, 'w', sizeof big - 1);
    for (size_t i = 5; i < sizeof big - 1; i += 6)
        big[i] = ' ';
    big[sizeof big - 2] = '.';
    big[sizeof big - 1] = '\0';
    put("big.txt", big);
    put("small.txt", TEXT_B);
    snprintf(line, sizeof line, "{\"maintext\": \"%0300d\"}", 7); /* 316 bytes */
    char jl[1200];
    snprintf(jl, sizeof jl,
             "{\"id\": \"j1\", \"maintext\": \"Short one.\"}\n%s\n{\"id\": \"j3\", \"maintext\": "
             "\"Short three.\"}\n%s",
             line, line);
    put("caps.jsonl", jl);

    nd_read_opts o = {.max_article_bytes = 200};
    nd_reader *r;
    assert_int_equal(nd_reader_new(&r, &o), ND_OK);
    assert_int_equal(nd_reader_add_path(r, at("big.txt")), ND_OK);
    assert_int_equal(nd_reader_add_path(r, at("small.txt")), ND_OK);
    assert_int_equal(nd_reader_add_path(r, at("caps.jsonl")), ND_OK);
    const expect want[] = {
        {ND_ERR_TOO_BIG, NULL, "big.txt: 999 bytes, over the cap of 200 bytes"},
        {ND_OK, "small", NULL},
        {ND_OK, "j1", NULL},
        {ND_ERR_TOO_BIG, NULL, "caps.jsonl:2: line of 316 bytes is longer than the cap of 200"},
        {ND_OK, "j3", NULL},
        {ND_ERR_TOO_BIG, NULL, "caps.jsonl:4: line of 316 bytes"}, /* no final newline */
    };
    drain(r, want, sizeof want / sizeof *want);
    nd_reader_free(r);
}

/* A 10 MB JSON line: read with the default cap, refused by line number with a 1 MiB cap. */
static void test_ten_megabyte_line(void **state)
{
    (void)state;
    const char *sentence = "The tide rose again in the night and the harbour wall held. ";
    size_t sl = strlen(sentence), target = (size_t)10 << 20;
    char *s = malloc(target + 4096);
    assert_non_null(s);
    size_t n = (size_t)sprintf(s, "{\"id\": \"big\", \"maintext\": \"");
    size_t k = 0;
    while (n < target) {
        memcpy(s + n, sentence, sl);
        n += sl;
        if (++k % 8 == 0) {
            memcpy(s + n, "\\n", 2);
            n += 2;
        }
    }
    n += (size_t)sprintf(s + n, "\"}\n{\"id\": \"after\", \"maintext\": \"Next line.\"}\n");
    t_write_file(at("big.jsonl"), s, n);
    free(s);

    nd_reader *r;
    assert_int_equal(nd_reader_new(&r, NULL), ND_OK);
    assert_int_equal(nd_reader_add_path(r, at("big.jsonl")), ND_OK);
    nd_article *a;
    assert_int_equal(nd_reader_next(r, &a), ND_OK);
    assert_string_equal(nd_article_get(a, ND_FIELD_ID), "big");
    size_t bl;
    nd_article_body(a, &bl);
    assert_true(bl > ((size_t)9 << 20));
    nd_article_free(a);
    assert_int_equal(nd_reader_next(r, &a), ND_OK);
    assert_string_equal(nd_article_get(a, ND_FIELD_ID), "after");
    nd_article_free(a);
    assert_int_equal(nd_reader_next(r, &a), ND_DONE);
    nd_reader_free(r);

    nd_read_opts o = {.max_article_bytes = (size_t)1 << 20};
    assert_int_equal(nd_reader_new(&r, &o), ND_OK);
    assert_int_equal(nd_reader_add_path(r, at("big.jsonl")), ND_OK);
    const expect want[] = {
        {ND_ERR_TOO_BIG, NULL, "big.jsonl:1: line of "},
        {ND_OK, "after", NULL},
    };
    drain(r, want, 2);
    nd_reader_free(r);
}

static void test_stdin(void **state)
{
    (void)state;
    /* a text article through freopen */
    put("in.txt", TEXT_A);
    assert_non_null(freopen(at("in.txt"), "r", stdin));
    nd_read_opts o = {.stdin_id = "from-stdin"};
    nd_reader *r;
    assert_int_equal(nd_reader_new(&r, &o), ND_OK);
    assert_int_equal(nd_reader_add_path(r, "-"), ND_OK);
    nd_article *a;
    assert_int_equal(nd_reader_next(r, &a), ND_OK);
    assert_string_equal(nd_article_get(a, ND_FIELD_ID), "from-stdin");
    assert_string_equal(nd_article_get(a, ND_FIELD_SOURCE), "-");
    assert_string_equal(nd_article_get(a, ND_FIELD_HEADLINE), "Harbour Bridge Reopens");
    nd_article_free(a);
    assert_int_equal(nd_reader_next(r, &a), ND_DONE);
    nd_reader_free(r);

    /* JSON Lines through a pipe */
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    static const char jl[] = "\n  {\"maintext\": \"Piped article one.\"}\n"
                             "{\"id\": 7, \"maintext\": \"Piped article two.\"}\n";
    assert_int_equal(write(fds[1], jl, sizeof jl - 1), (ssize_t)(sizeof jl - 1));
    close(fds[1]);
    assert_int_equal(dup2(fds[0], fileno(stdin)), fileno(stdin));
    close(fds[0]);
    assert_int_equal(nd_reader_new(&r, NULL), ND_OK);
    assert_int_equal(nd_reader_add_path(r, "-"), ND_OK);
    assert_int_equal(nd_reader_next(r, &a), ND_OK);
    assert_string_equal(nd_article_get(a, ND_FIELD_ID), "stdin:2");
    assert_string_equal(nd_article_get(a, ND_FIELD_SOURCE), "-:2");
    nd_article_free(a);
    assert_int_equal(nd_reader_next(r, &a), ND_OK);
    assert_string_equal(nd_article_get(a, ND_FIELD_ID), "7");
    nd_article_free(a);
    assert_int_equal(nd_reader_next(r, &a), ND_DONE);
    uint64_t done, total;
    nd_reader_progress(r, &done, &total);
    assert_int_equal(done, sizeof jl - 1);
    nd_reader_free(r);

    /* standard input at its end: an empty article */
    assert_int_equal(nd_reader_new(&r, NULL), ND_OK);
    assert_int_equal(nd_reader_add_path(r, "-"), ND_OK);
    assert_int_equal(nd_reader_next(r, &a), ND_ERR_INPUT);
    assert_string_equal(nd_reader_errmsg(r), "standard input: empty");
    nd_reader_free(r);
}

static void test_bad_files(void **state)
{
    (void)state;
    put("empty.txt", "");
    put("spaces.txt", "  \n\n \t \n");
    t_write_file(at("binary.txt"), "Text then\0 a NUL.", 17);
    put("latin1.txt", "Caf\xe9 au lait.\n");
    nd_reader *r;
    assert_int_equal(nd_reader_new(&r, NULL), ND_OK);
    assert_int_equal(nd_reader_add_path(r, at("empty.txt")), ND_OK);
    assert_int_equal(nd_reader_add_path(r, at("spaces.txt")), ND_OK);
    assert_int_equal(nd_reader_add_path(r, at("binary.txt")), ND_OK);
    assert_int_equal(nd_reader_add_path(r, at("latin1.txt")), ND_OK);
    const expect want[] = {
        {ND_ERR_INPUT, NULL, "empty.txt: empty"},
        {ND_ERR_INPUT, NULL, "spaces.txt: empty"},
        {ND_ERR_INPUT, NULL, "binary.txt: binary data: NUL byte at offset 9"},
        {ND_ERR_INPUT, NULL, "latin1.txt: invalid UTF-8 at byte offset 3"},
    };
    drain(r, want, sizeof want / sizeof *want);
    nd_reader_free(r);
}

static int setup_dir(void **state)
{
    (void)state;
    nd_alloc_init();
    snprintf(dir, sizeof dir, "%s", t_tmpdir());
    return 0;
}

static int teardown_dir(void **state)
{
    (void)state;
    t_rmtree(dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_folder, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_missing_and_unreadable, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_caps, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_ten_megabyte_line, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_stdin, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_bad_files, setup_dir, teardown_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
