/* Helpers shared by the cmocka tests. Include after <cmocka.h>'s prerequisites. */
#ifndef ND_TESTS_SUPPORT_H
#define ND_TESTS_SUPPORT_H

#include <stddef.h>

/* The gold corpus folder (shared/corpus); NULL when absent. */
const char *t_corpus(void);
/* A path under the corpus, in a static buffer overwritten by the next call. */
const char *t_corpus_path(const char *rel);
/* Reads a whole file (NUL-terminated); fails the test when it cannot. Free with free(). */
char *t_read_file(const char *path, size_t *len);
/* Writes a file; fails the test when it cannot. */
void t_write_file(const char *path, const void *data, size_t len);
/* A fresh empty temporary folder (removed by t_rmtree). Static buffer. */
const char *t_tmpdir(void);
void t_rmtree(const char *path);
/* A scratch folder per test: t_dir_setup (a cmocka setup) makes a fresh one, t_dir_teardown
 * removes it, t_dir() names it and t_path(NAME) names a file in it (two static buffers used in
 * turn, so two paths can be alive at once). */
int t_dir_setup(void **state);
int t_dir_teardown(void **state);
const char *t_dir(void);
const char *t_path(const char *name);
/* Runs a shell command, captures stdout (malloc'd, NUL-terminated) and the exit status. */
char *t_run(const char *cmd, int *status);

#endif
