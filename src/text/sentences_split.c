/*
 * Sentence splitting.
 *
 * One pass over the text looking only at the few bytes that can end a sentence ('.', '!', '?',
 * the ellipsis '…' and line breaks). At each such place the decision reads a little context:
 * the word before the stop, the closing quotes and brackets after it, and the first word or
 * two after the white space. The rules model English punctuation rather than any corpus:
 *
 *  - a stop followed by a lower-case word never ends a sentence ("..." she said, "U.S. troops");
 *  - a stop that is not followed by white space never ends one ("6.1", "TMZ.com", "U.S.-led");
 *  - abbreviations that stand before a name (titles, initials, dotted acronyms such as "U.S.")
 *    end a sentence only when the next word is one that starts sentences and cannot be a name
 *    ("The", "He", "But"), which is how "in the U.S. The ..." still splits;
 *  - "a.m."/"p.m." end a sentence unless a day, month or time zone follows;
 *  - month and number abbreviations ("Jan. 5", "No. 3") never end one before a number;
 *  - "?" or "!" inside a quotation followed by an attribution ("Why?" Smith asked.) does not;
 *  - a line break ends a sentence after a line that stands alone (a headline, a date line)
 *    when the next line starts like a sentence, unless the paragraph is hard-wrapped; a blank
 *    line always ends one.
 */
#include <string.h>
#include <utf8proc.h>

#include "text/text.h"

/* ---- Character helpers -------------------------------------------------------------------- */

static inline bool is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* White space at s[i], including NBSP (C2 A0); returns its length or 0. */
static inline size_t ws_len(const unsigned char *s, size_t len, size_t i)
{
    if (is_ws(s[i]))
        return 1;
    if (s[i] == 0xC2 && i + 1 < len && s[i + 1] == 0xA0)
        return 2;
    return 0;
}

/* A closing quote or bracket at s[i] (", ', ), ], }, ”, ’, »); returns its length or 0. */
static size_t closer_len(const unsigned char *s, size_t len, size_t i)
{
    unsigned char c = s[i];
    if (c == '"' || c == '\'' || c == ')' || c == ']' || c == '}')
        return 1;
    if (c == 0xE2 && i + 2 < len && s[i + 1] == 0x80 && (s[i + 2] == 0x9D || s[i + 2] == 0x99))
        return 3;
    if (c == 0xC2 && i + 1 < len && s[i + 1] == 0xBB)
        return 2;
    return 0;
}

/* An opening quote or bracket at s[i] (", ', (, [, {, “, ‘, „, «); returns its length or 0. */
static size_t opener_len(const unsigned char *s, size_t len, size_t i)
{
    unsigned char c = s[i];
    if (c == '"' || c == '\'' || c == '(' || c == '[' || c == '{')
        return 1;
    if (c == 0xE2 && i + 2 < len && s[i + 1] == 0x80 &&
        (s[i + 2] == 0x9C || s[i + 2] == 0x98 || s[i + 2] == 0x9E))
        return 3;
    if (c == 0xC2 && i + 1 < len && s[i + 1] == 0xAB)
        return 2;
    return 0;
}

/* The ellipsis character U+2026 at s[i]. */
static inline bool is_ellipsis(const unsigned char *s, size_t len, size_t i)
{
    return s[i] == 0xE2 && i + 2 < len && s[i + 1] == 0x80 && s[i + 2] == 0xA6;
}

enum { K_UPPER, K_LOWER, K_DIGIT, K_OTHER, K_END };

/* The kind of the character at s[i]: upper- or lower-case letter, digit, anything else. */
static int char_kind(const unsigned char *s, size_t len, size_t i)
{
    if (i >= len)
        return K_END;
    unsigned char c = s[i];
    if (c < 0x80) {
        if (c >= 'A' && c <= 'Z')
            return K_UPPER;
        if (c >= 'a' && c <= 'z')
            return K_LOWER;
        if (c >= '0' && c <= '9')
            return K_DIGIT;
        return K_OTHER;
    }
    utf8proc_int32_t cp;
    if (utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), &cp) <= 0)
        return K_OTHER;
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LT: return K_UPPER;
    case UTF8PROC_CATEGORY_LL: return K_LOWER;
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_LM:
        return K_UPPER; /* scripts without case: treat as a possible sentence start */
    case UTF8PROC_CATEGORY_ND: return K_DIGIT;
    default: return K_OTHER;
    }
}

