/* The sentence splitter: each rule on sentences written for these tests, in both directions
 * (the case that splits and the look-alike that must not). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "support.h"
#include "text/text.h"

/* Splits `text` and checks the sentences against the NULL-terminated list `want`. */
static void check_split(const char *text, const char *const *want)
{
    nd_ranges r = {0};
    assert_int_equal(nd_sentences_split(&r, text, strlen(text)), ND_OK);
    size_t nwant = 0;
    while (want[nwant])
        nwant++;
    for (size_t i = 0; i < r.n || i < nwant; i++) {
        const char *got = i < r.n ? text + r.v[i].start : "(none)";
        int glen = i < r.n ? (int)(r.v[i].end - r.v[i].start) : 6;
        const char *w = i < nwant ? want[i] : "(none)";
        if ((size_t)glen != strlen(w) || memcmp(got, w, (size_t)glen) != 0)
            fail_msg("in \"%s\"\nsentence %zu is [%.*s]\n          want [%s]", text, i, glen, got,
                     w);
    }
    nd_ranges_free(&r);
}

#define SPLIT(text, ...) check_split(text, (const char *const[]){__VA_ARGS__, NULL})

static void test_basic(void **state)
{
    (void)state;
    SPLIT("The mayor spoke. The crowd cheered! Did anyone leave? No.", "The mayor spoke.",
          "The crowd cheered!", "Did anyone leave?", "No.");
    SPLIT("One sentence without a stop", "One sentence without a stop");
    SPLIT("Interrobang?! Yes.", "Interrobang?!", "Yes.");

    /* Ranges are trimmed and relative to the text. */
    nd_ranges r = {0};
    const char *t = "  Hello there.   Bye.  \n";
    assert_int_equal(nd_sentences_split(&r, t, strlen(t)), ND_OK);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.v[0].start, 2);
    assert_int_equal(r.v[0].end, 14);
    assert_int_equal(r.v[1].start, 17);
    assert_int_equal(r.v[1].end, 21);
    /* Appends to what is there. */
    assert_int_equal(nd_sentences_split(&r, t, strlen(t)), ND_OK);
    assert_int_equal(r.n, 4);
    nd_ranges_free(&r);

    /* Nothing but white space gives nothing. */
    assert_int_equal(nd_sentences_split(&r, "", 0), ND_OK);
    assert_int_equal(nd_sentences_split(&r, "  \n\n \t", 6), ND_OK);
    assert_int_equal(r.n, 0);
    nd_ranges_free(&r);
    nd_ranges_free(NULL);
}

static void test_lowercase_after_stop(void **state)
{
    (void)state;
    /* A stop followed by a lower-case word does not end a sentence. */
    SPLIT("\"Run!\" he yelled. \"Why?\" she asked.", "\"Run!\" he yelled.", "\"Why?\" she asked.");
    SPLIT("He said \"fine.\" and left.", "He said \"fine.\" and left.");
    /* ... except for words like "iPhone" that start sentences in lower case. */
    SPLIT("Apple updated the app. iPhone sales rose.", "Apple updated the app.",
          "iPhone sales rose.");
}

static void test_titles(void **state)
{
    (void)state;
    SPLIT("Mr. Smith met Dr. Jones and Mrs. Li. They talked.",
          "Mr. Smith met Dr. Jones and Mrs. Li.", "They talked.");
    SPLIT("Gen. Lee, Sen. Warren, Rep. Diaz, Lt. Col. Park and Gov. Ruiz agreed.",
          "Gen. Lee, Sen. Warren, Rep. Diaz, Lt. Col. Park and Gov. Ruiz agreed.");
    SPLIT("They live on St. Mark Street.", "They live on St. Mark Street.");
    /* A title cannot stand before a pronoun: there a sentence ended. */
    SPLIT("The shop is on Elm St. She runs it.", "The shop is on Elm St.", "She runs it.");
    /* "MR." shouted in a headline is still a title. */
    SPLIT("MR. SMITH GOES TO TOWN", "MR. SMITH GOES TO TOWN");
}

static void test_initials(void **state)
{
    (void)state;
    SPLIT("George W. Bush spoke. J. R. R. Tolkien wrote books.", "George W. Bush spoke.",
          "J. R. R. Tolkien wrote books.");
    SPLIT("The winner was Plan B. The rest failed.", "The winner was Plan B.", "The rest failed.");
    SPLIT("Nick Rahall, D-W. Va., voted no.", "Nick Rahall, D-W. Va., voted no.");
    SPLIT("They walked down E. 52nd Street.", "They walked down E. 52nd Street.");
}

