/* The dhcp6.<if>.json document (schema: common/state_dhcp6.c) built from
 * the client's state; separate from main6.c so tests check it against the
 * schema. */
#ifndef HGW_STATE6_H
#define HGW_STATE6_H

#include <jansson.h>

#include "rfc8415_client.h"

json_t *state6_doc(const struct d6c *c, const char *ifname);

#endif
