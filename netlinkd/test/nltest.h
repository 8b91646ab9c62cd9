/* Helpers for netlinkd's unit tests: documents from JSON text, checked
 * against the real schemas (so a test cannot feed what no daemon could
 * write), and lookups in a desired set. */
#ifndef NL_TEST_H
#define NL_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config.h"
#include "../desired.h"

/* Config section from JSON text; fails the test if invalid. */
void nt_config(const char *json, struct nl_config *c);
/* State document from JSON text checked against schema; fails if invalid.
 * Caller json_decref()s. */
json_t *nt_doc(const char *json, const struct hgw_field *schema);

const struct nl_addr *nt_find_addr(const struct nl_desired *d, const char *ifname,
				   const char *prefix);
const struct nl_route *nt_find_route(const struct nl_desired *d, const char *dst, uint32_t table);
const struct nl_rule *nt_find_rule(const struct nl_desired *d, const char *from, uint32_t table);
const char *nt_find_sysctl(const struct nl_desired *d, const char *key);

#endif
