/* The dhcp4.<if>.json document (schema: common/state_dhcp4.c). */
#ifndef HGW_STATE4_H
#define HGW_STATE4_H

#include <jansson.h>

#include "rfc2131_client.h"

json_t *state4_doc(const struct d4c *c, const char *ifname);

#endif
