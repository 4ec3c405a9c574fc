/*
 * gen_reuse: builds a reuse test stream with known truth from the ECB+ articles.
 *
 *   gen_reuse [-s SEED] [-c PER_CASE] [-t MAX_TOPIC] [-w LO-HI] ECBPLUS_JSONL STREAM_OUT GOLD_OUT
 *
 * STREAM_OUT gets news-please JSON Lines: every ECB+ article of topics <= MAX_TOPIC as it is
 * (its maintext unchanged), plus derived articles made from them under invented outlets:
 * full copies, copies with outlet footers, partial reprints embedded in an article of another
 * topic, reordered and trimmed copies, and light rewrites. Every article gets a publication
 * date, every derived one later than its sources, so the origin is decidable.
 *
 * GOLD_OUT is a TSV with the columns of `newsdesk reuse --format tsv` plus `case`: one row per
 * reused passage (byte offsets into the maintext of each article, end exclusive), one row per
 * judged negative pair (kind `none`: same topic, other event) and one per pair left unjudged
 * (kind `ignore`: pairs whose truth the construction does not know, see docs/reuse-eval.md).
 * The truth comes from the construction alone, never from a detector. Deterministic by seed.
 * -w sets the share of words a rewrite changes, in percent (default 10-30, the light
 * rewrites); a heavier range is for side experiments, and the default stream is unchanged.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ----------------------------------------------------------------------- */

static uint64_t rng_state = 0x853c49e6748fea9bu;

/* splitmix64: deterministic, seedable, good enough for choosing edits. */
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static size_t rnd_below(size_t n)
{
    return n ? (size_t)(rnd() % n) : 0;
}

static double rnd_unit(void)
{
    return (double)(rnd() >> 11) / 9007199254740992.0;
}

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("gen_reuse: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die("out of memory");
    return p;
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        die("out of memory");
    return p;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

/* A growable string. */
typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (n > ((size_t)1 << 40))
        die("internal error: a negative length");
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_adds(sbuf *b, const char *s)
{
    sb_add(b, s, strlen(s));
}

/* A byte range [s, e). */
typedef struct range {
    size_t s, e;
} range;

typedef struct ranges {
    range *v;
    size_t n, cap;
} ranges;

static void rg_push(ranges *r, size_t s, size_t e)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->v = xrealloc(r->v, r->cap * sizeof *r->v);
    }
    r->v[r->n].s = s;
    r->v[r->n].e = e;
    r->n++;
}

static int is_word(int c)
{
    return isalnum(c) != 0;
}

/* Words are runs of ASCII letters and digits, lower-cased: punctuation, quotes and spacing
 * differ between the two ECB+ tokenisations, the words do not. */
static size_t count_words(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n;) {
        while (i < n && !is_word((unsigned char)s[i]))
            i++;
        if (i < n)
            w++;
        while (i < n && is_word((unsigned char)s[i]))
            i++;
    }
    return w;
}

/* FNV-1a hashes of the lower-cased words of s[0..n). */
static size_t word_hashes(uint64_t **out, const char *s, size_t n)
{
    size_t cnt = count_words(s, n), k = 0;
    uint64_t *h = xmalloc((cnt + 1) * sizeof *h);
    for (size_t i = 0; i < n;) {
        while (i < n && !is_word((unsigned char)s[i]))
            i++;
        if (i >= n)
            break;
        uint64_t v = 1469598103934665603u;
        while (i < n && is_word((unsigned char)s[i])) {
            v = (v ^ (uint64_t)tolower((unsigned char)s[i])) * 1099511628211u;
            i++;
        }
        h[k++] = v;
    }
    *out = h;
    return k;
}

/* Paragraphs of a maintext: its lines (news-please joins paragraphs with one '\n'). */
static void split_paragraphs(ranges *out, const char *t, size_t len)
{
    out->n = 0;
    size_t s = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || t[i] == '\n') {
            if (i > s)
                rg_push(out, s, i);
            s = i + 1;
        }
    }
}

/* Sentences of one paragraph t[ps..pe): a cut after . ! ? (and closing quotes or brackets)
 * followed by a space and an upper-case letter, a digit or an opening quote. Only the unit of
 * the rewrites; a wrong cut does not make the truth wrong, it only makes a coarser edit. */
static void split_sentences(ranges *out, const char *t, size_t ps, size_t pe)
{
    size_t s = ps;
    for (size_t i = ps; i < pe; i++) {
        if (t[i] != '.' && t[i] != '!' && t[i] != '?')
            continue;
        size_t j = i + 1;
        while (j < pe && (t[j] == '"' || t[j] == '\'' || t[j] == ')' ||
                          ((unsigned char)t[j] == 0xe2 && j + 2 < pe)))
            j += (unsigned char)t[j] == 0xe2 ? 3 : 1;
        if (j + 1 < pe && t[j] == ' ' &&
            (isupper((unsigned char)t[j + 1]) || isdigit((unsigned char)t[j + 1]) ||
             t[j + 1] == '"' || (unsigned char)t[j + 1] == 0xe2)) {
            rg_push(out, s, j);
            s = j + 1;
            i = j;
        }
    }
    if (pe > s)
        rg_push(out, s, pe);
}

/* ---- the rewrite vocabulary ---------------------------------------------------------------
 * Written for this generator: common news words with a synonym or another inflection. A
 * replacement is applied as a whole word and keeps an initial capital. */
