/*
 * Date lines: "6.06.2025", "June 6, 2025", "Published: April 23, 2013 9:39 AM",
 * "10:24 AM, MON 22 JUL 2013", "2025-06-06T10:24:00+02:00", ...
 *
 * A line is lexed into numbers, words and punctuation, then read left to right by a few
 * patterns (numeric dates, month-first and day-first dates, clock times with am/pm, zones and
 * offsets). Every word that is neither part of a pattern nor a known label (weekday,
 * "Published", "Updated", "on", "at", a zone, ...) is "unknown"; a date line may hold at most
 * two of them (a place or an agency: "INDONESIA, July 2, 2013") and at most 20 words in all,
 * which is what keeps a body sentence that mentions a date from passing for a date line.
 *
 * A label such as "Updated" or "Edited" after a date or time starts a second time stamp; only
 * the first one is read, so "Published 10 May 2013 | Updated 9:28 AM" gives the publication
 * date without the update's clock time.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ingest/ingest.h"

/* Lines longer than this are prose, never a date line. */
#define MAX_LINE 300
#define MAX_TOKENS 96
#define MAX_WORDS 20
#define MAX_UNKNOWN 2

enum { T_NUM, T_WORD, T_PUNCT };

typedef struct tok {
    uint8_t kind;
    uint8_t ndig;  /* T_NUM: number of digits (capped at 9) */
    uint8_t wlen;  /* T_WORD: length in bytes (capped at 255); w holds at most 11 */
    bool glued;    /* no space between this token and the previous one */
    bool ascii;    /* T_WORD: letters are ASCII only (else it can match no keyword) */
    char p;        /* T_PUNCT: the character, dashes folded to '-', bullets to '|' */
    int val;       /* T_NUM */
    char w[12];    /* T_WORD: lower-cased */
} tok;

typedef struct stamp {
    int y, m, d;       /* 0 when absent */
    bool partial;      /* a month and day without a year was seen */
    int hh, mi, ss;    /* -1 when absent */
    bool has_off, zulu;
    int off_min;
} stamp;

/* Decodes one UTF-8 sequence (the input is valid UTF-8, but be safe on any bytes). */
static size_t decode(const unsigned char *p, size_t left, uint32_t *cp)
{
    unsigned char c = p[0];
    size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (n > left || c < 0x80 || (c & 0xC0) == 0x80) {
        *cp = c;
        return 1;
    }
    uint32_t v = c & (0xFF >> (n + 1));
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *cp = c;
            return 1;
        }
        v = (v << 6) | (p[i] & 0x3F);
    }
    *cp = v;
    return n;
}

static bool is_uspace(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n' || cp == '\f' || cp == '\v' ||
           cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F || cp == 0x205F ||
           cp == 0x3000 || cp == 0xFEFF;
}

/* Punctuation outside ASCII that a date line may carry, folded to one ASCII stand-in. */
static char upunct(uint32_t cp)
{
    if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212)
        return '-';
    if (cp >= 0x2018 && cp <= 0x201F)
        return '\'';
    if (cp == 0x2022 || cp == 0x00B7 || cp == 0x2027 || cp == 0x25CF)
        return '|';
    if (cp == 0x2026)
        return '.';
    if (cp == 0xAB || cp == 0xBB)
        return '\'';
    return 0;
}

static bool is_alpha(unsigned char c)
{
    return (c | 32) >= 'a' && (c | 32) <= 'z';
}

