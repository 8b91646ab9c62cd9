/* DHCPv4 client state machine (RFC 2131 section 4.4, figure 5), I/O-free.
 *
 * Like rfc8415_client.h: the driver feeds parsed messages, timer expiries
 * and link changes; the machine leaves at most one message in c->tx with
 * where it goes (broadcast from 0.0.0.0 or ciaddr, or unicast to the
 * server) and says when it next wants d4c_timer().
 *
 * Retransmission (4.1): 4 s randomised by +-1 s, doubling up to 64 s;
 * Renew/Rebind retransmit after half the time left to T2 / lease end, at
 * least 60 s (4.4.5). */
#ifndef HGW_RFC2131_CLIENT_H
#define HGW_RFC2131_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "rfc2131_msg.h"

enum d4c_state {
	D4C_INIT, D4C_SELECTING, D4C_REQUESTING, D4C_REBOOTING, D4C_BOUND, D4C_RENEWING,
	D4C_REBINDING, D4C_UNBOUND, D4C_RELEASED,
	D4C_CHECKING,   /* ACKed, probing the address with ARP before using it */
};

struct d4c_config {
	uint8_t htype, hlen, chaddr[16];
	uint8_t client_id[64];
	size_t client_id_len;
	char hostname[64];
	uint8_t vendor_class[128];
	size_t vendor_class_len;
	uint8_t vivso[255];
	size_t vivso_len;
	uint8_t prl[32];
	size_t prl_len;
	bool broadcast_flag;
	uint32_t initial_delay_max_ms; /* RFC 2131 4.4.1: 1..10 s suggested; 0 in tests */
	uint32_t first_rt_ms;          /* 4000 per 4.1; tests may shorten */
	uint32_t arp_probe_ms;         /* 4.4.1 ARP check before use; 0 = none (no ARP on the link) */
};

struct d4c_lease {
	bool valid;
	struct d4_msg ack;
	uint8_t raw[1500];
	size_t raw_len;
	int64_t obtained_wall, obtained_mono;
	uint32_t lease, t1, t2; /* seconds, D4_INFINITY = never */
	uint8_t plen;           /* from the mask; 32 without one */
};

struct d4c {
	struct d4c_config cfg;
	const struct hgw_clock *clock;
	const struct hgw_rng *rng;
	enum d4c_state state;
	bool link_up;
	uint32_t xid;
	int64_t start_ms;  /* beginning of the acquisition, for secs */
	int64_t next_ms;   /* next retransmission / state timer */
	uint32_t rt_ms;    /* current retransmission base */
	int tries;
	struct in_addr offered, offer_server;
	struct d4c_lease lease;
	/* Output */
	uint8_t tx[600];
	size_t tx_len;
	bool tx_unicast;
	struct in_addr tx_src, tx_dst;
	bool probe;               /* driver: send an ARP probe for lease.ack.yiaddr now */
	bool changed;
	unsigned long sent, received, ignored;
};

void d4c_init(struct d4c *c, const struct d4c_config *cfg, const struct hgw_clock *clock,
	      const struct hgw_rng *rng);
bool d4c_restore(struct d4c *c, const uint8_t *raw, size_t len, int64_t obtained_wall);
void d4c_start(struct d4c *c);
void d4c_link(struct d4c *c, bool up);
void d4c_recv(struct d4c *c, const struct d4_msg *m, const uint8_t *raw, size_t len);
void d4c_timer(struct d4c *c);
int64_t d4c_next_timer(const struct d4c *c);
/* The driver saw another host use the address being checked (an ARP
 * reply or probe for it from another MAC): DECLINE it and start over. */
void d4c_conflict(struct d4c *c);
/* Sends a Release (unicast to the server, no answer expected) if bound. */
bool d4c_release(struct d4c *c);

const char *d4c_state_name(enum d4c_state s);
int64_t d4c_abs(const struct d4c_lease *l, uint32_t secs);

#endif