static const char *const swaps[][2] = {
    {"said", "stated"},
    {"says", "said"},
    {"told", "informed"},
    {"stated", "said"},
    {"is", "was"},
    {"was", "is"},
    {"are", "were"},
    {"were", "are"},
    {"has", "had"},
    {"have", "had"},
    {"had", "has"},
    {"will", "would"},
    {"can", "could"},
    {"may", "might"},
    {"police", "officers"},
    {"officials", "authorities"},
    {"authorities", "officials"},
    {"killed", "slain"},
    {"died", "perished"},
    {"people", "persons"},
    {"man", "male"},
    {"woman", "female"},
    {"reported", "announced"},
    {"announced", "declared"},
    {"according", "referring"},
    {"after", "following"},
    {"before", "prior to"},
    {"also", "additionally"},
    {"many", "numerous"},
    {"several", "a number of"},
    {"big", "large"},
    {"large", "big"},
    {"small", "little"},
    {"began", "started"},
    {"started", "began"},
    {"arrested", "detained"},
    {"charged", "accused"},
    {"injured", "hurt"},
    {"hurt", "injured"},
    {"hospital", "medical center"},
    {"company", "firm"},
    {"firm", "company"},
    {"government", "administration"},
    {"year", "twelvemonth"},
    {"week", "seven days"},
    {"city", "town"},
    {"found", "discovered"},
    {"help", "assist"},
    {"show", "reveal"},
    {"showed", "revealed"},
    {"including", "among them"},
    {"however", "nevertheless"},
    {"but", "yet"},
    {"about", "around"},
    {"around", "about"},
    {"nearly", "almost"},
    {"almost", "nearly"},
    {"because", "since"},
    {"while", "whereas"},
    {"during", "throughout"},
    {"home", "house"},
    {"house", "home"},
    {"car", "vehicle"},
    {"vehicle", "car"},
    {"fire", "blaze"},
    {"blaze", "fire"},
    {"attack", "assault"},
    {"shot", "fired at"},
    {"near", "close to"},
    {"quickly", "rapidly"},
    {"later", "afterwards"},
    {"new", "fresh"},
    {"first", "initial"},
    {"last", "final"},
    {"major", "significant"},
    {"important", "key"},
    {"statement", "declaration"},
    {"decision", "ruling"},
    {"expected", "anticipated"},
    {"believed", "thought"},
    {"confirmed", "verified"},
    {"death", "passing"},
    {"deaths", "fatalities"},
    {"victims", "casualties"},
    {"children", "kids"},
    {"family", "relatives"},
    {"friends", "companions"},
    {"meeting", "session"},
    {"leader", "chief"},
    {"chief", "head"},
    {"spokesman", "representative"},
    {"spokeswoman", "representative"},
    {"investigation", "inquiry"},
    {"trial", "hearing"},
    {"court", "tribunal"},
    {"judge", "magistrate"},
    {"sentenced", "condemned"},
    {"prison", "jail"},
    {"jail", "prison"},
    {"released", "freed"},
    {"earthquake", "quake"},
    {"quake", "earthquake"},
    {"struck", "hit"},
    {"hit", "struck"},
    {"area", "region"},
    {"region", "area"},
    {"country", "nation"},
    {"nation", "country"},
    {"team", "squad"},
    {"game", "match"},
    {"match", "game"},
    {"won", "secured"},
    {"win", "victory"},
    {"lost", "was defeated in"},
    {"season", "campaign"},
    {"deal", "agreement"},
    {"agreement", "deal"},
    {"bought", "acquired"},
    {"buy", "acquire"},
    {"billion", "bn"},
    {"million", "mn"},
    {"percent", "per cent"},
    {"Monday", "on Monday"},
    {"Tuesday", "on Tuesday"},
    {"news", "reports"},
    {"reports", "news"},
    {"added", "noted"},
    {"noted", "added"},
    {"asked", "questioned"},
    {"went", "headed"},
    {"came", "arrived"},
    {"left", "departed"},
    {"big", "huge"},
    {"very", "extremely"},
    {"still", "yet"},
    {"just", "only"},
    {"rehab", "rehabilitation"},
    {"facility", "center"},
    {"center", "facility"},
    {"actress", "performer"},
    {"actor", "performer"},
    {"singer", "vocalist"},
    {"died", "passed away"},
    {"ship", "vessel"},
    {"vessel", "ship"},
    {"pirates", "raiders"},
    {"troops", "soldiers"},
    {"soldiers", "troops"},
    {"military", "armed forces"},
    {"bomb", "explosive"},
    {"explosion", "blast"},
    {"blast", "explosion"},
};

static const char *lookup_swap(const char *w, size_t n)
{
    /* Several entries share a first word: pick one of them at random. */
    const char *found[4];
    size_t k = 0;
    for (size_t i = 0; i < sizeof swaps / sizeof *swaps && k < 4; i++) {
        const char *s = swaps[i][0];
        if (strlen(s) != n)
            continue;
        size_t j = 0;
        while (j < n && tolower((unsigned char)s[j]) == tolower((unsigned char)w[j]))
            j++;
        if (j == n)
            found[k++] = swaps[i][1];
    }
    return k ? found[rnd_below(k)] : NULL;
}

/* Modifiers a rewriter drops without changing the statement. */
static int is_droppable(const char *w, size_t n)
{
    static const char *const d[] = {"very", "also",  "just", "really", "now",     "then",
                                    "that", "still", "even", "only",   "already", "reportedly"};
    for (size_t i = 0; i < sizeof d / sizeof *d; i++)
        if (strlen(d[i]) == n && !strncmp(d[i], w, n))
            return 1;
    return 0;
}

/* Sentence openings that are not names, so that a clause moved to the middle of the sentence
 * may start with a lower-case letter. */
static int lower_ok(const char *w, size_t n)
{
    static const char *const d[] = {"The",    "A",    "An",    "He",   "She",  "It",
                                    "They",   "We",   "In",    "On",   "At",   "After",
                                    "Before", "When", "While", "This", "That", "There",
                                    "His",    "Her",  "Their", "Its",  "But"};
    for (size_t i = 0; i < sizeof d / sizeof *d; i++)
        if (strlen(d[i]) == n && !strncmp(d[i], w, n))
            return 1;
    return 0;
}

/* Moves the clause after the first comma to the front: "A, B." -> "B, a." when both parts
 * have at least 4 words and the sentence has no quotation marks (moving a quote apart would
 * not be a rewrite a writer makes). Returns 0 when the sentence has no such shape. */
