/*
 * Sentence alignment of two documents into reused passages.
 *
 * The unit is the sentence: each sentence of b is paired with the sentence of a whose set of
 * content stems it shares most of (Dice coefficient), and runs of consecutive pairs become
 * passages. Sets rather than sequences, so that a rewrite that reorders clauses, changes
 * inflections or replaces a few words still pairs; the word sequence is only used afterwards,
 * to class the passage (verbatim, near-verbatim, reworded) by the longest common subsequence
 * of its words. Thresholds are explained in docs/reuse.md.
 */
#include <stdlib.h>
#include <string.h>

#include "reuse/reuse.h"
#include "reuse/reuse_syn.h"
#include "util/alloc.h"

/* Two sentences of different articles pair when their content-stem sets have a Dice
 * coefficient of at least DICE_CROSS and share at least SHARED_CROSS stems. */
#define DICE_CROSS 0.5
#define SHARED_CROSS 3
/* A restatement inside one article needs as much overlap and five shared content words: a
 * later sentence naming the same people and places is normal, repeating the statement is
 * not. */
#define DICE_SAME 0.6
#define SHARED_SAME 5
/* ... and must keep the word-level similarity of a loose paraphrase, and must not state other
 * numbers: two sentences that each carry a number the other lacks report different facts
 * ("six rifles were found" / "14 rifles were seized in all"). */
#define SIM_SAME 0.3
/* A passage must share at least this many content words in all (one real sentence). */
#define MIN_PASSAGE_CONTENT 6
/* A stem found in more sentences of a than this says nothing about which one is copied. */
#define POST_CAP 64
/* Word LCS is computed for sentence pairs up to this many cells; longer pairs use the
 * content-stem overlap instead. */
#define LCS_CELLS ((size_t)1 << 16)
/* Similarity from which a passage that is not verbatim is near-verbatim: one word in twenty. */
#define NEAR_VERBATIM 0.95
/* The synonym pass looks at the first SYN_WORDS distinct content words of a sentence (a
 * bound on pathological input; news sentences have 10 to 20). */
#define SYN_WORDS 64

/* Builds the lookup table stem -> range of w->post (sorted by stem): open addressing over
 * twice as many slots as distinct stems, so each lookup is one or two probes. */
static nd_status build_table(nd_ralign *w)
{
    size_t n = 16;
    while (n < 2 * w->npost + 2)
        n *= 2;
    nd_status s = nd_reserve((void **)&w->tab, &w->tabcap, n, sizeof *w->tab);
    if (s != ND_OK)
        return s;
    w->ntab = n;
    memset(w->tab, 0, n * sizeof *w->tab);
    for (size_t lo = 0; lo < w->npost;) {
        uint32_t key = (uint32_t)(w->post[lo] >> 32);
        size_t hi = lo + 1;
        while (hi < w->npost && (uint32_t)(w->post[hi] >> 32) == key)
            hi++;
        size_t j = nd_reuse_mix(key) & (n - 1);
        while (w->tab[j].hi)
            j = (j + 1) & (n - 1);
        w->tab[j] = (nd_rslot){key, (uint32_t)lo, (uint32_t)hi};
        lo = hi;
    }
    return ND_OK;
}

/* The range of w->post holding `key`; lo == hi when none. */
static void find_range(const nd_ralign *w, uint32_t key, size_t *lo, size_t *hi)
{
    size_t j = nd_reuse_mix(key) & (w->ntab - 1);
    while (w->tab[j].hi) {
        if (w->tab[j].key == key) {
            *lo = w->tab[j].lo;
            *hi = w->tab[j].hi;
            return;
        }
        j = (j + 1) & (w->ntab - 1);
    }
    *lo = *hi = 0;
}

