/*
 * What the store offers the stages that keep tables of their own in it (reuse, cluster).
 * Internal to the library. See docs/store.md, "Stages".
 *
 * A stage runs inside nd_store_add()'s savepoint, on the store's connection, so its rows are
 * committed or rolled back together with the article's row. Its in-memory state is a cache of
 * those rows, rebuilt on demand: the store drops it whenever memory may no longer match the
 * database (any rollback, a failed addition, a commit by another process).
 */
#ifndef ND_STORE_DB_H
#define ND_STORE_DB_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "newsdesk.h"

/* The store's connection; NULL when the store failed to open. */
sqlite3 *nd_store_db(nd_store *st);

/* Sets the message that nd_store_errmsg() returns (printf format). */
void nd_store_set_errmsg(nd_store *st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Loads a stored article by its rowid. Works inside an open transaction and sees the rows
 * added earlier in it. ND_ERR_NOT_FOUND when there is no such row. */
nd_status nd_store_get_rowid(nd_store *st, nd_article **out, int64_t rowid);

/* Copies the text id of the article at `rowid` into buf (truncated to len - 1 bytes). */
nd_status nd_store_id_of(nd_store *st, int64_t rowid, char *buf, size_t len);

#endif
