/*
 * Scoring found reuse against gold passages (docs/reuse-eval.md).
 *
 * Everything is keyed by the unordered pair of articles: which one is the origin is a separate
 * question (scored as origin_right), and a detector that cuts a reused stretch into other
 * passages than the gold does must not lose for it. So pairs are compared as pairs (reported
 * or not), and spans as sets of characters on each side of a pair: the union of the gold
 * ranges against the union of the found ranges, counting only the characters the weight
 * function counts (the non-space ones, when scoring a store), so that the spaces and newlines
 * between two passages weigh nothing either way.
 *
 * Labels come from the gold alone. A pair the gold does not mention is a judged pair that is
 * not reuse, like an explicit `none` row; `ignore` rows take pairs whose truth is unknown out
 * of every count.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "eval/eval_reuse.h"
#include "eval/eval.h"
#include "newsdesk.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/errf.h"

#define NKINDS ((int)ND_REUSE_KIND_COUNT_)
/* Limits on the gold data: a TSV larger than this is not a gold file, an id longer than
 * ID_MAX is not an id. */
#define GOLD_MAX_BYTES ((size_t)512 << 20)
#define ID_MAX 1024
/* A pair label that no gold row set: the pair was only found. */
#define LABEL_UNSET (-3)

/* ---- interning ids and pairs ------------------------------------------------------------ */

typedef struct ev_pair {
    uint32_t x, y;               /* article numbers, x < y */
    int label;                   /* LABEL_UNSET, ND_GOLD_NONE, ND_GOLD_IGNORE or 0 = gold */
    int32_t cas;                 /* case number, -1 when none */
    uint32_t gold_a;             /* the gold origin (article number) of a gold pair */
    int64_t gold_bytes[NKINDS];  /* bytes of gold passages by kind (both sides) */
    int64_t found_bytes[NKINDS]; /* bytes of found passages by kind (both sides) */
    int64_t found_xy, found_yx;  /* found passages with a = x, and with a = y */
} ev_pair;

/* One range on one side of a pair. */
typedef struct ev_span {
    uint32_t pair;
    uint8_t side; /* 0: on article x, 1: on article y */
    uint8_t gold;
    size_t s, e;
} ev_span;

struct nd_reuse_scorer {
    nd_arena *arena;
    /* ids: open addressing, slot = number + 1 */
    uint32_t *id_slots;
    size_t id_mask;
    const char **ids;
    uint64_t *id_hash;
    size_t nids, cap_ids;
    /* pairs: open addressing on the (x, y) key, slot = number + 1 */
    uint32_t *pair_slots;
    size_t pair_mask;
    ev_pair *pairs;
    size_t npairs, cap_pairs;
    ev_span *spans;
    size_t nspans, cap_spans;
    char cases[ND_REUSE_EVAL_CASES][32];
    size_t ncases;
    int64_t restatements;
};

nd_status nd_reuse_scorer_new(nd_reuse_scorer **out)
{
    nd_reuse_scorer *s = nd_calloc(1, sizeof *s);
    *out = NULL;
    if (!s)
        return ND_ERR_NOMEM;
    s->arena = nd_arena_new(1 << 16);
    s->id_slots = nd_calloc(1024, sizeof *s->id_slots);
    s->pair_slots = nd_calloc(1024, sizeof *s->pair_slots);
    if (!s->arena || !s->id_slots || !s->pair_slots) {
        nd_reuse_scorer_free(s);
        return ND_ERR_NOMEM;
    }
    s->id_mask = s->pair_mask = 1023;
    *out = s;
    return ND_OK;
}

void nd_reuse_scorer_free(nd_reuse_scorer *s)
{
    if (!s)
        return;
    nd_arena_free(s->arena);
    nd_free(s->id_slots);
    nd_free(s->ids);
    nd_free(s->id_hash);
    nd_free(s->pair_slots);
    nd_free(s->pairs);
    nd_free(s->spans);
    nd_free(s);
}

