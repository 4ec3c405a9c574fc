/*
 * Online clustering on small real streams with known answers (ECB+ articles read from the
 * corpus at run time): two look-alike events of one topic, one story over weeks, an article
 * that mentions two stories, near-empty and undated articles, re-adding, merges and their
 * persistence across reopening the store, document frequencies rebuilt exactly on reopening.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sqlite3.h>

#include "cluster/cluster.h"
#include "cluster_fixture.h"

static char db_path[512];

static int setup(void **state)
{
    (void)state;
    if (!t_corpus())
        return -1;
    snprintf(db_path, sizeof db_path, "%s/c.db", t_tmpdir());
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    t_rmtree(t_tmpdir());
    return 0;
}

/* Topic 41 holds two look-alike events years apart: the ECB articles (one event) and the
 * ECB+ articles (the other). Interleaved, the two events are kept apart. (Two events inside
 * one story are checked end to end on examples/ and the seeds in test_cluster_cli.) */
static void test_two_events_one_topic(void **state)
{
    (void)state;
    static const char *const a[] = {"41_1ecb", "41_2ecb", "41_3ecb", "41_4ecb", "41_5ecb"};
    static const char *const b[] = {"41_1ecbplus", "41_2ecbplus", "41_3ecbplus", "41_4ecbplus",
                                    "41_5ecbplus"};
    nd_store *st = cx_open(db_path);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(cx_add_ecb(st, a[i], NULL), ND_OK);
        assert_int_equal(cx_add_ecb(st, b[i], NULL), ND_OK);
    }
    cx_map m;
    cx_export(st, &m);
    assert_int_equal(m.n, 10);
    /* Each event is one cluster and no cluster mixes the two. Whether the two also meet in
     * one story depends on how much a ten-article store knows about word frequencies; on the
     * whole corpus they mostly do (docs/cluster.md). */
    const char *ea, *eb;
    assert_int_equal(cx_majority(&m, a, 5, 1, &ea), 5);
    assert_int_equal(cx_majority(&m, b, 5, 1, &eb), 5);
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++)
            assert_string_not_equal(cx_event(&m, a[i]), cx_event(&m, b[j]));
    nd_store_close(st);
}

/* Reports of one event published over five weeks stay one story. */
static void test_story_over_weeks(void **state)
{
    (void)state;
    static const char *const ids[] = {"24_1ecb", "24_2ecb", "24_3ecb", "24_4ecb", "24_5ecb",
                                      "24_6ecb"};
    static const char *const dates[] = {"2025-03-01", "2025-03-09", "2025-03-16",
                                        "2025-03-23", "2025-03-30", "2025-04-06"};
    nd_store *st = cx_open(db_path);
    for (int i = 0; i < 6; i++)
        assert_int_equal(cx_add_ecb(st, ids[i], dates[i]), ND_OK);
    cx_map m;
    cx_export(st, &m);
    assert_int_equal(cx_distinct(&m, ids, 6, 0), 1);
    nd_store_close(st);
}

/* Builds an article from the first paragraph of two others, so it mentions both stories. */
static nd_article *two_story_article(const char *x, const char *y)
{
    char buf[8192];
    size_t len = 0;
    const char *stems[2] = {x, y};
    for (int k = 0; k < 2; k++) {
        char rel[128];
        snprintf(rel, sizeof rel, "ecbplus/articles/%s.txt", stems[k]);
        nd_article *a = cx_read(rel, NULL);
        nd_span p;
        assert_int_equal(nd_article_span(&p, a, ND_PART_PARAGRAPH, 0), ND_OK);
        size_t blen;
        const char *body = nd_article_body(a, &blen);
        size_t n = p.end - p.start;
        assert_true(len + n + 2 < sizeof buf);
        memcpy(buf + len, body + p.start, n);
        len += n;
        memcpy(buf + len, "\n\n", 2);
        len += 2;
        nd_article_free(a);
    }
    nd_article *out = NULL;
    char err[256];
    assert_int_equal(nd_article_parse_text(&out, buf, len, "both", "test", NULL, err, sizeof err),
                     ND_OK);
    return out;
}

