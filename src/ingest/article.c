#include "article.h"

#include <string.h>

#include "text/text.h"
#include "util/alloc.h"

const char *nd_status_str(nd_status st)
{
    switch (st) {
    case ND_OK: return "ok";
    case ND_DONE: return "done";
    case ND_SKIPPED: return "skipped";
    case ND_UNCHANGED: return "unchanged";
    case ND_ERR_NOMEM: return "out of memory";
    case ND_ERR_IO: return "input/output error";
    case ND_ERR_INPUT: return "bad input";
    case ND_ERR_TOO_BIG: return "too big";
    case ND_ERR_NOT_FOUND: return "not found";
    case ND_ERR_CONFLICT: return "conflict";
    case ND_ERR_BUSY: return "store is busy";
    case ND_ERR_NOT_STORE: return "not a newsdesk store";
    case ND_ERR_SCHEMA: return "store schema is newer than this program";
    case ND_ERR_FULL: return "disk or store full";
    case ND_ERR_STORE: return "store error";
    case ND_ERR_ARG: return "invalid argument";
    }
    return "unknown status";
}

static const char *const kind_names[ND_BLOCK_KIND_COUNT_] = {
    [ND_BLOCK_URL] = "url",
    [ND_BLOCK_DATE] = "date",
    [ND_BLOCK_HEADLINE] = "headline",
    [ND_BLOCK_DEK] = "dek",
    [ND_BLOCK_SEPARATOR] = "separator",
    [ND_BLOCK_CAPTION] = "caption",
    [ND_BLOCK_CREDIT] = "credit",
    [ND_BLOCK_BYLINE] = "byline",
    [ND_BLOCK_CROSSHEAD] = "crosshead",
    [ND_BLOCK_PARAGRAPH] = "paragraph",
    [ND_BLOCK_BOILERPLATE] = "boilerplate",
};

const char *nd_block_kind_str(nd_block_kind k)
{
    if ((unsigned)k >= ND_BLOCK_KIND_COUNT_)
        return "unknown";
    return kind_names[k];
}

const char *nd_article_get(const nd_article *a, nd_field f)
{
    if (!a || (unsigned)f >= ND_FIELD_COUNT_)
        return NULL;
    return a->field[f];
}

const char *nd_article_body(const nd_article *a, size_t *len)
{
    if (len)
        *len = a->body_len;
    return a->body;
}

const char *nd_article_raw(const nd_article *a, size_t *len)
{
    if (len)
        *len = a->raw_len;
    return a->raw;
}

const char *nd_article_hash(const nd_article *a)
{
    return a->hash;
}

size_t nd_article_count(const nd_article *a, nd_part part)
{
    switch (part) {
    case ND_PART_BLOCK: return a->nblocks;
    case ND_PART_PARAGRAPH: return a->nparas;
    case ND_PART_SENTENCE: return a->nsents;
    }
    return 0;
}

nd_status nd_article_span(nd_span *out, const nd_article *a, nd_part part, size_t i)
{
    const nd_span *v = NULL;
    size_t n = 0;
    switch (part) {
    case ND_PART_BLOCK: v = a->blocks; n = a->nblocks; break;
    case ND_PART_PARAGRAPH: v = a->paras; n = a->nparas; break;
    case ND_PART_SENTENCE: v = a->sents; n = a->nsents; break;
    }
    if (!v || i >= n)
        return ND_ERR_ARG;
    *out = v[i];
    return ND_OK;
}

void nd_article_free(nd_article *a)
{
    if (a)
        nd_arena_free(a->arena);
}

/* Maps a body offset inside paragraph p to raw. */
static size_t body_to_raw(const nd_span *p, size_t off)
{
    return p->raw_start + (off - p->start);
}

