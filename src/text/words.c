/*
 * Tokens, stems and stopwords.
 */
#include <libstemmer.h>
#include <string.h>
#include <threads.h>
#include <utf8proc.h>

#include "text/text.h"
#include "util/alloc.h"

/* ---- Stopwords ---------------------------------------------------------------------------- */

/* English function words (articles, pronouns, auxiliaries, prepositions, conjunctions and their
 * contractions), written for this project. */
static const char *const stopwords[] = {
    "a",       "about",     "above",     "after",    "again",   "against",  "all",
    "also",    "am",        "an",        "and",      "any",     "are",      "aren't",
    "as",      "at",        "be",        "because",  "been",    "before",   "being",
    "below",   "between",   "both",      "but",      "by",      "can",      "can't",
    "cannot",  "could",     "couldn't",  "did",      "didn't",  "do",       "does",
    "doesn't", "doing",     "don't",     "down",     "during",  "each",     "either",
    "few",     "for",       "from",      "further",  "had",     "hadn't",   "has",
    "hasn't",  "have",      "haven't",   "having",   "he",      "he'd",     "he'll",
    "he's",    "her",       "here",      "here's",   "hers",    "herself",  "him",
    "himself", "his",       "how",       "how's",    "however", "i",        "i'd",
    "i'll",    "i'm",       "i've",      "if",       "in",      "into",     "is",
    "isn't",   "it",        "it's",      "its",      "itself",  "just",     "let's",
    "may",     "me",        "might",     "more",     "most",    "must",     "mustn't",
    "my",      "myself",    "neither",   "no",       "nor",     "not",      "of",
    "off",     "on",        "once",      "only",     "or",      "other",    "ought",
    "our",     "ours",      "ourselves", "out",      "over",    "own",      "per",
    "same",    "shall",     "shan't",    "she",      "she'd",   "she'll",   "she's",
    "should",  "shouldn't", "since",     "so",       "some",    "such",     "than",
    "that",    "that's",    "the",       "their",    "theirs",  "them",     "themselves",
    "then",    "there",     "there's",   "these",    "they",    "they'd",   "they'll",
    "they're", "they've",   "this",      "those",    "though",  "through",  "to",
    "too",     "under",     "until",     "up",       "upon",    "us",       "very",
    "via",     "was",       "wasn't",    "we",       "we'd",    "we'll",    "we're",
    "we've",   "were",      "weren't",   "what",     "what's",  "when",     "when's",
    "where",   "where's",   "whether",   "which",    "while",   "who",      "who's",
    "whom",    "whose",     "why",       "why's",    "will",    "with",     "within",
    "without", "won't",     "would",     "wouldn't", "yet",     "you",      "you'd",
    "you'll",  "you're",    "you've",    "your",     "yours",   "yourself", "yourselves",
};
#define NSTOP (sizeof stopwords / sizeof stopwords[0])

/* The longest stopword is short, so anything longer is rejected before hashing. */
#define STOP_MAXLEN 12

/* Open-addressing hash set over the list, built once: tokenising asks for every word, so the
 * lookup must cost one hash and usually one comparison. Slots hold an index + 1 (0 = empty). */
#define STOP_SLOTS 512
_Static_assert(NSTOP < 255 && NSTOP * 2 < STOP_SLOTS, "stopword table too small");
static uint8_t stop_slot[STOP_SLOTS];
static uint8_t stop_len[NSTOP];
static once_flag stop_once = ONCE_FLAG_INIT;

static uint32_t stop_hash(const char *w, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)w[i]) * 16777619u;
    return h;
}

static void stop_build(void)
{
    for (size_t i = 0; i < NSTOP; i++) {
        size_t len = strlen(stopwords[i]);
        stop_len[i] = (uint8_t)len;
        uint32_t h = stop_hash(stopwords[i], len) & (STOP_SLOTS - 1);
        while (stop_slot[h])
            h = (h + 1) & (STOP_SLOTS - 1);
        stop_slot[h] = (uint8_t)(i + 1);
    }
}