/* Doubles an open-addressing table of slots holding number + 1, rehashing with `hash_of`. */
static nd_status rehash(uint32_t **slots, size_t *mask, size_t n, const void *ctx,
                        uint64_t (*hash_of)(const void *ctx, uint32_t i))
{
    size_t cap = (*mask + 1) * 2;
    uint32_t *t = nd_calloc(cap, sizeof *t);
    if (!t)
        return ND_ERR_NOMEM;
    for (uint32_t i = 0; i < n; i++) {
        size_t k = (size_t)hash_of(ctx, i) & (cap - 1);
        while (t[k])
            k = (k + 1) & (cap - 1);
        t[k] = i + 1;
    }
    nd_free(*slots);
    *slots = t;
    *mask = cap - 1;
    return ND_OK;
}

static uint64_t id_hash_of(const void *ctx, uint32_t i)
{
    return ((const nd_reuse_scorer *)ctx)->id_hash[i];
}

static uint64_t pair_key(uint32_t x, uint32_t y)
{
    return XXH3_64bits(&(uint64_t){((uint64_t)x << 32) | y}, sizeof(uint64_t));
}

static uint64_t pair_hash_of(const void *ctx, uint32_t i)
{
    const ev_pair *p = &((const nd_reuse_scorer *)ctx)->pairs[i];
    return pair_key(p->x, p->y);
}

/* The number of an id, added when new. */
static nd_status intern_id(nd_reuse_scorer *s, const char *id, uint32_t *out)
{
    size_t len = strlen(id);
    uint64_t h = XXH3_64bits(id, len);
    size_t k = (size_t)h & s->id_mask;
    for (; s->id_slots[k]; k = (k + 1) & s->id_mask) {
        uint32_t i = s->id_slots[k] - 1;
        if (s->id_hash[i] == h && !strcmp(s->ids[i], id)) {
            *out = i;
            return ND_OK;
        }
    }
    if (s->nids >= UINT32_MAX - 1)
        return ND_ERR_TOO_BIG;
    if (s->nids == s->cap_ids) {
        size_t cap = s->cap_ids;
        const char **ids = nd_grow(s->ids, &cap, s->nids, sizeof *ids, 256);
        if (!ids)
            return ND_ERR_NOMEM;
        s->ids = ids;
        size_t cap2 = s->cap_ids;
        uint64_t *hs = nd_grow(s->id_hash, &cap2, s->nids, sizeof *hs, 256);
        if (!hs)
            return ND_ERR_NOMEM;
        s->id_hash = hs;
        s->cap_ids = cap;
    }
    char *copy = nd_arena_strndup(s->arena, id, len);
    if (!copy)
        return ND_ERR_NOMEM;
    uint32_t i = (uint32_t)s->nids;
    s->ids[i] = copy;
    s->id_hash[i] = h;
    s->nids++;
    s->id_slots[k] = i + 1;
    if (s->nids * 2 > s->id_mask) {
        nd_status st = rehash(&s->id_slots, &s->id_mask, s->nids, s, id_hash_of);
        if (st != ND_OK)
            return st;
    }
    *out = i;
    return ND_OK;
}

/* The pair of two article numbers (x != y), added when new. */
static nd_status intern_pair(nd_reuse_scorer *s, uint32_t a, uint32_t b, uint32_t *out)
{
    uint32_t x = a < b ? a : b, y = a < b ? b : a;
    size_t k = (size_t)pair_key(x, y) & s->pair_mask;
    for (; s->pair_slots[k]; k = (k + 1) & s->pair_mask) {
        uint32_t i = s->pair_slots[k] - 1;
        if (s->pairs[i].x == x && s->pairs[i].y == y) {
            *out = i;
            return ND_OK;
        }
    }
    if (s->npairs >= UINT32_MAX - 1)
        return ND_ERR_TOO_BIG;
    ev_pair *v = nd_grow(s->pairs, &s->cap_pairs, s->npairs, sizeof *v, 256);
    if (!v)
        return ND_ERR_NOMEM;
    s->pairs = v;
    uint32_t i = (uint32_t)s->npairs++;
    memset(&v[i], 0, sizeof v[i]);
    v[i].x = x;
    v[i].y = y;
    v[i].label = LABEL_UNSET;
    v[i].cas = -1;
    s->pair_slots[k] = i + 1;
    if (s->npairs * 2 > s->pair_mask) {
        nd_status st = rehash(&s->pair_slots, &s->pair_mask, s->npairs, s, pair_hash_of);
        if (st != ND_OK)
            return st;
    }
    *out = i;
    return ND_OK;
}

