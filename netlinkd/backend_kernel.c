/* The rtnetlink backend: dumps through libmnl, one request per change with
 * an ACK, the kernel's extended-ACK text kept for netlinkd.json. */
#include <errno.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>

#include <linux/if_addr.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/if_tunnel.h>
#include <linux/mptcp.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "log.h"
#include "nft.h"
#include "nlmsg.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

struct kb {
	struct nl_backend b;
	struct mnl_socket *nl;
	struct mnl_socket *nf; /* nfnetlink, opened on first use */
	struct mnl_socket *gn; /* generic netlink (mptcp_pm) */
	uint16_t mptcp_family; /* 0 = not resolved (yet) */
	uint32_t portid;
	uint32_t seq;
	char proc_sys[128];
	char buf[65536];
	char fwbuf[256 * 1024];
};

/* ---- dumps ---- */

struct dump_ctx {
	struct nl_kstate *k;
	int family_filter;
};

static int link_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int t = mnl_attr_get_type(a);
	if (mnl_attr_type_valid(a, IFLA_MAX) >= 0)
		tb[t] = a;
	return MNL_CB_OK;
}

static int info_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int t = mnl_attr_get_type(a);
	if (mnl_attr_type_valid(a, IFLA_INFO_MAX) >= 0)
		tb[t] = a;
	return MNL_CB_OK;
}

static int any_attr(const struct nlattr *a, void *data);
static void get_addr(const struct nlattr *a, int family, uint8_t *out);

static int on_link(const struct nlmsghdr *n, void *data)
{
	struct dump_ctx *c = data;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(n);
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	mnl_attr_parse(n, sizeof(*ifi), link_attr, tb);
	if (c->k->n_links >= NL_MAX_KLINKS) {
		c->k->overflow = true;
		return MNL_CB_OK;
	}
	struct nl_klink *l = &c->k->links[c->k->n_links++];
	memset(l, 0, sizeof(*l));
	l->ifindex = ifi->ifi_index;
	l->up = ifi->ifi_flags & IFF_UP;
	if (tb[IFLA_IFNAME])
		snprintf(l->ifname, sizeof(l->ifname), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (tb[IFLA_MTU])
		l->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_ADDRESS] && mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == 6) {
		memcpy(l->mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]), 6);
		l->has_mac = true;
	}
	if (tb[IFLA_IFALIAS])
		snprintf(l->alias, sizeof(l->alias), "%.*s",
			 (int)mnl_attr_get_payload_len(tb[IFLA_IFALIAS]),
			 (const char *)mnl_attr_get_payload(tb[IFLA_IFALIAS]));
	if (tb[IFLA_LINKINFO]) {
		const struct nlattr *info[IFLA_INFO_MAX + 1] = { 0 };
		mnl_attr_parse_nested(tb[IFLA_LINKINFO], info_attr, info);
		if (info[IFLA_INFO_KIND])
			snprintf(l->kind, sizeof(l->kind), "%s", mnl_attr_get_str(info[IFLA_INFO_KIND]));
		if (strcmp(l->kind, "ip6gre") == 0 && info[IFLA_INFO_DATA]) {
			const struct nlattr *gre[41] = { 0 };
			mnl_attr_parse_nested(info[IFLA_INFO_DATA], any_attr, gre);
			l->has_tun = true;
			memcpy(l->tun.ifname, l->ifname, NL_IFNAMSIZ);
			get_addr(gre[IFLA_GRE_LOCAL], AF_INET6, l->tun.local);
			get_addr(gre[IFLA_GRE_REMOTE], AF_INET6, l->tun.remote);
			if (gre[IFLA_GRE_IKEY])
				l->tun.ikey = ntohl(mnl_attr_get_u32(gre[IFLA_GRE_IKEY]));
			if (gre[IFLA_GRE_OKEY])
				l->tun.okey = ntohl(mnl_attr_get_u32(gre[IFLA_GRE_OKEY]));
			l->tun.mtu = l->mtu;
		}
	}
	return MNL_CB_OK;
}

