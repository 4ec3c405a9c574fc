/*
 * The in-memory model on made-up feature bags (words written for this test): retirement of
 * idle stories and its effect on memory, the time factor at the event level, candidates of an
 * article with many words of its own, allocation failures anywhere in the model, vector
 * packing, document frequencies forgetting hapaxes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cluster/cluster.h"
#include "util/alloc.h"

/* A bag for "topic" t, variant v: ten topic words shared by every article of the topic, a
 * name of the variant, and a few words of the article's own. */
static void bag(nd_cx_raw *r, int t, int v, int k, int32_t day)
{
    char w[32];
    nd_cx_raw_reset(r);
    for (int i = 0; i < 10; i++) {
        snprintf(w, sizeof w, "topic%dword%d", t, i);
        assert_int_equal(nd_cx_raw_add(r, ND_CX_BODY, 'w', w, strlen(w)), ND_OK);
    }
    snprintf(w, sizeof w, "headline%d", t);
    assert_int_equal(nd_cx_raw_add(r, ND_CX_TITLE, 'w', w, strlen(w)), ND_OK);
    snprintf(w, sizeof w, "person %d-%d", t, v);
    assert_int_equal(nd_cx_raw_add(r, ND_CX_NAME, 'e', w, strlen(w)), ND_OK);
    assert_int_equal(nd_cx_raw_add(r, ND_CX_NAME, 'e', w, strlen(w)), ND_OK);
    for (int i = 0; i < 3; i++) {
        snprintf(w, sizeof w, "own%d-%d-%d-%d", t, v, k, i);
        assert_int_equal(nd_cx_raw_add(r, ND_CX_BODY, 'w', w, strlen(w)), ND_OK);
    }
    r->day = day;
}

static void add(nd_cx_model *m, nd_cx_raw *r, nd_cx_vec *v, int64_t rowid, nd_cx_result *res)
{
    assert_int_equal(nd_cx_df_count(m, r), ND_OK);
    assert_int_equal(nd_cx_weigh(m, r, v), ND_OK);
    assert_int_equal(nd_cx_assign(m, v, rowid, res), ND_OK);
}

/* Stories idle for the window leave memory; an article of a retired story opens a new one. */
static void test_retirement(void **state)
{
    (void)state;
    nd_cx_config cfg = nd_cx_default_config;
    cfg.retire_articles = 500;
    cfg.retire_days = 10;
    nd_cx_model *m;
    assert_int_equal(nd_cx_model_new(&m, &cfg), ND_OK);
    nd_cx_raw r = {0};
    nd_cx_vec v = {0};
    nd_cx_result res;
    int64_t rowid = 0;
    /* 200 topics, 5 articles each, all on day 0. */
    uint32_t first_story = 0;
    for (int t = 0; t < 200; t++)
        for (int k = 0; k < 5; k++) {
            bag(&r, t, 0, k, 0);
            add(m, &r, &v, ++rowid, &res);
            if (t == 0 && k == 0)
                first_story = res.story;
            if (k > 0)
                assert_false(res.new_story);
        }
    assert_int_equal(nd_cx_active_stories(m), 200);
    /* Then 3,000 articles of other topics, 60 days later: the first 200 stories retire. */
    for (int t = 1000; t < 1600; t++)
        for (int k = 0; k < 5; k++) {
            bag(&r, t, 0, k, 60);
            add(m, &r, &v, ++rowid, &res);
        }
    assert_true(nd_cx_active_stories(m) < 200 + 600);
    /* Topic 0 again: its story retired, so the article opens a new one. */
    bag(&r, 0, 0, 99, 61);
    add(m, &r, &v, ++rowid, &res);
    assert_true(res.new_story);
    assert_int_not_equal(res.story, first_story);
    assert_false(nd_cx_is_active(m, 1000, 0));
    assert_true(nd_cx_is_active(m, rowid - 10, ND_CX_NODAY));
    nd_cx_raw_free(&r);
    nd_cx_vec_free(&v);
    nd_cx_model_free(m);
}

/* Memory follows the active window: after the window has moved on, a model that saw ten
 * times more articles holds about as much as one that saw only the window. */