static nd_status push_span(nd_reuse_scorer *s, uint32_t pair, int side, int gold, size_t st,
                           size_t en)
{
    if (en <= st)
        return ND_OK;
    ev_span *v = nd_grow(s->spans, &s->cap_spans, s->nspans, sizeof *v, 1024);
    if (!v)
        return ND_ERR_NOMEM;
    s->spans = v;
    ev_span *sp = &v[s->nspans++];
    sp->pair = pair;
    sp->side = (uint8_t)side;
    sp->gold = (uint8_t)gold;
    sp->s = st;
    sp->e = en;
    return ND_OK;
}

/* Interns both ids and the pair; *a_is_x tells on which side the passage's a lies. */
static nd_status passage_pair(nd_reuse_scorer *s, const nd_passage *p, uint32_t *pair,
                              uint32_t *a_num, bool *a_is_x)
{
    uint32_t a, b;
    nd_status st;
    if ((st = intern_id(s, p->a_id, &a)) != ND_OK || (st = intern_id(s, p->b_id, &b)) != ND_OK)
        return st;
    if (a == b)
        return ND_ERR_ARG;
    *a_num = a;
    *a_is_x = a < b;
    return intern_pair(s, a, b, pair);
}

nd_status nd_reuse_scorer_gold(nd_reuse_scorer *s, const nd_passage *p, int label,
                               const char *case_name)
{
    if (!p->a_id || !p->b_id || !strcmp(p->a_id, p->b_id) || label < ND_GOLD_IGNORE ||
        label >= NKINDS)
        return ND_ERR_ARG;
    uint32_t pi, a;
    bool a_is_x;
    nd_status st = passage_pair(s, p, &pi, &a, &a_is_x);
    if (st != ND_OK)
        return st;
    ev_pair *pr = &s->pairs[pi];
    if (label < 0) {
        if (pr->label == LABEL_UNSET || (pr->label == ND_GOLD_NONE && label == ND_GOLD_IGNORE))
            pr->label = label;
        return ND_OK;
    }
    if (pr->label != 0) {
        pr->label = 0;
        pr->gold_a = a;
    }
    if (case_name && *case_name && pr->cas < 0) {
        size_t c = 0;
        while (c < s->ncases && strncmp(s->cases[c], case_name, sizeof s->cases[c] - 1))
            c++;
        if (c == s->ncases && c < ND_REUSE_EVAL_CASES) {
            snprintf(s->cases[c], sizeof s->cases[c], "%s", case_name);
            s->ncases++;
        }
        if (c < s->ncases)
            pr->cas = (int32_t)c;
    }
    size_t al = p->a_end > p->a_start ? p->a_end - p->a_start : 0;
    size_t bl = p->b_end > p->b_start ? p->b_end - p->b_start : 0;
    pr->gold_bytes[label] += (int64_t)(al + bl);
    if ((st = push_span(s, pi, a_is_x ? 0 : 1, 1, p->a_start, p->a_end)) != ND_OK)
        return st;
    return push_span(s, pi, a_is_x ? 1 : 0, 1, p->b_start, p->b_end);
}

nd_status nd_reuse_scorer_found(nd_reuse_scorer *s, const nd_passage *p)
{
    if (!p->a_id || !p->b_id || (int)p->kind < 0 || (int)p->kind >= NKINDS)
        return ND_ERR_ARG;
    if (!strcmp(p->a_id, p->b_id)) {
        s->restatements++;
        return ND_OK;
    }
    uint32_t pi, a;
    bool a_is_x;
    nd_status st = passage_pair(s, p, &pi, &a, &a_is_x);
    if (st != ND_OK)
        return st;
    ev_pair *pr = &s->pairs[pi];
    size_t al = p->a_end > p->a_start ? p->a_end - p->a_start : 0;
    size_t bl = p->b_end > p->b_start ? p->b_end - p->b_start : 0;
    pr->found_bytes[p->kind] += (int64_t)(al + bl);
    if (a_is_x)
        pr->found_xy++;
    else
        pr->found_yx++;
    if ((st = push_span(s, pi, a_is_x ? 0 : 1, 0, p->a_start, p->a_end)) != ND_OK)
        return st;
    return push_span(s, pi, a_is_x ? 1 : 0, 0, p->b_start, p->b_end);
}

