/*
 * Internal scoring helpers of src/eval, exposed for the unit tests: the clustering scores as a
 * pure function over label arrays, independent of where the labels come from.
 */
#ifndef ND_EVAL_EVAL_H
#define ND_EVAL_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "newsdesk.h"

/*
 * Scores the partition `pred` against the partition `gold` of the same n items: item i is in
 * the cluster labelled gold[i] in one and pred[i] in the other. Labels are arbitrary numbers
 * (not necessarily dense or sorted); equal labels mean the same cluster. Fills the B-cubed and
 * pairwise scores and both cluster counts of *out. Runs in O(n) expected time through hashed
 * contingency counts, never comparing items two by two. n == 0 yields all zeros.
 * Returns ND_OK or ND_ERR_NOMEM.
 */
nd_status nd_eval_partition(nd_cluster_scores *out, const uint32_t *gold, const uint32_t *pred,
                            size_t n);

/* Parses a non-negative decimal field s[0..n) of a gold file (at most 15 digits); false when it
 * is not one. */
bool nd_eval_parse_size(const char *s, size_t n, size_t *out);

/* Fills precision, recall and F1 of p from its counts (0 where a ratio is undefined). */
void nd_eval_prf_finish(nd_prf *p);

#endif
