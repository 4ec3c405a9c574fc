/*
 * The layout of a plain-text article: blocks, and what each block is.
 *
 * Three passes over the text, all linear:
 *  1. Lines. Each line is trimmed and measured; lines that must stand alone whatever their
 *     neighbours ("hard" lines: a bare URL, a rule such as "***", a date line) are marked.
 *  2. Blocks. Blank lines separate paragraphs. Inside one blank-line group, lines stay
 *     separate blocks unless they look like one paragraph cut into lines: the next line goes
 *     on mid-sentence (starts in lower case, or the line ends with a comma or a word such as
 *     "the"), or the whole text is hard-wrapped (its lines end where the next word would not
 *     have fitted the widest line). A text without blank lines is one line per block unless
 *     it is hard-wrapped.
 *  3. Kinds. Each block first gets the kind it has on its own (url, date, separator,
 *     boilerplate, caption, credit, byline). Then, for a whole text file, the header is read
 *     from the top (metadata lines, headline, more metadata, dek), and the rest is body:
 *     short unpunctuated lines followed by more body are crossheads, all else paragraphs.
 *
 * The keyword lists model genres (cross-links, share prompts, subscription prompts, ads,
 * legal lines, agency notes, photo credits), not any one site; each entry says where it may
 * match so that body sentences that merely start with a listed word ("Related to this, ...",
 * "By the end of the day, ...") are left alone.
 */
#include <stdint.h>
#include <string.h>

#include "ingest/article.h"
#include "ingest/ingest.h"
#include "util/alloc.h"

/* A text with more non-blank lines than this is not an article (it would also cost memory
 * out of proportion: a few dozen bytes per line here and in the article). */
#define MAX_LINES 1000000u

/* Headlines, deks and crossheads are measured in words. */
#define HEADLINE_MAX_WORDS 30
#define HEADLINE_MAX_CHARS 250
#define CROSSHEAD_MAX_WORDS 15
#define CROSSHEAD_MAX_CHARS 120
#define DEK_MIN_WORDS 13 /* a longer unpunctuated line after the headline is a dek */
#define DEK_MAX_WORDS 80
#define BOILER_MAX_WORDS 40
#define WRAP_MAX_WIDTH 110 /* hard-wrapped text is narrower than this */
#define WRAP_MIN_WIDTH 30

enum { HARD_NONE, HARD_URL, HARD_SEP, HARD_DATE, HARD_STAMP };

typedef struct line {
    uint32_t start, end; /* trimmed content */
    uint32_t group;      /* blank-line group */
    uint16_t chars;      /* code points, capped */
    uint16_t first_word; /* code points of the first word, capped */
    uint8_t hard;
    uint8_t indent;      /* began with white space */
} line;

typedef struct blk {
    uint32_t start, end;     /* trimmed, raw offsets */
    uint32_t first, nlines;  /* lines */
    uint32_t group;
    uint8_t kind;            /* nd_block_kind, or KIND_UNSET */
    uint8_t hard;
    /* the measures of its view, computed once (see block_view) */
    uint8_t vflags;
    int32_t words, chars;
    uint32_t vfirst, vlast;
} blk;

enum { VF_TERMINAL = 1, VF_FULL_STOP = 2, VF_SOFT_END = 4, VF_QUOTED = 8 };

#define KIND_UNSET 0xFF

/* ---- characters ------------------------------------------------------------------------- */