/* ---- Word lists --------------------------------------------------------------------------- */

/* A short word copied lower-cased (ASCII letters only) for lookups. */
typedef struct word {
    char w[16];
    size_t n;
} word;

static bool in_list(const word *w, const char *const *list, size_t count)
{
    if (w->n == 0)
        return false;
    for (size_t i = 0; i < count; i++)
        if (list[i][0] == w->w[0] && strlen(list[i]) == w->n && memcmp(list[i], w->w, w->n) == 0)
            return true;
    return false;
}
#define IN(w, list) in_list((w), (list), sizeof(list) / sizeof((list)[0]))

/* Titles and other abbreviations that stand before a name. */
static const char *const titles[] = {
    "mr",   "mrs",  "ms",   "mx",    "dr",  "drs",  "prof", "gen",   "gens",   "sen",  "sens",
    "rep",  "reps", "gov",  "govs",  "lt",  "col",  "capt", "cpt",   "sgt",    "st",   "ste",
    "rev",  "hon",  "pres", "supt",  "maj", "cmdr", "adm",  "brig",  "cpl",    "pvt",  "pfc",
    "spc",  "fr",   "msgr", "atty",  "det", "insp", "amb",  "const", "messrs", "mmes", "mme",
    "mlle", "mt",   "ft",   "lieut", "sr",  "dist", "dep",  "asst",  "assoc",  "dir",
};

/* Abbreviations that never end a sentence. */
static const char *const never_final[] = {
    "vs", "v", "eg", "ie", "cf", "approx", "ca", "viz", "esp", "incl",
};

/* Abbreviations that stand before a number ("No. 3", "Fig. 2", "Ch. 4"). */
static const char *const before_number[] = {
    "no",   "nos", "nr", "art", "fig", "figs", "vol", "vols", "pp",  "p",    "ch",  "sec",
    "sect", "op",  "pt", "ed",  "ex",  "rt",   "rte", "hwy",  "apt", "bldg", "tel",
};

/* Month names and their abbreviations: "Nov. 26", "May. 3". */
static const char *const months[] = {
    "jan",   "feb",  "mar",  "apr",    "may",       "jun",     "jul",      "aug",
    "sep",   "sept", "oct",  "nov",    "dec",       "january", "february", "march",
    "april", "june", "july", "august", "september", "october", "november", "december",
};

/* Words that follow a clock time without starting a sentence: days, months, time zones. */
static const char *const after_time[] = {
    "monday", "tuesday", "wednesday", "thursday", "friday",   "saturday", "sunday", "mon",
    "tue",    "tues",    "wed",       "thu",      "thur",     "thurs",    "fri",    "sat",
    "sun",    "et",      "est",       "edt",      "ct",       "cst",      "cdt",    "mt",
    "mst",    "mdt",     "pt",        "pst",      "pdt",      "akst",     "akdt",   "hst",
    "gmt",    "utc",     "bst",       "cet",      "cest",     "eet",      "ist",    "jst",
    "aest",   "local",   "eastern",   "pacific",  "central",  "mountain", "jan",    "feb",
    "mar",    "apr",     "may",       "jun",      "jul",      "aug",      "sep",    "sept",
    "oct",    "nov",     "dec",       "january",  "february", "march",    "april",  "june",
    "july",   "august",  "september", "october",  "november", "december", "today",  "tonight",
};

/* Words that open sentences and are not names: articles, pronouns, conjunctions, common
 * sentence adverbs. After an abbreviation that usually precedes a name ("U.S.", "Dr.", an
 * initial) such a word is the evidence that a new sentence began. Auxiliaries are left out:
 * capitalised "May", "Will", "Can" are more often a month or a name. */