static const char *ifname_of(const struct nl_kstate *k, int ifindex)
{
	for (int i = 0; i < k->n_links; i++)
		if (k->links[i].ifindex == ifindex)
			return k->links[i].ifname;
	return "";
}

static int any_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int t = mnl_attr_get_type(a);
	if (t <= 40) /* every *_MAX we parse is below this */
		tb[t] = a;
	return MNL_CB_OK;
}

static void get_addr(const struct nlattr *a, int family, uint8_t *out)
{
	size_t alen = (size_t)nl_alen(family);
	if (a && mnl_attr_get_payload_len(a) >= alen)
		memcpy(out, mnl_attr_get_payload(a), alen);
}

static int on_addr(const struct nlmsghdr *n, void *data)
{
	struct dump_ctx *c = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(n);
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return MNL_CB_OK;
	const struct nlattr *tb[41] = { 0 };
	mnl_attr_parse(n, sizeof(*ifa), any_attr, tb);
	if (c->k->n_addrs >= NL_MAX_KADDRS) {
		c->k->overflow = true;
		return MNL_CB_OK;
	}
	struct nl_addr *a = &c->k->addrs[c->k->n_addrs++];
	memset(a, 0, sizeof(*a));
	a->family = ifa->ifa_family;
	a->plen = ifa->ifa_prefixlen;
	snprintf(a->ifname, sizeof(a->ifname), "%s", ifname_of(c->k, (int)ifa->ifa_index));
	/* With a peer, IFA_LOCAL is ours and IFA_ADDRESS the peer; without,
	 * IPv6 sends only IFA_ADDRESS. */
	if (tb[IFA_LOCAL]) {
		get_addr(tb[IFA_LOCAL], a->family, a->local);
		if (tb[IFA_ADDRESS]) {
			get_addr(tb[IFA_ADDRESS], a->family, a->peer);
			a->has_peer = memcmp(a->peer, a->local, (size_t)nl_alen(a->family)) != 0;
		}
	} else {
		get_addr(tb[IFA_ADDRESS], a->family, a->local);
	}
	a->preferred = a->valid = NL_LFT_FOREVER;
	if (tb[IFA_CACHEINFO] &&
	    mnl_attr_get_payload_len(tb[IFA_CACHEINFO]) >= sizeof(struct ifa_cacheinfo)) {
		const struct ifa_cacheinfo *ci = mnl_attr_get_payload(tb[IFA_CACHEINFO]);
		a->preferred = ci->ifa_prefered;
		a->valid = ci->ifa_valid;
	}
	if (tb[IFA_PROTO])
		a->proto = mnl_attr_get_u8(tb[IFA_PROTO]);
	return MNL_CB_OK;
}

static int on_route(const struct nlmsghdr *n, void *data)
{
	struct dump_ctx *c = data;
	const struct rtmsg *rt = mnl_nlmsg_get_payload(n);
	if (rt->rtm_flags & RTM_F_CLONED)
		return MNL_CB_OK;
	const struct nlattr *tb[41] = { 0 };
	mnl_attr_parse(n, sizeof(*rt), any_attr, tb);
	uint32_t table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rt->rtm_table;
	/* The local table is the kernel's bookkeeping of our own addresses. */
	if (table == RT_TABLE_LOCAL)
		return MNL_CB_OK;
	if (rt->rtm_type != RTN_UNICAST && rt->rtm_type != RTN_UNREACHABLE &&
	    rt->rtm_type != RTN_BLACKHOLE && rt->rtm_type != RTN_PROHIBIT)
		return MNL_CB_OK;
	if (c->k->n_routes >= NL_MAX_KROUTES) {
		c->k->overflow = true;
		return MNL_CB_OK;
	}
	struct nl_route *r = &c->k->routes[c->k->n_routes++];
	memset(r, 0, sizeof(*r));
	r->family = rt->rtm_family;
	r->dst_len = rt->rtm_dst_len;
	r->type = rt->rtm_type;
	r->table = table;
	r->proto = rt->rtm_protocol;
	get_addr(tb[RTA_DST], r->family, r->dst);
	if (tb[RTA_GATEWAY]) {
		get_addr(tb[RTA_GATEWAY], r->family, r->gw);
		r->has_gw = true;
	}
	if (tb[RTA_OIF])
		snprintf(r->oif, sizeof(r->oif), "%s",
			 ifname_of(c->k, (int)mnl_attr_get_u32(tb[RTA_OIF])));
	if (tb[RTA_PRIORITY])
		r->metric = mnl_attr_get_u32(tb[RTA_PRIORITY]);
	return MNL_CB_OK;
}