/* Splits a line into tokens; returns the count, or -1 when there are too many. */
static int lex(tok *t, const char *s, size_t len, int *words)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    int n = 0;
    bool space = true;
    *words = 0;
    while (i < len) {
        uint32_t cp;
        size_t k = decode(p + i, len - i, &cp);
        if (is_uspace(cp)) {
            space = true;
            i += k;
            continue;
        }
        if (space && ++*words > MAX_WORDS)
            return -1; /* too many words for a date line: stop early */
        if (n == MAX_TOKENS)
            return -1;
        tok *x = &t[n++];
        memset(x, 0, sizeof *x);
        x->glued = !space && n > 1;
        space = false;
        if (cp >= '0' && cp <= '9') {
            x->kind = T_NUM;
            while (i < len && p[i] >= '0' && p[i] <= '9') {
                if (x->ndig < 9) {
                    x->val = x->val * 10 + (p[i] - '0');
                    x->ndig++;
                } else {
                    x->val = 999999999; /* too long to be part of a date */
                }
                i++;
            }
            continue;
        }
        char up = cp < 0x80 ? (is_alpha((unsigned char)cp) ? 0 : (char)cp) : upunct(cp);
        if (up) {
            x->kind = T_PUNCT;
            x->p = up;
            i += k;
            continue;
        }
        /* A word: ASCII letters, and any other non-space, non-punctuation character. */
        x->kind = T_WORD;
        x->ascii = true;
        size_t wl = 0;
        while (i < len) {
            k = decode(p + i, len - i, &cp);
            if (cp < 0x80) {
                if (!is_alpha((unsigned char)cp))
                    break;
                if (wl < sizeof x->w - 1)
                    x->w[wl] = (char)(cp | 32);
            } else {
                if (is_uspace(cp) || upunct(cp))
                    break;
                x->ascii = false;
            }
            wl++;
            i += k;
        }
        x->wlen = (uint8_t)(wl > 255 ? 255 : wl);
    }
    return n;
}

static bool word_is(const tok *t, const char *w)
{
    return t->kind == T_WORD && t->ascii && t->w[0] == w[0] && t->wlen == strlen(w) &&
           memcmp(t->w, w, t->wlen) == 0;
}

static bool word_in(const tok *t, const char *const *list)
{
    if (t->kind != T_WORD || !t->ascii || t->wlen >= sizeof t->w)
        return false;
    for (; *list; list++)
        if (word_is(t, *list))
            return true;
    return false;
}

static bool punct_is(const tok *t, char c)
{
    return t->kind == T_PUNCT && t->p == c;
}

/* 1..12 for a month name or abbreviation, else 0. */
static int month_of(const tok *t)
{
    static const char *const full[12] = {"january", "february", "march",     "april",
                                         "may",     "june",     "july",      "august",
                                         "september", "october", "november", "december"};
    if (t->kind != T_WORD || !t->ascii || t->wlen >= sizeof t->w)
        return 0;
    for (int m = 0; m < 12; m++) {
        if (word_is(t, full[m]))
            return m + 1;
        if (t->wlen == 3 && memcmp(t->w, full[m], 3) == 0)
            return m + 1;
    }
    if (word_is(t, "sept"))
        return 9;
    return 0;
}

static bool is_weekday(const tok *t)
{
    static const char *const days[] = {
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "mon",    "tue",     "tues",      "wed",      "thu",    "thur",     "thurs",
        "fri",    "sat",     "sun",       NULL};
    return word_in(t, days);
}

/* Labels that may stand beside a date without making it prose. `*opens` is set for the ones
 * that start another time stamp (an update after the publication). */
static bool is_label(const tok *t, bool *opens)
{
    static const char *const plain[] = {
        "published", "publish", "pub",     "posted",  "post",     "first",   "on",
        "at",        "by",      "date",    "dated",   "time",     "story",   "created",
        "released",  "issued",  "filed",   "of",      "the",      "hrs",     "hr",
        "h",         "local",   "original", "originally", "online", "from",  NULL};
    static const char *const update[] = {"updated", "update",   "upd",     "last",
                                         "modified", "edited",  "revised", "changed", NULL};
    *opens = false;
    if (word_in(t, plain))
        return true;
    if (word_in(t, update)) {
        *opens = true;
        return true;
    }
    return false;
}

/* Zone abbreviations. Only UTC and GMT name a fixed offset; the others (IST is India,
 * Ireland or Israel) are accepted as labels and dropped. */
