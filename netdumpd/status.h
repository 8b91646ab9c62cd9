/* netdumpd.json: what is captured, what the ring holds, who is watching.
 * Built from plain summaries so that it is checked against its schema
 * (common/state_netdumpd.c) in a unit test.  No I/O, no globals. */
#ifndef NETDUMPD_STATUS_H
#define NETDUMPD_STATUS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "ring.h"
#include "stream.h"

struct status_iface {
	const char *name;
	const char *linktype;
	uint64_t packets;
	uint64_t kernel_drops;
	int kernel_filter; /* 1 yes, 0 no, -1 not a capture (the AT socket) */
};

struct status_in {
	const struct status_iface *ifaces;
	int nifaces;
	const struct ring *ring;
	uint64_t kernel_drops; /* all interfaces, closed ones too */
	int clients_connected;
	json_t *clients;       /* array, stolen */
	uint64_t auth_failures;
};

json_t *status_doc(const struct status_in *in);
/* One SSH client; st is NULL until it streams. */
json_t *status_client(const char *peer, const char *user, const struct stream *st);

#endif