/* ---- scores ------------------------------------------------------------------------------- */

static int cmp_span(const void *x, const void *y)
{
    const ev_span *a = x, *b = y;
    if (a->pair != b->pair)
        return a->pair < b->pair ? -1 : 1;
    if (a->side != b->side)
        return a->side < b->side ? -1 : 1;
    if (a->gold != b->gold)
        return a->gold < b->gold ? -1 : 1;
    if (a->s != b->s)
        return a->s < b->s ? -1 : 1;
    return a->e < b->e ? -1 : a->e > b->e;
}

/* The kind holding most bytes; ties go to the more literal kind. -1 when all are zero. */
static int major_kind(const int64_t *bytes)
{
    int best = -1;
    for (int k = 0; k < NKINDS; k++)
        if (bytes[k] > 0 && (best < 0 || bytes[k] > bytes[best]))
            best = k;
    return best;
}

static void prf_add(nd_prf *to, int64_t tp, int64_t fp, int64_t fn)
{
    to->tp += tp;
    to->fp += fp;
    to->fn += fn;
}

typedef struct weigher {
    nd_reuse_weight_fn fn;
    void *ctx;
    const nd_reuse_scorer *s;
} weigher;

static nd_status weigh(const weigher *w, uint32_t art, size_t st, size_t en, int64_t *out)
{
    if (!w->fn) {
        *out = (int64_t)(en - st);
        return ND_OK;
    }
    return w->fn(w->ctx, art, w->s->ids[art], st, en, out);
}

/* Merges sorted ranges v[0..n) in place into disjoint ones; returns the new count. */
static size_t merge_ranges(ev_span *v, size_t n)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m && v[i].s <= v[m - 1].e) {
            if (v[i].e > v[m - 1].e)
                v[m - 1].e = v[i].e;
        } else {
            v[m++] = v[i];
        }
    }
    return m;
}

/* Gold, found and shared characters of one side of a pair: g[0..ng) and f[0..nf) are that
 * side's gold and found ranges, sorted. */
static nd_status score_side(const weigher *w, uint32_t art, ev_span *g, size_t ng, ev_span *f,
                            size_t nf, int64_t *gw, int64_t *fw, int64_t *iw)
{
    ng = merge_ranges(g, ng);
    nf = merge_ranges(f, nf);
    nd_status st;
    int64_t v;
    *gw = *fw = *iw = 0;
    for (size_t i = 0; i < ng; i++) {
        if ((st = weigh(w, art, g[i].s, g[i].e, &v)) != ND_OK)
            return st;
        *gw += v;
    }
    for (size_t i = 0; i < nf; i++) {
        if ((st = weigh(w, art, f[i].s, f[i].e, &v)) != ND_OK)
            return st;
        *fw += v;
    }
    for (size_t i = 0, j = 0; i < ng && j < nf;) {
        size_t lo = g[i].s > f[j].s ? g[i].s : f[j].s, hi = g[i].e < f[j].e ? g[i].e : f[j].e;
        if (lo < hi) {
            if ((st = weigh(w, art, lo, hi, &v)) != ND_OK)
                return st;
            *iw += v;
        }
        if (g[i].e < f[j].e)
            i++;
        else
            j++;
    }
    return ND_OK;
}

/* Fills the character counts of every judged pair into out (overall, per gold kind, per
 * case). The spans are sorted by pair, side, gold/found and start. */
static nd_status score_chars(nd_reuse_scorer *s, nd_reuse_eval *out, const weigher *w)
{
    if (s->nspans)
        qsort(s->spans, s->nspans, sizeof *s->spans, cmp_span);
    for (size_t i = 0; i < s->nspans;) {
        uint32_t pi = s->spans[i].pair;
        uint8_t side = s->spans[i].side;
        size_t j = i;
        while (j < s->nspans && s->spans[j].pair == pi && s->spans[j].side == side &&
               !s->spans[j].gold)
            j++;
        size_t f0 = i, nf = j - i, g0 = j;
        while (j < s->nspans && s->spans[j].pair == pi && s->spans[j].side == side)
            j++;
        size_t ng = j - g0;
        i = j;
        const ev_pair *pr = &s->pairs[pi];
        if (pr->label == ND_GOLD_IGNORE)
            continue;
        int64_t gw, fw, iw;
        uint32_t art = side ? pr->y : pr->x;
        nd_status st = score_side(w, art, s->spans + g0, ng, s->spans + f0, nf, &gw, &fw, &iw);
        if (st != ND_OK)
            return st;
        prf_add(&out->chars, iw, fw - iw, gw - iw);
        if (pr->label == 0) {
            int gk = major_kind(pr->gold_bytes);
            if (gk >= 0)
                prf_add(&out->kinds[gk].chars, iw, fw - iw, gw - iw);
            if (pr->cas >= 0)
                prf_add(&out->cases[pr->cas].chars, iw, fw - iw, gw - iw);
        }
    }
    return ND_OK;
}