static int zone_of(const tok *t)
{
    static const char *const zones[] = {
        "et",   "est",  "edt",  "ct",   "cst",  "cdt",  "mt",   "mst",  "mdt",  "pt",
        "pst",  "pdt",  "akst", "akdt", "hst",  "hast", "hadt", "ast",  "adt",  "nst",
        "ndt",  "bst",  "ist",  "cet",  "cest", "eet",  "eest", "wet",  "west", "msk",
        "jst",  "kst",  "hkt",  "sgt",  "pht",  "wib",  "aest", "aedt", "acst", "acdt",
        "awst", "nzst", "nzdt", "sast", "wat",  "eat",  "cat",  "brt",  "art",  "pkt",
        "ict",  "gst",  NULL};
    if (word_is(t, "utc") || word_is(t, "gmt") || word_is(t, "z"))
        return 2;
    return word_in(t, zones) ? 1 : 0;
}

/* "am", "pm", "a.m.", "p.m." at t[i]; sets *n to the tokens used and *pm. */
static bool ampm_at(const tok *t, int n, int i, int *used, bool *pm)
{
    if (i >= n || t[i].kind != T_WORD)
        return false;
    if (word_is(&t[i], "am") || word_is(&t[i], "pm")) {
        *pm = t[i].w[0] == 'p';
        *used = 1;
        if (i + 1 < n && punct_is(&t[i + 1], '.') && t[i + 1].glued)
            *used = 2;
        return true;
    }
    if ((word_is(&t[i], "a") || word_is(&t[i], "p")) && i + 2 < n && punct_is(&t[i + 1], '.') &&
        t[i + 1].glued && word_is(&t[i + 2], "m") && t[i + 2].glued) {
        *pm = t[i].w[0] == 'p';
        *used = 3;
        if (i + 3 < n && punct_is(&t[i + 3], '.') && t[i + 3].glued)
            *used = 4;
        return true;
    }
    return false;
}

static bool is_ordinal(const tok *t)
{
    static const char *const suf[] = {"st", "nd", "rd", "th", NULL};
    return t->glued && word_in(t, suf);
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool valid_date(int y, int m, int d)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1)
        return false;
    return d <= mdays[m - 1] + (m == 2 && leap(y));
}

/* A two-digit year in a numeric date: 70-99 are the 1900s, 00-69 the 2000s. */
static int full_year(const tok *t)
{
    if (t->ndig == 4)
        return t->val;
    if (t->ndig == 2)
        return t->val < 70 ? 2000 + t->val : 1900 + t->val;
    return -1;
}

static void set_date(stamp *s, int y, int m, int d)
{
    if (!s->y) {
        s->y = y;
        s->m = m;
        s->d = d;
    }
}

/* A signed offset after a time or a zone: "+02:00", "-0500", "+5" (after a zone only). */
static int offset_at(const tok *t, int n, int i, stamp *s, bool after_zone)
{
    if (i + 1 >= n || !(punct_is(&t[i], '+') || punct_is(&t[i], '-')) ||
        t[i + 1].kind != T_NUM || !t[i + 1].glued || !(t[i].glued || after_zone))
        return 0;
    int sign = t[i].p == '-' ? -1 : 1, h, m = 0, used = 2;
    const tok *a = &t[i + 1];
    if (a->ndig == 4) {
        h = a->val / 100;
        m = a->val % 100;
    } else if (a->ndig <= 2) {
        h = a->val;
        if (i + 3 < n && punct_is(&t[i + 2], ':') && t[i + 2].glued && t[i + 3].kind == T_NUM &&
            t[i + 3].glued && t[i + 3].ndig == 2) {
            m = t[i + 3].val;
            used = 4;
        } else if (!after_zone || a->ndig == 0) {
            return 0;
        }
    } else {
        return 0;
    }
    if (h > 14 || m > 59)
        return used; /* consumed, but not believable: no offset */
    s->has_off = true;
    s->zulu = false;
    s->off_min = sign * (h * 60 + m);
    return used;
}

