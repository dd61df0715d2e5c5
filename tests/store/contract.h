/*
 * contract.h - what the store contract's files share (test_store_contract.c
 * runs them all against the one store it opened).
 */
#ifndef BH_TEST_CONTRACT_H
#define BH_TEST_CONTRACT_H

#include "store/db.h"

extern db_t *db;

/* contract_notify.c: the notifications outbox */
void notices(void **state);

#endif