static size_t dec(const char *s, size_t len, size_t i, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s + i;
    size_t left = len - i;
    unsigned char c = p[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t n = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (n > left) {
        *cp = c;
        return 1;
    }
    uint32_t v = c & (0xFF >> (n + 1));
    for (size_t k = 1; k < n; k++)
        v = (v << 6) | (p[k] & 0x3F);
    *cp = v;
    return n;
}

/* The code point that ends at s[end) (end > 0). */
static uint32_t last_cp(const char *s, size_t start, size_t end, size_t *cp_start)
{
    size_t i = end - 1;
    while (i > start && ((unsigned char)s[i] & 0xC0) == 0x80)
        i--;
    uint32_t cp;
    dec(s, end, i, &cp);
    *cp_start = i;
    return cp;
}

static bool is_space_cp(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\f' || cp == '\v' || cp == '\r' || cp == 0xA0 ||
           (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F || cp == 0x205F || cp == 0x3000 ||
           cp == 0xFEFF;
}

static bool is_open_quote(uint32_t cp)
{
    return cp == '"' || cp == '\'' || cp == 0x201C || cp == 0x2018 || cp == 0xAB ||
           cp == 0x201E || cp == 0x2039;
}

static bool is_close_mark(uint32_t cp)
{
    return cp == '"' || cp == '\'' || cp == 0x201D || cp == 0x2019 || cp == 0xBB ||
           cp == 0x203A || cp == ')' || cp == ']' || cp == '}';
}

static bool is_upper_cp(uint32_t cp)
{
    return (cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) ||
           (cp >= 0x391 && cp <= 0x3A9) || (cp >= 0x410 && cp <= 0x42F);
}

static bool is_lower_cp(uint32_t cp)
{
    return (cp >= 'a' && cp <= 'z') || (cp >= 0xDF && cp <= 0xFF && cp != 0xF7) ||
           (cp >= 0x3B1 && cp <= 0x3C9) || (cp >= 0x430 && cp <= 0x44F);
}

static bool is_digit_cp(uint32_t cp)
{
    return cp >= '0' && cp <= '9';
}

static char lower_ascii(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

static bool is_alnum_ascii(char c)
{
    return (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z');
}

/* ---- a block's text --------------------------------------------------------------------- */

/* A view of one block's trimmed text with the measures the rules use. */
typedef struct view {
    const char *s;
    size_t len;
    int words;
    int chars;
    uint32_t first;   /* first code point */
    uint32_t last;    /* last code point, after closing quotes and brackets */
    bool terminal;    /* ends a sentence: . ! ? … (before closing quotes/brackets) */
    bool full_stop;   /* ends with . or … (not ! or ?) */
    bool soft_end;    /* ends with , ; : or a dash (goes on) */
    bool quoted;      /* wrapped in quotes as a whole */
} view;

/* Counting stops past this many words: every rule has a lower limit, and a paragraph that
 * long is only ever a paragraph, so long blocks cost no more than short ones. */
#define VIEW_MAX_WORDS 128

static void view_make(view *v, const char *s, size_t len)
{
    memset(v, 0, sizeof *v);
    v->s = s;
    v->len = len;
    if (!len)
        return;
    /* Words are counted branch-free over ASCII (most of any text); other characters take
     * the slow path one at a time. */
    unsigned space = 1, words = 0;
    size_t i = 0, chars = 0;
    while (i < len && words <= VIEW_MAX_WORDS) {
        unsigned c = (unsigned char)s[i];
        if (c < 0x80) {
            unsigned sp = (c == ' ') | ((c - 9u) < 5u);
            words += space & (sp ^ 1u);
            space = sp;
            i++;
        } else {
            uint32_t cp;
            i += dec(s, len, i, &cp);
            unsigned sp = is_space_cp(cp) ? 1u : 0u;
            words += space & (sp ^ 1u);
            space = sp;
        }
        chars++;
    }
    v->words = (int)words;
    v->chars = i < len ? INT32_MAX / 2 : (int)chars; /* cut short: "very long" */
    dec(s, len, 0, &v->first);
    size_t end = len, cs;
    uint32_t cp = last_cp(s, 0, end, &cs);
    uint32_t outer = cp;
    while (is_close_mark(cp) && cs > 0) {
        end = cs;
        cp = last_cp(s, 0, end, &cs);
    }
    v->last = cp;
    v->terminal = cp == '.' || cp == '!' || cp == '?' || cp == 0x2026;
    v->full_stop = cp == '.' || cp == 0x2026;
    v->soft_end = cp == ',' || cp == ';' || cp == ':' || cp == '-' || cp == 0x2013 ||
                  cp == 0x2014;
    v->quoted = is_open_quote(v->first) && is_close_mark(outer) && outer != ')' &&
                outer != ']' && outer != '}' && len > 2;
}

/* Case-insensitive: does v start with `p` (ASCII), followed by a non-letter or the end? A
 * pattern ending in a non-letter (":" or " ") needs no boundary. */
static bool starts(const view *v, const char *p)
{
    if (!v->len || lower_ascii(v->s[0]) != p[0])
        return false; /* most blocks fail here, before the length is taken */
    size_t n = strlen(p);
    if (n > v->len)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower_ascii(v->s[i]) != p[i])
            return false;
    if (n == v->len || !is_alnum_ascii(p[n - 1]))
        return true;
    return !is_alnum_ascii(v->s[n]);
}

static bool starts_any(const view *v, const char *const *list)
{
    if (!v->len)
        return false;
    char c = lower_ascii(v->s[0]);
    for (; *list; list++)
        if ((*list)[0] == c && starts(v, *list))
            return true;
    return false;
}

/* Case-insensitive search of an ASCII phrase at word boundaries: the offset of the first
 * match, or `len` when there is none. */
static size_t find(const char *s, size_t len, const char *p)
{
    size_t n = strlen(p);
    if (n > len)
        return len;
    for (size_t i = 0; i + n <= len; i++) {
        if (lower_ascii(s[i]) != p[0])
            continue;
        size_t k = 1;
        while (k < n && lower_ascii(s[i + k]) == p[k])
            k++;
        if (k < n)
            continue;
        if (i > 0 && is_alnum_ascii(p[0]) && is_alnum_ascii(s[i - 1]))
            continue;
        if (i + n < len && is_alnum_ascii(p[n - 1]) && is_alnum_ascii(s[i + n]))
            continue;
        return i;
    }
    return len;
}

static bool contains(const char *s, size_t len, const char *p)
{
    return find(s, len, p) < len;
}

/* The text after a prefix of `n` bytes, with separators (spaces, ':', dashes) skipped. */
static view rest_after(const view *v, size_t n)
{
    view r;
    size_t i = n;
    while (i < v->len) {
        uint32_t cp;
        size_t k = dec(v->s, v->len, i, &cp);
        if (!(is_space_cp(cp) || cp == ':' || cp == '-' || cp == 0x2013 || cp == 0x2014 ||
              cp == '|'))
            break;
        i += k;
    }
    view_make(&r, v->s + i, v->len - i);
    return r;
}

/* Words that title case leaves in lower case. */
static bool function_word(const char *w, size_t n)
{
    static const char *const fw[] = {
        "a",    "an",   "the",  "and",  "or",   "but",  "nor",  "of",   "in",   "on",
        "at",   "to",   "for",  "by",   "with", "from", "as",   "into", "onto", "over",
        "up",   "via",  "vs",   "per",  "off",  "out",  "is",   "are",  "be",   "its",
        "than", "that", "amid", "upon", "after", "about", "says", "said", "if", "so",
        "not",  "no",   "was",  "were", "has",  "have", "had",  "will", "can",  "it", NULL};
    if (n == 0 || n > 6)
        return false;
    char b[8];
    for (size_t i = 0; i < n; i++)
        b[i] = lower_ascii(w[i]);
    for (const char *const *p = fw; *p; p++)
        if (strlen(*p) == n && memcmp(*p, b, n) == 0)
            return true;
    return false;
}

/* Iterates over the words of a view: *ws, *wn get the next word with leading quotes and
 * brackets and trailing punctuation stripped. Returns false at the end. */
static bool next_word(const view *v, size_t *pos, const char **ws, size_t *wn)
{
    size_t i = *pos;
    while (i < v->len) {
        uint32_t cp;
        size_t k = dec(v->s, v->len, i, &cp);
        if (!is_space_cp(cp) && cp != '\n')
            break;
        i += k;
    }
    if (i >= v->len)
        return false;
    size_t b = i;
    while (i < v->len) {
        uint32_t cp;
        size_t k = dec(v->s, v->len, i, &cp);
        if (is_space_cp(cp) || cp == '\n')
            break;
        i += k;
    }
    *pos = i;
    size_t e = i;
    /* strip leading quotes/brackets and trailing punctuation (ASCII and common Unicode) */
    for (;;) {
        uint32_t cp;
        if (b >= e)
            break;
        size_t k = dec(v->s, e, b, &cp);
        if (is_open_quote(cp) || cp == '(' || cp == '[' || cp == 0x201C || cp == 0x2018)
            b += k;
        else
            break;
    }
    while (e > b) {
        size_t cs;
        uint32_t cp = last_cp(v->s, b, e, &cs);
        if (is_close_mark(cp) || cp == '.' || cp == ',' || cp == ';' || cp == ':' ||
            cp == '!' || cp == '?' || cp == 0x2026)
            e = cs;
        else
            break;
    }
    *ws = v->s + b;
    *wn = e - b;
    return true;
}

/* At least 80% of the content words (not function words, not numbers) start with a capital,
 * and there are at least two of them. */
static bool title_case(const view *v)
{
    size_t pos = 0, wn;
    const char *ws;
    int content = 0, caps = 0;
    while (next_word(v, &pos, &ws, &wn)) {
        if (!wn)
            continue;
        uint32_t cp;
        dec(ws, wn, 0, &cp);
        if (!(is_upper_cp(cp) || is_lower_cp(cp)))
            continue;
        if (function_word(ws, wn))
            continue;
        content++;
        if (is_upper_cp(cp))
            caps++;
    }
    return content >= 2 && caps * 5 >= content * 4;
}

/* The first `max` words after position `pos` are mostly capitalised (a name). */
static bool name_like(const view *v, size_t pos, int max, int *seen)
{
    size_t wn;
    const char *ws;
    int n = 0, caps = 0;
    while (n < max && next_word(v, &pos, &ws, &wn)) {
        if (!wn)
            continue;
        uint32_t cp;
        dec(ws, wn, 0, &cp);
        if (function_word(ws, wn) && n > 0)
            continue;
        n++;
        if (is_upper_cp(cp))
            caps++;
    }
    *seen = n;
    return n > 0 && caps * 10 >= n * 7;
}

/* ---- kinds a block has on its own ------------------------------------------------------- */

/* Boilerplate. `any` entries match at the start of a block of any (bounded) length; the
 * one-word labels of `short_only` match only as a label with a colon or in a block of at most
 * four words: "Related:", "RELATED", but not "Related to this, ...". */
static bool is_boilerplate(const view *v)
{
    static const char *const any[] = {
        /* cross-links */
        "read more", "read also", "also read", "read next", "read this next", "read the full",
        "see also", "more from", "more on this", "more stories", "more news", "more coverage",
        "related articles", "related stories", "related coverage", "related content",
        "related links", "related reading", "related topics", "related news", "related videos",
        "related posts", "you may also like", "you might also like", "you may be interested",
        "you might be interested", "most read", "most popular", "most viewed", "trending now",
        "top stories", "don't miss", "don\xe2\x80\x99t miss", "continue reading",
        "keep reading", "view more", "view all", "click here", "tap here", "back to top",
        "next article", "previous article", "watch video", "watch the video", "watch:",
        "listen:", "more:", "also:", "previously:", "tags:", "topics:", "filed under",
        "posted in:", "categories:",
        /* social prompts */
        "share this", "share on", "share via", "share:", "share article", "share the story",
        "tweet this", "follow us", "follow @", "follow me on", "like us on", "join us on",
        "connect with us", "email this", "print this", "leave a comment", "add a comment",
        "post a comment", "view comments", "comment on this", "join the conversation",
        /* subscription prompts */
        "subscribe", "sign up", "sign in to", "log in to", "register for", "register now",
        "get our newsletter", "get the latest", "get breaking news", "download our app",
        "download the app", "support our journalism", "support independent journalism",
        "become a member", "become a subscriber", "already a subscriber", "already subscribed",
        "get unlimited access", "newsletter:",
        /* advertising */
        "sponsored content", "paid content", "story continues below", "article continues below",
        "continue reading below", "scroll to continue", "advertisement -",
        /* legal */
        "copyright", "\xc2\xa9", "(c) 1", "(c) 2", "terms of use", "terms of service",
        "privacy policy", "cookie policy", "this material may not be published",
        /* agency notes */
        "(reporting by", "(additional reporting by", "(editing by", "(writing by",
        "(compiled by", "(with reporting by", "(reporting and writing by", "reporting by",
        NULL};
    static const char *const short_only[] = {"related", "recommended", "sponsored", "promoted",
                                             "comments", "advertisement", "advertising", "ad",
                                             "newsletter", "share", "more", "trending", NULL};
    if (v->words > BOILER_MAX_WORDS + 20)
        return false;
    if (starts_any(v, any)) {
        /* "Reporting by" opens body sentences too; as boilerplate it names an editor */
        if (starts(v, "reporting by") && !contains(v->s, v->len, "editing by"))
            return false;
        /* prompts and legal lines are short; a long block that opens so is prose */
        if (starts(v, "subscribe") || starts(v, "sign up") || starts(v, "copyright"))
            return v->words <= BOILER_MAX_WORDS;
        return true;
    }
    for (const char *const *p = short_only; *p; p++) {
        if (!starts(v, *p))
            continue;
        size_t n = strlen(*p);
        if ((v->words <= 4 && !v->terminal) || (n < v->len && v->s[n] == ':'))
            return true;
    }
    /* notes and legal lines are short; searching longer blocks would only cost time */
    if (v->words <= 30 &&
        (contains(v->s, v->len, "all rights reserved") ||
         contains(v->s, v->len, "contributed to this report") ||
         contains(v->s, v->len, "contributed reporting") ||
         (contains(v->s, v->len, "\xc2\xa9") && v->words <= 15) ||
         (contains(v->s, v->len, "editing by") && contains(v->s, v->len, "reporting by"))))
        return true;
    /* a row of share buttons: every word a social network or a share verb */
    static const char *const social[] = {
        "share", "tweet", "email", "e-mail", "print", "facebook", "twitter", "x", "linkedin",
        "whatsapp", "reddit", "pinterest", "telegram", "copy", "link", "comments", "comment",
        "save", "flipboard", "messenger", "pocket", "sms", "mail", "google", "tumblr", "on",
        "this", "article", "story", NULL};
    if (v->words <= 10 && v->len <= 200) {
        size_t pos = 0, wn;
        const char *ws;
        int n = 0, hits = 0;
        while (next_word(v, &pos, &ws, &wn)) {
            if (!wn)
                continue;
            n++;
            for (const char *const *p = social; *p; p++) {
                size_t pl = strlen(*p);
                bool eq = pl == wn;
                for (size_t i = 0; eq && i < wn; i++)
                    eq = lower_ascii(ws[i]) == (*p)[i];
                if (eq) {
                    hits++;
                    break;
                }
            }
        }
        if (n >= 2 && hits == n && n <= 10) {
            /* at least one real network or verb, not just "on this" */
            return contains(v->s, v->len, "share") || contains(v->s, v->len, "tweet") ||
                   contains(v->s, v->len, "facebook") || contains(v->s, v->len, "twitter") ||
                   contains(v->s, v->len, "email") || contains(v->s, v->len, "whatsapp") ||
                   contains(v->s, v->len, "linkedin");
        }
    }
    return false;
}

/* Words that mark a photo credit inside a trailing parenthesis. */
static bool credit_words(const char *s, size_t len)
{
    static const char *const w[] = {
        "photo",   "photos",  "photograph", "image",   "images",   "picture",  "pictures",
        "getty",   "reuters", "afp",        "ap",      "epa",      "efe",      "handout",
        "courtesy", "credit",  "pool",      "shutterstock", "xinhua",
        "kcna",    "tass",    "yonhap",     "anadolu", "imago",    "alamy",    "sputnik",
        "news agency", "news service", "press association", "associated press", "ria novosti",
        "bloomberg", "screenshot", "screengrab", "video grab", "illustration", NULL};
    for (const char *const *p = w; *p; p++)
        if (contains(s, len, *p))
            return true;
    return false;
}

/* The final "(...)" of a block, when the block ends with it: its start, or len when none.
 * A closing full stop after it ("... (via X).") makes it part of a sentence, not a credit. */
static size_t trailing_paren(const view *v)
{
    size_t end = v->len;
    if (end == 0 || v->s[end - 1] != ')')
        return v->len;
    int depth = 0;
    for (size_t i = end; i-- > 0;) {
        if (v->s[i] == ')')
            depth++;
        else if (v->s[i] == '(' && --depth == 0)
            return i;
    }
    return v->len;
}

static const char *const credit_prefixes[] = {
    "photo:", "photos:", "photo by", "photos by", "photograph:", "photograph by",
    "photography:", "image:", "images:", "image by", "image credit", "picture:", "pictures:",
    "picture by", "credit:", "credits:", "illustration:", "graphic:", "video:", "source:",
    "courtesy", "photo credit", "main image:", "main picture:", "top image:", "caption:",
    NULL};

/* A bare credit ("Photo: Jane Doe/Reuters", "(AP Photo/John Roe)", "Getty Images"). */
static bool is_credit(const view *v)
{
    if (v->words > 12 || v->terminal || v->len > 300)
        return false;
    if (starts_any(v, credit_prefixes)) {
        size_t i = 0;
        while (i < v->len && v->s[i] != ':' && v->s[i] != ' ')
            i++;
        view r = rest_after(v, i);
        /* "Photo by X", "Photo: X/Agency": a name or an agency, not a description */
        return r.words <= 6 || memchr(v->s, '/', v->len) != NULL;
    }
    if (v->first == '(' && trailing_paren(v) == 0 && credit_words(v->s, v->len))
        return true;
    /* a line that is nothing but agencies: "AFP/Getty Images", "Reuters" */
    if (v->words <= 4 && !v->terminal) {
        size_t pos = 0, wn;
        const char *ws;
        int n = 0, hits = 0;
        while (next_word(v, &pos, &ws, &wn)) {
            n++;
            if (credit_words(ws, wn) || memchr(ws, '/', wn))
                hits++;
        }
        return n > 0 && hits == n;
    }
    return false;
}

/* A photo caption: a description with a credit, or one of the caption openings. */
static bool is_caption(const view *v)
{
    if (v->words > 90)
        return false;
    if (starts(v, "in this") || starts(v, "in these")) {
        static const char *const w[] = {"photo",    "photograph", "image",      "picture",
                                        "file",     "handout",    "undated",    "video",
                                        "still",    "screenshot", "screen grab", "frame",
                                        "aerial",   "combination", "satellite", "pool",
                                        "photos",   "images",     "pictures",   NULL};
        size_t lim = v->len < 80 ? v->len : 80;
        for (const char *const *p = w; *p; p++)
            if (contains(v->s, lim, *p))
                return true;
    }
    if (starts(v, "file -") || starts(v, "file \xe2\x80\x94") || starts(v, "file \xe2\x80\x93") ||
        starts(v, "file photo") || starts(v, "file:") || starts(v, "pictured:") ||
        starts(v, "above:") || starts(v, "top:") || starts(v, "below:") ||
        (starts_any(v, credit_prefixes) && !starts(v, "source:")))
        return v->words > 3;
    size_t p = trailing_paren(v);
    if (p < v->len && p > 0 && v->len - p <= 200) {
        view inner;
        view_make(&inner, v->s + p, v->len - p);
        if (inner.words <= 15 && credit_words(v->s + p, v->len - p))
            return true;
    }
    /* A credit glued to the end: "... on Friday. Photograph: Jane Doe/AFP". What follows the
     * label must be short and not a sentence ("He posted a photo: a cat." is prose). */
    static const char *const tail[] = {"photograph:", "photo:", "image:", "picture:",
                                       "credit:", "ap photo/", NULL};
    size_t from = v->len > 80 ? v->len - 80 : 0;
    if (v->terminal || (!memchr(v->s + from, ':', v->len - from) &&
                        !memchr(v->s + from, '/', v->len - from)))
        return false;
    for (const char *const *t = tail; *t; t++) {
        size_t at = from + find(v->s + from, v->len - from, *t);
        if (at == v->len || at == 0)
            continue;
        view r = rest_after(v, at + strlen(*t));
        if (r.words >= 1 && r.words <= 6)
            return true;
    }
    return false;
}

/* "By Jane Doe", "BY JANE DOE, Associated Press", "Written by ...", "Jane Doe | Reuters". */
static bool is_byline(const view *v)
{
    static const char *const pre[] = {"written by", "words by", "story by", "reported by",
                                      "text by", "report by", "posted by", "author:",
                                      "authors:", "byline:", "reporter:", "correspondent:",
                                      NULL};
    if (v->words > 15 || v->words < 2)
        return false;
    if (v->full_stop && v->last == '.' && v->words > 6)
        return false;
    for (const char *const *p = pre; *p; p++) {
        int seen;
        if (starts(v, *p))
            return name_like(v, strlen(*p), 3, &seen);
    }
    if (starts(v, "by")) {
        int seen;
        return name_like(v, 2, 4, &seen) && seen >= 1;
    }
    /* "Name Surname | Outlet" */
    const char *bar = memchr(v->s, '|', v->len);
    if (bar && v->words <= 10) {
        view left;
        view_make(&left, v->s, (size_t)(bar - v->s));
        int seen;
        return left.words >= 2 && left.words <= 4 && name_like(&left, 0, 4, &seen) &&
               seen == left.words;
    }
    return false;
}

/* ---- lines ------------------------------------------------------------------------------ */

static bool is_url_line(const char *s, size_t len)
{
    static const char *const pre[] = {"http://", "https://", "www.", NULL};
    bool ok = false;
    for (const char *const *p = pre; *p && !ok; p++) {
        size_t n = strlen(*p);
        ok = len > n;
        for (size_t i = 0; ok && i < n; i++)
            ok = lower_ascii(s[i]) == (*p)[i];
    }
    if (!ok)
        return false;
    for (size_t i = 0; i < len; i++)
        if (s[i] == ' ' || s[i] == '\t')
            return false;
    return true;
}

/* A rule: "-", "***", "* * *", "___", "•••", "———". No letters or digits, only marks. */
static bool is_separator_line(const char *s, size_t len)
{
    if (len == 0 || len > 120)
        return false;
    int marks = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = dec(s, len, i, &cp);
        i += k;
        if (is_space_cp(cp))
            continue;
        if (cp == '-' || cp == '*' || cp == '_' || cp == '=' || cp == '~' || cp == '#' ||
            cp == '+' || cp == '.' || cp == '/' || cp == '\\' || cp == '|' || cp == 0x2022 ||
            cp == 0xB7 || cp == 0x2013 || cp == 0x2014 || cp == 0x2015 || cp == 0x2012 ||
            cp == 0x2010 || cp == 0x2026 || cp == 0x2500 || cp == 0x2501 || cp == 0x25CF ||
            cp == 0x2666 || cp == 0x25C6 || cp == 0x2605 || cp == 0x2042 || cp == 0x00A7)
            marks++;
        else
            return false;
    }
    return marks > 0;
}

/* A list item: "- item", "• item", "* item", "1. item", "2) item". */
static bool is_bullet(const char *s, size_t len)
{
    uint32_t cp;
    if (!len)
        return false;
    size_t k = dec(s, len, 0, &cp);
    if ((cp == '-' || cp == '*' || cp == 0x2022 || cp == 0x2013 || cp == 0x2014 || cp == 0xB7) &&
        k < len && (s[k] == ' ' || s[k] == '\t'))
        return true;
    size_t i = 0;
    while (i < len && i < 3 && s[i] >= '0' && s[i] <= '9')
        i++;
    return i > 0 && i + 1 < len && (s[i] == '.' || s[i] == ')') && s[i + 1] == ' ';
}

/* ---- memory ----------------------------------------------------------------------------- */

static nd_status reserve(nd_layout *lo, size_t nlines)
{
    size_t need = nlines * (sizeof(line) + sizeof(blk) + sizeof(nd_span)) + 64;
    if (need <= lo->mem_cap)
        return ND_OK;
    void *m = nd_malloc(need);
    if (!m)
        return ND_ERR_NOMEM;
    nd_free(lo->mem);
    lo->mem = m;
    lo->mem_cap = need;
    return ND_OK;
}

void nd_layout_free(nd_layout *lo)
{
    if (!lo)
        return;
    nd_free(lo->mem);
    memset(lo, 0, sizeof *lo);
}

/* ---- pass 1: lines ---------------------------------------------------------------------- */

/* Fills `ls` with the non-blank lines of text[start..len) and returns their number. */
static size_t scan_lines(line *ls, const char *text, size_t start, size_t len, bool *has_blank)
{
    size_t n = 0;
    uint32_t group = 0;
    bool blank_pending = false;
    *has_blank = false;
    bool has_cr = memchr(text + start, '\r', len - start) != NULL;
    size_t i = start;
    while (i < len) {
        size_t b = i;
        if (has_cr) {
            while (i < len && text[i] != '\n' && text[i] != '\r')
                i++;
        } else {
            const char *nl = memchr(text + i, '\n', len - i);
            i = nl ? (size_t)(nl - text) : len;
        }
        size_t e = i;
        if (i < len) {
            if (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')
                i += 2;
            else
                i++;
        }
        /* trim */
        size_t ts = b, te = e;
        while (ts < te) {
            uint32_t cp;
            size_t k = dec(text, te, ts, &cp);
            if (!is_space_cp(cp))
                break;
            ts += k;
        }
        while (te > ts) {
            size_t cs;
            uint32_t cp = last_cp(text, ts, te, &cs);
            if (!is_space_cp(cp))
                break;
            te = cs;
        }
        if (ts == te) {
            if (n > 0)
                blank_pending = true;
            continue;
        }
        if (blank_pending) {
            group++;
            *has_blank = true;
            blank_pending = false;
        }
        line *l = &ls[n++];
        l->start = (uint32_t)ts;
        l->end = (uint32_t)te;
        l->group = group;
        l->indent = ts > b;
        /* Characters matter only up to the widest wrapped line: a longer line is just
         * long, so its bytes are not counted one by one. */
        size_t chars = 0, fw = 0;
        bool in_first = true;
        size_t j = ts;
        for (; j < te && chars <= WRAP_MAX_WIDTH; j++) {
            unsigned char c = (unsigned char)text[j];
            if ((c & 0xC0) != 0x80) {
                chars++;
                if (in_first) {
                    if (c == ' ' || c == '\t')
                        in_first = false;
                    else
                        fw++;
                }
            }
        }
        if (j < te)
            chars = 65535; /* wider than any wrapped text: the exact count does not matter */
        l->chars = (uint16_t)(chars > 65535 ? 65535 : chars);
        l->first_word = (uint16_t)(fw > 65535 ? 65535 : fw);
        const char *s = text + ts;
        size_t sl = te - ts;
        if (is_url_line(s, sl)) {
            l->hard = HARD_URL;
        } else if (is_separator_line(s, sl)) {
            l->hard = HARD_SEP;
        } else {
            nd_dateline d = nd_date_scan(s, sl, NULL);
            l->hard = d == ND_DATELINE_DATE ? HARD_DATE
                      : d == ND_DATELINE_STAMP ? HARD_STAMP
                                              : HARD_NONE;
        }
    }
    return n;
}

/* ---- pass 2: blocks --------------------------------------------------------------------- */

/* Does line b go on the sentence of line a (a paragraph cut by a line break)? */
static bool continues(const char *text, const line *a, const line *b)
{
    view va;
    view_make(&va, text + a->start, a->end - a->start);
    if (va.terminal)
        return false;
    uint32_t cp;
    dec(text, b->end, b->start, &cp);
    if (is_lower_cp(cp))
        return true;
    if (va.last == ',' || va.last == ';' || (va.last == '-' && va.len > 1 &&
                                             is_alnum_ascii(va.s[va.len - 2])))
        return true;
    /* the line ends on a word that cannot end a sentence */
    size_t e = va.len, b0 = e;
    while (b0 > 0 && va.s[b0 - 1] != ' ')
        b0--;
    static const char *const glue[] = {"the", "a", "an", "of", "to", "in", "and", "or", "but",
                                       "with", "for", "on", "at", "by", "from", "that",
                                       "which", "who", "as", "is", "was", "are", "were",
                                       "has", "have", "had", "will", "would", "could", "its",
                                       "their", "his", "her", "into", "than", NULL};
    size_t wn = e - b0;
    for (const char *const *g = glue; *g; g++) {
        if (strlen(*g) != wn)
            continue;
        bool eq = true;
        for (size_t i = 0; eq && i < wn; i++)
            eq = lower_ascii(va.s[b0 + i]) == (*g)[i];
        if (eq)
            return true;
    }
    return false;
}

static bool joinable(const char *text, const line *a, const line *b)
{
    return a->group == b->group && a->hard == HARD_NONE && b->hard == HARD_NONE &&
           !is_bullet(text + b->start, b->end - b->start);
}

/* Is the text hard-wrapped? Among the pairs of lines that could be joined, the widest first
 * line sets the width W. Under that hypothesis every line either ends because its next word
 * would not have fitted W ("full"), or ends a paragraph (with a full stop, say). A line that
 * stops short in mid-sentence (a headline, a list item) speaks against it. */
static bool wrapped_text(const char *text, const line *ls, size_t n, unsigned *width)
{
    size_t pairs = 0, full = 0, against = 0;
    unsigned w = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        if (!joinable(text, &ls[i], &ls[i + 1]))
            continue;
        pairs++;
        if (ls[i].chars > w)
            w = ls[i].chars;
    }
    *width = w;
    if (pairs < 2 || w > WRAP_MAX_WIDTH || w < WRAP_MIN_WIDTH)
        return false;
    for (size_t i = 0; i + 1 < n; i++) {
        if (!joinable(text, &ls[i], &ls[i + 1]))
            continue;
        if ((unsigned)ls[i].chars + 1u + ls[i + 1].first_word > w) {
            full++;
        } else {
            view v;
            view_make(&v, text + ls[i].start, ls[i].end - ls[i].start);
            against += !v.terminal;
        }
    }
    return full >= 2 && full * 2 >= pairs && against * 10 <= pairs;
}

static size_t make_blocks(blk *bs, const char *text, const line *ls, size_t n, bool has_blank)
{
    unsigned width = 0;
    bool wrapped = wrapped_text(text, ls, n, &width);
    size_t nb = 0;
    for (size_t i = 0; i < n; i++) {
        bool join = false;
        if (nb > 0 && joinable(text, &ls[i - 1], &ls[i])) {
            const line *a = &ls[i - 1], *b = &ls[i];
            if (wrapped)
                join = ((unsigned)a->chars + 1u + b->first_word > width) ||
                       continues(text, a, b);
            else if (has_blank)
                join = continues(text, a, b);
            /* a line that opens indented in a text that is not indented starts a paragraph */
            if (join && b->indent && !a->indent && wrapped)
                join = false;
        }
        if (join) {
            blk *p = &bs[nb - 1];
            p->end = ls[i].end;
            p->nlines++;
            p->hard = HARD_NONE;
            continue;
        }
        blk *p = &bs[nb++];
        p->start = ls[i].start;
        p->end = ls[i].end;
        p->first = (uint32_t)i;
        p->nlines = 1;
        p->group = ls[i].group;
        p->hard = ls[i].hard;
        p->kind = KIND_UNSET;
    }
    return nb;
}

/* ---- pass 3: kinds ---------------------------------------------------------------------- */

/* Measures every block once; block_view() then costs nothing. */
static void measure_blocks(const char *text, blk *bs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        view v;
        view_make(&v, text + bs[i].start, bs[i].end - bs[i].start);
        bs[i].words = v.words;
        bs[i].chars = v.chars;
        bs[i].vfirst = v.first;
        bs[i].vlast = v.last;
        bs[i].vflags = (uint8_t)((v.terminal ? VF_TERMINAL : 0) | (v.full_stop ? VF_FULL_STOP : 0) |
                                 (v.soft_end ? VF_SOFT_END : 0) | (v.quoted ? VF_QUOTED : 0));
    }
}

static void block_view(view *v, const char *text, const blk *b)
{
    v->s = text + b->start;
    v->len = b->end - b->start;
    v->words = b->words;
    v->chars = b->chars;
    v->first = b->vfirst;
    v->last = b->vlast;
    v->terminal = b->vflags & VF_TERMINAL;
    v->full_stop = b->vflags & VF_FULL_STOP;
    v->soft_end = b->vflags & VF_SOFT_END;
    v->quoted = b->vflags & VF_QUOTED;
}

static uint8_t intrinsic_kind(const char *text, const blk *b)
{
    switch (b->hard) {
    case HARD_URL: return ND_BLOCK_URL;
    case HARD_SEP: return ND_BLOCK_SEPARATOR;
    default: break;
    }
    view v;
    block_view(&v, text, b);
    /* a byline may carry a date ("By Jane Doe | June 6, 2025"): the byline wins */
    if ((b->hard == HARD_DATE || b->hard == HARD_STAMP) && !(starts(&v, "by") && is_byline(&v)))
        return ND_BLOCK_DATE;
    if (is_boilerplate(&v))
        return ND_BLOCK_BOILERPLATE;
    if (is_credit(&v))
        return ND_BLOCK_CREDIT;
    if (is_caption(&v))
        return ND_BLOCK_CAPTION;
    if (is_byline(&v))
        return ND_BLOCK_BYLINE;
    return KIND_UNSET;
}

/* The first code point is a capital, a digit or an opening quote (a heading can start so). */
static bool heading_start(const view *v)
{
    return is_upper_cp(v->first) || is_digit_cp(v->first) || is_open_quote(v->first);
}

/* Strips one pair of enclosing quotes from [*s, *e). */
static void strip_quotes(const char *text, size_t *s, size_t *e)
{
    if (*e - *s < 3)
        return;
    uint32_t a, z;
    size_t ka = dec(text, *e, *s, &a);
    size_t zs;
    z = last_cp(text, *s, *e, &zs);
    if (is_open_quote(a) && is_close_mark(z) && z != ')' && z != ']' && z != '}') {
        *s += ka;
        *e = zs;
    }
}

/* Is there a block after i that can be body? */
static bool body_follows(const blk *bs, size_t n, size_t i)
{
    for (size_t k = i + 1; k < n; k++)
        if (bs[k].kind == KIND_UNSET || nd_block_in_body((nd_block_kind)bs[k].kind))
            return true;
    return false;
}

static bool headline_ok(const char *text, const blk *bs, size_t n, size_t i, bool has_blank)
{
    const blk *b = &bs[i];
    if (b->kind != KIND_UNSET || b->nlines != 1 || !body_follows(bs, n, i))
        return false;
    view v;
    block_view(&v, text, b);
    if (v.words > HEADLINE_MAX_WORDS || v.chars > HEADLINE_MAX_CHARS || !heading_start(&v))
        return false;
    /* A header cluster: metadata lines and this line in one blank-line group, the body after
     * a blank line. The one line among the metadata is the headline, whatever it ends with. */
    if (has_blank && i > 0 && bs[i - 1].group == b->group &&
        (bs[i - 1].kind == ND_BLOCK_URL || bs[i - 1].kind == ND_BLOCK_DATE))
        return true;
    if (has_blank && i + 1 < n && bs[i + 1].group == b->group &&
        (bs[i + 1].kind == ND_BLOCK_DATE || bs[i + 1].kind == ND_BLOCK_URL))
        return true;
    /* followed by a rule: a header */
    if (i + 1 < n && bs[i + 1].kind == ND_BLOCK_SEPARATOR)
        return true;
    size_t s = b->start, e = b->end;
    strip_quotes(text, &s, &e);
    view in;
    view_make(&in, text + s, e - s);
    if (!in.len)
        return false;
    if (v.quoted && v.words <= 20)
        return true;
    /* a kicker ending in ':' reads as a headline; a line ending in ',' or ';' goes on */
    if (!in.full_stop && !(in.soft_end && in.last != ':'))
        return true;
    return title_case(&in) && v.words <= 20;
}

static bool dek_ok(const char *text, const blk *bs, size_t n, size_t i)
{
    const blk *b = &bs[i];
    if (b->kind != KIND_UNSET || !body_follows(bs, n, i))
        return false;
    view v;
    block_view(&v, text, b);
    if (v.words > DEK_MAX_WORDS)
        return false;
    if (i + 1 < n && bs[i + 1].kind == ND_BLOCK_SEPARATOR)
        return true;
    return !v.terminal && !v.soft_end && v.words >= DEK_MIN_WORDS;
}

static bool crosshead_ok(const char *text, const blk *bs, size_t n, size_t i)
{
    const blk *b = &bs[i];
    if (b->nlines != 1)
        return false;
    view v;
    block_view(&v, text, b);
    if (v.words > CROSSHEAD_MAX_WORDS || v.chars > CROSSHEAD_MAX_CHARS || v.terminal ||
        v.soft_end || !heading_start(&v))
        return false;
    /* followed by more body (captions and credits may sit in between) */
    for (size_t k = i + 1; k < n; k++) {
        uint8_t kk = bs[k].kind;
        if (kk == KIND_UNSET || kk == ND_BLOCK_PARAGRAPH || kk == ND_BLOCK_CROSSHEAD)
            return true;
        if (kk != ND_BLOCK_CAPTION && kk != ND_BLOCK_CREDIT && kk != ND_BLOCK_SEPARATOR)
            return false;
    }
    return false;
}

static bool is_meta(uint8_t k)
{
    return k == ND_BLOCK_URL || k == ND_BLOCK_DATE || k == ND_BLOCK_BYLINE ||
           k == ND_BLOCK_SEPARATOR;
}

/* Reads the header from the top; returns the index of the first body block. */
static size_t read_header(nd_layout *lo, const char *text, blk *bs, size_t n, bool has_blank)
{
    size_t i = 0;
    while (i < n && is_meta(bs[i].kind))
        i++;
    if (i < n && headline_ok(text, bs, n, i, has_blank)) {
        size_t h = i++;
        bs[h].kind = ND_BLOCK_HEADLINE;
        size_t s = bs[h].start, e = bs[h].end;
        strip_quotes(text, &s, &e);
        lo->headline_start = s;
        lo->headline_end = e;
        while (i < n && is_meta(bs[i].kind) && bs[i].kind != ND_BLOCK_SEPARATOR)
            i++;
        /* Where blank lines separate paragraphs, a plain line set directly under the
         * headline, without a blank line between them, belongs to the header: the dek. */
        bool cluster_dek = has_blank && i < n && bs[i].group == bs[h].group &&
                           bs[i].kind == KIND_UNSET && body_follows(bs, n, i);
        if (i < n && (cluster_dek || dek_ok(text, bs, n, i))) {
            bs[i].kind = ND_BLOCK_DEK;
            lo->dek_start = bs[i].start;
            lo->dek_end = bs[i].end;
            i++;
        }
        while (i < n && (is_meta(bs[i].kind) || bs[i].kind == ND_BLOCK_CAPTION ||
                         bs[i].kind == ND_BLOCK_CREDIT))
            i++;
    }
    return i;
}

static void classify(nd_layout *lo, const char *text, blk *bs, size_t n, bool has_blank,
                     nd_layout_mode mode)
{
    measure_blocks(text, bs, n);
    for (size_t i = 0; i < n; i++)
        bs[i].kind = intrinsic_kind(text, &bs[i]);
    size_t body = 0;
    if (mode == ND_LAYOUT_TEXT)
        body = read_header(lo, text, bs, n, has_blank);
    /* From the end backwards, so that "followed by more body" sees final kinds. */
    for (size_t i = n; i-- > body;) {
        if (bs[i].kind != KIND_UNSET)
            continue;
        bs[i].kind = crosshead_ok(text, bs, n, i) ? ND_BLOCK_CROSSHEAD : ND_BLOCK_PARAGRAPH;
    }
    for (size_t i = 0; i < n; i++)
        if (bs[i].kind == KIND_UNSET)
            bs[i].kind = ND_BLOCK_PARAGRAPH;
}

/* ---- fields ----------------------------------------------------------------------------- */

static void pick_fields(nd_layout *lo, const char *text, const blk *bs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const blk *b = &bs[i];
        switch (b->kind) {
        case ND_BLOCK_URL:
            if (!lo->url_end) {
                lo->url_start = b->start;
                lo->url_end = b->end;
            }
            break;
        case ND_BLOCK_DATE:
            if (!lo->date_end && nd_date_scan(text + b->start, b->end - b->start,
                                              lo->date_iso) == ND_DATELINE_DATE) {
                lo->date_start = b->start;
                lo->date_end = b->end;
            }
            break;
        case ND_BLOCK_BYLINE:
            if (!lo->byline_end) {
                lo->byline_start = b->start;
                lo->byline_end = b->end;
            }
            break;
        default: break;
        }
    }
    /* a byline that carries the only date */
    for (size_t i = 0; i < n && !lo->date_end; i++)
        if (bs[i].kind == ND_BLOCK_BYLINE && bs[i].hard == HARD_DATE &&
            nd_date_scan(text + bs[i].start, bs[i].end - bs[i].start, lo->date_iso) ==
                ND_DATELINE_DATE) {
            lo->date_start = bs[i].start;
            lo->date_end = bs[i].end;
        }
    if (!lo->date_end)
        lo->date_iso[0] = '\0';
}