static int reorder_clauses(sbuf *out, const char *s, size_t n)
{
    if (n < 4 || s[n - 1] != '.')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '"' || (unsigned char)s[i] == 0xe2)
            return 0;
    const char *c = memchr(s, ',', n);
    if (!c || c + 2 >= s + n - 1 || c[1] != ' ')
        return 0;
    size_t left = (size_t)(c - s), rstart = left + 2, rlen = n - 1 - rstart;
    if (count_words(s, left) < 4 || count_words(s + rstart, rlen) < 4)
        return 0;
    if (memchr(s + rstart, ',', rlen))
        return 0;
    size_t fw = 0;
    while (fw < left && isalpha((unsigned char)s[fw]))
        fw++;
    char cap = (char)toupper((unsigned char)s[rstart]);
    sb_add(out, &cap, 1);
    sb_add(out, s + rstart + 1, rlen - 1);
    sb_adds(out, ", ");
    if (lower_ok(s, fw)) {
        char low = (char)tolower((unsigned char)s[0]);
        sb_add(out, &low, 1);
        sb_add(out, s + 1, left - 1);
    } else {
        sb_add(out, s, left);
    }
    sb_adds(out, ".");
    return 1;
}

/* An inflection change of a word that is not in the swap list: -ed <-> -ing, a plural or
 * third-person -s dropped. NULL when the word has no such ending. */
static const char *inflect(char *buf, size_t cap, const char *w, size_t n)
{
    if (n < 5 || n + 4 > cap || !islower((unsigned char)w[0]))
        return NULL;
    memcpy(buf, w, n);
    buf[n] = '\0';
    if (!strcmp(buf + n - 2, "ed")) {
        strcpy(buf + n - 2, "ing");
        return buf;
    }
    if (!strcmp(buf + n - 3, "ing")) {
        strcpy(buf + n - 3, "ed");
        return buf;
    }
    if (buf[n - 1] == 's' && buf[n - 2] != 's' && buf[n - 2] != 'u' && buf[n - 2] != 'i') {
        buf[n - 1] = '\0';
        return buf;
    }
    return NULL;
}

/* One planned word edit: the word at [b, e) becomes `rep` ("" = dropped with its space). */
typedef struct word_edit {
    size_t b, e;
    const char *rep; /* a constant replacement, or NULL: the inflected form in buf */
    char buf[64];
    int prio;
} word_edit;

/*
 * Rewrites one sentence: sometimes reorders its clauses, then changes `rate` of its words,
 * preferring synonym swaps from the list above, then dropped modifiers, then inflection
 * changes (so a sentence full of names may end up with fewer changes than asked).
 */
static void rewrite_sentence(sbuf *out, const char *s, size_t n, double rate, int reorder)
{
    sbuf tmp = {0};
    if (reorder && rnd_unit() < 0.25 && reorder_clauses(&tmp, s, n)) {
        s = tmp.p;
        n = tmp.n;
    }
    size_t nw = count_words(s, n), ncand = 0;
    word_edit *cand = xmalloc((nw + 1) * sizeof *cand);
    for (size_t i = 0; i < n;) {
        if (!isalpha((unsigned char)s[i])) {
            i++;
            continue;
        }
        size_t b = i;
        while (i < n && isalpha((unsigned char)s[i]))
            i++;
        word_edit *c = &cand[ncand];
        c->b = b;
        c->e = i;
        if ((c->rep = lookup_swap(s + b, i - b)) != NULL)
            c->prio = 0;
        else if (b > 0 && s[b - 1] == ' ' && i < n && s[i] == ' ' && is_droppable(s + b, i - b))
            c->rep = "", c->prio = 1;
        else if (inflect(c->buf, sizeof c->buf, s + b, i - b) != NULL)
            c->rep = NULL, c->prio = 2;
        else
            continue;
        ncand++;
    }
    /* Random order inside each priority class, then take the first `want`. */
    for (size_t i = ncand; i > 1; i--) {
        size_t j = rnd_below(i);
        word_edit t = cand[i - 1];
        cand[i - 1] = cand[j];
        cand[j] = t;
    }
    for (size_t i = 1; i < ncand; i++)
        for (size_t j = i; j > 0 && cand[j].prio < cand[j - 1].prio; j--) {
            word_edit t = cand[j];
            cand[j] = cand[j - 1];
            cand[j - 1] = t;
        }
    size_t want = (size_t)(rate * (double)nw + rnd_unit());
    if (want > ncand)
        want = ncand;
    /* Apply in text order. */
    for (size_t i = 1; i < want; i++)
        for (size_t j = i; j > 0 && cand[j].b < cand[j - 1].b; j--) {
            word_edit t = cand[j];
            cand[j] = cand[j - 1];
            cand[j - 1] = t;
        }
    size_t at = 0;
    for (size_t k = 0; k < want; k++) {
        const word_edit *c = &cand[k];
        const char *rep = c->rep ? c->rep : c->buf;
        sb_add(out, s + at, c->b - at);
        at = c->e;
        if (!*rep) {
            at++; /* the space after a dropped word */
            continue;
        }
        if (isupper((unsigned char)s[c->b])) {
            char c0 = (char)toupper((unsigned char)rep[0]);
            sb_add(out, &c0, 1);
            sb_adds(out, rep + 1);
        } else {
            sb_adds(out, rep);
        }
    }
    sb_add(out, s + at, n - at);
    free(cand);
    free(tmp.p);
}