static const char *const starters[] = {
    "the",     "a",     "an",        "this",    "that",      "these",   "those", "there",
    "here",    "he",    "she",       "it",      "its",       "they",    "we",    "i",
    "you",     "his",   "her",       "their",   "our",       "my",      "your",  "who",
    "what",    "when",  "where",     "why",     "how",       "which",   "while", "whether",
    "if",      "as",    "at",        "in",      "on",        "for",     "from",  "with",
    "by",      "after", "before",    "because", "although",  "though",  "but",   "and",
    "or",      "so",    "yet",       "however", "meanwhile", "also",    "still", "then",
    "now",     "today", "yesterday", "tonight", "earlier",   "later",   "last",  "according",
    "instead", "since", "until",     "unless",  "despite",   "during",  "both",  "each",
    "every",   "all",   "some",      "many",    "most",      "several", "no",    "not",
    "one",     "such",  "another",   "other",   "neither",   "either",  "once",  "under",
    "over",    "to",    "of",
};

/* Words that a sentence cannot end with (articles, conjunctions, possessive determiners); a
 * period after one is a stray, such as a decimal point set off by a space ("a .38"). */
static const char *const no_final[] = {
    "a", "an", "the", "and", "or", "nor", "than", "their", "our", "my", "your", "whose",
};

/* Words that a line does not end with when the sentence goes on on the next line. */
static const char *const line_continues[] = {
    "a",    "an",   "the", "of",   "to",    "and", "or", "nor",  "for",
    "with", "from", "by",  "than", "their", "our", "my", "your", "whose",
};

/* Verbs of saying that follow a quotation's speaker: "Why?" Smith asked. */
static const char *const said_verbs[] = {
    "said",      "says",     "asked",     "asks",      "told",      "tells",    "added",
    "adds",      "wrote",    "writes",    "tweeted",   "recalled",  "recalls",  "questioned",
    "explained", "explains", "replied",   "replies",   "continued", "shouted",  "yelled",
    "exclaimed", "noted",    "notes",     "stated",    "insisted",  "declared", "responded",
    "admitted",  "answered", "cried",     "whispered", "laughed",   "joked",    "quipped",
    "warned",    "posted",   "announced", "remarked",  "screamed",
};

/* Copies the letters of the word at s[i..) lower-cased; stops at the first non-letter.
 * Words longer than the buffer come out empty so that they match nothing. */
static void read_word(word *w, const unsigned char *s, size_t len, size_t i)
{
    w->n = 0;
    while (i < len && ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z')) {
        if (w->n == sizeof w->w) {
            w->n = 0;
            return;
        }
        w->w[w->n++] = (char)(s[i] | 0x20);
        i++;
    }
}

/* ---- The word before a stop --------------------------------------------------------------- */

enum {
    W_NONE,    /* nothing (a stop after a space or an opening bracket) */
    W_PLAIN,   /* an ordinary word or number */
    W_TITLE,   /* Mr. Dr. Gen. */
    W_INITIAL, /* a single capital letter: "George W. Bush" */
    W_LETTER,  /* a single lower-case letter */
    W_ACRONYM, /* dotted capitals: U.S. D.C. */
    W_DOTTED,  /* dotted lower case: e.g. i.e. */
    W_TIME,    /* a.m. p.m. */
    W_NEVER,   /* vs. cf. approx. */
    W_NUMABBR, /* No. Fig. */
    W_MONTH,   /* Jan. */
    W_NOFINAL, /* "of." and other words that cannot end a sentence */
    W_LISTNUM, /* "1." at the start of a sentence */
};

/*
 * Classifies the word that ends at the period s[i] (exclusive). The word starts after the last
 * white space, less any opening quotes or brackets. `sent_start` is where the current
 * sentence starts, to recognise list numbers.
 */
