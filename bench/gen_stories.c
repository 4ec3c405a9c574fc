/*
 * gen_stories: a benchmark stream of news-please JSON Lines with a known story structure, for
 * clustering at scale.
 *
 *   gen_stories [-n COUNT] [-s SEED] [-d DAYS] [-g GOLD.tsv] [ECBPLUS_JSONL] > stream.jsonl
 *
 * gen_stream makes every article a near-copy of one of 982 ECB+ articles, so at a million
 * articles a clusterer faces a thousand copies of each: nothing like a feed. Here the stream
 * is made of synthetic stories instead:
 *  - story sizes are heavy-tailed (Pareto, most stories a handful of articles, a few
 *    thousands), each story runs from a start day spread over DAYS (default 450) for a few
 *    days to a few months, and holds 1-4 events days or weeks apart;
 *  - each story has its own vocabulary: a few names (half taken from ECB+, half made by
 *    joining pieces of two ECB+ names, so that names are many and mostly distinct) and
 *    content words, and each event adds a place and a word of its own;
 *  - every article is written afresh: a headline from the story's and event's words, and
 *    4-12 sentences, each a random ECB+ sentence in which many names and content words are
 *    replaced by the story's and event's. Articles of a story thus share names and topic
 *    words but no sentence, and all stories share the same background language;
 *  - articles are dated from their event's day plus a short delay and come out in
 *    publication order, from 150 invented outlets; about 1% are near-empty (a headline and
 *    one sentence), some mention the event's date in the text.
 * With -g the gold labels are written too (story s<N>, event s<N>e<K>), so the same stream
 * can be scored with `newsdesk eval clusters`. Deterministic for a given seed. JSON is
 * written by hand (only quote, backslash and control characters need escaping) so that a
 * million articles take seconds.
 */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

/* xorshift64*: fast, deterministic, good enough for picking. */
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1du;
}

static size_t below(size_t n)
{
    return n ? (size_t)(rnd() % n) : 0;
}

/* Uniform in [0, 1). */
static double unif(void)
{
    return (double)(rnd() >> 11) / 9007199254740992.0;
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        perror("gen_stories");
        exit(1);
    }
    return p;
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        perror("gen_stories");
        exit(1);
    }
    return p;
}

static char *xstrndup(const char *s, size_t n)
{
    char *d = xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* ---- pools of words and sentences from ECB+ ------------------------------------------ */

typedef struct pool {
    char **v;
    size_t n, cap;
    /* open-addressing set of the strings, for deduplication */
    uint32_t *slots;
    size_t nslots;
} pool;

static uint64_t hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

static void pool_add(pool *p, const char *s, size_t n, int dedup)
{
    if (dedup) {
        if (!p->slots) {
            p->nslots = 1 << 17;
            p->slots = calloc(p->nslots, sizeof *p->slots);
            if (!p->slots)
                exit(1);
        }
        if (p->n * 2 >= p->nslots)
            return; /* pool is big enough */
        size_t j = (size_t)hash(s, n) & (p->nslots - 1);
        while (p->slots[j]) {
            const char *o = p->v[p->slots[j] - 1];
            if (strlen(o) == n && memcmp(o, s, n) == 0)
                return;
            j = (j + 1) & (p->nslots - 1);
        }
        p->slots[j] = (uint32_t)p->n + 1;
    }
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 1024;
        p->v = xrealloc(p->v, p->cap * sizeof *p->v);
    }
    p->v[p->n++] = xstrndup(s, n);
}

static const char *pick(const pool *p)
{
    return p->v[below(p->n)];
}

static int is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static int is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}

static int is_letter(char c)
{
    return is_upper(c) || is_lower(c);
}

static pool names, words, sentences;

/* Splits one ECB+ body into sentences (at ". ", "? ", "! " and newlines) of 6-40 words and
 * collects capitalised words after the first word (names) and long lowercase words. */
