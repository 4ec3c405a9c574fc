/*
 * The reuse scorer as a pure accumulator over passages, exposed for the unit tests: gold rows
 * and found passages go in one at a time (from a TSV and the store in nd_eval_reuse(), from
 * arrays in the tests), the scores come out of nd_reuse_scorer_finish(). See
 * docs/reuse-eval.md for what each number means.
 */
#ifndef ND_EVAL_REUSE_H
#define ND_EVAL_REUSE_H

#include <stddef.h>
#include <stdint.h>

#include "newsdesk.h"

/* Gold labels besides the passage kinds (nd_reuse_kind). */
#define ND_GOLD_NONE (-1)   /* a judged pair that is not reuse (a negative) */
#define ND_GOLD_IGNORE (-2) /* a pair whose truth is unknown: left out of every score */

typedef struct nd_reuse_scorer nd_reuse_scorer;

nd_status nd_reuse_scorer_new(nd_reuse_scorer **out);
void nd_reuse_scorer_free(nd_reuse_scorer *s);

/* Adds one gold row: the ids and ranges of `p` (its kind and similarity are not read) with
 * `label` (an nd_reuse_kind, ND_GOLD_NONE or ND_GOLD_IGNORE) and an optional case name
 * (NULL or ""). For NONE and IGNORE only the ids count. A pair with any passage row is a gold
 * pair, whatever other rows say; IGNORE beats NONE. ND_ERR_ARG for a == b or a bad label. */
nd_status nd_reuse_scorer_gold(nd_reuse_scorer *s, const nd_passage *p, int label,
                               const char *case_name);

/* Adds one found passage (all of `p` is read; the ids are copied). a == b (a restatement) is
 * only counted. */
nd_status nd_reuse_scorer_found(nd_reuse_scorer *s, const nd_passage *p);

/* How many characters of [start, end) of article `id` count (e.g. those that are not white
 * space). `art` is a dense number the scorer gives each id (0, 1, ...), for caching. */
typedef nd_status (*nd_reuse_weight_fn)(void *ctx, uint32_t art, const char *id, size_t start,
                                        size_t end, int64_t *out);

/* Computes every score into *out. `weight` may be NULL: then every byte counts. A failure of
 * `weight` is returned as is. The scorer may not be used after. */
nd_status nd_reuse_scorer_finish(nd_reuse_scorer *s, nd_reuse_eval *out, nd_reuse_weight_fn weight,
                                 void *ctx);

#endif