static void test_memory_tracks_window(void **state)
{
    (void)state;
    nd_cx_config cfg = nd_cx_default_config;
    cfg.retire_articles = 1000;
    cfg.retire_days = 5;
    size_t bytes[2];
    for (int run = 0; run < 2; run++) {
        nd_cx_model *m;
        assert_int_equal(nd_cx_model_new(&m, &cfg), ND_OK);
        nd_cx_raw r = {0};
        nd_cx_vec v = {0};
        nd_cx_result res;
        int n = run ? 20000 : 2000;
        for (int i = 0; i < n; i++) {
            int t = i / 4; /* a new topic every four articles, one day per 100 articles */
            bag(&r, t, 0, i % 4, i / 100);
            add(m, &r, &v, i + 1, &res);
        }
        bytes[run] = nd_cx_model_bytes(m);
        nd_cx_raw_free(&r);
        nd_cx_vec_free(&v);
        nd_cx_model_free(m);
    }
    /* Frequencies grow with the vocabulary (each topic here has new words), the rest does
     * not: allow the ten-times stream three times the memory. */
    assert_true(bytes[1] < 3 * bytes[0]);
}

/* Inside one story, the same people two weeks apart make two events; two days apart, one. */
static void test_event_time(void **state)
{
    (void)state;
    nd_cx_model *m;
    assert_int_equal(nd_cx_model_new(&m, NULL), ND_OK);
    nd_cx_raw r = {0};
    nd_cx_vec v = {0};
    nd_cx_result a, b, c;
    int64_t rowid = 0;
    for (int k = 0; k < 4; k++) {
        bag(&r, 1, 0, k, 20000);
        add(m, &r, &v, ++rowid, &a);
    }
    bag(&r, 1, 0, 10, 20002);
    add(m, &r, &v, ++rowid, &b);
    bag(&r, 1, 0, 11, 20016);
    add(m, &r, &v, ++rowid, &c);
    assert_int_equal(a.story, b.story);
    assert_int_equal(a.story, c.story);
    assert_int_equal(a.event, b.event);
    assert_int_not_equal(a.event, c.event);
    nd_cx_raw_free(&r);
    nd_cx_vec_free(&v);
    nd_cx_model_free(m);
}

/* Vectors survive packing, and damaged blobs are refused. */
/* An article whose own words outnumber the query keys still finds its story. In a young
 * store a word seen once has the highest idf, so the heaviest features of such an article are
 * words nobody else used; candidates must come from the features the index holds. */
static void test_new_words_keep_candidates(void **state)
{
    (void)state;
    nd_cx_model *m;
    assert_int_equal(nd_cx_model_new(&m, NULL), ND_OK);
    nd_cx_raw r = {0};
    nd_cx_vec v = {0};
    nd_cx_result res, first;
    bag(&r, 7, 0, 0, ND_CX_NODAY);
    add(m, &r, &v, 1, &first);
    /* The second article: the topic's words in its body, no headline, no names, and many
     * words of its own. */
    nd_cx_raw_reset(&r);
    char w[32];
    for (int i = 0; i < 10; i++) {
        snprintf(w, sizeof w, "topic%dword%d", 7, i);
        assert_int_equal(nd_cx_raw_add(&r, ND_CX_BODY, 'w', w, strlen(w)), ND_OK);
    }
    for (uint32_t i = 0; i < 2 * nd_cx_default_config.query_keys; i++) {
        snprintf(w, sizeof w, "fresh%u", i);
        assert_int_equal(nd_cx_raw_add(&r, ND_CX_BODY, 'w', w, strlen(w)), ND_OK);
    }
    add(m, &r, &v, 2, &res);
    assert_false(res.new_story);
    assert_int_equal(res.story, first.story);
    assert_true(res.story_sim >= nd_cx_default_config.t_story);
    nd_cx_raw_free(&r);
    nd_cx_vec_free(&v);
    nd_cx_model_free(m);
}

