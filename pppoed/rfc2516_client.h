/* PPPoE discovery, client side (RFC 2516 section 5): PADI with exponential
 * backoff, choice among the offering ACs by name and service, PADR retries
 * then back to PADI, PADT both ways.  I/O-free: the owner feeds received
 * discovery packets and timer expiries and sends what lands in tx. */
#ifndef PPPOED_RFC2516_CLIENT_H
#define PPPOED_RFC2516_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "rfc2516.h"

struct pd_config {
	const char *ac_name;   /* "" = any AC */
	const char *service;   /* "" = any service */
	uint16_t max_payload;  /* RFC 4638 PPP-Max-Payload to ask for (> 1492), 0 = don't */
	uint32_t padi_initial_ms, padi_max_ms;
	uint32_t padr_timeout_ms;
	int padr_tries;        /* PADRs per chosen AC before PADI again */
};

enum pd_state { PD_IDLE, PD_PADI_SENT, PD_PADR_SENT, PD_SESSION };

enum pd_event {
	PD_EV_NONE,
	PD_EV_SESSION, /* PADS with a session id: the session is up */
	PD_EV_PADT,    /* the AC ended the session */
	PD_EV_ERROR,   /* an error tag in PADS (already back to PADI) */
};

struct pd {
	struct pd_config cfg;
	const struct hgw_clock *clock;
	const struct hgw_rng *rng;
	enum pd_state state;
	struct hgw_backoff padi_backoff;
	int64_t deadline;       /* INT64_MAX = no timer */
	int padr_left;
	uint8_t host_uniq[8];
	/* the chosen AC */
	uint8_t ac_mac[6];
	char ac_name[PPPOE_NAME_MAX + 1];
	char service[PPPOE_NAME_MAX + 1];
	struct pppoe_blob cookie, relay;
	uint16_t sid;
	uint16_t max_payload;   /* granted by the AC in PADS (0 = none) */
	/* output, consumed by the owner */
	uint8_t tx[1500];
	size_t tx_len;
	uint8_t tx_dst[6];
	/* why the last offer/answer was refused or what the AC reported */
	char note[400];
	uint32_t padi_sent, pado_ignored;
};

void pd_init(struct pd *d, const struct pd_config *cfg, const struct hgw_clock *clock,
	     const struct hgw_rng *rng);
/* Starts (or restarts) discovery with a PADI now. */
void pd_start(struct pd *d);
/* Ends the session: builds a PADT when one is up (tx), back to idle. */
void pd_stop(struct pd *d);
/* A received discovery packet from src.  Returns the event it caused. */
enum pd_event pd_recv(struct pd *d, const uint8_t src[6], const uint8_t *pkt, size_t len);
void pd_timer(struct pd *d);
int64_t pd_next_timer(const struct pd *d);

const char *pd_state_name(enum pd_state s);

#endif
