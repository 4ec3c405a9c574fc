/*
 * meantime_jsonl: turns the MEANTIME English corpus (CAT XML, one folder per topic) into a
 * news-please JSON Lines stream that `newsdesk add` reads, and a clustering gold TSV.
 *
 *   meantime_jsonl MEANTIME_DIR GOLD_OUT.tsv > articles.jsonl
 *
 * Run at evaluation time (bench/eval_clusters.sh); nothing of the corpus is kept in the
 * project. MEANTIME stores tokens only, so each sentence is rebuilt from its tokens with the
 * usual detokenisation rules (no space before closing punctuation and clitics, none after
 * opening brackets, straight quotes alternating). Sentence 0 is the headline, sentence 1 the
 * date line (dropped: the date goes to date_publish), the rest the body, three sentences a
 * paragraph since the source has no paragraph marks. The date is the creation-time TIMEX3
 * when it is an ISO date, else the date line as written (the reader's date parser reads it).
 * The outlet is the host of the document's url.
 *
 * Gold: story = the topic folder without its "corpus_" prefix. MEANTIME labels no events at
 * the document level (its events are mentions and cross-document instances, and one article
 * holds many), so the event column is left empty: each article is an event of its own and
 * only the story level is meaningful. The topics are broad (one company over six years), so
 * they are coarser than newsdesk's stories: story precision is the figure to read.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_LINE 65536
#define MAX_TEXT (4 << 20)

typedef struct text {
    char *s;
    size_t n, cap;
} text;

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static void put(text *t, const char *s, size_t n)
{
    if (t->n + n + 1 > t->cap) {
        size_t c = t->cap ? t->cap * 2 : 4096;
        while (c < t->n + n + 1)
            c *= 2;
        if (c > MAX_TEXT) {
            fprintf(stderr, "meantime_jsonl: article too long\n");
            exit(1);
        }
        char *p = realloc(t->s, c);
        if (!p)
            die("meantime_jsonl");
        t->s = p;
        t->cap = c;
    }
    memcpy(t->s + t->n, s, n);
    t->n += n;
    t->s[t->n] = '\0';
}

static void puts_(text *t, const char *s)
{
    put(t, s, strlen(s));
}

/* The value of attribute `name` in an XML start tag line, decoded into out; 0 when absent. */
static int attr(const char *line, const char *name, char *out, size_t cap)
{
    char key[64];
    snprintf(key, sizeof key, " %s=\"", name);
    const char *p = strstr(line, key);
    if (!p)
        return 0;
    p += strlen(key);
    const char *e = strchr(p, '"');
    if (!e || (size_t)(e - p) >= cap)
        return 0;
    memcpy(out, p, (size_t)(e - p));
    out[e - p] = '\0';
    return 1;
}

