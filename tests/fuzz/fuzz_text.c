/*
 * Fuzz target: the plain-text layout parser. Any input must either parse into a consistent
 * article or be refused with a message, never crash, hang or leak.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_check.h"
#include "newsdesk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    nd_read_opts opts = {.max_article_bytes = (size_t)1 << 20};
    nd_article *a = NULL;
    char err[256];
    nd_status st = nd_article_parse_text(&a, s, size, "fuzz", "fuzz", &opts, err, sizeof err);
    if (st == ND_OK) {
        FUZZ_REQUIRE(a != NULL);
        size_t rl;
        const char *raw = nd_article_raw(a, &rl);
        FUZZ_REQUIRE(rl == size && memcmp(raw, s, size) == 0);
        fuzz_check_article(a);
        nd_article_free(a);
    } else {
        FUZZ_REQUIRE(a == NULL && err[0] != '\0');
        FUZZ_REQUIRE(st == ND_ERR_INPUT || st == ND_ERR_TOO_BIG || st == ND_ERR_NOMEM);
    }
    fuzz_check_date(s, size);
    return 0;
}
