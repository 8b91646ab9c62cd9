/* LCP options and codes for a PPPoE client.
 *
 * Policy (what we request, accept, nak, reject) in one place:
 *   MRU        request min(1492 or the RFC 4638 payload); accept any peer
 *              MRU up to what the link carries, nak larger ones down.
 *   Auth-Proto accept PAP or CHAP-MD5 as allowed by the config, nak anything
 *              else with the allowed one; reject when none is allowed.
 *   Magic      request a random one; nak zero and our own (loop detection).
 *   PFC, ACFC  reject: RFC 2516 7 forbids ACFC and PFC buys nothing on
 *              Ethernet; everything else: reject. */
#include "lcp.h"

#include <string.h>

#include "log.h"
#include "ppp_opts.h"

#define L(f) ((struct lcp *)(f)->proto_state)

static uint32_t new_magic(struct lcp *l)
{
	uint32_t m;
	do
		m = hgw_rand(l->rng);
	while (m == 0 || m == l->peer_magic);
	return m;
}

void lcp_init(struct lcp *l, uint16_t link_mru, const struct hgw_rng *rng)
{
	memset(l, 0, sizeof(*l));
	l->link_mru = link_mru;
	l->rng = rng;
	l->allow_pap = l->allow_chap = true;
	l->echo_at = INT64_MAX;
	l->peer_mru = 1500; /* RFC 1661 default */
}

static void lcp_reset(struct fsm *f)
{
	struct lcp *l = L(f);
	l->req_mru = true;
	l->want_mru = l->link_mru;
	l->req_magic = true;
	l->magic = new_magic(l);
	/* The peer's values are not reset here: they are whatever its last
	 * acked request said, and a request may already have been judged
	 * in this same event (Stopped + RCR). */
	l->loops = 0;
	l->looped = false;
	l->echo_outstanding = 0;
	l->echo_at = INT64_MAX;
}

static void lcp_build_req(struct fsm *f, struct hgw_wr *w)
{
	struct lcp *l = L(f);
	if (l->req_mru) {
		hgw_wr_u8(w, LCP_MRU);
		hgw_wr_u8(w, 4);
		hgw_wr_u16(w, l->want_mru);
	}
	if (l->req_magic) {
		hgw_wr_u8(w, LCP_MAGIC);
		hgw_wr_u8(w, 6);
		hgw_wr_u32(w, l->magic);
	}
}

static void note_loop(struct fsm *f)
{
	struct lcp *l = L(f);
	if (++l->loops >= LCP_MAX_LOOPS && !l->looped) {
		l->looped = true;
		log_warn("LCP: the link appears to be looped back (own magic number seen %d times)",
			 l->loops);
	}
}

