/* MPTCP endpoints and limits through the mptcp_pm generic netlink family. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/mptcp.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "backend_kernel.h"
#include "nlmsg.h"

static int gn_open(struct kb *kb)
{
	return nlk_sock_open(&kb->gn, NETLINK_GENERIC);
}

struct gn_ctx {
	struct kb *kb;
	struct nl_kstate *k;
	uint16_t family;
};

static int ctrl_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	if (mnl_attr_get_type(a) <= CTRL_ATTR_MAX)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static int on_family(const struct nlmsghdr *n, void *data)
{
	struct gn_ctx *c = data;
	const struct nlattr *tb[CTRL_ATTR_MAX + 1] = { 0 };
	mnl_attr_parse(n, sizeof(struct genlmsghdr), ctrl_attr, tb);
	if (tb[CTRL_ATTR_FAMILY_ID])
		c->family = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	return MNL_CB_OK;
}

static int mp_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	if (mnl_attr_get_type(a) <= 16)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static int on_ep(const struct nlmsghdr *n, void *data)
{
	struct gn_ctx *c = data;
	const struct nlattr *tb[17] = { 0 }, *ad[17] = { 0 };
	mnl_attr_parse(n, sizeof(struct genlmsghdr), mp_attr, tb);
	if (tb[MPTCP_PM_ATTR_SUBFLOWS])
		c->k->mptcp_subflows = mnl_attr_get_u32(tb[MPTCP_PM_ATTR_SUBFLOWS]);
	if (tb[MPTCP_PM_ATTR_RCV_ADD_ADDRS])
		c->k->mptcp_add_addr = mnl_attr_get_u32(tb[MPTCP_PM_ATTR_RCV_ADD_ADDRS]);
	if (!tb[MPTCP_PM_ATTR_ADDR])
		return MNL_CB_OK;
	mnl_attr_parse_nested(tb[MPTCP_PM_ATTR_ADDR], mp_attr, ad);
	if (c->k->n_eps >= (int)(sizeof(c->k->eps) / sizeof(c->k->eps[0]))) {
		c->k->overflow = true;
		return MNL_CB_OK;
	}
	struct nl_endpoint *e = &c->k->eps[c->k->n_eps++];
	memset(e, 0, sizeof(*e));
	if (ad[MPTCP_PM_ADDR_ATTR_ID])
		e->id = mnl_attr_get_u8(ad[MPTCP_PM_ADDR_ATTR_ID]);
	if (ad[MPTCP_PM_ADDR_ATTR_FAMILY])
		e->family = (uint8_t)mnl_attr_get_u16(ad[MPTCP_PM_ADDR_ATTR_FAMILY]);
	if (ad[MPTCP_PM_ADDR_ATTR_ADDR4])
		nlk_get_addr(ad[MPTCP_PM_ADDR_ATTR_ADDR4], AF_INET, e->addr);
	if (ad[MPTCP_PM_ADDR_ATTR_ADDR6])
		nlk_get_addr(ad[MPTCP_PM_ADDR_ATTR_ADDR6], AF_INET6, e->addr);
	if (ad[MPTCP_PM_ADDR_ATTR_FLAGS])
		e->flags = mnl_attr_get_u32(ad[MPTCP_PM_ADDR_ATTR_FLAGS]);
	if (ad[MPTCP_PM_ADDR_ATTR_IF_IDX])
		snprintf(e->ifname, sizeof(e->ifname), "%s",
			 nlk_ifname_of(c->k, (int)mnl_attr_get_u32(ad[MPTCP_PM_ADDR_ATTR_IF_IDX])));
	return MNL_CB_OK;
}

/* One request, its replies through cb, until the ACK / end of dump. */
static int gn_run(struct kb *kb, struct nlmsghdr *n, mnl_cb_t cb, struct gn_ctx *c,
		  char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = 0;
	if (mnl_socket_sendto(kb->gn, n, n->nlmsg_len) < 0)
		return -errno;
	uint32_t seq = n->nlmsg_seq;
	for (;;) {
		ssize_t len = mnl_socket_recvfrom(kb->gn, kb->buf, sizeof(kb->buf));
		if (len < 0)
			return -errno;
		for (struct nlmsghdr *h = (struct nlmsghdr *)kb->buf; mnl_nlmsg_ok(h, (int)len);
		     h = mnl_nlmsg_next(h, (int *)&len)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
				if (e->error && err)
					nlk_ext_ack(h, err, errlen);
				return e->error;
			}
			if (cb)
				cb(h, c);
		}
	}
}

int nlk_mptcp_dump(struct kb *kb, struct nl_kstate *k)
{
	k->mptcp_ok = false;
	k->n_eps = 0;
	int rc = gn_open(kb);
	if (rc)
		return rc;
	char msg[1024];
	struct gn_ctx c = { .kb = kb, .k = k };
	if (!kb->mptcp_family) {
		rc = gn_run(kb, nl_msg_genl_family(msg, MPTCP_PM_NAME, ++kb->seq), on_family, &c, NULL, 0);
		if (rc == -ENOENT)
			return 0; /* no MPTCP in this kernel: reported by the diff */
		if (rc)
			return rc;
		kb->mptcp_family = c.family;
	}
	rc = gn_run(kb, nl_msg_mptcp_dump(msg, kb->mptcp_family, ++kb->seq), on_ep, &c, NULL, 0);
	if (rc)
		return rc;
	rc = gn_run(kb, nl_msg_mptcp_limits(msg, kb->mptcp_family, false, 0, 0, ++kb->seq), on_ep, &c,
		    NULL, 0);
	if (rc)
		return rc;
	k->mptcp_ok = true;
	return 0;
}

int nlk_mptcp_apply(struct kb *kb, const struct nl_op *op, char *err, size_t errlen)
{
	char msg[1024];
	if (!kb->mptcp_family || gn_open(kb)) {
		snprintf(err, errlen, "no MPTCP path manager");
		return -EOPNOTSUPP;
	}
	struct nlmsghdr *n;
	if (op->type == NL_OP_MPTCP_LIMITS) {
		n = nl_msg_mptcp_limits(msg, kb->mptcp_family, true, op->u.limits.subflows,
					op->u.limits.add_addr, ++kb->seq);
	} else {
		int ifindex = 0;
		if (op->type == NL_OP_EP_ADD) {
			if (!op->u.ep.id) {
				snprintf(err, errlen, "no free endpoint id in netlinkd's range");
				return -ENOSPC;
			}
			ifindex = (int)if_nametoindex(op->u.ep.ifname);
			if (!ifindex) {
				snprintf(err, errlen, "interface %s does not exist", op->u.ep.ifname);
				return -ENODEV;
			}
		}
		n = nl_msg_mptcp_ep(msg, kb->mptcp_family, op->type == NL_OP_EP_ADD, &op->u.ep, ifindex,
				    ++kb->seq);
	}
	kb->b.netlink_writes++;
	return gn_run(kb, n, NULL, NULL, err, errlen);
}

