/*
 * Reuse synonyms (WordNet): the predicate (true pairs, false pairs, unknown words, case),
 * sentences of real ECB+ articles reworded with WordNet synonyms that pair only thanks to
 * them, independent reports of one event that must still not be reported, and the stage
 * without a dictionary.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <wn.h>

#include "newsdesk.h"
#include "reuse/reuse.h"
#include "reuse/reuse_syn.h"
#include "support.h"

/*
 * Synonyms picked for these tests: common news words and a word that shares their most
 * frequent sense in WordNet 3.0 (checked by test_predicate). The tests replace the first by
 * the second.
 */
static const char *const syn_table[][2] = {
    {"said", "stated"},          {"says", "states"},
    {"began", "started"},        {"started", "commenced"},
    {"found", "discovered"},     {"injured", "wounded"},
    {"arrested", "apprehended"}, {"car", "automobile"},
    {"film", "movie"},           {"bought", "purchased"},
    {"help", "assist"},          {"helped", "assisted"},
    {"died", "perished"},        {"area", "region"},
    {"country", "nation"},       {"quickly", "rapidly"},
    {"nearly", "almost"},        {"expected", "anticipated"},
    {"believed", "thought"},     {"released", "freed"},
    {"attack", "assault"},       {"children", "kids"},
    {"announced", "declared"},   {"charged", "accused"},
    {"earthquake", "quake"},     {"court", "tribunal"},
    {"building", "edifice"},     {"big", "large"},
    {"police", "constabulary"},  {"lawyer", "attorney"},
    {"doctor", "physician"},     {"weapon", "arm"},
    {"suspect", "defendant"},    {"murdered", "slain"},
    {"murder", "slaying"},       {"job", "occupation"},
    {"death", "decease"},        {"fight", "battle"},
    {"report", "account"},       {"official", "functionary"},
    {"appeared", "seemed"},      {"trying", "attempting"},
};
#define NTABLE (sizeof syn_table / sizeof *syn_table)

/* Words that are related, opposite or of one field, but not synonyms. */
static const char *const not_syn[][2] = {
    {"man", "woman"},      {"killed", "died"},         {"wife", "husband"},
    {"Monday", "Tuesday"}, {"north", "south"},         {"bought", "sold"},
    {"won", "lost"},       {"police", "firefighters"}, {"arrested", "released"},
};

static int syn(const char *a, const char *b)
{
    return nd_reuse_synonyms(a, strlen(a), b, strlen(b));
}

static char *ecb(const char *id, size_t *len)
{
    char rel[128];
    snprintf(rel, sizeof rel, "ecbplus/articles/%.80s.txt", id);
    return t_read_file(t_corpus_path(rel), len);
}

/* Builds a document from a text; returns 0 when the text has no body. */
static int build_doc(nd_rdoc *d, const char *text, size_t len)
{
    nd_article *a = NULL;
    char err[128];
    if (nd_article_parse_text(&a, text, len, "t", "t", NULL, err, sizeof err) != ND_OK)
        return 0;
    nd_status s = nd_rdoc_build(d, a);
    if (s == ND_OK)
        s = nd_rdoc_finish(d);
    nd_article_free(a);
    assert_int_equal(s, ND_OK);
    return 1;
}

/* ---- the dictionary missing ----------------------------------------------------------- */

/*
 * Without a dictionary (WNSEARCHDIR pointing at an empty place) synonyms are off and the
 * aligner works as without them. Runs first, in a child process: WordNet is loaded once per
 * process, on first use.
 */