static int on_rule(const struct nlmsghdr *n, void *data)
{
	struct dump_ctx *c = data;
	const struct fib_rule_hdr *fr = mnl_nlmsg_get_payload(n);
	const struct nlattr *tb[41] = { 0 };
	mnl_attr_parse(n, sizeof(*fr), any_attr, tb);
	if (c->k->n_rules >= NL_MAX_KRULES) {
		c->k->overflow = true;
		return MNL_CB_OK;
	}
	struct nl_rule *r = &c->k->rules[c->k->n_rules++];
	memset(r, 0, sizeof(*r));
	r->family = fr->family;
	r->src_len = fr->src_len;
	r->table = tb[FRA_TABLE] ? mnl_attr_get_u32(tb[FRA_TABLE]) : fr->table;
	r->prio = tb[FRA_PRIORITY] ? mnl_attr_get_u32(tb[FRA_PRIORITY]) : 0;
	get_addr(tb[FRA_SRC], r->family, r->src);
	if (tb[FRA_PROTOCOL])
		r->proto = mnl_attr_get_u8(tb[FRA_PROTOCOL]);
	return MNL_CB_OK;
}

static int dump_one(struct kb *kb, uint16_t type, int family, size_t hdrlen, mnl_cb_t cb,
		    struct dump_ctx *c)
{
	struct nlmsghdr *n = mnl_nlmsg_put_header(kb->buf);
	n->nlmsg_type = type;
	n->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	n->nlmsg_seq = ++kb->seq;
	/* Every one of these requests starts with a one-byte family. */
	uint8_t *fam = mnl_nlmsg_put_extra_header(n, hdrlen);
	fam[0] = (uint8_t)family;
	if (mnl_socket_sendto(kb->nl, n, n->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t len = mnl_socket_recvfrom(kb->nl, kb->buf, sizeof(kb->buf));
		if (len < 0)
			return -errno;
		int rc = mnl_cb_run(kb->buf, (size_t)len, kb->seq, kb->portid, cb, c);
		if (rc == MNL_CB_STOP)
			return 0;
		if (rc < 0)
			return -errno;
	}
}

/* ---- nftables ---- */

static int err_attr(const struct nlattr *a, void *data);

static int nf_open(struct kb *kb)
{
	if (kb->nf)
		return 0;
	kb->nf = mnl_socket_open(NETLINK_NETFILTER);
	if (!kb->nf || mnl_socket_bind(kb->nf, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;
		if (kb->nf)
			mnl_socket_close(kb->nf);
		kb->nf = NULL;
		return -e;
	}
	int one = 1;
	mnl_socket_setsockopt(kb->nf, NETLINK_EXT_ACK, &one, sizeof(one));
	return 0;
}

static int table_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	if (mnl_attr_get_type(a) <= NFTA_TABLE_MAX)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

/* How many rules the table holds (a dump filtered by table). */
static int fw_count_rules(struct kb *kb, struct nl_kstate *k)
{
	struct nlmsghdr *n = mnl_nlmsg_put_header(kb->buf);
	n->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETRULE;
	n->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	n->nlmsg_seq = ++kb->seq;
	struct nfgenmsg *g = mnl_nlmsg_put_extra_header(n, sizeof(*g));
	g->nfgen_family = NFPROTO_INET;
	g->version = NFNETLINK_V0;
	mnl_attr_put_strz(n, NFTA_RULE_TABLE, kb->b.fw_table);
	uint32_t seq = n->nlmsg_seq;
	k->fw_rules = 0;
	if (mnl_socket_sendto(kb->nf, n, n->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t len = mnl_socket_recvfrom(kb->nf, kb->buf, sizeof(kb->buf));
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
				return e->error;
			}
			if ((h->nlmsg_type & 0xff) == NFT_MSG_NEWRULE)
				k->fw_rules++;
		}
	}
}

/* Is there a table of that name, and what is its userdata? */
static int fw_dump(struct kb *kb, struct nl_kstate *k)
{
	k->fw_present = false;
	k->fw_tag[0] = 0;
	if (!kb->b.fw_table[0])
		return 0;
	int rc = nf_open(kb);
	if (rc)
		return rc;
	struct nlmsghdr *n = mnl_nlmsg_put_header(kb->buf);
	n->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE;
	n->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	n->nlmsg_seq = ++kb->seq;
	struct nfgenmsg *g = mnl_nlmsg_put_extra_header(n, sizeof(*g));
	g->nfgen_family = NFPROTO_INET;
	g->version = NFNETLINK_V0;
	mnl_attr_put_strz(n, NFTA_TABLE_NAME, kb->b.fw_table);
	uint32_t seq = n->nlmsg_seq;
	if (mnl_socket_sendto(kb->nf, n, n->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t len = mnl_socket_recvfrom(kb->nf, kb->buf, sizeof(kb->buf));
		if (len < 0)
			return -errno;
		for (struct nlmsghdr *h = (struct nlmsghdr *)kb->buf; mnl_nlmsg_ok(h, (int)len);
		     h = mnl_nlmsg_next(h, (int *)&len)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
				return e->error == -ENOENT ? 0 : e->error;
			}
			if ((h->nlmsg_type & 0xff) != NFT_MSG_NEWTABLE)
				continue;
			const struct nlattr *tb[NFTA_TABLE_MAX + 1] = { 0 };
			mnl_attr_parse(h, sizeof(struct nfgenmsg), table_attr, tb);
			k->fw_present = true;
			if (tb[NFTA_TABLE_USERDATA]) {
				size_t l = mnl_attr_get_payload_len(tb[NFTA_TABLE_USERDATA]);
				if (l >= sizeof(k->fw_tag))
					l = sizeof(k->fw_tag) - 1;
				memcpy(k->fw_tag, mnl_attr_get_payload(tb[NFTA_TABLE_USERDATA]), l);
				k->fw_tag[l] = 0;
			}
		}
		if (k->fw_present)
			return fw_count_rules(kb, k);
	}
}

/* Sends a batch; the kernel answers errors for any failing message (the
 * whole transaction is then aborted) and an ACK for the last one if it
 * committed. */
static int fw_apply(struct kb *kb, const struct nl_op *op, char *err, size_t errlen)
{
	int rc = nf_open(kb);
	if (rc) {
		snprintf(err, errlen, "nfnetlink socket: %s", strerror(-rc));
		return rc;
	}
	char *batch = kb->fwbuf;
	uint32_t first = kb->seq + 1, last = 0;
	size_t n = nl_nft_batch(batch, sizeof(kb->fwbuf), op->type == NL_OP_FW_REPLACE ? op->u.fw.fw : NULL,
				op->u.fw.table, first, &last);
	kb->seq = last + 1;
	if (!n) {
		snprintf(err, errlen, "ruleset too large");
		return -E2BIG;
	}
	kb->b.netlink_writes++;
	if (mnl_socket_sendto(kb->nf, batch, n) < 0) {
		rc = -errno;
		snprintf(err, errlen, "sending the batch: %s", strerror(errno));
		return rc;
	}
	for (;;) {
		ssize_t len = mnl_socket_recvfrom(kb->nf, kb->buf, sizeof(kb->buf));
		if (len < 0)
			return -errno;
		for (struct nlmsghdr *h = (struct nlmsghdr *)kb->buf; mnl_nlmsg_ok(h, (int)len);
		     h = mnl_nlmsg_next(h, (int *)&len)) {
			if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_seq < first || h->nlmsg_seq > last)
				continue;
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
			if (e->error) {
				if (h->nlmsg_flags & NLM_F_ACK_TLVS) {
					size_t off = sizeof(*e);
					if (!(h->nlmsg_flags & NLM_F_CAPPED))
						off += e->msg.nlmsg_len - sizeof(e->msg);
					const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { 0 };
					mnl_attr_parse(h, (unsigned)off, err_attr, tb);
					if (tb[NLMSGERR_ATTR_MSG])
						snprintf(err, errlen, "%s", mnl_attr_get_str(tb[NLMSGERR_ATTR_MSG]));
				}
				return e->error;
			}
			if (h->nlmsg_seq == last)
				return 0;
		}
	}
}

