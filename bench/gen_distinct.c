/*
 * gen_distinct: builds a large benchmark stream of distinct articles with a realistic share
 * of reuse, for the reuse and clustering benchmarks.
 *
 *   gen_distinct [-n COUNT] [-s SEED] [-r REUSE_PERCENT] [ECBPLUS_JSONL] > stream.jsonl
 *
 * gen_stream makes every article a near-copy of an ECB+ article, so at a million articles each
 * ECB+ article would have a thousand copies: a reuse detector would spend all its time on
 * them. Here every article is new text: 6-20 sentences drawn from all ECB+ articles (mixing
 * topics), in which every word is replaced, with probability one half, by a word drawn from
 * the corpus's running text (so word frequencies stay those of news). Two articles that drew
 * the same sentence share about one word-8-gram in 250 of it, the level of stock phrases.
 *
 * On top of that, REUSE_PERCENT (default 4) of the articles reuse a recent article (one of
 * the last 4,096): half of them a full copy (with an outlet footer every other time), a
 * quarter its first paragraphs inside a new article, a quarter a copy with a few words
 * changed. Outlets (200) and dates (one year, in order) are invented; ids are "d<n>".
 * Deterministic by seed; writes about 100,000 articles per second.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 0x2545f4914f6cdd1du;

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

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fputs("gen_distinct: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

/* The corpus as pieces: sentences (ranges of `text`) and running words (ranges too). */
static sbuf text;
static size_t *sent_s, *sent_e, nsent, cap_sent;
static uint32_t *word_s;
static uint8_t *word_l;
static size_t nword, cap_word;

static void add_sentence(size_t s, size_t e)
{
    if (nsent == cap_sent) {
        cap_sent = cap_sent ? cap_sent * 2 : 4096;
        sent_s = xrealloc(sent_s, cap_sent * sizeof *sent_s);
        sent_e = xrealloc(sent_e, cap_sent * sizeof *sent_e);
    }
    sent_s[nsent] = s;
    sent_e[nsent++] = e;
    for (size_t i = s; i < e;) {
        if (!isalpha((unsigned char)text.p[i])) {
            i++;
            continue;
        }
        size_t b = i;
        while (i < e && isalpha((unsigned char)text.p[i]))
            i++;
        if (i - b > 30)
            continue;
        if (nword == cap_word) {
            cap_word = cap_word ? cap_word * 2 : 65536;
            word_s = xrealloc(word_s, cap_word * sizeof *word_s);
            word_l = xrealloc(word_l, cap_word * sizeof *word_l);
        }
        word_s[nword] = (uint32_t)b;
        word_l[nword++] = (uint8_t)(i - b);
    }
}

/* Sentences of a paragraph: a cut after . ! ? and a space before a capital letter. */
static void split(size_t s, size_t e)
{
    size_t b = s;
    for (size_t i = s; i + 2 < e; i++)
        if ((text.p[i] == '.' || text.p[i] == '!' || text.p[i] == '?') && text.p[i + 1] == ' ' &&
            isupper((unsigned char)text.p[i + 2])) {
            add_sentence(b, i + 1);
            b = i + 2;
        }
    if (e > b)
        add_sentence(b, e);
}

static void load(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(1);
    }
    char *line = NULL;
    size_t lcap = 0;
    while (getline(&line, &lcap, f) > 0) {
        json_error_t err;
        json_t *o = json_loads(line, 0, &err);
        const char *t = o ? json_string_value(json_object_get(o, "maintext")) : NULL;
        if (t) {
            size_t len = strlen(t), base = text.n;
            sb_add(&text, t, len);
            sb_add(&text, "\n", 1);
            size_t s = base;
            for (size_t i = base; i <= base + len; i++)
                if (text.p[i] == '\n') {
                    if (i > s)
                        split(s, i);
                    s = i + 1;
                }
        }
        json_decref(o);
    }
    free(line);
    fclose(f);
}

/* A new sentence: corpus sentence `k` with every word replaced by a random running word of
 * the corpus with probability one half (keeping an initial capital). */
static void new_sentence(sbuf *out, size_t k)
{
    const char *t = text.p;
    for (size_t i = sent_s[k], e = sent_e[k]; i < e;) {
        if (!isalpha((unsigned char)t[i])) {
            sb_add(out, t + i, 1);
            i++;
            continue;
        }
        size_t b = i;
        while (i < e && isalpha((unsigned char)t[i]))
            i++;
        if (rnd() & 1) {
            sb_add(out, t + b, i - b);
            continue;
        }
        size_t w = rnd_below(nword);
        char c0 = t[word_s[w]];
        if (isupper((unsigned char)t[b]))
            c0 = (char)toupper((unsigned char)c0);
        else if (word_l[w] > 1 && islower((unsigned char)t[word_s[w] + 1]))
            c0 = (char)tolower((unsigned char)c0);
        sb_add(out, &c0, 1);
        sb_add(out, t + word_s[w] + 1, (size_t)word_l[w] - 1);
    }
}

/* A distinct article: 6-20 new sentences in paragraphs of 1-3. */
static void new_article(sbuf *out)
{
    size_t n = 6 + rnd_below(15), in_para = 0, para_len = 1 + rnd_below(3);
    for (size_t i = 0; i < n; i++) {
        if (i) {
            if (in_para == para_len) {
                sb_add(out, "\n", 1);
                in_para = 0;
                para_len = 1 + rnd_below(3);
            } else {
                sb_add(out, " ", 1);
            }
        }
        new_sentence(out, rnd_below(nsent));
        in_para++;
    }
}