nd_status nd_layout_run(nd_layout *lo, const char *text, size_t start, size_t len,
                        nd_layout_mode mode)
{
    lo->nblocks = lo->nbody = 0;
    lo->headline_start = lo->headline_end = lo->dek_start = lo->dek_end = 0;
    lo->byline_start = lo->byline_end = lo->date_start = lo->date_end = 0;
    lo->url_start = lo->url_end = 0;
    lo->date_iso[0] = '\0';
    lo->blocks = NULL;
    if (len >= UINT32_MAX)
        return ND_ERR_TOO_BIG;

    /* An upper bound of the non-blank lines, to size the work arrays: the line breaks, found
     * fast. When lines are very short on average (a text of mostly blank lines, say), count
     * the lines that hold more than spaces and tabs instead, so that blank lines cost no
     * memory. */
    size_t nl = 1;
    for (const char *p = text + start, *e = text + len; p < e && (p = memchr(p, '\n', (size_t)(e - p)));
         p++)
        nl++;
    if (memchr(text + start, '\r', len - start))
        for (size_t i = start; i < len; i++)
            nl += text[i] == '\r';
    if (nl > 64 && nl > (len - start) / 8) {
        nl = 1;
        bool in = false;
        for (size_t i = start; i < len; i++) {
            char c = text[i];
            if (c == '\n' || c == '\r') {
                in = false;
            } else if (!in && c != ' ' && c != '\t') {
                in = true;
                nl++;
            }
        }
    }
    if (nl > MAX_LINES)
        return ND_ERR_INPUT;
    nd_status st = reserve(lo, nl);
    if (st != ND_OK)
        return st;
    /* widest alignment first: spans (size_t), then blocks and lines (uint32_t) */
    nd_span *spans = lo->mem;
    blk *bs = (blk *)(spans + nl);
    line *ls = (line *)(bs + nl);

    bool has_blank;
    size_t n = scan_lines(ls, text, start, len, &has_blank);
    size_t nb = make_blocks(bs, text, ls, n, has_blank);
    classify(lo, text, bs, nb, has_blank, mode);
    pick_fields(lo, text, bs, nb);

    for (size_t i = 0; i < nb; i++) {
        spans[i] = (nd_span){.start = ND_NOPOS, .end = ND_NOPOS, .raw_start = bs[i].start,
                             .raw_end = bs[i].end, .kind = (nd_block_kind)bs[i].kind};
        lo->nbody += nd_block_in_body((nd_block_kind)bs[i].kind) ? 1u : 0u;
    }
    lo->blocks = spans;
    lo->nblocks = nb;
    return ND_OK;
}