nd_status nd_reuse_scorer_finish(nd_reuse_scorer *s, nd_reuse_eval *out, nd_reuse_weight_fn weight,
                                 void *ctx)
{
    memset(out, 0, sizeof *out);
    out->restatements = s->restatements;
    out->ncases = s->ncases;
    for (size_t c = 0; c < s->ncases; c++)
        memcpy(out->cases[c].name, s->cases[c], sizeof out->cases[c].name);
    for (size_t i = 0; i < s->npairs; i++) {
        const ev_pair *pr = &s->pairs[i];
        int fk = major_kind(pr->found_bytes);
        bool found = fk >= 0;
        if (pr->label == ND_GOLD_IGNORE) {
            out->unjudged++;
            out->unjudged_reported += found;
            continue;
        }
        out->reported_pairs += found;
        if (pr->label == ND_GOLD_NONE) {
            out->negatives++;
            out->negatives_reported += found;
        }
        if (found)
            out->kinds[fk].predicted++;
        if (pr->label != 0) {
            out->pairs.fp += found;
            continue;
        }
        int gk = major_kind(pr->gold_bytes);
        out->gold_pairs++;
        if (gk >= 0) {
            out->kinds[gk].gold++;
            out->kinds[gk].found += found;
        }
        if (pr->cas >= 0) {
            out->cases[pr->cas].gold++;
            out->cases[pr->cas].found += found;
        }
        if (!found) {
            out->pairs.fn++;
            continue;
        }
        out->pairs.tp++;
        out->kinds[fk].correct++;
        if (gk >= 0)
            out->confusion[gk][fk]++;
        out->origin_judged++;
        int64_t right = pr->gold_a == pr->x ? pr->found_xy : pr->found_yx;
        int64_t wrong = pr->gold_a == pr->x ? pr->found_yx : pr->found_xy;
        out->origin_right += right > wrong;
    }
    weigher w = {weight, ctx, s};
    nd_status st = score_chars(s, out, &w);
    if (st != ND_OK)
        return st;
    nd_eval_prf_finish(&out->pairs);
    nd_eval_prf_finish(&out->chars);
    for (int k = 0; k < NKINDS; k++) {
        nd_reuse_kind_eval *ke = &out->kinds[k];
        ke->precision = ke->predicted ? (double)ke->correct / (double)ke->predicted : 0.0;
        ke->recall = ke->gold ? (double)ke->found / (double)ke->gold : 0.0;
        nd_eval_prf_finish(&ke->chars);
    }
    for (size_t c = 0; c < out->ncases; c++) {
        nd_reuse_case_eval *ce = &out->cases[c];
        ce->recall = ce->gold ? (double)ce->found / (double)ce->gold : 0.0;
        nd_eval_prf_finish(&ce->chars);
    }
    return ND_OK;
}

/* ---- scoring a store against a gold TSV --------------------------------------------------- */

/* Non-space characters of one stored article, as prefix counts. */
typedef struct art_text {
    uint32_t *prefix; /* prefix[i] = non-space bytes in raw[0, i); NULL until loaded */
    size_t len;
} art_text;