/* Length of the longest common subsequence of the word sequences of two sentences. */
static nd_status lcs_len(nd_ralign *w, const nd_rdoc *a, const nd_rsent *sa, const nd_rdoc *b,
                         const nd_rsent *sb, size_t *out)
{
    size_t la = sa->t1 - sa->t0, lb = sb->t1 - sb->t0;
    nd_status s = nd_reserve((void **)&w->lcs, &w->lcscap, lb + 1, sizeof *w->lcs);
    if (s != ND_OK)
        return s;
    uint32_t *row = w->lcs;
    memset(row, 0, (lb + 1) * sizeof *row);
    for (size_t i = 0; i < la; i++) {
        uint32_t x = a->tok[sa->t0 + i].word;
        uint32_t diag = 0;
        for (size_t j = 0; j < lb; j++) {
            uint32_t up = row[j + 1];
            if (x == b->tok[sb->t0 + j].word)
                row[j + 1] = diag + 1;
            else if (row[j] > up)
                row[j + 1] = row[j];
            diag = up;
        }
    }
    *out = row[lb];
    return ND_OK;
}

/* Turns the run of b sentences [j0, j1) with their matches into a passage. */
static nd_status emit_run(nd_rpasses *out, nd_ralign *w, const nd_rdoc *a, const nd_rdoc *b,
                          size_t j0, size_t j1, int same)
{
    size_t content = 0, lcs_sum = 0, len_sum = 0;
    int verbatim = 1;
    uint32_t a_start = UINT32_MAX, a_end = 0;
    uint32_t prev_i = UINT32_MAX;
    for (size_t j = j0; j < j1; j++) {
        const nd_rsent *sb = &b->sent[j];
        uint32_t i = w->match[j] - 1;
        const nd_rsent *sa = &a->sent[i];
        content += w->shared[j];
        size_t la = sa->t1 - sa->t0, lb = sb->t1 - sb->t0, l;
        if (la * lb <= LCS_CELLS) {
            nd_status s = lcs_len(w, a, sa, b, sb, &l);
            if (s != ND_OK)
                return s;
        } else {
            /* Too long for LCS: the share of content words in common stands in (exact ones:
             * shared[] also counts synonyms, which are a change of words). */
            size_t na = sa->s1 - sa->s0, nb = sb->s1 - sb->s0;
            size_t c = nd_reuse_intersect(a->sset + sa->s0, na, b->sset + sb->s0, nb);
            double r = na + nb ? 2.0 * (double)c / (double)(na + nb) : 0;
            l = (size_t)(r * (double)(la < lb ? la : lb));
        }
        if (l != la || la != lb || i == prev_i)
            verbatim = 0;
        prev_i = i;
        lcs_sum += 2 * l;
        len_sum += la + lb;
        if (sa->start < a_start)
            a_start = sa->start;
        if (sa->end > a_end)
            a_end = sa->end;
        if (w->ext[j]) {
            /* The sentence merges this one of a and the next: its bytes belong here too. */
            verbatim = 0;
            if (a->sent[i + 1].end > a_end)
                a_end = a->sent[i + 1].end;
        }
    }
    if (content < MIN_PASSAGE_CONTENT)
        return ND_OK;
    if (same && len_sum && (double)lcs_sum < SIM_SAME * (double)len_sum)
        return ND_OK;
    nd_status s = nd_reserve((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v);
    if (s != ND_OK)
        return s;
    nd_rpass *p = &out->v[out->n++];
    p->a_start = a_start;
    p->a_end = a_end;
    p->b_start = b->sent[j0].start;
    p->b_end = b->sent[j1 - 1].end;
    p->similarity = len_sum ? (double)lcs_sum / (double)len_sum : 0;
    p->kind = verbatim                         ? ND_REUSE_VERBATIM
              : p->similarity >= NEAR_VERBATIM ? ND_REUSE_NEAR_VERBATIM
                                               : ND_REUSE_REWORDED;
    if (verbatim)
        p->similarity = 1.0;
    p->content = (uint32_t)content;
    return ND_OK;
}

/* True when each of two sentences holds a number the other does not. */
static int other_numbers(const nd_rdoc *a, const nd_rsent *sa, const nd_rdoc *b, const nd_rsent *sb)
{
    int a_only = 0, b_only = 0;
    for (int side = 0; side < 2; side++) {
        const nd_rdoc *x = side ? b : a, *y = side ? a : b;
        const nd_rsent *sx = side ? sb : sa, *sy = side ? sa : sb;
        for (uint32_t i = sx->t0; i < sx->t1; i++) {
            if (!x->tok[i].num)
                continue;
            int found = 0;
            for (uint32_t j = sy->t0; j < sy->t1 && !found; j++)
                found = y->tok[j].num && y->tok[j].word == x->tok[i].word;
            if (!found)
                *(side ? &b_only : &a_only) = 1;
        }
    }
    return a_only && b_only;
}

/* True when two sentences have the same words in the same order. */
static int same_words(const nd_rdoc *a, const nd_rsent *sa, const nd_rdoc *b, const nd_rsent *sb)
{
    if (sa->t1 - sa->t0 != sb->t1 - sb->t0)
        return 0;
    for (uint32_t k = 0; k < sa->t1 - sa->t0; k++)
        if (a->tok[sa->t0 + k].word != b->tok[sb->t0 + k].word)
            return 0;
    return 1;
}

/*
 * Sentences too short to be paired on their own ("She was 85.") would split a copied passage
 * in two. An unpaired sentence of b that follows a pair (i, j-1) takes sentence i+1 of a when
 * the two have the same words, or when it sits between two pairs that leave exactly that
 * sentence of a between them and neither is more than twice as long as the other.
 */
static void fill_gaps(nd_ralign *w, const nd_rdoc *a, const nd_rdoc *b)
{
    for (size_t j = 1; j < b->nsent; j++) {
        if (w->match[j] || !w->match[j - 1] || b->sent[j].boiler)
            continue;
        uint32_t i = w->match[j - 1]; /* the next sentence of a, 0-based */
        if (i >= a->nsent || a->sent[i].boiler)
            continue;
        const nd_rsent *sa = &a->sent[i], *sb = &b->sent[j];
        int ok = same_words(a, sa, b, sb);
        if (!ok && j + 1 < b->nsent && w->match[j + 1] == i + 2) {
            size_t la = sa->t1 - sa->t0, lb = sb->t1 - sb->t0;
            ok = la <= 2 * lb && lb <= 2 * la;
        }
        if (ok) {
            w->match[j] = i + 1;
            w->shared[j] = (uint32_t)nd_reuse_intersect(a->sset + sa->s0, sa->s1 - sa->s0,
                                                        b->sset + sb->s0, sb->s1 - sb->s0);
        }
    }
}

/*
 * A rewrite often merges two sentences into one ("Crews pumped water. The city opened a
 * hall." -> "Crews pumped water, and the city opened a hall."). The merged sentence is paired
 * with one of the two; when the sentence of a right after its match is paired with nothing
 * and at least half of its content stems (and SHARED_CROSS) are in the merged sentence, the
 * pair is marked to cover it too.
 */
static void find_merges(nd_ralign *w, const nd_rdoc *a, const nd_rdoc *b)
{
    uint32_t *used = w->cnt; /* all zero here; cleared again below */
    for (size_t j = 0; j < b->nsent; j++)
        if (w->match[j])
            used[w->match[j] - 1] = 1;
    for (size_t j = 0; j < b->nsent; j++) {
        if (!w->match[j])
            continue;
        uint32_t i = w->match[j]; /* the next sentence of a, 0-based */
        if (i >= a->nsent || used[i] || a->sent[i].boiler)
            continue;
        const nd_rsent *sa = &a->sent[i], *sb = &b->sent[j];
        size_t na = sa->s1 - sa->s0;
        size_t c = nd_reuse_intersect(a->sset + sa->s0, na, b->sset + sb->s0, sb->s1 - sb->s0);
        if (c >= SHARED_CROSS && 2 * c >= na) {
            w->ext[j] = 1;
            w->shared[j] += (uint32_t)c;
            used[i] = 1;
        }
    }
    for (size_t i = 0; i < a->nsent; i++)
        used[i] = 0;
}

/* ---- synonyms --------------------------------------------------------------------------- */

/* The raw texts of the two articles, which the tokens' offsets point into. */
typedef struct syn_ctx {
    const char *araw, *braw;
    size_t alen, blen;
} syn_ctx;

/* One synset of one content word (by stem) of a sentence. */
typedef struct syn_ent {
    uint32_t id, stem;
} syn_ent;

/* The synsets of the words of one sentence that the other sentence lacks. */
typedef struct syn_side {
    syn_ent e[SYN_WORDS * ND_RSYN_MAX];
    size_t n;     /* entries */
    size_t words; /* words with at least one synset */
} syn_side;

static int ent_cmp(const void *x, const void *y)
{
    const syn_ent *p = x, *q = y;
    if (p->id != q->id)
        return p->id < q->id ? -1 : 1;
    return p->stem < q->stem ? -1 : p->stem > q->stem;
}

/* True when `x` is in the sorted array v[0..n). */
static int has(const uint32_t *v, size_t n, uint32_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && v[lo] == x;
}

/*
 * Fills `out` with the synsets of the first SYN_WORDS distinct content words of sentence se
 * of d whose stems are not in the other sentence's sorted stem set other[0..nother): only
 * the words left unmatched are looked up. Numbers are left out: a different number is a
 * different fact. Sorted by synset.
 */
static nd_status syn_side_build(syn_side *out, const nd_rdoc *d, const char *raw, size_t rawlen,
                                const nd_rsent *se, const uint32_t *other, size_t nother)
{
    uint32_t seen[SYN_WORDS];
    size_t nseen = 0;
    out->n = out->words = 0;
    for (uint32_t t = se->t0; t < se->t1 && nseen < SYN_WORDS; t++) {
        const nd_rtok *tk = &d->tok[t];
        if (tk->stop || tk->num || tk->end > rawlen || has(other, nother, tk->stem))
            continue;
        int dup = 0;
        for (size_t k = 0; k < nseen && !dup; k++)
            dup = seen[k] == tk->stem;
        if (dup)
            continue;
        seen[nseen++] = tk->stem;
        nd_rsyn r;
        nd_status s = nd_reuse_syn_senses(raw + tk->start, tk->end - tk->start, &r);
        if (s != ND_OK)
            return s;
        out->words += r.n > 0;
        for (uint32_t k = 0; k < r.n; k++)
            out->e[out->n++] = (syn_ent){r.id[k], tk->stem};
    }
    if (out->n > 1)
        qsort(out->e, out->n, sizeof *out->e, ent_cmp);
    return ND_OK;
}

/*
 * How many unmatched words of one sentence have a synonym among the unmatched words of the
 * other, each word used once (greedily in synset order: a sentence rarely holds two words of
 * one synset, so this is the maximum matching in practice).
 */
static uint32_t syn_count(const syn_side *x, const syn_side *y)
{
    uint32_t used_x[SYN_WORDS], used_y[SYN_WORDS];
    size_t nu = 0, p = 0, q = 0;
    while (p < x->n && q < y->n && nu < SYN_WORDS) {
        if (x->e[p].id != y->e[q].id) {
            if (x->e[p].id < y->e[q].id)
                p++;
            else
                q++;
            continue;
        }
        uint32_t id = x->e[p].id;
        size_t p1 = p, q1 = q;
        while (p1 < x->n && x->e[p1].id == id)
            p1++;
        while (q1 < y->n && y->e[q1].id == id)
            q1++;
        for (size_t i = p; i < p1; i++) {
            for (size_t j = q; j < q1 && nu < SYN_WORDS; j++) {
                int used = 0;
                for (size_t k = 0; k < nu && !used; k++)
                    used = used_x[k] == x->e[i].stem || used_y[k] == y->e[j].stem;
                if (!used) {
                    used_x[nu] = x->e[i].stem;
                    used_y[nu] = y->e[j].stem;
                    nu++;
                }
            }
        }
        p = p1;
        q = q1;
    }
    return (uint32_t)nu;
}

/*
 * Sentence j of b found no sentence of a by exact stems: each candidate that shares stems
 * with it (the touched sentences, with their counts in w->cnt) is scored again with synonyms
 * counted as shared words, and the best that now reaches the thresholds is taken. A synonym
 * is weaker evidence than the same word (two words of unrelated sentences can share one of
 * their senses), so synonyms may at most double the exact matches: the pair must stand half
 * on its own words (Dice >= 0.25, two shared stems). Only candidates that could reach the
 * thresholds that way are looked at, and only the words each sentence of the pair lacks are
 * looked up, the later sentence's first: the many sentences that share a word or two with
 * the new one never cause a lookup.
 */
static nd_status syn_pass(nd_ralign *w, const syn_ctx *x, const nd_rdoc *a, const nd_rdoc *b,
                          size_t j, size_t nt, uint32_t prev_i, uint32_t *best_i,
                          uint32_t *best_shared)
{
    const nd_rsent *sb = &b->sent[j];
    size_t nb = sb->s1 - sb->s0;
    double best = 0;
    syn_side ys, xs;
    for (size_t q = 0; q < nt; q++) {
        uint32_t i = w->touched[q];
        uint32_t c = w->cnt[i];
        const nd_rsent *sa = &a->sent[i];
        size_t na = sa->s1 - sa->s0;
        size_t room = (na < nb ? na : nb) - c;
        if (room > c)
            room = c;
        /* The fewest synonyms that reach both thresholds. */
        size_t need = (na + nb + 3) / 4 > c ? (na + nb + 3) / 4 - c : 0;
        if (c + need < SHARED_CROSS)
            need = SHARED_CROSS - c;
        if (!need || need > room || 2.0 * (double)(c + room) / (double)(na + nb) < best)
            continue;
        nd_status s = syn_side_build(&ys, b, x->braw, x->blen, sb, a->sset + sa->s0, na);
        if (s != ND_OK)
            return s;
        if (ys.words < need)
            continue;
        if ((s = syn_side_build(&xs, a, x->araw, x->alen, sa, b->sset + sb->s0, nb)) != ND_OK)
            return s;
        if (xs.words < need)
            continue;
        uint32_t m = syn_count(&xs, &ys);
        if (m > c)
            m = c;
        uint32_t shared = c + m;
        double dice = 2.0 * (double)shared / (double)(na + nb);
        if (m < need || dice < DICE_CROSS)
            continue;
        int better = dice > best ||
                     (dice == best && (i == prev_i + 1 || (*best_i != prev_i + 1 && i < *best_i)));
        if (better) {
            best = dice;
            *best_i = i;
            *best_shared = shared;
        }
    }
    return ND_OK;
}

static nd_status align(nd_rpasses *out, nd_ralign *w, const nd_rdoc *a, const nd_rdoc *b, int same,
                       syn_ctx *syn)
{
    out->n = 0;
    nd_status s;
    /* Postings (stem, sentence) of a, sorted by stem. */
    /* Twice the postings: the second half is the radix sort's scratch. */
    s = nd_reserve((void **)&w->post, &w->postcap, 2 * a->nsset + 1, sizeof *w->post);
    if (s != ND_OK)
        return s;
    w->npost = 0;
    for (size_t i = 0; i < a->nsent; i++)
        for (uint32_t k = a->sent[i].s0; k < a->sent[i].s1; k++)
            w->post[w->npost++] = (uint64_t)a->sset[k] << 32 | (uint64_t)i;
    nd_reuse_sort_hi32(w->post, w->post + w->npost, w->npost);
    if ((s = build_table(w)) != ND_OK)
        return s;

    if ((s = nd_reserve((void **)&w->cnt, &w->cntcap, a->nsent + 1, sizeof *w->cnt)) != ND_OK ||
        (s = nd_reserve((void **)&w->touched, &w->touchcap, a->nsent + 1, sizeof *w->touched)) !=
            ND_OK ||
        (s = nd_reserve((void **)&w->match, &w->matchcap, b->nsent + 1, sizeof *w->match)) != ND_OK)
        return s;
    /* shared[] grows with match[]: same capacity. */
    size_t cap = w->matchcap;
    uint32_t *sh = nd_realloc(w->shared, cap * sizeof *sh);
    if (!sh)
        return ND_ERR_NOMEM;
    w->shared = sh;
    uint8_t *ext = nd_realloc(w->ext, cap);
    if (!ext)
        return ND_ERR_NOMEM;
    w->ext = ext;
    memset(w->ext, 0, cap);
    memset(w->cnt, 0, (a->nsent + 1) * sizeof *w->cnt);

    double min_dice = same ? DICE_SAME : DICE_CROSS;
    uint32_t min_shared = same ? SHARED_SAME : SHARED_CROSS;
    uint32_t prev_i = UINT32_MAX;
    for (size_t j = 0; j < b->nsent; j++) {
        const nd_rsent *sb = &b->sent[j];
        w->match[j] = 0;
        w->shared[j] = 0;
        if (sb->s1 - sb->s0 < min_shared)
            continue;
        size_t nt = 0;
        for (uint32_t k = sb->s0; k < sb->s1; k++) {
            uint32_t key = b->sset[k];
            size_t lo, hi;
            find_range(w, key, &lo, &hi);
            if (hi - lo > POST_CAP)
                continue;
            for (size_t q = lo; q < hi; q++) {
                uint32_t i = (uint32_t)w->post[q];
                if (same && (i >= j || a->sent[i].para == sb->para))
                    continue;
                if (w->cnt[i]++ == 0)
                    w->touched[nt++] = i;
            }
        }
        double best = 0;
        uint32_t best_i = UINT32_MAX, best_shared = 0;
        size_t nb = sb->s1 - sb->s0;
        for (size_t q = 0; q < nt; q++) {
            uint32_t i = w->touched[q];
            uint32_t c = w->cnt[i];
            if (c < min_shared)
                continue;
            size_t na = a->sent[i].s1 - a->sent[i].s0;
            double dice = 2.0 * c / (double)(na + nb);
            if (dice < min_dice)
                continue;
            if (same && other_numbers(a, &a->sent[i], b, sb))
                continue;
            /* Ties go to the sentence that continues the current run, then to the first. */
            int better = dice > best || (dice == best &&
                                         (i == prev_i + 1 || (best_i != prev_i + 1 && i < best_i)));
            if (better) {
                best = dice;
                best_i = i;
                best_shared = c;
            }
        }
        if (syn && best_i == UINT32_MAX &&
            (s = syn_pass(w, syn, a, b, j, nt, prev_i, &best_i, &best_shared)) != ND_OK)
            return s;
        for (size_t q = 0; q < nt; q++)
            w->cnt[w->touched[q]] = 0;
        if (best_i != UINT32_MAX) {
            w->match[j] = best_i + 1;
            w->shared[j] = best_shared;
            prev_i = best_i;
        }
    }

    if (!same) {
        fill_gaps(w, a, b);
        find_merges(w, a, b);
    }

    /* Runs: consecutive sentences of b matched to the same or the next sentence of a. */
    size_t j0 = 0;
    while (j0 < b->nsent) {
        if (!w->match[j0]) {
            j0++;
            continue;
        }
        size_t j1 = j0 + 1;
        while (j1 < b->nsent && w->match[j1]) {
            uint32_t pi = w->match[j1 - 1] + w->ext[j1 - 1], ci = w->match[j1];
            if (ci != pi && ci != pi + 1)
                break;
            /* A restatement run must not reach into the sentences it restates. */
            if (same && ci - 1 >= j0)
                break;
            j1++;
        }
        if ((s = emit_run(out, w, a, b, j0, j1, same)) != ND_OK)
            return s;
        j0 = j1;
    }
    return ND_OK;
}

nd_status nd_reuse_align(nd_rpasses *out, nd_ralign *w, const nd_rdoc *a, const nd_rdoc *b,
                         int same)
{
    return align(out, w, a, b, same, NULL);
}

nd_status nd_reuse_align_syn(nd_rpasses *out, nd_ralign *w, const nd_rdoc *a, const char *araw,
                             size_t alen, const nd_rdoc *b, const char *braw, size_t blen)
{
    if (!araw || !braw || a == b || !nd_reuse_syn_available())
        return align(out, w, a, b, 0, NULL);
    syn_ctx x = {araw, braw, alen, blen};
    return align(out, w, a, b, 0, &x);
}

void nd_ralign_free(nd_ralign *w)
{
    if (!w)
        return;
    nd_free(w->post);
    nd_free(w->cnt);
    nd_free(w->touched);
    nd_free(w->match);
    nd_free(w->shared);
    nd_free(w->ext);
    nd_free(w->lcs);
    nd_free(w->tab);
    memset(w, 0, sizeof *w);
}

size_t nd_ralign_bytes(const nd_ralign *w)
{
    return w->postcap * sizeof *w->post + w->cntcap * sizeof *w->cnt +
           w->touchcap * sizeof *w->touched +
           w->matchcap * (sizeof *w->match + sizeof(uint32_t) + 1) + w->lcscap * sizeof *w->lcs +
           w->tabcap * sizeof *w->tab;
}
