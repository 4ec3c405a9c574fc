/*
 * WordNet synonyms for the reuse aligner (see reuse_syn.h and docs/reuse.md, "Synonyms").
 *
 * libwn finds and opens the dictionary (wninit(), which honours WNSEARCHDIR and WNHOME, and
 * SetSearchdir() for its folder); its messages are silenced (display_message), the library
 * never prints. The lookups themselves are done here, on the same files, the way libwn does
 * them (index_lookup(), morphstr() with Morphy's exception lists and suffix rules), for two
 * reasons:
 *  - libwn parses index lines with strtok(), which would reset a strtok() loop of the
 *    program calling newsdesk (a test loop over a file's lines stopped after one article)
 *    and race with strtok() in its other threads;
 *  - it searches its files with a seek and a read per step of a binary search and searches
 *    the exception list up to three times per part of speech: a word's first lookup took
 *    1.1 ms, a system call costing microseconds on a virtual machine. Here the index files
 *    are read-only mappings and the exception lists are read once: about 20 µs.
 * The answers are libwn's (tests/reuse/test_reuse_syn.c compares them on ECB+ words).
 * Lookups are serialised by one mutex and cached by the folded word.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <threads.h>
#include <unistd.h>

#include <wn.h>

#include "reuse/reuse_syn.h"
#include "util/alloc.h"

/* Longest word looked up, in bytes: WordNet's single words longer than this are rare
 * technical terms a rewrite does not swap. */
#define WMAX 31
/* Cache slots, 64 bytes each: 16,384 (1 MB for the process), in sets of 4, least recently
 * used out. The words looked up are those left unmatched in candidate sentence pairs of
 * verified copies: on a stream where every article is a near-copy of others (gen_stream),
 * about 7,100 distinct words per 10,000 articles. This cache reads 7,300 of them; with 4,096
 * slots it read 23,100, and direct-mapped 18,200 (colliding words evicting each other). */
#define SLOTS 16384
#define WAYS 4
/* Forms looked up per part of speech: the word itself and its base forms ("saw" -> "see",
 * and "saw" itself). */
#define ND_FORMS 3

/* A cached word, by a 64-bit hash of its folded form (two of 100,000 words share one with a
 * probability of about 3 x 10^-10; the cost would be one wrong synonym list): its synsets. */
typedef struct slot {
    uint64_t key; /* 0: empty */
    uint32_t n;
    uint32_t id[ND_RSYN_MAX];
} slot;

/* The exception list of one part of speech (its file, sorted by the inflected form, in one
 * block) and where its lines start. NULL: not loaded (the part then gets no base forms from
 * it). */
typedef struct exc_list {
    char *text;
    size_t len;
    uint32_t *line;
    size_t n;
} exc_list;

/* The index file of one part of speech, mapped read-only. */
typedef struct idx_file {
    const char *text;
    size_t len;
} idx_file;

static once_flag once = ONCE_FLAG_INIT;
static exc_list excs[ADV + 1];
static idx_file idxs[ADV + 1];
static mtx_t lock;
static int loaded;  /* written once inside call_once, read after it */
static int lock_ok; /* the mutex could be created */
static atomic_int enabled = 1;
static slot *cache;                  /* guarded by lock */
static uint64_t n_lookups, n_misses; /* guarded by lock */

/* libwn's messages go nowhere: the library never prints. */
static int quiet(char *msg)
{
    (void)msg;
    return 0;
}

static const char *const part_names[ADV + 1] = {"", "noun", "verb", "adj", "adv"};

/* Maps the index file of part `pos` into idxs[pos]; left unmapped when anything fails (that
 * part then has no synonyms). */
static void map_index(const char *dir, int pos)
{
    char path[512];
    snprintf(path, sizeof path, "%s/index.%s", dir, part_names[pos]);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return;
    struct stat st;
    void *m = MAP_FAILED;
    if (fstat(fd, &st) == 0 && st.st_size > 0)
        m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m != MAP_FAILED) {
        idxs[pos].text = m;
        idxs[pos].len = (size_t)st.st_size;
    }
}

/*
 * The line of word w in the index of part `pos` (lines "lemma pos ...", sorted by lemma, the
 * licence lines first: they start with a space), or NULL: libwn's bin_search() on a mapping,
 * a binary search over byte offsets, each probe taken back to the start of its line.
 */
