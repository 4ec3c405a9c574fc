/* The bounded buffer, the arena and the allocation-failure switch everything else relies on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "support.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/buf.h"

static void test_buf_grows_until_its_cap(void **state)
{
    (void)state;
    nd_buf b;
    nd_buf_init(&b, 10);
    assert_int_equal(nd_buf_puts(&b, "harbour"), ND_OK);
    assert_int_equal(nd_buf_append(&b, "gat", 3), ND_OK);
    assert_string_equal(b.data, "harbourgat");
    /* One byte past the cap fails and leaves the contents as they were. */
    assert_int_equal(nd_buf_putc(&b, 'e'), ND_ERR_TOO_BIG);
    assert_int_equal(b.len, 10);
    assert_string_equal(b.data, "harbourgat");
    nd_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    /* A request whose size would overflow is refused, not wrapped. */
    assert_int_equal(nd_buf_reserve(&b, SIZE_MAX), ND_ERR_TOO_BIG);
    nd_buf_free(&b);
}

static void test_buf_reports_out_of_memory(void **state)
{
    (void)state;
    nd_buf b;
    nd_buf_init(&b, 0);
    nd_alloc_fail_after(0);
    assert_int_equal(nd_buf_puts(&b, "quay"), ND_ERR_NOMEM);
    assert_int_equal(nd_alloc_failures(), 1);
    nd_alloc_fail_after(-1);
    assert_int_equal(nd_buf_puts(&b, "quay"), ND_OK);
    assert_string_equal(b.data, "quay");
    nd_buf_free(&b);
}

static void test_arena_aligns_and_keeps_everything(void **state)
{
    (void)state;
    nd_arena *a = nd_arena_new(64);
    assert_non_null(a);
    char *ptrs[200];
    for (int i = 0; i < 200; i++) {
        /* Odd sizes, some larger than any block so far. */
        size_t n = (size_t)(i * 37 % 300) + 1;
        ptrs[i] = nd_arena_alloc(a, n);
        assert_non_null(ptrs[i]);
        assert_int_equal((uintptr_t)ptrs[i] % _Alignof(max_align_t), 0);
        memset(ptrs[i], i, n);
    }
    /* Nothing overwrote an earlier allocation. */
    for (int i = 0; i < 200; i++)
        assert_int_equal((unsigned char)ptrs[i][0], (unsigned char)i);
    char *s = nd_arena_strndup(a, "Lower Quay district", 10);
    assert_string_equal(s, "Lower Quay");
    assert_true(nd_arena_used(a) > 200);
    nd_arena_free(a);
    nd_arena_free(NULL);
}

static void test_arena_out_of_memory(void **state)
{
    (void)state;
    nd_arena *a = nd_arena_new(16);
    assert_non_null(a);
    nd_alloc_fail_after(0);
    assert_null(nd_arena_alloc(a, 1000));
    nd_alloc_fail_after(-1);
    assert_non_null(nd_arena_alloc(a, 1000));
    nd_arena_free(a);
}

static void test_fail_after_counts_down(void **state)
{
    (void)state;
    nd_alloc_fail_after(2);
    void *p1 = nd_malloc(8), *p2 = nd_malloc(8), *p3 = nd_malloc(8);
    assert_non_null(p1);
    assert_non_null(p2);
    assert_null(p3);
    assert_null(nd_strdup("x"));
    assert_int_equal(nd_alloc_failures(), 2);
    nd_alloc_fail_after(-1);
    nd_free(p1);
    nd_free(p2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_grows_until_its_cap),
        cmocka_unit_test(test_buf_reports_out_of_memory),
        cmocka_unit_test(test_arena_aligns_and_keeps_everything),
        cmocka_unit_test(test_arena_out_of_memory),
        cmocka_unit_test(test_fail_after_counts_down),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