static int classify_before(const unsigned char *s, size_t len, size_t i, size_t sent_start)
{
    size_t b = i;
    /* 40 bytes is longer than any abbreviation; longer words are plain. */
    while (b > sent_start && i - b < 40 && !is_ws(s[b - 1]) &&
           !(s[b - 1] == 0xA0 && b >= 2 && s[b - 2] == 0xC2))
        b--;
    while (b < i) {
        size_t k = opener_len(s, len, b);
        if (k == 0)
            break;
        b += k;
    }
    if (b == i)
        return W_NONE;
    /* In "D-W." or "Aoraki-Mt." the part after the hyphen or slash is what was abbreviated. */
    for (size_t k = i; k > b + 1; k--) {
        if (s[k - 1] == '-' || s[k - 1] == '/') {
            if (k < i)
                b = k;
            break;
        }
    }
    size_t ts = sent_start;
    while (ts < i && is_ws(s[ts]))
        ts++;
    size_t n = i - b;
    bool letters = true, digits = true, upper = true, lower = true, dotted = false;
    size_t segs = 1, seglen = 0, maxseg = 0;
    for (size_t k = b; k < i; k++) {
        unsigned char c = s[k];
        if (c == '.') {
            dotted = true;
            segs++;
            maxseg = seglen > maxseg ? seglen : maxseg;
            seglen = 0;
            continue;
        }
        seglen++;
        bool al = (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
        letters &= al;
        digits &= c >= '0' && c <= '9';
        upper &= c >= 'A' && c <= 'Z';
        lower &= c >= 'a' && c <= 'z';
    }
    maxseg = seglen > maxseg ? seglen : maxseg;
    if (digits && !dotted && n <= 2 && b == ts)
        return W_LISTNUM;
    if (dotted && letters && maxseg <= 2 && seglen > 0) {
        word w;
        size_t m = 0;
        for (size_t k = b; k < i && m < sizeof w.w; k++)
            if (s[k] != '.')
                w.w[m++] = (char)(s[k] | 0x20);
        w.n = m;
        if ((w.n == 2 && (memcmp(w.w, "am", 2) == 0 || memcmp(w.w, "pm", 2) == 0)))
            return W_TIME;
        if (upper)
            return W_ACRONYM;
        if (lower)
            return IN(&w, never_final) ? W_NEVER : W_DOTTED;
        return W_ACRONYM; /* Ph.D, Ft.Worth-like mixtures behave as names */
    }
    if (!letters || dotted)
        return W_PLAIN;
    if (n == 1)
        return upper ? W_INITIAL : W_LETTER;
    word w;
    read_word(&w, s, i, b);
    if (w.n != n)
        return W_PLAIN;
    /* Titles match in any case ("MR." in a shouted headline is still a title); the other
     * abbreviations only in lower or title case. */
    if (IN(&w, titles))
        return W_TITLE;
    if (IN(&w, months))
        return W_MONTH;
    /* Other abbreviations are not written in capitals: "IE." and "CA." are words. */
    if (upper)
        return W_PLAIN;
    if (IN(&w, never_final))
        return W_NEVER;
    if (IN(&w, before_number))
        return W_NUMABBR;
    if (lower && IN(&w, no_final))
        return W_NOFINAL;
    return W_PLAIN;
}

/* ---- The text after a stop ---------------------------------------------------------------- */

typedef struct after {
    size_t next;     /* first byte of the next word (after white space and openers) */
    int kind;        /* K_* of that byte */
    bool opener;     /* an opening quote or bracket came first */
    unsigned breaks; /* line breaks in the white space */
    word w;          /* the next word, lower-cased */
} after;

/* Reads what follows position e: white space, opening quotes or brackets, the next word. */
static void read_after(after *a, const unsigned char *s, size_t len, size_t e)
{
    a->breaks = 0;
    a->opener = false;
    size_t j = e, k;
    while (j < len && (k = ws_len(s, len, j)) > 0) {
        a->breaks += s[j] == '\n';
        j += k;
    }
    while (j < len && (k = opener_len(s, len, j)) > 0) {
        a->opener = true;
        j += k;
    }
    a->next = j;
    a->kind = char_kind(s, len, j);
    a->w.n = 0;
    if (a->kind == K_UPPER || a->kind == K_LOWER)
        read_word(&a->w, s, len, j);
    /* "iPhone", "eBay": a lower-case initial followed by a capital inside the word starts
     * sentences like a capitalised word. */
    if (a->kind == K_LOWER) {
        for (size_t m = j + 1; m < len && m < j + 8; m++) {
            int ck = char_kind(s, len, m);
            if (ck == K_UPPER) {
                a->kind = K_UPPER;
                break;
            }
            if (ck != K_LOWER)
                break;
        }
    }
}

/* A hyphen or a dash (en, em) at s[i]. */
static bool dash_at(const unsigned char *s, size_t len, size_t i)
{
    if (i >= len)
        return false;
    if (s[i] == '-')
        return true;
    return s[i] == 0xE2 && i + 2 < len && s[i + 1] == 0x80 &&
           (s[i + 2] == 0x93 || s[i + 2] == 0x94);
}

/* A word of two or more capitals (an acronym or a ticker) at s[i]. */
static bool caps_word(const unsigned char *s, size_t len, size_t i)
{
    size_t n = 0;
    while (i + n < len && s[i + n] >= 'A' && s[i + n] <= 'Z')
        n++;
    if (n < 2)
        return false;
    return i + n >= len || !((s[i + n] >= 'a' && s[i + n] <= 'z'));
}

/* A digit within the next word at s[i] ("VA089897"). */
static bool digit_soon(const unsigned char *s, size_t len, size_t i)
{
    for (size_t k = i; k < len && k < i + 12 && !is_ws(s[k]); k++)
        if (s[k] >= '0' && s[k] <= '9')
            return true;
    return false;
}

/* True when the next word is capitalised and looks like the first word of a sentence. */
static bool next_is_starter(const after *a)
{
    return a->kind == K_UPPER && IN(&a->w, starters);
}

/*
 * After a quotation that ends with a stop, "Smith said" or "Prime Minister Jones asked" is
 * the attribution of the quotation, not a new sentence: up to four capitalised words
 * followed by a verb of saying.
 */
static bool attribution_follows(const unsigned char *s, size_t len, size_t j)
{
    for (int words = 0; words < 7 && j < len; words++) {
        int kind = char_kind(s, len, j);
        if (kind != K_UPPER && kind != K_LOWER)
            return false;
        word w;
        read_word(&w, s, len, j);
        size_t end = j + w.n;
        if (kind == K_LOWER && w.n > 0 && IN(&w, said_verbs)) {
            /* "Smith asked." or "Smith said, adding": the verb closes the attribution. A verb
             * with an object ("Smith said he ...") begins a sentence of its own. */
            if (end < len && s[end] == ' ') {
                /* One more word may follow: "Smith said Friday." */
                size_t k = end + 1;
                while (k < len && ((s[k] | 0x20) >= 'a' && (s[k] | 0x20) <= 'z'))
                    k++;
                if (k > end + 1)
                    end = k;
            }
            return end >= len || s[end] == '.' || s[end] == ',' || s[end] == ';' || s[end] == ':' ||
                   s[end] == '\n';
        }
        if (words == 0 && kind != K_UPPER)
            return false;
        /* Skip the word (any non-space bytes, so "O'Neil" and "Jae-myung" pass). */
        while (j < len && !is_ws(s[j]))
            j++;
        if (strchr(",.;:!?", s[j - 1]))
            return false;
        while (j < len && s[j] == ' ')
            j++;
    }
    return false;
}

/* ---- Line breaks -------------------------------------------------------------------------- */

/* True when the line ending before position `eol` ends with a stop, optionally followed by
 * closing quotes or brackets: that stop made its own decision. */
static bool line_ends_with_stop(const unsigned char *s, size_t len, size_t lstart, size_t eol)
{
    size_t q = eol;
    while (q > lstart && (is_ws(s[q - 1])))
        q--;
    /* Walk back over closers (one or three bytes each). */
    for (;;) {
        if (q > lstart && closer_len(s, len, q - 1) == 1 && s[q - 1] < 0x80) {
            q--;
            continue;
        }
        if (q >= lstart + 3 && closer_len(s, len, q - 3) == 3) {
            q -= 3;
            continue;
        }
        if (q >= lstart + 2 && s[q - 2] == 0xC2 && s[q - 1] == 0xBB) {
            q -= 2;
            continue;
        }
        break;
    }
    if (q == lstart)
        return false;
    unsigned char c = s[q - 1];
    return c == '.' || c == '!' || c == '?' || (q >= lstart + 3 && is_ellipsis(s, len, q - 3));
}

/*
 * A line that stands on its own whatever its neighbours: one token with no space (an address,
 * a rule such as "-", a numeric date), or a short date or time line ("on Dec 23 2012, 5:03p",
 * "updated 8:41 p.m. EST"): at most 80 bytes holding a year or a clock time, with a digit in
 * at least a third of its words. A line of prose, even a short one, is mostly words.
 */
static bool line_standalone(const unsigned char *s, size_t a, size_t b)
{
    while (a < b && is_ws(s[a]))
        a++;
    while (b > a && is_ws(s[b - 1]))
        b--;
    if (a == b)
        return false;
    if (!memchr(s + a, ' ', b - a))
        return true;
    if (b - a > 80)
        return false;
    unsigned words = 1, numeric = 0;
    bool date = false, digit_in_word = false;
    for (size_t k = a; k < b; k++) {
        if (s[k] == ' ') {
            numeric += digit_in_word;
            digit_in_word = false;
            words++;
        }
        digit_in_word |= s[k] >= '0' && s[k] <= '9';
        if (k + 4 <= b && (s[k] == '1' || s[k] == '2') && s[k + 1] >= '0' && s[k + 1] <= '9' &&
            s[k + 2] >= '0' && s[k + 2] <= '9' && s[k + 3] >= '0' && s[k + 3] <= '9' &&
            (k == a || !(s[k - 1] >= '0' && s[k - 1] <= '9')) &&
            (k + 4 == b || !(s[k + 4] >= '0' && s[k + 4] <= '9'))) {
            unsigned y = (unsigned)(s[k] - '0') * 1000 + (unsigned)(s[k + 1] - '0') * 100;
            date |= y == 1900 || y == 2000;
        }
        if (s[k] == ':' && k > a && k + 2 < b && s[k - 1] >= '0' && s[k - 1] <= '9' &&
            s[k + 1] >= '0' && s[k + 1] <= '5' && s[k + 2] >= '0' && s[k + 2] <= '9')
            date = true;
    }
    numeric += digit_in_word;
    return date && numeric * 3 >= words;
}

/* The end of the line that starts at a (the position of its '\n', or len). */
static size_t line_end(const unsigned char *s, size_t len, size_t a)
{
    const unsigned char *nl = memchr(s + a, '\n', len - a);
    return nl ? (size_t)(nl - s) : len;
}

/*
 * A paragraph (text between blank lines) is hard-wrapped when one of its lines ends without a
 * stop and the next line starts with a lower-case letter: its line breaks are then only
 * layout, and they do not end sentences by themselves.
 */
static bool para_wrapped(const unsigned char *s, size_t len, size_t pstart, size_t pend)
{
    size_t lstart = pstart;
    for (;;) {
        const unsigned char *nl = memchr(s + lstart, '\n', pend - lstart);
        if (!nl)
            return false;
        size_t eol = (size_t)(nl - s);
        size_t j = eol + 1;
        while (j < pend && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r'))
            j++;
        if (j < pend && char_kind(s, len, j) == K_LOWER &&
            !line_ends_with_stop(s, len, lstart, eol) && !line_standalone(s, lstart, eol) &&
            !line_standalone(s, j, line_end(s, pend, j)))
            return true;
        lstart = eol + 1;
        if (lstart >= pend)
            return false;
    }
}

/* End of the paragraph that starts at p: the first line break followed by a blank line. */
static size_t para_end(const unsigned char *s, size_t len, size_t p)
{
    while (p < len) {
        const unsigned char *nl = memchr(s + p, '\n', len - p);
        if (!nl)
            return len;
        size_t j = (size_t)(nl - s) + 1;
        while (j < len && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r'))
            j++;
        if (j < len && s[j] == '\n')
            return (size_t)(nl - s);
        p = j;
    }
    return len;
}

/* ---- The splitter ------------------------------------------------------------------------- */

typedef struct splitter {
    const unsigned char *s;
    size_t len;
    nd_ranges *out;
    size_t start; /* start of the current sentence */
    size_t pend;  /* end of the current paragraph, when known */
    bool wrapped; /* the current paragraph is hard-wrapped (valid while pend is known) */
    bool have_para;
} splitter;

/* Ends the current sentence at `e` (trimmed) and starts the next one there. */
static nd_status cut(splitter *sp, size_t e)
{
    size_t a = sp->start, b = e;
    size_t k;
    while (a < b && (k = ws_len(sp->s, sp->len, a)) > 0)
        a += k;
    while (b > a && is_ws(sp->s[b - 1]))
        b--;
    while (b >= a + 2 && sp->s[b - 2] == 0xC2 && sp->s[b - 1] == 0xA0) {
        b -= 2;
        while (b > a && is_ws(sp->s[b - 1]))
            b--;
    }
    sp->start = e;
    if (a == b)
        return ND_OK;
    return nd_ranges_push(sp->out, (uint32_t)a, (uint32_t)b);
}

/* Whether the paragraph around position i is hard-wrapped (computed once per paragraph). */
static bool wrapped_at(splitter *sp, size_t i)
{
    if (!sp->have_para || i >= sp->pend) {
        /* The paragraph starts at the current sentence start at the latest. */
        size_t p = sp->start;
        sp->pend = para_end(sp->s, sp->len, p);
        if (sp->pend <= i)
            sp->pend = para_end(sp->s, sp->len, i);
        sp->wrapped = para_wrapped(sp->s, sp->len, p, sp->pend);
        sp->have_para = true;
    }
    return sp->wrapped;
}

/*
 * Decides whether the stop cluster s[i..p), followed by closers up to e, ends a sentence.
 * `ell` says the cluster is an ellipsis, `q` that it holds '?' or '!'.
 */
static bool stop_ends(splitter *sp, size_t i, size_t p, size_t e, bool ell, bool q)
{
    const unsigned char *s = sp->s;
    size_t len = sp->len;
    after a;
    read_after(&a, s, len, e);
    if (a.kind == K_END)
        return true;
    if (a.breaks >= 2) {
        /* Possibly a blank line: the line-break logic ends the sentence there anyway. */
        return true;
    }
    if (a.kind == K_LOWER)
        return false;
    bool line_break = a.breaks > 0 && !wrapped_at(sp, i);
    bool closed = e > p;
    /* A question or exclamation quoted and followed by its attribution: "Why?" Smith asked.
     * (A quoted statement is attributed with a comma, so after '."' a new sentence starts.) */
    if (q && closed && a.kind == K_UPPER && !a.opener && !line_break &&
        attribution_follows(s, len, a.next))
        return false;
    /* Not a sentence start: a dash ("Calif. - based", a dateline "SUNNYVALE, Calif. -") or a
     * bracketed acronym or lower-case aside explaining the name before: "Corp. (NYSE: HPQ)". */
    if (!line_break && a.kind == K_OTHER && !a.opener && dash_at(s, len, a.next))
        return false;
    if (!line_break && a.opener && s[a.next - 1] == '(' &&
        (a.kind == K_LOWER || caps_word(s, len, a.next)))
        return false;
    if (q || ell)
        return true;
    /* A single period (or a period after other stops); look at the word before it. */
    int w = classify_before(s, len, i, sp->start);
    /* A stop at the end of a line followed by a line that does not start in lower case ends
     * the sentence unless it belongs to a title ("Mr.") that goes on on the next line. */
    if (line_break && w != W_TITLE && w != W_NOFINAL && w != W_NONE)
        return true;
    switch (w) {
    case W_NONE:
    case W_NEVER:
    case W_NOFINAL:
    case W_LISTNUM:
    case W_DOTTED: return false;
    case W_LETTER: return a.kind == K_UPPER && next_is_starter(&a);
    case W_TITLE:
    case W_INITIAL:
    case W_ACRONYM: return next_is_starter(&a) || (a.opener && a.kind == K_UPPER && closed);
    case W_TIME:
        if (a.kind == K_UPPER)
            return !IN(&a.w, after_time);
        return a.opener && a.kind != K_DIGIT;
    case W_MONTH: return a.kind != K_DIGIT;
    case W_NUMABBR: return a.kind != K_DIGIT && !digit_soon(s, len, a.next);
    default: return true;
    }
}

/*
 * Decides whether the single line break at i ends the sentence. The line before it did not end
 * with a stop (those decide for themselves).
 */
static bool break_ends(splitter *sp, size_t i, size_t next)
{
    const unsigned char *s = sp->s;
    size_t len = sp->len;
    /* Find the start of the line that ends at i. */
    size_t lstart = i;
    while (lstart > sp->start && s[lstart - 1] != '\n')
        lstart--;
    size_t q = i;
    while (q > lstart && is_ws(s[q - 1]))
        q--;
    if (q == lstart)
        return false; /* nothing of the current sentence on this line */
    if (line_ends_with_stop(s, len, lstart, i))
        return false;
    if (line_standalone(s, lstart, i) || line_standalone(s, next, line_end(s, len, next)))
        return true;
    if (wrapped_at(sp, i))
        return false;
    after a;
    read_after(&a, s, len, next);
    if (a.kind == K_LOWER || a.kind == K_END)
        return false;
    unsigned char last = s[q - 1];
    if (last == ',' || last == ';' || last == '&' || last == '(')
        return false;
    /* A line ending in an article or preposition continues on the next line. */
    size_t b = q;
    while (b > lstart && ((s[b - 1] | 0x20) >= 'a' && (s[b - 1] | 0x20) <= 'z'))
        b--;
    if (b < q && (b == lstart || is_ws(s[b - 1]))) {
        word w;
        read_word(&w, s, q, b);
        if (w.n == q - b && s[b] >= 'a' && IN(&w, line_continues))
            return false;
    }
    return true;
}

/* Bytes that can end a sentence or start a decision: . ! ? \n and the lead byte of '…'. */
static const unsigned char interesting[256] = {
    ['.'] = 1, ['!'] = 1, ['?'] = 1, ['\n'] = 1, [0xE2] = 1,
};

nd_status nd_sentences_split(nd_ranges *out, const char *text, size_t len)
{
    if (len >= UINT32_MAX)
        return ND_ERR_TOO_BIG;
    splitter sp = {.s = (const unsigned char *)text, .len = len, .out = out};
    const unsigned char *s = sp.s;
    nd_status st;
    size_t i = 0;
    while (i < len) {
        if (!interesting[s[i]]) {
            i++;
            continue;
        }
        unsigned char c = s[i];
        if (c == '\n') {
            size_t j = i + 1;
            while (j < len && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r'))
                j++;
            if (j < len && s[j] == '\n') {
                /* A blank line: end the sentence and the paragraph. */
                while (j < len && is_ws(s[j]))
                    j++;
                if ((st = cut(&sp, i)) != ND_OK)
                    return st;
                sp.start = j;
                sp.have_para = false;
                i = j;
                continue;
            }
            if (j < len && break_ends(&sp, i, j)) {
                if ((st = cut(&sp, i)) != ND_OK)
                    return st;
            }
            i = j;
            continue;
        }
        if (c == 0xE2 && !is_ellipsis(s, len, i)) {
            i++;
            continue;
        }
        /* A cluster of stops: "." "?!" "..." "…" ".”" */
        size_t p = i, dots = 0;
        bool q = false, ell = false;
        while (p < len) {
            if (s[p] == '.') {
                dots++;
                p++;
            } else if (s[p] == '!' || s[p] == '?') {
                q = true;
                p++;
            } else if (is_ellipsis(s, len, p)) {
                ell = true;
                p += 3;
            } else {
                break;
            }
        }
        if (dots >= 2)
            ell = true;
        size_t e = p, k;
        while (e < len && (k = closer_len(s, len, e)) > 0)
            e += k;
        if (e < len && ws_len(s, len, e) == 0) {
            /* Not followed by white space: inside a number, a domain or an acronym. */
            i = p;
            continue;
        }
        /* A quote mark standing alone after the stop ("done. "" at the end of a paragraph)
         * cannot open a quotation: it closes this one. */
        size_t f = e;
        while (f < len && s[f] == ' ')
            f++;
        size_t g = f;
        while (g < len && (k = closer_len(s, len, g)) > 0 && s[g] != ')' && s[g] != ']' &&
               s[g] != '}')
            g += k;
        if (g > f && (g == len || ws_len(s, len, g) > 0))
            e = g;
        if (stop_ends(&sp, i, p, e, ell, q)) {
            if ((st = cut(&sp, e)) != ND_OK)
                return st;
        }
        i = e;
    }
    return cut(&sp, len);
}