static void test_missing_dictionary(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        setenv("WNSEARCHDIR", "/nonexistent/wordnet", 1);
        int bad = 0;
        if (nd_reuse_syn_available() || syn("said", "stated"))
            _exit(2);
        nd_rsyn r;
        if (nd_reuse_syn_senses("said", 4, &r) != ND_OK || r.n != 0)
            _exit(3);
        const char *x = "Officials said the bridge over the river was closed after the flood "
                        "damaged its northern pillars on Sunday.\n";
        const char *y = "Officials stated the bridge over the river was closed after the flood "
                        "damaged its northern pillars on Sunday.\n";
        nd_rdoc a = {0}, b = {0};
        nd_article *ax = NULL, *ay = NULL;
        char err[64];
        bad |= nd_article_parse_text(&ax, x, strlen(x), "x", "x", NULL, err, sizeof err) != ND_OK;
        bad |= nd_article_parse_text(&ay, y, strlen(y), "y", "y", NULL, err, sizeof err) != ND_OK;
        if (!bad) {
            bad |= nd_rdoc_build(&a, ax) != ND_OK || nd_rdoc_finish(&a) != ND_OK;
            bad |= nd_rdoc_build(&b, ay) != ND_OK || nd_rdoc_finish(&b) != ND_OK;
        }
        nd_rpasses out = {0};
        nd_ralign w = {0};
        if (!bad) {
            bad |= nd_reuse_align_syn(&out, &w, &a, x, strlen(x), &b, y, strlen(y)) != ND_OK;
            bad |= out.n != 1;
        }
        free(out.v);
        nd_ralign_free(&w);
        nd_rdoc_free(&a);
        nd_rdoc_free(&b);
        nd_article_free(ax);
        nd_article_free(ay);
        _exit(bad ? 1 : 0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---- the predicate -------------------------------------------------------------------- */

static void test_predicate(void **state)
{
    (void)state;
    /* wordnet-base is a dependency (scripts/install-deps): its absence is a failure here. */
    assert_true(nd_reuse_syn_available());
    for (size_t i = 0; i < NTABLE; i++) {
        if (!syn(syn_table[i][0], syn_table[i][1]) || !syn(syn_table[i][1], syn_table[i][0]))
            fail_msg("not synonyms: %s %s", syn_table[i][0], syn_table[i][1]);
    }
    for (size_t i = 0; i < sizeof not_syn / sizeof *not_syn; i++) {
        if (syn(not_syn[i][0], not_syn[i][1]))
            fail_msg("synonyms: %s %s", not_syn[i][0], not_syn[i][1]);
    }
    /* Case, possessives (straight and curly apostrophes) and WordNet's own base forms. */
    assert_true(syn("SAID", "Stated"));
    assert_true(syn("court's", "tribunal"));
    assert_true(syn("court\xE2\x80\x99s", "tribunals"));
    assert_true(syn("slain", "murdered"));
    assert_true(syn("ran", "run"));
    /* Unknown words, numbers, other scripts, empty, too long: never synonyms. */
    assert_false(syn("qzxvw", "said"));
    assert_false(syn("2013", "2013"));
    assert_false(syn("", ""));
    assert_false(syn("caf\xC3\xA9", "coffeehouse"));
    assert_false(syn("antidisestablishmentarianismusses", "antidisestablishmentarianismusses"));
    nd_rsyn r;
    assert_int_equal(nd_reuse_syn_senses("qzxvw", 5, &r), ND_OK);
    assert_int_equal(r.n, 0);
    assert_int_equal(nd_reuse_syn_senses("said", 4, &r), ND_OK);
    assert_true(r.n > 0 && r.n <= ND_RSYN_MAX);
    /* A repeated lookup is served by the cache. */
    uint64_t l0, m0, l1, m1;
    nd_reuse_syn_counts(&l0, &m0);
    assert_true(syn("said", "stated"));
    nd_reuse_syn_counts(&l1, &m1);
    assert_int_equal(l1 - l0, 2);
    assert_int_equal(m1 - m0, 0);
    /* The switch. */
    nd_reuse_syn_enable(0);
    assert_false(nd_reuse_syn_available());
    assert_false(syn("said", "stated"));
    nd_reuse_syn_enable(1);
    assert_true(syn("said", "stated"));
}

/* ---- the same answers as libwn ------------------------------------------------------- */

/* The synsets of a folded word by libwn itself: for each part of speech the word and the base
 * forms morphstr() gives (three forms at most), the first ND_RSYN_SENSES synsets of each
 * through index_lookup(), in that order, without repeats, at most ND_RSYN_MAX. */
static void libwn_senses(const char *word, nd_rsyn *out)
{
    out->n = 0;
    for (int pos = NOUN; pos <= ADV; pos++) {
        char forms[3][WORDBUF];
        int nf = 0;
        snprintf(forms[nf++], WORDBUF, "%s", word);
        char tmp[WORDBUF];
        snprintf(tmp, sizeof tmp, "%s", word);
        for (char *m = morphstr(tmp, pos); m && nf < 3; m = morphstr(NULL, pos)) {
            int dup = 0;
            for (int f = 0; f < nf; f++)
                dup |= strcmp(forms[f], m) == 0;
            if (!dup)
                snprintf(forms[nf++], WORDBUF, "%s", m);
        }
        for (int f = 0; f < nf; f++) {
            IndexPtr ip = index_lookup(forms[f], pos);
            if (!ip)
                continue;
            for (int k = 0; k < ip->off_cnt && k < ND_RSYN_SENSES; k++) {
                uint32_t id = (uint32_t)pos << 28 | (uint32_t)ip->offset[k];
                int dup = 0;
                for (uint32_t q = 0; q < out->n; q++)
                    dup |= out->id[q] == id;
                if (!dup && out->n < ND_RSYN_MAX)
                    out->id[out->n++] = id;
            }
            free_index(ip);
        }
    }
}

static void check_same(const char *w)
{
    nd_rsyn mine, ref;
    assert_int_equal(nd_reuse_syn_senses(w, strlen(w), &mine), ND_OK);
    libwn_senses(w, &ref);
    if (mine.n != ref.n || memcmp(mine.id, ref.id, mine.n * sizeof *mine.id) != 0)
        fail_msg("not libwn's synsets: %s (%u, libwn %u)", w, mine.n, ref.n);
}

/*
 * reuse_syn.c looks words up on WordNet's files itself (docs/reuse.md says why); its answers
 * must be libwn's: every word (of two letters or more) of ten ECB+ articles, and words that
 * take each path of Morphy (exception lists, several lines for one word, every suffix rule,
 * "-ful").
 */
static void test_matches_libwn(void **state)
{
    (void)state;
    assert_true(nd_reuse_syn_available());
    static const char *const hard[] = {
        "offer",  "feed",    "geese", "ran",    "better",  "best",      "saw",     "slain",
        "ladies", "watches", "boxes", "buzzes", "dishes",  "women",     "masses",  "stated",
        "hoping", "running", "tries", "bigger", "largest", "nicer",     "cupsful", "ss",
        "as",     "is",      "has",   "abaci",  "zoos",    "aardvarks", "zymurgy", "went",
    };
    for (size_t i = 0; i < sizeof hard / sizeof *hard; i++)
        check_same(hard[i]);
    if (!t_corpus())
        return;
    static const char *const ids[] = {"1_1ecb",  "3_2ecb",      "8_1ecb",  "12_3ecb",
                                      "19_3ecb", "22_9ecbplus", "30_1ecb", "37_2ecbplus",
                                      "41_1ecb", "45_6ecbplus"};
    size_t checked = 0;
    static uint32_t seen[8192];
    for (size_t a = 0; a < sizeof ids / sizeof *ids; a++) {
        size_t len;
        char *t = ecb(ids[a], &len);
        for (size_t i = 0; i < len;) {
            char w[32];
            size_t n = 0;
            while (i < len && ((t[i] | 0x20) >= 'a' && (t[i] | 0x20) <= 'z')) {
                if (n < sizeof w - 1)
                    w[n++] = (char)(t[i] | 0x20);
                i++;
            }
            if (n < 2) { /* one letter: never looked up (reuse_syn.h) */
                i += n == 0;
                continue;
            }
            w[n] = '\0';
            /* Each distinct word once (libwn itself takes a millisecond a word). */
            uint32_t h = 2166136261u;
            for (size_t k = 0; k < n; k++)
                h = (h ^ (unsigned char)w[k]) * 16777619u;
            size_t slot = h & 8191;
            while (seen[slot] && seen[slot] != (h | 1))
                slot = (slot + 1) & 8191;
            if (seen[slot])
                continue;
            seen[slot] = h | 1;
            check_same(w);
            checked++;
        }
        free(t);
    }
    print_message("%zu distinct words compared with libwn\n", checked);
    assert_true(checked > 1000);
}

/* ---- sentences that pair only thanks to synonyms -------------------------------------- */

static const char *replacement(const char *w, size_t n)
{
    for (size_t i = 0; i < NTABLE; i++) {
        const char *t = syn_table[i][0];
        if (strlen(t) != n)
            continue;
        size_t k = 0;
        while (k < n && (w[k] | 0x20) == t[k])
            k++;
        if (k == n)
            return syn_table[i][1];
    }
    return NULL;
}

/* True when the sentence raw[s, e) holds `word` (case-insensitive, whole word). */
static int holds(const char *raw, size_t s, size_t e, const char *word)
{
    size_t n = strlen(word);
    for (size_t i = s; i + n <= e; i++) {
        if (i > s && ((raw[i - 1] | 0x20) >= 'a' && (raw[i - 1] | 0x20) <= 'z'))
            continue;
        size_t k = 0;
        while (k < n && (raw[i + k] | 0x20) == word[k])
            k++;
        if (k == n && !(i + n < e && (raw[i + n] | 0x20) >= 'a' && (raw[i + n] | 0x20) <= 'z'))
            return 1;
    }
    return 0;
}

typedef struct buf {
    char p[4096];
    size_t n;
} buf;

static int put(buf *b, const char *s, size_t n)
{
    if (b->n + n + 2 > sizeof b->p)
        return 0;
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
    return 1;
}

/*
 * Rewrites sentence `i` of document a (raw text `raw`) into `out` so that it can pair with
 * its source only through synonyms: every word of the table is replaced by its synonym, and
 * enough other content words are replaced by words no dictionary knows (standing for a
 * rewording no word list covers) that the exact content stems in common fall under half,
 * while those and the synonyms together are at least half (and at least 6, a passage's
 * minimum), and the synonyms are no more than the exact matches. Returns 0 when the sentence
 * does not allow this (no table word, too short, a synonym already in it); else the number of
 * words replaced by synonyms in *nk.
 */
static int reword(buf *out, const nd_rdoc *a, const char *raw, size_t i, size_t *nk)
{
    const nd_rsent *se = &a->sent[i];
    if (se->boiler)
        return 0;
    uint32_t stems[128];
    int table[128];
    size_t n = 0, k = 0;
    for (uint32_t t = se->t0; t < se->t1; t++) {
        const nd_rtok *tk = &a->tok[t];
        if (tk->stop)
            continue;
        size_t j = 0;
        while (j < n && stems[j] != tk->stem)
            j++;
        if (j == n) {
            if (n == 128)
                return 0;
            stems[n] = tk->stem;
            table[n++] = 0;
        }
        const char *rep = tk->num ? NULL : replacement(raw + tk->start, tk->end - tk->start);
        if (rep) {
            if (holds(raw, se->start, se->end, rep))
                return 0;
            if (!table[j])
                k++;
            table[j] = 1;
        }
    }
    if (!k)
        return 0;
    size_t r = 0;
    while (2 * (n - k - r) >= n)
        r++;
    size_t c = n - k - r;
    if (k > c || 2 * (c + k) < n || c + k < 6)
        return 0;
    /* The last r content stems that are neither a table word nor a number are garbled. */
    uint32_t garble[128];
    size_t ng = 0;
    for (uint32_t t = se->t1; t-- > se->t0 && ng < r;) {
        const nd_rtok *tk = &a->tok[t];
        if (tk->stop || tk->num)
            continue;
        size_t j = 0;
        while (stems[j] != tk->stem)
            j++;
        size_t g = 0;
        while (g < ng && garble[g] != tk->stem)
            g++;
        if (!table[j] && g == ng)
            garble[ng++] = tk->stem;
    }
    if (ng < r)
        return 0;
    out->n = 0;
    uint32_t at = se->start;
    for (uint32_t t = se->t0; t < se->t1; t++) {
        const nd_rtok *tk = &a->tok[t];
        if (tk->stop)
            continue;
        const char *rep = tk->num ? NULL : replacement(raw + tk->start, tk->end - tk->start);
        size_t g = 0;
        while (g < ng && garble[g] != tk->stem)
            g++;
        if (!rep && g == ng)
            continue;
        if (!put(out, raw + at, tk->start - at))
            return 0;
        if (rep) {
            char w[32];
            snprintf(w, sizeof w, "%s", rep);
            if (raw[tk->start] >= 'A' && raw[tk->start] <= 'Z')
                w[0] = (char)(w[0] - 32);
            if (!put(out, w, strlen(w)))
                return 0;
        } else {
            /* "zq" and the word backwards: a word no dictionary holds. */
            if (!put(out, "zq", 2))
                return 0;
            for (uint32_t q = tk->end; q-- > tk->start;)
                if (!put(out, raw + q, 1))
                    return 0;
        }
        at = tk->end;
    }
    *nk = k;
    return put(out, raw + at, se->end - at) && put(out, "\n", 1);
}

/*
 * Sentences of real ECB+ articles, reworded by reword(): with synonyms off none pairs with
 * its source (fewer than half of the content words are the same), with synonyms on each
 * pairs with exactly its source sentence, as a reworded passage.
 */
static void test_sentences_pair_by_synonyms(void **state)
{
    (void)state;
    if (!t_corpus())
        skip();
    assert_true(nd_reuse_syn_available());
    size_t glen;
    char *gold = t_read_file(t_corpus_path("ecbplus/gold.tsv"), &glen);
    size_t tried = 0, paired = 0;
    char *save = NULL;
    for (char *line = strtok_r(gold, "\n", &save); line && paired < 40;
         line = strtok_r(NULL, "\n", &save)) {
        char id[32];
        if (sscanf(line, "%31s", id) != 1 || strcmp(id, "article") == 0)
            continue;
        size_t len;
        char *raw = ecb(id, &len);
        nd_rdoc a = {0};
        if (!build_doc(&a, raw, len)) {
            free(raw);
            continue;
        }
        for (size_t i = 0; i < a.nsent && paired < 40; i++) {
            buf s;
            size_t k;
            if (!reword(&s, &a, raw, i, &k))
                continue;
            nd_rdoc b = {0};
            /* The edit must have worked as meant, by the stems the aligner sees (a garbled
             * word can split one stem in two, "days" and "day"; a synonym can have the stem of
             * another word, "stated" and "state"): one sentence, fewer than half of the
             * content stems in common, and with the k synonyms at least half, and six. */
            const nd_rsent *sa = &a.sent[i];
            if (!build_doc(&b, s.p, s.n) || b.nsent != 1 || b.sent[0].boiler) {
                nd_rdoc_free(&b);
                continue;
            }
            size_t na = sa->s1 - sa->s0, nb = b.sent[0].s1 - b.sent[0].s0;
            size_t c = nd_reuse_intersect(a.sset + sa->s0, na, b.sset + b.sent[0].s0, nb);
            if (4 * c >= na + nb || 4 * (c + k) < na + nb || k > c || c + k < 6) {
                nd_rdoc_free(&b);
                continue;
            }
            tried++;
            nd_rpasses out = {0};
            nd_ralign w = {0};
            nd_reuse_syn_enable(0);
            assert_int_equal(nd_reuse_align_syn(&out, &w, &a, raw, len, &b, s.p, s.n), ND_OK);
            if (out.n != 0)
                fail_msg("%s sentence %zu pairs without synonyms: %s", id, i, s.p);
            nd_reuse_syn_enable(1);
            assert_int_equal(nd_reuse_align_syn(&out, &w, &a, raw, len, &b, s.p, s.n), ND_OK);
            if (out.n != 1)
                fail_msg("%s sentence %zu not paired through synonyms: %s", id, i, s.p);
            assert_int_equal(out.v[0].a_start, a.sent[i].start);
            assert_int_equal(out.v[0].a_end, a.sent[i].end);
            assert_int_equal(out.v[0].b_start, b.sent[0].start);
            assert_int_equal(out.v[0].kind, ND_REUSE_REWORDED);
            assert_true(out.v[0].similarity < 0.95);
            paired++;
            free(out.v);
            nd_ralign_free(&w);
            nd_rdoc_free(&b);
        }
        nd_rdoc_free(&a);
        free(raw);
    }
    free(gold);
    print_message("%zu sentences paired through synonyms\n", paired);
    assert_int_equal(paired, tried);
    assert_true(paired >= 20);
}

/* ---- look-alikes ----------------------------------------------------------------------- */

/* Longest run of words (ASCII letters and digits, case-folded) two texts share. */
static size_t longest_run(const char *x, size_t nx, const char *y, size_t ny)
{
    uint32_t *h[2] = {calloc(nx + 1, 4), calloc(ny + 1, 4)};
    size_t m[2] = {0, 0};
    for (int side = 0; side < 2; side++) {
        const char *s = side ? y : x;
        size_t n = side ? ny : nx;
        for (size_t i = 0; i < n;) {
            char c = (char)(s[i] | 0x20);
            if (!((c >= 'a' && c <= 'z') || (s[i] >= '0' && s[i] <= '9'))) {
                i++;
                continue;
            }
            uint32_t v = 2166136261u;
            for (; i < n; i++) {
                c = (char)(s[i] | 0x20);
                if (!((c >= 'a' && c <= 'z') || (s[i] >= '0' && s[i] <= '9')))
                    break;
                v = (v ^ (unsigned char)c) * 16777619u;
            }
            h[side][m[side]++] = v;
        }
    }
    size_t best = 0;
    uint32_t *row = calloc(m[1] + 1, 4), *prev = calloc(m[1] + 1, 4);
    for (size_t i = 0; i < m[0]; i++) {
        for (size_t j = 0; j < m[1]; j++) {
            row[j + 1] = h[0][i] == h[1][j] ? prev[j] + 1 : 0;
            if (row[j + 1] > best)
                best = row[j + 1];
        }
        uint32_t *t = row;
        row = prev;
        prev = t;
    }
    free(row);
    free(prev);
    free(h[0]);
    free(h[1]);
    return best;
}

typedef struct seen {
    size_t n;
    char ids[512][2][32];
} seen;

static int collect(void *ctx, const nd_passage *p)
{
    seen *g = ctx;
    if (strcmp(p->a_id, p->b_id) != 0 && g->n < 512) {
        snprintf(g->ids[g->n][0], 32, "%s", p->a_id);
        snprintf(g->ids[g->n][1], 32, "%s", p->b_id);
        g->n++;
    }
    return 0;
}

static int reported(const seen *g, const char *x, const char *y)
{
    for (size_t i = 0; i < g->n; i++)
        if ((!strcmp(g->ids[i][0], x) && !strcmp(g->ids[i][1], y)) ||
            (!strcmp(g->ids[i][0], y) && !strcmp(g->ids[i][1], x)))
            return 1;
    return 0;
}

/*
 * Independent reports of one event (ECB+ articles of one event sharing no run of 8 words)
 * use the event's names and numbers and the usual words for it, so synonyms bring their
 * sentences closer. They are still never reported: synonyms only act inside a pair that
 * passed the exact shingle verification.
 */
static void test_independent_reports(void **state)
{
    (void)state;
    if (!t_corpus())
        skip();
    nd_reuse_syn_enable(1);
    assert_true(nd_reuse_syn_available());
    size_t glen;
    char *gold = t_read_file(t_corpus_path("ecbplus/gold.tsv"), &glen);
    char ids[64][32], events[64][16];
    size_t n = 0;
    for (char *line = strtok(gold, "\n"); line && n < 64; line = strtok(NULL, "\n")) {
        char id[32], story[16], ev[16];
        if (sscanf(line, "%31s %15s %15s", id, story, ev) != 3 || strcmp(id, "article") == 0)
            continue;
        if (strcmp(story, "t04") && strcmp(story, "t05"))
            continue;
        snprintf(ids[n], 32, "%s", id);
        snprintf(events[n], 16, "%s", ev);
        n++;
    }
    free(gold);
    assert_true(n > 20);
    char *texts[64];
    size_t lens[64];
    nd_store *st = NULL;
    assert_int_equal(nd_store_open(&st, t_path("ind.db"), NULL), ND_OK);
    for (size_t i = 0; i < n; i++) {
        texts[i] = ecb(ids[i], &lens[i]);
        nd_article *a = NULL;
        char err[128];
        assert_int_equal(
            nd_article_parse_text(&a, texts[i], lens[i], ids[i], ids[i], NULL, err, sizeof err),
            ND_OK);
        assert_false(ND_FAILED(nd_store_add(st, a)));
        nd_article_free(a);
    }
    seen *g = calloc(1, sizeof *g);
    assert_non_null(g);
    assert_int_equal(nd_reuse_list(st, NULL, collect, g), ND_OK);
    size_t pairs = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(events[i], events[j]) == 0 &&
                longest_run(texts[i], lens[i], texts[j], lens[j]) < 8) {
                pairs++;
                if (reported(g, ids[i], ids[j]))
                    fail_msg("independent reports reported: %s %s", ids[i], ids[j]);
            }
    /* The test must have looked at real independent reports. */
    assert_true(pairs >= 20);
    free(g);
    nd_store_close(st);
    for (size_t i = 0; i < n; i++)
        free(texts[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* First: it needs WordNet not yet loaded in this process. */
        cmocka_unit_test(test_missing_dictionary),
        cmocka_unit_test(test_predicate),
        cmocka_unit_test(test_matches_libwn),
        cmocka_unit_test(test_sentences_pair_by_synonyms),
        cmocka_unit_test_setup_teardown(test_independent_reports, t_dir_setup, t_dir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
