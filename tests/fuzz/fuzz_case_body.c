/*
 * fuzz_case_body.c - libFuzzer target: request bodies of POST /api/v1/cases
 * and POST /api/v1/cases/{id}/actions, through the same parsers the server
 * uses.  Anything may come in; nothing may crash, leak or read out of
 * bounds, and every refusal must name a field.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena_t *a = arena_new();
    json_t *o;
    bh_err_t err;

    if (parse_body((const char *)data, size, &o, &err) == BH_OK) {
        svc_case_new_t in;
        case_event_t ev;
        int64_t version;
        if (parse_case_new(o, a, &in, &err) != BH_OK && err.field[0] == '\0')
            abort();
        if (parse_action(o, a, &ev, &version, &err) != BH_OK && err.field[0] == '\0')
            abort();
        json_decref(o);
    } else if (strcmp(err.field, "body") != 0) {
        abort();
    }
    arena_free(a);
    return 0;
}