/* ---- MPTCP (generic netlink) ---- */

static int gn_open(struct kb *kb)
{
	if (kb->gn)
		return 0;
	kb->gn = mnl_socket_open(NETLINK_GENERIC);
	if (!kb->gn || mnl_socket_bind(kb->gn, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;
		if (kb->gn)
			mnl_socket_close(kb->gn);
		kb->gn = NULL;
		return -e;
	}
	int one = 1;
	mnl_socket_setsockopt(kb->gn, NETLINK_EXT_ACK, &one, sizeof(one));
	return 0;
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
		get_addr(ad[MPTCP_PM_ADDR_ATTR_ADDR4], AF_INET, e->addr);
	if (ad[MPTCP_PM_ADDR_ATTR_ADDR6])
		get_addr(ad[MPTCP_PM_ADDR_ATTR_ADDR6], AF_INET6, e->addr);
	if (ad[MPTCP_PM_ADDR_ATTR_FLAGS])
		e->flags = mnl_attr_get_u32(ad[MPTCP_PM_ADDR_ATTR_FLAGS]);
	if (ad[MPTCP_PM_ADDR_ATTR_IF_IDX])
		snprintf(e->ifname, sizeof(e->ifname), "%s",
			 ifname_of(c->k, (int)mnl_attr_get_u32(ad[MPTCP_PM_ADDR_ATTR_IF_IDX])));
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
				if (e->error && err && (h->nlmsg_flags & NLM_F_ACK_TLVS)) {
					size_t off = sizeof(*e);
					if (!(h->nlmsg_flags & NLM_F_CAPPED))
						off += e->msg.nlmsg_len - sizeof(e->msg);
					const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { 0 };
					mnl_attr_parse(h, (unsigned)off, err_attr, tb);
					if (tb[NLMSGERR_ATTR_MSG])
						snprintf(err, errlen, "%s", mnl_attr_get_str(tb[NLMSGERR_ATTR_MSG]));
				}
				return e->error;
			}
			if (cb)
				cb(h, c);
		}
	}
}