static void test_acronyms(void **state)
{
    (void)state;
    SPLIT("He moved to the U.S. The move was hard.", "He moved to the U.S.", "The move was hard.");
    SPLIT("The U.S. Army arrived. U.S. officials said so.", "The U.S. Army arrived.",
          "U.S. officials said so.");
    SPLIT("They met in Washington, D.C.", "They met in Washington, D.C.");
    SPLIT("It is a U.K. firm. But it left the U.K. In 2010 it moved.", "It is a U.K. firm.",
          "But it left the U.K.", "In 2010 it moved.");
    /* "e.g." and "i.e." never end a sentence. */
    SPLIT("Some fruit, e.g. Apples, is cheap.", "Some fruit, e.g. Apples, is cheap.");
}

static void test_clock_times(void **state)
{
    (void)state;
    SPLIT("It began at 9 a.m. Friday and ended at 5 p.m. Police left.",
          "It began at 9 a.m. Friday and ended at 5 p.m.", "Police left.");
    SPLIT("Doors open at 7 p.m. EST on Monday.", "Doors open at 7 p.m. EST on Monday.");
    SPLIT("The fire started at 3 a.m. Nobody was hurt.", "The fire started at 3 a.m.",
          "Nobody was hurt.");
}

static void test_numbers(void **state)
{
    (void)state;
    SPLIT("Prices rose 6.1 percent to $1.5 billion. Markets fell 0.5 points.",
          "Prices rose 6.1 percent to $1.5 billion.", "Markets fell 0.5 points.");
    SPLIT("It opened Jan. 5 in the No. 3 spot, see Fig. 2 and case No. AB123.",
          "It opened Jan. 5 in the No. 3 spot, see Fig. 2 and case No. AB123.");
    SPLIT("The law passed in 2008. The next one failed.", "The law passed in 2008.",
          "The next one failed.");
    SPLIT("It closed in Dec. The new year began.", "It closed in Dec.", "The new year began.");
    /* A list number at the start of a sentence is not a sentence. */
    SPLIT("1. Buy milk\n2. Sell eggs", "1. Buy milk", "2. Sell eggs");
}

static void test_companies_and_lists(void **state)
{
    (void)state;
    SPLIT("She works for Acme Inc. The firm grew.", "She works for Acme Inc.", "The firm grew.");
    SPLIT("Acme Inc. shares rose.", "Acme Inc. shares rose.");
    SPLIT("Acme Corp. (NYSE: ACM) rose.", "Acme Corp. (NYSE: ACM) rose.");
    SPLIT("They sold apples, pears, etc. The rest stayed.", "They sold apples, pears, etc.",
          "The rest stayed.");
    SPLIT("The match was Smith vs. Jones and ended late.",
          "The match was Smith vs. Jones and ended late.");
    SPLIT("IBM fixed a flaw in IE. It shipped today.", "IBM fixed a flaw in IE.",
          "It shipped today.");
}

static void test_ellipses(void **state)
{
    (void)state;
    SPLIT("He paused... Then he spoke.", "He paused...", "Then he spoke.");
    SPLIT("He paused... and then spoke.", "He paused... and then spoke.");
    SPLIT("Wait\xe2\x80\xa6 What happened?", "Wait\xe2\x80\xa6", "What happened?");
    SPLIT("Wait\xe2\x80\xa6 what happened?", "Wait\xe2\x80\xa6 what happened?");
}

static void test_quotes_and_brackets(void **state)
{
    (void)state;
    SPLIT("\"We won.\" The coach smiled.", "\"We won.\"", "The coach smiled.");
    SPLIT("He said \xe2\x80\x9cno.\xe2\x80\x9d Then he left.",
          "He said \xe2\x80\x9cno.\xe2\x80\x9d", "Then he left.");
    SPLIT("She wrote \xe2\x80\x98"
          "done.\xe2\x80\x99 It was.",
          "She wrote \xe2\x80\x98"
          "done.\xe2\x80\x99",
          "It was.");
    SPLIT("The vote passed (narrowly.) Critics objected.", "The vote passed (narrowly.)",
          "Critics objected.");
    SPLIT("It ended. \"We go on,\" he said.", "It ended.", "\"We go on,\" he said.");
    /* A quoted question or exclamation followed by who said it. */
    SPLIT("\xe2\x80\x9cWhy?\xe2\x80\x9d Smith asked. He left.",
          "\xe2\x80\x9cWhy?\xe2\x80\x9d Smith asked.", "He left.");
    SPLIT("\"Stop!\" Police Chief Ann Moore shouted, waving.",
          "\"Stop!\" Police Chief Ann Moore shouted, waving.");
    SPLIT("\"Stop!\" The crowd ran.", "\"Stop!\"", "The crowd ran.");
    /* A statement quoted with a period is followed by a new sentence, even one with "said". */
    SPLIT("\"It is over.\" Jones said the talks failed.", "\"It is over.\"",
          "Jones said the talks failed.");
    /* A quote mark left alone after the stop closes the quotation. */
    SPLIT("He said it was over. \"\n", "He said it was over. \"");
}