static void harvest(const char *text)
{
    const char *s = text;
    while (*s) {
        const char *e = s;
        while (*e && *e != '\n' &&
               !((*e == '.' || *e == '?' || *e == '!') && (e[1] == ' ' || !e[1] || e[1] == '\n')))
            e++;
        size_t len = (size_t)(e - s) + (*e && *e != '\n' ? 1 : 0);
        size_t nw = 0;
        for (size_t i = 0; i < len; i++) {
            if (is_letter(s[i]) && (i == 0 || s[i - 1] == ' ')) {
                size_t k = i;
                while (k < len && is_letter(s[k]))
                    k++;
                size_t wl = k - i;
                int boundary = k == len || s[k] == ' ' || s[k] == ',' || s[k] == '.';
                if (nw > 0 && boundary && is_upper(s[i]) && wl >= 3 && wl <= 12) {
                    int rest_lower = 1;
                    for (size_t q = i + 1; q < k; q++)
                        rest_lower &= is_lower(s[q]);
                    if (rest_lower)
                        pool_add(&names, s + i, wl, 1);
                } else if (boundary && is_lower(s[i]) && wl >= 6) {
                    pool_add(&words, s + i, wl, 1);
                }
            }
            if (s[i] == ' ')
                nw++;
        }
        /* Only whole sentences: a line without a final stop is a caption or a heading. */
        if (nw >= 5 && nw <= 40 && len < 400 && *e && *e != '\n')
            pool_add(&sentences, s, len, 0);
        s = e;
        while (*s && (*s == '.' || *s == '?' || *s == '!' || *s == ' ' || *s == '\n'))
            s++;
    }
}

/* ---- stories ------------------------------------------------------------------------- */

#define NAMES_PER_STORY 6
#define WORDS_PER_STORY 8
#define MAX_EVENTS 4

typedef struct event {
    int32_t day;
    const char *place;
    const char *word;
} event;

typedef struct story {
    char *names[NAMES_PER_STORY];
    const char *words[WORDS_PER_STORY];
    event ev[MAX_EVENTS];
    int nev;
} story;

typedef struct item {
    int64_t when; /* seconds since the stream's day 0 */
    uint32_t story;
    uint8_t event;
} item;

/* A name for a story: an ECB+ name, or the head of one joined to the tail of another. */
static char *make_name(void)
{
    const char *a = pick(&names);
    if (below(2) == 0)
        return xstrndup(a, strlen(a));
    const char *b = pick(&names);
    size_t la = strlen(a), lb = strlen(b);
    size_t ha = la < 4 ? la : 3 + below(2), tb = lb < 4 ? lb : 3 + below(lb - 2);
    if (tb > lb)
        tb = lb;
    char buf[64];
    memcpy(buf, a, ha);
    memcpy(buf + ha, b + lb - tb, tb);
    return xstrndup(buf, ha + tb);
}

static int cmp_item(const void *x, const void *y)
{
    const item *a = x, *b = y;
    return (a->when > b->when) - (a->when < b->when);
}

/* ---- writing ------------------------------------------------------------------------- */

typedef struct out {
    char *s;
    size_t n, cap;
} out;

static void o_put(out *o, const char *s, size_t n)
{
    if (o->n + n + 1 > o->cap) {
        o->cap = (o->n + n + 1) * 2;
        o->s = xrealloc(o->s, o->cap);
    }
    memcpy(o->s + o->n, s, n);
    o->n += n;
}

static void o_puts(out *o, const char *s)
{
    o_put(o, s, strlen(s));
}

/* Appends s as the inside of a JSON string. */
static void o_json(out *o, const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\' || c < 0x20) {
            o_put(o, s + start, i - start);
            char esc[8];
            if (c == '"' || c == '\\')
                snprintf(esc, sizeof esc, "\\%c", c);
            else if (c == '\n')
                snprintf(esc, sizeof esc, "\\n");
            else
                snprintf(esc, sizeof esc, "\\u%04x", c);
            o_puts(o, esc);
            start = i + 1;
        }
    }
    o_put(o, s + start, n - start);
}

static const char *const months[] = {"January", "February", "March",     "April",
                                     "May",     "June",     "July",      "August",
                                     "September", "October", "November", "December"};

