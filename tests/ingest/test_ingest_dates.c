/*
 * nd_date_parse(): the formats articles write dates in, and lines that are not date lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "newsdesk.h"

typedef struct dcase {
    const char *in;
    const char *want; /* NULL: not a date line */
} dcase;

static const dcase cases[] = {
    /* numeric */
    {"6.06.2025", "2025-06-06"},           /* dotted: day first */
    {"31.12.2024", "2024-12-31"},
    {"06/06/2025", "2025-06-06"},          /* slashed: month first ... */
    {"07/04/2025", "2025-07-04"},
    {"13/06/2025", "2025-06-13"},          /* ... unless the first number cannot be a month */
    {"12/16/08 1:30 AM EST", "2008-12-16T01:30"},
    {"2025-06-06", "2025-06-06"},
    {"2025/06/06", "2025-06-06"},
    {"2012.08.08 09:01 AM", "2012-08-08T09:01"},
    {"2025-06-06T10:24:00Z", "2025-06-06T10:24:00Z"},
    {"2025-06-06T10:24:00+02:00", "2025-06-06T10:24:00+02:00"},
    {"2025-06-06T10:24:00.250-05:00", "2025-06-06T10:24:00-05:00"},
    {"2025-06-06T10:24+0530", "2025-06-06T10:24+05:30"},
    {"2025-06-06 10:24:00", "2025-06-06T10:24:00"}, /* news-please */
    /* month first */
    {"June 6, 2025", "2025-06-06"},
    {"Nov. 30, 2009", "2009-11-30"},
    {"Sept. 3, 2013", "2013-09-03"},
    {"May 03, 2013", "2013-05-03"},
    {"Sep 19 2012 at 11:47 AM", "2012-09-19T11:47"},
    {"December 15th, 2008, 7:35 am", "2008-12-15T07:35"},
    {"Friday, March 21, 2025", "2025-03-21"},
    {"MAR. 14, 2013, 8:12 PM", "2013-03-14T20:12"},
    /* day first */
    {"30 November 2009", "2009-11-30"},
    {"6th of June 2025", "2025-06-06"},
    {"10:24 AM, MON 22 JUL 2013", "2013-07-22T10:24"},
    {"Tuesday 28 April 2009 22.34 BST", "2009-04-28T22:34"},
    {"8:44AM BST 16 Sep 2013", "2013-09-16T08:44"},
    /* labels, zones, offsets */
    {"Published: April 23, 2013 9:39 AM", "2013-04-23T09:39"},
    {"First Published: June 6, 2025, 10:30 IST", "2025-06-06T10:30"},
    {"Updated: November 11, 2011 20:09 IST", "2011-11-11T20:09"},
    {"Posted on June 6, 2025", "2025-06-06"},
    {"Last updated on: June 6, 2025 19:04 IST", "2025-06-06T19:04"},
    {"Story Created: Aug 7, 2012 at 9:56 AM AKDT", "2012-08-07T09:56"},
    {"26 September 2013, 10:00 (GMT+05:00)", "2013-09-26T10:00+05:00"},
    {"June 6, 2025 12:00 PM UTC", "2025-06-06T12:00Z"},
    {"June 6, 2025 12:00 AM GMT", "2025-06-06T00:00Z"},
    {"June 6, 2025 9 a.m. ET", "2025-06-06T09:00"},
    {"  June 6, 2025  ", "2025-06-06"},
    {"June 6, 2025 \xe2\x80\x94 updated 3:15 PM", "2025-06-06"}, /* the update's time is not taken */
    {"PUBLISHED: 02:31 GMT, 12 March 2013 | UPDATED: 22:19 GMT, 12 March 2013",
     "2013-03-12T02:31Z"},
    {"Friday, Sep 10, 2010 | Updated 9:28 AM EDT", "2010-09-10"},
    {"POSTED: 1052 GMT (1852 HKT), April 10, 2007", "2007-04-10T10:52Z"},
    {"NAIROBI, June 6, 2025", "2025-06-06"}, /* a place is allowed */
    {"29 February 2024", "2024-02-29"},
    {"February 29, 2000", "2000-02-29"},
    /* not dates */
    {"", NULL},
    {"   ", NULL},
    {"2025", NULL},
    {"June 2025", NULL},
    {"June 6", NULL},              /* no year: a time stamp, but no date */
    {"10:24 AM", NULL},
    {"Feb 30, 2013", NULL},
    {"29 February 2023", NULL},
    {"February 29, 1900", NULL},   /* 1900 was not a leap year */
    {"June 6, 1850", NULL},        /* out of range */
    {"June 6, 2150", NULL},
    {"32.01.2025", NULL},
    {"13/13/2025", NULL},
    {"1.2.3", NULL},
    {"2025-13-01", NULL},
    {"2025-06-06T25:00", NULL}, /* a malformed stamp is not half read */
    {"The treaty, signed on June 6, 2025, set out a defence pact between the two states.",
     NULL},
    {"In a statement on June 6, 2025, the ministry said the talks had ended.", NULL},
    {"Posted 1 year, 160 days ago [downloaded on 2 October 2013]", NULL},
    {"Chapter 6.06.2025 of the plan was rewritten by the committee members today", NULL},
    {"hello world", NULL},
};

static void test_table(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char out[32];
        nd_status st = nd_date_parse(out, sizeof out, cases[i].in, strlen(cases[i].in));
        if (cases[i].want) {
            if (st != ND_OK || strcmp(out, cases[i].want) != 0) {
                printf("\"%s\": got %s \"%s\", want \"%s\"\n", cases[i].in, nd_status_str(st),
                       out, cases[i].want);
                bad++;
            }
        } else if (st != ND_ERR_INPUT) {
            printf("\"%s\": got \"%s\", want no date\n", cases[i].in, out);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

static void test_arguments(void **state)
{
    (void)state;
    char out[32], small[8];
    assert_int_equal(nd_date_parse(out, sizeof out, NULL, 3), ND_ERR_ARG);
    assert_int_equal(nd_date_parse(NULL, 0, "June 6, 2025", 12), ND_ERR_ARG);
    /* the output does not fit */
    assert_int_equal(nd_date_parse(small, sizeof small, "June 6, 2025", 12), ND_ERR_ARG);
    /* the length is honoured: no NUL needed, bytes after it ignored */
    assert_int_equal(nd_date_parse(out, sizeof out, "June 6, 2025 and more words here", 12),
                     ND_OK);
    assert_string_equal(out, "2025-06-06");
    /* a 26-byte buffer holds the longest form */
    char exact[26];
    assert_int_equal(nd_date_parse(exact, sizeof exact, "2025-06-06T10:24:00-05:00", 25), ND_OK);
    assert_string_equal(exact, "2025-06-06T10:24:00-05:00");
    /* a very long line is never a date line */
    char longl[1000];
    memset(longl, 'x', sizeof longl);
    memcpy(longl, "June 6, 2025 ", 13);
    assert_int_equal(nd_date_parse(out, sizeof out, longl, sizeof longl), ND_ERR_INPUT);
    /* invalid UTF-8 and control bytes do not upset it */
    assert_int_equal(nd_date_parse(out, sizeof out, "June 6, 2025 \xff\xfe", 15), ND_OK);
    assert_int_equal(nd_date_parse(out, sizeof out, "\xe2\x80", 2), ND_ERR_INPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
