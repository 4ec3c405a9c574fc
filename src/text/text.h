/*
 * The text layer: UTF-8 checks, normalisation with a map back to original offsets, sentence
 * splitting, tokens, stems and stopwords. Everything here works on byte ranges of a caller's
 * buffer and never keeps pointers into it.
 *
 * Layering: text depends only on util (and utf8proc, libstemmer, xxHash).
 */
#ifndef ND_TEXT_H
#define ND_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "newsdesk.h"
#include "util/buf.h"

/* ---- UTF-8 ------------------------------------------------------------------------------ */

/* True when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
 * Otherwise false and, when bad_offset is not NULL, the offset of the first bad byte. */
bool nd_utf8_check(const char *s, size_t len, size_t *bad_offset);

/* ---- Ranges ----------------------------------------------------------------------------- */

typedef struct nd_range {
    uint32_t start, end; /* byte offsets, end exclusive */
} nd_range;

/* A growable list of ranges. Zero-initialise, free with nd_ranges_free(). */
typedef struct nd_ranges {
    nd_range *v;
    size_t n, cap;
} nd_ranges;

nd_status nd_ranges_push(nd_ranges *r, uint32_t start, uint32_t end);
void nd_ranges_free(nd_ranges *r);

/* ---- Sentences -------------------------------------------------------------------------- */

/* Splits s[0..len) (one paragraph, or any block of text) into sentences and appends their
 * ranges, relative to s, to `out`. Each range is trimmed of surrounding white space; text
 * with no non-space character yields no range. Knows abbreviations (Mr., Gen., U.S., Jan.),
 * initials, decimals, quotes and brackets after the full stop, ellipses; a line break that
 * ends a line without closing punctuation (a headline) ends a sentence only when the next
 * line starts a new one. Input must be valid UTF-8 and shorter than 4 GiB. */
nd_status nd_sentences_split(nd_ranges *out, const char *s, size_t len);

/* ---- Normalisation ---------------------------------------------------------------------- */

enum {
    ND_NORM_NFKC = 1,       /* compatibility composition: ligatures, full-width, ... */
    ND_NORM_CASEFOLD = 2,   /* Unicode case folding */
    ND_NORM_UNIFY = 4,      /* curly quotes -> ' and ", dashes -> -, every space -> ' ' */
    ND_NORM_COLLAPSE = 8,   /* runs of white space -> one ' ', none at the ends */
    ND_NORM_ALL = 15,
};

/* Normalised text with, for every output byte, the offset of the original byte it came from
 * (map[len] is the original length), so a range found in the normalised text can be mapped
 * back exactly to the input. Zero-initialise; reuse across calls to avoid allocations. */
typedef struct nd_norm {
    nd_buf text;
    uint32_t *map;
    size_t map_cap;
    /* Original offset just past the last input that reached the output: map[len] unless
     * ND_NORM_COLLAPSE dropped trailing white space. */
    uint32_t content_end;
} nd_norm;

/* Normalises s[0..len) (valid UTF-8) into n, replacing its previous contents. */
nd_status nd_normalize(nd_norm *n, const char *s, size_t len, unsigned flags);
void nd_norm_free(nd_norm *n);

/* ---- Tokens ----------------------------------------------------------------------------- */

typedef enum nd_token_kind { ND_TOK_WORD, ND_TOK_NUMBER, ND_TOK_PUNCT } nd_token_kind;

typedef struct nd_token {
    uint32_t start, end;   /* in the normalised text */
    uint32_t ostart, oend; /* in the original text */
    uint8_t kind;          /* nd_token_kind */
    uint8_t stop;          /* 1 when a stopword */
} nd_token;

typedef struct nd_tokens {
    nd_token *v;
    size_t n, cap;
} nd_tokens;

/* Tokenises a normalised text (see nd_normalize; offsets are mapped back through n->map).
 * Appends to `out`. Words keep inner apostrophes and hyphens ("don't", "jae-myung");
 * numbers keep inner separators ("6.1", "30,000"). */
nd_status nd_tokenize(nd_tokens *out, const nd_norm *n);
void nd_tokens_free(nd_tokens *t);

/* ---- Stems and stopwords ---------------------------------------------------------------- */

/* An English Snowball stemmer. One per thread (libstemmer is not thread-safe). */
typedef struct nd_stemmer nd_stemmer;
nd_status nd_stemmer_new(nd_stemmer **out);
void nd_stemmer_free(nd_stemmer *s);
/* The stem of a case-folded word; borrowed until the next call on `s`. NULL on OOM. */
const char *nd_stem(nd_stemmer *s, const char *w, size_t len, size_t *outlen);

/* True for an English stopword (case-folded input). */
bool nd_stopword(const char *w, size_t len);

/* ---- Content hash ----------------------------------------------------------------------- */

/* XXH3-128 of the text normalised with ND_NORM_ALL, as 32 lowercase hex digits and a NUL. */
nd_status nd_content_hash(char out[33], const char *s, size_t len);

#endif