typedef struct store_weights {
    nd_store *st;
    art_text *arts;
    size_t narts;
    char *errbuf;
    size_t errlen;
} store_weights;

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Counts the non-space bytes of [start, end) of a stored article (loaded once). */
static nd_status store_weight(void *ctx, uint32_t art, const char *id, size_t start, size_t end,
                              int64_t *out)
{
    store_weights *w = ctx;
    if (art >= w->narts) {
        size_t n = (size_t)art + 1 > w->narts * 2 ? (size_t)art + 1 : w->narts * 2;
        art_text *v = nd_realloc(w->arts, n * sizeof *v);
        if (!v)
            return ND_ERR_NOMEM;
        memset(v + w->narts, 0, (n - w->narts) * sizeof *v);
        w->arts = v;
        w->narts = n;
    }
    art_text *t = &w->arts[art];
    if (!t->prefix) {
        nd_article *a = NULL;
        nd_status st = nd_store_get(w->st, &a, id);
        if (st != ND_OK) {
            if (st == ND_ERR_NOT_FOUND)
                nd_errf(w->errbuf, w->errlen, "article '%s' of the gold is not in the store", id);
            else
                nd_errf(w->errbuf, w->errlen, "cannot load '%s': %s", id, nd_store_errmsg(w->st));
            return st;
        }
        size_t len;
        const char *raw = nd_article_raw(a, &len);
        if (len >= UINT32_MAX) {
            nd_article_free(a);
            return ND_ERR_TOO_BIG;
        }
        t->prefix = nd_malloc((len + 1) * sizeof *t->prefix);
        if (!t->prefix) {
            nd_article_free(a);
            return ND_ERR_NOMEM;
        }
        t->prefix[0] = 0;
        for (size_t i = 0; i < len; i++)
            t->prefix[i + 1] = t->prefix[i] + !is_space(raw[i]);
        t->len = len;
        nd_article_free(a);
    }
    if (start > end || end > t->len) {
        nd_errf(w->errbuf, w->errlen, "range %zu-%zu is outside article '%s' (%zu bytes)", start,
                end, id, t->len);
        return ND_ERR_INPUT;
    }
    *out = (int64_t)(t->prefix[end] - t->prefix[start]);
    return ND_OK;
}

typedef struct list_ctx {
    nd_reuse_scorer *s;
    nd_status st;
} list_ctx;

static int on_passage(void *ctx, const nd_passage *p)
{
    list_ctx *c = ctx;
    c->st = nd_reuse_scorer_found(c->s, p);
    return c->st != ND_OK;
}

static int parse_label(const char *s, size_t n)
{
    for (int k = 0; k < NKINDS; k++) {
        const char *name = nd_reuse_kind_str((nd_reuse_kind)k);
        if (strlen(name) == n && !memcmp(s, name, n))
            return k;
    }
    if (n == 4 && !memcmp(s, "none", 4))
        return ND_GOLD_NONE;
    if (n == 6 && !memcmp(s, "ignore", 6))
        return ND_GOLD_IGNORE;
    return LABEL_UNSET;
}

/*
 * Reads the gold TSV into the scorer: a header line starting with `article_a`, then rows of 8
 * or 9 tab-separated fields. Every malformed row is an error naming its line: a gold file
 * that is half read would give scores that look real.
 */
