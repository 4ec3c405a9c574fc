#include "store_schema.h"

#include <stdio.h>

#include "cluster/cluster.h"
#include "newsdesk.h"
#include "reuse/reuse.h"

/*
 * Schema 1.
 *
 * Column order matters: SQLite reads a row's columns in order and a large value spills into
 * overflow pages, so the small columns that listings and statistics read come first and the
 * big ones (`blocks`, `sents`, `raw`) last. The body is not stored: it is rebuilt from `raw`
 * and `blocks`, which halves the size of a store.
 */
static const char schema_v1[] =
    "CREATE TABLE articles("
    " rowid INTEGER PRIMARY KEY,"
    " id TEXT NOT NULL UNIQUE,"
    " hash TEXT NOT NULL,"
    " source TEXT, outlet TEXT, url TEXT, date TEXT, date_raw TEXT,"
    " headline TEXT, dek TEXT, byline TEXT, language TEXT,"
    " added_at TEXT NOT NULL,"
    " body_bytes INTEGER NOT NULL,"
    " raw_bytes INTEGER NOT NULL,"
    " paragraphs INTEGER NOT NULL,"
    " sentences INTEGER NOT NULL,"
    " blocks BLOB NOT NULL,"
    " sents BLOB NOT NULL,"
    " raw TEXT NOT NULL);"
    "CREATE INDEX articles_outlet ON articles(outlet);"
    "CREATE INDEX articles_date ON articles(date);"
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
    "INSERT INTO meta VALUES('created_by', 'newsdesk " ND_VERSION "'),"
    " ('created_at', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));";

/*
 * Schema 2: the tables of the online stages, each defined by its module (src/reuse,
 * src/cluster). Rows reference articles by articles.rowid.
 */
static const char schema_v2[] = ND_REUSE_SCHEMA ND_CLUSTER_SCHEMA;

/*
 * Schema 3: the MinHash signature of each reuse row (banded LSH, docs/reuse.md). An added
 * column, so upgrading a store rewrites nothing; the stage recomputes the signatures of older
 * rows from their shingle sets.
 */
static const char schema_v3[] = ND_REUSE_SCHEMA_V3;

const char *const nd_store_migrations[] = {
    schema_v1,
    schema_v2,
    schema_v3,
};
const int nd_store_nmigrations = (int)(sizeof nd_store_migrations / sizeof *nd_store_migrations);

/* Runs one SQL statement that returns a single integer (a PRAGMA). */
static int query_int(sqlite3 *db, const char *sql, int *out)
{
    sqlite3_stmt *s;
    int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int(s, 0);
        rc = SQLITE_OK;
    }
    int rc2 = sqlite3_finalize(s);
    return rc != SQLITE_OK ? rc : rc2;
}

int nd_store_migrate(sqlite3 *db, const char *const *steps, int nsteps, int *failed_step, char *msg,
                     size_t msglen)
{
    int version = 0, rc;
    if (failed_step)
        *failed_step = 0;
    if ((rc = query_int(db, "PRAGMA user_version", &version)) != SQLITE_OK)
        goto fail;
    for (int v = version; v < nsteps; v++) {
        if (failed_step)
            *failed_step = v;
        if ((rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) != SQLITE_OK)
            return rc;
        /* Another process may have migrated while we waited for the lock. */
        int now = 0;
        if ((rc = query_int(db, "PRAGMA user_version", &now)) != SQLITE_OK)
            goto fail;
        if (now > v) {
            v = now - 1;
            if ((rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK)
                goto fail;
            continue;
        }
        char bump[96];
        snprintf(bump, sizeof bump, "PRAGMA user_version = %d; PRAGMA application_id = %ld;", v + 1,
                 (long)ND_STORE_APP_ID);
        if ((rc = sqlite3_exec(db, steps[v], NULL, NULL, NULL)) != SQLITE_OK ||
            (rc = sqlite3_exec(db, bump, NULL, NULL, NULL)) != SQLITE_OK ||
            (rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK)
            goto fail;
    }
    return SQLITE_OK;

fail:
    /* Keep SQLite's message: the rollback below replaces it. */
    if (msg && msglen)
        snprintf(msg, msglen, "%s", sqlite3_errmsg(db));
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}