static const char *idx_find(int pos, const char *w)
{
    const char *t = idxs[pos].text;
    size_t lo = 0, hi = idxs[pos].len, n = strlen(w);
    while (lo < hi) {
        size_t ls = lo + (hi - lo) / 2;
        while (ls > lo && t[ls - 1] != '\n')
            ls--;
        size_t k = 0;
        while (k < n && ls + k < hi && t[ls + k] == w[k])
            k++;
        int c;
        if (k == n && ls + k < hi && t[ls + k] == ' ')
            return t + ls;
        if (ls + k >= hi || t[ls + k] == ' ' || t[ls + k] == '\n')
            c = -1; /* the lemma is a prefix of w (or empty): before it */
        else if (k == n)
            c = 1;
        else
            c = (unsigned char)t[ls + k] < (unsigned char)w[k] ? -1 : 1;
        if (c < 0) {
            size_t le = ls + k;
            while (le < hi && t[le] != '\n')
                le++;
            lo = le + 1;
        } else {
            hi = ls;
        }
    }
    return NULL;
}

static void add_id(nd_rsyn *out, uint32_t id);

/* Reads a decimal number at *p (bounded by end) and moves past it and the spaces after. */
static unsigned long read_num(const char **p, const char *end)
{
    unsigned long v = 0;
    while (*p < end && **p >= '0' && **p <= '9' && v < (1ul << 40))
        v = v * 10 + (unsigned long)(*(*p)++ - '0');
    while (*p < end && **p == ' ')
        (*p)++;
    return v;
}

/* Moves *p past one field and the spaces after it. */
static void skip_field(const char **p, const char *end)
{
    while (*p < end && **p != ' ' && **p != '\n')
        (*p)++;
    while (*p < end && **p == ' ')
        (*p)++;
}

/* Adds to `out` the first ND_RSYN_SENSES synsets of an index line: "lemma pos synset_cnt
 * p_cnt [ptr_symbol]{p_cnt} sense_cnt tagsense_cnt synset_offset{synset_cnt}". */
static void idx_senses(int pos, const char *line, nd_rsyn *out)
{
    const char *end = idxs[pos].text + idxs[pos].len, *p = line;
    skip_field(&p, end); /* lemma */
    skip_field(&p, end); /* pos */
    unsigned long nsyn = read_num(&p, end), nptr = read_num(&p, end);
    for (unsigned long f = 0; f < nptr && p < end; f++)
        skip_field(&p, end);
    read_num(&p, end); /* sense_cnt */
    read_num(&p, end); /* tagsense_cnt */
    for (unsigned long k = 0; k < nsyn && k < ND_RSYN_SENSES && p < end; k++) {
        unsigned long off = read_num(&p, end);
        if (off < (1ul << 28))
            add_id(out, (uint32_t)pos << 28 | (uint32_t)off);
    }
}

/* Reads the exception list of part `pos` (lines "inflected base..." sorted by the first
 * field, as libwn's own binary search needs) into excs[pos]. */
static void load_exc(const char *dir, int pos)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.exc", dir, part_names[pos]);
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    exc_list e = {0};
    size_t cap = 0, len = 0;
    char chunk[4096];
    size_t got;
    int ok = 1;
    while (ok && (got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + got + 1 > cap) {
            size_t ncap = cap ? 2 * cap : 65536;
            while (ncap < len + got + 1)
                ncap *= 2;
            char *t = nd_realloc(e.text, ncap);
            ok = t != NULL;
            if (ok) {
                e.text = t;
                cap = ncap;
            }
        }
        if (ok) {
            memcpy(e.text + len, chunk, got);
            len += got;
        }
    }
    ok = ok && !ferror(f) && len > 0 && len < UINT32_MAX;
    fclose(f);
    size_t lines = 0;
    for (size_t i = 0; ok && i < len; i++)
        lines += e.text[i] == '\n';
    if (ok)
        e.line = nd_malloc((lines + 1) * sizeof *e.line);
    if (!ok || !e.line) {
        nd_free(e.text);
        nd_free(e.line);
        return;
    }
    e.text[len] = '\0';
    /* Each line's first field, NUL-terminated in place. */
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && e.text[j] != ' ' && e.text[j] != '\n')
            j++;
        if (j > i)
            e.line[e.n++] = (uint32_t)i;
        while (j < len && e.text[j] != '\n')
            j++;
        e.text[j < len ? j : len] = '\0';
        for (size_t k = i; k < j; k++)
            if (e.text[k] == ' ')
                e.text[k] = '\0';
        i = j + 1;
    }
    e.len = len;
    excs[pos] = e;
}