/* Longest common subsequence of two word-hash sequences (two rows, O(n*m) time). */
static size_t lcs(const uint64_t *x, size_t n, const uint64_t *y, size_t m)
{
    size_t *prev = xmalloc((m + 1) * sizeof *prev), *cur = xmalloc((m + 1) * sizeof *cur);
    memset(prev, 0, (m + 1) * sizeof *prev);
    for (size_t i = 1; i <= n; i++) {
        cur[0] = 0;
        for (size_t j = 1; j <= m; j++) {
            if (x[i - 1] == y[j - 1])
                cur[j] = prev[j - 1] + 1;
            else
                cur[j] = prev[j] > cur[j - 1] ? prev[j] : cur[j - 1];
        }
        size_t *t = prev;
        prev = cur;
        cur = t;
    }
    size_t r = prev[m];
    free(prev);
    free(cur);
    return r;
}

/* ---- the articles ------------------------------------------------------------------------ */

typedef struct art {
    char *id, *title, *text, *outlet;
    size_t len, words;
    int topic;        /* ECB+ topic number */
    char event;       /* 'a' or 'b' */
    long minute;      /* publication time, minutes after 2013-01-01 00:00 */
    int src[2], nsrc; /* the originals its text comes from (itself for an original) */
    int used;         /* an original already used as a source */
    int twin;         /* an original largely contained in another: never a source */
} art;

static art *arts;
static size_t narts, cap_arts;

static art *new_art(void)
{
    if (narts == cap_arts) {
        cap_arts = cap_arts ? cap_arts * 2 : 2048;
        arts = xrealloc(arts, cap_arts * sizeof *arts);
    }
    art *a = &arts[narts++];
    memset(a, 0, sizeof *a);
    return a;
}

typedef struct gold_row {
    int a, b; /* indexes into arts */
    size_t as, ae, bs, be;
    const char *kind, *cas;
    double sim;
} gold_row;

static gold_row *gold;
static size_t ngold, cap_gold;

static void add_gold(int a, size_t as, size_t ae, int b, size_t bs, size_t be, const char *kind,
                     double sim, const char *cas)
{
    if (ngold == cap_gold) {
        cap_gold = cap_gold ? cap_gold * 2 : 4096;
        gold = xrealloc(gold, cap_gold * sizeof *gold);
    }
    gold_row g = {a, b, as, ae, bs, be, kind, cas, sim};
    gold[ngold++] = g;
}

/* Invented outlets; the first half prints footer lines under every article. */
#define NOUTLETS 12
static const char *const outlet_names[NOUTLETS][2] = {
    {"harbourtimes.example", "Harbour Times"},     {"northwire.example", "North Wire"},
    {"dailyledger.example", "Daily Ledger"},       {"metroherald.example", "Metro Herald"},
    {"valleypost.example", "Valley Post"},         {"coastgazette.example", "Coast Gazette"},
    {"capitalbrief.example", "Capital Brief"},     {"riverchronicle.example", "River Chronicle"},
    {"plainsobserver.example", "Plains Observer"}, {"bayreporter.example", "Bay Reporter"},
    {"summitnews.example", "Summit News"},         {"lakesidecourier.example", "Lakeside Courier"},
};
#define NFOOTER_OUTLETS 6

/* The footer lines of outlet o (one of three shapes so that footers differ in length). */
static void append_footer(sbuf *b, int o)
{
    const char *name = outlet_names[o][1];
    char line[512];
    switch (o % 3) {
    case 0:
        snprintf(line, sizeof line,
                 "\nCopyright 2013 %s. All rights reserved. No part of this report may be "
                 "reproduced without the written permission of the publisher.\nFollow the %s "
                 "on social media for the latest local and national news.",
                 name, name);
        break;
    case 1:
        snprintf(line, sizeof line,
                 "\nWant more stories like this one? Sign up for the free %s morning newsletter "
                 "and get the day's headlines in your inbox.",
                 name);
        break;
    default:
        snprintf(line, sizeof line,
                 "\nThis story was produced by the %s newsroom.\nTips and corrections: write to "
                 "the editors through the contact page.\n(c) %s 2013",
                 name, name);
        break;
    }
    sb_adds(b, line);
}

/* A derived article from the originals src0 (and src1, or -1) under a random outlet. */
static art *derived(const char *cas, int n, int src0, int src1, int outlet, char *text, size_t len)
{
    art *d = new_art();
    char id[64];
    snprintf(id, sizeof id, "gen-%s-%04d", cas, n);
    d->id = xstrdup(id);
    d->title = arts[src0].title ? xstrdup(arts[src0].title) : NULL;
    d->text = text;
    d->len = len;
    d->outlet = xstrdup(outlet_names[outlet][0]);
    d->topic = arts[src0].topic;
    d->event = arts[src0].event;
    d->src[0] = src0;
    d->nsrc = 1;
    long m = arts[src0].minute;
    if (src1 >= 0) {
        d->src[1] = src1;
        d->nsrc = 2;
        if (arts[src1].minute > m)
            m = arts[src1].minute;
    }
    /* Published 1 hour to 3 days after its latest source. */
    d->minute = m + 60 + (long)rnd_below(3 * 24 * 60);
    return d;
}

/* Picks an unused original with at least `min_words` words and `min_paras` paragraphs of at
 * least 10 words, not of topic `not_topic`; -1 when none is left. */
static int pick_source(size_t norig, size_t min_words, size_t min_paras, int not_topic)
{
    ranges pr = {0};
    for (int tries = 0; tries < 20000; tries++) {
        size_t i = rnd_below(norig);
        art *a = &arts[i];
        if (a->used || a->twin || a->words < min_words || a->topic == not_topic)
            continue;
        split_paragraphs(&pr, a->text, a->len);
        size_t good = 0;
        for (size_t k = 0; k < pr.n; k++)
            if (count_words(a->text + pr.v[k].s, pr.v[k].e - pr.v[k].s) >= 10)
                good++;
        if (good < min_paras)
            continue;
        a->used = 1;
        free(pr.v);
        return (int)i;
    }
    free(pr.v);
    return -1;
}

static int pick_outlet(int footer)
{
    if (footer < 0)
        return (int)rnd_below(NOUTLETS);
    if (footer)
        return (int)rnd_below(NFOOTER_OUTLETS);
    return NFOOTER_OUTLETS + (int)rnd_below(NOUTLETS - NFOOTER_OUTLETS);
}

