/*
 * A growable byte buffer with a hard cap: input from outside never makes it grow past `cap`
 * (append fails with ND_ERR_TOO_BIG instead). The contents are always NUL-terminated.
 */
#ifndef ND_UTIL_BUF_H
#define ND_UTIL_BUF_H

#include <stddef.h>

#include "newsdesk.h"

typedef struct nd_buf {
    char *data; /* NUL-terminated, NULL until the first append */
    size_t len;
    size_t alloc;
    size_t cap; /* maximum len; 0 means SIZE_MAX/2 */
} nd_buf;

void nd_buf_init(nd_buf *b, size_t cap);
void nd_buf_free(nd_buf *b);
/* Forgets the contents but keeps the memory. */
void nd_buf_reset(nd_buf *b);
nd_status nd_buf_append(nd_buf *b, const void *p, size_t n);
nd_status nd_buf_putc(nd_buf *b, char c);
nd_status nd_buf_puts(nd_buf *b, const char *s);
/* Makes room for n more bytes. */
nd_status nd_buf_reserve(nd_buf *b, size_t n);

#endif