static int lcp_recv_req(struct fsm *f, struct hgw_rd r, struct hgw_wr *w, bool may_nak)
{
	struct lcp *l = L(f);
	struct ppp_judge j;
	ppp_judge_init(&j);
	struct ppp_opt o;
	int rc;
	uint16_t mru = 1500, auth = 0;
	uint32_t magic = 0;
	bool seen_loop = false;
	while ((rc = ppp_opt_next(&r, &o)) > 0) {
		switch (o.type) {
		case LCP_MRU: {
			if (o.len != 2) {
				ppp_judge_rej(&j, &o);
				break;
			}
			uint16_t v = hgw_rd_u16(&o.v);
			if (v > l->link_mru) {
				uint8_t n[2] = { (uint8_t)(l->link_mru >> 8), (uint8_t)l->link_mru };
				ppp_judge_nak(&j, &o, may_nak, n, 2);
			} else {
				mru = v;
			}
			break;
		}
		case LCP_AUTH: {
			uint16_t p = o.len >= 2 ? hgw_rd_u16(&o.v) : 0;
			uint8_t alg = o.len == 3 ? hgw_rd_u8(&o.v) : 0;
			if (p == PPP_PAP && o.len == 2 && l->allow_pap) {
				auth = PPP_PAP;
			} else if (p == PPP_CHAP && o.len == 3 && alg == 5 && l->allow_chap) {
				auth = PPP_CHAP;
			} else if (l->allow_chap && !(l->prefer_pap && l->allow_pap)) {
				static const uint8_t chap[3] = { 0xc2, 0x23, 0x05 };
				ppp_judge_nak(&j, &o, may_nak, chap, 3);
			} else if (l->allow_pap) {
				static const uint8_t pap[2] = { 0xc0, 0x23 };
				ppp_judge_nak(&j, &o, may_nak, pap, 2);
			} else {
				ppp_judge_rej(&j, &o);
			}
			break;
		}
		case LCP_MAGIC: {
			if (o.len != 4) {
				ppp_judge_rej(&j, &o);
				break;
			}
			uint32_t v = hgw_rd_u32(&o.v);
			if (v == 0 || (l->req_magic && v == l->magic)) {
				/* RFC 1661 6.4: zero is illegal; our own
				 * magic means a loop, or a collision: pick a
				 * new one for us and suggest another. */
				if (v != 0) {
					seen_loop = true;
					note_loop(f);
					l->magic = new_magic(l);
				}
				uint32_t s = new_magic(l);
				uint8_t n[4] = { (uint8_t)(s >> 24), (uint8_t)(s >> 16), (uint8_t)(s >> 8),
						 (uint8_t)s };
				ppp_judge_nak(&j, &o, may_nak, n, 4);
			} else {
				magic = v;
			}
			break;
		}
		default: /* PFC, ACFC, callback, anything else */
			ppp_judge_rej(&j, &o);
		}
	}
	if (rc < 0)
		return -1;
	if (!seen_loop)
		l->loops = 0;
	int code = ppp_judge_end(&j, w);
	if (code == CP_CONF_ACK) {
		l->peer_mru = mru;
		l->auth = auth;
		l->peer_magic = magic;
	}
	return code;
}

/* An Ack must repeat our request exactly (RFC 1661 5.2). */
static int same_as_req(struct fsm *f, struct hgw_rd r)
{
	uint8_t buf[64];
	struct hgw_wr w = hgw_wr_init(buf, sizeof(buf));
	f->p->build_req(f, &w);
	return (hgw_rd_left(&r) == hgw_wr_len(&w) && memcmp(r.p + r.off, buf, hgw_wr_len(&w)) == 0)
		       ? 0
		       : -1;
}

static int lcp_recv_ack(struct fsm *f, struct hgw_rd r)
{
	return same_as_req(f, r);
}

static int lcp_recv_nak(struct fsm *f, struct hgw_rd r)
{
	struct lcp *l = L(f);
	struct ppp_opt o;
	int rc;
	while ((rc = ppp_opt_next(&r, &o)) > 0) {
		if (o.type == LCP_MRU && o.len == 2) {
			uint16_t v = hgw_rd_u16(&o.v);
			/* Take a smaller MRU down to the minimum IPv6 needs
			 * plus room; never one the link cannot carry. */
			if (v >= 1280 && v <= l->link_mru)
				l->want_mru = v;
			l->req_mru = true;
		} else if (o.type == LCP_MAGIC && o.len == 4) {
			note_loop(f);
			l->magic = new_magic(l);
		}
		/* A Nak may suggest options we did not ask for
		 * (e.g. Auth-Protocol): a client does not authenticate the
		 * AC, so those are ignored. */
	}
	return rc < 0 ? -1 : 0;
}

static int lcp_recv_rej(struct fsm *f, struct hgw_rd r)
{
	struct lcp *l = L(f);
	struct ppp_opt o;
	int rc;
	bool mru = false, magic = false;
	while ((rc = ppp_opt_next(&r, &o)) > 0) {
		if (o.type == LCP_MRU && l->req_mru)
			mru = true;
		else if (o.type == LCP_MAGIC && l->req_magic)
			magic = true;
		else
			return -1; /* 5.4: only options we sent may be rejected */
	}
	if (rc < 0)
		return -1;
	if (mru)
		l->req_mru = false;
	if (magic)
		l->req_magic = false;
	return 0;
}