static void finish_text(sbuf *b, int outlet)
{
    if (outlet < NFOOTER_OUTLETS)
        append_footer(b, outlet);
    if (!b->p)
        sb_add(b, "", 0);
}

/* Case copy / boilerplate: the whole maintext under another outlet. */
static void make_copy(size_t norig, int n, int footer)
{
    int x = pick_source(norig, 40, 1, -1);
    if (x < 0)
        return;
    int o = pick_outlet(footer);
    sbuf b = {0};
    sb_add(&b, arts[x].text, arts[x].len);
    finish_text(&b, o);
    const char *cas = footer ? "boilerplate" : "copy";
    derived(cas, n, x, -1, o, b.p, b.n);
    add_gold(x, 0, arts[x].len, (int)narts - 1, 0, arts[x].len, "verbatim", 1.0, cas);
}

/* Case embed: the first paragraphs of a wire piece inside an article of another topic. */
static void make_embed(size_t norig, int n)
{
    int p = pick_source(norig, 40, 1, -1);
    if (p < 0)
        return;
    int h = pick_source(norig, arts[p].words, 2, arts[p].topic);
    if (h < 0) {
        arts[p].used = 0;
        return;
    }
    ranges pp = {0}, hp = {0};
    split_paragraphs(&pp, arts[p].text, arts[p].len);
    split_paragraphs(&hp, arts[h].text, arts[h].len);
    size_t k = pp.n <= 4 ? pp.n : 2 + rnd_below(3);
    size_t piece_end = pp.v[k - 1].e;
    if (count_words(arts[p].text, piece_end) < 40)
        piece_end = arts[p].len, k = pp.n;
    size_t cut = 1 + rnd_below(hp.n - 1); /* host paragraphs [0, cut) before the piece */
    size_t h1 = hp.v[cut - 1].e, h2 = hp.v[cut].s;
    int o = pick_outlet(-1);
    sbuf b = {0};
    sb_add(&b, arts[h].text, h1);
    sb_adds(&b, "\n");
    size_t off = b.n;
    sb_add(&b, arts[p].text, piece_end);
    sb_adds(&b, "\n");
    size_t off2 = b.n;
    sb_add(&b, arts[h].text + h2, arts[h].len - h2);
    finish_text(&b, o);
    derived("embed", n, p, h, o, b.p, b.n);
    int d = (int)narts - 1;
    /* The host's topic and event describe the new article: it is mostly the host. */
    arts[d].topic = arts[h].topic;
    arts[d].event = arts[h].event;
    free(arts[d].title);
    arts[d].title = arts[h].title ? xstrdup(arts[h].title) : NULL;
    add_gold(p, 0, piece_end, d, off, off + piece_end, "verbatim", 1.0, "embed");
    add_gold(h, 0, h1, d, 0, h1, "verbatim", 1.0, "embed-host");
    add_gold(h, h2, arts[h].len, d, off2, off2 + arts[h].len - h2, "verbatim", 1.0, "embed-host");
    free(pp.v);
    free(hp.v);
}

/* Case reorder: the paragraphs of at least 10 words, the first or last sometimes dropped,
 * in another order. */
