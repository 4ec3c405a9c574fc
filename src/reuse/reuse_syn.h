/*
 * Reuse: WordNet synonyms for the sentence pairing of reworded copies (docs/reuse.md,
 * "Synonyms"). Internal to the library.
 *
 * Two content words are synonyms when, for one part of speech (noun, verb, adjective,
 * adverb), one of the ND_RSYN_SENSES most frequent senses of the one is one of the
 * ND_RSYN_SENSES most frequent senses of the other, both taken after WordNet's own
 * morphology (Morphy's base forms: "slain" -> "slay", "teachers" -> "teacher"). libwn
 * finds and loads the dictionary on first use; the lookups, libwn's answers, are made on
 * its files by reuse_syn.c (why: reuse_syn.c), serialised by one mutex and cached, so a
 * repeated word costs a hash probe.
 *
 * When the dictionary cannot be loaded (wordnet-base not installed, WNSEARCHDIR pointing
 * elsewhere), synonyms are off and everything else works as before.
 */
#ifndef ND_REUSE_SYN_H
#define ND_REUSE_SYN_H

#include <stddef.h>
#include <stdint.h>

#include "reuse/reuse.h"

/* Senses looked at per word and part of speech: WordNet orders a word's senses by how often
 * they were tagged in its sense-tagged corpora (cntlist.rev); the first three hold 93.5% of
 * the tagged uses (nouns 96%, verbs 88%), the next three only 4.8% more, each bringing the
 * rare meanings that make unrelated words "synonyms" ("bush" and "shrub"). */
#define ND_RSYN_SENSES 3
/* Synsets kept per word (all parts of speech and base forms together). */
#define ND_RSYN_MAX 12

/* The synsets of one word: part of speech << 28 | offset in that part's data file. */
typedef struct nd_rsyn {
    uint32_t n;
    uint32_t id[ND_RSYN_MAX];
} nd_rsyn;

/* 1 when synonyms are used: WordNet's dictionary was found (it is loaded by the first call)
 * and they are not switched off. */
int nd_reuse_syn_available(void);
/* Process-wide switch, on by default (tests compare alignment with and without). */
void nd_reuse_syn_enable(int on);

/* The synsets of word[0..len) (raw bytes of one token: ASCII case is folded, a possessive
 * 's is dropped; other words, numbers and words over 31 bytes have none). out->n == 0 for a
 * word WordNet does not know or when synonyms are off. ND_ERR_NOMEM when the cache cannot
 * be allocated (retried on the next call). */
nd_status nd_reuse_syn_senses(const char *word, size_t len, nd_rsyn *out);
/* 1 when two sense lists share a synset. */
int nd_reuse_syn_share(const nd_rsyn *a, const nd_rsyn *b);
/* 1 when the two words are synonyms by the rule above (0 when either is unknown, on error,
 * or when synonyms are off). */
int nd_reuse_synonyms(const char *a, size_t alen, const char *b, size_t blen);

/* Lookups since the process started, and how many of them read WordNet (cache misses). */
void nd_reuse_syn_counts(uint64_t *lookups, uint64_t *misses);

/*
 * nd_reuse_align() for two different articles, with their raw texts (those their tokens'
 * offsets point into) so that the words can be looked up: a content word of a sentence of b
 * that is not in a candidate sentence of a counts as shared when a synonym of it is (one
 * each way). Used only on pairs that passed the stage's exact shingle verification. Without
 * synonyms (none available, or raw NULL) it is nd_reuse_align(out, w, a, b, 0).
 */
nd_status nd_reuse_align_syn(nd_rpasses *out, nd_ralign *w, const nd_rdoc *a, const char *araw,
                             size_t alen, const nd_rdoc *b, const char *braw, size_t blen);

#endif