static int mptcp_dump(struct kb *kb, struct nl_kstate *k)
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

static int mptcp_apply(struct kb *kb, const struct nl_op *op, char *err, size_t errlen)
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

static int kb_dump(struct nl_backend *b, struct nl_kstate *k)
{
	struct kb *kb = (struct kb *)b;
	struct dump_ctx c = { .k = k };
	k->n_links = k->n_addrs = k->n_routes = k->n_rules = 0;
	k->overflow = false;
	int rc;
	if ((rc = dump_one(kb, RTM_GETLINK, AF_UNSPEC, sizeof(struct ifinfomsg), on_link, &c)) ||
	    (rc = dump_one(kb, RTM_GETADDR, AF_UNSPEC, sizeof(struct ifaddrmsg), on_addr, &c)) ||
	    (rc = dump_one(kb, RTM_GETROUTE, AF_INET, sizeof(struct rtmsg), on_route, &c)) ||
	    (rc = dump_one(kb, RTM_GETROUTE, AF_INET6, sizeof(struct rtmsg), on_route, &c)) ||
	    (rc = dump_one(kb, RTM_GETRULE, AF_INET, sizeof(struct fib_rule_hdr), on_rule, &c)) ||
	    (rc = dump_one(kb, RTM_GETRULE, AF_INET6, sizeof(struct fib_rule_hdr), on_rule, &c)) ||
	    (rc = fw_dump(kb, k)) || (rc = mptcp_dump(kb, k)))
		return rc;
	return k->overflow ? -EOVERFLOW : 0;
}

