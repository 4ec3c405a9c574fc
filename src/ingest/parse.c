/*
 * nd_article_parse_text() and nd_article_parse_json(): from one input article in memory to
 * an nd_article. Both check the input (size cap, NUL bytes, UTF-8), run the layout over the
 * article's text, pick the scalar fields and hand everything to nd_article_assemble().
 *
 * Decisions worth knowing (see docs/ingest.md):
 *  - A UTF-8 byte order mark stays in raw (offsets index the input exactly as given); the
 *    first block starts after it.
 *  - A text whose blocks are all header, captions or boilerplate has no body: ND_ERR_INPUT.
 *  - opts->date must be a date nd_date_parse() reads, else ND_ERR_ARG: an override that
 *    silently stored nothing would be worse than a clear error.
 *  - A JSON date_publish that cannot be read keeps date_raw and leaves date unset.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "ingest/article.h"
#include "ingest/ingest.h"
#include "text/text.h"
#include "util/alloc.h"
#include "util/errf.h"

#define MAX_JSON_DEPTH 64

static size_t cap_of(const nd_read_opts *opts)
{
    return opts && opts->max_article_bytes ? opts->max_article_bytes
                                           : ND_DEFAULT_MAX_ARTICLE_BYTES;
}

bool nd_url_host(char *out, size_t outlen, const char *url, size_t len)
{
    if (!outlen)
        return false;
    out[0] = '\0';
    size_t i = 0;
    /* skip a scheme ("http://") */
    for (size_t k = 0; k + 2 < len && k < 16; k++) {
        if (url[k] == ':' && url[k + 1] == '/' && url[k + 2] == '/') {
            i = k + 3;
            break;
        }
        if (!((url[k] | 32) >= 'a' && (url[k] | 32) <= 'z'))
            break;
    }
    size_t b = i;
    while (i < len && url[i] != '/' && url[i] != '?' && url[i] != '#')
        i++;
    size_t e = i;
    for (size_t k = b; k < e; k++)
        if (url[k] == '@')
            b = k + 1;
    for (size_t k = b; k < e; k++)
        if (url[k] == ':') {
            e = k;
            break;
        }
    if (e - b > 4 && (url[b] | 32) == 'w' && (url[b + 1] | 32) == 'w' &&
        (url[b + 2] | 32) == 'w' && url[b + 3] == '.')
        b += 4;
    if (e <= b || e - b >= outlen)
        return false;
    for (size_t k = b; k < e; k++) {
        char c = url[k];
        if (!((c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z') || c == '.' ||
              c == '-' || c == '_'))
            return false;
        out[k - b] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    out[e - b] = '\0';
    return true;
}

/* A bump buffer for the NUL-terminated field values handed to nd_article_assemble(). */
typedef struct strpool {
    char *p;
    size_t len, cap;
} strpool;

static const char *pool_add(strpool *sp, const char *s, size_t n)
{
    if (!s || sp->len + n + 1 > sp->cap)
        return NULL;
    char *d = sp->p + sp->len;
    memcpy(d, s, n);
    d[n] = '\0';
    sp->len += n + 1;
    return d;
}

/* Trims ASCII white space off both ends of s[0..*n). */
static const char *trim(const char *s, size_t *n)
{
    size_t b = 0, e = *n;
    while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\n' || s[b] == '\r'))
        b++;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\n' || s[e - 1] == '\r'))
        e--;
    *n = e - b;
    return s + b;
}

/* Applies the reader's overrides. Fails only on an unreadable date override. */
static nd_status apply_overrides(const char **field, char iso[ND_DATE_ISO_MAX], strpool *sp,
                                 const nd_read_opts *opts, char *errbuf, size_t errlen)
{
    if (opts && opts->date) {
        if (nd_date_parse(iso, ND_DATE_ISO_MAX, opts->date, strlen(opts->date)) != ND_OK) {
            nd_errf(errbuf, errlen, "date override \"%.80s\" is not a date", opts->date);
            return ND_ERR_ARG;
        }
        field[ND_FIELD_DATE] = iso;
        field[ND_FIELD_DATE_RAW] = opts->date;
    }
    if (opts && opts->url)
        field[ND_FIELD_URL] = opts->url;
    if (opts && opts->outlet) {
        field[ND_FIELD_OUTLET] = opts->outlet;
    } else if (!field[ND_FIELD_OUTLET] && field[ND_FIELD_URL]) {
        char host[256];
        const char *u = field[ND_FIELD_URL];
        if (nd_url_host(host, sizeof host, u, strlen(u)))
            field[ND_FIELD_OUTLET] = pool_add(sp, host, strlen(host));
    }
    return ND_OK;
}

/* The checks every text gets: cap, NUL bytes, UTF-8. */
static nd_status check_text(const char *buf, size_t len, size_t cap, const char *what,
                            char *errbuf, size_t errlen)
{
    if (len > cap) {
        nd_errf(errbuf, errlen, "%s is %zu bytes, over the cap of %zu bytes", what, len, cap);
        return ND_ERR_TOO_BIG;
    }
    const char *nul = memchr(buf, '\0', len);
    if (nul) {
        nd_errf(errbuf, errlen, "binary data: NUL byte at offset %zu", (size_t)(nul - buf));
        return ND_ERR_INPUT;
    }
    size_t bad = 0;
    if (!nd_utf8_check(buf, len, &bad)) {
        nd_errf(errbuf, errlen, "invalid UTF-8 at byte offset %zu", bad);
        return ND_ERR_INPUT;
    }
    return ND_OK;
}

static nd_status assemble(nd_article **out, const char **field, const char *raw, size_t raw_len,
                          const nd_layout *lo, char *errbuf, size_t errlen)
{
    nd_article_init in = {.raw = raw, .raw_len = raw_len, .blocks = lo->blocks,
                          .nblocks = lo->nblocks};
    memcpy(in.field, field, sizeof in.field);
    nd_status st = nd_article_assemble(out, &in);
    if (st == ND_ERR_NOMEM)
        nd_errf(errbuf, errlen, "out of memory");
    else if (st != ND_OK)
        nd_errf(errbuf, errlen, "cannot assemble the article: %s", nd_status_str(st));
    return st;
}

static nd_status layout_error(nd_status st, char *errbuf, size_t errlen)
{
    if (st == ND_ERR_NOMEM)
        nd_errf(errbuf, errlen, "out of memory");
    else if (st == ND_ERR_TOO_BIG)
        nd_errf(errbuf, errlen, "text too large");
    else
        nd_errf(errbuf, errlen, "not an article: too many lines");
    return st;
}

/* The common start of both parsers: clears the outputs and checks the arguments. */
static nd_status parse_begin(nd_article **out, const char **buf, size_t len, char *errbuf,
                             size_t errlen)
{
    if (errbuf && errlen)
        errbuf[0] = '\0';
    if (!out)
        return ND_ERR_ARG;
    *out = NULL;
    if (!*buf && len)
        return ND_ERR_ARG;
    if (!*buf)
        *buf = "";
    return ND_OK;
}

nd_status nd_article_parse_text(nd_article **out, const char *buf, size_t len, const char *id,
                                const char *source, const nd_read_opts *opts, char *errbuf,
                                size_t errlen)
{
    nd_status st = parse_begin(out, &buf, len, errbuf, errlen);
    if (st != ND_OK)
        return st;
    st = check_text(buf, len, cap_of(opts), "article", errbuf, errlen);
    if (st != ND_OK)
        return st;
    size_t start = (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;

    nd_layout lo = {0};
    strpool sp = {0};
    if ((st = nd_layout_run(&lo, buf, start, len, ND_LAYOUT_TEXT)) != ND_OK) {
        layout_error(st, errbuf, errlen);
        goto done;
    }
    if (lo.nblocks == 0) {
        nd_errf(errbuf, errlen, "empty");
        st = ND_ERR_INPUT;
        goto done;
    }
    if (lo.nbody == 0) {
        nd_errf(errbuf, errlen, "no body text (only header, caption or boilerplate lines)");
        st = ND_ERR_INPUT;
        goto done;
    }

    /* Field values are pieces of the input: copy them NUL-terminated into one pool. */
    sp.cap = (lo.headline_end - lo.headline_start) + (lo.dek_end - lo.dek_start) +
             (lo.byline_end - lo.byline_start) + (lo.date_end - lo.date_start) +
             (lo.url_end - lo.url_start) + 256 + 8;
    if (!(sp.p = nd_malloc(sp.cap))) {
        nd_errf(errbuf, errlen, "out of memory");
        st = ND_ERR_NOMEM;
        goto done;
    }
    const char *field[ND_FIELD_COUNT_] = {0};
    char iso[ND_DATE_ISO_MAX];
    field[ND_FIELD_ID] = id;
    field[ND_FIELD_SOURCE] = source;
    if (lo.headline_end)
        field[ND_FIELD_HEADLINE] =
            pool_add(&sp, buf + lo.headline_start, lo.headline_end - lo.headline_start);
    if (lo.dek_end)
        field[ND_FIELD_DEK] = pool_add(&sp, buf + lo.dek_start, lo.dek_end - lo.dek_start);
    if (lo.byline_end)
        field[ND_FIELD_BYLINE] =
            pool_add(&sp, buf + lo.byline_start, lo.byline_end - lo.byline_start);
    if (lo.date_end) {
        field[ND_FIELD_DATE_RAW] =
            pool_add(&sp, buf + lo.date_start, lo.date_end - lo.date_start);
        field[ND_FIELD_DATE] = lo.date_iso;
    }
    if (lo.url_end)
        field[ND_FIELD_URL] = pool_add(&sp, buf + lo.url_start, lo.url_end - lo.url_start);
    if ((st = apply_overrides(field, iso, &sp, opts, errbuf, errlen)) != ND_OK)
        goto done;
    st = assemble(out, field, buf, len, &lo, errbuf, errlen);

done:
    nd_free(sp.p);
    nd_layout_free(&lo);
    return st;
}

/* ---- JSON ------------------------------------------------------------------------------- */

/* Nesting depth of a JSON text, by a scan that skips strings; stops early past `limit`. */
static int json_depth(const char *s, size_t len, int limit)
{
    int depth = 0, max = 0;
    bool str = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                str = false;
            continue;
        }
        if (c == '"') {
            str = true;
        } else if (c == '{' || c == '[') {
            depth++;
            if (depth > max)
                max = depth;
            if (max > limit)
                return max;
        } else if ((c == '}' || c == ']') && depth > 0) {
            depth--;
        }
    }
    return max;
}