/* A clock time at t[i] ("9:39", "10:24:00.123", "05.51AM", "9 a.m.", "1052 GMT") with its
 * am/pm, zone and offset. Returns the tokens used (0 when there is none) and fills s unless
 * a time is already set. */
static int time_at(const tok *t, int n, int i, stamp *s)
{
    int h, m = 0, sec = -1, j;
    const tok *a = &t[i];
    if (a->kind != T_NUM)
        return 0;
    int used;
    bool pm = false, has_ampm = false;
    if (a->ndig <= 2 && i + 2 < n && punct_is(&t[i + 1], ':') && t[i + 1].glued &&
        t[i + 2].kind == T_NUM && t[i + 2].glued && t[i + 2].ndig == 2) {
        h = a->val;
        m = t[i + 2].val;
        j = i + 3;
        if (j + 1 < n && punct_is(&t[j], ':') && t[j].glued && t[j + 1].kind == T_NUM &&
            t[j + 1].glued && t[j + 1].ndig == 2) {
            sec = t[j + 1].val;
            j += 2;
        }
        if (j + 1 < n && punct_is(&t[j], '.') && t[j].glued && t[j + 1].kind == T_NUM &&
            t[j + 1].glued)
            j += 2; /* fraction of a second */
    } else if (a->ndig <= 2 && i + 2 < n && punct_is(&t[i + 1], '.') && t[i + 1].glued &&
               t[i + 2].kind == T_NUM && t[i + 2].glued && t[i + 2].ndig == 2) {
        /* "22.34 BST", "05.51AM": a dot time needs a zone or am/pm to tell it from a number */
        int k;
        bool p2;
        j = i + 3;
        if (!(ampm_at(t, n, j, &k, &p2) || (j < n && zone_of(&t[j]))))
            return 0;
        h = a->val;
        m = t[i + 2].val;
    } else if (a->ndig == 4 && i + 1 < n && zone_of(&t[i + 1])) {
        h = a->val / 100; /* military "1052 GMT" */
        m = a->val % 100;
        j = i + 1;
    } else if (a->ndig <= 2) {
        int k;
        if (!ampm_at(t, n, i + 1, &k, &pm))
            return 0;
        h = a->val;
        j = i + 1;
    } else {
        return 0;
    }
    int k;
    if (ampm_at(t, n, j, &k, &pm)) {
        has_ampm = true;
        j += k;
    }
    if (h > 23 || m > 59 || sec > 59)
        return 0;
    if (has_ampm && h >= 1 && h <= 12)
        h = pm ? (h == 12 ? 12 : h + 12) : (h == 12 ? 0 : h);
    stamp tmp = *s;
    bool set = tmp.hh < 0;
    if (set) {
        tmp.hh = h;
        tmp.mi = m;
        tmp.ss = sec;
        tmp.has_off = tmp.zulu = false;
    }
    /* zone words and offsets after the time */
    for (;;) {
        int z = j < n ? zone_of(&t[j]) : 0;
        if (z) {
            if (z == 2 && set) {
                tmp.zulu = true;
                tmp.has_off = false;
            }
            j++;
            if ((used = offset_at(t, n, j, &tmp, true)) > 0)
                j += used;
            continue;
        }
        if (j < n && (used = offset_at(t, n, j, &tmp, false)) > 0) {
            j += used;
            continue;
        }
        if (j + 2 < n && punct_is(&t[j], '(') && zone_of(&t[j + 1])) {
            j += 1; /* "(GMT+05:00)": the zone is read on the next turn, ')' is punctuation */
            continue;
        }
        break;
    }
    if (set)
        *s = tmp;
    return j - i;
}

/* The year that ends a date whose month `m` and day `d` were read before t[j]: "[,] YYYY".
 * Sets the date and returns the index after the year. Without a year ("28 APR", "APR 28")
 * the stamp is marked partial and j is returned; 0 when the date cannot be. */
