/*
 * Internals of the readers (src/ingest): the date-line scanner and the layout classifier that
 * nd_article_parse_text() and nd_article_parse_json() share. Nothing here is public.
 *
 * Layering: ingest uses util and text only.
 */
#ifndef ND_INGEST_INGEST_H
#define ND_INGEST_INGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "newsdesk.h"

/* ---- Date lines (date.c) ---------------------------------------------------------------- */

/* What a line holds as far as dates go. */
typedef enum nd_dateline {
    ND_DATELINE_NONE = 0, /* not a date line */
    ND_DATELINE_STAMP,    /* a time stamp without a full date ("8:24am:", "APR 28") */
    ND_DATELINE_DATE,     /* a full date, maybe with a time (nd_date_parse succeeds) */
} nd_dateline;

/* Size of the ISO 8601 output of the date functions, NUL included. */
#define ND_DATE_ISO_MAX 26

/* Scans s[0..len) (one line) and tells whether it is a date line. For ND_DATELINE_DATE the
 * ISO form is written to `iso` (ND_DATE_ISO_MAX bytes) when it is not NULL. Cheap on lines
 * that cannot be dates (no digit, too long), so the layout calls it on every line. */
nd_dateline nd_date_scan(const char *s, size_t len, char iso[ND_DATE_ISO_MAX]);

/* ---- Layout (layout.c) ------------------------------------------------------------------ */

/* How much of the layout to look for. */
typedef enum nd_layout_mode {
    ND_LAYOUT_TEXT, /* a whole text file: header (url, date, headline, dek, ...) then body */
    ND_LAYOUT_BODY, /* an article's running text only (JSON maintext): no header detection */
} nd_layout_mode;

/* What the layout found. The field offsets index the text given to nd_layout_run(); a field
 * is absent when its `*_end` is 0 (a field never ends at offset 0 of a non-empty text: every
 * block has at least one byte). */
typedef struct nd_layout {
    nd_span *blocks; /* every block in input order: kind and raw offsets */
    size_t nblocks;
    size_t nbody;    /* blocks that are part of the body (paragraphs and crossheads) */
    size_t headline_start, headline_end; /* without surrounding quotes */
    size_t dek_start, dek_end;
    size_t byline_start, byline_end;
    size_t date_start, date_end;         /* the first date line (date_raw) */
    size_t url_start, url_end;
    char date_iso[ND_DATE_ISO_MAX];      /* "" when no date line parsed */
    /* private: one allocation for all the work arrays */
    void *mem;
    size_t mem_cap;
} nd_layout;

/* Splits text[start..len) into blocks and classifies each. The text must be valid UTF-8
 * without NUL bytes. Reuses `lo`'s memory (zero-initialise before the first call). */
nd_status nd_layout_run(nd_layout *lo, const char *text, size_t start, size_t len,
                        nd_layout_mode mode);

void nd_layout_free(nd_layout *lo);

/* ---- Shared helpers (parse.c) ----------------------------------------------------------- */

/* The host of a URL without a port, user info or a leading "www.", lower-cased, into `out`
 * (NUL-terminated). Returns false when `url` has no recognisable host. */
bool nd_url_host(char *out, size_t outlen, const char *url, size_t len);

#endif
