/* LCP (RFC 1661 6, 5.7-5.8): the options a PPPoE client negotiates and the
 * link-level codes (Protocol-Reject, Echo, Discard).  Plugged into the
 * generic automaton as fsm_proto. */
#ifndef PPPOED_LCP_H
#define PPPOED_LCP_H

#include "rfc1661.h"

#define PPP_LCP 0xc021
#define PPP_PAP 0xc023
#define PPP_CHAP 0xc223
#define PPP_IPCP 0x8021
#define PPP_IPV6CP 0x8057
#define PPP_IP 0x0021
#define PPP_IPV6 0x0057

enum lcp_opt { LCP_MRU = 1, LCP_AUTH = 3, LCP_MAGIC = 5, LCP_PFC = 7, LCP_ACFC = 8 };

/* Loops detected in a row before the link is declared looped back. */
#define LCP_MAX_LOOPS 5

struct lcp {
	/* policy, set by the owner */
	uint16_t link_mru;     /* most the link carries: 1492, or RFC 4638's */
	bool allow_pap, allow_chap;
	bool prefer_pap;       /* Nak with PAP rather than CHAP-MD5 */
	const struct hgw_rng *rng;
	/* Protocol-Reject of another protocol: the owner stops that NCP. */
	void (*proto_rej)(void *owner, uint16_t proto);
	/* our request */
	bool req_mru, req_magic;
	uint16_t want_mru;
	uint32_t magic;
	/* the peer's, as acked */
	uint16_t peer_mru;
	uint16_t auth;         /* protocol the peer wants us to use, 0 = none */
	uint32_t peer_magic;
	int loops;             /* consecutive looped-back magic numbers */
	bool looped;
	/* keepalive */
	uint32_t echo_interval_ms;
	int echo_max_fail;
	int echo_outstanding;
	uint8_t echo_id;
	int64_t echo_at;
};

extern const struct fsm_proto lcp_proto;

void lcp_init(struct lcp *l, uint16_t link_mru, const struct hgw_rng *rng);
/* Keepalive: sends an Echo-Request when due.  Returns -1 when
 * echo_max_fail requests in a row went unanswered (the peer is gone). */
int lcp_echo_timer(struct fsm *f);
int64_t lcp_next_timer(const struct fsm *f);
/* Sends a Protocol-Reject for a frame of an unknown protocol (only in
 * Opened, RFC 1661 5.7). */
void lcp_send_proto_rej(struct fsm *f, const uint8_t *frame, size_t len);

#endif