/* An article about two stories joins one of them; it does not fuse them. */
static void test_article_mentions_two_stories(void **state)
{
    (void)state;
    static const char *const a[] = {"5_1ecb", "5_2ecb", "5_3ecb", "5_4ecb"};
    static const char *const b[] = {"24_1ecb", "24_2ecb", "24_3ecb", "24_4ecb"};
    nd_store *st = cx_open(db_path);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(cx_add_ecb(st, a[i], NULL), ND_OK);
        assert_int_equal(cx_add_ecb(st, b[i], NULL), ND_OK);
    }
    nd_article *both = two_story_article("5_5ecb", "24_5ecb");
    assert_int_equal(nd_store_add(st, both), ND_OK);
    nd_article_free(both);
    cx_map m;
    cx_export(st, &m);
    const char *sa, *sb;
    assert_int_equal(cx_majority(&m, a, 4, 0, &sa), 4);
    assert_int_equal(cx_majority(&m, b, 4, 0, &sb), 4);
    assert_string_not_equal(sa, sb);
    const char *s = cx_story(&m, "both");
    assert_true(strcmp(s, sa) == 0 || strcmp(s, sb) == 0);
    nd_store_close(st);
}

/* Near-empty articles (a word or two) are assigned without pulling stories together, and
 * undated articles cluster like dated ones. */
static void test_near_empty_and_undated(void **state)
{
    (void)state;
    static const char *const a[] = {"3_1ecb", "3_3ecb", "3_4ecb", "3_5ecb"};
    static const char *const b[] = {"1_1ecb", "1_2ecb", "1_3ecb", "1_4ecb"};
    static const char *const tiny[] = {"Breaking\n\nMore details soon.\n",
                                       "Update\n\nWe will update this story.\n",
                                       "Photos\n\nPictures from the scene.\n"};
    nd_store *st = cx_open(db_path);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(cx_add_ecb(st, a[i], NULL), ND_OK);
        char id[16];
        snprintf(id, sizeof id, "tiny%d", i);
        if (i < 3) {
            nd_article *t = NULL;
            char err[128] = "";
            nd_status ps = nd_article_parse_text(&t, tiny[i], strlen(tiny[i]), id, "t", NULL,
                                                 err, sizeof err);
            if (ps != ND_OK)
                fail_msg("%s", err);
            assert_int_equal(nd_store_add(st, t), ND_OK);
            nd_article_free(t);
        }
        assert_int_equal(cx_add_ecb(st, b[i], NULL), ND_OK);
    }
    cx_map m;
    cx_export(st, &m);
    assert_int_equal(m.n, 11);
    for (int i = 0; i < m.n; i++) {
        assert_true(m.story[i][0] == 'S');
        assert_true(m.event[i][0] == 'E');
    }
    const char *sa, *sb;
    assert_int_equal(cx_majority(&m, a, 4, 0, &sa), 4);
    assert_int_equal(cx_majority(&m, b, 4, 0, &sb), 4);
    assert_string_not_equal(sa, sb);
    nd_store_close(st);
}

/* Re-adding an article changes nothing. */
static void test_readd(void **state)
{
    (void)state;
    nd_store *st = cx_open(db_path);
    static const char *const ids[] = {"1_1ecb", "1_2ecb", "1_1ecbplus"};
    for (int i = 0; i < 3; i++)
        assert_int_equal(cx_add_ecb(st, ids[i], NULL), ND_OK);
    cx_map before, after;
    cx_export(st, &before);
    assert_int_equal(cx_add_ecb(st, "1_2ecb", NULL), ND_UNCHANGED);
    cx_export(st, &after);
    assert_memory_equal(&before, &after, sizeof before);
    nd_store_close(st);
}

/* Stream used for the persistence checks: two topics, interleaved, in a fixed order. */
static const char *const stream[] = {
    "1_1ecbplus", "1_3ecbplus", "3_1ecb",     "1_4ecbplus", "3_3ecb",     "1_1ecb",
    "3_1ecbplus", "1_2ecb",     "3_4ecb",     "1_5ecbplus", "3_2ecbplus", "1_3ecb",
    "3_5ecb",     "1_7ecbplus", "3_3ecbplus", "1_4ecb",     "3_4ecbplus", "1_5ecb",
    "1_8ecbplus", "3_5ecbplus", "1_6ecb",     "1_9ecbplus", "3_6ecb",     "1_7ecb",
};
#define NSTREAM (int)(sizeof stream / sizeof *stream)

/* A topic whose first reports open two stories (and two events) that a later report shows
 * to be one: the stream merges at its seventh and eighth articles. */
