/* lte.json from the modem's status: one function, no I/O, so the unit tests
 * can check what the daemon would publish against hgw_schema_lte. */
#ifndef LTE_JSON_H
#define LTE_JSON_H

#include <jansson.h>

#include "modem.h"

struct lte_json_ctx {
	const char *interface; /* the bearer's netdev */
	const char *device;    /* the serial port */
	unsigned reopens;
};

json_t *lte_json_build(struct lte_modem *m, const struct lte_json_ctx *ctx);

#endif
