/*
 * gen_stream: builds a benchmark stream of news-please JSON Lines from the ECB+ articles.
 *
 *   gen_stream [-n COUNT] [-s SEED] [ECBPLUS_JSONL] > stream.jsonl
 *
 * Every output article is an ECB+ article (taken in a random order, so the topics interleave
 * as a live feed would) with small random edits, so that no two bodies are identical and
 * the store does real work for each: 1-4 words swapped for other words of the same article,
 * sometimes a sentence dropped, an invented outlet and a publication date spread over one
 * year. The ids are unique ("<ecb id>~<n>"). Deterministic for a given seed.
 */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *id, *title, *text;
} src_article;

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

/* xorshift64*: fast, deterministic, good enough to pick edits. */
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1du;
}

static size_t rnd_below(size_t n)
{
    return n ? (size_t)(rnd() % n) : 0;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (!d) {
        perror("gen_stream");
        exit(1);
    }
    memcpy(d, s, n);
    return d;
}

/* Word boundaries of s: start offsets of runs of letters. */
static size_t words(const char *s, size_t *starts, size_t *lens, size_t max)
{
    size_t n = 0, i = 0;
    while (s[i] && n < max) {
        while (s[i] && !((s[i] | 32) >= 'a' && (s[i] | 32) <= 'z'))
            i++;
        size_t b = i;
        while ((s[i] | 32) >= 'a' && (s[i] | 32) <= 'z')
            i++;
        if (i > b) {
            starts[n] = b;
            lens[n] = i - b;
            n++;
        }
    }
    return n;
}

/* Returns a malloc'd copy of text with a few edits applied. */
static char *edit(const char *text)
{
    enum { MAXW = 4096 };
    static size_t st[MAXW], ln[MAXW];
    size_t nw = words(text, st, ln, MAXW);
    size_t len = strlen(text);
    char *out = malloc(len * 2 + 64);
    if (!out) {
        perror("gen_stream");
        exit(1);
    }
    if (nw < 4) {
        memcpy(out, text, len + 1);
        return out;
    }
    /* Choose up to 4 word positions to replace with other words of the same text. */
    size_t nedit = 1 + rnd_below(4), pos[4], with[4];
    for (size_t k = 0; k < nedit; k++) {
        pos[k] = rnd_below(nw);
        with[k] = rnd_below(nw);
    }
    /* Sometimes drop the text between two full stops (a sentence). */
    size_t drop_b = 0, drop_e = 0;
    if (rnd_below(4) == 0) {
        const char *a = strstr(text + rnd_below(len / 2 + 1), ". ");
        const char *b = a ? strstr(a + 2, ". ") : NULL;
        if (a && b) {
            drop_b = (size_t)(a - text) + 2;
            drop_e = (size_t)(b - text) + 2;
        }
    }
    size_t o = 0, w = 0;
    for (size_t i = 0; i < len;) {
        if (i == drop_b && drop_e > drop_b) {
            while (w < nw && st[w] < drop_e)
                w++;
            i = drop_e;
            continue;
        }
        if (w < nw && i == st[w]) {
            size_t src = w;
            for (size_t k = 0; k < nedit; k++)
                if (pos[k] == w)
                    src = with[k];
            memcpy(out + o, text + st[src], ln[src]);
            o += ln[src];
            i += ln[w];
            w++;
            continue;
        }
        out[o++] = text[i++];
    }
    out[o] = '\0';
    return out;
}

int main(int argc, char **argv)
{
    long count = 100000;
    const char *path = "../shared/corpus/ecbplus/articles.jsonl";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc)
            count = atol(argv[++i]);
        else if (!strcmp(argv[i], "-s") && i + 1 < argc)
            rng_state = strtoull(argv[++i], NULL, 10) * 2654435761u + 1;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: gen_stream [-n COUNT] [-s SEED] [ECBPLUS_JSONL]\n");
            return 2;
        } else
            path = argv[i];
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return 1;
    }
    src_article *arts = NULL;
    size_t n = 0, cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    while (getline(&line, &lcap, f) > 0) {
        json_error_t err;
        json_t *o = json_loads(line, 0, &err);
        if (!o)
            continue;
        const char *id = json_string_value(json_object_get(o, "id"));
        const char *title = json_string_value(json_object_get(o, "title"));
        const char *text = json_string_value(json_object_get(o, "maintext"));
        if (id && text) {
            if (n == cap) {
                cap = cap ? cap * 2 : 1024;
                arts = realloc(arts, cap * sizeof *arts);
                if (!arts)
                    return 1;
            }
            arts[n].id = xstrdup(id);
            arts[n].title = title ? xstrdup(title) : NULL;
            arts[n].text = xstrdup(text);
            n++;
        }
        json_decref(o);
    }
    free(line);
    fclose(f);
    if (!n) {
        fprintf(stderr, "gen_stream: no articles in %s\n", path);
        return 1;
    }
    static const char *const outlets[] = {"harbourtimes.example", "northwire.example",
                                          "dailyledger.example", "metroherald.example",
                                          "valleypost.example", "coastgazette.example",
                                          "capitalbrief.example", "riverchronicle.example"};
    for (long i = 0; i < count; i++) {
        const src_article *a = &arts[rnd_below(n)];
        char *text = edit(a->text);
        char id[128], date[32];
        snprintf(id, sizeof id, "%s~%ld", a->id, i);
        /* Dates spread over one year, in publication order. */
        long day = i * 365 / (count ? count : 1);
        int month = (int)(day / 31) + 1, dom = (int)(day % 28) + 1;
        snprintf(date, sizeof date, "2024-%02d-%02d %02d:%02d:00", month > 12 ? 12 : month, dom,
                 (int)rnd_below(24), (int)rnd_below(60));
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(id));
        json_object_set_new(o, "title", a->title ? json_string(a->title) : json_null());
        json_object_set_new(o, "maintext", json_string(text));
        json_object_set_new(o, "source_domain",
                            json_string(outlets[rnd_below(sizeof outlets / sizeof *outlets)]));
        json_object_set_new(o, "date_publish", json_string(date));
        json_object_set_new(o, "language", json_string("en"));
        char *s = json_dumps(o, JSON_COMPACT);
        if (s) {
            fputs(s, stdout);
            fputc('\n', stdout);
            free(s);
        }
        json_decref(o);
        free(text);
    }
    for (size_t i = 0; i < n; i++) {
        free(arts[i].id);
        free(arts[i].title);
        free(arts[i].text);
    }
    free(arts);
    return 0;
}