/* Civil date of a day counted from 2024-01-01. */
static void civil(int32_t day, int *y, int *m, int *d)
{
    /* Howard Hinnant's days_from_civil inverse, from 1970-01-01 (2024-01-01 is day 19723). */
    int64_t z = (int64_t)day + 19723 + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* One sentence: an ECB+ sentence with names and long words swapped for the story's. */
static void write_sentence(out *o, const story *st, const event *ev)
{
    const char *s = pick(&sentences);
    size_t n = strlen(s), i = 0, wi = 0;
    while (i < n) {
        if (is_letter(s[i]) && (i == 0 || !is_letter(s[i - 1]))) {
            size_t k = i;
            while (k < n && is_letter(s[k]))
                k++;
            size_t wl = k - i;
            const char *rep = NULL;
            if (wi > 0 && is_upper(s[i]) && below(10) < 7) {
                size_t r = below(NAMES_PER_STORY + 2);
                rep = r < NAMES_PER_STORY ? st->names[r] : ev->place;
            } else if (is_lower(s[i]) && wl >= 6 && below(10) < 4) {
                size_t r = below(WORDS_PER_STORY + 1);
                rep = r < WORDS_PER_STORY ? st->words[r] : ev->word;
            }
            if (rep)
                o_json(o, rep, strlen(rep));
            else
                o_json(o, s + i, wl);
            i = k;
            wi++;
            continue;
        }
        o_json(o, s + i, 1);
        i++;
    }
}

int main(int argc, char **argv)
{
    long count = 1000000, days = 450;
    const char *path = "../shared/corpus/ecbplus/articles.jsonl", *gold_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc)
            count = atol(argv[++i]);
        else if (!strcmp(argv[i], "-s") && i + 1 < argc)
            rng_state = strtoull(argv[++i], NULL, 10) * 2654435761u + 1;
        else if (!strcmp(argv[i], "-d") && i + 1 < argc)
            days = atol(argv[++i]);
        else if (!strcmp(argv[i], "-g") && i + 1 < argc)
            gold_path = argv[++i];
        else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: gen_stories [-n COUNT] [-s SEED] [-d DAYS] [-g GOLD.tsv]"
                            " [ECBPLUS_JSONL]\n");
            return 2;
        } else
            path = argv[i];
    }
    if (count < 1 || days < 200 || days > 20000) {
        fprintf(stderr, "gen_stories: bad -n or -d\n");
        return 2;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return 1;
    }
    char *line = NULL;
    size_t lcap = 0;
    while (getline(&line, &lcap, f) > 0) {
        json_error_t err;
        json_t *o = json_loads(line, 0, &err);
        const char *text = o ? json_string_value(json_object_get(o, "maintext")) : NULL;
        if (text)
            harvest(text);
        json_decref(o);
    }
    free(line);
    fclose(f);
    if (names.n < 100 || words.n < 100 || sentences.n < 100) {
        fprintf(stderr, "gen_stories: too little text in %s\n", path);
        return 1;
    }

    /* Stories until their sizes add up to count; Pareto sizes with alpha 1.2 (median about
     * 2, mean about 5, a few in the thousands), capped at 5000 or 1% of the stream. */
    story *stories = NULL;
    size_t nstories = 0, scap = 0;
    item *items = xmalloc((size_t)count * sizeof *items);
    size_t nitems = 0;
    long cap_size = count / 100 > 5000 ? 5000 : (count / 100 > 1 ? count / 100 : 1);
    while ((long)nitems < count) {
        if (nstories == scap) {
            scap = scap ? scap * 2 : 4096;
            stories = xrealloc(stories, scap * sizeof *stories);
        }
        story *st = &stories[nstories];
        for (int k = 0; k < NAMES_PER_STORY; k++)
            st->names[k] = make_name();
        for (int k = 0; k < WORDS_PER_STORY; k++)
            st->words[k] = pick(&words);
        long size = (long)floor(pow(1.0 - unif(), -1.0 / 1.2));
        if (size > cap_size)
            size = cap_size;
        if (size > count - (long)nitems)
            size = count - (long)nitems;
        /* Big stories have more events; events are 3-40 days apart. */
        st->nev = 1 + (size >= 3 ? (int)below(2) : 0) + (size >= 20 ? (int)below(3) : 0);
        if (st->nev > MAX_EVENTS)
            st->nev = MAX_EVENTS;
        /* Events first, then a start day that keeps the whole story inside the span, so
         * that the stream is about as dense at its end as in its middle. */
        int32_t day = 0;
        for (int k = 0; k < st->nev; k++) {
            st->ev[k].day = day;
            st->ev[k].place = pick(&names);
            st->ev[k].word = pick(&words);
            day += (int32_t)(3 + below(38));
        }
        int32_t start = (int32_t)below((size_t)(days - st->ev[st->nev - 1].day - 7));
        for (int k = 0; k < st->nev; k++)
            st->ev[k].day += start;
        for (long a = 0; a < size; a++) {
            /* Earlier events get more coverage: event k with weight 1/(k+1). */
            int k = 0;
            if (st->nev > 1) {
                double w = 0, tot = 0, r;
                for (int q = 0; q < st->nev; q++)
                    tot += 1.0 / (q + 1);
                r = unif() * tot;
                for (k = 0; k < st->nev - 1; k++) {
                    w += 1.0 / (k + 1);
                    if (r < w)
                        break;
                }
            }
            /* Reports follow an event within hours to days (exponential, mean 1.5 days). */
            double delay = -log(1.0 - unif()) * 1.5 * 86400.0;
            if (delay > 20 * 86400.0)
                delay = 20 * 86400.0;
            items[nitems].when = (int64_t)st->ev[k].day * 86400 + (int64_t)delay;
            items[nitems].story = (uint32_t)nstories;
            items[nitems].event = (uint8_t)k;
            nitems++;
        }
        nstories++;
    }
    qsort(items, nitems, sizeof *items, cmp_item);

    static const char *const outlet_a[] = {"harbour", "north", "daily", "metro", "valley",
                                           "coast",   "capital", "river", "summit", "plains",
                                           "lakeside", "border", "union", "evening", "civic"};
    static const char *const outlet_b[] = {"times", "wire", "ledger", "herald", "post",
                                           "gazette", "brief", "chronicle", "courier", "record"};
    FILE *gold = NULL;
    if (gold_path) {
        gold = fopen(gold_path, "w");
        if (!gold) {
            perror(gold_path);
            return 1;
        }
        fputs("article\tstory\tevent\n", gold);
    }
    out o = {0};
    for (size_t i = 0; i < nitems; i++) {
        const item *it = &items[i];
        const story *st = &stories[it->story];
        const event *ev = &st->ev[it->event];
        int32_t day = (int32_t)(it->when / 86400);
        int64_t sec = it->when % 86400;
        int y, m, d;
        civil(day, &y, &m, &d);
        char buf[256];
        o.n = 0;
        snprintf(buf, sizeof buf, "{\"id\": \"a%07zu\", \"title\": \"", i);
        o_puts(&o, buf);
        /* Headline: 5-9 words, mostly the story's and event's own. */
        size_t hw = 5 + below(5);
        for (size_t k = 0; k < hw; k++) {
            size_t r = below(10);
            const char *w = r < 4   ? st->names[below(NAMES_PER_STORY)]
                            : r < 7 ? st->words[below(WORDS_PER_STORY)]
                            : r < 8 ? ev->place
                            : r < 9 ? ev->word
                                    : pick(&words);
            if (k)
                o_puts(&o, " ");
            o_json(&o, w, strlen(w));
        }
        o_puts(&o, "\", \"maintext\": \"");
        int near_empty = below(100) == 0;
        size_t ns = near_empty ? 1 : 4 + below(9);
        for (size_t k = 0; k < ns; k++) {
            if (k)
                o_puts(&o, k % 3 == 0 ? "\\n" : " ");
            if (k == 1 && below(4) == 0) {
                int ey, em, ed;
                civil(ev->day, &ey, &em, &ed);
                snprintf(buf, sizeof buf, "It happened on %s %d, %d. ", months[em - 1], ed, ey);
                o_puts(&o, buf);
            }
            write_sentence(&o, st, ev);
        }
        snprintf(buf, sizeof buf,
                 "\", \"source_domain\": \"%s%s.example\", \"date_publish\": "
                 "\"%04d-%02d-%02d %02d:%02d:%02d\", \"language\": \"en\"}\n",
                 outlet_a[below(sizeof outlet_a / sizeof *outlet_a)],
                 outlet_b[below(sizeof outlet_b / sizeof *outlet_b)], y, m, d, (int)(sec / 3600),
                 (int)(sec / 60 % 60), (int)(sec % 60));
        o_puts(&o, buf);
        if (fwrite(o.s, 1, o.n, stdout) != o.n) {
            perror("gen_stories: write");
            return 1;
        }
        if (gold)
            fprintf(gold, "a%07zu\ts%u\ts%ue%u\n", i, it->story, it->story, it->event);
    }
    if (gold && fclose(gold) != 0) {
        perror(gold_path);
        return 1;
    }
    fprintf(stderr, "gen_stories: %zu articles, %zu stories, %ld days\n", nitems, nstories,
            days);
    free(o.s);
    free(items);
    for (size_t s = 0; s < nstories; s++)
        for (int k = 0; k < NAMES_PER_STORY; k++)
            free(stories[s].names[k]);
    free(stories);
    return fflush(stdout) == 0 ? 0 : 1;
}