/* Copies `src` with `edits` words replaced by running words of the corpus. */
static void edited_copy(sbuf *out, const char *src, size_t len, size_t edits)
{
    size_t start = out->n;
    sb_add(out, src, len);
    for (size_t k = 0; k < edits; k++) {
        size_t at = start + rnd_below(len);
        while (at < out->n && !isalpha((unsigned char)out->p[at]))
            at++;
        size_t b = at;
        while (at < out->n && isalpha((unsigned char)out->p[at]))
            at++;
        size_t w = rnd_below(nword), wl = word_l[w];
        /* Same-length words only, so that the copy is edited in place. */
        if (at - b == wl)
            memcpy(out->p + b, text.p + word_s[w], wl);
    }
}

static void json_str(sbuf *o, const char *s, size_t n)
{
    sb_add(o, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        sb_add(o, s + run, i - run);
        run = i + 1;
        char esc[8];
        if (c == '\n')
            sb_add(o, "\\n", 2);
        else if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            sb_add(o, esc, 2);
        } else {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            sb_add(o, esc, 6);
        }
    }
    sb_add(o, s + run, n - run);
    sb_add(o, "\"", 1);
}

#define RECENT 4096

static const char footer[] = "\nCopyright the publisher. All rights reserved.";

int main(int argc, char **argv)
{
    long count = 10000;
    double reuse_pct = 4.0;
    const char *path = "../shared/corpus/ecbplus/articles.jsonl";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc)
            count = atol(argv[++i]);
        else if (!strcmp(argv[i], "-s") && i + 1 < argc)
            rng_state ^= strtoull(argv[++i], NULL, 10) * 0x9e3779b97f4a7c15u;
        else if (!strcmp(argv[i], "-r") && i + 1 < argc)
            reuse_pct = atof(argv[++i]);
        else if (argv[i][0] == '-') {
            fputs("usage: gen_distinct [-n COUNT] [-s SEED] [-r REUSE_PERCENT] "
                  "[ECBPLUS_JSONL] > stream.jsonl\n",
                  stderr);
            return 2;
        } else
            path = argv[i];
    }
    load(path);
    if (!nsent || !nword) {
        fprintf(stderr, "gen_distinct: no text in %s\n", path);
        return 1;
    }
    sbuf *recent = calloc(RECENT, sizeof *recent);
    if (!recent)
        return 1;
    sbuf body = {0}, line = {0};
    static char obuf[1 << 20];
    setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    uint64_t threshold = (uint64_t)(reuse_pct / 100.0 * 1e6);
    long copies = 0;
    for (long i = 0; i < count; i++) {
        body.n = 0;
        const sbuf *src = i > 0 ? &recent[rnd_below(i < RECENT ? (size_t)i : RECENT)] : NULL;
        uint64_t dice = rnd() % 1000000;
        if (src && dice < threshold) {
            copies++;
            uint64_t kind = rnd() % 4;
            if (kind < 2) {
                sb_add(&body, src->p, src->n);
                if (kind == 1)
                    sb_add(&body, footer, strlen(footer));
            } else if (kind == 2) {
                new_article(&body);
                const char *cut = src->p;
                for (int k = 0; k < 3 && cut; k++)
                    cut = memchr(cut + 1, '\n', src->n - (size_t)(cut + 1 - src->p));
                size_t plen = cut ? (size_t)(cut - src->p) : src->n;
                sb_add(&body, "\n", 1);
                sb_add(&body, src->p, plen);
            } else {
                edited_copy(&body, src->p, src->n, 2 + rnd_below(6));
            }
        } else {
            new_article(&body);
        }
        sbuf *slot = &recent[(size_t)i % RECENT];
        slot->n = 0;
        sb_add(slot, body.p, body.n);

        char head[256];
        long day = i * 365 / (count ? count : 1);
        int month = (int)(day / 31) + 1, dom = (int)(day % 28) + 1;
        line.n = 0;
        int hn = snprintf(head, sizeof head, "{\"id\":\"d%ld\",\"title\":null,\"maintext\":", i);
        sb_add(&line, head, (size_t)hn);
        json_str(&line, body.p, body.n);
        hn = snprintf(head, sizeof head,
                      ",\"source_domain\":\"outlet%03d.example\",\"date_publish\":"
                      "\"2024-%02d-%02d %02d:%02d:00\",\"language\":\"en\"}\n",
                      (int)rnd_below(200), month > 12 ? 12 : month, dom, (int)rnd_below(24),
                      (int)rnd_below(60));
        sb_add(&line, head, (size_t)hn);
        if (fwrite(line.p, 1, line.n, stdout) != line.n) {
            perror("gen_distinct");
            return 1;
        }
    }
    if (fflush(stdout) != 0) {
        perror("gen_distinct");
        return 1;
    }
    fprintf(stderr, "gen_distinct: %ld articles, %ld reusing a recent one\n", count, copies);
    for (size_t k = 0; k < RECENT; k++)
        free(recent[k].p);
    free(recent);
    free(body.p);
    free(line.p);
    free(text.p);
    free(sent_s);
    free(sent_e);
    free(word_s);
    free(word_l);
    return 0;
}