/* Every allocation of the model may fail: each failure comes back as ND_ERR_NOMEM from the
 * call that hit it, and freeing the model afterwards leaks nothing (ASan checks). Small
 * centroids force pruning, and three variants per topic force events and merges. */
static void test_model_oom(void **state)
{
    (void)state;
    nd_cx_config cfg = nd_cx_default_config;
    cfg.story_features = 12;
    cfg.event_features = 8;
    enum { N = 40 };
    static nd_cx_raw r[N];
    for (int i = 0; i < N; i++) {
        memset(&r[i], 0, sizeof r[i]);
        bag(&r[i], i % 4, (i / 4) % 3, i, i / 10);
    }
    int completed = 0;
    long failed_runs = 0;
    for (long n = 0; n < 100000 && !completed; n++) {
        nd_cx_vec v = {0};
        nd_cx_result res;
        nd_cx_model *m = NULL;
        nd_alloc_fail_after(n);
        nd_status st = nd_cx_model_new(&m, &cfg);
        for (int i = 0; st == ND_OK && i < N; i++) {
            st = nd_cx_df_count(m, &r[i]);
            if (st == ND_OK)
                st = nd_cx_weigh(m, &r[i], &v);
            if (st == ND_OK)
                st = nd_cx_assign(m, &v, i + 1, &res);
        }
        long fails = nd_alloc_failures();
        nd_alloc_fail_after(-1);
        if (st == ND_OK && fails == 0)
            completed = 1;
        if (st != ND_OK) {
            assert_int_equal(st, ND_ERR_NOMEM);
            failed_runs++;
        }
        nd_cx_model_free(m);
        nd_cx_vec_free(&v);
    }
    for (int i = 0; i < N; i++)
        nd_cx_raw_free(&r[i]);
    assert_true(completed);
    assert_true(failed_runs > 10);
}

static void test_pack(void **state)
{
    (void)state;
    nd_cx_model *m;
    assert_int_equal(nd_cx_model_new(&m, NULL), ND_OK);
    nd_cx_raw r = {0};
    nd_cx_vec v = {0}, w = {0};
    bag(&r, 3, 1, 0, ND_CX_NODAY);
    assert_int_equal(nd_cx_df_count(m, &r), ND_OK);
    assert_int_equal(nd_cx_weigh(m, &r, &v), ND_OK);
    unsigned char buf[4096];
    assert_true(nd_cx_vec_bytes(&v) <= sizeof buf);
    nd_cx_vec_pack(&v, buf);
    assert_int_equal(nd_cx_vec_unpack(&w, buf, nd_cx_vec_bytes(&v)), ND_OK);
    assert_int_equal(w.n, v.n);
    for (uint32_t i = 0; i < v.n; i++) {
        assert_int_equal(w.f[i].id, v.f[i].id);
        assert_int_equal(w.f[i].q, v.f[i].q);
    }
    assert_int_equal(nd_cx_vec_unpack(&w, buf, 7), ND_ERR_INPUT);
    assert_int_equal(nd_cx_iso_day("1970-01-02"), 1);
    assert_int_equal(nd_cx_iso_day("2025-06-04T10:00"), nd_cx_civil_day(2025, 6, 4));
    assert_int_equal(nd_cx_iso_day("June 4"), ND_CX_NODAY);
    nd_cx_raw_free(&r);
    nd_cx_vec_free(&v);
    nd_cx_vec_free(&w);
    nd_cx_model_free(m);
}

/* One document of the given features (30-bit hashes in the body view). */
static void count_doc(nd_cx_model *m, nd_cx_raw *r, const uint32_t *h, int n)
{
    nd_cx_raw_reset(r);
    for (int i = 0; i < n; i++)
        assert_int_equal(nd_cx_raw_add_hash(r, ND_CX_BODY, h[i]), ND_OK);
    assert_int_equal(nd_cx_df_count(m, r), ND_OK);
}

static uint32_t body(uint32_t h)
{
    return (uint32_t)ND_CX_BODY << 30 | h;
}

static int collect_df(void *ctx, uint32_t id, uint32_t df)
{
    uint32_t *out = ctx;
    assert_true(out[0] < 15);
    out[1 + 2 * out[0]] = id;
    out[2 + 2 * out[0]] = df;
    out[0]++;
    return 0;
}

