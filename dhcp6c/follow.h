/* Following the link a client rides on through another daemon's state
 * file: a tunnel or PPP device can stay up while the session behind it is
 * gone (hybridd's bond down, pppoed reconnecting).  Configured as
 *   "follow": { "file": "pppoe.json", "up_states": ["up"] }
 * the link counts as usable only while that file exists, passes its
 * schema, and its "state" is one of up_states.  Level-triggered through
 * hgw_watch, like every reader of state files. */
#ifndef HGW_FOLLOW_H
#define HGW_FOLLOW_H

#include <ev.h>
#include <jansson.h>
#include <stdbool.h>

#include "schema.h"

/* The config field for the clients' schemas (an optional object). */
extern const struct hgw_field follow_fields[];
#define FOLLOW_FIELD                                                                           \
	{ "follow", HGW_T_OBJECT, 0, 0, 0, follow_fields, NULL,                                \
	  "treat the link as down unless another daemon's state file says it is up "           \
	  "(e.g. {\"file\": \"pppoe.json\", \"up_states\": [\"up\"]}); absent = netlink only" }

struct follow;
/* A followed file must be a plain name in the state dir (no '/', no
 * leading '.'); returns false (logged with the JSON path) otherwise. */
bool follow_config_ok(const json_t *cfg, const char *section);
/* Returns NULL when cfg has no "follow" (always usable).  cb runs when
 * the followed state may have changed. */
struct follow *follow_new(struct ev_loop *loop, const char *state_dir, const json_t *cfg,
			  void (*cb)(void *arg), void *arg);
bool follow_ok(const struct follow *f);
void follow_free(struct follow *f);

#endif