static const char *const merging[] = {"23_1ecb", "23_2ecb", "23_3ecb", "23_4ecb",
                                      "23_5ecb", "23_6ecb", "23_7ecb", "23_8ecb"};
#define NMERGING (int)(sizeof merging / sizeof *merging)

/* Adding a stream in two processes' worth of handles (close and reopen half-way) gives the
 * same clustering as adding it in one go: the state is rebuilt from the store. */
static void continue_after_reopen(const char *const *ids, int n, int cut)
{
    t_rmtree(t_tmpdir());
    snprintf(db_path, sizeof db_path, "%s/c.db", t_tmpdir());
    nd_store *st = cx_open(db_path);
    for (int i = 0; i < n; i++)
        assert_int_equal(cx_add_ecb(st, ids[i], NULL), ND_OK);
    cx_map once;
    cx_export(st, &once);
    nd_store_close(st);

    char path2[600];
    snprintf(path2, sizeof path2, "%s/c2.db", t_tmpdir());
    for (int half = 0; half < 2; half++) {
        st = cx_open(path2);
        assert_int_equal(nd_store_begin(st), ND_OK);
        for (int i = half ? cut : 0; i < (half ? n : cut); i++)
            assert_int_equal(cx_add_ecb(st, ids[i], NULL), ND_OK);
        assert_int_equal(nd_store_commit(st), ND_OK);
        nd_store_close(st);
    }
    st = cx_open(path2);
    cx_map twice;
    cx_export(st, &twice);
    nd_store_close(st);
    assert_int_equal(once.n, twice.n);
    for (int i = 0; i < once.n; i++) {
        assert_string_equal(once.article[i], twice.article[i]);
        assert_string_equal(once.story[i], twice.story[i]);
        assert_string_equal(once.event[i], twice.event[i]);
    }
}

/* Adding a stream with a close and reopen half-way gives the same clustering as adding it in
 * one go (the state is rebuilt from the store), also when the merges come after the cut. */
static void test_continue_after_reopen(void **state)
{
    (void)state;
    continue_after_reopen(stream, NSTREAM, NSTREAM / 2);
    continue_after_reopen(merging, NMERGING, 4);
}

/* The stored feature vectors of a store, in added order: they carry the weights, so they
 * differ as soon as any document frequency differs. */
static char *stored_vectors(const char *path, size_t *len)
{
    sqlite3 *db;
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT feats FROM cluster_article ORDER BY rowid",
                                        -1, &q, NULL),
                     SQLITE_OK);
    char *out = NULL;
    *len = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes(q, 0);
        out = realloc(out, *len + n + 1);
        assert_non_null(out);
        memcpy(out + *len, sqlite3_column_blob(q, 0), n);
        *len += n;
        out[(*len)++] = '|';
    }
    sqlite3_finalize(q);
    int64_t hapaxes = -1;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM cluster_df WHERE df < 2", -1,
                                        &q, NULL),
                     SQLITE_OK);
    if (sqlite3_step(q) == SQLITE_ROW)
        hapaxes = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    assert_int_equal(hapaxes, 0); /* hapaxes are never written */
    return out;
}

/* With document frequencies flushed every 3 articles, a reopen at any point of a period
 * rebuilds them exactly: the young hapaxes from the articles of the last period, the others
 * from the store, the rest from the articles after the flush. The stored vectors (their
 * weights come from the frequencies) are byte for byte those of one run. */
static void test_reopen_rebuilds_frequencies(void **state)
{
    (void)state;
    nd_cluster_set_df_period(3);
    static const int cuts[] = {4, 6, 7, 11};
    char once[600], twice[600];
    snprintf(once, sizeof once, "%s/once.db", t_tmpdir());
    nd_store *st = cx_open(once);
    for (int i = 0; i < NSTREAM; i++)
        assert_int_equal(cx_add_ecb(st, stream[i], NULL), ND_OK);
    nd_store_close(st);
    size_t n1;
    char *v1 = stored_vectors(once, &n1);
    for (size_t c = 0; c < sizeof cuts / sizeof *cuts; c++) {
        snprintf(twice, sizeof twice, "%s/twice%zu.db", t_tmpdir(), c);
        for (int half = 0; half < 2; half++) {
            st = cx_open(twice);
            for (int i = half ? cuts[c] : 0; i < (half ? NSTREAM : cuts[c]); i++)
                assert_int_equal(cx_add_ecb(st, stream[i], NULL), ND_OK);
            nd_store_close(st);
        }
        size_t n2;
        char *v2 = stored_vectors(twice, &n2);
        assert_int_equal(n1, n2);
        assert_memory_equal(v1, v2, n1);
        free(v2);
    }
    free(v1);
    nd_cluster_set_df_period(ND_CX_DF_PERIOD);
}