static void load(void)
{
    lock_ok = mtx_init(&lock, mtx_plain) == thrd_success;
    display_message = quiet;
    loaded = lock_ok && wninit() == 0;
    if (!loaded)
        return;
    const char *dir = SetSearchdir();
    for (int pos = NOUN; pos <= ADV; pos++) {
        map_index(dir, pos);
        load_exc(dir, pos);
    }
}

int nd_reuse_syn_available(void)
{
    call_once(&once, load);
    return loaded && atomic_load_explicit(&enabled, memory_order_relaxed);
}

void nd_reuse_syn_enable(int on)
{
    atomic_store(&enabled, on ? 1 : 0);
}

/*
 * The word as WordNet's index spells it: ASCII letters lower-cased, a possessive ('s, or a
 * bare trailing apostrophe) dropped, a curly apostrophe inside the word made straight ("o'clock").
 * Returns its length, or 0 when the token is not such a word (digits, other scripts, too
 * long or too short).
 */
static size_t fold(const char *s, size_t n, char *out)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned c = p[i];
        if (c >= 'A' && c <= 'Z')
            c += 32;
        else if (c == 0xE2 && i + 2 < n && p[i + 1] == 0x80 &&
                 (p[i + 2] == 0x99 || p[i + 2] == 0x98)) {
            c = '\'';
            i += 2;
        } else if (!(c >= 'a' && c <= 'z') && c != '\'')
            return 0;
        if (m == WMAX)
            return 0;
        out[m++] = (char)c;
    }
    if (m >= 2 && out[m - 2] == '\'' && out[m - 1] == 's')
        m -= 2;
    else if (m && out[m - 1] == '\'')
        m--;
    if (m && out[0] == '\'')
        return 0;
    return m >= 2 ? m : 0;
}

/* FNV-1a 64 with a final mix; never 0 (the empty slot). */
static uint64_t hash(const char *w, size_t n)
{
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)w[i]) * 1099511628211u;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    return h | 1;
}

static void add_id(nd_rsyn *out, uint32_t id)
{
    for (uint32_t k = 0; k < out->n; k++)
        if (out->id[k] == id)
            return;
    if (out->n < ND_RSYN_MAX)
        out->id[out->n++] = id;
}

/* Adds `f` to forms[0..*nf) unless there or too long. */
static void add_form(char forms[][WORDBUF], int *nf, const char *f, size_t n)
{
    if (*nf >= ND_FORMS || n >= WORDBUF)
        return;
    for (int k = 0; k < *nf; k++)
        if (strlen(forms[k]) == n && memcmp(forms[k], f, n) == 0)
            return;
    memcpy(forms[*nf], f, n);
    forms[(*nf)++][n] = '\0';
}

/* The suffix rules of libwn's morph.c (sufx[] and addr[]), per part of speech, in its
 * order: the first that gives a word of the index is the base form. */
static const char *const rule_sfx[ADV + 1][8] = {
    {NULL},
    {"s", "ses", "xes", "zes", "ches", "shes", "men", "ies"},
    {"s", "ies", "es", "es", "ed", "ed", "ing", "ing"},
    {"er", "est", "er", "est"},
    {NULL},
};
static const char *const rule_add[ADV + 1][8] = {
    {NULL},
    {"", "s", "x", "z", "ch", "sh", "man", "y"},
    {"", "y", "e", "", "e", "", "e", ""},
    {"", "", "e", "e"},
    {NULL},
};
static const int rule_count[ADV + 1] = {0, 8, 8, 4, 0};

static int ends_with(const char *w, size_t n, const char *sfx)
{
    size_t k = strlen(sfx);
    return n >= k && memcmp(w + n - k, sfx, k) == 0;
}

/*
 * The base forms morphstr(word, pos) gives for a single word, as libwn's Morphy (morph.c)
 * finds them: the exception list first (every base form on the word's line, unless the first
 * one is the word itself: "feed feed fee" gives none); else, for nouns, verbs and adjectives,
 * the first suffix rule whose result is in the index (a noun in "-ful" is taken without it
 * and gets it back: "cupsful" -> "cupful"). A word with several lines in a list ("offer off",
 * "offer offer") gets the base forms of all of them, where morphstr() takes the line its
 * binary search lands on (here the first).
 */