nd_status nd_article_assemble(nd_article **out, const nd_article_init *in)
{
    *out = NULL;
    if (!in->raw && in->raw_len)
        return ND_ERR_ARG;
    for (size_t i = 0; i < in->nblocks; i++) {
        const nd_span *b = &in->blocks[i];
        if (b->raw_start > b->raw_end || b->raw_end > in->raw_len ||
            (unsigned)b->kind >= ND_BLOCK_KIND_COUNT_)
            return ND_ERR_ARG;
    }

    nd_arena *ar = nd_arena_new(in->raw_len * 2 + 1024);
    if (!ar)
        return ND_ERR_NOMEM;
    nd_article *a = nd_arena_calloc(ar, sizeof *a);
    nd_ranges rs = {0};
    nd_status st = ND_ERR_NOMEM;
    if (!a)
        goto fail;
    a->arena = ar;

    for (int f = 0; f < ND_FIELD_COUNT_; f++) {
        const char *v = in->field[f];
        if (v && *v && !(a->field[f] = nd_arena_strdup(ar, v)))
            goto fail;
    }
    char *raw = nd_arena_strndup(ar, in->raw ? in->raw : "", in->raw_len);
    if (!raw)
        goto fail;
    a->raw = raw;
    a->raw_len = in->raw_len;

    a->nblocks = in->nblocks;
    a->blocks = nd_arena_alloc(ar, (in->nblocks ? in->nblocks : 1) * sizeof *a->blocks);
    if (!a->blocks)
        goto fail;

    /* Body: body blocks verbatim, separated by one blank line. */
    size_t body_len = 0, nparas = 0;
    for (size_t i = 0; i < in->nblocks; i++) {
        if (nd_block_in_body(in->blocks[i].kind)) {
            body_len += (nparas ? 2 : 0) + (in->blocks[i].raw_end - in->blocks[i].raw_start);
            nparas++;
        }
    }
    char *body = nd_arena_alloc(ar, body_len + 1);
    a->paras = nd_arena_alloc(ar, (nparas ? nparas : 1) * sizeof *a->paras);
    if (!body || !a->paras)
        goto fail;
    size_t pos = 0;
    for (size_t i = 0; i < in->nblocks; i++) {
        nd_span b = in->blocks[i];
        b.start = b.end = ND_NOPOS;
        if (nd_block_in_body(b.kind)) {
            if (a->nparas) {
                body[pos++] = '\n';
                body[pos++] = '\n';
            }
            size_t n = b.raw_end - b.raw_start;
            memcpy(body + pos, raw + b.raw_start, n);
            b.start = pos;
            b.end = pos + n;
            pos += n;
            a->paras[a->nparas++] = b;
        }
        a->blocks[i] = b;
    }
    body[pos] = '\0';
    a->body = body;
    a->body_len = pos;

    if (in->sents) {
        a->sents = nd_arena_alloc(ar, (in->nsents ? in->nsents : 1) * sizeof *a->sents);
        if (!a->sents)
            goto fail;
        size_t p = 0;
        for (size_t i = 0; i < in->nsents; i++) {
            nd_span s = in->sents[i];
            while (p < a->nparas && s.start >= a->paras[p].end)
                p++;
            if (p == a->nparas || s.start < a->paras[p].start || s.end > a->paras[p].end ||
                s.start > s.end) {
                st = ND_ERR_ARG;
                goto fail;
            }
            s.raw_start = body_to_raw(&a->paras[p], s.start);
            s.raw_end = body_to_raw(&a->paras[p], s.end);
            s.kind = ND_BLOCK_PARAGRAPH;
            a->sents[a->nsents++] = s;
        }
    } else {
        for (size_t p = 0; p < a->nparas; p++) {
            const nd_span *para = &a->paras[p];
            size_t n0 = rs.n;
            if (para->kind == ND_BLOCK_CROSSHEAD) {
                st = nd_ranges_push(&rs, (uint32_t)para->start, (uint32_t)para->end);
            } else {
                st = nd_sentences_split(&rs, body + para->start, para->end - para->start);
                for (size_t k = n0; k < rs.n; k++) {
                    rs.v[k].start += (uint32_t)para->start;
                    rs.v[k].end += (uint32_t)para->start;
                }
            }
            if (st != ND_OK)
                goto fail;
        }
        a->sents = nd_arena_alloc(ar, (rs.n ? rs.n : 1) * sizeof *a->sents);
        if (!a->sents) {
            st = ND_ERR_NOMEM;
            goto fail;
        }
        size_t p = 0;
        for (size_t i = 0; i < rs.n; i++) {
            nd_span s = {.start = rs.v[i].start, .end = rs.v[i].end, .kind = ND_BLOCK_PARAGRAPH};
            while (p + 1 < a->nparas && s.start >= a->paras[p].end)
                p++;
            s.raw_start = body_to_raw(&a->paras[p], s.start);
            s.raw_end = body_to_raw(&a->paras[p], s.end);
            a->sents[a->nsents++] = s;
        }
    }

    if (in->hash) {
        memcpy(a->hash, in->hash, 32);
        a->hash[32] = '\0';
    } else if ((st = nd_content_hash(a->hash, body, pos)) != ND_OK) {
        goto fail;
    }
    nd_ranges_free(&rs);
    *out = a;
    return ND_OK;

fail:
    nd_ranges_free(&rs);
    nd_arena_free(ar);
    return st;
}