static int lcp_recv_other(struct fsm *f, uint8_t code, uint8_t id, struct hgw_rd data)
{
	struct lcp *l = L(f);
	(void)id;
	switch (code) {
	case CP_PROTO_REJ: {
		uint16_t p = hgw_rd_u16(&data);
		if (!hgw_rd_ok(&data))
			return -1;
		log_info("LCP: peer rejected protocol 0x%04x", p);
		if (p == PPP_LCP)
			return EV_RXJ_MINUS;
		if (f->state == FSM_OPENED && l->proto_rej)
			l->proto_rej(f->owner, p);
		return EV_RXJ_PLUS;
	}
	case CP_ECHO_REQ:
	case CP_ECHO_REP: {
		uint32_t m = hgw_rd_u32(&data);
		if (!hgw_rd_ok(&data))
			return -1;
		if (l->req_magic && m == l->magic && m != 0) {
			note_loop(f);
			return -1;
		}
		if (code == CP_ECHO_REQ)
			return EV_RXR; /* Send-Echo-Reply in Opened only */
		if (f->state == FSM_OPENED)
			l->echo_outstanding = 0;
		return -1;
	}
	case CP_DISC_REQ:
		return -1;
	default:
		return EV_RUC;
	}
}

static void lcp_ser(struct fsm *f, uint8_t id, struct hgw_rd data)
{
	struct lcp *l = L(f);
	uint8_t buf[1400];
	struct hgw_wr w = hgw_wr_init(buf, sizeof(buf));
	hgw_wr_u32(&w, l->req_magic ? l->magic : 0);
	hgw_rd_skip(&data, 4);
	size_t n = hgw_rd_left(&data);
	if (n > sizeof(buf) - 4)
		n = sizeof(buf) - 4;
	hgw_wr_bytes(&w, data.p + data.off, n);
	fsm_send(f, CP_ECHO_REP, id, buf, hgw_wr_len(&w));
}

int lcp_echo_timer(struct fsm *f)
{
	struct lcp *l = L(f);
	if (f->state != FSM_OPENED || !l->echo_interval_ms || !f->clock)
		return 0;
	int64_t now = hgw_now_ms(f->clock);
	if (l->echo_at == INT64_MAX)
		l->echo_at = now + l->echo_interval_ms;
	if (now < l->echo_at)
		return 0;
	if (l->echo_outstanding >= l->echo_max_fail)
		return -1;
	uint8_t m[4] = { (uint8_t)(l->magic >> 24), (uint8_t)(l->magic >> 16), (uint8_t)(l->magic >> 8),
			 (uint8_t)l->magic };
	if (!l->req_magic)
		memset(m, 0, 4);
	fsm_send(f, CP_ECHO_REQ, ++l->echo_id, m, 4);
	l->echo_outstanding++;
	l->echo_at = now + l->echo_interval_ms;
	return 0;
}

int64_t lcp_next_timer(const struct fsm *f)
{
	const struct lcp *l = f->proto_state;
	if (f->state != FSM_OPENED || !l->echo_interval_ms)
		return INT64_MAX;
	return l->echo_at;
}

void lcp_send_proto_rej(struct fsm *f, const uint8_t *frame, size_t len)
{
	if (f->state != FSM_OPENED)
		return;
	fsm_send(f, CP_PROTO_REJ, f->next_id++, frame, len > 1400 ? 1400 : len);
}

static void lcp_nop(struct fsm *f) { (void)f; }

const struct fsm_proto lcp_proto = {
	.name = "LCP",
	.proto = PPP_LCP,
	.max_code = CP_DISC_REQ,
	.reset = lcp_reset,
	.build_req = lcp_build_req,
	.recv_req = lcp_recv_req,
	.recv_ack = lcp_recv_ack,
	.recv_nak = lcp_recv_nak,
	.recv_rej = lcp_recv_rej,
	.recv_other = lcp_recv_other,
	.ser = lcp_ser,
	/* The session overrides these through its own copy of the table. */
	.tlu = lcp_nop,
	.tld = lcp_nop,
	.tls = lcp_nop,
	.tlf = lcp_nop,
};