static void make_reorder(size_t norig, int n)
{
    int x = pick_source(norig, 60, 3, -1);
    if (x < 0)
        return;
    ranges pr = {0}, keep = {0};
    split_paragraphs(&pr, arts[x].text, arts[x].len);
    for (size_t k = 0; k < pr.n; k++)
        if (count_words(arts[x].text + pr.v[k].s, pr.v[k].e - pr.v[k].s) >= 10)
            rg_push(&keep, pr.v[k].s, pr.v[k].e);
    size_t first = 0, last = keep.n;
    if (last - first > 3 && rnd_below(3) == 0)
        first++;
    if (last - first > 3 && rnd_below(2) == 0)
        last--;
    size_t m = last - first;
    size_t *perm = xmalloc(m * sizeof *perm);
    for (size_t i = 0; i < m; i++)
        perm[i] = first + i;
    for (size_t i = m - 1; i > 0; i--) {
        size_t j = rnd_below(i + 1), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    int same = 1;
    for (size_t i = 0; i < m; i++)
        same &= perm[i] == first + i;
    if (same) {
        size_t t = perm[0];
        perm[0] = perm[1];
        perm[1] = t;
    }
    int o = pick_outlet(-1);
    sbuf b = {0};
    size_t *offs = xmalloc(m * sizeof *offs);
    for (size_t i = 0; i < m; i++) {
        if (i)
            sb_adds(&b, "\n");
        offs[i] = b.n;
        range r = keep.v[perm[i]];
        sb_add(&b, arts[x].text + r.s, r.e - r.s);
    }
    finish_text(&b, o);
    derived("reorder", n, x, -1, o, b.p, b.n);
    for (size_t i = 0; i < m; i++) {
        range r = keep.v[perm[i]];
        add_gold(x, r.s, r.e, (int)narts - 1, offs[i], offs[i] + r.e - r.s, "verbatim", 1.0,
                 "reorder");
    }
    free(perm);
    free(offs);
    free(pr.v);
    free(keep.v);
}

/* Histogram of the measured change of the rewrites, for the summary on stderr. */
static size_t rewrite_hist[8];
/* Rewrite rate: drawn from [rw_lo, rw_lo + rw_span) (-w; the default is 10-30%). */
static double rw_lo = 0.10, rw_span = 0.20;

/* Case rewrite (copyedit = 0): every sentence rewritten at one rate drawn from 10-30%, some
 * clauses reordered, some sentences dropped. Case copyedit (1): 1-5% of the words changed,
 * nothing reordered or dropped. The passages are the kept sentences; the kind follows the
 * measured change. */
static void make_rewrite(size_t norig, int n, int copyedit)
{
    int x = pick_source(norig, 60, 1, -1);
    if (x < 0)
        return;
    const char *t = arts[x].text;
    ranges pr = {0}, sr = {0};
    split_paragraphs(&pr, t, arts[x].len);
    size_t total = 0;
    for (size_t k = 0; k < pr.n; k++) {
        size_t before = sr.n;
        split_sentences(&sr, t, pr.v[k].s, pr.v[k].e);
        total += sr.n - before;
    }
    sr.n = 0;
    double rate = copyedit ? 0.01 + 0.04 * rnd_unit() : rw_lo + rw_span * rnd_unit();
    int o = pick_outlet(-1);
    sbuf b = {0};
    ranges src_sp = {0}, dst_sp = {0};
    size_t same_words = 0, all_words = 0, dropped = 0;
    for (size_t k = 0; k < pr.n; k++) {
        sr.n = 0;
        split_sentences(&sr, t, pr.v[k].s, pr.v[k].e);
        int para_open = 0;
        for (size_t i = 0; i < sr.n; i++) {
            range r = sr.v[i];
            /* Drop some sentences, never the lede, and keep at least 3. */
            if (!copyedit && (k || i) && total - dropped > 3 && rnd_unit() < 0.08) {
                dropped++;
                continue;
            }
            if (!para_open && b.n)
                sb_adds(&b, "\n");
            else if (para_open)
                sb_adds(&b, " ");
            para_open = 1;
            size_t start = b.n;
            rewrite_sentence(&b, t + r.s, r.e - r.s, rate, !copyedit);
            rg_push(&src_sp, r.s, r.e);
            rg_push(&dst_sp, start, b.n);
            uint64_t *hx, *hy;
            size_t nx = word_hashes(&hx, t + r.s, r.e - r.s);
            size_t ny = word_hashes(&hy, b.p + start, b.n - start);
            same_words += lcs(hx, nx, hy, ny);
            all_words += nx > ny ? nx : ny;
            free(hx);
            free(hy);
        }
    }
    finish_text(&b, o);
    /* Changed share of words: 1 - LCS / longer side, over the kept sentences. */
    double change = all_words ? 1.0 - (double)same_words / (double)all_words : 0.0;
    /* The kinds as the public API defines them (include/newsdesk.h): near-verbatim is
     * copy-edited, at most one word in twenty changed. */
    const char *kind = change == 0.0 ? "verbatim" : change <= 0.05 ? "near-verbatim" : "reworded";
    rewrite_hist[change >= 0.35 ? 7 : (size_t)(change / 0.05)]++;
    const char *cas = copyedit ? "copyedit" : "rewrite";
    derived(cas, n, x, -1, o, b.p, b.n);
    for (size_t i = 0; i < src_sp.n; i++)
        add_gold(x, src_sp.v[i].s, src_sp.v[i].e, (int)narts - 1, dst_sp.v[i].s, dst_sp.v[i].e,
                 kind, 1.0 - change, cas);
    free(pr.v);
    free(sr.v);
    free(src_sp.v);
    free(dst_sp.v);
}

/* ---- which pairs of originals are judged --------------------------------------------------
 * ECB+ itself holds reuse: the same wire story under two outlets, shared background
 * paragraphs. Pairs of originals of the same event are never judged (nobody checked them all
 * by hand); pairs of other events are judged unless they share a run of at least
 * SHARED_RUN_WORDS words, which only copying produces (docs/reuse-eval.md). */
#define SHINGLE 8
#define SHARED_RUN_WORDS 12
#define TWIN_SHARE 0.2

typedef struct shingle {
    uint64_t h;
    uint32_t art;
} shingle;

static int cmp_shingle(const void *x, const void *y)
{
    const shingle *a = x, *b = y;
    if (a->h != b->h)
        return a->h < b->h ? -1 : 1;
    return a->art < b->art ? -1 : a->art > b->art;
}

static uint64_t shingle_hash(const uint64_t *w)
{
    uint64_t h = 0;
    for (size_t k = 0; k < SHINGLE; k++)
        h = (h ^ w[k]) * 0x100000001b3u + k;
    return h;
}

/* Longest run of words of x also found, in the same order, in y (via shared shingles). */
static size_t longest_shared_run(const art *x, const art *y)
{
    uint64_t *wx, *wy;
    size_t nx = word_hashes(&wx, x->text, x->len), ny = word_hashes(&wy, y->text, y->len);
    size_t best = 0;
    if (nx >= SHINGLE && ny >= SHINGLE) {
        size_t ms = ny - SHINGLE + 1;
        uint64_t *sy = xmalloc(ms * sizeof *sy);
        for (size_t j = 0; j < ms; j++)
            sy[j] = shingle_hash(wy + j);
        size_t run = 0;
        for (size_t i = 0; i + SHINGLE <= nx; i++) {
            uint64_t h = shingle_hash(wx + i);
            int hit = 0;
            for (size_t j = 0; j < ms && !hit; j++)
                hit = sy[j] == h;
            run = hit ? (run ? run + 1 : SHINGLE) : 0;
            if (run > best)
                best = run;
        }
        free(sy);
    }
    free(wx);
    free(wy);
    return best;
}

/* Marks in unj[x * n + y] the pairs of originals whose truth is unknown. */
static unsigned char *unjudged_originals(size_t n, size_t *n_cross)
{
    unsigned char *unj = xmalloc(n * n);
    memset(unj, 0, n * n);
    for (size_t x = 0; x < n; x++)
        for (size_t y = 0; y < n; y++)
            if (x != y && arts[x].topic == arts[y].topic && arts[x].event == arts[y].event)
                unj[x * n + y] = 1;
    shingle *sh = NULL;
    size_t nsh = 0, cap = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t *w;
        size_t nw = word_hashes(&w, arts[i].text, arts[i].len);
        for (size_t j = 0; j + SHINGLE <= nw; j++) {
            if (nsh == cap) {
                cap = cap ? cap * 2 : 65536;
                sh = xrealloc(sh, cap * sizeof *sh);
            }
            sh[nsh].h = shingle_hash(w + j);
            sh[nsh].art = (uint32_t)i;
            nsh++;
        }
        free(w);
    }
    qsort(sh, nsh, sizeof *sh, cmp_shingle);
    unsigned char *checked = xmalloc(n * n);
    memset(checked, 0, n * n);
    /* Distinct shingles of each article, and how many of them each other article has. */
    uint32_t *own = xmalloc(n * sizeof *own), *shared = xmalloc(n * n * sizeof *shared);
    memset(own, 0, n * sizeof *own);
    memset(shared, 0, n * n * sizeof *shared);
    size_t m = 0;
    for (size_t i = 0; i < nsh; i++)
        if (!m || sh[i].h != sh[m - 1].h || sh[i].art != sh[m - 1].art)
            sh[m++] = sh[i];
    nsh = m;
    for (size_t i = 0; i < nsh; i++)
        own[sh[i].art]++;
    *n_cross = 0;
    for (size_t i = 0; i < nsh;) {
        size_t j = i;
        while (j < nsh && sh[j].h == sh[i].h)
            j++;
        for (size_t p = i; p < j; p++)
            for (size_t q = p + 1; q < j; q++) {
                size_t x = sh[p].art, y = sh[q].art;
                shared[x * n + y]++;
                shared[y * n + x]++;
                if (x == y || checked[x * n + y] || unj[x * n + y])
                    continue;
                checked[x * n + y] = checked[y * n + x] = 1;
                size_t run = longest_shared_run(&arts[x], &arts[y]);
                if (run >= SHARED_RUN_WORDS) {
                    unj[x * n + y] = unj[y * n + x] = 1;
                    (*n_cross)++;
                    fprintf(stderr,
                            "gen_reuse: originals of different events share %zu words: "
                            "%s %s (unjudged)\n",
                            run, arts[x].id, arts[y].id);
                }
            }
        i = j;
    }
    /* An original whose text is largely in another original is never a source: a copy of it
     * is just as much a copy of the other one, and a detector that names the other (earlier)
     * one as the origin would be wrong by the gold. */
    size_t ntwins = 0;
    for (size_t x = 0; x < n; x++)
        for (size_t y = 0; y < n && !arts[x].twin; y++)
            if (y != x && own[x] && (double)shared[x * n + y] >= TWIN_SHARE * (double)own[x]) {
                arts[x].twin = 1;
                ntwins++;
            }
    fprintf(stderr, "gen_reuse: %zu originals share %.0f%% of their 8-grams with another "
                    "(never used as sources)\n",
            ntwins, TWIN_SHARE * 100);
    free(own);
    free(shared);
    free(sh);
    free(checked);
    return unj;
}