static nd_status read_gold(nd_reuse_scorer *s, const char *path, char *errbuf, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        nd_errf(errbuf, errlen, "cannot read %s", path);
        return ND_ERR_IO;
    }
    nd_buf line;
    nd_buf_init(&line, 0);
    nd_status st = ND_OK;
    size_t lineno = 0, total = 0;
    char id_a[ID_MAX + 1], id_b[ID_MAX + 1], cas[64];
    for (;;) {
        nd_buf_reset(&line);
        int c = 0;
        while ((c = getc(f)) != EOF && c != '\n') {
            char ch = (char)c;
            if (line.len >= 4 * ID_MAX) {
                st = ND_ERR_INPUT;
                break;
            }
            if ((st = nd_buf_append(&line, &ch, 1)) != ND_OK)
                break;
        }
        if (st != ND_OK) {
            if (st == ND_ERR_INPUT)
                nd_errf(errbuf, errlen, "%s:%zu: line too long", path, lineno + 1);
            break;
        }
        if (c == EOF && line.len == 0)
            break;
        lineno++;
        total += line.len + 1;
        if (total > GOLD_MAX_BYTES) {
            nd_errf(errbuf, errlen, "%s: larger than %zu bytes", path, GOLD_MAX_BYTES);
            st = ND_ERR_TOO_BIG;
            break;
        }
        const char *l = line.data ? line.data : "";
        size_t n = line.len;
        if (n && l[n - 1] == '\r')
            n--;
        if (lineno == 1) {
            if (n < 10 || memcmp(l, "article_a\t", 10) != 0) {
                nd_errf(errbuf, errlen, "%s:1: not a reuse gold file (header 'article_a<TAB>...')",
                        path);
                st = ND_ERR_INPUT;
                break;
            }
            continue;
        }
        if (n == 0)
            continue;
        const char *fld[10];
        size_t fl[10], nf = 0;
        for (size_t i = 0, b = 0; i <= n && nf < 10; i++)
            if (i == n || l[i] == '\t') {
                fld[nf] = l + b;
                fl[nf++] = i - b;
                b = i + 1;
            }
        nd_passage p;
        memset(&p, 0, sizeof p);
        int label = nf >= 8 ? parse_label(fld[6], fl[6]) : LABEL_UNSET;
        if ((nf != 8 && nf != 9) || fl[0] == 0 || fl[0] > ID_MAX || fl[3] == 0 || fl[3] > ID_MAX ||
            !nd_eval_parse_size(fld[1], fl[1], &p.a_start) || !nd_eval_parse_size(fld[2], fl[2], &p.a_end) ||
            !nd_eval_parse_size(fld[4], fl[4], &p.b_start) || !nd_eval_parse_size(fld[5], fl[5], &p.b_end) ||
            label == LABEL_UNSET || (label >= 0 && (p.a_end < p.a_start || p.b_end < p.b_start))) {
            nd_errf(errbuf, errlen,
                    "%s:%zu: not a gold row (8 or 9 fields: article_a a_start "
                    "a_end article_b b_start b_end kind similarity [case])",
                    path, lineno);
            st = ND_ERR_INPUT;
            break;
        }
        memcpy(id_a, fld[0], fl[0]);
        id_a[fl[0]] = '\0';
        memcpy(id_b, fld[3], fl[3]);
        id_b[fl[3]] = '\0';
        size_t cl = nf == 9 ? fl[8] : 0;
        if (cl >= sizeof cas)
            cl = sizeof cas - 1;
        memcpy(cas, nf == 9 ? fld[8] : "", cl);
        cas[cl] = '\0';
        p.a_id = id_a;
        p.b_id = id_b;
        st = nd_reuse_scorer_gold(s, &p, label, cas);
        if (st == ND_ERR_ARG) {
            nd_errf(errbuf, errlen, "%s:%zu: a gold pair needs two different articles", path,
                    lineno);
            st = ND_ERR_INPUT;
        }
        if (st != ND_OK)
            break;
    }
    if (st == ND_OK && ferror(f)) {
        nd_errf(errbuf, errlen, "error reading %s", path);
        st = ND_ERR_IO;
    }
    if (st == ND_OK && lineno == 0) {
        nd_errf(errbuf, errlen, "%s: empty", path);
        st = ND_ERR_INPUT;
    }
    nd_buf_free(&line);
    fclose(f);
    return st;
}

nd_status nd_eval_reuse(nd_reuse_eval *out, nd_store *st, const char *gold_tsv, char *errbuf,
                        size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (errbuf && errlen)
        *errbuf = '\0';
    if (!st || !gold_tsv)
        return ND_ERR_ARG;
    nd_reuse_scorer *s;
    nd_status rc = nd_reuse_scorer_new(&s);
    if (rc != ND_OK)
        return rc;
    store_weights w = {st, NULL, 0, errbuf, errlen};
    if ((rc = read_gold(s, gold_tsv, errbuf, errlen)) != ND_OK)
        goto done;
    list_ctx lc = {s, ND_OK};
    rc = nd_reuse_list(st, NULL, on_passage, &lc);
    if (rc == ND_OK && lc.st != ND_OK)
        rc = lc.st;
    if (rc != ND_OK) {
        if (errbuf && errlen && !*errbuf)
            nd_errf(errbuf, errlen, "cannot list the store's passages: %s",
                    rc == ND_ERR_NOMEM ? nd_status_str(rc) : nd_store_errmsg(st));
        goto done;
    }
    rc = nd_reuse_scorer_finish(s, out, store_weight, &w);
done:
    for (size_t i = 0; i < w.narts; i++)
        nd_free(w.arts[i].prefix);
    nd_free(w.arts);
    nd_reuse_scorer_free(s);
    return rc;
}