static int year_after(const tok *t, int n, int j, int m, int d, stamp *s)
{
    int k = j;
    if (k < n && punct_is(&t[k], ','))
        k++;
    if (k >= n || t[k].kind != T_NUM || t[k].ndig != 4) {
        if (d < 1 || d > 31)
            return 0;
        s->partial = true;
        return j;
    }
    if (!valid_date(t[k].val, m, d))
        return 0;
    set_date(s, t[k].val, m, d);
    return k + 1;
}

/* Day-first "30 November 2009", "6th of June 2025", "22 JUL 2013" at t[i]. */
static int dmy_at(const tok *t, int n, int i, stamp *s)
{
    int j = i + 1, d = t[i].val;
    if (t[i].ndig > 2)
        return 0;
    if (j < n && is_ordinal(&t[j]))
        j++;
    if (j < n && word_is(&t[j], "of"))
        j++;
    int m = j < n ? month_of(&t[j]) : 0;
    if (!m)
        return 0;
    j++;
    if (j < n && punct_is(&t[j], '.'))
        j++;
    int e = year_after(t, n, j, m, d, s);
    return e ? e - i : 0;
}

/* Month-first "June 6, 2025", "Nov. 30, 2009", "Sep 19 2012", "December 15th, 2008". Also
 * reads "June 2025" (no day) so that it is not counted as unknown, without setting a date. */
static int mdy_at(const tok *t, int n, int i, stamp *s)
{
    int m = month_of(&t[i]), j = i + 1;
    if (!m)
        return 0;
    if (j < n && punct_is(&t[j], '.') && t[j].glued)
        j++;
    if (j < n && t[j].kind == T_NUM && t[j].ndig == 4)
        return j + 1 - i; /* month and year only */
    if (j >= n || t[j].kind != T_NUM || t[j].ndig > 2)
        return 0;
    int d = t[j++].val;
    if (j < n && is_ordinal(&t[j]))
        j++;
    int e = year_after(t, n, j, m, d, s);
    return e ? e - i : 0;
}

/* Numeric "2025-06-06", "6.06.2025", "06/06/2025", "12/16/08", "2012.08.08". Dotted dates
 * are day-first (European); slashed and dashed ones are month-first (American) unless the
 * first number cannot be a month; a four-digit first number is a year. */
static int numeric_at(const tok *t, int n, int i, stamp *s, bool *iso)
{
    if (i + 4 >= n)
        return 0;
    const tok *a = &t[i], *b = &t[i + 2], *c = &t[i + 4];
    char sep = t[i + 1].kind == T_PUNCT ? t[i + 1].p : 0;
    if (!(sep == '-' || sep == '/' || sep == '.') || !t[i + 1].glued ||
        !punct_is(&t[i + 3], sep) || !t[i + 3].glued || b->kind != T_NUM || !b->glued ||
        c->kind != T_NUM || !c->glued || !t[i + 2].glued)
        return 0;
    int y, m, d;
    *iso = false;
    if (a->ndig == 4) {
        y = a->val;
        m = b->val;
        d = c->val;
        *iso = sep == '-';
        if (b->ndig > 2 || c->ndig > 2)
            return 0;
    } else {
        if (a->ndig > 2 || b->ndig > 2 || (y = full_year(c)) < 0)
            return 0;
        if (sep == '.' || a->val > 12) {
            d = a->val;
            m = b->val;
        } else {
            m = a->val;
            d = b->val;
        }
    }
    if (!valid_date(y, m, d))
        return 0;
    set_date(s, y, m, d);
    return 5;
}