/* ---- output ------------------------------------------------------------------------------ */

static void format_date(char *buf, size_t len, long minute)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    long day = minute / (24 * 60), rem = minute % (24 * 60);
    int year = 2013, mon = 0;
    while (day >= mdays[mon]) {
        day -= mdays[mon];
        if (++mon == 12) {
            mon = 0;
            year++;
        }
    }
    snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:00", year % 10000, mon + 1, (int)day % 32 + 1,
             (int)(rem / 60) % 24, (int)(rem % 60));
}

static int cmp_order(const void *x, const void *y)
{
    const art *a = &arts[*(const int *)x], *b = &arts[*(const int *)y];
    if (a->minute != b->minute)
        return a->minute < b->minute ? -1 : 1;
    return strcmp(a->id, b->id);
}

static void write_stream(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        die("cannot write %s", path);
    int *order = xmalloc(narts * sizeof *order);
    for (size_t i = 0; i < narts; i++)
        order[i] = (int)i;
    qsort(order, narts, sizeof *order, cmp_order);
    for (size_t k = 0; k < narts; k++) {
        const art *a = &arts[order[k]];
        char date[64];
        format_date(date, sizeof date, a->minute);
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(a->id));
        json_object_set_new(o, "title", a->title ? json_string(a->title) : json_null());
        json_object_set_new(o, "maintext", json_stringn(a->text, a->len));
        json_object_set_new(o, "source_domain", a->outlet ? json_string(a->outlet) : json_null());
        json_object_set_new(o, "date_publish", json_string(date));
        json_object_set_new(o, "language", json_string("en"));
        char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (!s)
            die("cannot encode %s", a->id);
        fputs(s, f);
        fputc('\n', f);
        free(s);
        json_decref(o);
    }
    free(order);
    if (fclose(f) != 0)
        die("cannot write %s", path);
}

/* Writes the passage rows, then one row per unjudged or negative pair of the stream. */
static void write_gold(const char *path, size_t norig, const unsigned char *unj, size_t *nneg,
                       size_t *nign)
{
    FILE *f = fopen(path, "w");
    if (!f)
        die("cannot write %s", path);
    fputs("article_a\ta_start\ta_end\tarticle_b\tb_start\tb_end\tkind\tsimilarity\tcase\n", f);
    unsigned char *pos = xmalloc(narts * narts);
    memset(pos, 0, narts * narts);
    for (size_t i = 0; i < ngold; i++) {
        const gold_row *g = &gold[i];
        fprintf(f, "%s\t%zu\t%zu\t%s\t%zu\t%zu\t%s\t%.4f\t%s\n", arts[g->a].id, g->as, g->ae,
                arts[g->b].id, g->bs, g->be, g->kind, g->sim, g->cas);
        pos[(size_t)g->a * narts + (size_t)g->b] = pos[(size_t)g->b * narts + (size_t)g->a] = 1;
    }
    *nneg = *nign = 0;
    for (size_t u = 0; u < narts; u++)
        for (size_t v = u + 1; v < narts; v++) {
            if (pos[u * narts + v])
                continue;
            int ignore = 0, negative = 0;
            for (int i = 0; i < arts[u].nsrc; i++)
                for (int j = 0; j < arts[v].nsrc; j++) {
                    size_t x = (size_t)arts[u].src[i], y = (size_t)arts[v].src[j];
                    if (x == y || unj[x * norig + y])
                        ignore = 1;
                    else if (arts[x].topic == arts[y].topic && arts[x].event != arts[y].event)
                        negative = 1;
                }
            if (!ignore && !negative)
                continue;
            fprintf(f, "%s\t0\t0\t%s\t0\t0\t%s\t0\t%s\n", arts[u].id, arts[v].id,
                    ignore ? "ignore" : "none", ignore ? "unjudged" : "negative");
            if (ignore)
                (*nign)++;
            else
                (*nneg)++;
        }
    free(pos);
    if (fclose(f) != 0)
        die("cannot write %s", path);
}

