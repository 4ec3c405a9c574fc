/*
 * Writing a one-line message into a caller's buffer, for the functions of the API that take
 * `char *errbuf, size_t errlen` instead of a handle.
 */
#ifndef ND_UTIL_ERRF_H
#define ND_UTIL_ERRF_H

#include <stddef.h>

/* printf-style into errbuf, truncated to errlen; does nothing when errbuf is NULL or errlen
 * is 0. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
void nd_errf(char *errbuf, size_t errlen, const char *fmt, ...);

#endif