/* ---- changes ---- */

static int err_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	if (mnl_attr_get_type(a) <= NLMSGERR_ATTR_MAX)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

/* Sends one request and waits for its ACK.  0 or -errno, with the kernel's
 * extended-ACK message (if it gave one) in err. */
static int transact(struct kb *kb, struct nlmsghdr *n, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = 0;
	kb->b.netlink_writes++;
	if (mnl_socket_sendto(kb->nl, n, n->nlmsg_len) < 0)
		return -errno;
	uint32_t seq = n->nlmsg_seq;
	for (;;) {
		ssize_t len = mnl_socket_recvfrom(kb->nl, kb->buf, sizeof(kb->buf));
		if (len < 0)
			return -errno;
		for (struct nlmsghdr *h = (struct nlmsghdr *)kb->buf; mnl_nlmsg_ok(h, (int)len);
		     h = mnl_nlmsg_next(h, (int *)&len)) {
			if (h->nlmsg_seq != seq || h->nlmsg_type != NLMSG_ERROR)
				continue;
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
			if (e->error && err && (h->nlmsg_flags & NLM_F_ACK_TLVS)) {
				/* The TLVs follow the echoed request (its header only,
				 * when NLM_F_CAPPED says the kernel cut it). */
				size_t off = sizeof(*e);
				if (!(h->nlmsg_flags & NLM_F_CAPPED))
					off += e->msg.nlmsg_len - sizeof(e->msg);
				const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { 0 };
				mnl_attr_parse(h, (unsigned)off, err_attr, tb);
				if (tb[NLMSGERR_ATTR_MSG])
					snprintf(err, errlen, "%s", mnl_attr_get_str(tb[NLMSGERR_ATTR_MSG]));
			}
			return e->error;
		}
	}
}

static int sysctl_path(struct kb *kb, const char *key, char *path, size_t len)
{
	if (strstr(key, ".."))
		return -EINVAL;
	snprintf(path, len, "%s/%s", kb->proc_sys, key);
	return 0;
}

static int kb_sysctl_get(struct nl_backend *b, const char *key, char *val, size_t len)
{
	struct kb *kb = (struct kb *)b;
	char path[256];
	if (sysctl_path(kb, key, path, sizeof(path)))
		return -EINVAL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, val, len - 1);
	int e = errno;
	close(fd);
	if (n < 0)
		return -e;
	val[n] = 0;
	return 0;
}

static int sysctl_set(struct kb *kb, const struct nl_sysctl *s, char *err, size_t errlen)
{
	char path[256];
	if (sysctl_path(kb, s->key, path, sizeof(path)))
		return -EINVAL;
	kb->b.sysctl_writes++;
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	ssize_t n = write(fd, s->value, strlen(s->value));
	int e = errno;
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	return 0;
}

static const char *op_ifname(const struct nl_op *op)
{
	switch (op->type) {
	case NL_OP_ADDR_ADD:
	case NL_OP_ADDR_DEL: return op->u.addr.ifname;
	case NL_OP_ROUTE_ADD:
	case NL_OP_ROUTE_DEL: return op->u.route.type == RTN_UNICAST ? op->u.route.oif : NULL;
	case NL_OP_LINK_RENAME: return op->from;
	case NL_OP_LINK_MTU:
	case NL_OP_LINK_UP: return op->u.link.ifname;
	case NL_OP_TUNNEL_DEL: return op->u.tunnel.ifname;
	default: return NULL;
	}
}

