/* RFC 8157 home-gateway state machine (control plane), I/O-free.
 *
 * The caller feeds it link events (LTE/DSL address up or down), received
 * control messages and the passage of time; it answers with messages to send
 * (an outbox the caller drains after every call) and a state the caller
 * publishes.  No sockets, no globals: time comes from struct hgw_clock and
 * jitter from struct hgw_rng, so tests drive it with fake ones.
 *
 * Order of bring-up (RFC 8157 6.2, and what the Speedport does): the LTE
 * tunnel first, Request to the anycast address G with key 0 and the CIN; the
 * Accept gives H, the session id, the bonding key and the timers; then the
 * DSL tunnel, Request to H with the bonding key, the same session id and the
 * DSL sync rate. */
#ifndef HYBRIDD_RFC8157_CLIENT_H
#define HYBRIDD_RFC8157_CLIENT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "rfc8157_msg.h"

enum hc_tun { HC_LTE = 0, HC_DSL = 1, HC_NTUN = 2 };

enum hc_tstate {
	HC_T_DOWN,    /* link down or not wanted */
	HC_T_SETUP,   /* Request sent, waiting for Accept/Deny */
	HC_T_UP,      /* Accepted, Hellos running */
	HC_T_BACKOFF, /* Denied, torn down or failed: waiting before the next Request */
};

enum hc_hello_mode { HC_HELLO_ACTIVE, HC_HELLO_IDLE };

struct hc_config {
	uint16_t proto;          /* 0x0101 Telekom or 0xB7EA RFC */
	uint8_t tt_lte, tt_dsl;  /* tunnel type values on the wire */
	bool bonding;            /* false: LTE tunnel only */
	char cin[RFC8157_CIN_LEN + 1];
	struct in6_addr anycast; /* G */
	uint32_t request_timeout_ms; /* resend an unanswered Request after this (grows) */
	uint32_t backoff_initial_ms, backoff_max_ms; /* after Deny / Tear Down / failure */
	uint32_t dsl_sync_kbps;  /* attribute 7 */
	uint32_t dsl_line_type;  /* attribute 53, 0 = not sent */
	char bras[RFC8157_BRAS_LEN + 1]; /* attribute 54, "" = not sent */
	uint32_t active_hello_s; /* 0 = what the HAAP says */
	uint32_t hello_retry;    /* 0 = what the HAAP says */
	bool idle_switching;     /* ask for idle hellos when there is no traffic */
	uint32_t notify_resend_ms; /* resend an un-echoed Notify after this */
	uint32_t notify_tries;
};

#define HC_RTT_SAMPLES 8

struct hc_tunnel {
	enum hc_tstate st;
	bool link;              /* the WAN link has a usable address */
	struct in6_addr local;  /* E or D */
	int64_t next_ms;        /* next Request, or next Hello when up */
	int64_t up_since_ms;
	int64_t down_since_ms;
	uint32_t misses;        /* consecutive unanswered Hellos */
	bool hello_outstanding;
	struct hgw_backoff req_backoff; /* unanswered Requests */
	struct hgw_backoff backoff;     /* Deny / Tear Down / failure */
	uint32_t last_error;    /* error code of the last Deny/Tear Down, 0 = none */
	char last_error_text[96];
	/* RTT: the median of the last samples, so a single slow echo (the
	 * captures show 2.3 s) does not move it. */
	int32_t rtt[HC_RTT_SAMPLES];
	unsigned nrtt, rtt_pos;
	int32_t rtt_ms, rtt_min_ms; /* -1 = unknown */
	uint64_t requests, accepts, denies, hellos_sent, hellos_recv, failures;
};

/* A Notify we sent and wait to see echoed. */
struct hc_pending {
	bool used;
	enum hc_tun tun;
	uint8_t attrs[4]; /* attribute types identifying the echo */
	unsigned nattrs;
	uint8_t buf[64];
	uint16_t len;
	unsigned tries;
	int64_t next_ms;
};

#define HC_OUTBOX 16
struct hc_out {
	enum hc_tun tun;
	struct in6_addr dst;
	uint16_t len;
	uint8_t buf[RFC8157_MAX_MSG];
};

/* Counters of what was dropped, by reason (hostile-input tests read them). */
struct hc_drops {
	uint64_t malformed, wrong_src, wrong_key, wrong_ttype, unexpected, clamped;
};

struct hc {
	struct hc_config cfg;
	const struct hgw_clock *clock;
	const struct hgw_rng *rng;
	struct hc_tunnel t[HC_NTUN];

	bool have_session;
	uint32_t session_id, bonding_key;
	struct in6_addr haap; /* H */

	/* timers in force (from the LTE and DSL Accepts, clamped) */
	uint32_t rtt_threshold_ms, bypass_interval_s, active_hello_s, hello_retry;
	uint32_t idle_timeout_s, rtt_violation, rtt_compliance, idle_hello_s, no_traffic_s;
	uint32_t dsl_up_kbps, dsl_down_kbps, max_reorder_ms, up_burst_ms;

	/* RTT difference switching (RFC 8157 5.6.3/5.6.4): LTE is left out of
	 * the upstream while the RTTs differ by more than the threshold */
	bool dsl_only;
	uint32_t rtt_viol, rtt_comp;

	enum hc_hello_mode hello_mode;
	int64_t last_traffic_ms;
	uint32_t bypass_kbps;
	int64_t next_bypass_ms;

	bool have_filter;
	struct rfc8157_filter_list filter;
	/* a multi-packet list being collected */
	struct rfc8157_filter_list filter_new;
	uint32_t filter_parts; /* bitmap of packet ids seen for filter_new.commit */

	bool have_prefix;
	struct rfc8157_prefix prefix; /* our delegated prefix: attributes 13 and 21 */
	struct rfc8157_prefix prefix_reported;
	bool prefix_reported_valid;

	struct hc_pending pending[8];
	struct hc_drops drops;
	uint64_t rx_msgs, tx_msgs, unknown_attrs;

	struct hc_out out[HC_OUTBOX];
	unsigned nout;
	uint64_t out_overflow;

	bool changed; /* something worth publishing happened */
};

void hc_init(struct hc *c, const struct hc_config *cfg, const struct hgw_clock *clock,
	     const struct hgw_rng *rng);
/* A WAN link gained or lost its address (local NULL = down). */
void hc_link(struct hc *c, enum hc_tun tun, const struct in6_addr *local);
/* A control message arrived on tunnel tun (the caller knows which local
 * address it was sent to) from src.  Returns 0 if handled, -1 if dropped. */
int hc_input(struct hc *c, enum hc_tun tun, const struct in6_addr *src, const uint8_t *buf,
	     size_t len);
/* Runs the timers; returns the next deadline (monotonic ms). */
int64_t hc_tick(struct hc *c);
/* The delegated prefix (DHCPv6 IA_PD in the tunnel) changed; NULL = none. */
void hc_set_prefix(struct hc *c, const struct rfc8157_prefix *p);
/* The data plane saw user traffic (drives idle/active switching). */
void hc_traffic(struct hc *c);
/* Downstream bypass traffic rate for attribute 6. */
void hc_set_bypass_rate(struct hc *c, uint32_t kbps);
/* Restores a session id remembered across a restart (re-establishment). */
void hc_restore_session(struct hc *c, uint32_t session_id);

/* Overall state for hybrid.json ("down", "lte-setup", "lte", ...). */
const char *hc_state_name(const struct hc *c);
const char *hc_tstate_name(enum hc_tstate s);
static inline bool hc_up(const struct hc *c, enum hc_tun t) { return c->t[t].st == HC_T_UP; }

#endif