bool nd_stopword(const char *w, size_t len)
{
    if (len == 0 || len > STOP_MAXLEN)
        return false;
    call_once(&stop_once, stop_build);
    uint32_t h = stop_hash(w, len) & (STOP_SLOTS - 1);
    for (;;) {
        unsigned k = stop_slot[h];
        if (k == 0)
            return false;
        if (stop_len[k - 1] == len && memcmp(stopwords[k - 1], w, len) == 0)
            return true;
        h = (h + 1) & (STOP_SLOTS - 1);
    }
}

/* ---- Stemmer ------------------------------------------------------------------------------ */

struct nd_stemmer {
    struct sb_stemmer *sb;
};

nd_status nd_stemmer_new(nd_stemmer **out)
{
    *out = NULL;
    nd_stemmer *s = nd_calloc(1, sizeof *s);
    if (!s)
        return ND_ERR_NOMEM;
    /* libstemmer allocates with plain malloc; its only failure mode is out of memory. */
    s->sb = sb_stemmer_new("english", NULL);
    if (!s->sb) {
        nd_free(s);
        return ND_ERR_NOMEM;
    }
    *out = s;
    return ND_OK;
}

void nd_stemmer_free(nd_stemmer *s)
{
    if (!s)
        return;
    sb_stemmer_delete(s->sb);
    nd_free(s);
}

const char *nd_stem(nd_stemmer *s, const char *w, size_t len, size_t *outlen)
{
    if (len > INT32_MAX)
        len = INT32_MAX;
    const sb_symbol *r = sb_stemmer_stem(s->sb, (const sb_symbol *)w, (int)len);
    if (!r)
        return NULL;
    if (outlen)
        *outlen = (size_t)sb_stemmer_length(s->sb);
    return (const char *)r;
}

/* ---- Tokens ------------------------------------------------------------------------------- */

enum { C_OTHER, C_SPACE, C_LETTER, C_DIGIT, C_PUNCT };

/* Classes of the ASCII bytes. */
static const uint8_t ascii_class[128] = {
    /* controls; \t \n \v \f \r are spaces */
    C_OTHER,
    C_OTHER,
    C_OTHER,
    C_OTHER,
    C_OTHER,
    C_OTHER,
    C_OTHER,
    C_OTHER,
    C_OTHER,
    C_SPACE,
    C_SPACE,
    C_SPACE,
    C_SPACE,
    C_SPACE,
    C_OTHER,
    C_OTHER,
    C_OTHER,
    C_OTHER,
    C_OTHER,
    C_OTHER,
    C_OTHER,
    C_OTHER,
    C_OTHER,
    C_OTHER,
    C_OTHER,
    C_OTHER,
    C_OTHER,
    C_OTHER,
    C_OTHER,
    C_OTHER,
    C_OTHER,
    C_OTHER,
    /* space ! " # $ % & ' ( ) * + , - . / */
    C_SPACE,
    C_PUNCT,
    C_PUNCT,
    C_PUNCT,
    C_PUNCT,
    C_PUNCT,
    C_PUNCT,
    C_PUNCT,
    C_PUNCT,
    C_PUNCT,
    C_PUNCT,
    C_PUNCT,
    C_PUNCT,
    C_PUNCT,
    C_PUNCT,
    C_PUNCT,
    /* 0-9 : ; < = > ? */
    C_DIGIT,
    C_DIGIT,
    C_DIGIT,
    C_DIGIT,
    C_DIGIT,
    C_DIGIT,
    C_DIGIT,
    C_DIGIT,
    C_DIGIT,
    C_DIGIT,
    C_PUNCT,
    C_PUNCT,
    C_PUNCT,
    C_PUNCT,
    C_PUNCT,
    C_PUNCT,
    /* @ A-Z [ \ ] ^ _ */
    C_PUNCT,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_PUNCT,
    C_PUNCT,
    C_PUNCT,
    C_PUNCT,
    C_PUNCT,
    /* ` a-z { | } ~ DEL */
    C_PUNCT,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_LETTER,
    C_PUNCT,
    C_PUNCT,
    C_PUNCT,
    C_PUNCT,
    C_OTHER,
};

