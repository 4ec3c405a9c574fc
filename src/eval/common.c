/*
 * Small pieces every scorer of src/eval uses: reading a number field of a gold file, and
 * turning counts into precision, recall and F1.
 */
#include "eval/eval.h"

bool nd_eval_parse_size(const char *s, size_t n, size_t *out)
{
    if (n == 0 || n > 15)
        return false;
    size_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (size_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

void nd_eval_prf_finish(nd_prf *p)
{
    p->precision = p->tp + p->fp ? (double)p->tp / (double)(p->tp + p->fp) : 0.0;
    p->recall = p->tp + p->fn ? (double)p->tp / (double)(p->tp + p->fn) : 0.0;
    p->f1 = p->precision + p->recall > 0.0
                ? 2.0 * p->precision * p->recall / (p->precision + p->recall)
                : 0.0;
}