nd_dateline nd_date_scan(const char *s, size_t len, char iso[ND_DATE_ISO_MAX])
{
    if (iso)
        iso[0] = '\0';
    if (!s || len == 0 || len > MAX_LINE)
        return ND_DATELINE_NONE;
    /* cheap reject: most lines of an article hold no digit at all */
    bool digit = false;
    for (size_t i = 0; i < len && !digit; i++)
        digit = s[i] >= '0' && s[i] <= '9';
    if (!digit)
        return ND_DATELINE_NONE;
    tok t[MAX_TOKENS];
    int words, n = lex(t, s, len, &words);
    if (n <= 0)
        return ND_DATELINE_NONE;

    stamp st = {.hh = -1, .mi = -1, .ss = -1};
    bool closed = false; /* a second time stamp ("Updated ...") has begun */
    int unknown = 0;
    stamp dummy;
    for (int i = 0; i < n;) {
        stamp *cur = closed ? &dummy : &st;
        if (closed)
            dummy = (stamp){.y = 1, .hh = 0}; /* read patterns but set nothing */
        const tok *x = &t[i];
        int used;
        bool iso_form, opens;
        if (x->kind == T_PUNCT) {
            i++;
            continue;
        }
        if (x->kind == T_NUM) {
            if ((used = numeric_at(t, n, i, cur, &iso_form)) > 0) {
                i += used;
                if (iso_form && i + 1 < n && word_is(&t[i], "t") && t[i].glued &&
                    t[i + 1].kind == T_NUM && t[i + 1].glued) {
                    int k = time_at(t, n, i + 1, cur);
                    if (k > 0)
                        i += 1 + k;
                }
                continue;
            }
            if ((used = time_at(t, n, i, cur)) > 0 ||
                (used = dmy_at(t, n, i, cur)) > 0) {
                i += used;
                continue;
            }
            if (x->ndig == 4 && x->val >= 1900 && x->val <= 2100) {
                i++; /* a lone year: not a date, but not prose either */
                continue;
            }
            unknown++;
            i++;
            continue;
        }
        /* a word */
        if ((used = mdy_at(t, n, i, cur)) > 0) {
            i += used;
            continue;
        }
        int k;
        bool pm;
        if (is_weekday(x) || zone_of(x) || ampm_at(t, n, i, &k, &pm)) {
            i++;
            continue;
        }
        if (is_label(x, &opens)) {
            if (opens && !closed && (st.y || st.hh >= 0))
                closed = true;
            i++;
            continue;
        }
        unknown++;
        i++;
    }
    if (unknown > MAX_UNKNOWN)
        return ND_DATELINE_NONE;
    if (!st.y)
        return ((st.hh >= 0 || st.partial) && unknown == 0 && words <= 8) ? ND_DATELINE_STAMP
                                                                          : ND_DATELINE_NONE;
    if (iso) {
        int p = snprintf(iso, ND_DATE_ISO_MAX, "%04d-%02d-%02d", st.y, st.m, st.d);
        if (st.hh >= 0) {
            p += snprintf(iso + p, (size_t)(ND_DATE_ISO_MAX - p), "T%02d:%02d", st.hh, st.mi);
            if (st.ss >= 0)
                p += snprintf(iso + p, (size_t)(ND_DATE_ISO_MAX - p), ":%02d", st.ss);
            if (st.zulu) {
                snprintf(iso + p, (size_t)(ND_DATE_ISO_MAX - p), "Z");
            } else if (st.has_off) {
                int o = st.off_min < 0 ? -st.off_min : st.off_min;
                snprintf(iso + p, (size_t)(ND_DATE_ISO_MAX - p), "%c%02d:%02d",
                         st.off_min < 0 ? '-' : '+', o / 60, o % 60);
            }
        }
    }
    return ND_DATELINE_DATE;
}

nd_status nd_date_parse(char *out, size_t outlen, const char *s, size_t len)
{
    char iso[ND_DATE_ISO_MAX];
    if (!out || outlen == 0)
        return ND_ERR_ARG;
    out[0] = '\0';
    if (!s)
        return ND_ERR_ARG;
    if (nd_date_scan(s, len, iso) != ND_DATELINE_DATE)
        return ND_ERR_INPUT;
    size_t n = strlen(iso);
    if (n >= outlen)
        return ND_ERR_ARG;
    memcpy(out, iso, n + 1);
    return ND_OK;
}
