/* pppoe.json from a session (schema: common/state_pppoe.c), and the small
 * file in the data dir that remembers the last addresses. */
#ifndef PPPOED_PPPOE_DOC_H
#define PPPOED_PPPOE_DOC_H

#include <jansson.h>

#include "session.h"

struct doc_ctx {
	const char *ifname;    /* PPP or TUN device */
	const char *ethernet;
	const char *mode;      /* "kernel" or "userspace" */
	int64_t next_attempt_wall; /* 0 = none */
};

json_t *pppoe_doc(const struct session *s, const struct doc_ctx *c);

/* pppoed.last.json: {"ipv4": "a.b.c.d", "ipv6_iid": "xxxx:xxxx:xxxx:xxxx"}.
 * Loading a missing or bad file gives zeros (and a log line if bad). */
void pppoe_last_load(const char *data_dir, uint32_t *ipv4, uint64_t *iid);
int pppoe_last_save(const char *data_dir, uint32_t ipv4, uint64_t iid);

#endif
