#include "buf.h"

#include <stdint.h>
#include <string.h>

#include "alloc.h"

void nd_buf_init(nd_buf *b, size_t cap)
{
    b->data = NULL;
    b->len = b->alloc = 0;
    b->cap = cap ? cap : SIZE_MAX / 2;
}

void nd_buf_free(nd_buf *b)
{
    nd_free(b->data);
    b->data = NULL;
    b->len = b->alloc = 0;
}

void nd_buf_reset(nd_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

nd_status nd_buf_reserve(nd_buf *b, size_t n)
{
    if (n > b->cap || b->len > b->cap - n)
        return ND_ERR_TOO_BIG;
    size_t need = b->len + n + 1;
    if (need <= b->alloc)
        return ND_OK;
    size_t sz = b->alloc ? b->alloc : 256;
    while (sz < need)
        sz = sz > SIZE_MAX / 2 ? need : sz * 2;
    char *p = nd_realloc(b->data, sz);
    if (!p)
        return ND_ERR_NOMEM;
    b->data = p;
    b->alloc = sz;
    return ND_OK;
}

nd_status nd_buf_append(nd_buf *b, const void *p, size_t n)
{
    nd_status st = nd_buf_reserve(b, n);
    if (st != ND_OK)
        return st;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return ND_OK;
}

nd_status nd_buf_putc(nd_buf *b, char c)
{
    return nd_buf_append(b, &c, 1);
}

nd_status nd_buf_puts(nd_buf *b, const char *s)
{
    return nd_buf_append(b, s, strlen(s));
}