static void base_forms(const char *word, int pos, char forms[][WORDBUF], int *nf)
{
    size_t n = strlen(word);
    const exc_list *e = &excs[pos];
    size_t lo = 0, hi = e->line ? e->n : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(e->text + e->line[mid], word);
        if (c == 0) {
            while (mid > 0 && strcmp(e->text + e->line[mid - 1], word) == 0)
                mid--;
            for (; mid < e->n && strcmp(e->text + e->line[mid], word) == 0; mid++) {
                size_t end = mid + 1 < e->n ? e->line[mid + 1] : e->len;
                const char *f = e->text + e->line[mid];
                f += strlen(f) + 1;
                if (f < e->text + end && strcmp(f, word) == 0)
                    continue;
                for (; f < e->text + end; f += strlen(f) + 1)
                    if (*f)
                        add_form(forms, nf, f, strlen(f));
            }
            return;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (pos == ADV || !idxs[pos].text)
        return;
    const char *tail = "";
    if (pos == NOUN && ends_with(word, n, "ful")) {
        n = (size_t)(strrchr(word, 'f') - word);
        tail = "ful";
    } else if (pos == NOUN && (ends_with(word, n, "ss") || n <= 2)) {
        return;
    }
    for (int r = 0; r < rule_count[pos]; r++) {
        const char *sfx = rule_sfx[pos][r], *add = rule_add[pos][r];
        size_t k = strlen(sfx), a = strlen(add);
        if (!ends_with(word, n, sfx) || n - k + a + 3 >= WORDBUF)
            continue;
        char cand[WORDBUF];
        memcpy(cand, word, n - k);
        memcpy(cand + n - k, add, a + 1);
        if ((k == a && memcmp(cand + n - k, word + n - k, k) == 0) || !idx_find(pos, cand))
            continue;
        strcat(cand, tail);
        add_form(forms, nf, cand, strlen(cand));
        return;
    }
}

/* Reads WordNet for one folded word (NUL-terminated). Caller holds the lock. */
static void wn_lookup(const char *word, nd_rsyn *out)
{
    out->n = 0;
    for (int pos = NOUN; pos <= ADV; pos++) {
        char forms[ND_FORMS][WORDBUF];
        int nf = 0;
        add_form(forms, &nf, word, strlen(word));
        base_forms(word, pos, forms, &nf);
        for (int f = 0; f < nf && idxs[pos].text; f++) {
            const char *line = idx_find(pos, forms[f]);
            if (line)
                idx_senses(pos, line, out);
        }
    }
}

nd_status nd_reuse_syn_senses(const char *word, size_t len, nd_rsyn *out)
{
    out->n = 0;
    if (!nd_reuse_syn_available())
        return ND_OK;
    char w[WMAX + 1];
    size_t n = fold(word, len, w);
    if (!n)
        return ND_OK;
    w[n] = '\0';
    uint64_t h = hash(w, n);
    mtx_lock(&lock);
    if (!cache && !(cache = nd_calloc(SLOTS, sizeof *cache))) {
        mtx_unlock(&lock);
        return ND_ERR_NOMEM;
    }
    /* Sets of WAYS slots, least recently used last. */
    slot *set = &cache[((h >> 40) & (SLOTS / WAYS - 1)) * WAYS];
    n_lookups++;
    size_t k = 0;
    while (k < WAYS && set[k].key != h)
        k++;
    slot hit;
    if (k < WAYS) {
        hit = set[k];
    } else {
        n_misses++;
        nd_rsyn r;
        wn_lookup(w, &r);
        hit.key = h;
        hit.n = r.n;
        memcpy(hit.id, r.id, r.n * sizeof *r.id);
        k = WAYS - 1;
    }
    memmove(set + 1, set, k * sizeof *set);
    set[0] = hit;
    slot *s = &set[0];
    out->n = s->n;
    memcpy(out->id, s->id, s->n * sizeof *s->id);
    mtx_unlock(&lock);
    return ND_OK;
}

int nd_reuse_syn_share(const nd_rsyn *a, const nd_rsyn *b)
{
    for (uint32_t i = 0; i < a->n; i++)
        for (uint32_t j = 0; j < b->n; j++)
            if (a->id[i] == b->id[j])
                return 1;
    return 0;
}

int nd_reuse_synonyms(const char *a, size_t alen, const char *b, size_t blen)
{
    nd_rsyn x, y;
    if (nd_reuse_syn_senses(a, alen, &x) != ND_OK || nd_reuse_syn_senses(b, blen, &y) != ND_OK)
        return 0;
    return nd_reuse_syn_share(&x, &y);
}

void nd_reuse_syn_counts(uint64_t *lookups, uint64_t *misses)
{
    *lookups = *misses = 0;
    call_once(&once, load);
    if (!lock_ok)
        return;
    mtx_lock(&lock);
    *lookups = n_lookups;
    *misses = n_misses;
    mtx_unlock(&lock);
}
