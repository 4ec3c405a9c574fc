/*
 * The store's schema and its migrations. Internal to src/store; the tests use it to check the
 * migration mechanism with steps of their own.
 */
#ifndef ND_STORE_SCHEMA_H
#define ND_STORE_SCHEMA_H

#include <sqlite3.h>
#include <stddef.h>

/* PRAGMA application_id of every newsdesk store: 'NDS1'. */
#define ND_STORE_APP_ID 0x4E445331

/* Brings the database to schema version `nsteps` by running steps[v] for every version v from
 * its current PRAGMA user_version up to nsteps - 1. Each step runs in its own BEGIN IMMEDIATE
 * transaction that also sets user_version to v + 1 and application_id to ND_STORE_APP_ID, so a
 * failed step leaves the database at the last good version and a concurrent process that
 * migrated first is noticed (the version is read again inside the transaction). Returns an
 * SQLite result code; on failure *failed_step (may be NULL) is the step's index and SQLite's
 * message is copied to msg (may be NULL). */
int nd_store_migrate(sqlite3 *db, const char *const *steps, int nsteps, int *failed_step, char *msg,
                     size_t msglen);

/* The migrations of this library, steps[v] taking schema v to v + 1. */
extern const char *const nd_store_migrations[];
extern const int nd_store_nmigrations;

#endif