/* Classifies the code point at t[i] and returns its length in *k. */
static inline int classify(const unsigned char *t, size_t len, size_t i, size_t *k)
{
    unsigned c = t[i];
    if (c < 0x80) {
        *k = 1;
        return ascii_class[c];
    }
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(t + i, (utf8proc_ssize_t)(len - i), &cp);
    if (n <= 0) {
        *k = 1;
        return C_OTHER;
    }
    *k = (size_t)n;
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME: return C_LETTER;
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO: return C_DIGIT;
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP: return C_SPACE;
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_CS:
    case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_CN: return C_OTHER;
    default: return C_PUNCT;
    }
}

/* Original end of the output byte range ending at `end`: the next original offset that
 * differs from the last byte's, because a segment's bytes all map to its first byte. */
static uint32_t orig_end(const nd_norm *n, size_t end)
{
    size_t len = n->text.len;
    uint32_t last = n->map[end - 1];
    size_t k = end;
    while (k < len && n->map[k] == last)
        k++;
    if (k == len && n->content_end > last)
        return n->content_end;
    return n->map[k];
}

static nd_status push_token(nd_tokens *out, const nd_norm *n, size_t s, size_t e, int kind)
{
    nd_token *v = nd_grow(out->v, &out->cap, out->n, sizeof *v, 64);
    if (!v)
        return ND_ERR_NOMEM;
    out->v = v;
    nd_token *t = &out->v[out->n++];
    t->start = (uint32_t)s;
    t->end = (uint32_t)e;
    t->ostart = n->map[s];
    t->oend = orig_end(n, e);
    t->kind = (uint8_t)kind;
    t->stop = kind == ND_TOK_WORD && nd_stopword(n->text.data + s, e - s);
    return ND_OK;
}

/*
 * One pass over the normalised text. A token starts at a letter or digit and runs over letters
 * and digits; an apostrophe or hyphen between two word characters stays inside ("don't",
 * "covid-19"), and '.', ',' or ':' between two digits stays inside a number ("6.1", "30,000",
 * "10:30"). A token made only of digits and separators is a number, otherwise a word. Every
 * other visible code point is a punctuation token of its own.
 */
nd_status nd_tokenize(nd_tokens *out, const nd_norm *n)
{
    const unsigned char *t = (const unsigned char *)n->text.data;
    size_t len = n->text.len;
    size_t i = 0;
    while (i < len) {
        size_t k;
        int c = classify(t, len, i, &k);
        if (c == C_SPACE || c == C_OTHER) {
            i += k;
            continue;
        }
        if (c == C_PUNCT) {
            nd_status st = push_token(out, n, i, i + k, ND_TOK_PUNCT);
            if (st != ND_OK)
                return st;
            i += k;
            continue;
        }
        size_t s = i;
        bool letters = c == C_LETTER;
        int prev = c;
        i += k;
        while (i < len) {
            /* Most words are plain ASCII: run over them without the general classifier. */
            unsigned ch0 = t[i];
            if (ch0 < 0x80 && (ascii_class[ch0] == C_LETTER || ascii_class[ch0] == C_DIGIT)) {
                prev = ascii_class[ch0];
                letters |= prev == C_LETTER;
                i++;
                continue;
            }
            c = classify(t, len, i, &k);
            if (c == C_LETTER || c == C_DIGIT) {
                letters |= c == C_LETTER;
                prev = c;
                i += k;
                continue;
            }
            if (c != C_PUNCT || k != 1 || i + 1 >= len)
                break;
            unsigned ch = t[i];
            size_t k2;
            int nx = classify(t, len, i + 1, &k2);
            bool inner = false;
            if ((ch == '\'' || ch == '-') && (nx == C_LETTER || nx == C_DIGIT))
                inner = true;
            else if ((ch == '.' || ch == ',' || ch == ':') && prev == C_DIGIT && nx == C_DIGIT)
                inner = true;
            if (!inner)
                break;
            i += 1 + k2;
            letters |= nx == C_LETTER;
            prev = nx;
        }
        nd_status st = push_token(out, n, s, i, letters ? ND_TOK_WORD : ND_TOK_NUMBER);
        if (st != ND_OK)
            return st;
    }
    return ND_OK;
}

void nd_tokens_free(nd_tokens *t)
{
    if (!t)
        return;
    nd_free(t->v);
    t->v = NULL;
    t->n = t->cap = 0;
}
