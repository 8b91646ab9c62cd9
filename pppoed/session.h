/* One PPPoE client connection, end to end and forever: discovery, LCP,
 * authentication, IPCP/IPv6CP, keepalive, teardown and reconnect with
 * backoff.  Ties the spec-named pieces together; still I/O-free: the owner
 * feeds received frames and timer expiries, and sends what lands in out[]
 * (discovery packets whole, session traffic as PPP frames that the data
 * plane wraps in a PPPoE header or hands to the kernel channel). */
#ifndef PPPOED_SESSION_H
#define PPPOED_SESSION_H

#include "auth.h"
#include "ipcp.h"
#include "lcp.h"
#include "rfc1661.h"
#include "rfc2516_client.h"

struct session_config {
	struct pd_config pd;
	const char *user, *secret;
	bool allow_pap, allow_chap, prefer_pap;
	bool ipv4, ipv6;
	bool ask_dns;
	uint16_t mru;                   /* what we ask for; > 1492 needs RFC 4638 */
	uint32_t restart_ms;            /* RFC 1661 Restart timer */
	int max_configure, max_terminate, max_failure;
	uint32_t echo_interval_ms;      /* 0 = no keepalive */
	int echo_failures;
	uint32_t auth_timeout_ms;
	uint32_t reconnect_initial_ms, reconnect_max_ms;
	uint32_t auth_retry_initial_ms, auth_retry_max_ms;
	uint32_t hint_ipv4;             /* remembered address, 0 = none */
	uint64_t hint_iid;              /* remembered interface identifier */
};

enum session_phase {
	PH_DOWN,        /* waiting before the next attempt */
	PH_DISCOVERY,
	PH_LCP,
	PH_AUTH,
	PH_NETWORK,
	PH_UP,
	PH_TERMINATING,
	PH_STOPPED,     /* after stop: nothing more happens */
};

#define SESSION_OUT_MAX 16
struct session_frame {
	bool disc;             /* discovery packet (whole) or PPP frame */
	uint8_t dst[6];
	uint16_t len;
	uint8_t buf[1520];
};

struct session {
	struct session_config cfg;
	const struct hgw_clock *clock;
	const struct hgw_rng *rng;
	enum session_phase phase;
	struct pd pd;
	struct fsm_proto lcp_p, ipcp_p, v6_p;
	struct fsm lcp_f, ipcp_f, v6_f;
	struct lcp lcp;
	struct ipcp ipcp;
	struct ipv6cp v6;
	struct auth auth;
	struct hgw_backoff reconnect, auth_retry;
	int64_t retry_at, auth_deadline;
	bool stopping, immediate, auth_failed, tearing_down;
	bool v4_up, v6_up;
	bool failure_noted;             /* this attempt's failure is recorded */
	uint16_t sid;
	uint8_t ac_mac[6];
	uint16_t mtu;                   /* what we may send: the peer's MRU */
	/* output */
	struct session_frame out[SESSION_OUT_MAX];
	int n_out;
	uint32_t out_dropped;
	/* status for pppoe.json */
	bool changed;                   /* publish again */
	bool remember;                  /* addresses to save in the data dir */
	char last_failure[512];
	int64_t connected_since;        /* wall seconds, 0 = not up */
	uint32_t attempts, failures;
};

void session_init(struct session *s, const struct session_config *cfg,
		  const struct hgw_clock *clock, const struct hgw_rng *rng);
void session_start(struct session *s);
void session_recv_disc(struct session *s, const uint8_t src[6], const uint8_t *pkt, size_t len);
/* A PPP frame (protocol + information) of our session.  Returns the
 * protocol if it is IPv4/IPv6 data the owner should deliver (the NCP is
 * open), 0 otherwise (consumed or dropped). */
uint16_t session_recv_ppp(struct session *s, const uint8_t *frame, size_t len);
void session_timer(struct session *s);
int64_t session_next_timer(const struct session *s);
/* Graceful stop: Terminate-Request, then PADT; ends in PH_STOPPED. */
void session_stop(struct session *s);
/* Stop now without waiting for the peer: PADT, PH_STOPPED. */
void session_abort(struct session *s);
/* SIGHUP: the same teardown, then a new attempt at once. */
void session_reconnect(struct session *s, const char *why);
/* May IPv4 (0x0021) / IPv6 (0x0057) data flow now? */
bool session_data_ok(const struct session *s, uint16_t proto);

const char *session_phase_name(enum session_phase p);

#endif
