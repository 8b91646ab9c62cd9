/* IPv6CP (RFC 5072) option policy: Interface-Identifier only.
 *   ours   request the remembered one or a random one; take a Nak's
 *          suggestion unless it is zero or the peer's.
 *   theirs accept a non-zero identifier different from ours; nak zero or
 *          ours with a fresh random one (RFC 5072 4.1). */
#include <string.h>

#include "ipcp.h"
#include "ppp_opts.h"

#define V(f) ((struct ipv6cp *)(f)->proto_state)

static uint64_t random_iid(struct ipv6cp *c)
{
	uint64_t v;
	do
		v = ((uint64_t)hgw_rand(c->rng) << 32) | hgw_rand(c->rng);
	while (v == 0 || v == c->peer_iid);
	return v;
}

static void v6_reset(struct fsm *f)
{
	struct ipv6cp *c = V(f);
	c->req_iid = true;
	c->want_iid = c->hint ? c->hint : random_iid(c);
}

static void v6_build_req(struct fsm *f, struct hgw_wr *w)
{
	struct ipv6cp *c = V(f);
	if (c->req_iid) {
		hgw_wr_u8(w, IPV6CP_IID);
		hgw_wr_u8(w, 10);
		hgw_wr_u64(w, c->want_iid);
	}
}

static int v6_recv_req(struct fsm *f, struct hgw_rd r, struct hgw_wr *w, bool may_nak)
{
	struct ipv6cp *c = V(f);
	struct ppp_judge j;
	ppp_judge_init(&j);
	struct ppp_opt o;
	int rc;
	uint64_t peer = 0;
	while ((rc = ppp_opt_next(&r, &o)) > 0) {
		if (o.type != IPV6CP_IID || o.len != 8) {
			ppp_judge_rej(&j, &o);
			continue;
		}
		uint64_t v = hgw_rd_u64(&o.v);
		if (v == 0 || (c->req_iid && v == c->want_iid)) {
			uint64_t s;
			do
				s = random_iid(c);
			while (s == c->want_iid);
			uint8_t n[8];
			for (int i = 0; i < 8; i++)
				n[i] = (uint8_t)(s >> (56 - 8 * i));
			ppp_judge_nak(&j, &o, may_nak, n, 8);
		} else {
			peer = v;
		}
	}
	if (rc < 0)
		return -1;
	int code = ppp_judge_end(&j, w);
	if (code == CP_CONF_ACK)
		c->peer_iid = peer;
	return code;
}

static int v6_recv_ack(struct fsm *f, struct hgw_rd r)
{
	struct ipv6cp *c = V(f);
	uint8_t buf[16];
	struct hgw_wr w = hgw_wr_init(buf, sizeof(buf));
	v6_build_req(f, &w);
	if (hgw_rd_left(&r) != hgw_wr_len(&w) || memcmp(r.p + r.off, buf, hgw_wr_len(&w)) != 0)
		return -1;
	c->iid = c->req_iid ? c->want_iid : 0;
	return 0;
}

static int v6_recv_nak(struct fsm *f, struct hgw_rd r)
{
	struct ipv6cp *c = V(f);
	struct ppp_opt o;
	int rc;
	while ((rc = ppp_opt_next(&r, &o)) > 0) {
		if (o.type != IPV6CP_IID || o.len != 8)
			continue;
		uint64_t v = hgw_rd_u64(&o.v);
		c->want_iid = (v != 0 && v != c->peer_iid) ? v : random_iid(c);
		c->req_iid = true;
	}
	return rc < 0 ? -1 : 0;
}

static int v6_recv_rej(struct fsm *f, struct hgw_rd r)
{
	struct ipv6cp *c = V(f);
	struct ppp_opt o;
	int rc;
	while ((rc = ppp_opt_next(&r, &o)) > 0) {
		if (o.type != IPV6CP_IID || !c->req_iid)
			return -1;
	}
	if (rc < 0)
		return -1;
	c->req_iid = false;
	return 0;
}

static void nop(struct fsm *f) { (void)f; }

const struct fsm_proto ipv6cp_proto = {
	.name = "IPv6CP",
	.proto = 0x8057,
	.max_code = CP_CODE_REJ,
	.reset = v6_reset,
	.build_req = v6_build_req,
	.recv_req = v6_recv_req,
	.recv_ack = v6_recv_ack,
	.recv_nak = v6_recv_nak,
	.recv_rej = v6_recv_rej,
	.tlu = nop, .tld = nop, .tls = nop, .tlf = nop,
};
