/*
 * contract.h - what the store contract's files share (test_store_contract.c
 * runs them all against the one store it opened).
 */
#ifndef BH_TEST_CONTRACT_H
#define BH_TEST_CONTRACT_H

#include <stdint.h>

#include "store/db.h"

/* A small deterministic generator (xorshift64*) for the random tests; the
 * seed is printed on failure and BIHUAN_TEST_SEED replays it. */
static inline uint64_t contract_rnd(uint64_t *state)
{
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * 2685821657736338717ULL;
}

extern db_t *db;
extern char contract_url[]; /* the store's URL, to open it again */

/* A case of unit (handled by 'handling', NULL for none) as reported at
 * 1700000000000, with the idempotency key 'idem' (NULL for none). */
db_case_t new_case(const char *unit, const char *handling, const char *idem);

/* contract_search.c: search newest first equals the reference plan */
void search_equals_the_scan(void **state);

/* contract_bulk.c: a bulk load ends as the triggers would have kept it */
void bulk_load_as_kept(void **state);

/* contract_notify.c: the notifications outbox */
void notices(void **state);

#endif