/* A string member or NULL; ND_ERR_INPUT when present with another type than string/null. */
static nd_status get_str(const char **v, size_t *n, json_t *obj, const char *key, char *errbuf,
                         size_t errlen)
{
    json_t *x = json_object_get(obj, key);
    *v = NULL;
    *n = 0;
    if (!x || json_is_null(x))
        return ND_OK;
    if (!json_is_string(x)) {
        nd_errf(errbuf, errlen, "field \"%s\" must be a string", key);
        return ND_ERR_INPUT;
    }
    *v = json_string_value(x);
    *n = json_string_length(x);
    return ND_OK;
}

nd_status nd_article_parse_json(nd_article **out, const char *buf, size_t len,
                                const char *fallback_id, const char *source,
                                const nd_read_opts *opts, char *errbuf, size_t errlen)
{
    nd_status st = parse_begin(out, &buf, len, errbuf, errlen);
    if (st != ND_OK)
        return st;
    size_t cap = cap_of(opts);
    if (len > cap) {
        nd_errf(errbuf, errlen, "JSON object is %zu bytes, over the cap of %zu bytes", len, cap);
        return ND_ERR_TOO_BIG;
    }
    if (json_depth(buf, len, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
        nd_errf(errbuf, errlen, "nesting deeper than %d", MAX_JSON_DEPTH);
        return ND_ERR_INPUT;
    }
    nd_alloc_init();

    json_error_t jerr;
    long failures = nd_alloc_failures();
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    nd_layout lo = {0};
    strpool sp = {0};
    st = ND_OK;
    if (!root) {
        /* Jansson reports some allocation failures as syntax errors or without a message:
         * the allocator's failure count tells them apart. */
        if (json_error_code(&jerr) == json_error_out_of_memory ||
            nd_alloc_failures() != failures) {
            nd_errf(errbuf, errlen, "out of memory");
            return ND_ERR_NOMEM;
        }
        nd_errf(errbuf, errlen, "invalid JSON at column %d (byte %d): %s", jerr.column,
                jerr.position, jerr.text);
        return ND_ERR_INPUT;
    }
    if (!json_is_object(root)) {
        nd_errf(errbuf, errlen, "not a JSON object");
        st = ND_ERR_INPUT;
        goto done;
    }

    const char *field[ND_FIELD_COUNT_] = {0};
    char idbuf[32], iso[ND_DATE_ISO_MAX], iso2[ND_DATE_ISO_MAX];
    const char *title, *desc, *text, *date, *domain, *url, *lang;
    size_t title_n, desc_n, text_n, date_n, domain_n, url_n, lang_n;

    json_t *idv = json_object_get(root, "id");
    if (idv && json_is_string(idv) && json_string_length(idv) > 0) {
        field[ND_FIELD_ID] = json_string_value(idv);
    } else if (idv && json_is_integer(idv)) {
        snprintf(idbuf, sizeof idbuf, "%" JSON_INTEGER_FORMAT, json_integer_value(idv));
        field[ND_FIELD_ID] = idbuf;
    } else if (idv && !json_is_null(idv) && !json_is_string(idv)) {
        nd_errf(errbuf, errlen, "field \"id\" must be a string or an integer");
        st = ND_ERR_INPUT;
        goto done;
    } else {
        field[ND_FIELD_ID] = fallback_id;
    }
    const char *text_key = "maintext";
    if ((st = get_str(&title, &title_n, root, "title", errbuf, errlen)) != ND_OK ||
        (st = get_str(&desc, &desc_n, root, "description", errbuf, errlen)) != ND_OK ||
        (st = get_str(&text, &text_n, root, "maintext", errbuf, errlen)) != ND_OK ||
        (st = get_str(&date, &date_n, root, "date_publish", errbuf, errlen)) != ND_OK ||
        (st = get_str(&domain, &domain_n, root, "source_domain", errbuf, errlen)) != ND_OK ||
        (st = get_str(&url, &url_n, root, "url", errbuf, errlen)) != ND_OK ||
        (st = get_str(&lang, &lang_n, root, "language", errbuf, errlen)) != ND_OK)
        goto done;
    if (!text) {
        text_key = "text";
        if ((st = get_str(&text, &text_n, root, "text", errbuf, errlen)) != ND_OK)
            goto done;
    }
    if (!text) {
        nd_errf(errbuf, errlen, "no \"maintext\" or \"text\" field");
        st = ND_ERR_INPUT;
        goto done;
    }
    size_t tn = text_n;
    trim(text, &tn);
    if (tn == 0) {
        nd_errf(errbuf, errlen, "field \"%s\" is empty", text_key);
        st = ND_ERR_INPUT;
        goto done;
    }
    /* Jansson decodes to valid UTF-8 and refuses \u0000; check anyway, it is cheap. */
    if ((st = check_text(text, text_n, cap, "text", errbuf, errlen)) != ND_OK)
        goto done;

    /* authors: an array of strings (or one string), joined with ", " */
    json_t *authors = json_object_get(root, "authors");
    size_t authors_n = 0;
    if (authors && json_is_array(authors)) {
        size_t i;
        json_t *a;
        json_array_foreach(authors, i, a) {
            if (!json_is_string(a)) {
                nd_errf(errbuf, errlen, "field \"authors\" must be an array of strings");
                st = ND_ERR_INPUT;
                goto done;
            }
            authors_n += json_string_length(a) + 2;
        }
    } else if (authors && json_is_string(authors)) {
        authors_n = json_string_length(authors);
    } else if (authors && !json_is_null(authors)) {
        nd_errf(errbuf, errlen, "field \"authors\" must be an array of strings");
        st = ND_ERR_INPUT;
        goto done;
    }

    if ((st = nd_layout_run(&lo, text, 0, text_n, ND_LAYOUT_BODY)) != ND_OK) {
        layout_error(st, errbuf, errlen);
        goto done;
    }
    if (lo.nbody == 0) {
        nd_errf(errbuf, errlen, "no body text in \"%s\" (only captions or boilerplate)",
                text_key);
        st = ND_ERR_INPUT;
        goto done;
    }

    sp.cap = title_n + desc_n + authors_n + (lo.byline_end - lo.byline_start) +
             (lo.date_end - lo.date_start) + 256 + 8;
    if (!(sp.p = nd_malloc(sp.cap))) {
        nd_errf(errbuf, errlen, "out of memory");
        st = ND_ERR_NOMEM;
        goto done;
    }
    field[ND_FIELD_SOURCE] = source;
    if (title) {
        const char *t = trim(title, &title_n);
        field[ND_FIELD_HEADLINE] = title_n ? pool_add(&sp, t, title_n) : NULL;
    }
    if (desc) {
        const char *t = trim(desc, &desc_n);
        field[ND_FIELD_DEK] = desc_n ? pool_add(&sp, t, desc_n) : NULL;
    }
    field[ND_FIELD_OUTLET] = domain;
    field[ND_FIELD_URL] = url;
    field[ND_FIELD_LANGUAGE] = lang;
    if (date) {
        field[ND_FIELD_DATE_RAW] = date;
        if (nd_date_parse(iso2, sizeof iso2, date, date_n) == ND_OK)
            field[ND_FIELD_DATE] = iso2;
    } else if (lo.date_end) {
        /* no metadata date: a date line in the text is the best there is */
        field[ND_FIELD_DATE_RAW] = pool_add(&sp, text + lo.date_start, lo.date_end - lo.date_start);
        field[ND_FIELD_DATE] = lo.date_iso;
    }
    if (authors && json_is_array(authors) && json_array_size(authors) > 0) {
        char *b = sp.p + sp.len;
        size_t i, n = 0;
        json_t *a;
        json_array_foreach(authors, i, a) {
            size_t an = json_string_length(a);
            const char *as = trim(json_string_value(a), &an);
            if (!an)
                continue;
            if (n) {
                memcpy(b + n, ", ", 2);
                n += 2;
            }
            memcpy(b + n, as, an);
            n += an;
        }
        b[n] = '\0';
        if (n) {
            field[ND_FIELD_BYLINE] = b;
            sp.len += n + 1;
        }
    } else if (authors && json_is_string(authors) && json_string_length(authors) > 0) {
        field[ND_FIELD_BYLINE] = json_string_value(authors);
    } else if (lo.byline_end) {
        field[ND_FIELD_BYLINE] =
            pool_add(&sp, text + lo.byline_start, lo.byline_end - lo.byline_start);
    }
    if ((st = apply_overrides(field, iso, &sp, opts, errbuf, errlen)) != ND_OK)
        goto done;
    st = assemble(out, field, text, text_n, &lo, errbuf, errlen);

done:
    nd_free(sp.p);
    nd_layout_free(&lo);
    json_decref(root);
    return st;
}