/* Topic 14 holds two look-alike events (the ECB articles and the ECB+ articles). Added
 * interleaved, one after the other, the first reports of the second event join the first
 * event: nothing tells them apart yet. The split check at four members cuts them apart, and
 * from then on each event gathers its own reports; the split is recorded and survives
 * reopening the store (the two parts are not merged again). Without splits the whole topic
 * ends in one event. */
static const char *const interleaved[] = {
    "14_10ecb", "14_10ecbplus", "14_11ecbplus", "14_1ecb", "14_1ecbplus", "14_2ecb",
    "14_2ecbplus", "14_3ecb", "14_3ecbplus", "14_4ecb", "14_4ecbplus", "14_5ecb",
    "14_5ecbplus", "14_6ecb", "14_6ecbplus", "14_7ecb", "14_7ecbplus", "14_8ecb",
    "14_8ecbplus", "14_9ecb", "14_9ecbplus"};
#define NINTERLEAVED (int)(sizeof interleaved / sizeof *interleaved)

static void test_split_interleaved_events(void **state)
{
    (void)state;
    nd_store *st = cx_open(db_path);
    for (int i = 0; i < NINTERLEAVED; i++)
        assert_int_equal(cx_add_ecb(st, interleaved[i], NULL), ND_OK);
    cx_map m;
    cx_export(st, &m);
    nd_store_close(st);

    const char *ecb[NINTERLEAVED], *plus[NINTERLEAVED];
    int necb = 0, nplus = 0;
    for (int i = 0; i < NINTERLEAVED; i++) {
        if (strstr(interleaved[i], "plus"))
            plus[nplus++] = interleaved[i];
        else
            ecb[necb++] = interleaved[i];
    }
    assert_int_equal(cx_distinct(&m, interleaved, NINTERLEAVED, 0), 1);
    const char *ea, *eb;
    assert_int_equal(cx_majority(&m, ecb, necb, 1, &ea), necb);
    assert_int_equal(cx_majority(&m, plus, nplus, 1, &eb), nplus);
    assert_string_not_equal(ea, eb);

    /* The split is on record: kind 'split', old = the new event, new = the one it left. */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT old, new FROM cluster_alias WHERE kind = 'split'",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    char olds[16], news[16];
    snprintf(olds, sizeof olds, "E%lld", (long long)sqlite3_column_int64(q, 0));
    snprintf(news, sizeof news, "E%lld", (long long)sqlite3_column_int64(q, 1));
    assert_true((strcmp(olds, ea) == 0 && strcmp(news, eb) == 0) ||
                (strcmp(olds, eb) == 0 && strcmp(news, ea) == 0));
    sqlite3_finalize(q);
    sqlite3_close(db);

    /* Reopening before the split, right after it, and later gives the same ids. */
    continue_after_reopen(interleaved, NINTERLEAVED, 3);
    continue_after_reopen(interleaved, NINTERLEAVED, 5);
    continue_after_reopen(interleaved, NINTERLEAVED, 12);
}

/* A store written before hapaxes were forgotten (simulated: hapax rows put back, the meta
 * row that says where the young period starts removed) loses its hapax rows at the first
 * load, once, and goes on clustering. */
static void test_old_frequencies_migrate(void **state)
{
    (void)state;
    nd_cluster_set_df_period(3);
    nd_store *st = cx_open(db_path);
    for (int i = 0; i < 7; i++)
        assert_int_equal(cx_add_ecb(st, stream[i], NULL), ND_OK);
    nd_store_close(st);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "DELETE FROM cluster_meta WHERE key = 'df_young_rowid';"
                                  " INSERT INTO cluster_df(feature, df)"
                                  " VALUES(12345, 1), (678, 1);",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    st = cx_open(db_path);
    for (int i = 7; i < 10; i++)
        assert_int_equal(cx_add_ecb(st, stream[i], NULL), ND_OK);
    cx_map m;
    cx_export(st, &m);
    nd_store_close(st);
    assert_int_equal(m.n, 10);
    for (int i = 0; i < m.n; i++)
        assert_true(m.story[i][0] == 'S' && m.event[i][0] == 'E');
    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT (SELECT COUNT(*) FROM cluster_df WHERE df < 2),"
                                        " (SELECT COUNT(*) FROM cluster_df),"
                                        " (SELECT value FROM cluster_meta"
                                        "  WHERE key = 'df_young_rowid')",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int64(q, 0), 0);
    assert_true(sqlite3_column_int64(q, 1) > 0);
    assert_int_equal(sqlite3_column_type(q, 2), SQLITE_INTEGER);
    sqlite3_finalize(q);
    sqlite3_close(db);
    nd_cluster_set_df_period(ND_CX_DF_PERIOD);
}