/* A feature counted once is forgotten at the end of the period after its own unless it is
 * seen again; one counted twice stays. Only those counted twice are ever flushed. */
static void test_hapax_forgotten(void **state)
{
    (void)state;
    nd_cx_model *m;
    assert_int_equal(nd_cx_model_new(&m, NULL), ND_OK);
    nd_cx_df_set_period(m, 2);
    nd_cx_raw r = {0};
    count_doc(m, &r, (const uint32_t[]){11, 12}, 2);
    assert_false(nd_cx_df_period_closed(m));
    count_doc(m, &r, (const uint32_t[]){13}, 1); /* period 1 ends: 11, 12, 13 are young */
    assert_true(nd_cx_df_period_closed(m));
    uint32_t out[32] = {0};
    assert_int_equal(nd_cx_df_flush(m, collect_df, out), 0);
    assert_int_equal(out[0], 0); /* hapaxes only */
    assert_false(nd_cx_df_period_closed(m));
    count_doc(m, &r, (const uint32_t[]){11}, 1);
    assert_int_equal(nd_cx_df_get(m, body(12)), 1);
    count_doc(m, &r, (const uint32_t[]){14}, 1); /* period 2 ends: 12 and 13 are forgotten */
    assert_int_equal(nd_cx_df_get(m, body(11)), 2);
    assert_int_equal(nd_cx_df_get(m, body(12)), 0);
    assert_int_equal(nd_cx_df_get(m, body(13)), 0);
    assert_int_equal(nd_cx_df_get(m, body(14)), 1);
    assert_int_equal(nd_cx_df_flush(m, collect_df, out), 0);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[1], body(11));
    assert_int_equal(out[2], 2);
    /* Seen again after it was forgotten, a feature starts over. */
    count_doc(m, &r, (const uint32_t[]){12}, 1);
    assert_int_equal(nd_cx_df_get(m, body(12)), 1);
    count_doc(m, &r, (const uint32_t[]){15}, 1); /* period 3 ends: 14 is forgotten */
    assert_int_equal(nd_cx_df_get(m, body(14)), 0);
    assert_int_equal(nd_cx_df_get(m, body(12)), 1);
    assert_int_equal(nd_cx_df_docs(m), 6);
    /* Reloading: the young hapaxes come back from their articles, the rest from the store. */
    nd_cx_model *m2;
    assert_int_equal(nd_cx_model_new(&m2, NULL), ND_OK);
    nd_cx_df_set_period(m2, 2);
    assert_int_equal(nd_cx_df_set(m2, body(11), 2), ND_OK);
    for (uint32_t h = 12; h <= 15; h += 3) { /* the articles of period 3 */
        nd_cx_raw_reset(&r);
        assert_int_equal(nd_cx_raw_add_hash(&r, ND_CX_BODY, h), ND_OK);
        assert_int_equal(nd_cx_df_young(m2, &r), ND_OK);
    }
    assert_int_equal(nd_cx_df_get(m2, body(11)), 2);
    assert_int_equal(nd_cx_df_get(m2, body(12)), 1);
    nd_cx_df_docs_set(m2, 6);
    for (uint32_t h = 16; h < 18; h++) {
        count_doc(m, &r, &h, 1);
        count_doc(m2, &r, &h, 1);
    }
    for (uint32_t h = 11; h < 18; h++)
        assert_int_equal(nd_cx_df_get(m, body(h)), nd_cx_df_get(m2, body(h)));
    assert_int_equal(nd_cx_df_get(m2, body(12)), 0);
    nd_cx_raw_free(&r);
    nd_cx_model_free(m);
    nd_cx_model_free(m2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retirement),
        cmocka_unit_test(test_memory_tracks_window),
        cmocka_unit_test(test_event_time),
        cmocka_unit_test(test_new_words_keep_candidates),
        cmocka_unit_test(test_model_oom),
        cmocka_unit_test(test_pack),
        cmocka_unit_test(test_hapax_forgotten),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