/* Decodes the five XML entities in place. */
static void unentity(char *s)
{
    static const char *const ent[][2] = {
        {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"},
    };
    char *o = s;
    while (*s) {
        size_t k;
        for (k = 0; k < 5; k++) {
            size_t n = strlen(ent[k][0]);
            if (strncmp(s, ent[k][0], n) == 0) {
                *o++ = ent[k][1][0];
                s += n;
                break;
            }
        }
        if (k == 5)
            *o++ = *s++;
    }
    *o = '\0';
}

static int is_one_of(const char *tok, const char *const *set)
{
    for (; *set; set++)
        if (strcmp(tok, *set) == 0)
            return 1;
    return 0;
}

/* One sentence being rebuilt: whether the next token is glued to the previous one. */
typedef struct sent {
    text t;
    int glue_next; /* after an opening bracket or quote */
    int quote_open;
} sent;

static void add_token(sent *s, const char *tok)
{
    static const char *const no_space_before[] = {",", ".", ";", ":", "!", "?", ")", "]", "}",
                                                  "%", "'s", "'S", "n't", "'re", "'ve", "'ll",
                                                  "'d", "'m", "'", "...", NULL};
    static const char *const no_space_after[] = {"(", "[", "{", "$", "#", NULL};
    int before = !is_one_of(tok, no_space_before);
    int opens = is_one_of(tok, no_space_after);
    if (strcmp(tok, "``") == 0 || strcmp(tok, "''") == 0) {
        /* Treebank quotes say which way they face. */
        s->quote_open = tok[0] == '`';
        before = opens = s->quote_open;
        tok = "\"";
    } else if (strcmp(tok, "\"") == 0) {
        /* Straight quotes alternate: an opening one sticks to what follows. */
        s->quote_open = !s->quote_open;
        before = s->quote_open;
        opens = s->quote_open;
    }
    if (s->t.n && before && !s->glue_next)
        put(&s->t, " ", 1);
    puts_(&s->t, tok);
    s->glue_next = opens;
}

/* Reads one CAT XML file; appends a JSON line to stdout and a gold row to `gold`. */
static void convert(const char *path, const char *story, FILE *gold)
{
    FILE *f = fopen(path, "r");
    if (!f)
        die(path);
    static char line[MAX_LINE];
    char doc_id[256] = "", url[1024] = "", dct[64] = "", val[MAX_LINE];
    text title = {0}, dateline = {0}, body = {0};
    sent cur = {0};
    long cur_sent = -1, body_sents = 0;
    while (fgets(line, sizeof line, f)) {
        if (strstr(line, "<Document ")) {
            attr(line, "doc_id", doc_id, sizeof doc_id);
            attr(line, "url", url, sizeof url);
            continue;
        }
        if (strstr(line, "<TIMEX3 ") && strstr(line, "functionInDocument=\"CREATION_TIME\"")) {
            if (attr(line, "value", val, sizeof val) && strlen(val) == 10 && val[4] == '-' &&
                val[7] == '-')
                memcpy(dct, val, 11);
            continue;
        }
        const char *tk = strstr(line, "<token ");
        if (!tk)
            continue;
        if (!attr(tk, "sentence", val, sizeof val))
            continue;
        long sn = strtol(val, NULL, 10);
        const char *gt = strchr(tk, '>'), *end = strstr(tk, "</token>");
        if (!gt || !end || end < gt)
            continue;
        size_t n = (size_t)(end - gt - 1);
        if (n >= sizeof val)
            continue;
        memcpy(val, gt + 1, n);
        val[n] = '\0';
        unentity(val);
        if (sn != cur_sent) {
            /* Flush the finished sentence where it belongs. */
            if (cur_sent == 0)
                puts_(&title, cur.t.s ? cur.t.s : "");
            else if (cur_sent == 1)
                puts_(&dateline, cur.t.s ? cur.t.s : "");
            else if (cur_sent > 1 && cur.t.n) {
                if (body.n)
                    puts_(&body, body_sents % 3 == 0 ? "\n" : " ");
                puts_(&body, cur.t.s);
                body_sents++;
            }
            cur.t.n = 0;
            cur.glue_next = cur.quote_open = 0;
            cur_sent = sn;
        }
        add_token(&cur, val);
    }
    if (cur_sent > 1 && cur.t.n) {
        if (body.n)
            puts_(&body, body_sents % 3 == 0 ? "\n" : " ");
        puts_(&body, cur.t.s);
    }
    fclose(f);
    if (!*doc_id) {
        fprintf(stderr, "meantime_jsonl: %s: no doc_id\n", path);
        exit(1);
    }
    const char *host = strstr(url, "://");
    char outlet[256] = "";
    if (host) {
        host += 3;
        size_t hn = strcspn(host, "/");
        snprintf(outlet, sizeof outlet, "%.*s", (int)hn, host);
    }
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(doc_id));
    json_object_set_new(o, "title", json_string(title.s ? title.s : ""));
    json_object_set_new(o, "maintext", json_string(body.s ? body.s : ""));
    json_object_set_new(o, "source_domain", *outlet ? json_string(outlet) : json_null());
    json_object_set_new(o, "date_publish",
                        *dct ? json_string(dct)
                             : dateline.s ? json_string(dateline.s) : json_null());
    json_object_set_new(o, "url", *url ? json_string(url) : json_null());
    json_object_set_new(o, "language", json_string("en"));
    char *js = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    if (!js)
        die("meantime_jsonl: json");
    puts(js);
    free(js);
    json_decref(o);
    fprintf(gold, "%s\t%s\t\n", doc_id, story);
    free(title.s);
    free(dateline.s);
    free(body.s);
    free(cur.t.s);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of a folder whose names start with `prefix` (and end with `suffix`), sorted so
 * that the output order does not depend on the file system. */
static char **list(const char *dir, const char *prefix, const char *suffix, size_t *n)
{
    DIR *d = opendir(dir);
    if (!d)
        die(dir);
    char **v = NULL;
    size_t cap = 0;
    *n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name), sl = strlen(suffix);
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0 || len < sl ||
            strcmp(e->d_name + len - sl, suffix) != 0)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            char **p = realloc(v, cap * sizeof *p);
            if (!p)
                die("meantime_jsonl");
            v = p;
        }
        char *copy = malloc(len + 1);
        if (!copy)
            die("meantime_jsonl");
        memcpy(copy, e->d_name, len + 1);
        v[(*n)++] = copy;
    }
    closedir(d);
    if (*n)
        qsort(v, *n, sizeof *v, cmp_str);
    return v;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: meantime_jsonl MEANTIME_DIR GOLD_OUT.tsv > articles.jsonl\n");
        return 2;
    }
    FILE *gold = fopen(argv[2], "w");
    if (!gold)
        die(argv[2]);
    fputs("article\tstory\tevent\n", gold);
    size_t ntopics, total = 0;
    char **topics = list(argv[1], "corpus_", "", &ntopics);
    for (size_t t = 0; t < ntopics; t++) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/%s", argv[1], topics[t]);
        struct stat sb;
        if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
            continue;
        size_t nfiles;
        char **files = list(dir, "", ".xml", &nfiles);
        for (size_t i = 0; i < nfiles; i++) {
            char path[8192];
            snprintf(path, sizeof path, "%s/%s", dir, files[i]);
            convert(path, topics[t] + strlen("corpus_"), gold);
            free(files[i]);
            total++;
        }
        free(files);
        free(topics[t]);
    }
    free(topics);
    if (fclose(gold) != 0)
        die(argv[2]);
    fprintf(stderr, "meantime_jsonl: %zu articles in %zu topics\n", total, ntopics);
    return total ? 0 : 1;
}