static int count_alias(void *ctx, const nd_assignment *a)
{
    (void)a;
    (*(int *)ctx)++;
    return 0;
}

/* Fragments of one story opened before they shared enough words merge once later reports
 * tie them; the absorbed id keeps resolving, also after reopening the store, and no article
 * is exported under it. */
static void test_merge_keeps_old_ids(void **state)
{
    (void)state;
    nd_store *st = cx_open(db_path);
    for (int i = 0; i < NMERGING; i++)
        assert_int_equal(cx_add_ecb(st, merging[i], NULL), ND_OK);
    int n = 0;
    assert_int_equal(nd_clusters_export(st, count_alias, &n), ND_OK);
    assert_int_equal(n, NMERGING);
    /* Find an id that no longer names itself: a merged story or event. */
    char old[24] = "", now[24] = "";
    for (unsigned k = 1; k < 64 && !old[0]; k++) {
        for (int kind = 0; kind < 2 && !old[0]; kind++) {
            char id[24], res[24];
            snprintf(id, sizeof id, "%c%u", kind ? 'E' : 'S', k);
            nd_status s = nd_cluster_resolve(st, id, res, sizeof res);
            if (s == ND_OK && strcmp(id, res) != 0) {
                strcpy(old, id);
                strcpy(now, res);
            }
        }
    }
    if (!old[0])
        fail_msg("the stream produced no merge");
    cx_map m;
    cx_export(st, &m);
    for (int i = 0; i < m.n; i++) {
        assert_string_not_equal(m.story[i], old);
        assert_string_not_equal(m.event[i], old);
    }
    nd_store_close(st);

    st = cx_open(db_path);
    char res[24];
    assert_int_equal(nd_cluster_resolve(st, old, res, sizeof res), ND_OK);
    assert_string_equal(res, now);
    /* More articles in a new session: ids keep growing, never reused. */
    assert_int_equal(cx_add_ecb(st, "23_9ecb", NULL), ND_OK);
    assert_int_equal(nd_cluster_resolve(st, old, res, sizeof res), ND_OK);
    assert_string_equal(res, now);
    assert_int_equal(nd_cluster_resolve(st, "S999", res, sizeof res), ND_ERR_NOT_FOUND);
    nd_store_close(st);
}

/* Articles stored without a decision (a store made before clustering existed, here
 * simulated by deleting the decisions) are clustered, in order, before the next one. */
static void test_unclustered_articles(void **state)
{
    (void)state;
    nd_store *st = cx_open(db_path);
    for (int i = 0; i < 8; i++)
        assert_int_equal(cx_add_ecb(st, merging[i], NULL), ND_OK);
    cx_map before;
    cx_export(st, &before);
    nd_store_close(st);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "DELETE FROM cluster_article; DELETE FROM cluster_event;"
                                  " DELETE FROM cluster_story; DELETE FROM cluster_alias;"
                                  " DELETE FROM cluster_df; DELETE FROM cluster_meta;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    st = cx_open(db_path);
    cx_map none;
    cx_export(st, &none);
    assert_int_equal(none.n, 8);
    assert_string_equal(none.story[0], "");
    assert_int_equal(cx_add_ecb(st, "23_9ecb", NULL), ND_OK);
    cx_map after;
    cx_export(st, &after);
    nd_store_close(st);
    assert_int_equal(after.n, 9);
    for (int i = 0; i < 8; i++) {
        assert_string_equal(after.story[i], before.story[i]);
        assert_string_equal(after.event[i], before.event[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_two_events_one_topic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_story_over_weeks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_article_mentions_two_stories, setup, teardown),
        cmocka_unit_test_setup_teardown(test_near_empty_and_undated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_continue_after_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_rebuilds_frequencies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_old_frequencies_migrate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merge_keeps_old_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split_interleaved_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unclustered_articles, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