static void test_domains_and_dashes(void **state)
{
    (void)state;
    SPLIT("He posted on TMZ.com and www.example.co.uk today. It spread.",
          "He posted on TMZ.com and www.example.co.uk today.", "It spread.");
    SPLIT("Visit example.com. Then rest.", "Visit example.com.", "Then rest.");
    SPLIT("A U.S.-led team won.", "A U.S.-led team won.");
    /* A dateline dash after a state abbreviation. */
    SPLIT("SPRINGFIELD, Ill. \xe2\x80\x94 The city voted.",
          "SPRINGFIELD, Ill. \xe2\x80\x94 The city voted.");
}

static void test_line_breaks(void **state)
{
    (void)state;
    /* A headline ends at its line; so do an address line and a date line. */
    SPLIT("Storm hits coast\nThousands flee their homes.", "Storm hits coast",
          "Thousands flee their homes.");
    SPLIT("http://example.com/storm-hits-coast\nStorm hits coast\nMay 3, 2013",
          "http://example.com/storm-hits-coast", "Storm hits coast", "May 3, 2013");
    SPLIT("Storm hits coast\nupdated 8:41 p.m. EST, May 3, 2013\n\nThe body starts.",
          "Storm hits coast", "updated 8:41 p.m. EST, May 3, 2013", "The body starts.");
    /* A line that goes on in lower case, or ends with an article, continues. */
    SPLIT("The storm hit the\ncoast on Monday.", "The storm hit the\ncoast on Monday.");
    SPLIT("Rescuers reached the\nCoast Guard station.",
          "Rescuers reached the\nCoast Guard station.");
    /* A hard-wrapped paragraph: its line breaks are layout only. */
    SPLIT("The storm hit the coast on Monday and\nforced thousands to leave. Officials in\n"
          "Miami said the damage was severe.",
          "The storm hit the coast on Monday and\nforced thousands to leave.",
          "Officials in\nMiami said the damage was severe.");
    /* Lines that end with a stop. */
    SPLIT("First line ends here.\nSecond line too.\n", "First line ends here.", "Second line too.");
    SPLIT("He met Mr.\nSmith today.", "He met Mr.\nSmith today.");
    /* A blank line always ends a sentence. */
    SPLIT("A caption without a stop\n\nand a paragraph in lower case", "A caption without a stop",
          "and a paragraph in lower case");
    SPLIT("Windows line ends.\r\n\r\nSecond paragraph.", "Windows line ends.", "Second paragraph.");
    /* A rule line between two parts. */
    SPLIT("A dek ends here.\n-\nThe caption.", "A dek ends here.", "-", "The caption.");
}

static void test_unicode_and_edges(void **state)
{
    (void)state;
    SPLIT("\xc3\x89lodie arrived. \xc3\x89mile left.", "\xc3\x89lodie arrived.",
          "\xc3\x89mile left.");
    SPLIT("\xc3\xa9t\xc3\xa9 came. \xc3\xa9t\xc3\xa9 went.",
          "\xc3\xa9t\xc3\xa9 came. \xc3\xa9t\xc3\xa9 went.");
    SPLIT("Ends with NBSP.\xc2\xa0Next one.", "Ends with NBSP.", "Next one.");
    SPLIT(".", ".");
    SPLIT("...", "...");
    SPLIT("?!", "?!");
    SPLIT("\"", "\"");
    SPLIT("A (.38) gun.", "A (.38) gun.");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_lowercase_after_stop),
        cmocka_unit_test(test_titles),
        cmocka_unit_test(test_initials),
        cmocka_unit_test(test_acronyms),
        cmocka_unit_test(test_clock_times),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_companies_and_lists),
        cmocka_unit_test(test_ellipses),
        cmocka_unit_test(test_quotes_and_brackets),
        cmocka_unit_test(test_domains_and_dashes),
        cmocka_unit_test(test_line_breaks),
        cmocka_unit_test(test_unicode_and_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