/* Reads the ECB+ JSONL and the event of each article from gold.tsv beside it. */
static void read_originals(const char *jsonl, int max_topic)
{
    char gpath[4096];
    const char *slash = strrchr(jsonl, '/');
    snprintf(gpath, sizeof gpath, "%.*s/gold.tsv", slash ? (int)(slash - jsonl) : 1,
             slash ? jsonl : ".");
    FILE *f = fopen(jsonl, "r");
    if (!f)
        die("cannot read %s", jsonl);
    char *line = NULL;
    size_t lcap = 0;
    while (getline(&line, &lcap, f) > 0) {
        json_error_t err;
        json_t *o = json_loads(line, 0, &err);
        if (!o)
            die("%s: bad JSON line: %s", jsonl, err.text);
        const char *id = json_string_value(json_object_get(o, "id"));
        const char *title = json_string_value(json_object_get(o, "title"));
        json_t *tv = json_object_get(o, "maintext");
        const char *dom = json_string_value(json_object_get(o, "source_domain"));
        if (!id || !json_string_value(tv))
            die("%s: a line without id or maintext", jsonl);
        int topic = atoi(id);
        if (topic > max_topic) {
            json_decref(o);
            continue;
        }
        art *a = new_art();
        a->id = xstrdup(id);
        a->title = title ? xstrdup(title) : NULL;
        a->len = json_string_length(tv);
        a->text = memcpy(xmalloc(a->len + 1), json_string_value(tv), a->len + 1);
        a->outlet = dom ? xstrdup(dom) : NULL;
        a->words = count_words(a->text, a->len);
        a->topic = topic;
        a->src[0] = (int)(narts - 1);
        a->nsrc = 1;
        /* Originals are published over the first 180 days of 2013. */
        a->minute = (long)rnd_below(180 * 24 * 60);
        json_decref(o);
    }
    fclose(f);
    FILE *g = fopen(gpath, "r");
    if (!g)
        die("cannot read %s", gpath);
    while (getline(&line, &lcap, g) > 0) {
        char id[256], story[64], event[64];
        if (sscanf(line, "%255s %63s %63s", id, story, event) != 3)
            continue;
        for (size_t i = 0; i < narts; i++)
            if (!strcmp(arts[i].id, id))
                arts[i].event = event[strlen(event) - 1];
    }
    free(line);
    fclose(g);
    for (size_t i = 0; i < narts; i++)
        if (arts[i].event != 'a' && arts[i].event != 'b')
            die("%s: no event for %s", gpath, arts[i].id);
}

int main(int argc, char **argv)
{
    int per_case = 50, max_topic = 1000;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "-s") && i + 1 < argc)
            rng_state ^= strtoull(argv[++i], NULL, 10) * 0x9e3779b97f4a7c15u;
        else if (!strcmp(argv[i], "-c") && i + 1 < argc)
            per_case = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-t") && i + 1 < argc)
            max_topic = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-w") && i + 1 < argc) {
            int lo, hi;
            if (sscanf(argv[++i], "%d-%d", &lo, &hi) != 2 || lo < 0 || hi < lo || hi > 90)
                die("-w wants LO-HI in percent, 0 <= LO <= HI <= 90");
            rw_lo = lo / 100.0;
            rw_span = (hi - lo) / 100.0;
        } else
            break;
    }
    if (argc - i != 3 || per_case < 0) {
        fprintf(stderr, "usage: gen_reuse [-s SEED] [-c PER_CASE] [-t MAX_TOPIC] [-w LO-HI] "
                        "ECBPLUS_JSONL STREAM_OUT GOLD_OUT\n");
        return 2;
    }
    read_originals(argv[i], max_topic);
    size_t norig = narts;
    if (!norig)
        die("no articles read");
    size_t ncross = 0;
    unsigned char *unj = unjudged_originals(norig, &ncross);
    for (int n = 0; n < per_case; n++) {
        make_copy(norig, n, 0);
        make_copy(norig, n, 1);
        make_embed(norig, n);
        make_reorder(norig, n);
        make_rewrite(norig, n, 1);
        make_rewrite(norig, 2 * n, 0);
        make_rewrite(norig, 2 * n + 1, 0);
    }
    write_stream(argv[i + 1]);
    size_t nneg, nign;
    write_gold(argv[i + 2], norig, unj, &nneg, &nign);
    fprintf(stderr,
            "gen_reuse: %zu articles (%zu originals, %zu derived), %zu passage rows, %zu negative "
            "pairs, %zu unjudged pairs (%zu of different events)\n",
            narts, norig, narts - norig, ngold, nneg, nign, ncross);
    fprintf(stderr, "gen_reuse: rewrites by changed share of words:");
    for (int h = 0; h < 8; h++)
        fprintf(stderr, " %s%d%%:%zu", h == 7 ? ">=" : "", h * 5, rewrite_hist[h]);
    fputc('\n', stderr);
    for (size_t k = 0; k < narts; k++) {
        free(arts[k].id);
        free(arts[k].title);
        free(arts[k].text);
        free(arts[k].outlet);
    }
    free(arts);
    free(gold);
    free(unj);
    return 0;
}
