/* DHCPv6 client state machine (RFC 8415 section 18), I/O-free.
 *
 * The driver (main6.c, or a unit test) feeds it parsed messages, timer
 * expiries and link changes; the machine answers by leaving at most one
 * message in c->tx (always for All_DHCP_Relay_Agents_and_Servers,
 * ff02::1:2: we never unicast, so a server's Unicast option and the
 * UseMulticast status need no handling) and telling when it next wants
 * d6c_timer() through d6c_next_timer().  Time comes from the injected
 * clock, randomness (xids, RAND) from the injected RNG.
 *
 * The lease is the last accepted Reply kept verbatim plus when it arrived;
 * every absolute time is derived from those two, so persisting the lease
 * is writing the packet and one timestamp. */
#ifndef HGW_RFC8415_CLIENT_H
#define HGW_RFC8415_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "rfc8415_msg.h"
#include "rfc8415_rt.h"

enum d6c_state {
	D6C_INIT,        /* waiting out the random initial delay */
	D6C_SOLICITING,
	D6C_REQUESTING,
	D6C_BOUND,
	D6C_RENEWING,
	D6C_REBINDING,
	D6C_UNBOUND,     /* link gone: lease kept, nothing sent */
	D6C_RELEASING,
	D6C_RELEASED,
	D6C_INFORMING,   /* Information-request mode, waiting for the Reply */
	D6C_INFORMED,    /* Information-request mode, have the Reply */
	D6C_DECLINING,   /* an IA_NA address failed DAD: Decline exchange */
};

struct d6c_config {
	bool ia_na, ia_pd;
	uint8_t pd_hint_len;          /* prefix length asked for when there is no old prefix */
	bool rapid_commit;
	bool info_only;               /* stateless: Information-request only */
	bool reconf_accept;           /* offer Reconfigure Accept, honour authenticated Reconfigure */
	uint32_t initial_delay_max_ms; /* RFC 8415 18.2.1 SOL_MAX_DELAY (1 s) */
	struct d6_duid duid;
	uint32_t iaid;
	uint16_t oro[16];
	int n_oro;
	uint8_t vendor_class[64];
	size_t vendor_class_len;
};

struct d6c_lease {
	bool valid;
	struct d6_msg reply;      /* the accepted Reply (IAs filtered) */
	uint8_t raw[1500];        /* its bytes, for the lease file */
	size_t raw_len;
	int64_t obtained_wall;    /* Unix seconds */
	int64_t obtained_mono;    /* ms */
	uint32_t t1, t2;          /* effective seconds (D6_INFINITY = never) */
};

struct d6c {
	struct d6c_config cfg;
	const struct hgw_clock *clock;
	const struct hgw_rng *rng;
	enum d6c_state state;
	bool link_up;
	uint32_t xid;
	struct d6_rt rt;
	int64_t delay_until;      /* D6C_INIT */
	/* Solicit: the best Advertise so far and whether the first RT is over. */
	bool have_adv, first_rt_over;
	struct d6_msg adv;
	struct d6c_lease lease;
	/* Hints for the next Solicit: the last prefixes/addresses we had
	 * (RFC 8415 18.2.1: re-request the same prefix after a reconnect). */
	struct d6_ia hint_na, hint_pd;
	struct in6_addr declined;  /* D6C_DECLINING */
	int64_t info_refresh_at;  /* D6C_INFORMED */
	uint32_t sol_max_rt_ms;   /* server may lower/raise it (21.24) */
	/* Reconfigure Key Authentication Protocol (20.4): the key from the
	 * server's Reply and the last replay-detection value seen. */
	bool have_reconf_key;
	uint8_t reconf_key[16];
	uint64_t last_replay;
	unsigned long reconfigured;
	/* Output. */
	uint8_t tx[1500];
	size_t tx_len;
	bool changed;             /* publish and persist */
	unsigned long sent, received, ignored;
	char last_event[96];      /* for logs */
};

void d6c_init(struct d6c *c, const struct d6c_config *cfg, const struct hgw_clock *clock,
	      const struct hgw_rng *rng);
/* Installs a lease read from the lease file; returns false if it is not
 * a usable Reply for us or has already expired. */
bool d6c_restore(struct d6c *c, const uint8_t *raw, size_t len, int64_t obtained_wall);
/* Starts (or restarts after link up): rebinds a still valid lease first,
 * else solicits. */
void d6c_start(struct d6c *c);
/* The link went away (up=false) or came back. */
void d6c_link(struct d6c *c, bool up);
/* A message arrived (already parsed). */
void d6c_recv(struct d6c *c, const struct d6_msg *m, const uint8_t *raw, size_t len);
/* Timer: call when d6c_next_timer() has passed. */
void d6c_timer(struct d6c *c);
/* Monotonic ms of the next timer, INT64_MAX = none. */
int64_t d6c_next_timer(const struct d6c *c);
/* An IA_NA address of the lease is a duplicate on the link (DAD failed):
 * Decline it (18.2.8), then Solicit for another, keeping the prefixes
 * meanwhile.  Returns false if addr is not ours or no lease is bound. */
bool d6c_decline(struct d6c *c, const struct in6_addr *addr);
/* Stop: Release the bound lease (returns true if a Release is being sent;
 * the driver then waits for D6C_RELEASED or a deadline). */
bool d6c_release(struct d6c *c);

const char *d6c_state_name(enum d6c_state s);
/* Absolute wall time of an offset in seconds from the lease's start,
 * or -1 for infinity. */
int64_t d6c_abs(const struct d6c_lease *l, uint32_t secs);

#endif