static int kb_apply(struct nl_backend *b, const struct nl_op *op, const struct nl_owner *o,
		    char *err, size_t errlen)
{
	struct kb *kb = (struct kb *)b;
	err[0] = 0;
	if (op->type == NL_OP_SYSCTL)
		return sysctl_set(kb, &op->u.sysctl, err, errlen);
	if (op->type == NL_OP_FW_REPLACE || op->type == NL_OP_FW_DELETE)
		return fw_apply(kb, op, err, errlen);
	if (op->type == NL_OP_EP_ADD || op->type == NL_OP_EP_DEL || op->type == NL_OP_MPTCP_LIMITS)
		return mptcp_apply(kb, op, err, errlen);
	int ifindex = 0;
	const char *ifn = op_ifname(op);
	if (ifn && ifn[0]) {
		ifindex = (int)if_nametoindex(ifn);
		if (!ifindex) {
			snprintf(err, errlen, "interface %s does not exist", ifn);
			return -ENODEV;
		}
	}
	char msg[8192];
	if (op->type == NL_OP_LINK_RENAME) {
		/* A link must be down to be renamed; bring it back up after. */
		unsigned flags = 0;
		struct nl_op down = { .type = NL_OP_LINK_UP };
		struct nlmsghdr *n = nl_msg_build(msg, &down, o, ifindex, ++kb->seq);
		struct ifinfomsg *ifi = mnl_nlmsg_get_payload(n);
		struct ifreq ifr;
		int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		memset(&ifr, 0, sizeof(ifr));
		memcpy(ifr.ifr_name, op->from, sizeof(op->from) < IFNAMSIZ ? sizeof(op->from) : IFNAMSIZ);
		if (s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0)
			flags = (unsigned)ifr.ifr_flags;
		if (s >= 0)
			close(s);
		ifi->ifi_flags = 0;
		int rc = transact(kb, n, err, errlen);
		if (rc == 0) {
			n = nl_msg_build(msg, op, o, ifindex, ++kb->seq);
			rc = transact(kb, n, err, errlen);
		}
		if (flags & IFF_UP) {
			n = nl_msg_build(msg, &down, o, ifindex, ++kb->seq);
			transact(kb, n, NULL, 0);
		}
		return rc;
	}
	struct nlmsghdr *n = nl_msg_build(msg, op, o, ifindex, ++kb->seq);
	if (!n)
		return -EINVAL;
	int rc = transact(kb, n, err, errlen);
	if (rc == 0 && op->type == NL_OP_TUNNEL_ADD) {
		int idx = (int)if_nametoindex(op->u.tunnel.ifname);
		if (idx) {
			n = nl_msg_alias(msg, idx, NL_ALIAS, ++kb->seq);
			rc = transact(kb, n, err, errlen);
		}
	}
	return rc;
}

static void kb_free(struct nl_backend *b)
{
	struct kb *kb = (struct kb *)b;
	if (kb->nl)
		mnl_socket_close(kb->nl);
	if (kb->nf)
		mnl_socket_close(kb->nf);
	if (kb->gn)
		mnl_socket_close(kb->gn);
	free(kb);
}

struct nl_backend *nl_backend_kernel(const char *proc_sys)
{
	struct kb *kb = calloc(1, sizeof(*kb));
	if (!kb)
		return NULL;
	kb->b.dump = kb_dump;
	kb->b.apply = kb_apply;
	kb->b.sysctl_get = kb_sysctl_get;
	kb->b.free = kb_free;
	snprintf(kb->proc_sys, sizeof(kb->proc_sys), "%s", proc_sys ? proc_sys : "/proc/sys");
	kb->nl = mnl_socket_open(NETLINK_ROUTE);
	if (!kb->nl || mnl_socket_bind(kb->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		log_err("netlink socket: %s", strerror(errno));
		kb_free(&kb->b);
		return NULL;
	}
	int one = 1;
	/* Extended ACKs: the kernel's own words for what it refused. */
	mnl_socket_setsockopt(kb->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	kb->portid = mnl_socket_get_portid(kb->nl);
	kb->seq = (uint32_t)time(NULL);
	return &kb->b;
}
