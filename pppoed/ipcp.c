/* IPCP (RFC 1332, RFC 1877) option policy for a client:
 *   IP-Address   request 0.0.0.0 (or the remembered address) and take the
 *                AC's Nak; accept the AC's own non-zero address, reject a
 *                request for 0.0.0.0 (we have no address to give).
 *   DNS 129/131  request both; a Reject means the AC has none to give.
 *   Anything else (VJ compression, NBNS, ...): reject. */
#include "ipcp.h"

#include <string.h>

#include "ppp_opts.h"

#define I(f) ((struct ipcp *)(f)->proto_state)

static void ipcp_reset(struct fsm *f)
{
	struct ipcp *c = I(f);
	c->req_addr = true;
	c->want_addr = c->hint;
	c->req_dns[0] = c->req_dns[1] = c->ask_dns;
	c->want_dns[0] = c->want_dns[1] = 0;
}

static void put_addr(struct hgw_wr *w, uint8_t type, uint32_t a)
{
	hgw_wr_u8(w, type);
	hgw_wr_u8(w, 6);
	hgw_wr_u32(w, a);
}

static void ipcp_build_req(struct fsm *f, struct hgw_wr *w)
{
	struct ipcp *c = I(f);
	if (c->req_addr)
		put_addr(w, IPCP_ADDR, c->want_addr);
	if (c->req_dns[0])
		put_addr(w, IPCP_DNS1, c->want_dns[0]);
	if (c->req_dns[1])
		put_addr(w, IPCP_DNS2, c->want_dns[1]);
}

static int ipcp_recv_req(struct fsm *f, struct hgw_rd r, struct hgw_wr *w, bool may_nak)
{
	struct ipcp *c = I(f);
	(void)may_nak;
	struct ppp_judge j;
	ppp_judge_init(&j);
	struct ppp_opt o;
	int rc;
	uint32_t peer = 0;
	while ((rc = ppp_opt_next(&r, &o)) > 0) {
		if (o.type == IPCP_ADDR && o.len == 4 && (peer = hgw_rd_u32(&o.v)) != 0)
			continue;
		ppp_judge_rej(&j, &o);
	}
	if (rc < 0)
		return -1;
	int code = ppp_judge_end(&j, w);
	if (code == CP_CONF_ACK)
		c->peer = peer;
	return code;
}

static int same_as_req(struct fsm *f, struct hgw_rd r)
{
	uint8_t buf[64];
	struct hgw_wr w = hgw_wr_init(buf, sizeof(buf));
	f->p->build_req(f, &w);
	return (hgw_rd_left(&r) == hgw_wr_len(&w) && memcmp(r.p + r.off, buf, hgw_wr_len(&w)) == 0)
		       ? 0
		       : -1;
}

static int ipcp_recv_ack(struct fsm *f, struct hgw_rd r)
{
	struct ipcp *c = I(f);
	if (same_as_req(f, r) < 0)
		return -1;
	c->addr = c->req_addr ? c->want_addr : 0;
	c->dns[0] = c->req_dns[0] ? c->want_dns[0] : 0;
	c->dns[1] = c->req_dns[1] ? c->want_dns[1] : 0;
	return 0;
}

static int ipcp_recv_nak(struct fsm *f, struct hgw_rd r)
{
	struct ipcp *c = I(f);
	struct ppp_opt o;
	int rc;
	while ((rc = ppp_opt_next(&r, &o)) > 0) {
		if (o.len != 4)
			continue;
		uint32_t v = hgw_rd_u32(&o.v);
		if (o.type == IPCP_ADDR && c->req_addr)
			c->want_addr = v;
		else if (o.type == IPCP_DNS1 && c->req_dns[0])
			c->want_dns[0] = v;
		else if (o.type == IPCP_DNS2 && c->req_dns[1])
			c->want_dns[1] = v;
	}
	return rc < 0 ? -1 : 0;
}

static int ipcp_recv_rej(struct fsm *f, struct hgw_rd r)
{
	struct ipcp *c = I(f);
	struct ppp_opt o;
	int rc;
	bool drop[3] = { false, false, false };
	while ((rc = ppp_opt_next(&r, &o)) > 0) {
		if (o.type == IPCP_ADDR && c->req_addr)
			drop[0] = true;
		else if (o.type == IPCP_DNS1 && c->req_dns[0])
			drop[1] = true;
		else if (o.type == IPCP_DNS2 && c->req_dns[1])
			drop[2] = true;
		else
			return -1;
	}
	if (rc < 0)
		return -1;
	if (drop[0])
		c->req_addr = false;
	if (drop[1])
		c->req_dns[0] = false;
	if (drop[2])
		c->req_dns[1] = false;
	return 0;
}

static void nop(struct fsm *f) { (void)f; }

const struct fsm_proto ipcp_proto = {
	.name = "IPCP",
	.proto = 0x8021,
	.max_code = CP_CODE_REJ,
	.reset = ipcp_reset,
	.build_req = ipcp_build_req,
	.recv_req = ipcp_recv_req,
	.recv_ack = ipcp_recv_ack,
	.recv_nak = ipcp_recv_nak,
	.recv_rej = ipcp_recv_rej,
	.tlu = nop, .tld = nop, .tls = nop, .tlf = nop,
};
